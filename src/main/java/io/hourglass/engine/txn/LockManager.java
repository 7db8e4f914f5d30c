package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Intention locks on tables take a fast path: the table lock every writer takes (IX) would
 * otherwise make one table's state the single hottest object of a write load. A connection's
 * transaction records IS and IX in its connection's {@link SnapshotSlot} instead, under that
 * slot's own monitor (uncontended), as long as no transaction holds or waits for a mode that
 * conflicts with an intention (S, SIX, X) on that table. Such a strong request first counts
 * itself on the table, then moves every recorded intention on it into the table's state (as the
 * owners' locks, released when they end), and only then waits as usual, so waiting, wake-ups and
 * the deadlock search see every holder. The count and the slot monitors order the two sides: a
 * fast grant either happens before the strong request reads that slot (and is moved) or sees
 * the count (and takes the usual path). The count drops only after the strong lock is released.
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

    /**
     * One resource's holders and waiters; guarded by its own monitor. Most resources are a row
     * with one holder, and a transaction that writes a million rows holds a million of these,
     * so the first holder is kept in two fields and only further holders (shared locks, table
     * intentions) get a map: about 40 bytes for a row lock instead of a map of its own.
     */
    private static final class State {
        private Transaction first;
        private LockMode firstMode;
        /** Holders besides {@link #first}, and how many of them hold each mode; made on demand. */
        private Map<Transaction, LockMode> more;
        private int[] moreHeld;
        int waiters;
        /** The waiting transactions in arrival order; guarded by the manager's monitor (not this one's). */
        java.util.ArrayDeque<Transaction> queue;
        boolean dead; // removed from the map: whoever holds a reference must look it up again

        LockMode get(Transaction t) {
            if (t == first) return firstMode;
            return more == null ? null : more.get(t);
        }

        void put(Transaction t, LockMode m) {
            if (t == first) {
                firstMode = m;
            } else if (more != null && more.containsKey(t)) {
                moreHeld[more.put(t, m).ordinal()]--;
                moreHeld[m.ordinal()]++;
            } else if (first == null) {
                first = t;
                firstMode = m;
            } else {
                if (more == null) {
                    more = new HashMap<>(4);
                    moreHeld = new int[LockMode.values().length];
                }
                more.put(t, m);
                moreHeld[m.ordinal()]++;
            }
        }

        void remove(Transaction t) {
            if (t == first) {
                first = null;
                firstMode = null;
            } else if (more != null) {
                LockMode old = more.remove(t);
                if (old != null) moreHeld[old.ordinal()]--;
            }
        }

        boolean isEmpty() { return first == null && (more == null || more.isEmpty()); }

        /** How many transactions hold {@code m}: O(1), not a walk over the holders. */
        int holding(LockMode m) {
            return (firstMode == m ? 1 : 0) + (moreHeld == null ? 0 : moreHeld[m.ordinal()]);
        }

        /** Adds to {@code out} every holder but {@code w} whose mode conflicts with {@code want}. */
        void blockers(Transaction w, LockMode want, List<Transaction> out) {
            if (first != null && first != w && !want.compatibleWith(firstMode)) out.add(first);
            if (more == null) return;
            for (Map.Entry<Transaction, LockMode> e : more.entrySet()) {
                if (e.getKey() != w && !want.compatibleWith(e.getValue())) out.add(e.getKey());
            }
        }
    }

    private final ConcurrentHashMap<Resource, State> locks = new ConcurrentHashMap<>();
    /** Per table id: transactions holding or asking for S, SIX or X on it (see the class comment). */
    private final ConcurrentHashMap<Long, AtomicInteger> strong = new ConcurrentHashMap<>();
    private final Iterable<SnapshotSlot> slots;

    /** A lock manager without the intention fast path (every request goes to the lock table). */
    public LockManager() { this(List.of()); }

    /** @param slots every connection's slot, where intention locks on the fast path are recorded */
    public LockManager(Iterable<SnapshotSlot> slots) { this.slots = slots; }
    private final LongAdder waits = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();
    private final LongAdder grantsAfterWait = new LongAdder();

    /**
     * Acquires {@code mode} on {@code r} for {@code t} (or upgrades what it holds), waiting at most
     * {@code timeoutNanos}.
     */
    public void lock(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        if (r instanceof TableLock tl) {
            if (mode == LockMode.IS || mode == LockMode.IX) {
                if (t.slot != null && lockFast(t, tl, mode)) return;
            } else if ((t.strongTables == null ? t.strongTables = new java.util.HashSet<>(2) : t.strongTables).add(tl.tableId())) {
                countStrong(tl.tableId(), 1);
                try {
                    moveFastIntentions(tl);
                    lockSlow(t, r, mode, timeoutNanos);
                } catch (RuntimeException e) {
                    t.strongTables.remove(tl.tableId());
                    countStrong(tl.tableId(), -1);
                    throw e;
                }
                return;
            }
        }
        lockSlow(t, r, mode, timeoutNanos);
    }

    /**
     * Counts a strong request on a table in or out. A table's counter exists only while some
     * transaction holds or asks for a strong mode on it (each change happens inside the map's
     * lock for that key, so a counter is never dropped while another request counts itself in);
     * otherwise every table ever dropped, or locked once by DDL, would keep one for good.
     */
    private void countStrong(long tableId, int delta) {
        strong.compute(tableId, (k, count) -> {
            if (count == null) count = new AtomicInteger();
            return count.addAndGet(delta) == 0 ? null : count;
        });
    }

    /** How many tables have a strong request counted now (for tests). */
    int tablesWithStrongRequests() { return strong.size(); }

    /**
     * Takes {@code mode} on the row for {@code t} if that can be done at once, without waiting
     * or queueing (SELECT ... FOR UPDATE SKIP LOCKED): false while another transaction holds a
     * conflicting mode or waits for the row. Counts no wait and no timeout.
     */
    public boolean tryLock(Transaction t, RowLock r, LockMode mode) { return grantAtOnce(t, r, mode); }

    /** The lock table's path: grants at once when it can, else waits. */
    private void lockSlow(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        while (!grantAtOnce(t, r, mode)) {
            if (lockWaiting(t, r, mode, timeoutNanos)) return;
        }
    }

    /**
     * Whether {@code t} holds {@code mode} on {@code r} now: already, or granted here because no
     * one waits for {@code r} and its holders allow it. False leaves the resource's state in the
     * table (someone holds or awaits it).
     */
    private boolean grantAtOnce(Transaction t, Resource r, LockMode mode) {
        while (true) {
            State st = locks.computeIfAbsent(r, k -> new State());
            synchronized (st) {
                if (st.dead) continue;
                LockMode held = st.get(t);
                LockMode want = held == null ? mode : held.plus(mode);
                if (want == held) return true;
                if (st.waiters == 0 && grantable(st, t, want)) {
                    grant(st, t, r, want, held);
                    return true;
                }
                return false;
            }
        }
    }

    /**
     * Grants IS or IX on a table through {@code t}'s slot, if no strong mode is held or asked for
     * on it and {@code t} holds nothing on it in the lock table. Returns false to take the lock
     * table's path.
     */
    private boolean lockFast(Transaction t, TableLock r, LockMode mode) {
        SnapshotSlot s = t.slot;
        synchronized (s) {
            AtomicInteger count = strong.get(r.tableId());
            if (count != null && count.get() > 0) return false;
            if (s.fastOwner != t) {
                s.fastOwner = t;
                s.fastCount = 0;
            }
            for (int i = 0; i < s.fastCount; i++) {
                if (s.fastTable[i] == r.tableId()) {
                    s.fastMode[i] = s.fastMode[i].plus(mode); // IS + IX = IX
                    return true;
                }
            }
            // Not for a table t already holds in the lock table: one lock, in one place, per table.
            if (s.fastCount == SnapshotSlot.FAST_LOCKS || (t.movedTables != null && t.movedTables.contains(r.tableId()))
                    || (t.slowTables != null && t.slowTables.contains(r.tableId()))) {
                return false;
            }
            s.fastTable[s.fastCount] = r.tableId();
            s.fastMode[s.fastCount] = mode;
            s.fastCount++;
            return true;
        }
    }

    /**
     * Moves every fast-path intention on {@code r} into its lock-table state, as a lock of the
     * transaction that recorded it. The caller has counted a strong request on the table first.
     */
    private void moveFastIntentions(TableLock r) {
        for (SnapshotSlot s : slots) {
            synchronized (s) {
                Transaction owner = s.fastOwner;
                for (int i = 0; i < s.fastCount; i++) {
                    if (s.fastTable[i] != r.tableId()) continue;
                    LockMode m = s.fastMode[i];
                    s.fastCount--;
                    s.fastTable[i] = s.fastTable[s.fastCount];
                    s.fastMode[i] = s.fastMode[s.fastCount];
                    if (owner.movedTables == null) owner.movedTables = new ArrayList<>(1);
                    owner.movedTables.add(r.tableId()); // guarded by the slot's monitor, held here
                    synchronized (owner) {
                        while (true) {
                            State st = locks.computeIfAbsent(r, k -> new State());
                            synchronized (st) {
                                if (st.dead) continue;
                                st.put(owner, m); // granted already: the strong side waits for it
                                break;
                            }
                        }
                        owner.heldForIt.add(r);
                    }
                    break;
                }
            }
        }
    }

    /**
     * The waiting path, under the manager's monitor. Returns false if the state died meanwhile.
     *
     * <p>Waiters are served in arrival order: a new request is not granted past an earlier waiter
     * whose mode conflicts with it, even if the holders would allow it, or a stream of writers'
     * intentions (IX, each compatible with the others) would keep a DROP, ALTER or CREATE INDEX
     * waiting for its X or S until it timed out. An upgrade (the transaction holds the resource
     * already) goes first: the waiters ahead may be waiting for what it holds.
     */
    private synchronized boolean lockWaiting(Transaction t, Resource r, LockMode mode, long timeoutNanos) {
        State st = locks.computeIfAbsent(r, k -> new State());
        LockMode want;
        boolean upgrade;
        synchronized (st) {
            if (st.dead) return false;
            LockMode held = st.get(t);
            want = held == null ? mode : held.plus(mode);
            if (want == held) return true;
            upgrade = held != null;
            if (mayGrant(st, t, want, upgrade)) {
                grant(st, t, r, want, held);
                return true;
            }
            st.waiters++;
        }
        if (st.queue == null) st.queue = new java.util.ArrayDeque<>(2);
        st.queue.addLast(t);
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
                    if (mayGrant(st, t, want, upgrade)) {
                        grant(st, t, r, want, st.get(t));
                        grantsAfterWait.increment();
                        return true;
                    }
                }
            }
        } finally {
            t.waitingFor = null;
            t.waitingMode = null;
            st.queue.remove(t);
            synchronized (st) {
                st.waiters--;
                retireIfIdle(r, st);
            }
            // Those queued behind may go now: behind a grant if they are compatible with it, and
            // behind a waiter that gave up (timed out, a deadlock victim) in any case.
            if (!st.queue.isEmpty()) notifyAll();
        }
    }

    /** A waiting path's grant: the holders allow it, and (an upgrade aside) no conflicting waiter came first. */
    private static boolean mayGrant(State st, Transaction t, LockMode want, boolean upgrade) {
        return grantable(st, t, want) && (upgrade || !queuedAhead(st, t, want, null));
    }

    /**
     * Whether a transaction queued on {@code st} before {@code t} (before every waiter if {@code t}
     * is not queued) waits for a mode that conflicts with {@code want}; each one found is added to
     * {@code out} if given. Caller holds the manager's monitor.
     */
    private static boolean queuedAhead(State st, Transaction t, LockMode want, List<Transaction> out) {
        if (st.queue == null) return false;
        boolean found = false;
        for (Transaction w : st.queue) {
            if (w == t) break;
            LockMode m = w.waitingMode;
            if (m != null && !want.compatibleWith(m)) {
                if (out == null) return true;
                out.add(w);
                found = true;
            }
        }
        return found;
    }

    /** Whether every other holder's mode is compatible with {@code want}: a check per mode, not per holder. */
    private static boolean grantable(State st, Transaction t, LockMode want) {
        LockMode own = st.get(t);
        for (LockMode m : LockMode.values()) {
            int others = st.holding(m) - (m == own ? 1 : 0);
            if (others > 0 && !want.compatibleWith(m)) return false;
        }
        return true;
    }

    private static void grant(State st, Transaction t, Resource r, LockMode want, LockMode held) {
        st.put(t, want);
        if (held == null) {
            t.locks.add(r);
            if (r instanceof TableLock tl) {
                if (t.slowTables == null) t.slowTables = new ArrayList<>(2);
                t.slowTables.add(tl.tableId());
            }
        }
    }

    /** Drops an unused state from the map. Caller holds the state's monitor. */
    private void retireIfIdle(Resource r, State st) {
        if (st.isEmpty() && st.waiters == 0 && !st.dead) {
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
            boolean upgrade;
            synchronized (st) {
                st.blockers(w, m, blockers);
                upgrade = st.get(w) != null;
            }
            if (!upgrade) queuedAhead(st, w, m, blockers); // it waits for those queued before it too
            for (Transaction h : blockers) {
                if (h == origin) return true;
                if (seen.add(h)) stack.add(h);
            }
        }
        return false;
    }

    /**
     * Records that {@code owner} holds X on {@code r} without asking: the row is one {@code owner}
     * inserted and has not finished, so it holds the row's lock implicitly; a transaction about to
     * wait for it makes that lock explicit, so that waiting, wake-up and the deadlock search see
     * it. Does nothing once {@code owner} has started to end (it releases nothing later, and
     * whoever asked then finds the row committed or gone).
     */
    void holdFor(Transaction owner, RowLock r) {
        synchronized (owner) {
            if (owner.ending) return;
            while (true) {
                State st = locks.computeIfAbsent(r, k -> new State());
                synchronized (st) {
                    if (st.dead) continue;
                    if (st.get(owner) != null) return; // explicit already
                    st.put(owner, LockMode.X); // a fact, not a request: no compatibility check
                }
                owner.heldForIt.add(r);
                return;
            }
        }
    }

    /**
     * {@code t} is ending: after this no other transaction adds to its locks, so
     * {@link #releaseAll} sees every lock it has to release.
     */
    void ending(Transaction t) {
        SnapshotSlot s = t.slot;
        if (s != null) {
            // Intentions still on the fast path go first: one not moved by now never will be.
            synchronized (s) {
                if (s.fastOwner == t) {
                    s.fastOwner = null;
                    s.fastCount = 0;
                }
                t.movedTables = null;
            }
        }
        synchronized (t) {
            t.ending = true;
        }
    }

    /**
     * Releases every lock of {@code t} and wakes whoever waited for them. Call it after
     * {@link #ending}, or the implicit locks others made explicit may be missed.
     */
    public void releaseAll(Transaction t) {
        boolean wake = release(t, t.locks) | release(t, t.heldForIt);
        t.slowTables = null;
        // Only now, with the strong locks gone, may intentions on those tables go fast again.
        if (t.strongTables != null) {
            for (long tableId : t.strongTables) countStrong(tableId, -1);
            t.strongTables = null;
        }
        if (wake) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Gives back the row lock {@code t} was granted last, before it ends: the row turned out
     * deleted once it was granted, so the lock guards nothing, and whoever else waited for the
     * dead row goes on now instead of behind {@code t}'s end.
     */
    public void releaseLast(Transaction t, RowLock r) {
        int last = t.locks.size() - 1;
        if (last < 0 || !t.locks.get(last).equals(r)) throw new IllegalStateException("not the last lock taken: " + r);
        t.locks.remove(last);
        boolean wake = false;
        State st = locks.get(r);
        if (st != null) {
            synchronized (st) {
                st.remove(t);
                wake = st.waiters > 0;
                retireIfIdle(r, st);
            }
        }
        if (wake) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Releases {@code t}'s hold on each of {@code held}; returns whether any had waiters. */
    private boolean release(Transaction t, List<Resource> held) {
        if (held.isEmpty()) return false;
        boolean wake = false;
        for (Resource r : held) {
            State st = locks.get(r);
            if (st == null) continue;
            synchronized (st) {
                st.remove(t);
                if (st.waiters > 0) wake = true;
                retireIfIdle(r, st);
            }
        }
        held.clear();
        return wake;
    }

    /** Whether anyone holds or waits for {@code r} (the garbage collector leaves such rows alone). */
    public boolean isLocked(Resource r) {
        State st = locks.get(r);
        if (st == null) return false;
        synchronized (st) {
            return !st.dead && (!st.isEmpty() || st.waiters > 0);
        }
    }

    public long waits() { return waits.sum(); }

    public long timeouts() { return timeouts.sum(); }

    public long deadlocks() { return deadlocks.sum(); }

    /** Lock requests granted after waiting (SYS.MONITOR's LOCK_GRANTS_WAIT). */
    public long grantsAfterWait() { return grantsAfterWait.sum(); }

    /** One transaction's locks at a moment: how many rows, and which tables in which mode. */
    public record Holdings(int rowLocks, Map<Long, LockMode> tables) {}

    /**
     * The locks each transaction holds now (ttXactAdmin): read resource by resource, each under
     * its own monitor, while others go on, so a moment's approximation, as TimesTen's own is.
     */
    public Map<Transaction, Holdings> holdings() {
        Map<Transaction, int[]> rows = new HashMap<>();
        Map<Transaction, Map<Long, LockMode>> tables = new HashMap<>();
        java.util.function.BiConsumer<Transaction, Map.Entry<Resource, LockMode>> add = (t, held) -> {
            if (held.getKey() instanceof TableLock tl) tables.computeIfAbsent(t, k -> new java.util.TreeMap<>()).merge(tl.tableId(), held.getValue(), LockMode::plus);
            else rows.computeIfAbsent(t, k -> new int[1])[0]++;
        };
        for (Map.Entry<Resource, State> e : locks.entrySet()) {
            State st = e.getValue();
            synchronized (st) {
                if (st.first != null) add.accept(st.first, Map.entry(e.getKey(), st.firstMode));
                if (st.more != null) st.more.forEach((t, m) -> add.accept(t, Map.entry(e.getKey(), m)));
            }
        }
        for (SnapshotSlot s : slots) { // intentions on the fast path
            synchronized (s) {
                for (int i = 0; s.fastOwner != null && i < s.fastCount; i++) {
                    add.accept(s.fastOwner, Map.entry(new TableLock(s.fastTable[i]), s.fastMode[i]));
                }
            }
        }
        Map<Transaction, Holdings> out = new HashMap<>();
        for (Transaction t : union(rows.keySet(), tables.keySet())) {
            out.put(t, new Holdings(rows.containsKey(t) ? rows.get(t)[0] : 0, tables.getOrDefault(t, Map.of())));
        }
        return out;
    }

    private static java.util.Set<Transaction> union(java.util.Set<Transaction> a, java.util.Set<Transaction> b) {
        java.util.Set<Transaction> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** What {@code t} waits for now (and in which mode), or null. */
    public static Map.Entry<Resource, LockMode> waitingFor(Transaction t) {
        Resource r = t.waitingFor;
        LockMode m = t.waitingMode;
        return r == null || m == null ? null : Map.entry(r, m);
    }

    /** Who holds {@code r} now, {@code t} left out. */
    public List<Transaction> holders(Resource r, Transaction t) {
        List<Transaction> out = new ArrayList<>();
        State st = locks.get(r);
        if (st != null) {
            synchronized (st) {
                if (st.first != null && st.first != t) out.add(st.first);
                if (st.more != null) for (Transaction h : st.more.keySet()) if (h != t) out.add(h);
            }
        }
        return out;
    }

    private static String describe(Resource r) {
        return switch (r) {
            case TableLock t -> "table lock, table id " + t.tableId();
            case RowLock rl -> "row lock, table id " + rl.tableId() + ", row id " + rl.rowId();
        };
    }
}
