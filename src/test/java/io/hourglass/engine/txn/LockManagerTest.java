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
}
