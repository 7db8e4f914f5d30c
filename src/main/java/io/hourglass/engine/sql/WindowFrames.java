package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.TempSpace;

import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.List;

/**
 * The values of a window function with an explicit frame, Oracle's windowing clause:
 * {@code ROWS | RANGE BETWEEN start AND end} for the aggregates (COUNT SUM AVG MIN MAX),
 * FIRST_VALUE and LAST_VALUE.
 *
 * <p>Each row's frame is a run [lo, hi] of its partition in the window's order. ROWS counts
 * rows from the current one. RANGE compares ORDER BY keys: CURRENT ROW is the current row's
 * first or last peer, {@code n PRECEDING} / {@code n FOLLOWING} the first or last row whose
 * key lies within n of the current row's, in the direction of the order (a DESC order's
 * PRECEDING rows have larger keys); a row whose key is NULL has its peers (the other NULL
 * rows) as those bounds, and sorts where the order puts NULLs for the others. A frame whose end
 * comes before its start is empty: COUNT is 0 over it, the others NULL.
 *
 * <p>The aggregates are answered from a segment tree over the partition's arguments: built in
 * O(n), each frame in O(log n), whatever the frames' sizes and however they move (a sliding
 * MIN or a frame that shrinks from the start cannot be kept as a running value). SUM and AVG
 * add exactly on integers and decimals; a BINARY_DOUBLE sum adds in the tree's order.
 */
final class WindowFrames {
    /** TempSize per row of a partition while its tree exists: two slots of 8 bytes at each of its 2n nodes. */
    private static final long TREE_BYTES_PER_ROW = 32;

    private final Expr.Window w;
    private final Comparator<Object[]> byKey;
    private final Object startOffset, endOffset;

    /** The window's frame, its offsets evaluated (they are constants: {@link #check}). */
    WindowFrames(Expr.Window w, Comparator<Object[]> byKey, Expr.Ctx ctx) {
        this.w = w;
        this.byKey = byKey;
        this.startOffset = offset(w.frame.start(), ctx);
        this.endOffset = offset(w.frame.end(), ctx);
    }

    /**
     * Planning's checks, once the window is bound: a frame's offsets are constants (literals,
     * parameters and expressions of them), and a RANGE frame with an offset has one ORDER BY
     * key, of a numeric or datetime type, that the offset can be added to.
     */
    static void check(Expr.Window w) {
        for (Expr.Bound b : List.of(w.frame.start(), w.frame.end())) {
            if (b.offset() == null) continue;
            Executor.walk(b.offset(), x -> {
                if (x instanceof Expr.ColumnRef || x instanceof Expr.GroupRef || x instanceof Expr.Subquery || x instanceof Expr.Aggregate
                        || x instanceof Expr.Window || x instanceof Expr.SequenceRef || x instanceof Expr.RowNum) {
                    throw ErrorCode.SEMANTIC_ERROR.error("a window frame's offset must be a constant or a parameter: " + b.text());
                }
            });
            if (w.frame.rows()) continue;
            if (w.order.size() != 1) {
                throw ErrorCode.SEMANTIC_ERROR.error("a RANGE frame with an offset (" + b.text() + ") needs exactly one ORDER BY expression: " + w.text());
            }
            Expr key = w.order.get(0);
            if (key.type != null && !rangeKey(key.type.kind())) {
                throw ErrorCode.TYPE_MISMATCH.error("a RANGE frame with an offset needs a numeric or datetime ORDER BY expression, not "
                        + key.type.kind() + ": " + w.text());
            }
        }
    }

    private static boolean rangeKey(TypeKind k) {
        return switch (k) {
            case TINYINT, SMALLINT, INTEGER, BIGINT, NUMBER, DOUBLE, DATE, TIMESTAMP -> true;
            default -> false;
        };
    }

    /** ROWS: a non-negative whole number of rows (capped, a frame never reaches further than a partition); RANGE: a non-negative number. */
    private Object offset(Expr.Bound b, Expr.Ctx ctx) {
        if (b.offset() == null) return null;
        Object v = b.offset().eval(ctx);
        if (w.frame.rows()) {
            if (v != null && Values.isNumber(v) && Values.compare(v, (long) Integer.MAX_VALUE) > 0) return (long) Integer.MAX_VALUE;
            return Executor.nonNegative(v, "a ROWS frame's offset");
        }
        if (v == null || !Values.isNumber(v) || Values.compare(v, 0L) < 0) {
            throw ErrorCode.SEMANTIC_ERROR.error("a RANGE frame's offset must be a non-negative number, got " + Values.describe(v));
        }
        return v;
    }

    /**
     * One partition's values: {@code part} holds its rows (indexes into {@code orderKeys},
     * {@code args} and {@code values}) in the window's order.
     */
    void over(List<Integer> part, Object[][] orderKeys, Object[] args, Object[][] values, TempSpace.Budget temp) {
        int n = part.size(), slot = w.slot;
        Tree tree = null;
        int[][] nonNull = w.agg == null && w.ignoreNulls ? nonNull(part, args) : null;
        long charged = 0;
        if (w.agg != null) {
            charged = TREE_BYTES_PER_ROW * n;
            temp.charge(charged);
            tree = new Tree(w.agg, part, args);
        }
        try {
            for (int k = 0; k < n; k++) {
                int lo = bound(w.frame.start(), startOffset, true, k, part, orderKeys);
                int hi = bound(w.frame.end(), endOffset, false, k, part, orderKeys);
                Object v;
                v = tree != null ? tree.query(lo, hi) : valueIn(w, part, args, nonNull, lo, hi);
                values[part.get(k)][slot] = v;
            }
        } finally {
            temp.release(charged);
        }
    }

    /**
     * FIRST_VALUE or LAST_VALUE over rows lo to hi of the partition: the first or last row's
     * value, or with IGNORE NULLS ({@code nonNull} from {@link #nonNull}) the first or last that
     * is not NULL; NULL for an empty frame or one of NULLs only.
     */
    static Object valueIn(Expr.Window w, List<Integer> part, Object[] args, int[][] nonNull, int lo, int hi) {
        if (lo > hi) return null;
        boolean first = w.name.equals("FIRST_VALUE");
        if (nonNull == null) return args[part.get(first ? lo : hi)];
        int at = first ? nonNull[0][lo] : nonNull[1][hi];
        return at >= lo && at <= hi ? args[part.get(at)] : null;
    }

    /**
     * For each row k of a partition, the first row at or after it whose value is not NULL ([0],
     * n if none) and the last at or before it ([1], -1 if none): IGNORE NULLS in O(1) a frame.
     */
    static int[][] nonNull(List<Integer> part, Object[] args) {
        int n = part.size();
        int[] next = new int[n], prev = new int[n];
        for (int k = n - 1, at = n; k >= 0; k--) {
            if (args[part.get(k)] != null) at = k;
            next[k] = at;
        }
        for (int k = 0, at = -1; k < n; k++) {
            if (args[part.get(k)] != null) at = k;
            prev[k] = at;
        }
        return new int[][] {next, prev};
    }

    /**
     * Where bound {@code b} puts the current row {@code k}'s frame: its first row for a start,
     * its last for an end: a start in [0, n], an end in [-1, n - 1] (n and -1 when the frame
     * is past the partition's end or before its start).
     */
    private int bound(Expr.Bound b, Object offset, boolean start, int k, List<Integer> part, Object[][] orderKeys) {
        int n = part.size();
        switch (b.kind()) {
            case UNBOUNDED_PRECEDING -> { return 0; }
            case UNBOUNDED_FOLLOWING -> { return n - 1; }
            default -> { }
        }
        if (w.frame.rows()) {
            long off = offset == null ? 0 : (Long) offset;
            long at = b.kind() == Expr.BoundKind.PRECEDING ? k - off : k + off;
            return (int) (start ? Math.max(0, Math.min(n, at)) : Math.max(-1, Math.min(n - 1, at)));
        }
        Object[] key = orderKeys[part.get(k)];
        Object[] target = key;
        if (offset != null && key[0] != null) {
            // PRECEDING lies before in the window's order: smaller keys ascending, larger descending
            boolean minus = (b.kind() == Expr.BoundKind.PRECEDING) != w.descending.get(0);
            Object t = shift(key[0], offset, minus, w.order.get(0).type.kind() == TypeKind.DATE);
            if (t == null) {
                // past every date on that side: before the first non-NULL key or after the last
                return start ? (minus ? first(part, orderKeys) : last(part, orderKeys) + 1) : (minus ? first(part, orderKeys) - 1 : last(part, orderKeys));
            }
            target = new Object[] {t};
        }
        // the first row at or after the target in the window's order, or the last at or before it
        int lo = 0, hi = n; // binary search over the sorted partition: rows [0, lo) compare below
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = byKey.compare(orderKeys[part.get(mid)], target);
            if (start ? c < 0 : c <= 0) lo = mid + 1;
            else hi = mid;
        }
        return start ? lo : lo - 1;
    }

    /**
     * {@code key} minus or plus {@code offset}: null when a datetime would leave the years 1 to
     * 9999 (then the bound lies beyond every key on that side, and NULL keys sort where the
     * order puts them, as they do for any other bound). A DATE key's bound is a DATE, to the
     * nearest second, as {@code key - offset} computes it anywhere else.
     */
    private static Object shift(Object key, Object offset, boolean minus, boolean date) {
        if (!(key instanceof LocalDateTime) && !Values.isNumber(key)) {
            throw ErrorCode.TYPE_MISMATCH.error("a RANGE frame with an offset needs a numeric or datetime ORDER BY key, got " + Values.describe(key));
        }
        try {
            Object t = minus ? Values.subtract(key, offset) : Values.add(key, offset);
            return date && t instanceof LocalDateTime d ? Values.toNearestSecond(d) : t;
        } catch (HourglassException e) {
            if (key instanceof LocalDateTime) return null;
            throw e;
        }
    }

    /** The first row whose key is not NULL (NULLs sort at one end, first or last). */
    private static int first(List<Integer> part, Object[][] orderKeys) {
        int i = 0;
        while (i < part.size() && orderKeys[part.get(i)][0] == null) i++;
        return i;
    }

    /** The last row whose key is not NULL. */
    private static int last(List<Integer> part, Object[][] orderKeys) {
        int i = part.size() - 1;
        while (i >= 0 && orderKeys[part.get(i)][0] == null) i--;
        return i;
    }

    /**
     * A segment tree of an aggregate over a partition: leaf i holds row i's argument (its
     * value and whether it counts: not NULL, or any row for COUNT(*)), each inner node the
     * aggregate of its two children.
     */
    private static final class Tree {
        private final Expr.Aggregate agg;
        private final int n;
        private final Object[] value;
        private final long[] count;

        Tree(Expr.Aggregate agg, List<Integer> part, Object[] args) {
            this.agg = agg;
            this.n = part.size();
            this.value = new Object[2 * n];
            this.count = new long[2 * n];
            boolean numeric = agg.name.equals("SUM") || agg.name.equals("AVG"), moments = Moments.NAMES.contains(agg.name);
            for (int i = 0; i < n; i++) {
                Object v = agg.arg == null ? Boolean.TRUE : args[part.get(i)];
                if (v == null) continue;
                value[n + i] = moments ? Moments.of(Executor.QueryPlan.numeric(v, agg)) : numeric ? Executor.QueryPlan.numeric(v, agg) : v;
                count[n + i] = 1;
            }
            for (int i = n - 1; i >= 1; i--) {
                value[i] = merge(value[2 * i], value[2 * i + 1]);
                count[i] = count[2 * i] + count[2 * i + 1];
            }
        }

        private Object merge(Object a, Object b) {
            if (a == null) return b;
            if (b == null) return a;
            return switch (agg.name) {
                case "SUM", "AVG" -> Values.add(a, b);
                case "MIN" -> Values.compare(a, b) <= 0 ? a : b;
                case "MAX" -> Values.compare(a, b) >= 0 ? a : b;
                case String m when Moments.NAMES.contains(m) -> ((Moments) a).plus((Moments) b);
                default -> null; // COUNT: the counts only
            };
        }

        /** The aggregate over rows lo to hi: COUNT 0 and the others NULL when none counts. */
        Object query(int lo, int hi) {
            lo = Math.max(lo, 0);
            hi = Math.min(hi, n - 1);
            Object v = null;
            long c = 0;
            if (lo <= hi) {
                for (int l = lo + n, r = hi + n + 1; l < r; l >>= 1, r >>= 1) {
                    if ((l & 1) == 1) {
                        v = merge(v, value[l]);
                        c += count[l++];
                    }
                    if ((r & 1) == 1) {
                        v = merge(v, value[--r]);
                        c += count[r];
                    }
                }
            }
            return switch (agg.name) {
                case "COUNT" -> c;
                case "AVG" -> c == 0 ? null : Values.divide(v, c);
                case String m when Moments.NAMES.contains(m) -> Moments.result((Moments) v, agg.name);
                default -> c == 0 ? null : v;
            };
        }
    }
}
