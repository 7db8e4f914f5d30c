package io.hourglass.engine.txn;

import io.hourglass.engine.HourglassException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock table with several holders of one resource. A resource's first holder is kept apart
 * from the others (most rows have one), so these check that the others count as fully as the
 * first: in compatibility, after the first has gone, and in the deadlock search.
 */
class LockManagerTest {
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);
    private final LockManager locks = new LockManager();
    private long ids;

    private Transaction txn() { return new Transaction(++ids, null, Isolation.SERIALIZABLE, LONG); }

    private void end(Transaction t) {
        locks.ending(t);
        locks.releaseAll(t);
    }

    private static int refused(Runnable r) {
        return assertThrows(HourglassException.class, r::run).number();
    }

    @Test
    void sharedHoldersKeepAnExclusiveRequestWaitingUntilTheLastOfThemEnds() {
        LockManager.Resource r = new LockManager.RowLock(1, 7);
        Transaction a = txn(), b = txn(), c = txn(), w = txn();
        locks.lock(a, r, LockMode.S, SHORT);
        locks.lock(b, r, LockMode.S, SHORT);
        locks.lock(c, r, LockMode.S, SHORT);
        assertEquals(6003, refused(() -> locks.lock(w, r, LockMode.X, SHORT)));
        end(a); // the first holder goes; the others still hold
        assertEquals(6003, refused(() -> locks.lock(w, r, LockMode.X, SHORT)));
        end(c);
        assertEquals(6003, refused(() -> locks.lock(w, r, LockMode.IX, SHORT)));
        end(b);
        locks.lock(w, r, LockMode.X, SHORT);
        assertTrue(locks.isLocked(r));
        // And now the exclusive holder, alone, keeps every other mode out.
        assertEquals(6003, refused(() -> locks.lock(a, r, LockMode.IS, SHORT)));
        end(w);
        assertFalse(locks.isLocked(r), "an unused resource leaves the table");
    }

    /** SKIP LOCKED's request: granted when it can be at once, else refused at once, never queued. */
    @Test
    void tryLockTakesOnlyWhatIsFreeAndPassesNoWaiter() throws Exception {
        LockManager.RowLock r = new LockManager.RowLock(1, 9);
        Transaction a = txn(), b = txn(), w = txn();
        assertTrue(locks.tryLock(a, r, LockMode.X));
        assertTrue(locks.tryLock(a, r, LockMode.X), "its holder has it");
        assertFalse(locks.tryLock(b, r, LockMode.X));
        assertFalse(locks.tryLock(b, r, LockMode.S));
        end(a);
        assertFalse(locks.isLocked(r));
        // a shared holder, and a writer waiting behind it: a compatible request does not pass the writer
        locks.lock(a, r, LockMode.S, SHORT);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> locks.lock(w, r, LockMode.X, LONG));
        long until = System.nanoTime() + LONG;
        while (locks.waits() == 0 && System.nanoTime() < until) Thread.onSpinWait();
        assertFalse(locks.tryLock(b, r, LockMode.S), "queued behind the waiting writer");
        end(a);
        waiting.get(30, TimeUnit.SECONDS);
        end(w);
        assertTrue(locks.tryLock(b, r, LockMode.S));
        end(b);
        assertFalse(locks.isLocked(r));
    }

    @Test
    void anUpgradeWaitsForTheOtherSharedHolders() {
        LockManager.Resource r = new LockManager.TableLock(3);
        Transaction a = txn(), b = txn();
        locks.lock(a, r, LockMode.S, SHORT);
        locks.lock(b, r, LockMode.S, SHORT);
        assertEquals(6003, refused(() -> locks.lock(b, r, LockMode.X, SHORT)), "b is not the first holder");
        assertEquals(6003, refused(() -> locks.lock(a, r, LockMode.X, SHORT)), "a is");
        end(b);
        locks.lock(a, r, LockMode.X, SHORT); // alone now: S + X = X, granted
        end(a);
    }

    @Test
    void twoSharedHoldersAskingForExclusiveAreADeadlock() throws Exception {
        LockManager.Resource r = new LockManager.RowLock(2, 9);
        Transaction a = txn(), b = txn();
        locks.lock(a, r, LockMode.S, SHORT);
        locks.lock(b, r, LockMode.S, SHORT);
        // a waits for b (a holder that is not the first); b's request then closes the cycle.
        CompletableFuture<Void> aWaits = CompletableFuture.runAsync(() -> locks.lock(a, r, LockMode.X, LONG));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.waitingFor == null && !aWaits.isDone() && System.nanoTime() < until) Thread.onSpinWait();
        assertFalse(aWaits.isDone(), "a's upgrade waits for b");
        long t0 = System.nanoTime();
        assertEquals(6002, refused(() -> locks.lock(b, r, LockMode.X, LONG)));
        assertTrue(System.nanoTime() - t0 < LONG / 2, "found by the search, not by the timeout");
        end(b); // the victim rolls back; a gets its upgrade
        aWaits.get(10, TimeUnit.SECONDS);
        end(a);
        assertFalse(locks.isLocked(r));
    }

    /** Starts {@code t}'s request on another thread and returns once it waits. */
    private CompletableFuture<Void> waiting(Transaction t, LockManager.Resource r, LockMode m) {
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> locks.lock(t, r, m, LONG), pool);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.waitingFor == null && !f.isDone() && System.nanoTime() < until) Thread.onSpinWait();
        assertFalse(f.isDone(), t + " waits");
        return f;
    }

    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopPool() { pool.shutdownNow(); }

    /**
     * Writers keep coming, each overlapping the last (every one compatible with those holding):
     * an exclusive request that arrived before them is served first, not starved until its
     * LockWait runs out (a DDL statement under a steady write load).
     */
    @Test
    void anExclusiveWaiterIsNotPassedByLaterCompatibleRequests() throws Exception {
        LockManager.Resource r = new LockManager.TableLock(5);
        Transaction first = txn(), ddl = txn();
        locks.lock(first, r, LockMode.IX, SHORT);
        CompletableFuture<Void> x = waiting(ddl, r, LockMode.X);
        Transaction later = txn();
        CompletableFuture<Void> ix = waiting(later, r, LockMode.IX); // compatible with first, but queued behind ddl
        end(first);
        x.get(10, TimeUnit.SECONDS);
        assertFalse(ix.isDone(), "the later writer waits for the exclusive holder");
        assertEquals(6003, refused(() -> locks.lock(txn(), r, LockMode.IS, SHORT)));
        end(ddl);
        ix.get(10, TimeUnit.SECONDS);
        end(later);
        assertFalse(locks.isLocked(r));
    }

    /** A waiter that gives up lets those queued behind it go; an upgrade does not queue behind waiters. */
    @Test
    void aWaiterThatTimesOutLetsTheQueueBehindItGoAndUpgradesGoFirst() throws Exception {
        LockManager.Resource r = new LockManager.TableLock(6);
        Transaction holder = txn(), impatient = txn(), behind = txn();
        locks.lock(holder, r, LockMode.IS, SHORT);
        CompletableFuture<Void> x = CompletableFuture.runAsync(() -> locks.lock(impatient, r, LockMode.X,
                TimeUnit.MILLISECONDS.toNanos(300)), pool);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (impatient.waitingFor == null && System.nanoTime() < until) Thread.onSpinWait();
        CompletableFuture<Void> s = waiting(behind, r, LockMode.S); // compatible with IS, queued behind X
        assertEquals(6003, ((HourglassException) assertThrows(java.util.concurrent.ExecutionException.class,
                () -> x.get(10, TimeUnit.SECONDS)).getCause()).number());
        s.get(10, TimeUnit.SECONDS); // woken when the waiter ahead gave up
        end(behind);
        CompletableFuture<Void> x2 = waiting(txn(), r, LockMode.X);
        locks.lock(holder, r, LockMode.IX, SHORT); // an upgrade: granted past the queued X
        end(holder);
        x2.get(10, TimeUnit.SECONDS);
    }

    /**
     * h holds S on r; x waits for X on r (for h); c asks for S on r, which h's S would allow, and
     * queues behind x; h then asks for what c holds. h waits for c, c for x (by the queue), x for
     * h: the search follows the queue and refuses h at once (TT6002), where it would otherwise
     * have waited out its LockWait with the other two behind it.
     */
    @Test
    void theDeadlockSearchFollowsTheQueue() throws Exception {
        LockManager.Resource r = new LockManager.RowLock(4, 1), q = new LockManager.RowLock(4, 2);
        Transaction h = txn(), x = txn(), c = txn();
        locks.lock(h, r, LockMode.S, SHORT);
        locks.lock(c, q, LockMode.X, SHORT);
        CompletableFuture<Void> xWaits = waiting(x, r, LockMode.X);
        CompletableFuture<Void> cWaits = waiting(c, r, LockMode.S);
        assertEquals(6002, refused(() -> locks.lock(h, q, LockMode.S, LONG)));
        end(h); // the victim rolls back
        xWaits.get(10, TimeUnit.SECONDS);
        assertFalse(cWaits.isDone(), "c still waits, now for x's X");
        end(x);
        cWaits.get(10, TimeUnit.SECONDS);
        end(c);
        assertFalse(locks.isLocked(r));
        assertFalse(locks.isLocked(q));
    }
}
