package io.hourglass.engine.log;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.spi.ForwardingStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group commit: commits that wait while a sync runs share the next one, and completing a group
 * does not hold up the sync after it: its completions (and whatever runs on them) go to a thread
 * of their own while the log goes on syncing.
 */
class GroupCommitTest {
    @TempDir
    Path dir;

    /** Real files; records who runs each of the log's syncs and can hold the next ones. */
    private static final class HeldSync extends ForwardingStorageIo {
        final ConcurrentLinkedQueue<Thread> syncers = new ConcurrentLinkedQueue<>();
        final BlockingQueue<Thread> held = new LinkedBlockingQueue<>(); // whose sync is held, as it starts
        final Semaphore release = new Semaphore(0); // a permit lets one held sync go
        final AtomicInteger toHold = new AtomicInteger(); // how many of the next syncs to hold
        volatile boolean failWrites;

        /** Lets every held sync, and every later one, go. */
        void releaseAll() {
            toHold.set(0);
            release.release(1000);
        }

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            FileHandle h = real.open(file, create);
            if (!file.getFileName().toString().endsWith(".log0")) return h;
            return new ForwardingHandle(h) {
                @Override
                public void write(long position, ByteBuffer src) throws IOException {
                    if (failWrites) throw new IOException("injected write failure");
                    h.write(position, src);
                }

                @Override
                public void sync() throws IOException {
                    syncers.add(Thread.currentThread());
                    if (toHold.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        held.add(Thread.currentThread());
                        try {
                            release.acquire();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    h.sync();
                }
            };
        }
    }

    /** Commits transaction 1 on a thread of its own and returns that thread once its sync is under way and held. */
    private static Thread holdFirstSync(TransactionLog log, HeldSync io) throws InterruptedException {
        io.toHold.set(1);
        long first = log.append(commit(1));
        Thread leader = Thread.ofPlatform().start(() -> log.whenDurable(first).join());
        assertEquals(leader, io.held.poll(10, TimeUnit.SECONDS), "the first sync is under way, the leader's");
        return leader;
    }

    /** The first sync (the leader's) held, four commits waiting behind it, then that sync let go and the next held. */
    private record NextSyncHeld(Thread leader, List<CompletableFuture<Void>> four, Thread syncer) {}

    private static NextSyncHeld holdTheSyncAfterTheLeaders(TransactionLog log, HeldSync io) throws InterruptedException {
        Thread leader = holdFirstSync(log, io);
        List<CompletableFuture<Void>> four = durableCommits(log, 2, 5);
        io.toHold.set(1); // the next sync too
        io.release.release();
        leader.join(10_000);
        return new NextSyncHeld(leader, four, io.held.poll(10, TimeUnit.SECONDS));
    }

    /** Appends commits of transactions {@code from} to {@code to} and asks for each to be durable. */
    private static List<CompletableFuture<Void>> durableCommits(TransactionLog log, int from, int to) {
        List<CompletableFuture<Void>> out = new ArrayList<>();
        for (int i = from; i <= to; i++) out.add(log.whenDurable(log.append(commit(i))));
        return out;
    }

    private static LogBatch commit(long txn) {
        return new LogBatch().rowImage(txn, true, 1, txn, new byte[64]).commit(txn, System.currentTimeMillis());
    }

    @Test
    void aGroupSharesOneSyncAndItsCompletionsDoNotHoldUpTheNext() throws Exception {
        HeldSync io = new HeldSync();
        CountDownLatch callbacksMayGo = new CountDownLatch(1);
        try (TransactionLog log = TestLogs.fresh(io, dir, "gc", 4L << 20)) {
            try {
                // The first commit's sync is held; eight more commits wait behind it.
                Thread leader = holdFirstSync(log, io);
                ConcurrentLinkedQueue<Thread> ranOn = new ConcurrentLinkedQueue<>();
                for (int i = 2; i <= 9; i++) {
                    CompletableFuture<Void> f = log.whenDurable(log.append(commit(i)));
                    // Whatever a caller chains on its commit runs where the commit completes;
                    // this one blocks until the end of the test.
                    f.thenRun(() -> {
                        ranOn.add(Thread.currentThread());
                        try {
                            callbacksMayGo.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                assertEquals(9, log.durableWaiters());
                io.syncers.clear();
                io.release.release();
                leader.join(10_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ranOn.isEmpty() && System.nanoTime() < deadline) Thread.sleep(1);
                assertFalse(ranOn.isEmpty(), "the group's sync completed it");
                assertEquals(1, io.syncers.size(), "the eight share one sync");

                // A callback is blocked where the group completes, yet the next durable commit is synced.
                long next = log.append(commit(10));
                log.whenDurable(next).get(10, TimeUnit.SECONDS);
                assertTrue(log.syncedLsn() >= next);
                for (Thread t : ranOn) {
                    assertFalse(t.getName().startsWith("hourglass-log-"), "a group's completions run off the flusher: " + t);
                }
            } finally {
                io.releaseAll();
                callbacksMayGo.countDown();
            }
        }
    }

    /**
     * A leader syncs once, for its commit and those before it; commits that arrive during its
     * sync are the flusher's, so the leader's caller does not wait for them. The flusher, once its
     * sync ends with commits waiting that arrived during it, syncs them next at once (a chain).
     */
    @Test
    void aLeaderSyncsOnceAndTheFlusherChainsTheSyncOfCommitsThatArriveDuringItsOwn() throws Exception {
        HeldSync io = new HeldSync();
        try (TransactionLog log = TestLogs.fresh(io, dir, "gc", 4L << 20)) {
            try {
                NextSyncHeld held = holdTheSyncAfterTheLeaders(log, io);
                assertFalse(held.leader().isAlive(), "the leader returned after its own sync, with commits still waiting");
                Thread flusher = held.syncer();
                assertNotNull(flusher, "the next sync is under way");
                assertTrue(flusher.getName().startsWith("hourglass-log-"), "the flusher syncs what came during the leader's sync: " + flusher);

                long chainedBefore = log.chainedSyncs();
                List<CompletableFuture<Void>> third = durableCommits(log, 6, 8);
                long last = log.appendedLsn();
                assertFalse(third.stream().anyMatch(CompletableFuture::isDone), "nothing after the held sync is durable yet");
                io.release.release();
                CompletableFuture.allOf(held.four().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                CompletableFuture.allOf(third.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                assertTrue(log.syncedLsn() >= last);
                assertEquals(chainedBefore + 1, log.chainedSyncs(), "the three shared one sync, chained on the flusher's");
                Thread lastSyncer = null;
                for (Thread t : io.syncers) lastSyncer = t;
                assertEquals(flusher, lastSyncer, "the flusher ran it");
            } finally {
                io.releaseAll();
            }
        }
    }

    /**
     * A chain takes the next group's records as the last group's sync ends; if writing them then
     * fails, the last group's commits are durable all the same and complete, and the next
     * group's fail with TT0994.
     */
    @Test
    void aFailedWriteInAChainStillCompletesTheGroupItsLastSyncCovered() throws Exception {
        HeldSync io = new HeldSync();
        try (TransactionLog log = TestLogs.fresh(io, dir, "gc", 4L << 20)) {
            try {
                NextSyncHeld held = holdTheSyncAfterTheLeaders(log, io);
                assertNotNull(held.syncer(), "the flusher's sync of the four is under way");
                List<CompletableFuture<Void>> third = durableCommits(log, 6, 8);
                io.failWrites = true; // the chain's write of the three fails
                io.release.release();
                CompletableFuture.allOf(held.four().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                for (CompletableFuture<Void> f : third) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                    assertEquals(ErrorCode.CONNECTION_TERMINATED, ((HourglassException) e.getCause()).code());
                }
                assertTrue(log.failed());
            } finally {
                io.releaseAll();
            }
        }
    }

    /** Committers register after the commit lock, so LSNs arrive out of order: a sync completes every one it covers, and only those. */
    @Test
    void aSyncCompletesEveryWaiterItCoversWhateverTheirOrder() throws Exception {
        HeldSync io = new HeldSync();
        try (TransactionLog log = TestLogs.fresh(io, dir, "gc", 4L << 20)) {
            try {
                Thread leader = holdFirstSync(log, io);
                long a = log.append(commit(2)), b = log.append(commit(3)), c = log.append(commit(4));
                CompletableFuture<Void> fc = log.whenDurable(c), fa = log.whenDurable(a), fb = log.whenDurable(b);
                assertFalse(fa.isDone() || fb.isDone() || fc.isDone(), "nothing after the held sync is durable yet");
                io.release.release();
                leader.join(10_000);
                CompletableFuture.allOf(fa, fb, fc).get(10, TimeUnit.SECONDS);
                assertTrue(log.syncedLsn() >= c);
            } finally {
                io.releaseAll();
            }
        }
    }

    /** When no thread can be had for a group's completions, the syncing thread completes them itself: durable commits never hang. */
    @Test
    void aGroupCompletesEvenWhenNoThreadCanBeHadForIt() throws Exception {
        HeldSync io = new HeldSync();
        try (TransactionLog log = TestLogs.fresh(io, dir, "gc", 4L << 20)) {
            try {
                log.completeGroupsWith(r -> {
                    throw new java.util.concurrent.RejectedExecutionException("no thread");
                });
                Thread leader = holdFirstSync(log, io);
                List<CompletableFuture<Void>> group = durableCommits(log, 2, 9);
                io.release.release();
                leader.join(10_000);
                CompletableFuture.allOf(group.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                assertFalse(log.failed(), "the log goes on");
                log.whenDurable(log.append(commit(10))).get(10, TimeUnit.SECONDS);
            } finally {
                io.releaseAll();
            }
        }
    }
}
