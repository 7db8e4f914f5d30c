package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Table and row locks, held until the transaction ends (strict two-phase locking for writers).
 * A request that cannot be granted waits up to the connection's LockWait and then fails with
 * TT6003; a request whose wait would close a cycle in the waits-for graph fails at once with
 * TT6002, and the caller rolls its transaction back (the requester is the victim).
 *
 * <p>All state is guarded by {@code this}; waiters sleep on this monitor and are woken when any
 * lock is released. Lock traffic is a few per write transaction, so one monitor is not a
 * bottleneck next to the rest of a statement.
 */
public final class LockManager {
    /** A lockable thing: a table or a row of a table. */
    public sealed interface Resource permits TableLock, RowLock {}

    public record TableLock(long tableId) implements Resource {}

    public record RowLock(long tableId, long rowId) implements Resource {}

    private static final class State {
        final Map<Transaction, LockMode> holders = new LinkedHashMap<>(4);
        int waiters;
    }

    private final Map<Resource, State> locks = new HashMap<>();
    private final LongAdder waits = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();

    /**
     * Acquires {@code mode} on {@code r} for {@code t} (or upgrades what it holds), waiting at most
     * {@code timeoutNanos}.
     */
    public synchronized void lock(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        State st = locks.computeIfAbsent(r, k -> new State());
        LockMode held = st.holders.get(t);
        LockMode want = held == null ? mode : held.plus(mode);
        if (want == held) return;
        if (grantable(st, t, want)) {
            grant(st, t, r, want, held);
            return;
        }
        waits.increment();
        st.waiters++;
        t.waitingFor = r;
        t.waitingMode = want;
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                if (closesCycle(t)) {
                    deadlocks.increment();
                    throw ErrorCode.DEADLOCK.error(describe(r));
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    timeouts.increment();
                    throw ErrorCode.LOCK_TIMEOUT.error(describe(r));
                }
                try {
                    wait(Math.max(1, remaining / 1_000_000), 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ErrorCode.LOCK_TIMEOUT.error(describe(r) + ", interrupted");
                }
                if (grantable(st, t, want)) {
                    grant(st, t, r, want, st.holders.get(t));
                    return;
                }
            }
        } finally {
            t.waitingFor = null;
            t.waitingMode = null;
            st.waiters--;
            if (st.holders.isEmpty() && st.waiters == 0) locks.remove(r);
        }
    }

    private static boolean grantable(State st, Transaction t, LockMode want) {
        for (Map.Entry<Transaction, LockMode> e : st.holders.entrySet()) {
            if (e.getKey() != t && !want.compatibleWith(e.getValue())) return false;
        }
        return true;
    }

    private static void grant(State st, Transaction t, Resource r, LockMode want, LockMode held) {
        st.holders.put(t, want);
        if (held == null) t.locks.add(r);
    }

    /** Depth-first search of the waits-for graph from {@code origin}. Caller holds the monitor. */
    private boolean closesCycle(Transaction origin) {
        Set<Transaction> seen = new HashSet<>();
        List<Transaction> stack = new ArrayList<>();
        stack.add(origin);
        while (!stack.isEmpty()) {
            Transaction w = stack.removeLast();
            Resource r = w.waitingFor;
            LockMode m = w.waitingMode;
            if (r == null || m == null) continue;
            State st = locks.get(r);
            if (st == null) continue;
            for (Map.Entry<Transaction, LockMode> e : st.holders.entrySet()) {
                Transaction h = e.getKey();
                if (h == w || m.compatibleWith(e.getValue())) continue;
                if (h == origin) return true;
                if (seen.add(h)) stack.add(h);
            }
        }
        return false;
    }

    /** Releases every lock of {@code t} and wakes waiters. */
    public synchronized void releaseAll(Transaction t) {
        if (t.locks.isEmpty()) return;
        for (Resource r : t.locks) {
            State st = locks.get(r);
            if (st == null) continue;
            st.holders.remove(t);
            if (st.holders.isEmpty() && st.waiters == 0) locks.remove(r);
        }
        t.locks.clear();
        notifyAll();
    }

    /** Whether anyone holds a lock on {@code r} (the garbage collector leaves such rows alone). */
    public synchronized boolean isLocked(Resource r) {
        State st = locks.get(r);
        return st != null && (!st.holders.isEmpty() || st.waiters > 0);
    }

    public long waits() { return waits.sum(); }

    public long timeouts() { return timeouts.sum(); }

    public long deadlocks() { return deadlocks.sum(); }

    private static String describe(Resource r) {
        return switch (r) {
            case TableLock t -> "table lock, table id " + t.tableId();
            case RowLock rl -> "row lock, table id " + rl.tableId() + ", row id " + rl.rowId();
        };
    }
}
