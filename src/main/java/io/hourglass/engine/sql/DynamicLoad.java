package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Table;

import java.util.ArrayList;
import java.util.List;

/**
 * TimesTen's dynamic load, for a statement on a DYNAMIC cache group's table: a SELECT (FOR
 * UPDATE too), UPDATE or DELETE whose main query reads that table once, through its primary key
 * with values of no table (constants, parameters, functions of them: {@code WHERE id = ?}, or
 * {@code id IN (1, 2)} for a key of one column), first has the cache agent load the rows of
 * those keys the cache lacks from the backend. Other statements, and a main query with tables of
 * two dynamic groups, read what is cached, as TimesTen's DynamicLoadErrorMode 0 does.
 *
 * @param index the key's columns in the order the access's values come in
 */
record DynamicLoad(CacheGroup group, Table table, Access access, int[] index) {

    /** The load a statement over {@code tables} read by {@code access} asks for, or null. */
    static DynamicLoad of(Table[] tables, Access[] access, Session s) {
        DynamicLoad found = null;
        CacheGroup group = null;
        int dynamicTables = 0, keyed = 0;
        for (int i = 0; i < tables.length; i++) {
            if (tables[i] == null) continue; // (a derived table)
            CacheGroup g = s.catalog().cacheGroupOf(tables[i]);
            if (g == null || !g.dynamic()) continue;
            if (group != null && !group.qualifiedName().equals(g.qualifiedName())) return null; // (two dynamic groups: TimesTen's rule)
            group = g;
            dynamicTables++;
            // Any table of the group read by its whole key loads the cache instances of those rows
            // (a join of its tables by the key of one of them is one load).
            DynamicLoad load = byPrimaryKey(g, tables[i], access[i]);
            if (load != null) {
                keyed++;
                found = load;
            }
        }
        // (a group of one table read twice by key, a self-join, loads nothing, as before groups had several)
        return keyed == 1 && (dynamicTables == 1 || !group.children().isEmpty()) ? found : null;
    }

    private static DynamicLoad byPrimaryKey(CacheGroup g, Table t, Access a) {
        if (a == null || a.index == null) return null;
        int[] cols = a.index.columns();
        int[] pk = t.primaryKey();
        if (cols.length != pk.length || !java.util.Arrays.equals(java.util.Arrays.stream(cols).sorted().toArray(),
                java.util.Arrays.stream(pk).sorted().toArray())) {
            return null;
        }
        List<Expr> values = a.kind == Access.Kind.INDEX_EQ && a.eq.size() == cols.length ? a.eq
                : a.kind == Access.Kind.INDEX_IN && cols.length == 1 && a.eq.isEmpty() ? a.inList : null;
        if (values == null) return null;
        for (Expr e : values) if (e.sources != 0 || readsQuery(e)) return null;
        return new DynamicLoad(g, t, a, cols);
    }

    private static boolean readsQuery(Expr e) {
        boolean[] found = {false};
        Executor.walk(e, x -> found[0] |= x instanceof Expr.Subquery || x instanceof Expr.SequenceRef);
        return found[0];
    }

    /**
     * Before the statement opens its snapshot: the keys its values name this execution, each
     * as the key column's type holds it (a key no row can have, NULL or a value the column
     * cannot hold, is left out), loaded by the cache agent if the cache lacks them. Not for the
     * agent's own sessions, which read and write the cache table by key themselves.
     */
    void run(Session s, Object[] params) {
        if (s.writesCacheTables()) return;
        Expr.Ctx ctx = new Expr.Ctx(0, params).limitedBy(s);
        List<Object[]> keys = new ArrayList<>();
        int[] pk = table.primaryKey();
        if (access.kind == Access.Kind.INDEX_EQ) {
            Object[] values = new Object[index.length];
            for (int i = 0; i < index.length; i++) values[i] = access.eq.get(i).eval(ctx);
            add(keys, values, pk);
        } else {
            for (Expr e : access.inList) add(keys, new Object[] {e.eval(ctx)}, pk);
        }
        if (!keys.isEmpty()) s.cache().dynamicLoad(group, table, keys, (long) (s.lockWait() * 1000));
    }

    /**
     * Adds the key {@code values} (in the index's column order) in the primary key's order, as
     * stored; not if no row can have it, nor if the table has it (a committed row, or one some
     * transaction is writing: the agent would only wait for that one, which may be the asker).
     * So a key found cached costs an index lookup, not a trip to the agent.
     */
    private void add(List<Object[]> keys, Object[] values, int[] pk) {
        Object[] stored = new Object[index.length];
        for (int i = 0; i < index.length; i++) {
            stored[i] = Access.storedOrNull(table, index[i], values[i]);
            if (stored[i] == null) return; // (NULL, 1.5 for an integer, a string for a number: the lookup finds nothing either)
        }
        boolean[] present = {false};
        io.hourglass.engine.store.Key wanted = new io.hourglass.engine.store.Key(stored);
        access.index.index().lookup(wanted, id -> {
            // (an entry stays for every version some reader may see: the newest must have this key)
            io.hourglass.engine.store.Version head = io.hourglass.engine.store.Version.of(table.store().slot(id));
            present[0] |= head != null && (!head.isCommitted()
                    || head.image != null && access.index.keyOf(table.codec().decode(head.image)).equals(wanted));
        });
        if (present[0]) return;
        Object[] key = new Object[pk.length];
        for (int i = 0; i < index.length; i++) {
            int at = 0;
            while (pk[at] != index[i]) at++;
            key[at] = stored[i];
        }
        keys.add(key);
    }
}
