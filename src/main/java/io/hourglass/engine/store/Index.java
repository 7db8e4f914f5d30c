package io.hourglass.engine.store;

import java.util.function.LongConsumer;

/**
 * A secondary structure from key to row ids. Entries are hints: an index may hold entries for
 * versions a reader cannot see (uncommitted, or deleted but not yet collected), so every reader
 * re-checks the visible row. Thread-safe.
 */
public interface Index {
    void insert(Key key, long rowId);

    void remove(Key key, long rowId);

    /**
     * Removes the entry of {@code rowId} under {@code key} unless {@code kept} says the row still
     * carries the key, asked atomically with every other change of that key's entries: a writer
     * that puts a version carrying the key in the row's chain before it inserts the entry (as
     * every writer does) either is seen by {@code kept}, or inserts the entry after the removal.
     * (Asked first and removed after, a writer moving the row back to the key between the two
     * would find the entry still there, add nothing, and lose it to the removal.)
     */
    void removeUnless(Key key, long rowId, java.util.function.BooleanSupplier kept);

    /** Row ids whose key equals {@code key}. */
    void lookup(Key key, LongConsumer out);

    /**
     * A hint that about {@code keys} entries are coming (an index built over rows that exist):
     * an index that grows by copying may size itself once instead.
     */
    default void expect(long keys) {}

    /**
     * Adds the entries of rows that have none in this index yet: {@code keys[i]} for
     * {@code rowIds[i]}, {@code i < n}. For a build over existing rows (recovery), where each row
     * comes once; an index may then take a batch in one step instead of one insert each.
     */
    default void insertNew(Key[] keys, long[] rowIds, int n) {
        for (int i = 0; i < n; i++) insert(keys[i], rowIds[i]);
    }

    /**
     * Fills this index, empty, with the entries of existing rows: {@code keys[i]} for
     * {@code rowIds[i]}, {@code i < n}, each row once. For an ordered index the caller gives
     * them sorted by key (equal keys adjacent), and the index may then be built in one pass
     * instead of searched for each key.
     */
    default void fill(Key[] keys, long[] rowIds, int n) { insertNew(keys, rowIds, n); }

    /** Number of distinct keys (statistics). */
    long keyCount();

    /** Number of entries, one per (key, row) (PermSize accounting). */
    default long entryCount() {
        long[] n = {0};
        scanAll(id -> n[0]++);
        return n[0];
    }

    /**
     * Whether entries for keys {@code a} and {@code b} of one row are the same entry, so one must
     * not be removed while the row still carries the other.
     */
    default boolean sameEntry(Key a, Key b) { return a.equals(b); }

    /** Row ids for every entry, in key order for a range index. */
    void scanAll(LongConsumer out);

    /** Whether {@link #range} is supported. */
    boolean ordered();

    /**
     * Row ids with low <= key <= high (bounds may be prefixes; null means unbounded), in key
     * order, descending if asked.
     */
    void range(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, LongConsumer out);

    /** An entry of an ordered index: its key and one row id under it; false stops the walk. */
    @FunctionalInterface
    interface EntryVisitor {
        boolean visit(Key key, long rowId);
    }

    /**
     * {@link #range}'s entries with their keys, in key order (descending if asked), until the
     * visitor stops the walk: false then. For a reader that wants the rows in the index's order
     * and only the first few of them (ORDER BY ... FETCH FIRST n).
     */
    default boolean rangeEntries(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, EntryVisitor visit) {
        throw new UnsupportedOperationException("not an ordered index");
    }

    /**
     * Row ids a posting keeps in an array, copied on every change; past this, a key's posting is
     * a {@link RowIdSet}, changed in place, so that a key many rows share (an index on a status
     * column) costs each insert and delete O(1), not a copy of every row id with that key.
     */
    int ARRAY_POSTING_MAX = 32;

    /**
     * Adds a row id to the posting value (a Long, a long[] or, past {@link #ARRAY_POSTING_MAX},
     * a {@link RowIdSet}), returning the new value. A set is changed in place and returned as it
     * is, unless a delete emptied and sealed it: then a new posting replaces it.
     */
    static Object addPosting(Object current, long rowId) {
        if (current == null) return rowId;
        if (current instanceof Long l) return l == rowId ? l : new long[] {l, rowId};
        if (current instanceof RowIdSet set) return set.add(rowId) ? set : (Object) rowId;
        long[] a = (long[]) current;
        for (long x : a) if (x == rowId) return a;
        if (a.length >= ARRAY_POSTING_MAX) {
            RowIdSet set = new RowIdSet(a.length * 2);
            for (long x : a) set.add(x);
            set.add(rowId);
            return set;
        }
        long[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = rowId;
        return b;
    }

    /** Removes a row id from the posting value; null when it becomes empty. */
    static Object removePosting(Object current, long rowId) {
        if (current == null) return null;
        if (current instanceof Long l) return l == rowId ? null : l;
        if (current instanceof RowIdSet set) return set.removeAndSealIfEmpty(rowId) ? null : set;
        long[] a = (long[]) current;
        int at = -1;
        for (int i = 0; i < a.length; i++) if (a[i] == rowId) at = i;
        if (at < 0) return a;
        if (a.length == 2) return a[1 - at];
        long[] b = new long[a.length - 1];
        System.arraycopy(a, 0, b, 0, at);
        System.arraycopy(a, at + 1, b, at, a.length - at - 1);
        return b;
    }

    static void emit(Object posting, LongConsumer out) {
        switch (posting) {
            case null -> { }
            case Long l -> out.accept(l);
            case long[] a -> {
                for (long x : a) out.accept(x);
            }
            case RowIdSet set -> set.forEach(out);
            default -> throw new IllegalStateException("posting " + posting.getClass());
        }
    }

    /** The posting of row ids {@code ids[from..to)}, all different: as {@link #addPosting} would have made it. */
    static Object postingOf(long[] ids, int from, int to) {
        if (to - from == 1) return ids[from];
        if (to - from <= ARRAY_POSTING_MAX) return java.util.Arrays.copyOfRange(ids, from, to);
        RowIdSet set = new RowIdSet((to - from) * 2);
        for (int i = from; i < to; i++) set.add(ids[i]);
        return set;
    }
}
