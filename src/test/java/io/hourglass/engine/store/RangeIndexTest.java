package io.hourglass.engine.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The range index filled at once from sorted rows (recovery) behaves as one built insert by insert. */
class RangeIndexTest {
    private static Key k(long v) { return new Key(new Object[] {v}); }

    private static List<Long> scan(Index ix) {
        List<Long> out = new ArrayList<>();
        ix.scanAll(out::add);
        return out;
    }

    private static List<Long> lookup(Index ix, long key) {
        List<Long> out = new ArrayList<>();
        ix.lookup(k(key), out::add);
        return out;
    }

    private static List<Long> range(Index ix, Key low, boolean lowInclusive, Key high, boolean highInclusive) {
        List<Long> out = new ArrayList<>();
        ix.range(low, lowInclusive, high, highInclusive, false, out::add);
        return out;
    }

    /** Bounds that cross hold nothing; a prefix bound (equal to the keys it begins) holds those keys. */
    @Test
    void rangesWithCrossingOrPrefixBounds() {
        RangeIndex ix = new RangeIndex();
        for (long v = 0; v < 5; v++) ix.insert(k(v), v);
        assertEquals(List.of(), range(ix, k(3), true, k(1), true));
        assertEquals(List.of(), range(ix, k(2), false, k(2), true));
        assertEquals(List.of(2L), range(ix, k(2), true, k(2), true));
        RangeIndex pairs = new RangeIndex();
        pairs.insert(new Key(new Object[] {3L, 0L}), 30);
        pairs.insert(new Key(new Object[] {3L, 1L}), 31);
        pairs.insert(new Key(new Object[] {4L, 1L}), 41);
        // a = 3 AND b > 0: from (3, 0) exclusive to the prefix (3) inclusive
        assertEquals(List.of(31L), range(pairs, new Key(new Object[] {3L, 0L}), false, k(3), true));
        assertEquals(List.of(), range(pairs, new Key(new Object[] {4L, 0L}), false, k(3), true));
    }

    private static List<String> entries(Index ix, Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, int most) {
        List<String> out = new ArrayList<>();
        ix.rangeEntries(low, lowInclusive, high, highInclusive, descending, (key, id) -> {
            out.add(key + "=" + id);
            return out.size() < most;
        });
        return out;
    }

    /**
     * Entries with their keys, either way, stopping when asked. Walking down from an inclusive
     * prefix bound starts at the last key it begins, not the first (the skip list, asked for the
     * greatest key not above the prefix, would give the first of the keys equal to it).
     */
    @Test
    void entriesInOrderBothWaysFromPrefixBounds() {
        RangeIndex pairs = new RangeIndex();
        for (long a = 1; a <= 3; a++) for (long b = 1; b <= 3; b++) pairs.insert(new Key(new Object[] {a, b}), 10 * a + b);
        pairs.insert(new Key(new Object[] {2L, 3L}), 99); // a key two rows share
        assertEquals(List.of("[2, 3]=23", "[2, 3]=99", "[2, 2]=22", "[2, 1]=21"), entries(pairs, k(2), true, k(2), true, true, 10));
        assertEquals(List.of("[2, 1]=21", "[2, 2]=22", "[2, 3]=23", "[2, 3]=99"), entries(pairs, k(2), true, k(2), true, false, 10));
        assertEquals(List.of("[2, 3]=23", "[2, 3]=99"), entries(pairs, k(2), true, k(2), true, true, 2), "stops when the visitor says so");
        // a <= 2, downwards: from (2, 3); a < 2: from (1, 3); a > 2 upwards: from (3, 1)
        assertEquals(List.of("[2, 3]=23"), entries(pairs, null, true, k(2), true, true, 1));
        assertEquals(List.of("[1, 3]=13"), entries(pairs, null, true, k(2), false, true, 1));
        assertEquals(List.of("[3, 1]=31"), entries(pairs, k(2), false, null, true, false, 1));
        assertEquals(List.of("[3, 3]=33", "[3, 2]=32"), entries(pairs, null, true, null, true, true, 2));
        assertEquals(List.of(), entries(pairs, k(3), true, k(1), true, true, 5));
    }

    @Test
    void aFillFromSortedKeysEqualsInsertsOneByOne() {
        // 3,000 rows over 1,000 keys (a non-unique index): equal keys adjacent, in row-id order.
        int n = 3_000;
        Key[] keys = new Key[n];
        long[] ids = new long[n];
        RangeIndex oneByOne = new RangeIndex();
        for (int i = 0; i < n; i++) {
            keys[i] = k(i / 3 * 10);
            ids[i] = 7L * i;
            oneByOne.insert(keys[i], ids[i]);
        }
        RangeIndex filled = new RangeIndex();
        filled.fill(keys, ids, n);
        assertEquals(1_000, filled.keyCount());
        assertEquals(scan(oneByOne), scan(filled), "every entry, in key order");
        assertEquals(List.of(21L * 5, 21L * 5 + 7, 21L * 5 + 14), lookup(filled, 50));
        List<Long> range = new ArrayList<>();
        filled.range(k(20), true, k(40), false, true, range::add);
        assertEquals(List.of(63L, 70L, 77L, 42L, 49L, 56L), range, "[20, 40) descending: key 30, then key 20");
        // The filled index takes changes as any other.
        filled.remove(k(50), 21L * 5 + 7);
        filled.insert(k(55), 1L);
        assertEquals(List.of(21L * 5, 21L * 5 + 14), lookup(filled, 50));
        assertEquals(List.of(1L), lookup(filled, 55));
        assertEquals(1_001, filled.keyCount());
    }

    @Test
    void keysOutOfOrderOrAnIndexInUseAreInsertedOneByOne() {
        Key[] keys = {k(3), k(1), k(2)};
        long[] ids = {30, 10, 20};
        RangeIndex unsorted = new RangeIndex();
        unsorted.fill(keys, ids, 3);
        assertEquals(List.of(10L, 20L, 30L), scan(unsorted), "still in key order");

        RangeIndex inUse = new RangeIndex();
        inUse.insert(k(2), 99);
        inUse.fill(new Key[] {k(1), k(2), k(3)}, new long[] {10, 20, 30}, 3);
        assertEquals(List.of(10L, 99L, 20L, 30L), scan(inUse), "what it held is kept");
        assertEquals(3, inUse.keyCount());
    }

    /**
     * Many rows under one key (an index on a status column): past a few dozen, the key's row ids
     * are a set changed in place, not an array copied whole at every insert and delete (a build
     * over 80,000 such rows took 2 s, quadratic, before). Concurrent changes to that set lose
     * nothing, also when they empty it (it then leaves the index) and fill it again at once.
     */
    @Test
    void aKeyManyRowsShareKeepsItsRowIdsInASetThatLosesNoConcurrentChange() throws Exception {
        RangeIndex ix = new RangeIndex();
        for (long row = 0; row < Index.ARRAY_POSTING_MAX; row++) ix.insert(k(5), row);
        assertTrue(ix.posting(k(5)) instanceof long[], "a few rows: an array");
        ix.insert(k(5), 1_000);
        assertTrue(ix.posting(k(5)) instanceof RowIdSet, "more: a set");
        for (long row = 0; row < Index.ARRAY_POSTING_MAX; row++) ix.remove(k(5), row);
        ix.remove(k(5), 1_000);
        assertEquals(List.of(), lookup(ix, 5));
        assertEquals(null, ix.posting(k(5)), "emptied, it leaves the index");
        assertEquals(0, ix.keyCount());

        // Four threads insert and remove row ids under the one key at once.
        int threads = 4, per = 20_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = (long) t * per;
            done.add(pool.submit(() -> {
                go.await();
                for (long row = base; row < base + per; row++) {
                    ix.insert(k(5), row);
                    if (row % 3 == 0) ix.remove(k(5), row);
                }
                return null;
            }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        pool.shutdown();
        java.util.Set<Long> want = new java.util.HashSet<>();
        for (long row = 0; row < (long) threads * per; row++) if (row % 3 != 0) want.add(row);
        assertEquals(want, new java.util.HashSet<>(lookup(ix, 5)));
        List<Long> ranged = new ArrayList<>();
        ix.range(k(4), false, k(6), false, false, ranged::add);
        assertEquals(want.size(), ranged.size());

        // Churn: one thread fills a key past the array size (a set) and empties it again, over
        // and over, so the set is sealed and dropped and made anew; the other inserts a row id
        // of its own into the same key, checks that it is there, and takes it out. An insert
        // that went into a set just emptied and dropped would be missing from its own lookup.
        Key key = k(100);
        java.util.concurrent.atomic.AtomicBoolean churning = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong lost = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong checks = new java.util.concurrent.atomic.AtomicLong();
        // Platform threads of their own: the common pool may have one worker on a 2-core machine.
        java.util.concurrent.FutureTask<Void> filler = new java.util.concurrent.FutureTask<>(() -> {
            try {
                for (int round = 0; round < 20_000; round++) {
                    for (long id = 0; id <= Index.ARRAY_POSTING_MAX; id++) ix.insert(key, id);
                    for (long id = 0; id <= Index.ARRAY_POSTING_MAX; id++) ix.remove(key, id);
                }
            } finally {
                churning.set(false);
            }
            return null;
        });
        java.util.concurrent.FutureTask<Void> checker = new java.util.concurrent.FutureTask<>(() -> {
            while (churning.get()) {
                ix.insert(key, 777);
                List<Long> got = new ArrayList<>();
                ix.lookup(key, got::add);
                if (!got.contains(777L)) lost.incrementAndGet();
                checks.incrementAndGet();
                ix.remove(key, 777);
            }
            return null;
        });
        Thread.ofPlatform().start(checker);
        Thread.ofPlatform().start(filler);
        filler.get(120, java.util.concurrent.TimeUnit.SECONDS);
        checker.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(checks.get() > 1_000, "the checker ran alongside: " + checks.get());
        assertEquals(0, lost.get(), "inserts missing from their own lookup, of " + checks.get());
        assertEquals(null, ix.posting(key));

        // A fill from sorted rows makes the same set for a long run of one key.
        int n = 1_000;
        Key[] keys = new Key[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = k(i < 10 ? i : 10);
            ids[i] = i;
        }
        RangeIndex filled = new RangeIndex();
        filled.fill(keys, ids, n);
        assertTrue(filled.posting(k(10)) instanceof RowIdSet);
        assertEquals(n - 10, lookup(filled, 10).size());
        assertEquals(List.of(3L), lookup(filled, 3));
        filled.remove(k(10), 500);
        assertEquals(n - 11, lookup(filled, 10).size());
    }
}
