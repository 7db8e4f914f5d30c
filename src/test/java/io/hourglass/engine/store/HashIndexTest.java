package io.hourglass.engine.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashIndexTest {
    private static Key k(long v) { return new Key(new Object[] {v}); }

    private static Set<Long> lookup(Index ix, Key key) {
        Set<Long> out = new HashSet<>();
        ix.lookup(key, out::add);
        return out;
    }

    @Test
    void insertLookupRemoveAcrossGrowth() {
        HashIndex ix = new HashIndex();
        for (long i = 0; i < 100_000; i++) ix.insert(k(i * 7), i);
        assertEquals(100_000, ix.keyCount());
        for (long i = 0; i < 100_000; i += 997) assertEquals(Set.of(i), lookup(ix, k(i * 7)));
        assertEquals(Set.of(), lookup(ix, k(3)));
        for (long i = 0; i < 100_000; i += 2) ix.remove(k(i * 7), i);
        assertEquals(50_000, ix.keyCount());
        assertEquals(Set.of(), lookup(ix, k(0)));
        assertEquals(Set.of(1L), lookup(ix, k(7)));
        ix.insert(k(7), 1);
        assertEquals(50_000, ix.keyCount(), "inserting an existing entry changes nothing");
    }

    @Test
    void anIndexToldHowManyKeysAreComingNeverGrowsOnTheWay() {
        HashIndex ix = new HashIndex();
        ix.expect(50_000);
        for (long i = 0; i < 50_000; i++) {
            ix.insert(k(i), i);
            assertTrue(!ix.draining(), "no growth at insert " + i);
        }
        for (long i = 0; i < 50_000; i += 101) assertEquals(Set.of(i), lookup(ix, k(i)));
        ix.expect(200_000); // with entries in it: they move to the larger table and stay found
        for (long i = 0; i < 50_000; i++) assertEquals(Set.of(i), lookup(ix, k(i)), "key " + i);
        ix.insert(k(1_000_000), 50_000);
        assertEquals(50_001, ix.keyCount());
        ix.expect(10); // never shrinks
        assertEquals(Set.of(50_000L), lookup(ix, k(1_000_000)));
    }

    @Test
    void batchesOfNewRowsAreAddedThroughGrowthAndBehaveAsSingleInserts() {
        // No expect(): the batches grow the table and drain it on the way, some rows share a
        // key (a non-unique index), and the table already holds entries the batches must keep.
        HashIndex ix = new HashIndex();
        for (long i = 0; i < 1_000; i++) ix.insert(k(10_000_000 + i), 1_000_000 + i);
        int n = 60_000, batch = 256;
        Key[] keys = new Key[batch];
        long[] ids = new long[batch];
        boolean grewInABatch = false;
        for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            for (int j = 0; j < m; j++) {
                keys[j] = k((from + j) / 3);
                ids[j] = from + j;
            }
            ix.insertNew(keys, ids, m);
            grewInABatch |= ix.draining();
        }
        assertTrue(grewInABatch, "the table grew while batches came");
        assertEquals(n + 1_000, ix.keyCount());
        for (long key = 0; key < n / 3; key += 7) assertEquals(Set.of(3 * key, 3 * key + 1, 3 * key + 2), lookup(ix, k(key)), "key " + key);
        for (long i = 0; i < 1_000; i += 37) assertEquals(Set.of(1_000_000 + i), lookup(ix, k(10_000_000 + i)));
        ix.remove(k(5), 16);
        assertEquals(Set.of(15L, 17L), lookup(ix, k(5)));
        ix.insertNew(keys, ids, 0); // an empty batch changes nothing
        assertEquals(n + 999, ix.keyCount());
    }

    @Test
    void compositeKeysSpreadOverTheHashSpace() {
        // TPTBM's keys: (vpn_id, vpn_nb) for a million rows. Few collisions, or every lookup
        // decodes many rows.
        Set<Integer> hashes = new HashSet<>();
        for (long id = 0; id < 1000; id++) {
            for (long nb = 0; nb < 1000; nb++) hashes.add(new Key(new Object[] {id, nb}).hashCode());
        }
        assertTrue(hashes.size() > 999_000, hashes.size() + " distinct hashes for 1,000,000 keys");
    }

    /**
     * Keys on both sides of zero do not collide: Long.hashCode folds -1 onto 0, -2 onto 1, ...,
     * which made every lookup of such an index meet a second row (and a semi-join read rows twice).
     */
    @Test
    void negativeAndPositiveKeysHashApart() {
        HashIndex ix = new HashIndex();
        for (long v = -1000; v <= 1000; v++) ix.insert(k(v), v + 1000);
        for (long v = -1000; v <= 1000; v++) assertEquals(Set.of(v + 1000), lookup(ix, k(v)), "key " + v);
        // and a key's hash is the same whether made from its values or from a row image
        RowCodec codec = new RowCodec(new io.hourglass.engine.catalog.SqlType[] {io.hourglass.engine.catalog.SqlType.INTEGER,
                io.hourglass.engine.catalog.SqlType.BIGINT});
        for (long v : new long[] {-1, 0, 1, -2, Integer.MIN_VALUE, Long.MAX_VALUE / 3}) {
            Object[] row = {(long) (int) v, v};
            assertEquals(new Key(row).hashCode(), codec.keyHash(codec.encode(row), new int[] {0, 1}, new boolean[] {true, true}, new int[2]),
                    "value " + v);
        }
    }

    @Test
    void everyDoubleMakesAKeyAndEqualNumbersHashAlike() {
        // Infinities and NaN never reach an index through SQL (a BINARY_DOUBLE refuses them,
        // TT90004), but a key of one must not fail to hash: it used to go through
        // new BigDecimal("Infinity").
        HashIndex ix = new HashIndex();
        double[] odd = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -0.0, 0.0, Double.MAX_VALUE, Double.MIN_VALUE};
        for (int i = 0; i < odd.length; i++) ix.insert(new Key(new Object[] {odd[i]}), i);
        for (int i = 0; i < odd.length; i++) {
            assertTrue(lookup(ix, new Key(new Object[] {odd[i]})).contains((long) i), "found again: " + odd[i]);
        }
        // Values that compare equal across kinds hash alike (a hash index agrees with comparisons).
        Object[][] equal = {{3L, 3.0, new java.math.BigDecimal("3.00")}, {new java.math.BigDecimal("0.5"), 0.5},
                {new java.math.BigDecimal("1E+300"), 1e300}};
        for (Object[] same : equal) {
            for (Object v : same) {
                assertEquals(0, io.hourglass.engine.catalog.Values.compare(same[0], v), same[0] + " = " + v);
                assertEquals(new Key(new Object[] {same[0]}).hashCode(), new Key(new Object[] {v}).hashCode(), same[0] + " and " + v);
            }
        }
    }

    @Test
    void rowZeroWithHashZeroIsAnEntryLikeAnyOther() {
        HashIndex ix = new HashIndex();
        Key zero = new Key(new Object[0]); // hash 1, not 0; find a key whose hash is 0
        Key h0 = new Key(new Object[] {42L}, 0);
        ix.insert(h0, 0);
        assertEquals(Set.of(0L), lookup(ix, h0));
        ix.remove(h0, 0);
        assertEquals(Set.of(), lookup(ix, h0));
        ix.insert(zero, 5);
        assertEquals(Set.of(5L), lookup(ix, zero));
    }

    @Test
    void keysWithEqualHashesShareProbesAndEntries() {
        HashIndex ix = new HashIndex();
        Key a = new Key(new Object[] {1L}, 77), b = new Key(new Object[] {2L}, 77);
        ix.insert(a, 10);
        ix.insert(b, 11);
        assertEquals(Set.of(10L, 11L), lookup(ix, a), "the caller re-checks the rows");
        assertTrue(ix.sameEntry(a, b));
        ix.remove(a, 10);
        assertEquals(Set.of(11L), lookup(ix, b));
    }

    @Test
    void readersSeeEveryStableEntryWhileWritersChurn() throws Exception {
        HashIndex ix = new HashIndex();
        for (long i = 0; i < 10_000; i++) ix.insert(k(i), i);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = pool.submit(() -> {
                long n = 1_000_000;
                while (!stop.get()) {
                    ix.insert(k(n), n);
                    if (n % 3 == 0) ix.remove(k(n), n);
                    n++;
                }
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int checks = 0;
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    while (System.nanoTime() < deadline) {
                        long i = (checks * 7919L) % 10_000;
                        assertEquals(Set.of(i), lookup(ix, k(i)));
                        checks++;
                    }
                    return checks;
                }));
            }
            for (Future<Integer> f : readers) assertTrue(f.get() > 1000);
            stop.set(true);
            writer.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void growthMovesTheTableAFewSlotsPerWriteAndEveryEntryStaysFindable() {
        HashIndex ix = new HashIndex();
        Set<Long> live = new HashSet<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        int growths = 0;
        boolean wasDraining = false;
        for (int op = 0; op < 400_000; op++) {
            long v = r.nextLong(300_000);
            if (r.nextInt(4) == 0) {
                ix.remove(k(v), v);
                live.remove(v);
            } else {
                ix.insert(k(v), v);
                live.add(v);
            }
            boolean draining = ix.draining();
            if (draining && !wasDraining) growths++;
            wasDraining = draining;
            if (op % 97 == 0) {
                // An entry is found whether it is still in the draining table or already moved.
                long probe = r.nextLong(300_000);
                assertEquals(live.contains(probe) ? Set.of(probe) : Set.of(), lookup(ix, k(probe)), "key " + probe + " at op " + op);
                assertEquals(live.size(), ix.keyCount());
            }
            if (op % 50_000 == 0 || (draining && op % 1_001 == 0)) {
                Set<Long> all = new HashSet<>();
                ix.scanAll(all::add);
                assertEquals(live, all, "scan at op " + op);
            }
        }
        // A growth is seen draining after the write that started it: no single insert moved the
        // whole table (the table grows from 16 slots to 512K here, so it drained many times).
        assertTrue(growths >= 10, growths + " growths seen draining");
        for (long v = 0; v < 300_000; v++) {
            assertEquals(live.contains(v) ? Set.of(v) : Set.of(), lookup(ix, k(v)));
        }
    }

    /** Homes spread over all of a large table, for consecutive hashes and for keys' own hashes alike. */
    @Test
    void homesCoverEveryPartOfALargeTable() {
        int mask = (1 << 28) - 1; // a table for about 130 million rows
        int[] buckets = new int[16];
        int n = 1 << 16;
        for (int i = 0; i < n; i++) {
            buckets[HashIndex.home(i, mask) >>> 24]++;
            buckets[HashIndex.home(new Key(new Object[] {(long) i * 7919}).hashCode(), mask) >>> 24]++;
        }
        for (int b = 0; b < 16; b++) {
            double share = buckets[b] / (2.0 * n);
            assertTrue(share > 0.05 && share < 0.075, "sixteenth " + b + " of the table gets " + share + " of the homes");
        }
    }

    @Test
    void aProbeChainAcrossTheDrainedPartStaysWhole() {
        // 64 rows whose 64 hashes share one home fill a 128-slot table from slot DRAIN_STEP - 3
        // on; the 65th grows it, and the first drain step moves slots 0 to DRAIN_STEP - 1: three
        // of the chain's entries move, the rest stay behind the moved slots in the old table. A
        // lookup must still reach them there (the moved slots must not read as empty).
        List<Integer> hashes = new ArrayList<>();
        for (int h = 0; hashes.size() < 65; h++) if (HashIndex.home(h, 127) == HashIndex.DRAIN_STEP - 3) hashes.add(h);
        HashIndex ix = new HashIndex();
        for (int row = 0; row < 65; row++) ix.insert(new Key(new Object[] {(long) row}, hashes.get(row)), row);
        assertTrue(ix.draining(), "the growth has only begun");
        for (int row = 0; row < 65; row++) {
            assertEquals(Set.of((long) row), lookup(ix, new Key(new Object[] {(long) row}, hashes.get(row))), "row " + row);
        }
        ix.remove(new Key(new Object[] {40L}, hashes.get(40)), 40);
        assertEquals(Set.of(), lookup(ix, new Key(new Object[] {40L}, hashes.get(40))));
        assertEquals(Set.of(64L), lookup(ix, new Key(new Object[] {64L}, hashes.get(64))));
        assertEquals(64, ix.keyCount());
    }

    /**
     * Rows sharing one key (a hash index on a low-cardinality column): the chain keeps a few of
     * them and the rest go to a set of their own, so no insert, delete or lookup walks a chain
     * as long as the rows (the build of 80,000 such rows took 4 s, quadratic, before).
     */
    @Test
    void rowsSharingAKeyDoNotMakeItsChainAsLongAsThemselves() {
        HashIndex ix = new HashIndex();
        Key status = k(1);
        Set<Long> rows = new HashSet<>();
        for (long row = 0; row < 20_000; row++) {
            ix.insert(status, row);
            ix.insert(k(1_000_000 + row), 100_000 + row); // other keys, spread
            rows.add(row);
        }
        ix.insert(status, 7); // an entry it has, in the chain
        ix.insert(status, 19_999); // and one it spilled
        assertEquals(40_000, ix.keyCount());
        assertTrue(ix.chainLength(status.hashCode()) <= 4 * HashIndex.CHAIN_SAME_HASH,
                "chain from the key's home: " + ix.chainLength(status.hashCode()));
        assertEquals(rows, lookup(ix, status));
        for (long row = 0; row < 20_000; row += 2) {
            ix.remove(status, row);
            rows.remove(row);
        }
        assertEquals(rows, lookup(ix, status));
        assertEquals(Set.of(100_123L), lookup(ix, k(1_000_123)));
        assertEquals(30_000, ix.keyCount());
        Set<Long> all = new HashSet<>();
        ix.scanAll(all::add);
        assertEquals(30_000, all.size());
        assertTrue(all.containsAll(rows));
        for (long row = 1; row < 20_000; row += 2) ix.remove(status, row);
        assertEquals(Set.of(), lookup(ix, status));
        assertEquals(20_000, ix.keyCount());
        // A build over existing rows (recovery, CREATE INDEX) spills the same way.
        HashIndex built = new HashIndex();
        int n = 50_000;
        int[] hashes = new int[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = i % 5 == 0 ? k(i).hashCode() : status.hashCode();
            ids[i] = i;
        }
        built.insertNewHashed(hashes, ids, n);
        assertEquals(n, built.keyCount());
        assertEquals(40_000, lookup(built, status).size());
        assertTrue(built.chainLength(status.hashCode()) <= 4 * HashIndex.CHAIN_SAME_HASH);
        assertEquals(Set.of(5L), lookup(built, k(5)));
    }
}
