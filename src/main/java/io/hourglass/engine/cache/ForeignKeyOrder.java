package io.hourglass.engine.cache;

import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.txn.TransactionManager.RowChange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The order in which a transaction's write-through changes go to the backend when they touch
 * tables of which one references another (a cache group of several tables).
 *
 * <p>A transaction's changes come each row once, where the transaction first changed it, as it
 * left it. That order can put a row before the row it references: an order re-pointed to a
 * customer the transaction inserts later, or a customer renamed and later deleted after its
 * orders. Each statement here was valid where it ran, but a backend with the same foreign keys
 * checks each of its own. So: the transaction's order, except that a row whose referenced key
 * is new (inserted, or a key changed to it) goes after that row's change, and a row that
 * referenced a key that goes (deleted, or changed away) goes before it. A cycle (a parent's
 * key changed with its children moved to the new key, which a backend takes only with ON UPDATE
 * CASCADE) keeps the transaction's order for the rows in it.
 */
final class ForeignKeyOrder {
    private ForeignKeyOrder() { }

    static List<RowChange> of(List<RowChange> changes) {
        // (tables by id: a foreign key's ends are the tables as it was made, the changes' as they are now)
        Map<Long, Table> tables = new HashMap<>();
        for (RowChange c : changes) tables.putIfAbsent(c.table().id(), c.table());
        if (tables.size() < 2) return changes;
        List<ForeignKey> links = new ArrayList<>();
        for (Table t : tables.values()) {
            for (ForeignKey fk : t.foreignKeys()) if (fk.parent().id() != t.id() && tables.containsKey(fk.parent().id())) links.add(fk);
        }
        if (links.isEmpty()) return changes;
        int n = changes.size();
        List<List<Integer>> next = new ArrayList<>(n);
        for (int i = 0; i < n; i++) next.add(new ArrayList<>());
        int[] waits = new int[n];
        for (ForeignKey fk : links) {
            Map<CacheAgent.Key, List<Integer>> arriving = new HashMap<>(), leaving = new HashMap<>();
            for (int i = 0; i < n; i++) {
                RowChange p = changes.get(i);
                if (p.table().id() != fk.parent().id()) continue;
                Object[] before = p.before() == null ? null : values(p.before(), fk.parentColumns());
                Object[] after = p.after() == null ? null : values(p.after(), fk.parentColumns());
                boolean moved = before == null || after == null || !CacheAgent.same(before, after);
                if (!moved) continue; // (the referenced key stays: no row needs it before or after)
                if (after != null) arriving.computeIfAbsent(new CacheAgent.Key(after), k -> new ArrayList<>()).add(i);
                if (before != null) leaving.computeIfAbsent(new CacheAgent.Key(before), k -> new ArrayList<>()).add(i);
            }
            for (int j = 0; j < n; j++) {
                RowChange c = changes.get(j);
                if (c.table().id() != fk.child().id()) continue;
                Object[] to = c.after() == null ? null : values(c.after(), fk.childColumns());
                Object[] from = c.before() == null ? null : values(c.before(), fk.childColumns());
                if (to != null) for (int i : arriving.getOrDefault(new CacheAgent.Key(to), List.of())) edge(next, waits, i, j);
                if (from != null) for (int i : leaving.getOrDefault(new CacheAgent.Key(from), List.of())) edge(next, waits, j, i);
            }
        }
        // Kahn's, taking the earliest change that waits for none; stuck in a cycle, the earliest left.
        List<RowChange> out = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (waits[i] == 0) ready.add(i);
        int earliest = 0;
        while (out.size() < n) {
            int i;
            if (!ready.isEmpty()) {
                i = ready.poll();
            } else {
                while (done[earliest]) earliest++;
                i = earliest;
            }
            if (done[i]) continue;
            done[i] = true;
            out.add(changes.get(i));
            for (int j : next.get(i)) if (--waits[j] == 0 && !done[j]) ready.add(j);
        }
        return out;
    }

    private static void edge(List<List<Integer>> next, int[] waits, int first, int then) {
        if (first == then) return;
        next.get(first).add(then);
        waits[then]++;
    }

    /** The row's values of {@code columns}; null if one is NULL (such a row references nothing). */
    private static Object[] values(Object[] row, int[] columns) {
        Object[] v = new Object[columns.length];
        for (int i = 0; i < columns.length; i++) if ((v[i] = row[columns[i]]) == null) return null;
        return v;
    }
}
