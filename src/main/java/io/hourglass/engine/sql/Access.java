package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Key;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * How one FROM source is read: a full scan, or an index lookup, prefix, range or IN-list probe.
 * Chosen by {@link #choose} from the conjuncts of WHERE/ON whose other side is known when the
 * source is read (constants, parameters, columns of earlier sources).
 */
final class Access {
    enum Kind { FULL_SCAN, INDEX_EQ, INDEX_RANGE, INDEX_IN, TEMP_HASH }

    final Kind kind;
    final IndexDef index;
    final List<Expr> eq;            // values for the leading index columns
    final Expr low, high;           // bound on the next column (range)
    final boolean lowInclusive, highInclusive;
    final List<Expr> inList;
    /** TEMP_HASH: the sides of the join's equalities computed from this source's row, and those from earlier sources. */
    final List<Expr> build, probe;

    private Access(Kind kind, IndexDef index, List<Expr> eq, Expr low, boolean lowInc, Expr high, boolean highInc, List<Expr> inList) {
        this(kind, index, eq, low, lowInc, high, highInc, inList, null, null);
    }

    private Access(Kind kind, IndexDef index, List<Expr> eq, Expr low, boolean lowInc, Expr high, boolean highInc, List<Expr> inList,
                   List<Expr> build, List<Expr> probe) {
        this.build = build;
        this.probe = probe;
        this.kind = kind;
        this.index = index;
        this.eq = eq;
        this.low = low;
        this.lowInclusive = lowInc;
        this.high = high;
        this.highInclusive = highInc;
        this.inList = inList;
    }

    /** Equalities a temporary hash index keys on at most. */
    static final int MAX_TEMP_KEY = 8;

    static final Access FULL = new Access(Kind.FULL_SCAN, null, List.of(), null, false, null, false, null);

    /** Picks the best access for source {@code level} of table {@code t}. */
    static Access choose(Table t, int level, List<Expr> conjuncts) {
        long known = (1L << level) - 1;
        Map<Integer, Expr> eq = new HashMap<>();
        Map<Integer, List<Expr>> in = new HashMap<>();
        Map<Integer, Expr[]> lows = new HashMap<>(), highs = new HashMap<>();
        Map<Integer, boolean[]> incl = new HashMap<>();
        for (Expr c : conjuncts) {
            if (c instanceof Expr.Binary b && Set.of("=", "<", "<=", ">", ">=").contains(b.op)) {
                String op = b.op;
                Expr col = b.left, other = b.right;
                if (!isCol(col, level) || (other.sources & ~known) != 0) {
                    col = b.right;
                    other = b.left;
                    op = flip(op);
                }
                if (!isCol(col, level) || (other.sources & ~known) != 0) continue;
                int ci = ((Expr.ColumnRef) col).index;
                switch (op) {
                    case "=" -> eq.putIfAbsent(ci, other);
                    case ">", ">=" -> { lows.put(ci, new Expr[] {other}); incl.computeIfAbsent(ci, k -> new boolean[2])[0] = op.equals(">="); }
                    default -> { highs.put(ci, new Expr[] {other}); incl.computeIfAbsent(ci, k -> new boolean[2])[1] = op.equals("<="); }
                }
            } else if (c instanceof Expr.Between bt && !bt.negated && isCol(bt.arg, level)
                    && ((bt.low.sources | bt.high.sources) & ~known) == 0) {
                int ci = ((Expr.ColumnRef) bt.arg).index;
                lows.put(ci, new Expr[] {bt.low});
                highs.put(ci, new Expr[] {bt.high});
                incl.put(ci, new boolean[] {true, true});
            } else if (c instanceof Expr.InList il && !il.negated && isCol(il.arg, level)) {
                boolean ok = true;
                for (Expr x : il.list) ok &= (x.sources & ~known) == 0;
                if (ok) in.put(((Expr.ColumnRef) il.arg).index, il.list);
            }
        }
        Access best = FULL;
        int bestScore = 0;
        for (IndexDef ix : t.indexes()) {
            int[] cols = ix.columns();
            int k = 0;
            while (k < cols.length && eq.containsKey(cols[k])) k++;
            List<Expr> eqExprs = new ArrayList<>();
            for (int i = 0; i < k; i++) eqExprs.add(eq.get(cols[i]));
            int score;
            Access a;
            if (k == cols.length) {
                score = 100 + (ix.unique() ? 50 : 0) + (ix.kind() == IndexDef.Kind.HASH ? 5 : 0) + k;
                a = new Access(Kind.INDEX_EQ, ix, eqExprs, null, false, null, false, null);
            } else if (ix.kind() == IndexDef.Kind.RANGE && (k > 0 || lows.containsKey(cols[k]) || highs.containsKey(cols[k]))) {
                Expr[] lo = lows.get(cols[k]), hi = highs.get(cols[k]);
                boolean[] inc = incl.getOrDefault(cols[k], new boolean[2]);
                score = 10 * k + (lo != null ? 4 : 0) + (hi != null ? 4 : 0);
                a = new Access(Kind.INDEX_RANGE, ix, eqExprs, lo == null ? null : lo[0], inc[0], hi == null ? null : hi[0], inc[1], null);
            } else if (cols.length == 1 && in.containsKey(cols[0])) {
                score = 9;
                a = new Access(Kind.INDEX_IN, ix, List.of(), null, false, null, false, in.get(cols[0]));
            } else {
                continue;
            }
            if (score > bestScore) {
                bestScore = score;
                best = a;
            }
        }
        if (best == FULL) {
            // A join on an equality no index answers: a temporary hash index on this source,
            // built once per execution (TimesTen's optimizer makes temporary indexes the same way),
            // instead of a scan of this source for every row of the sources before it. So is a
            // correlated subquery's equality with the enclosing query's row: the index is built
            // at its first execution and serves all the others (no scan per outer row).
            // Every such equality is part of the key, so a join on (order, line) does not probe
            // all the lines of an order.
            long self = 1L << level;
            List<Expr> build = new ArrayList<>(), probe = new ArrayList<>();
            for (Expr c : conjuncts) {
                if (!(c instanceof Expr.Binary b) || !b.op.equals("=") || build.size() == MAX_TEMP_KEY) continue;
                if (b.left.sources == self && !Expr.correlated(b.left) && varies(b.right, known)) {
                    build.add(b.left);
                    probe.add(b.right);
                } else if (b.right.sources == self && !Expr.correlated(b.right) && varies(b.left, known)) {
                    build.add(b.right);
                    probe.add(b.left);
                }
            }
            if (!build.isEmpty()) {
                return new Access(Kind.TEMP_HASH, null, List.of(), null, false, null, false, null, List.copyOf(build), List.copyOf(probe));
            }
        }
        return best;
    }

    /**
     * Whether a probe key {@code e} is known when the source is read and changes from one read
     * to the next: it reads earlier sources, or (none) an enclosing query's row.
     */
    private static boolean varies(Expr e, long known) {
        return e.sources != 0 ? (e.sources & ~known) == 0 : Expr.correlated(e);
    }

    private static boolean isCol(Expr e, int level) { return e instanceof Expr.ColumnRef c && c.depth == 0 && c.source == level; }

    private static String flip(String op) {
        return switch (op) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> op;
        };
    }

    /** Emits candidate row ids; the caller re-checks every predicate on the visible row. */
    void rowIds(Table t, Expr.Ctx ctx, LongConsumer out) {
        switch (kind) {
            case FULL_SCAN, TEMP_HASH -> throw new IllegalStateException(kind + " is read by the executor");
            case INDEX_EQ -> {
                Object[] key = new Object[eq.size()];
                for (int i = 0; i < key.length; i++) {
                    key[i] = exact(t, index.columns()[i], eq.get(i).eval(ctx));
                    if (key[i] == NO_MATCH) return;
                }
                index.index().lookup(new Key(key), out);
            }
            case INDEX_IN -> {
                Set<Long> seen = new HashSet<>();
                for (Expr e : inList) {
                    Object v = exact(t, index.columns()[0], e.eval(ctx));
                    if (v == NO_MATCH) continue;
                    index.index().lookup(new Key(new Object[] {v}), id -> { if (seen.add(id)) out.accept(id); });
                }
            }
            case INDEX_RANGE -> {
                Object[] prefix = new Object[eq.size()];
                for (int i = 0; i < prefix.length; i++) {
                    prefix[i] = eq.get(i).eval(ctx);
                    if (prefix[i] == null) return;
                }
                Key lowKey, highKey;
                boolean lowInc = true, highInc = true;
                if (low != null) {
                    Object v = low.eval(ctx);
                    if (v == null) return;
                    lowKey = new Key(append(prefix, v));
                    lowInc = lowInclusive;
                } else {
                    lowKey = prefix.length == 0 ? null : new Key(prefix);
                }
                if (high != null) {
                    Object v = high.eval(ctx);
                    if (v == null) return;
                    highKey = new Key(append(prefix, v));
                    highInc = highInclusive;
                } else {
                    highKey = prefix.length == 0 ? null : new Key(prefix);
                }
                // A range over a column that may be NULL must not start at the NULLs, which sort first.
                if (lowKey == null && high != null) {
                    lowKey = new Key(append(prefix, NULL_FLOOR));
                    lowInc = false;
                }
                Set<Long> seen = new HashSet<>();
                index.index().range(lowKey, lowInc, highKey, highInc, false, id -> { if (seen.add(id)) out.accept(id); });
            }
        }
    }

    private static final Object NO_MATCH = new Object();
    /** A bound just above NULL: excludes NULL keys from an open-ended low bound. */
    private static final Object NULL_FLOOR = null;

    private static Object[] append(Object[] prefix, Object v) {
        Object[] k = java.util.Arrays.copyOf(prefix, prefix.length + 1);
        k[prefix.length] = v;
        return k;
    }

    /** The value as the column stores it, or NO_MATCH when no stored value can equal it. */
    private static Object exact(Table t, int column, Object v) {
        if (v == null) return NO_MATCH;
        SqlType type = t.columns().get(column).type();
        try {
            Object c = type.coerce(v, t.columnLabel(column));
            return Values.compare(c, v) == 0 ? c : NO_MATCH;
        } catch (HourglassException e) {
            if (e.code() == io.hourglass.engine.ErrorCode.TYPE_MISMATCH) throw e;
            return NO_MATCH; // out of range or too long: cannot be stored, so cannot match
        }
    }

    String describe(Table t) {
        return switch (kind) {
            case FULL_SCAN -> "FULL SCAN " + t.qualifiedName();
            case INDEX_EQ -> (index.kind() == IndexDef.Kind.HASH ? "HASH" : "RANGE") + " INDEX LOOKUP " + index.qualifiedName()
                    + " ON " + t.qualifiedName();
            case INDEX_RANGE -> "RANGE INDEX SCAN " + index.qualifiedName() + " ON " + t.qualifiedName()
                    + " (" + eq.size() + " equal" + (low != null ? ", low bound" : "") + (high != null ? ", high bound" : "") + ")";
            case INDEX_IN -> "INDEX IN-LIST LOOKUP " + index.qualifiedName() + " ON " + t.qualifiedName() + " (" + inList.size() + " keys)";
            case TEMP_HASH -> {
                StringBuilder sb = new StringBuilder("TEMPORARY HASH INDEX LOOKUP ON ").append(t.qualifiedName()).append(" (");
                for (int i = 0; i < build.size(); i++) {
                    sb.append(i > 0 ? " AND " : "").append(build.get(i).text()).append(" = ").append(probe.get(i).text());
                }
                yield sb.append(")").toString();
            }
        };
    }
}
