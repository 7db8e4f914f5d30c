package io.hourglass.engine.txn;

/**
 * Where a connection publishes the snapshot its running statement reads, so the garbage
 * collector keeps every version that snapshot can reach. {@link #IDLE} when no statement runs.
 */
public final class SnapshotSlot {
    public static final long IDLE = Long.MAX_VALUE;
    volatile long snapshot = IDLE;

    public long snapshot() { return snapshot; }
}
