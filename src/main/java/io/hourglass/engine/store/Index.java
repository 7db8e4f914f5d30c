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

    /** Number of entries (statistics and PermSize accounting). */
    long keyCount();

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

    /** Adds a row id to the posting value (a Long or a long[]), returning the new value. */
    static Object addPosting(Object current, long rowId) {
        if (current == null) return rowId;
        if (current instanceof Long l) return l == rowId ? l : new long[] {l, rowId};
        long[] a = (long[]) current;
        for (long x : a) if (x == rowId) return a;
        long[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = rowId;
        return b;
    }

    /** Removes a row id from the posting value; null when it becomes empty. */
    static Object removePosting(Object current, long rowId) {
        if (current == null) return null;
        if (current instanceof Long l) return l == rowId ? null : l;
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
        if (posting == null) return;
        if (posting instanceof Long l) {
            out.accept(l);
        } else {
            for (long x : (long[]) posting) out.accept(x);
        }
    }
}
