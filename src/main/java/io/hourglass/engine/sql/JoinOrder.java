package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which an inner join reads its tables. A query is a nested loop over its FROM
 * sources in list order, each read through the best access the sources before it allow, so the
 * order decides the cost: {@code FROM orders o, customers c WHERE o.cust = c.id AND c.id = ?}
 * written that way scans every order, while read customer first it is one key lookup and then
 * that customer's orders through their index.
 *
 * <p>Chosen before the query is bound, from the WHERE clause's equalities and bounds as written
 * and from what the tables know of themselves: their row slots and their indexes' distinct keys.
 * Every order of up to {@link #MAX_TABLES} tables is costed as the rows its nested loop would
 * visit ({@link #cost}); the written order is kept unless another costs less than half of it,
 * so a query whose order the estimates cannot tell apart (a hash join of two unindexed tables,
 * where the second is the one hashed) runs as written. Only joins of tables are reordered (no
 * view, derived table or DUAL among them). A LEFT JOIN's source (or one Oracle's {@code (+)} outer
 * joins, made a LEFT JOIN here by {@link OuterJoinMarks}) is read
 * after the sources its ON condition names, through that condition's terms alone (so a query
 * reads the same rows in any such order: a source's matches do not depend on the sources read
 * between); {@code *} still lists the columns in the
 * written order, and a query's rows come in no order without ORDER BY.
 */
final class JoinOrder {
    private JoinOrder() {}

    /** Joins of more tables keep their written order (720 orders at six). */
    static final int MAX_TABLES = 6;

    /** A condition of the WHERE clause on one column of one source, usable once {@code needs} are placed. */
    private record Term(int source, int column, boolean equality, long needs) {}

    /** Marks a side of a condition that cannot serve (a subquery, ROWNUM, a sequence, an ambiguous name). */
    static final long UNKNOWN = -1;

    /**
     * The tables whose sizes chose the join orders of one statement's plan, with their row slots
     * then. A prepared statement plans again once one has grown or shrunk fourfold (and by more
     * than {@link #SLACK} slots): a join prepared on empty tables must not keep its written order
     * once they are loaded.
     */
    static final class Sizes {
        private final List<Table> tables = new ArrayList<>();
        private final List<Long> slots = new ArrayList<>();
        /** Whether the plan reads or writes a session's instance of a GLOBAL TEMPORARY table: it is that session's only. */
        boolean sessionBound;

        boolean changed() {
            for (int i = 0; i < tables.size(); i++) {
                long then = slots.get(i), now = tables.get(i).store().highWater();
                if (Math.abs(now - then) > SLACK && Math.max(now, then) > 4 * Math.max(1, Math.min(now, then))) return true;
            }
            return false;
        }
    }

    /** A change of size below which no order is planned again. */
    static final long SLACK = 100;

    private static final ThreadLocal<Sizes> PLANNING = new ThreadLocal<>();

    /** Makes a plan with {@code plan}, noting in {@code sizes} the sizes its join orders were chosen from. */
    /** The plan being made binds a session's instance of a GLOBAL TEMPORARY table (see {@link Sizes#sessionBound}). */
    static void bindsSession() {
        Sizes sizes = PLANNING.get();
        if (sizes != null) sizes.sessionBound = true;
    }

    static <T> T planning(Sizes sizes, java.util.function.Supplier<T> plan) {
        Sizes outer = PLANNING.get();
        PLANNING.set(sizes);
        try {
            return plan.get();
        } finally {
            PLANNING.set(outer);
        }
    }

    /** {@code sel} with its FROM list in the order to read it (itself if that is the written one, or it cannot be reordered). */
    static Ast.Select reorder(Ast.Select sel, Session s) {
        List<Ast.FromItem> from = sel.from();
        int n = from.size();
        // (a USING join's condition is made when the sources are bound: such a query is read as written)
        if (n < 2 || sel.starOrder() != null || sel.hierarchy() != null || Executor.hasUsing(sel)) return sel;
        Table[] tables = new Table[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            Ast.FromItem f = from.get(i);
            if (f.query() != null || f.table() == null || f.working() || f.full()) return sel;
            tables[i] = s.catalog().table(Executor.owner(f.table(), s), f.table().name());
            if (tables[i] == null) return sel; // a view, a system view, DUAL, or no such table: planned as written
            if (tables[i].temporary() != null) tables[i] = s.temporaryInstance(tables[i]); // (its size is the session's)
            names[i] = f.alias();
        }
        int[] written = new int[n];
        for (int i = 0; i < n; i++) written[i] = i;
        boolean marked = OuterJoinMarks.present(sel.where());
        if (marked) {
            // Oracle's (+): the outer joins it stands for, each table with its ON condition, read
            // at first (the order to beat) in the order the marks allow (for views and derived
            // tables, Executor.planQuery does the same)
            OuterJoinMarks.Joins joins = OuterJoinMarks.plan(sel.where(), tables, names);
            List<Ast.FromItem> withOns = new ArrayList<>(from);
            for (int k = 0; k < n; k++) withOns.set(joins.order()[k], from.get(joins.order()[k]).withOn(joins.ons().get(k)));
            sel = new Ast.Select(sel.distinct(), sel.first(), sel.items(), List.copyOf(withOns), joins.where(), sel.groupBy(),
                    sel.groupingSets(), sel.having(), sel.orderBy(), sel.limit(), sel.offset(), null, sel.terms(), sel.setOps());
            from = sel.from();
            written = joins.order();
        }
        // A LEFT JOIN's source comes after the sources its ON condition names.
        long[] after = new long[n];
        for (int i = 0; i < n; i++) {
            Expr on = from.get(i).on();
            if (on == null) continue;
            long m = sources(on, tables, names);
            // (a subquery in ON, say, or an ON naming a table written after it, which the binder refuses): as written
            if (m == UNKNOWN || !marked && (m >>> i) > 1) return reordered(sel, written);
            after[i] = m & ~(1L << i);
        }
        int[] pinned = s.joinOrder() == null ? null : pinned(s.joinOrder(), tables, names);
        if (pinned != null) return reordered(sel, allowed(pinned, after) ? pinned : written);
        if (n > MAX_TABLES) return reordered(sel, written);
        // An inner source's conditions are WHERE's; an outer one is read through its ON conditions alone.
        List<Term> terms = new ArrayList<>();
        for (Expr c : Executor.conjuncts(sel.where())) collect(c, tables, names, terms);
        List<Ast.FromItem> items = from;
        terms.removeIf(t -> items.get(t.source()).outer());
        for (int i = 0; i < n; i++) {
            List<Term> own = new ArrayList<>();
            for (Expr c : Executor.conjuncts(from.get(i).on())) collect(c, tables, names, own);
            for (Term t : own) if (t.source() == i) terms.add(t);
        }
        double[] rows = new double[n];
        Sizes sizes = PLANNING.get();
        for (int i = 0; i < n; i++) {
            long slots = tables[i].store().highWater();
            rows[i] = Math.max(1, slots);
            if (sizes != null) {
                sizes.tables.add(tables[i]);
                sizes.slots.add(slots);
            }
        }
        return reordered(sel, best(tables, rows, terms, written, after));
    }

    /** Whether {@code order} reads each source after those it must follow ({@code after}, by source). */
    private static boolean allowed(int[] order, long[] after) {
        long placed = 0;
        for (int i : order) {
            if ((after[i] & ~placed) != 0) return false;
            placed |= 1L << i;
        }
        return true;
    }

    /**
     * The order {@code CALL ttOptSetOrder} set, for a join whose every table's correlation name
     * (alias, else table name) it lists once; null when it does not cover this join.
     */
    private static int[] pinned(List<String> set, Table[] tables, String[] names) {
        int n = tables.length;
        List<Integer> byPosition = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = names[i] != null ? names[i] : tables[i].name();
            int at = set.indexOf(name);
            if (at < 0 || set.lastIndexOf(name) != at || byPosition.contains(at)) return null;
            byPosition.add(at);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparing(byPosition::get));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        return out;
    }

    /** {@code sel} reading its FROM list in {@code order} (indexes into it), {@code *} keeping the written order. */
    private static Ast.Select reordered(Ast.Select sel, int[] order) {
        List<Ast.FromItem> from = sel.from();
        int n = order.length;
        boolean moved = false;
        for (int j = 0; j < n; j++) moved |= order[j] != j;
        if (!moved) return sel;
        List<Ast.FromItem> reordered = new ArrayList<>();
        Integer[] starOrder = new Integer[n];
        for (int j = 0; j < n; j++) {
            reordered.add(from.get(order[j]));
            starOrder[order[j]] = j;
        }
        return new Ast.Select(sel.distinct(), sel.first(), sel.items(), List.copyOf(reordered), sel.where(), sel.groupBy(), sel.groupingSets(),
                sel.having(), sel.orderBy(), sel.limit(), sel.offset(), List.of(starOrder), sel.terms(), sel.setOps());
    }

    /** The order to read: {@code written} unless another costs less than half of it. */
    private static int[] best(Table[] tables, double[] rows, List<Term> terms, int[] written, long[] after) {
        double writtenCost = cost(tables, rows, terms, written);
        int[] best = written;
        double bestCost = writtenCost / 2;
        for (int[] order : permutations(written.length)) {
            if (!allowed(order, after)) continue;
            double c = cost(tables, rows, terms, order);
            if (c < bestCost) {
                bestCost = c;
                best = order;
            }
        }
        return best;
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], 0, 0, out);
        return out;
    }

    private static void permute(int[] prefix, int k, long used, List<int[]> out) {
        if (k == prefix.length) {
            out.add(prefix.clone());
            return;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((used & (1L << i)) != 0) continue;
            prefix[k] = i;
            permute(prefix, k + 1, used | (1L << i), out);
        }
    }

    /**
     * The rows the nested loop over {@code order} is expected to visit: at each level, for each
     * row combination before it, the rows its access reads (a lookup's matches, or the whole
     * table for a scan), plus a temporary hash index's build once; the combinations after it are
     * those before times its expected matches.
     */
    private static double cost(Table[] tables, double[] sizes, List<Term> terms, int[] order) {
        double total = 0, before = 1;
        long placed = 0;
        for (int i : order) {
            Table t = tables[i];
            double rows = sizes[i];
            double matches = rows, perRead = rows, build = 0;
            if (usable(terms, i, t.columns().size(), true, placed)) {
                // ROWID = x: the one row where x says, as a unique index would find it
                matches = 1;
                perRead = 2;
            }
            for (IndexDef ix : t.indexes()) {
                int[] cols = ix.columns();
                int k = 0;
                while (k < cols.length && usable(terms, i, cols[k], true, placed)) k++;
                double m;
                if (k == cols.length) {
                    m = ix.unique() ? 1 : rows / Math.max(1, ix.index().keyCount());
                } else if (ix.kind() == IndexDef.Kind.RANGE && k > 0) {
                    // (the distinct prefixes are not known: as many as a k-th of the keys' digits)
                    m = rows / Math.max(1, Math.pow(Math.max(1, ix.index().keyCount()), (double) k / cols.length));
                } else if (ix.kind() == IndexDef.Kind.RANGE && usable(terms, i, cols[0], false, placed)) {
                    m = rows / 3;
                } else {
                    continue;
                }
                m = Math.max(1, m);
                if (m + 1 < perRead) {
                    matches = m;
                    perRead = m + 1;
                }
            }
            if (perRead >= rows) {
                if (joined(terms, i, placed)) {
                    // an equality with an earlier source no index answers: a temporary hash index
                    build = rows;
                    matches = Math.max(1, rows / 10);
                    perRead = matches + 1;
                } else if (narrowed(terms, i)) {
                    matches = Math.max(1, rows / 10); // a scan, its rows narrowed by an equality with a constant
                }
            }
            total += before * perRead + build;
            before *= matches;
            placed |= 1L << i;
        }
        return total;
    }

    private static boolean usable(List<Term> terms, int source, int column, boolean equality, long placed) {
        for (Term t : terms) {
            if (t.source() == source && t.column() == column && (t.equality() || !equality) && (t.needs() & ~placed) == 0) return true;
        }
        return false;
    }

    /** Whether an equality on source {@code i} compares it with sources already placed. */
    private static boolean joined(List<Term> terms, int source, long placed) {
        for (Term t : terms) {
            if (t.source() == source && t.equality() && t.needs() != 0 && (t.needs() & ~placed) == 0) return true;
        }
        return false;
    }

    /** Whether an equality compares source {@code i} with a constant or parameter. */
    private static boolean narrowed(List<Term> terms, int source) {
        for (Term t : terms) if (t.source() == source && t.equality() && t.needs() == 0) return true;
        return false;
    }

    /** The terms condition {@code c} gives: {@code col = x}, {@code col <op> x}, {@code col BETWEEN x AND y}, {@code col IN (list)}. */
    private static void collect(Expr c, Table[] tables, String[] names, List<Term> out) {
        switch (c) {
            case Expr.Binary b when java.util.Set.of("=", "<", "<=", ">", ">=").contains(b.op) -> {
                side(b.left, b.right, b.op.equals("="), tables, names, out);
                side(b.right, b.left, b.op.equals("="), tables, names, out);
            }
            case Expr.Between bt when !bt.negated -> {
                long low = sources(bt.low, tables, names), high = sources(bt.high, tables, names);
                if (low != UNKNOWN && high != UNKNOWN) side(bt.arg, low | high, false, tables, names, out);
            }
            case Expr.InList il when !il.negated -> {
                long all = 0;
                for (Expr x : il.list) {
                    long m = sources(x, tables, names);
                    if (m == UNKNOWN) return;
                    all |= m;
                }
                side(il.arg, all, true, tables, names, out);
            }
            default -> { }
        }
    }

    private static void side(Expr col, Expr other, boolean equality, Table[] tables, String[] names, List<Term> out) {
        long m = sources(other, tables, names);
        if (m != UNKNOWN) side(col, m, equality, tables, names, out);
    }

    private static void side(Expr col, long needs, boolean equality, Table[] tables, String[] names, List<Term> out) {
        if (!(col instanceof Expr.ColumnRef ref)) return;
        int[] at = resolve(ref, tables, names);
        if (at == null || at == AMBIGUOUS || (needs & (1L << at[0])) != 0) return;
        out.add(new Term(at[0], at[1], equality, needs));
    }

    /** The sources {@code e} reads (none: constants, parameters, an enclosing query's columns), or UNKNOWN. */
    static long sources(Expr e, Table[] tables, String[] names) {
        if (e instanceof Expr.Subquery || e instanceof Expr.SequenceRef || e instanceof Expr.Aggregate || e instanceof Expr.Window
                || Expr.readsRownum(e)) {
            return UNKNOWN;
        }
        if (e instanceof Expr.ColumnRef ref) {
            int[] at = resolve(ref, tables, names);
            if (at == null) return 0; // not ours: an enclosing query's
            return at == AMBIGUOUS ? UNKNOWN : 1L << at[0];
        }
        long[] m = {0};
        e.children(x -> {
            long s = m[0] == UNKNOWN ? UNKNOWN : sources(x, tables, names);
            m[0] = s == UNKNOWN ? UNKNOWN : m[0] | s;
        });
        return m[0];
    }

    static final int[] AMBIGUOUS = new int[0];

    /** The source and column {@code ref} names, as the binder will find them; null if none has it, AMBIGUOUS if several. */
    static int[] resolve(Expr.ColumnRef ref, Table[] tables, String[] names) {
        int[] found = null;
        for (int i = 0; i < tables.length; i++) {
            if (ref.qualifier != null && !matches(tables[i], names[i], ref.qualifier)) continue;
            int c = tables[i].columnIndex(ref.column);
            if (c < 0 && ref.column.equals("ROWID") && !tables[i].standIn()) c = tables[i].columns().size(); // (its row's ROWID)
            if (c < 0) continue;
            if (found != null) return AMBIGUOUS;
            found = new int[] {i, c};
        }
        return found;
    }

    private static boolean matches(Table t, String alias, String qualifier) {
        if (alias != null) return alias.equals(qualifier);
        return t.name().equals(qualifier) || t.qualifiedName().equals(qualifier);
    }
}
