package io.hourglass.engine.txn;

/**
 * Where a connection publishes the snapshot its running statement reads, so the garbage
 * collector keeps every version that snapshot can reach. {@link #IDLE} when no statement runs.
 * Its transaction's intention locks on tables are kept here too (see {@link LockManager}).
 *
 * <p>The collector reads every connection's snapshot after each commit, while each connection
 * writes its own slot's lock fields (and, through its monitor, the object header) several times
 * a transaction. The snapshot therefore sits on a cache line of its own, between padding
 * superclasses (superclass fields are laid out first): without that, every commit's scan missed
 * the cache once per connection (a tenth of the CPU of 64 durable committers).
 */
public final class SnapshotSlot extends SnapshotSlotPadding.After {
    public static final long IDLE = Long.MAX_VALUE;

    // The connection's transaction's fast-path intention locks (LockManager); guarded by this
    // object's monitor.
    static final int FAST_LOCKS = 8;
    Transaction fastOwner;
    final long[] fastTable = new long[FAST_LOCKS];
    final LockMode[] fastMode = new LockMode[FAST_LOCKS];
    int fastCount;

    public SnapshotSlot() { snapshot = IDLE; }

    public long snapshot() { return snapshot; }
}

/** Cache-line padding around {@link SnapshotSlot#snapshot}. */
@SuppressWarnings("unused")
final class SnapshotSlotPadding {
    private SnapshotSlotPadding() {}

    abstract static class Before {
        long p01, p02, p03, p04, p05, p06, p07, p08;
    }

    abstract static class Value extends Before {
        volatile long snapshot;
    }

    abstract static class After extends Value {
        long p11, p12, p13, p14, p15, p16, p17, p18;
    }
}
