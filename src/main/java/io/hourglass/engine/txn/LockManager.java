package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Table and row locks, held until the transaction ends (strict two-phase locking for writers).
 * A request that cannot be granted waits up to the connection's LockWait and then fails with
 * TT6003; a request whose wait would close a cycle in the waits-for graph fails at once with
 * TT6002, and the caller rolls its transaction back (the requester is the victim).
 *
 * <p>Concurrency: each resource's {@link State} is guarded by its own monitor, so a request that
 * can be granted at once (the common case) touches only that state. Waiting, and the deadlock
 * search over the waits-for graph, go through the manager's monitor ({@code this}); once a
 * resource has waiters, every request for it takes that path too, so waiters are never passed
 * over by a fast grant. Lock order: the manager's monitor, then a state's. A release that frees
 * a resource with waiters wakes them through the manager's monitor.
 *
 * <p>The deadlock search reads other resources' holders while fast releases may remove them, so
 * it can, rarely, see a cycle that dissolved a moment before and fail a request with TT6002 that
 * would have been granted; it never misses a real cycle, because every edge of a real cycle
 * belongs to a waiting transaction and waiters change only under the manager's monitor.
 */
public final class LockManager {
    /** A lockable thing: a table or a row of a table. */
    public sealed interface Resource permits TableLock, RowLock {}

    public record TableLock(long tableId) implements Resource {}

    public record RowLock(long tableId, long rowId) implements Resource {}

    /** One resource's holders and waiters; guarded by its own monitor. */
    private static final class State {
        final Map<Transaction, LockMode> holders = new LinkedHashMap<>(4);
        final int[] held = new int[LockMode.values().length]; // holders per mode, for O(1) checks
        int waiters;
        boolean dead; // removed from the map: whoever holds a reference must look it up again

        void put(Transaction t, LockMode m) {
            LockMode old = holders.put(t, m);
            if (old != null) held[old.ordinal()]--;
            held[m.ordinal()]++;
        }

        void remove(Transaction t) {
            LockMode old = holders.remove(t);
            if (old != null) held[old.ordinal()]--;
        }
    }

    private final ConcurrentHashMap<Resource, State> locks = new ConcurrentHashMap<>();
    private final LongAdder waits = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();

    /**
     * Acquires {@code mode} on {@code r} for {@code t} (or upgrades what it holds), waiting at most
     * {@code timeoutNanos}.
     */
    public void lock(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        while (true) {
            State st = locks.computeIfAbsent(r, k -> new State());
            synchronized (st) {
                if (st.dead) continue;
                LockMode held = st.holders.get(t);
                LockMode want = held == null ? mode : held.plus(mode);
                if (want == held) return;
                if (st.waiters == 0 && grantable(st, t, want)) {
                    grant(st, t, r, want, held);
                    return;
                }
            }
            if (lockSlow(t, r, mode, timeoutNanos)) return;
        }
    }

    /** The waiting path, under the manager's monitor. Returns false if the state died meanwhile. */
    private synchronized boolean lockSlow(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        State st = locks.computeIfAbsent(r, k -> new State());
        LockMode want;
        synchronized (st) {
            if (st.dead) return false;
            LockMode held = st.holders.get(t);
            want = held == null ? mode : held.plus(mode);
            if (want == held) return true;
            if (grantable(st, t, want)) {
                grant(st, t, r, want, held);
                return true;
            }
            st.waiters++;
        }
        waits.increment();
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
                synchronized (st) {
                    if (grantable(st, t, want)) {
                        grant(st, t, r, want, st.holders.get(t));
                        return true;
                    }
                }
            }
        } finally {
            t.waitingFor = null;
            t.waitingMode = null;
            synchronized (st) {
                st.waiters--;
                retireIfIdle(r, st);
            }
        }
    }

    /** Whether every other holder's mode is compatible with {@code want}: a check per mode, not per holder. */
    private static boolean grantable(State st, Transaction t, LockMode want) {
        LockMode own = st.holders.get(t);
        for (LockMode m : LockMode.values()) {
            int others = st.held[m.ordinal()] - (m == own ? 1 : 0);
            if (others > 0 && !want.compatibleWith(m)) return false;
        }
        return true;
    }

    private static void grant(State st, Transaction t, Resource r, LockMode want, LockMode held) {
        st.put(t, want);
        if (held == null) t.locks.add(r);
    }

    /** Drops an unused state from the map. Caller holds the state's monitor. */
    private void retireIfIdle(Resource r, State st) {
        if (st.holders.isEmpty() && st.waiters == 0 && !st.dead) {
            st.dead = true;
            locks.remove(r, st);
        }
    }

    /** Depth-first search of the waits-for graph from {@code origin}. Caller holds the manager's monitor. */
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
            List<Transaction> blockers = new ArrayList<>(2);
            synchronized (st) {
                for (Map.Entry<Transaction, LockMode> e : st.holders.entrySet()) {
                    if (e.getKey() != w && !m.compatibleWith(e.getValue())) blockers.add(e.getKey());
                }
            }
            for (Transaction h : blockers) {
                if (h == origin) return true;
                if (seen.add(h)) stack.add(h);
            }
        }
        return false;
    }

    /** Releases every lock of {@code t} and wakes whoever waited for them. */
    public void releaseAll(Transaction t) {
        if (t.locks.isEmpty()) return;
        boolean wake = false;
        for (Resource r : t.locks) {
            State st = locks.get(r);
            if (st == null) continue;
            synchronized (st) {
                st.remove(t);
                if (st.waiters > 0) wake = true;
                retireIfIdle(r, st);
            }
        }
        t.locks.clear();
        if (wake) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Whether anyone holds or waits for {@code r} (the garbage collector leaves such rows alone). */
    public boolean isLocked(Resource r) {
        State st = locks.get(r);
        if (st == null) return false;
        synchronized (st) {
            return !st.dead && (!st.holders.isEmpty() || st.waiters > 0);
        }
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
