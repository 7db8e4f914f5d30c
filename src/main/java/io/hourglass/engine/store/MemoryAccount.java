package io.hourglass.engine.store;

import io.hourglass.engine.ErrorCode;

import java.util.concurrent.atomic.AtomicLong;

/**
 * PermSize accounting: every row version and index entry reserves its bytes here before it is
 * created; a reservation past the limit fails with TT802 and changes nothing.
 */
public final class MemoryAccount implements SpaceAccount {
    /** Bytes charged per row version beyond its image (version header and slot). */
    public static final int VERSION_OVERHEAD = 48;
    /** Bytes charged per index entry. */
    public static final int INDEX_ENTRY_OVERHEAD = 64;

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();

    public MemoryAccount(long limitBytes) { this.limitBytes = limitBytes; }

    @Override
    public void reserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > limitBytes) {
                throw ErrorCode.SPACE_EXHAUSTED.error("permanent", "");
            }
            if (used.compareAndSet(u, u + bytes)) {
                raiseHighWater(u + bytes);
                return;
            }
        }
    }

    /**
     * Charges bytes without the limit check: for the small tombstone a DELETE writes, because
     * deleting is how a user gets out of a full PermSize and must never be refused for it.
     */
    @Override
    public void charge(long bytes) { raiseHighWater(used.addAndGet(bytes)); }

    private void raiseHighWater(long inUse) {
        if (inUse > highWater.get()) highWater.accumulateAndGet(inUse, Math::max);
    }

    @Override
    public void release(long bytes) { used.addAndGet(-bytes); }

    public long used() { return used.get(); }

    /** The most in use at once since the database was loaded, or since {@link #resetHighWater}. */
    public long highWater() { return highWater.get(); }

    /** ttMonitorHighWaterReset: the high water mark is what is in use now. */
    public void resetHighWater() { highWater.set(used.get()); }

    public long limit() { return limitBytes; }
}
