package io.hourglass.engine.store;

import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;

/** Range index (TimesTen's default index kind): ordered, answers equality, prefix and ranges. */
public final class RangeIndex implements Index {
    // Replaced only by fill(), before anyone reads the index (recovery).
    private volatile ConcurrentSkipListMap<Key, Object> map = new ConcurrentSkipListMap<>();
    /**
     * Distinct keys, kept as keys come and go: the skip list's own size() walks every node, too
     * slow for the planner, which asks at every join it orders. (The map may call a remapping
     * function more than once under contention; only its last call's outcome is applied and counted.)
     */
    private final java.util.concurrent.atomic.LongAdder keys = new java.util.concurrent.atomic.LongAdder();

    /**
     * The changes of one key's posting are serialised on one of these (by the key's hash), so that
     * {@link #removeUnless} asks and removes as one step against inserts of the same key: the
     * skip list's own compute is a compare-and-set that an insert finding its row id already
     * there (and so changing nothing) would not disturb. Readers take none.
     */
    private final Object[] stripes = new Object[64];

    {
        for (int i = 0; i < stripes.length; i++) stripes[i] = new Object();
    }

    private Object stripe(Key key) { return stripes[key.hashCode() & (stripes.length - 1)]; }

    @Override
    public void insert(Key key, long rowId) {
        boolean[] fresh = {false};
        synchronized (stripe(key)) {
            map.compute(key, (k, v) -> {
                fresh[0] = v == null;
                return Index.addPosting(v, rowId);
            });
        }
        if (fresh[0]) keys.increment();
    }

    @Override
    public void remove(Key key, long rowId) { removeUnless(key, rowId, () -> false); }

    @Override
    public void removeUnless(Key key, long rowId, java.util.function.BooleanSupplier kept) {
        boolean[] gone = {false};
        synchronized (stripe(key)) {
            if (kept.getAsBoolean()) return;
            map.computeIfPresent(key, (k, v) -> {
                Object left = Index.removePosting(v, rowId);
                gone[0] = left == null;
                return left;
            });
        }
        if (gone[0]) keys.decrement();
    }

    @Override
    public void lookup(Key key, LongConsumer out) { Index.emit(map.get(key), out); }

    /** The posting kept for {@code key}: null, a Long, a long[] or a set (for tests). */
    Object posting(Key key) { return map.get(key); }

    /**
     * Sorted entries make the skip list in one pass: ConcurrentSkipListMap's copy of a sorted map
     * links its nodes in order, without a search per key. At a million random keys that is
     * seconds less than inserting them one by one (each insert a walk through a cold list).
     * Not empty, or not sorted: one insert each.
     */
    @Override
    public void fill(Key[] keys, long[] rowIds, int n) {
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) sorted = keys[i - 1].compareTo(keys[i]) <= 0;
        if (!sorted || !map.isEmpty()) {
            insertNew(keys, rowIds, n);
            return;
        }
        map = new ConcurrentSkipListMap<>(new SortedRun(keys, rowIds, n));
        this.keys.add(map.size());
    }

    @Override
    public long keyCount() { return Math.max(0, keys.sum()); }

    @Override
    public void scanAll(LongConsumer out) { map.values().forEach(v -> Index.emit(v, out)); }

    @Override
    public boolean ordered() { return true; }

    /**
     * Sorted keys seen as a sorted map, equal keys folded into one posting: only what the skip
     * list's copy constructor reads (its comparator and its entries in order).
     */
    private static final class SortedRun extends java.util.AbstractMap<Key, Object> implements java.util.SortedMap<Key, Object> {
        private final Key[] keys;
        private final long[] rowIds;
        private final int n;

        SortedRun(Key[] keys, long[] rowIds, int n) {
            this.keys = keys;
            this.rowIds = rowIds;
            this.n = n;
        }

        /** The end of the run of keys equal to {@code keys[from]}. */
        private int runEnd(int from) {
            int i = from + 1;
            while (i < n && keys[i].compareTo(keys[from]) == 0) i++;
            return i;
        }

        @Override
        public java.util.Comparator<? super Key> comparator() { return null; } // the keys' own order, as the index's map

        @Override
        public java.util.Set<Entry<Key, Object>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public int size() {
                    int distinct = 0;
                    for (int i = 0; i < n; i = runEnd(i)) distinct++;
                    return distinct;
                }

                @Override
                public java.util.Iterator<Entry<Key, Object>> iterator() {
                    return new java.util.Iterator<>() {
                        int i;

                        @Override
                        public boolean hasNext() { return i < n; }

                        @Override
                        public Entry<Key, Object> next() {
                            if (i >= n) throw new java.util.NoSuchElementException();
                            int from = i;
                            i = runEnd(from);
                            return new SimpleImmutableEntry<>(keys[from], Index.postingOf(rowIds, from, i));
                        }
                    };
                }
            };
        }

        @Override
        public java.util.SortedMap<Key, Object> subMap(Key from, Key to) { throw new UnsupportedOperationException(); }

        @Override
        public java.util.SortedMap<Key, Object> headMap(Key to) { throw new UnsupportedOperationException(); }

        @Override
        public java.util.SortedMap<Key, Object> tailMap(Key from) { throw new UnsupportedOperationException(); }

        @Override
        public Key firstKey() { throw new UnsupportedOperationException(); }

        @Override
        public Key lastKey() { throw new UnsupportedOperationException(); }
    }

    @Override
    public void range(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, LongConsumer out) {
        NavigableMap<Key, Object> m = view(low, lowInclusive, high, highInclusive, descending);
        if (m != null) m.values().forEach(v -> Index.emit(v, out));
    }

    @Override
    public boolean rangeEntries(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, EntryVisitor visit) {
        NavigableMap<Key, Object> m = view(low, lowInclusive, high, highInclusive, descending);
        if (m == null) return true;
        java.util.List<Long> ids = new java.util.ArrayList<>();
        for (java.util.Map.Entry<Key, Object> e : m.entrySet()) {
            if (e.getValue() instanceof Long id) {
                if (!visit.visit(e.getKey(), id)) return false;
                continue;
            }
            ids.clear(); // (a key many rows share: its row ids as they are now, then visited)
            Index.emit(e.getValue(), ids::add);
            for (long id : ids) if (!visit.visit(e.getKey(), id)) return false;
        }
        return true;
    }

    /** The entries from {@code low} to {@code high} in the order asked; null for an empty range. */
    private NavigableMap<Key, Object> view(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending) {
        // An empty range (x BETWEEN 3 AND 1): the map's views refuse bounds that cross. (Bounds that
        // compare equal are not empty: a key's prefix compares equal to the keys it begins.)
        if (low != null && high != null && low.compareTo(high) > 0) return null;
        NavigableMap<Key, Object> m = map;
        if (low != null) m = m.tailMap(low, lowInclusive);
        // (a descending walk starts at its high bound: past every key an inclusive prefix bound equals)
        if (high != null) m = m.headMap(descending && highInclusive ? Key.upTo(high) : high, highInclusive);
        return descending ? m.descendingMap() : m;
    }
}
