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
 * <p>Concurrency: writers take the write lock; readers probe under an optimistic stamp and
 * retry under the read lock if a writer intervened.
 */
public final class HashIndex implements Index {
    private static final long EMPTY = 0L;      // entry for (hash 0, row id 0) is stored as FLAG_ZERO
    private static final long TOMBSTONE = -1L; // never a real entry: row ids below 2^32 - 1
    private static final long ZERO_ENTRY = Long.MIN_VALUE | 0xFFFF_FFFEL; // stands for (0, 0)
    private static final long MAX_ROW_ID = 0xFFFF_FFFDL;

    private final StampedLock lock = new StampedLock();
    private long[] table = new long[16]; // guarded by lock
    private int size;                    // live entries; guarded by lock
    private int used;                    // live entries + tombstones; guarded by lock

    private static long entry(int hash, long rowId) {
        if (rowId < 0 || rowId > MAX_ROW_ID) throw new IllegalStateException("row id " + rowId + " exceeds a hash index's range");
        long e = ((long) hash << 32) | rowId;
        return e == EMPTY ? ZERO_ENTRY : e;
    }

    private static long rowIdOf(long e) { return e == ZERO_ENTRY ? 0 : e & 0xFFFF_FFFFL; }

    private static int hashOf(long e) { return e == ZERO_ENTRY ? 0 : (int) (e >>> 32); }

    private static int home(int hash, int mask) { return (hash * 0x9E3779B9) >>> 7 & mask; }

    @Override
    public void insert(Key key, long rowId) {
        long e = entry(key.hashCode(), rowId);
        long stamp = lock.writeLock();
        try {
            if (find(table, e) >= 0) return;
            if ((used + 1) * 2 > table.length) rehash(size * 2 + 2 > table.length ? table.length * 2 : table.length);
            long[] t = table;
            int mask = t.length - 1;
            for (int i = home(key.hashCode(), mask); ; i = (i + 1) & mask) {
                if (t[i] == EMPTY || t[i] == TOMBSTONE) {
                    if (t[i] == EMPTY) used++;
                    t[i] = e;
                    size++;
                    return;
                }
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public void remove(Key key, long rowId) {
        long e = entry(key.hashCode(), rowId);
        long stamp = lock.writeLock();
        try {
            int at = find(table, e);
            if (at >= 0) {
                table[at] = TOMBSTONE;
                size--;
            }
        } finally {
            lock.unlockWrite(stamp);
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

    private void rehash(int capacity) {
        long[] old = table;
        long[] t = new long[capacity];
        int mask = capacity - 1;
        for (long e : old) {
            if (e == EMPTY || e == TOMBSTONE) continue;
            int i = home(hashOf(e), mask);
            while (t[i] != EMPTY) i = (i + 1) & mask;
            t[i] = e;
        }
        table = t;
        used = size;
    }

    @Override
    public void lookup(Key key, LongConsumer out) {
        int hash = key.hashCode();
        long stamp = lock.tryOptimisticRead();
        long single = probe(table, hash);
        if (single >= -1 && lock.validate(stamp)) {
            if (single >= 0) out.accept(single);
            return;
        }
        // Several candidates, or a writer moved things: collect under the read lock.
        long rs = lock.readLock();
        try {
            long[] t = table;
            int mask = t.length - 1;
            for (int i = home(hash, mask), n = 0; n < t.length; i = (i + 1) & mask, n++) {
                long e = t[i];
                if (e == EMPTY) break;
                if (e != TOMBSTONE && hashOf(e) == hash) out.accept(rowIdOf(e));
            }
        } finally {
            lock.unlockRead(rs);
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
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    @Override
    public void scanAll(LongConsumer out) {
        long stamp = lock.readLock();
        try {
            for (long e : table) if (e != EMPTY && e != TOMBSTONE) out.accept(rowIdOf(e));
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
