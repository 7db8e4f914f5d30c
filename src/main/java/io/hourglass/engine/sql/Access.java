package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.TempSpace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * How one FROM source is read: a full scan, or an index lookup, prefix, range or IN-list probe,
 * or a semi-join probe with the keys a subquery gives, or the rows a ROWID names. Chosen by {@link #choose} from the
 * conjuncts of WHERE/ON whose other side is known when the source is read (constants,
 * parameters, columns of earlier sources, an uncorrelated subquery's rows).
 */
final class Access {
    enum Kind { FULL_SCAN, INDEX_EQ, INDEX_RANGE, INDEX_IN, TEMP_HASH, INDEX_SEMI, ROWID_EQ, ROWID_IN }

    final Kind kind;
    final IndexDef index;
    final List<Expr> eq;            // values for the leading index columns
    final Expr low, high;           // bound on the next column (range)
    final boolean lowInclusive, highInclusive;
    final List<Expr> inList;
    /** TEMP_HASH: the sides of the join's equalities computed from this source's row, and those from earlier sources. */
    final List<Expr> build, probe;
    /** INDEX_SEMI: where the keys for the index's leading columns come from. */
    final Semi semi;

    /**
     * The keys of a semi-join probe: the rows of {@code sub} (an uncorrelated {@code col IN
     * (subquery)} or {@code (a, b) IN (subquery)}), or, for a correlated {@code EXISTS}, of {@code
     * keys}, the subquery's sources and own conditions selecting the values its equalities
     * compare with this source's columns (the conditions reading the enclosing row left out: a
     * superset of the rows that can match, which the EXISTS itself then checks). {@code prefix}
     * columns of the index are keyed, its column {@code i} by column {@code from[i]} of a key row
     * ({@code from} null: by column {@code i}).
     */
    record Semi(Expr.Subquery sub, Executor.QueryPlan keys, int prefix, int[] from) {}

    private Access(Kind kind, IndexDef index, List<Expr> eq, Expr low, boolean lowInc, Expr high, boolean highInc, List<Expr> inList) {
        this(kind, index, eq, low, lowInc, high, highInc, inList, null, null, null);
    }

    private Access(Kind kind, IndexDef index, List<Expr> eq, Expr low, boolean lowInc, Expr high, boolean highInc, List<Expr> inList,
                   List<Expr> build, List<Expr> probe, Semi semi) {
        this.semi = semi;
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

    /**
     * A single source read in the order of a range index, which is ORDER BY's: the access ({@code
     * access}, a FULL_SCAN or an INDEX_RANGE) walks {@code index}'s entries in key order, backwards
     * if {@code descending}, and the query stops at its limit instead of sorting.
     */
    record IndexOrder(Access access, IndexDef index, boolean descending) {
        /** EXPLAIN's line: the index walked, and {@code why}. */
        String describe(Table t, String why) {
            String how = " IN ORDER" + (descending ? ", DESCENDING" : "") + " " + why;
            return access.kind == Kind.FULL_SCAN ? "RANGE INDEX SCAN " + index.qualifiedName() + " ON " + t.qualifiedName() + " (whole index)" + how
                    : access.describe(t) + how;
        }
    }

    /**
     * The range index whose order is ORDER BY's for a source read by {@code a} (a query's one
     * source, or the first a join reads), or null. The
     * sort keys must be the index's columns after those {@code a} fixes by equality (which may
     * come anywhere in ORDER BY: they are one value), in its order, all ascending or all
     * descending; once they (and those fixed) cover a unique index of NOT NULL columns, later keys
     * never break a tie (see {@link #orderOf}). A column that may be NULL must have its NULLs where the index has
     * them (first, ascending: ASC NULLS FIRST or DESC NULLS LAST), which Oracle's defaults are
     * not. Only a FULL_SCAN (any range index) or an INDEX_RANGE (its own index) is read so.
     */
    static IndexOrder order(Table t, Access a, List<Expr> sortKeys, List<Boolean> desc, List<Boolean> nullsFirst, boolean join) {
        if (sortKeys.isEmpty()) return null;
        if (a.kind == Kind.INDEX_RANGE) return orderOf(t, a, a.index, a.eq.size(), sortKeys, desc, nullsFirst, join);
        if (a.kind != Kind.FULL_SCAN) return null;
        for (IndexDef ix : t.indexes()) {
            if (ix.kind() != IndexDef.Kind.RANGE) continue;
            IndexOrder o = orderOf(t, a, ix, 0, sortKeys, desc, nullsFirst, join);
            if (o != null) return o;
        }
        return null;
    }

    /**
     * {@link #order} by index {@code ix}, whose first {@code fixed} columns {@code a} fixes. Up to
     * a unique index every key is a column of the source; after it, in a query of one table, any
     * key (no two rows tie before it), and in a join ({@code join}) a column of the first table
     * (its row repeats for each of its matches, which a key of another table would order).
     */
    private static IndexOrder orderOf(Table t, Access a, IndexDef ix, int fixed, List<Expr> sortKeys, List<Boolean> desc,
                                      List<Boolean> nullsFirst, boolean join) {
        int[] cols = ix.columns();
        int next = fixed;
        Boolean descending = null;
        for (int k = 0; k < sortKeys.size(); k++) {
            // No two rows tie on the keys so far: what follows orders nothing (in a join, whose
            // first table's row repeats for each of its matches, only if it is of that row too)
            if (totalOrder(t, cols, next) && (!join || sortKeys.subList(k, sortKeys.size()).stream().allMatch(e -> isCol(e, 0)))) break;
            if (!isCol(sortKeys.get(k), 0)) return null;
            int c = ((Expr.ColumnRef) sortKeys.get(k)).index;
            if (c >= t.columns().size()) return null; // (ROWID)
            boolean isFixed = false;
            for (int i = 0; i < fixed; i++) isFixed |= cols[i] == c;
            if (isFixed) continue;
            if (next == cols.length || cols[next] != c) return null;
            boolean d = desc.get(k);
            if (descending != null && descending != d) return null;
            descending = d;
            Boolean nf = nullsFirst.get(k);
            if (!t.columns().get(c).notNull() && (nf != null ? nf : d) == d) return null; // NULLs not where the index has them
            next++;
        }
        return new IndexOrder(a, ix, descending != null && descending);
    }

    /**
     * Whether the first {@code n} of {@code cols} (fixed by equality, or sorted on) include every
     * column of a unique index of NOT NULL columns: no two rows then tie on them.
     */
    private static boolean totalOrder(Table t, int[] cols, int n) {
        next:
        for (IndexDef u : t.indexes()) {
            if (!u.unique()) continue;
            for (int c : u.columns()) {
                boolean in = false;
                for (int i = 0; i < n; i++) in |= cols[i] == c;
                if (!in || !t.columns().get(c).notNull()) continue next;
            }
            return true;
        }
        return false;
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
        List<SemiSource> semis = new ArrayList<>();
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
            } else if (c instanceof Expr.Subquery sq && sq.plan != null && !sq.negated) {
                if ((sq.kind == Expr.Subquery.Kind.IN || sq.kind == Expr.Subquery.Kind.ANY && sq.op.equals("=")) && !sq.correlated) {
                    // col IN (subquery), or (a, b, ...) IN (subquery) by those of a, b, ... that are this source's columns
                    List<Expr> args = sq.arg instanceof Expr.Row r ? r.items : List.of(sq.arg);
                    Map<Integer, Expr> values = new HashMap<>();
                    for (int j = 0; j < args.size(); j++) {
                        if (isCol(args.get(j), level)) values.putIfAbsent(((Expr.ColumnRef) args.get(j)).index, sq.plan.outputs.get(j));
                    }
                    if (!values.isEmpty()) semis.add(new SemiSource(sq, values));
                } else if (sq.kind == Expr.Subquery.Kind.EXISTS && sq.correlated) {
                    Map<Integer, Expr> pairs = Executor.semiJoinPairs(sq.plan, level);
                    if (!pairs.isEmpty()) semis.add(new SemiSource(sq, pairs));
                }
            }
        }
        // ROWID = x, ROWID IN (...): the rows are where their ROWIDs say, no index needed
        int rowIdColumn = t.columns().size();
        if (eq.containsKey(rowIdColumn)) return new Access(Kind.ROWID_EQ, null, List.of(eq.get(rowIdColumn)), null, false, null, false, null);
        if (in.containsKey(rowIdColumn)) return new Access(Kind.ROWID_IN, null, List.of(), null, false, null, false, in.get(rowIdColumn));
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
            } else if ((a = semiJoin(ix, semis)) != null) {
                // Below an equality with a known value, above a lone bound: the subquery's rows are
                // taken to be fewer than the table's, and if they are not, it reads the table instead.
                score = a.semi.prefix() == cols.length ? 9 : a.semi.prefix();
            } else {
                continue;
            }
            if (score > bestScore) {
                bestScore = score;
                best = a;
            }
        }
        if (best == FULL || best.kind == Kind.INDEX_SEMI) {
            // (A semi-join probes with all its keys each time the source is read; a temporary
            // index finds the rows for this read's values at once, so it wins when it can be made.)
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
                return new Access(Kind.TEMP_HASH, null, List.of(), null, false, null, false, null, List.copyOf(build), List.copyOf(probe), null);
            }
        }
        return best.kind == Kind.INDEX_SEMI ? best.withKeys(semis) : best;
    }

    /** A subquery a semi-join probe may take its keys from, and its values for this source's columns (by column). */
    private record SemiSource(Expr.Subquery sub, Map<Integer, Expr> values) {}

    /**
     * The semi-join probe of {@code ix} keying the most of its leading columns from one of
     * {@code semis} (its EXISTS key query not made yet: {@link #withKeys}), or null if none keys
     * its first column.
     */
    private static Access semiJoin(IndexDef ix, List<SemiSource> semis) {
        int[] cols = ix.columns();
        SemiSource best = null;
        int bestK = 0;
        for (SemiSource s : semis) {
            int k = 0;
            while (k < cols.length && s.values().containsKey(cols[k])) k++;
            if (k > bestK && (k == cols.length || ix.kind() == IndexDef.Kind.RANGE)) {
                best = s;
                bestK = k;
            }
        }
        if (best == null) return null;
        int[] from = null;
        if (best.sub().kind != Expr.Subquery.Kind.EXISTS) {
            from = new int[bestK];
            for (int i = 0; i < bestK; i++) from[i] = best.sub().plan.outputs.indexOf(best.values().get(cols[i]));
        }
        return new Access(Kind.INDEX_SEMI, ix, List.of(), null, false, null, false, null, null, null, new Semi(best.sub(), null, bestK, from));
    }

    /**
     * The chosen semi-join with its key query, for an EXISTS (made only for the index chosen:
     * planning it chooses access paths of its own).
     */
    private Access withKeys(List<SemiSource> semis) {
        if (semi.sub().kind != Expr.Subquery.Kind.EXISTS) return this;
        SemiSource source = semis.stream().filter(x -> x.sub() == semi.sub()).findFirst().orElseThrow();
        List<Expr> values = new ArrayList<>();
        for (int i = 0; i < semi.prefix(); i++) values.add(source.values().get(index.columns()[i]));
        Semi keyed = new Semi(semi.sub(), Executor.semiJoinKeys(semi.sub().plan, values), semi.prefix(), null);
        return new Access(Kind.INDEX_SEMI, index, List.of(), null, false, null, false, null, null, null, keyed);
    }

    /**
     * Whether a probe key {@code e} is known when the source is read and changes from one read
     * to the next: it reads earlier sources, or (none) an enclosing query's row.
     */
    private static boolean varies(Expr e, long known) {
        return e.sources != 0 ? (e.sources & ~known) == 0 : Expr.correlated(e);
    }

    private static boolean isCol(Expr e, int level) { return e instanceof Expr.ColumnRef c && c.depth == 0 && c.source == level && c.index >= 0; }

    private static String flip(String op) {
        return switch (op) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> op;
        };
    }

    /**
     * Whether the source is read by a scan of the table this time: a full scan, or a semi-join
     * whose subquery gave as many keys as the table has row slots (probing would cost more), or
     * keys it could not give (an error in conditions that the scan may never evaluate, a key of
     * another type than its column's, more than TempSize holds).
     */
    boolean scans(Table t, Expr.Ctx ctx) {
        return kind == Kind.FULL_SCAN || kind == Kind.INDEX_SEMI && semiKeys(t, ctx) == SemiKeys.SCAN;
    }

    /** The distinct keys of a semi-join probe, as the index's columns store them; SCAN to read the table instead. */
    private record SemiKeys(List<Key> keys) {
        static final SemiKeys SCAN = new SemiKeys(List.of());
    }

    /** What an entry of the semi-join's key set costs besides its values, for TempSize. */
    private static final long SEMI_KEY_ENTRY = 80;

    /**
     * The semi-join's keys, made once per statement execution (the subquery reads no row of this
     * query). Reading stops, and the table is scanned instead, once there are as many keys or
     * subquery rows as the table has row slots.
     */
    private SemiKeys semiKeys(Table t, Expr.Ctx ctx) {
        return ctx.scope.memo(this, () -> {
            long slots = t.store().highWater();
            Set<Key> keys = new java.util.LinkedHashSet<>();
            TempSpace.Budget temp = ctx.scope.temp;
            long before = temp.built(), rowsCharged = 0;
            try {
                // (an IN subquery's rows are kept for the IN itself; the EXISTS' key rows only until the keys are made)
                List<Object[]> rows = semi.keys() == null ? semi.sub().keyRows(ctx) : ctx.scope.rows(semi.keys(), null, slots + 1);
                if (semi.keys() != null) rowsCharged = temp.built() - before;
                if (rows.size() > slots) {
                    temp.release(rowsCharged);
                    return SemiKeys.SCAN;
                }
                int[] cols = index.columns();
                next:
                for (Object[] row : rows) {
                    Object[] k = new Object[semi.prefix()];
                    for (int i = 0; i < k.length; i++) {
                        k[i] = exact(t, cols[i], row[semi.from() == null ? i : semi.from()[i]]);
                        if (k[i] == NO_MATCH) continue next; // NULL, or a value the column cannot hold: matches no row
                    }
                    Key key = new Key(k);
                    if (keys.add(key)) temp.charge(SEMI_KEY_ENTRY + TempSpace.footprint(k));
                }
            } catch (HourglassException e) {
                if (e.code() == io.hourglass.engine.ErrorCode.QUERY_TIMEOUT || e.code() == io.hourglass.engine.ErrorCode.STATEMENT_CANCELLED) {
                    throw e;
                }
                temp.release(temp.built() - before);
                return SemiKeys.SCAN;
            }
            temp.release(rowsCharged);
            return new SemiKeys(List.copyOf(keys));
        });
    }

    /** Emits candidate row ids; the caller re-checks every predicate on the visible row. */
    void rowIds(Table t, Expr.Ctx ctx, LongConsumer out) {
        switch (kind) {
            case FULL_SCAN, TEMP_HASH -> throw new IllegalStateException(kind + " is read by the executor");
            case INDEX_SEMI -> {
                SemiKeys keys = semiKeys(t, ctx);
                if (keys == SemiKeys.SCAN) throw new IllegalStateException("a semi-join that scans is read by the executor");
                boolean whole = semi.prefix() == index.columns().length;
                // A hash index answers a key with every row whose key hashes alike (0 and -1 do), so
                // two keys may give one row: each row once, or it would be read (and changed) twice.
                Set<Long> seen = new HashSet<>();
                LongConsumer once = id -> { if (seen.add(id)) out.accept(id); };
                for (Key k : keys.keys()) {
                    ctx.tick();
                    if (whole) index.index().lookup(k, once);
                    else index.index().range(k, true, k, true, false, once);
                }
            }
            case ROWID_EQ -> rowId(t, eq.getFirst().eval(ctx), out);
            case ROWID_IN -> {
                Set<Long> seen = new HashSet<>();
                for (Expr e : inList) rowId(t, e.eval(ctx), id -> { if (seen.add(id)) out.accept(id); });
            }
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
                Bounds b = bounds(ctx);
                if (b == null) return;
                Set<Long> seen = new HashSet<>();
                index.index().range(b.low(), b.lowInc(), b.high(), b.highInc(), false, id -> { if (seen.add(id)) out.accept(id); });
            }
        }
    }

    /** An INDEX_RANGE's bounds as keys (null: open), for this execution. */
    private record Bounds(Key low, boolean lowInc, Key high, boolean highInc) {}

    /** The bounds of an INDEX_RANGE for the values {@code ctx} gives; null when a NULL value makes it match nothing. */
    private Bounds bounds(Expr.Ctx ctx) {
        Object[] prefix = new Object[eq.size()];
        for (int i = 0; i < prefix.length; i++) {
            prefix[i] = eq.get(i).eval(ctx);
            if (prefix[i] == null) return null;
        }
        Key lowKey = bound(low, prefix, ctx);
        if (lowKey == NO_KEY) return null;
        Key highKey = bound(high, prefix, ctx);
        if (highKey == NO_KEY) return null;
        boolean lowInc = low == null || lowInclusive, highInc = high == null || highInclusive;
        // A range over a column that may be NULL must not start at the NULLs, which sort first.
        if (lowKey == null && high != null) {
            lowKey = new Key(append(prefix, NULL_FLOOR));
            lowInc = false;
        }
        return new Bounds(lowKey, lowInc, highKey, highInc);
    }

    /** What {@link #bound} gives for a bound that is NULL: a range that matches nothing. */
    private static final Key NO_KEY = new Key(new Object[0]);

    /** A bound's key: the prefix and the bound's value; the prefix alone (null if empty) without a bound; NO_KEY for NULL. */
    private static Key bound(Expr bound, Object[] prefix, Expr.Ctx ctx) {
        if (bound == null) return prefix.length == 0 ? null : new Key(prefix);
        Object v = bound.eval(ctx);
        return v == null ? NO_KEY : new Key(append(prefix, v));
    }

    /**
     * The entries of range index {@code ix} this access reads, with their keys, in key order
     * (descending if asked), until the visitor stops: all of them for a FULL_SCAN, an
     * INDEX_RANGE's own (whose index {@code ix} is). Each entry is a hint, as {@link #rowIds}'s:
     * a row may have entries under keys of versions the reader does not see.
     */
    boolean entriesInOrder(Expr.Ctx ctx, IndexDef ix, boolean descending, io.hourglass.engine.store.Index.EntryVisitor visit) {
        if (kind == Kind.FULL_SCAN) return ix.index().rangeEntries(null, true, null, true, descending, visit);
        if (kind != Kind.INDEX_RANGE || ix != index) throw new IllegalStateException(kind + " is not read in an index's order");
        Bounds b = bounds(ctx);
        return b == null || index.index().rangeEntries(b.low(), b.lowInc(), b.high(), b.highInc(), descending, visit);
    }

    /**
     * The row of {@code t} the ROWID {@code v} names, if it is one of t's (NULL names none). A
     * place t has no row at is passed on: reading it finds no row, as reading a deleted row's.
     */
    private static void rowId(Table t, Object v, LongConsumer out) {
        long id = v == null ? -1 : io.hourglass.engine.catalog.RowIds.rowId(Expr.Binary.text(v), t.rowIdTag());
        if (id >= 0 && id >>> io.hourglass.engine.store.Block.SHIFT < Integer.MAX_VALUE) out.accept(id); // (a block number RowStore can hold)
    }

    private static final Object NO_MATCH = new Object();
    /** A bound just above NULL: excludes NULL keys from an open-ended low bound. */
    private static final Object NULL_FLOOR = null;

    private static Object[] append(Object[] prefix, Object v) {
        Object[] k = java.util.Arrays.copyOf(prefix, prefix.length + 1);
        k[prefix.length] = v;
        return k;
    }

    /** The value as the column stores it, or null when no stored value can equal it (of another type, too). */
    static Object storedOrNull(Table t, int column, Object v) {
        try {
            Object c = exact(t, column, v);
            return c == NO_MATCH ? null : c;
        } catch (HourglassException e) {
            return null;
        }
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
            case ROWID_EQ -> "ROWID LOOKUP ON " + t.qualifiedName();
            case ROWID_IN -> "ROWID IN-LIST LOOKUP ON " + t.qualifiedName() + " (" + inList.size() + " keys)";
            case INDEX_SEMI -> "SEMI-JOIN " + (index.kind() == IndexDef.Kind.HASH ? "HASH" : "RANGE") + " INDEX LOOKUP " + index.qualifiedName()
                    + " ON " + t.qualifiedName() + " (" + semi.prefix() + " of " + index.columns().length + " columns, keys from the "
                    + (semi.keys() == null ? "subquery" : "EXISTS subquery") + " at position " + (semi.sub().pos + 1) + ")";
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
