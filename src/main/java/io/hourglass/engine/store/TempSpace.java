package io.hourglass.engine.store;

import io.hourglass.engine.ErrorCode;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TempSize accounting: the database's temporary region, which holds what a statement builds
 * while it runs: a query's result rows, its sort keys, groups and DISTINCT sets, the row ids an
 * index access collects, the rows an INSERT ... SELECT reads before it inserts them, the rows an
 * UPDATE or DELETE found. Every statement of the database draws on it; a statement that would
 * take it past TempSize fails with TT0802 (temporary space) and gives back what it held, so one
 * query can neither take the heap from the others nor end the process in an OutOfMemoryError,
 * and nothing committed is touched (the statement is undone as any failed statement is).
 *
 * <p>A statement charges a {@link Budget} of its own, with estimates of the objects it builds
 * ({@link #footprint}). The first {@link #ALLOWANCE} bytes of a statement are not drawn from
 * the region, so a statement that builds little (the usual lookup of a row or a few) never
 * touches the shared counter; past them, the budget draws in chunks of at least {@link #CHUNK}.
 *
 * <p>A transaction has a budget too ({@link #transactionBudget}), for what it holds until it ends:
 * its row locks and undo entries, and at its commit the log records it builds (TimesTen keeps
 * its lock table in the temporary region as well).
 */
public final class TempSpace {
    /**
     * Bytes a statement (or a transaction) builds before its budget draws on the region: enough
     * for the usual statement, which then never touches the shared counter, and small enough
     * that every connection's allowances together stay small beside TempSize (at most 128 KB a
     * connection, one statement and one transaction: 250 MB for 2,000 connections, 1 GB with
     * the 256 KB it was).
     */
    public static final long ALLOWANCE = 64 << 10;
    /** The least a budget draws at a time. */
    static final long CHUNK = 1 << 20;

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();

    public TempSpace(long limitBytes) { this.limitBytes = limitBytes; }

    /** A region no statement can exhaust (recovery's transaction manager, which runs no SQL). */
    public static TempSpace unlimited() { return new TempSpace(Long.MAX_VALUE); }

    /**
     * TimesTen's TempSize when none is given: 32 MB + PermSize/4 below a PermSize of 64 MB,
     * otherwise 40 MB + PermSize/8 (each rounded up to a MB).
     */
    public static long defaultSizeMb(long permSizeMb) {
        return permSizeMb < 64 ? 32 + ceilDiv(permSizeMb, 4) : 40 + ceilDiv(permSizeMb, 8);
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }

    /** A new statement's budget; close it when the statement ends, however it ends. */
    public Budget budget() { return new Budget("the statement", "narrow the query"); }

    /**
     * A transaction's budget, for what it holds until it ends (its row locks, its undo entries,
     * and at its commit the log records it builds); close it when the transaction ends.
     */
    public Budget transactionBudget() { return new Budget("the transaction", "commit in smaller transactions"); }

    public long used() { return used.get(); }

    /** The most that was in use at once since the database was loaded, or since {@link #resetHighWater}. */
    public long highWater() { return highWater.get(); }

    /** ttMonitorHighWaterReset: the high water mark is what is in use now. */
    public void resetHighWater() { highWater.set(used.get()); }

    public long limit() { return limitBytes; }

    /**
     * The account of the sessions' rows of GLOBAL TEMPORARY tables, which live in TempSize, as in
     * TimesTen: each row version and index entry counted exactly (no allowance, no chunks), for
     * as long as it lasts (a transaction, or the session), so that a session's working set can
     * fill TempSize but never PermSize, where the committed data lives.
     */
    public SpaceAccount temporaryRows() { return temporaryRows; }

    private final SpaceAccount temporaryRows = new SpaceAccount() {
        @Override
        public void reserve(long bytes) { take(bytes, "the session's rows of global temporary tables", "commit, TRUNCATE them or end the session"); }

        @Override
        public void charge(long bytes) { highWater.accumulateAndGet(used.addAndGet(bytes), Math::max); }

        @Override
        public void release(long bytes) { used.addAndGet(-bytes); }
    };

    private void take(long bytes, Budget who) { take(bytes, who.user, who.advice); }

    private void take(long bytes, String user, String advice) {
        while (true) {
            long u = used.get();
            if (u + bytes > limitBytes) {
                throw ErrorCode.SPACE_EXHAUSTED.error("temporary", String.format(
                        ": %s needs more than the %,d KB left of TempSize (%,d MB); raise TempSize or %s",
                        user, Math.max(0, limitBytes - u) >> 10, limitBytes >> 20, advice));
            }
            if (used.compareAndSet(u, u + bytes)) {
                highWater.accumulateAndGet(u + bytes, Math::max);
                return;
            }
        }
    }

    /**
     * One statement's (or one transaction's) share of the region. Not thread-safe: a statement
     * runs on one thread, and a transaction is used by one connection at a time.
     */
    public final class Budget implements AutoCloseable {
        private final String user;   // who it is for, in TT0802's message
        private final String advice; // what to do about TT0802
        private long built; // bytes built, by estimate
        private long held;  // bytes drawn from the region

        private Budget(String user, String advice) {
            this.user = user;
            this.advice = advice;
        }

        /** Counts {@code bytes} more; TT0802 when the region cannot hold them (the budget keeps what it held until closed). */
        public void charge(long bytes) {
            long need = built + bytes - ALLOWANCE - held;
            if (need > 0) {
                long draw = Math.max(need, CHUNK);
                take(draw, this);
                held += draw;
            }
            built += bytes;
        }

        /**
         * Counts {@code bytes} fewer (what was built is gone: an undone statement's entries), and
         * gives back the whole chunks no longer needed.
         */
        public void release(long bytes) {
            built = Math.max(0, built - bytes);
            long spare = held - Math.max(0, built - ALLOWANCE);
            if (spare >= CHUNK) {
                long give = spare - spare % CHUNK;
                used.addAndGet(-give);
                held -= give;
            }
        }

        /** Bytes built so far, by estimate. */
        public long built() { return built; }

        /** Counts a row of values and the list slot that holds it. */
        public void chargeRow(Object[] row) { charge(footprint(row) + 8); }

        /** Bytes drawn from the shared region so far. */
        public long held() { return held; }

        /** Gives back what the statement drew. */
        @Override
        public void close() {
            if (held > 0) used.addAndGet(-held);
            held = 0;
            built = 0;
        }
    }

    /** The estimated heap bytes of a row of values: the array and every value in it. */
    public static long footprint(Object[] row) {
        long n = 16 + 4L * row.length;
        for (Object v : row) n += footprint(v);
        return n;
    }

    /**
     * The estimated heap bytes of one value (compressed references; a String as Latin-1, the
     * usual case). An estimate for accounting, not a measurement.
     */
    public static long footprint(Object v) {
        return switch (v) {
            case null -> 0;
            case String s -> 40 + s.length();
            case Bytes b -> 32 + b.length();
            case byte[] b -> 16 + b.length;
            case BigDecimal d -> 72 + d.precision() / 2;
            case java.time.LocalDateTime t -> 72; // itself, its date and its time
            case Object[] a -> footprint(a);
            default -> 16; // Long, Double, Boolean
        };
    }
}
