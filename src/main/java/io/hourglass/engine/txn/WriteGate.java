package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database-wide door every writing transaction passes once, at its first write lock, and
 * leaves when it ends. A blocking checkpoint closes it: new writers queue at the door (up to
 * their LockWait), and the checkpoint waits until the writers already inside have finished. Then
 * nothing uncommitted exists anywhere, which is the instant a transaction-consistent image is
 * taken; the door opens again at once, before the image is written.
 *
 * <p>Passing costs one compare-and-set on a shared counter; the monitor is used only while the
 * door is closed.
 */
public final class WriteGate {
    private static final long CLOSED = 1L << 62;

    private final AtomicLong state = new AtomicLong(); // CLOSED bit | number of writers inside

    /** Lets a transaction in; waits while the door is closed, TT6003 after {@code timeoutNanos}. */
    void enter(long timeoutNanos) {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) == 0) {
                if (state.compareAndSet(s, s + 1)) return;
                continue;
            }
            awaitOpen(timeoutNanos);
        }
    }

    private synchronized void awaitOpen(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while ((state.get() & CLOSED) != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw ErrorCode.LOCK_TIMEOUT.error("the database is locked by a blocking checkpoint");
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ErrorCode.LOCK_TIMEOUT.error("interrupted while waiting for a blocking checkpoint");
            }
        }
    }

    /** A transaction that entered has ended. */
    void exit() {
        long s = state.decrementAndGet();
        if ((s & CLOSED) != 0 && (s & ~CLOSED) == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Closes the door and waits until no writer is inside. Returns false (door open again) if
     * writers are still inside after {@code timeoutNanos}.
     */
    public synchronized boolean close(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) throw new IllegalStateException("the write gate is already closed");
            if (state.compareAndSet(s, s | CLOSED)) break;
        }
        try {
            while ((state.get() & ~CLOSED) != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    open();
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        } catch (InterruptedException e) {
            open();
            throw e;
        }
    }

    /** Opens the door and wakes the writers queued at it. */
    public synchronized void open() {
        state.getAndUpdate(s -> s & ~CLOSED);
        notifyAll();
    }

    /** Writers inside now (diagnostics). */
    public long writers() { return state.get() & ~CLOSED; }
}
