package io.hourglass.engine.store;

import java.util.concurrent.locks.StampedLock;
import java.util.function.LongConsumer;

/**
 * Hash index: equality lookups on the full key. An open-addressing table of {@code long}
 * entries {@code (keyHash << 32) | rowId}, probed linearly. The key itself is not stored: the
 * row holds it, and every reader re-checks the row, as with any index entry (see {@link Index}).
 * That makes an entry 8 bytes (16 to 32 with the table's spare room) instead of a map node with
 * a boxed key, which is most of a small row's memory.
 *
 * <p>Consequence: two keys of one row whose hashes are equal share one entry, so
 * {@link #sameEntry} compares hashes, and a lookup returns every row whose key has the same hash
 * (the caller's re-check drops the others). Row ids must fit 32 bits (4 billion rows a table).
 *
 * <p>Growth is incremental, as in Redis: when the table must grow, a new one is allocated and
 * the old one is drained into it a few dozen slots per write, so no single insert moves the
 * whole index (at a million keys that took 13 to 28 ms under the write lock, stalling every
 * writer and every reader that missed its optimistic probe). While the old table drains, an
 * entry lives in exactly one of the two and lookups probe both. Moved slots become tombstones,
 * so the old table's probe chains stay intact until it is dropped.
 *
 * <p>Many rows with one key (a hash index on a low-cardinality column) would make one probe
 * chain as long as the rows, and every insert, delete and lookup of any key hashed into it walk
 * all of it: a quadratic build. A chain holds at most {@link #CHAIN_SAME_HASH} entries of one
 * hash; the rest of that hash's row ids go to a set of their own ({@link #overflow}).
 *
 * <p>Concurrency: writers take the write lock; readers probe under an optimistic stamp and
 * retry under the read lock if a writer intervened.
 */
public final class HashIndex implements Index {
    private static final long EMPTY = 0L;      // entry for (hash 0, row id 0) is stored as FLAG_ZERO
    private static final long TOMBSTONE = -1L; // never a real entry: row ids below 2^32 - 1
    private static final long ZERO_ENTRY = Long.MIN_VALUE | 0xFFFF_FFFEL; // stands for (0, 0)
    private static final long MAX_ROW_ID = 0xFFFF_FFFDL;

    /** Old-table slots moved per write while a growth drains: enough to finish long before the new table is half full. */
    static final int DRAIN_STEP = 64;
    /** Entries of one hash an insert passes in a probe chain before it puts its entry in {@link #overflow} instead. */
    static final int CHAIN_SAME_HASH = 16;

    private final StampedLock lock = new StampedLock();
    // All guarded by lock.
    private long[] table = new long[16]; // where entries are added
    private long[] draining;             // the table being moved into `table`, or null
    private int drainedUpTo;             // slots of `draining` below this have been moved
    private int size;                    // live entries, in both tables
    private int used;                    // live entries + tombstones in `table`
    /**
     * Row ids of hashes with more entries than a chain takes, by hash; null until there is one.
     * Changed only under the write lock; its sets are read only under a lock, the map itself
     * also by the optimistic probe (whether a hash has a set).
     */
    private volatile java.util.concurrent.ConcurrentHashMap<Integer, java.util.Set<Long>> overflow;
    private long overflowSize;           // entries in overflow
    @SuppressWarnings("unused")
    private long touched;                // touchHomes' result: written, never read

    private static long entry(int hash, long rowId) {
        if (rowId < 0 || rowId > MAX_ROW_ID) throw new IllegalStateException("row id " + rowId + " exceeds a hash index's range");
        long e = ((long) hash << 32) | rowId;
        return e == EMPTY ? ZERO_ENTRY : e;
    }

    private static long rowIdOf(long e) { return e == ZERO_ENTRY ? 0 : e & 0xFFFF_FFFFL; }

    private static int hashOf(long e) { return e == ZERO_ENTRY ? 0 : (int) (e >>> 32); }

    /**
     * The slot a hash's probe chain starts at: the high half of a 64-bit Fibonacci product, so
     * every bit of the hash moves it and every slot of any table can be a home. (An int product
     * shifted right by 7 has 25 bits: in a table above 2^25 slots, about 16 million rows, only its
     * first 2^25 slots were ever homes, and the chains piled up into the rest.)
     */
    static int home(int hash, int mask) { return (int) ((hash * 0x9E3779B97F4A7C15L) >>> 32) & mask; }

    @Override
    public void insert(Key key, long rowId) {
        long e = entry(key.hashCode(), rowId);
        long stamp = lock.writeLock();
        try {
            drainSome();
            if (find(table, e) >= 0 || (draining != null && find(draining, e) >= 0)) return;
            java.util.Set<Long> spilled = overflow == null ? null : overflow.get(hashOf(e));
            if (spilled != null) {
                if (spilled.add(rowIdOf(e))) overflowSize++;
                return;
            }
            add(e);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * A batch under one write lock, and without {@link #insert}'s look for the same entry first
     * (a row new to the index has none): half the probing and one lock per batch instead of per
     * row, for a build over a million rows.
     */
    @Override
    public void insertNew(Key[] keys, long[] rowIds, int n) {
        int[] hashes = new int[n];
        for (int i = 0; i < n; i++) hashes[i] = keys[i].hashCode();
        insertNewHashed(hashes, rowIds, n);
    }

    /**
     * {@link #insertNew} for keys given by their hashes ({@link Key#hashCode}), which is all this
     * index keeps of a key: a build need not make the keys ({@link RowCodec#keyHash}).
     */
    public void insertNewHashed(int[] hashes, long[] rowIds, int n) {
        long stamp = lock.writeLock();
        try {
            if (draining == null && (used + n) * 2 <= table.length) touchHomes(table, hashes, n);
            for (int i = 0; i < n; i++) {
                long e = entry(hashes[i], rowIds[i]);
                drainSome();
                add(e);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Reads the home slot of each of {@code n} hashes before any is placed. In a large table each
     * home is a cache miss; these loads do not depend on one another, so the processor has many
     * of them in flight at once, where placing entry after entry waits for one miss at a time
     * (code compiled without a profile, as in the native binary, does not overlap them on its
     * own). The placing then finds the lines in the cache.
     */
    private void touchHomes(long[] t, int[] hashes, int n) {
        int mask = t.length - 1;
        long seen = 0;
        for (int i = 0; i < n; i++) seen |= t[home(hashes[i], mask)];
        touched = seen; // kept, so that the loads are not optimised away
    }

    /**
     * Adds an entry known to be absent, growing first if the table would pass half full; to
     * {@link #overflow} if its chain already holds {@link #CHAIN_SAME_HASH} entries of its hash.
     * The caller holds the write lock.
     */
    private void add(long e) {
        int hash = hashOf(e);
        java.util.Set<Long> spilled = overflow == null ? null : overflow.get(hash);
        if (spilled == null) {
            if ((used + 1) * 2 > table.length) grow(size * 2 + 2 > table.length ? table.length * 2 : table.length);
            int placed = place(table, e, CHAIN_SAME_HASH);
            if (placed != CHAIN_FULL) {
                used += placed;
                size++;
                return;
            }
            if (overflow == null) overflow = new java.util.concurrent.ConcurrentHashMap<>();
            spilled = new java.util.HashSet<>();
            overflow.put(hash, spilled);
        }
        if (spilled.add(rowIdOf(e))) overflowSize++;
    }

    /**
     * Grows the table at once to hold {@code keys} entries at under half full, so a build over
     * existing rows (recovery, CREATE INDEX) neither grows nor drains on the way.
     */
    @Override
    public void expect(long keys) {
        long need = Math.max(16, Math.min(1L << 30, (keys + 1) * 2)); // the insert's bound: (used + 1) * 2 <= length
        long want = Long.highestOneBit(need - 1) << 1;                 // the power of two at or above it
        long stamp = lock.writeLock();
        try {
            if (want <= table.length) return;
            if (size == 0 && draining == null) {
                table = new long[(int) want];
                used = 0;
            } else {
                grow((int) want);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public void remove(Key key, long rowId) { removeUnless(key, rowId, () -> false); }

    @Override
    public void removeUnless(Key key, long rowId, java.util.function.BooleanSupplier kept) {
        long e = entry(key.hashCode(), rowId);
        long stamp = lock.writeLock();
        try {
            if (kept.getAsBoolean()) return; // (asked under the lock every insert takes)
            drainSome();
            int at = find(table, e);
            if (at >= 0) {
                table[at] = TOMBSTONE;
                size--;
            } else if (draining != null && (at = find(draining, e)) >= 0) {
                draining[at] = TOMBSTONE;
                size--;
            } else if (overflow != null) {
                java.util.Set<Long> spilled = overflow.get(hashOf(e));
                if (spilled != null && spilled.remove(rowIdOf(e))) {
                    overflowSize--;
                    if (spilled.isEmpty()) overflow.remove(hashOf(e));
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** {@link #place}'s answer when the chain already holds its limit of the entry's hash. */
    private static final int CHAIN_FULL = -1;

    /**
     * Puts {@code e} in its probe chain's first free slot, unless the chain holds
     * {@code sameHashLimit} entries of its hash before that slot. Returns 1 if the slot was
     * never used, 0 for a tombstone reused, {@link #CHAIN_FULL} if nothing was placed.
     */
    private static int place(long[] t, long e, int sameHashLimit) {
        int mask = t.length - 1;
        int hash = hashOf(e);
        int same = 0;
        for (int i = home(hash, mask); ; i = (i + 1) & mask) {
            long x = t[i];
            if (x == EMPTY || x == TOMBSTONE) {
                t[i] = e;
                return x == EMPTY ? 1 : 0;
            }
            if (hashOf(x) == hash && ++same >= sameHashLimit) return CHAIN_FULL;
        }
    }

    /**
     * Starts moving everything into a new table of {@code capacity} slots (twice the size to
     * grow, the same to shed tombstones). A growth still draining is finished first: that only
     * happens when tombstones fill a table of the same size faster than it drains.
     */
    private void grow(int capacity) {
        while (draining != null) drainSome();
        draining = table;
        drainedUpTo = 0;
        table = new long[capacity];
        used = 0;
        drainSome();
    }

    /** Moves the next {@link #DRAIN_STEP} slots of the draining table, if one drains. */
    private void drainSome() {
        long[] d = draining;
        if (d == null) return;
        int end = Math.min(d.length, drainedUpTo + DRAIN_STEP);
        for (int i = drainedUpTo; i < end; i++) {
            long e = d[i];
            if (e == EMPTY || e == TOMBSTONE) continue;
            used += place(table, e, Integer.MAX_VALUE); // it had its place in the old chain: it keeps one
            d[i] = TOMBSTONE; // not EMPTY: entries further along its chain must stay reachable
        }
        drainedUpTo = end;
        if (end == d.length) draining = null;
    }

    /** Whether a growth is still draining (for tests). */
    boolean draining() {
        long stamp = lock.readLock();
        try {
            return draining != null;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Slots from {@code hash}'s home to the first empty one in the table entries go to (for tests). */
    int chainLength(int hash) {
        long stamp = lock.readLock();
        try {
            int mask = table.length - 1;
            int n = 0;
            for (int i = home(hash, mask); n < table.length && table[i] != EMPTY; i = (i + 1) & mask) n++;
            return n;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Position of entry {@code e}, or -1. */
    private static int find(long[] t, long e) {
        int mask = t.length - 1;
        for (int i = home(hashOf(e), mask), n = 0; n < t.length; i = (i + 1) & mask, n++) {
            if (t[i] == EMPTY) return -1;
            if (t[i] == e) return i;
        }
        return -1;
    }

    @Override
    public void lookup(Key key, LongConsumer out) {
        int hash = key.hashCode();
        long stamp = lock.tryOptimisticRead();
        long[] t = table, d = draining;
        long single = probe(t, hash);
        if (d != null && single >= -1) {
            long other = probe(d, hash);
            single = other == -1 ? single : single == -1 ? other : -2;
        }
        java.util.concurrent.ConcurrentHashMap<Integer, java.util.Set<Long>> ov = overflow;
        if (single >= -1 && (ov == null || !ov.containsKey(hash)) && lock.validate(stamp)) {
            if (single >= 0) out.accept(single);
            return;
        }
        // Several candidates, some of them spilled, or a writer moved things: collect under the read lock.
        long rs = lock.readLock();
        try {
            collect(table, hash, out);
            if (draining != null) collect(draining, hash, out);
            java.util.Set<Long> spilled = overflow == null ? null : overflow.get(hash);
            if (spilled != null) for (long id : spilled) out.accept(id);
        } finally {
            lock.unlockRead(rs);
        }
    }

    private static void collect(long[] t, int hash, LongConsumer out) {
        int mask = t.length - 1;
        for (int i = home(hash, mask), n = 0; n < t.length; i = (i + 1) & mask, n++) {
            long e = t[i];
            if (e == EMPTY) break;
            if (e != TOMBSTONE && hashOf(e) == hash) out.accept(rowIdOf(e));
        }
    }

    /**
     * Probes without a lock: the single matching row id, -1 for none, -2 for "more than one or
     * unsure" (the caller then takes the read lock). The array may be replaced meanwhile; a torn
     * read is caught by the stamp's validation.
     */
    private static long probe(long[] t, int hash) {
        int mask = t.length - 1;
        long found = -1;
        for (int i = home(hash, mask), n = 0; n < t.length; i = (i + 1) & mask, n++) {
            long e = t[i];
            if (e == EMPTY) return found;
            if (e != TOMBSTONE && hashOf(e) == hash) {
                if (found >= 0) return -2;
                found = rowIdOf(e);
            }
        }
        return -2;
    }

    @Override
    public boolean sameEntry(Key a, Key b) { return a.hashCode() == b.hashCode(); }

    @Override
    public long keyCount() {
        long stamp = lock.readLock();
        try {
            return size + overflowSize;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public void scanAll(LongConsumer out) {
        long stamp = lock.readLock();
        try {
            for (long e : table) if (e != EMPTY && e != TOMBSTONE) out.accept(rowIdOf(e));
            if (draining != null) for (long e : draining) if (e != EMPTY && e != TOMBSTONE) out.accept(rowIdOf(e));
            if (overflow != null) for (java.util.Set<Long> spilled : overflow.values()) for (long id : spilled) out.accept(id);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public boolean ordered() { return false; }

    @Override
    public void range(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, LongConsumer out) {
        throw new UnsupportedOperationException("hash index has no order");
    }
}
