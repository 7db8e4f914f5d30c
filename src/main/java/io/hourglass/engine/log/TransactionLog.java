package io.hourglass.engine.log;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The log writer of one database: an in-memory log buffer that committers append to, and a
 * flusher thread that writes it to the log files and syncs them.
 *
 * <p>Durability promises:
 * <ul>
 *   <li>{@link #append} returns once the batch is in the log buffer: nothing is on disk yet.</li>
 *   <li>The flusher writes buffered records to the files within {@link Settings#writeDelayNanos}
 *       (then they survive a process crash) and syncs them within
 *       {@link Settings#syncWindowNanos} (then they survive a power loss). That bounds what
 *       DurableCommits=0 can lose.</li>
 *   <li>A durable batch's stage completes only after a sync covering it. Durable committers that
 *       arrive while a sync runs share the next one (group commit); a lone committer's sync
 *       starts as soon as the flusher sees it, with no waiting for company.</li>
 * </ul>
 * A failed write or sync is fatal: every waiting and later commit fails with TT0994 and
 * {@code onFatal} invalidates the database. It is never retried.
 */
public final class TransactionLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransactionLog.class.getName());

    /**
     * @param bufferBytes LogBufMB: appends wait when this much is not yet written
     * @param writeDelayNanos the longest buffered records wait before the flusher writes them
     * @param syncWindowNanos the longest written records wait for a sync when no one asks for one
     */
    public record Settings(long bufferBytes, long writeDelayNanos, long syncWindowNanos) {
        public static Settings defaults(long bufferBytes) {
            return new Settings(bufferBytes, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** A contiguous run of buffered bytes for one file. */
    private static final class Chunk {
        final int file;
        final long start;
        byte[] buf = new byte[1 << 14];
        int len;

        Chunk(int file, long start) {
            this.file = file;
            this.start = start;
        }

        void ensure(int more) {
            if (len + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private record Waiter(long lsn, CompletableFuture<Void> done) {}

    private final LogFiles files;
    private final Settings settings;
    private final long databaseId;
    private final Consumer<HourglassException> onFatal;

    // Append position; guarded by appendLock.
    private final ReentrantLock appendLock = new ReentrantLock();
    private int appendFile;
    private long appendOffset;
    private int preparedUpTo; // highest file number known to exist; guarded by appendLock

    // Shared with the flusher; guarded by buffer.
    private final ReentrantLock buffer = new ReentrantLock();
    private final Condition work = buffer.newCondition();
    private final Condition space = buffer.newCondition();
    private List<Chunk> pending = new ArrayList<>();
    private long pendingBytes;
    private long oldestPendingNanos;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long appendedLsn;
    private boolean closing;

    private volatile long writtenLsn;
    private volatile long syncedLsn;
    private volatile HourglassException fatal;

    // Flusher-only state.
    private final Map<Integer, StorageIo.FileHandle> handles = new HashMap<>();
    private int writeFile = -1;
    private long firstUnsyncedNanos;
    private final Thread flusher;

    /**
     * Opens the log for appending at {@code end} (where recovery found its end), creating the
     * file there if needed. {@code zeroTailFrom}: an offset in the end file from which stale bytes
     * of a torn tail must be zeroed before anything is appended (-1 when the tail is clean).
     */
    public TransactionLog(LogFiles files, Settings settings, long databaseId, long end, boolean zeroTail,
                          Consumer<HourglassException> onFatal) throws IOException {
        this.files = files;
        this.settings = settings;
        this.databaseId = databaseId;
        this.onFatal = onFatal;
        Lsn at = Lsn.of(end);
        this.appendFile = at.file();
        this.appendOffset = at.offset();
        files.create(appendFile, databaseId);
        this.preparedUpTo = appendFile;
        if (zeroTail) zeroFrom(appendFile, appendOffset);
        this.appendedLsn = end;
        this.writtenLsn = end;
        this.syncedLsn = end;
        this.flusher = Thread.ofPlatform().daemon().name("hourglass-log-" + files.name()).start(this::flushLoop);
    }

    /** Overwrites a torn tail with zeros and syncs, so no stale record can ever be read as new. */
    private void zeroFrom(int file, long offset) throws IOException {
        try (StorageIo.FileHandle h = files.io().open(files.path(file), false)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long pos = offset; pos < files.fileSize(); pos += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), files.fileSize() - pos));
                h.write(pos, zeros);
            }
            h.sync();
        }
    }

    public LogFiles files() { return files; }

    public long databaseId() { return databaseId; }

    /** End of the last appended batch. */
    public long appendedLsn() {
        buffer.lock();
        try {
            return appendedLsn;
        } finally {
            buffer.unlock();
        }
    }

    public long writtenLsn() { return writtenLsn; }

    public long syncedLsn() { return syncedLsn; }

    public boolean failed() { return fatal != null; }

    /**
     * Appends a batch of records, contiguously, and returns the LSN just after it. Nothing is on
     * disk when this returns. Fails without appending anything when the log cannot take the batch:
     * TT0994 after a fatal error, TT90022 when a new log file cannot be created (disk full),
     * TT90023 for a record larger than a log file. Callers serialise appends with their commit
     * order (the transaction manager's commit lock).
     */
    public long append(List<LogCodec.Entry> batch) {
        appendLock.lock();
        try {
            checkFatal();
            long capacity = files.fileSize() - LogFormat.FILE_HEADER;
            int file = appendFile;
            long off = appendOffset;
            int bytes = 0;
            for (LogCodec.Entry e : batch) {
                if (e.size() > capacity) {
                    throw ErrorCode.LOG_RECORD_TOO_LARGE.error(e.size(), files.fileSize());
                }
                if (off + e.size() > files.fileSize()) {
                    file++;
                    off = LogFormat.FILE_HEADER;
                }
                off += e.size();
                bytes += e.size();
            }
            for (int f = preparedUpTo + 1; f <= file; f++) {
                try {
                    files.create(f, databaseId);
                    preparedUpTo = f;
                } catch (IOException ex) {
                    throw ErrorCode.LOG_DISK_FULL.error(files.path(f), ex.getMessage());
                }
            }
            return place(batch, bytes);
        } finally {
            appendLock.unlock();
        }
    }

    private long place(List<LogCodec.Entry> batch, int bytes) {
        buffer.lock();
        try {
            while (pendingBytes > 0 && pendingBytes + bytes > settings.bufferBytes()) {
                checkFatal();
                work.signal();
                space.awaitUninterruptibly(); // the log buffer is full: wait for the flusher
            }
            checkFatal();
            for (LogCodec.Entry e : batch) {
                if (appendOffset + e.size() > files.fileSize()) {
                    long room = files.fileSize() - appendOffset;
                    if (room >= LogFormat.RECORD_HEADER) {
                        // An END_OF_FILE record says the log goes on in the next file.
                        Chunk c = chunk(appendFile, appendOffset);
                        c.ensure(LogFormat.RECORD_HEADER);
                        LogFormat.writeRecord(c.buf, c.len, appendFile, appendOffset, LogRecord.END_OF_FILE, 0, new byte[0]);
                        c.len += LogFormat.RECORD_HEADER;
                        pendingBytes += LogFormat.RECORD_HEADER;
                    }
                    appendFile++;
                    appendOffset = LogFormat.FILE_HEADER;
                }
                Chunk c = chunk(appendFile, appendOffset);
                c.ensure(e.size());
                LogFormat.writeRecord(c.buf, c.len, appendFile, appendOffset, e.type(), e.txnId(), e.payload());
                c.len += e.size();
                appendOffset += e.size();
                pendingBytes += e.size();
            }
            if (oldestPendingNanos == 0) oldestPendingNanos = System.nanoTime();
            appendedLsn = Lsn.pack(appendFile, appendOffset);
            if (pendingBytes >= settings.bufferBytes() / 4) work.signal();
            return appendedLsn;
        } finally {
            buffer.unlock();
        }
    }

    private Chunk chunk(int file, long offset) {
        Chunk last = pending.isEmpty() ? null : pending.getLast();
        if (last != null && last.file == file && last.start + last.len == offset) return last;
        Chunk c = new Chunk(file, offset);
        pending.add(c);
        return c;
    }

    /**
     * A stage that completes when everything up to {@code lsn} is synced (at once if it is), or
     * fails with TT0994 if the log fails first.
     */
    public CompletableFuture<Void> whenDurable(long lsn) {
        if (syncedLsn >= lsn) return CompletableFuture.completedFuture(null);
        buffer.lock();
        try {
            if (fatal != null) return CompletableFuture.failedFuture(fatal);
            if (syncedLsn >= lsn) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> f = new CompletableFuture<>();
            // Waiters are added in LSN order except when a caller asks for an older LSN; keep the
            // deque ordered so the flusher completes a prefix.
            if (!waiters.isEmpty() && waiters.getLast().lsn() > lsn) {
                List<Waiter> tail = new ArrayList<>();
                while (!waiters.isEmpty() && waiters.getLast().lsn() > lsn) tail.add(waiters.removeLast());
                waiters.add(new Waiter(lsn, f));
                for (int i = tail.size() - 1; i >= 0; i--) waiters.add(tail.get(i));
            } else {
                waiters.add(new Waiter(lsn, f));
            }
            work.signal(); // a durable committer waits: no delay
            return f;
        } finally {
            buffer.unlock();
        }
    }

    private void checkFatal() {
        HourglassException f = fatal;
        if (f != null) throw f;
    }

    // ---- flusher ------------------------------------------------------------------------------

    private void flushLoop() {
        try {
            while (true) {
                List<Chunk> take;
                boolean syncNow;
                boolean stop;
                buffer.lock();
                try {
                    while (true) {
                        long now = System.nanoTime();
                        boolean unsynced = writtenLsn > syncedLsn;
                        boolean durableWaiting = !waiters.isEmpty();
                        boolean writeDue = !pending.isEmpty()
                                && (durableWaiting || closing || pendingBytes >= settings.bufferBytes() / 4
                                    || now - oldestPendingNanos >= settings.writeDelayNanos());
                        boolean syncDue = unsynced && (durableWaiting || closing
                                || now - firstUnsyncedNanos >= settings.syncWindowNanos());
                        if (writeDue || syncDue || (closing && pending.isEmpty() && !unsynced)) break;
                        long waitNanos = Long.MAX_VALUE;
                        if (!pending.isEmpty()) waitNanos = settings.writeDelayNanos() - (now - oldestPendingNanos);
                        if (unsynced) waitNanos = Math.min(waitNanos, settings.syncWindowNanos() - (now - firstUnsyncedNanos));
                        if (waitNanos == Long.MAX_VALUE) work.awaitUninterruptibly();
                        else work.awaitNanos(Math.max(waitNanos, 1000));
                    }
                    take = pending;
                    pending = new ArrayList<>();
                    pendingBytes = 0;
                    oldestPendingNanos = 0;
                    space.signalAll();
                    syncNow = !waiters.isEmpty() || closing;
                    stop = closing;
                } finally {
                    buffer.unlock();
                }
                for (Chunk c : take) write(c);
                long now = System.nanoTime();
                if (writtenLsn > syncedLsn && (syncNow || now - firstUnsyncedNanos >= settings.syncWindowNanos())) {
                    sync();
                }
                if (stop && writtenLsn == syncedLsn) {
                    buffer.lock();
                    try {
                        if (pending.isEmpty()) return;
                    } finally {
                        buffer.unlock();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            die(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            die(e);
        }
    }

    private void write(Chunk c) throws IOException {
        if (c.file != writeFile) {
            // Sync order, rule 3: the previous file is complete and durable before the next one
            // receives anything.
            if (writeFile >= 0 && writtenLsn > syncedLsn) sync();
            StorageIo.FileHandle old = handles.remove(writeFile);
            if (old != null) old.close();
            writeFile = c.file;
        }
        handle(c.file).write(c.start, ByteBuffer.wrap(c.buf, 0, c.len));
        if (writtenLsn == syncedLsn) firstUnsyncedNanos = System.nanoTime();
        writtenLsn = Lsn.pack(c.file, c.start + c.len);
    }

    private StorageIo.FileHandle handle(int file) throws IOException {
        StorageIo.FileHandle h = handles.get(file);
        if (h == null) {
            h = files.io().open(files.path(file), false);
            handles.put(file, h);
        }
        return h;
    }

    private void sync() throws IOException {
        long upTo = writtenLsn;
        handle(writeFile).sync();
        syncedLsn = upTo;
        List<Waiter> done = new ArrayList<>();
        buffer.lock();
        try {
            while (!waiters.isEmpty() && waiters.getFirst().lsn() <= upTo) done.add(waiters.removeFirst());
        } finally {
            buffer.unlock();
        }
        for (Waiter w : done) w.done().complete(null);
        prepareAhead();
    }

    /** Creates the next log file ahead of need once the current one is half full. */
    private void prepareAhead() {
        if (Lsn.of(writtenLsn).offset() < files.fileSize() / 2) return;
        if (!appendLock.tryLock()) return; // a committer is appending; try at the next sync
        try {
            int next = appendFile + 1;
            if (preparedUpTo < next) {
                files.create(next, databaseId);
                preparedUpTo = next;
            }
        } catch (IOException e) {
            // Not fatal: the append that needs the file tries again and refuses its commit if it
            // still cannot (TT90022), before anything of it becomes visible.
            LOG.log(Level.WARNING, "cannot create the next log file yet: " + e.getMessage());
        } finally {
            appendLock.unlock();
        }
    }

    private void die(Throwable cause) {
        HourglassException f = ErrorCode.CONNECTION_TERMINATED.error();
        f.initCause(cause);
        List<Waiter> failed;
        buffer.lock();
        try {
            fatal = f;
            failed = new ArrayList<>(waiters);
            waiters.clear();
            space.signalAll();
        } finally {
            buffer.unlock();
        }
        LOG.log(Level.SEVERE, "transaction log " + files.path(Math.max(writeFile, 0)) + " failed; the database is invalidated", cause);
        for (Waiter w : failed) w.done().completeExceptionally(f);
        closeHandles();
        onFatal.accept(f);
    }

    private void closeHandles() {
        for (StorageIo.FileHandle h : handles.values()) {
            try {
                h.close();
            } catch (IOException ignored) {
                // closing after a failure: nothing more to save
            }
        }
        handles.clear();
    }

    /**
     * Writes and syncs everything appended, then stops the flusher. Returns once all of it is
     * durable, or at once if the log had already failed.
     */
    @Override
    public void close() {
        buffer.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            buffer.unlock();
        }
        try {
            flusher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeHandles();
    }
}
