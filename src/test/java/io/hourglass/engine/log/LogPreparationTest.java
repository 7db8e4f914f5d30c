package io.hourglass.engine.log;

import io.hourglass.engine.spi.ForwardingStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The next log file is made ahead of need without holding up the log: the flusher keeps writing
 * (DurableCommits=0's window) and durable commits keep syncing while it is zero-filled, and its
 * zeros are synced in slices rather than all at once.
 */
class LogPreparationTest {
    private static final long FILE_SIZE = 4L << 20;

    @TempDir
    Path dir;

    /** Real files; writes to log file 1 while it is prepared ({@code .log1.tmp}) can be held, and its syncs are counted. */
    private static final class HeldPreparation extends ForwardingStorageIo {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold = true;
        final AtomicInteger tmpSyncs = new AtomicInteger();
        final AtomicLong tmpBytes = new AtomicLong();

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            FileHandle h = real.open(file, create);
            if (!file.getFileName().toString().endsWith(".log1.tmp")) return h;
            return new ForwardingHandle(h) {
                @Override
                public void write(long position, ByteBuffer src) throws IOException {
                    if (hold) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    tmpBytes.addAndGet(src.remaining());
                    h.write(position, src);
                }

                @Override
                public void sync() throws IOException {
                    tmpSyncs.incrementAndGet();
                    h.sync();
                }
            };
        }
    }

    private static LogBatch commit(long txn, byte[] image) {
        return new LogBatch().rowImage(txn, true, 1, txn, image).commit(txn, System.currentTimeMillis());
    }

    private static void awaitWritten(TransactionLog log, long lsn) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.writtenLsn() < lsn && System.nanoTime() < deadline) Thread.sleep(2);
    }

    @Test
    void theLogKeepsWritingAndSyncingWhileTheNextFileIsPreparedInSyncedSlices() throws Exception {
        HeldPreparation io = new HeldPreparation();
        byte[] image = new byte[1000];
        try (TransactionLog log = TestLogs.fresh(io, dir, "lp", FILE_SIZE)) {
            try {
                // Fill the first file past half: the flusher then starts making file 1, whose
                // first write is held.
                long txn = 0, end = 0;
                while (Lsn.of(end).offset() < FILE_SIZE / 2 + 8192) end = log.append(commit(++txn, image));
                awaitWritten(log, end);
                assertTrue(io.entered.await(10, TimeUnit.SECONDS), "the next log file is being prepared");

                // While it is held: a non-durable commit still reaches the file within the write
                // window, and a durable one still completes.
                long nonDurable = log.append(commit(++txn, image));
                awaitWritten(log, nonDurable);
                assertTrue(log.writtenLsn() >= nonDurable, "the flusher writes while the next file is prepared");
                long durable = log.append(commit(++txn, image));
                log.whenDurable(durable).get(10, TimeUnit.SECONDS);
                assertTrue(log.syncedLsn() >= durable);

                io.hold = false;
                io.release.countDown();
                // The log goes on into the prepared file.
                while (Lsn.of(end).file() < 1) end = log.append(commit(++txn, image));
                log.whenDurable(end).get(10, TimeUnit.SECONDS);
            } finally {
                io.hold = false;
                io.release.countDown(); // never leave the log's threads held
            }
        }
        assertEquals(FILE_SIZE, Files.size(dir.resolve("lp.log1")), "file 1 is preallocated whole");
        assertEquals(FILE_SIZE + LogFormat.FILE_HEADER, io.tmpBytes.get(), "zeros and the header");
        // One sync per MB of zeros (the last one with the header), not one for the whole file.
        assertEquals(FILE_SIZE >> 20, io.tmpSyncs.get(), "the zeros are synced in 1 MB slices");
    }

    /** Real files; making log file 1 fails (as on a full disk) while {@code full} is set. */
    private static final class FullDisk extends ForwardingStorageIo {
        volatile boolean full = true;
        final AtomicInteger attempts = new AtomicInteger();
        final java.util.List<Long> attemptNanos = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            if (file.getFileName().toString().endsWith(".log1.tmp")) {
                attemptNanos.add(System.nanoTime());
                attempts.incrementAndGet();
                if (full) throw new IOException("No space left on device");
            }
            return real.open(file, create);
        }
    }

    /**
     * While the next file cannot be made, attempts back off (100 ms, doubling) instead of starting
     * again at every look of the flusher; the log keeps committing in the current file meanwhile,
     * and once space is back the next attempt makes the file.
     */
    @Test
    void aFailedPreparationBacksOffAndSucceedsOnceSpaceIsBack() throws Exception {
        FullDisk io = new FullDisk();
        byte[] image = new byte[1000];
        try (TransactionLog log = TestLogs.fresh(io, dir, "lp", FILE_SIZE)) {
            long txn = 0, end = 0;
            while (Lsn.of(end).offset() < FILE_SIZE / 2 + 8192) end = log.append(commit(++txn, image));
            log.whenDurable(end).get(10, TimeUnit.SECONDS);
            // Durable commits keep going (each flusher pass looks at the next file) until the
            // third attempt: the attempts' own times show the back-off, 100 then 200 ms at least
            // (a stall of the machine can only make the gaps longer; every look would be thousands).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (io.attempts.get() < 3 && System.nanoTime() < deadline) {
                log.whenDurable(log.append(commit(++txn, new byte[16]))).get(10, TimeUnit.SECONDS);
            }
            java.util.List<Long> at = io.attemptNanos;
            assertTrue(at.size() >= 3, "attempts in 10 s: " + at.size());
            assertTrue(at.get(1) - at.get(0) >= TimeUnit.MILLISECONDS.toNanos(100), "first back-off: " + (at.get(1) - at.get(0)) / 1_000_000 + " ms");
            assertTrue(at.get(2) - at.get(1) >= TimeUnit.MILLISECONDS.toNanos(200), "second back-off: " + (at.get(2) - at.get(1)) / 1_000_000 + " ms");
            assertFalse(Files.exists(dir.resolve("lp.log1")));

            io.full = false;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(dir.resolve("lp.log1")) && System.nanoTime() < deadline) {
                log.whenDurable(log.append(commit(++txn, new byte[16]))).get(10, TimeUnit.SECONDS);
                Thread.sleep(5);
            }
            assertTrue(Files.exists(dir.resolve("lp.log1")), "made once space is back");
            assertEquals(FILE_SIZE, Files.size(dir.resolve("lp.log1")));
        }
    }
}
