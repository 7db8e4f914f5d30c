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
 *   <li>A durable batch's stage completes only after a sync covering it. A durable committer
 *       that finds no write or sync in progress leads: it writes and syncs the pending log itself,
 *       on its own (engine) thread, with no hand-off to the flusher and no waiting for company;
 *       committers arriving meanwhile share the next sync (group commit).</li>
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

    /** How far a chunk grows before the next records go into a new one (a record larger than this has a chunk of its own). */
    static final int CHUNK_MAX = 1 << 20;

    /** A contiguous run of buffered bytes for one file. */
    private static final class Chunk {
        final int file;
        final long start;
        byte[] buf;
        int len;

        Chunk(int file, long start, byte[] buf) {
            this.file = file;
            this.start = start;
            this.buf = buf;
        }

        void ensure(int more) {
            if (len + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private record Waiter(long lsn, CompletableFuture<Void> done) {}

    private static final byte[] END_OF_FILE = LogFormat.record(LogRecord.END_OF_FILE, 0, new byte[0]);
    private static final byte[] OPENED = LogFormat.record(LogRecord.OPENED, 0, new byte[0]);
    private static final long PREPARE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long PREPARE_SYNC_SLICE = 1 << 20;
    // After a failed attempt to make the next log file (disk full), the next waits 100 ms, then
    // twice as long each time, up to 30 s: the flusher looks for work thousands of times a second
    // under load, and each look used to start a new attempt, and a new warning.
    static final long PREPARE_RETRY_FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long PREPARE_RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int COMPLETE_ASIDE = 4;

    private final LogFiles files;
    private final Settings settings;
    private final long databaseId;
    private final Consumer<HourglassException> onFatal;

    // Append position; guarded by appendLock.
    private final ReentrantLock appendLock = new ReentrantLock();
    private int appendFile;
    private long appendOffset;
    private int appendSalt; // appendFile's salt (LogFormat)
    // Highest log file number known to exist. Files are created under prepareLock, never under
    // appendLock, so the flusher can make the next file ahead of need without stopping commits.
    private final ReentrantLock prepareLock = new ReentrantLock();
    private volatile int preparedUpTo;

    // Shared with the flusher; guarded by buffer.
    private final ReentrantLock buffer = new ReentrantLock();
    private final Condition work = buffer.newCondition();
    private final Condition space = buffer.newCondition();
    private List<Chunk> pending = new ArrayList<>();
    private long pendingBytes;
    private long oldestPendingNanos;
    // Durable commits waiting for a sync, in no particular order: committers register after the
    // commit lock, so LSNs arrive out of order, and keeping them sorted cost more than a sync's
    // pass over a few dozen.
    private List<Waiter> waiters = new ArrayList<>();
    private final ArrayDeque<byte[]> spareBuffers = new ArrayDeque<>(); // written chunks' buffers, reused
    private long appendedLsn;
    private boolean closing;
    // SYS.MONITOR's counters since the load (written under buffer, or by the one thread that holds io)
    private volatile long bytesToBuffer, bufferWaits, fileWrites, forces;

    private volatile long writtenLsn;
    private volatile long syncedLsn;
    private volatile HourglassException fatal;
    private volatile HourglassException refusal;

    // Who writes and syncs: the flusher, or a durable committer leading its group. Guards the
    // state below.
    private final ReentrantLock io = new ReentrantLock();
    private final Map<Integer, StorageIo.FileHandle> handles = new HashMap<>();
    private int writeFile = -1;
    private long firstUnsyncedNanos;
    private volatile long chainedSyncs; // syncs a chain started (see flushNow); for tests
    private final Thread flusher;
    private volatile Thread preparer; // creates the next log file ahead of need; started by the flusher
    // Runs a sync's completions of a large group (a test replaces it).
    private volatile Consumer<Runnable> completer = Thread::startVirtualThread;
    // Failed attempts to make the next file since the last success, and when the next may start.
    private volatile int prepareFailures;
    private volatile long prepareRetryAtNanos;
    private final LogHolds holds = new LogHolds();

    /**
     * Opens the log for appending at {@code end}, where recovery found its end. With
     * {@code staleAfterEnd} (after a crash: records of the end's file may lie beyond the end, see
     * {@link LogReader.Result#staleAfterEnd}) the end's file is closed there with an END_OF_FILE
     * record, synced, and appending starts in the next file; otherwise it goes on at the end, in
     * a file created now if there is none, and in a file that already holds the log after an
     * OPENED record, synced before anything else is written, so that the SHUTDOWN before it is no
     * longer the last record (LogReader then knows that this life wrote there).
     */
    public TransactionLog(LogFiles files, Settings settings, long databaseId, long end, boolean staleAfterEnd,
                          Consumer<HourglassException> onFatal) throws IOException {
        this.files = files;
        this.settings = settings;
        this.databaseId = databaseId;
        this.onFatal = onFatal;
        Lsn at = Lsn.of(end);
        if (staleAfterEnd) {
            if (files.fileSize() - at.offset() >= LogFormat.RECORD_HEADER) writeSynced(at, END_OF_FILE);
            at = Lsn.of(Lsn.pack(at.file() + 1, LogFormat.FILE_HEADER));
        }
        boolean existed = files.io().exists(files.path(at.file()));
        if (existed && !staleAfterEnd && !files.headerValid(at.file())) {
            // A file the reader found no header in (its creation cut short) holds nothing: made anew.
            files.io().delete(files.path(at.file()));
            existed = false;
        }
        files.create(at.file(), databaseId);
        if (existed && !staleAfterEnd) {
            writeSynced(at, OPENED);
            at = Lsn.of(Lsn.pack(at.file(), at.offset() + OPENED.length));
        }
        this.appendFile = at.file();
        this.appendOffset = at.offset();
        this.appendSalt = files.knownSalt(appendFile); // create learnt it
        this.preparedUpTo = appendFile;  // created just above
        this.appendedLsn = at.packed();
        this.writtenLsn = appendedLsn;
        this.syncedLsn = appendedLsn;
        this.flusher = Thread.ofPlatform().daemon().name("hourglass-log-" + files.name()).start(this::flushLoop);
    }

    /** Writes one record (built with a zero LSN) at {@code at} and syncs its file. */
    private void writeSynced(Lsn at, byte[] record) throws IOException {
        byte[] placed = new byte[record.length];
        LogFormat.place(record, 0, record.length, placed, 0, at.file(), at.offset(), files.salt(at.file()));
        try (StorageIo.FileHandle h = files.io().open(files.path(at.file()), false)) {
            h.write(at.offset(), ByteBuffer.wrap(placed));
            h.sync();
        }
    }

    public LogFiles files() { return files; }

    /** Bytes of records put in the log buffer since the load (SYS.MONITOR's LOG_BYTES_TO_LOG_BUFFER). */
    public long bytesToBuffer() { return bytesToBuffer; }

    /** Appends that waited for room in the log buffer (LogBufMB) since the load. */
    public long bufferWaits() { return bufferWaits; }

    /** Writes to log files since the load (LOG_FS_WRITES). */
    public long fileWrites() { return fileWrites; }

    /** Syncs of log files since the load (LOG_FORCES). */
    public long forces() { return forces; }

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

    /** The holds that keep log files from being purged. */
    public LogHolds holds() { return holds; }

    /**
     * Purges every log file that no hold needs any more (LogPurge: delete; with {@code archive},
     * rename to {@code .arch}). The file being written is never purged. Returns the numbers purged.
     */
    public List<Integer> purge(boolean archive) throws IOException {
        long keepFrom = holds.minimum(appendedLsn());
        int below = Math.min(Lsn.of(keepFrom).file(), Lsn.of(syncedLsn).file());
        return files.purgeBefore(below, archive);
    }

    public long syncedLsn() { return syncedLsn; }

    /** About the log bytes from {@code from} to {@code to} (0 if {@code to} is not after it): how far a follower is behind. */
    public long bytesBetween(long from, long to) {
        Lsn a = Lsn.of(from), b = Lsn.of(to);
        if (b.compareTo(a) <= 0) return 0;
        return (long) (b.file() - a.file()) * (files.fileSize() - LogFormat.FILE_HEADER) + b.offset() - a.offset();
    }

    /** Replaces what runs a large group's completions (for tests). */
    void completeGroupsWith(Consumer<Runnable> c) { completer = c; }

    /** Syncs the flusher started right on the end of another, without looking for work (for tests). */
    long chainedSyncs() { return chainedSyncs; }

    /** Durable commits waiting for a sync now (for tests). */
    int durableWaiters() {
        buffer.lock();
        try {
            return waiters.size();
        } finally {
            buffer.unlock();
        }
    }

    public boolean failed() { return fatal != null; }

    /**
     * While {@code why} is set, batches that commit a transaction are refused with it and nothing
     * of them is appended (a log hold has reached its limit); a shutdown record still goes. Null
     * lifts the refusal.
     */
    public void refuseCommits(HourglassException why) { refusal = why; }

    /** Why commits are refused now, or null. */
    public HourglassException commitRefusal() { return refusal; }

    /**
     * Appends a batch of records, contiguously, and returns the LSN just after it. Nothing is on
     * disk when this returns. Fails without appending anything when the log cannot take the batch:
     * TT0994 after a fatal error, TT90022 when a new log file cannot be created (disk full),
     * TT90023 for a record larger than a log file. Callers serialise appends with their commit
     * order (the transaction manager's commit lock).
     */
    public long append(LogBatch batch) {
        HourglassException refused = refusal;
        if (refused != null && batch.commits()) throw refused;
        appendLock.lock();
        try {
            checkFatal();
            long capacity = files.fileSize() - LogFormat.FILE_HEADER;
            int file = appendFile;
            long off = appendOffset;
            int bytes = batch.bytes();
            for (int i = 0; i < batch.records(); i++) {
                int size = batch.length(i);
                if (size > capacity) throw ErrorCode.LOG_RECORD_TOO_LARGE.error(size, files.fileSize());
                if (off + size > files.fileSize()) {
                    file++;
                    off = LogFormat.FILE_HEADER;
                }
                off += size;
            }
            if (preparedUpTo < file) prepareUpTo(file, files.fileSize()); // not made ahead: make it now, in one piece
            return place(batch, bytes);
        } finally {
            appendLock.unlock();
        }
    }

    private long place(LogBatch batch, int bytes) {
        buffer.lock();
        try {
            if (pendingBytes > 0 && pendingBytes + bytes > settings.bufferBytes()) bufferWaits++;
            while (pendingBytes > 0 && pendingBytes + bytes > settings.bufferBytes()) {
                checkFatal();
                work.signal();
                space.awaitUninterruptibly(); // the log buffer is full: wait for the flusher
            }
            checkFatal();
            for (int i = 0; i < batch.records(); i++) {
                int size = batch.length(i);
                if (appendOffset + size > files.fileSize()) {
                    long room = files.fileSize() - appendOffset;
                    if (room >= LogFormat.RECORD_HEADER) {
                        // An END_OF_FILE record says the log goes on in the next file.
                        Chunk c = chunk(appendFile, appendOffset, LogFormat.RECORD_HEADER);
                        LogFormat.place(END_OF_FILE, 0, END_OF_FILE.length, c.buf, c.len, appendFile, appendOffset, appendSalt);
                        c.len += LogFormat.RECORD_HEADER;
                        pendingBytes += LogFormat.RECORD_HEADER;
                    }
                    appendFile++;
                    appendOffset = LogFormat.FILE_HEADER;
                    appendSalt = files.knownSalt(appendFile); // append made the file (and learnt its salt) first
                }
                Chunk c = chunk(appendFile, appendOffset, size);
                LogFormat.place(batch.buffer(), batch.start(i), size, c.buf, c.len, appendFile, appendOffset, appendSalt);
                c.len += size;
                appendOffset += size;
                pendingBytes += size;
            }
            if (oldestPendingNanos == 0) oldestPendingNanos = System.nanoTime();
            bytesToBuffer += bytes;
            appendedLsn = Lsn.pack(appendFile, appendOffset);
            if (pendingBytes >= settings.bufferBytes() / 4) work.signal();
            return appendedLsn;
        } finally {
            buffer.unlock();
        }
    }

    /**
     * The chunk to place {@code size} bytes at {@code offset} of {@code file} in, with room for
     * them: the last one if they continue it and it stays within {@link #CHUNK_MAX}, else a new
     * one. A large commit is so buffered in pieces of about a megabyte, not in one array that
     * doubles its way up to the commit's size.
     */
    private Chunk chunk(int file, long offset, int size) {
        Chunk last = pending.isEmpty() ? null : pending.getLast();
        if (last != null && last.file == file && last.start + last.len == offset
                && (last.len == 0 || last.len + size <= CHUNK_MAX)) {
            last.ensure(size);
            return last;
        }
        byte[] buf = spareBuffers.poll();
        Chunk c = new Chunk(file, offset, buf != null ? buf : new byte[1 << 16]);
        c.ensure(size);
        pending.add(c);
        return c;
    }

    /**
     * A stage that completes when everything up to {@code lsn} is synced (at once if it is), or
     * fails with TT0994 if the log fails first. If no write or sync is under way, the calling
     * thread leads: it writes and syncs the pending log itself before returning, so the stage is
     * usually complete on return. Call it only from engine threads, never from an event loop.
     */
    public CompletableFuture<Void> whenDurable(long lsn) {
        if (syncedLsn >= lsn) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        buffer.lock();
        try {
            if (fatal != null) return CompletableFuture.failedFuture(fatal);
            if (syncedLsn >= lsn) return CompletableFuture.completedFuture(null);
            waiters.add(new Waiter(lsn, f));
            // A write or sync under way may have taken the buffer before this commit's records:
            // the flusher takes this one next. (If no one holds io now but someone takes it before
            // the tryLock below, that holder takes the buffer after this commit's append: a
            // leader syncs it; the flusher finds this waiter when it looks for work again.)
            if (io.isLocked()) work.signal();
        } finally {
            buffer.unlock();
        }
        if (io.tryLock()) {
            // Nobody is writing: lead. Write what is pending and sync, for this commit and every
            // commit buffered before it.
            try {
                flushNow(true, false);
            } catch (IOException | RuntimeException e) {
                die(e);
            } finally {
                io.unlock();
            }
        }
        return f;
    }

    /**
     * Takes everything pending, writes it, and syncs if {@code sync} (or the sync window is up).
     * With {@code chain} (the flusher), goes on while durable commits wait: when a sync ends and
     * commits that arrived during it wait, their records are taken in the same hold of the buffer
     * lock that completes the synced ones, and written and synced at once. Between two syncs the
     * flusher then takes that lock once, not four times (taking the pending records, returning
     * the written buffers, completing, looking for work), each a chance to queue behind the
     * committers that hold it: with 64 durable committers the gap between syncs was 19 to 25 us
     * of a 140 us cycle, and is 12 to 15 us with the chain. A leader does not chain: its caller
     * waits for it. The caller holds {@link #io}.
     */
    private void flushNow(boolean sync, boolean chain) throws IOException {
        checkFatal();
        List<Chunk> take;
        buffer.lock();
        try {
            take = takePending();
        } finally {
            buffer.unlock();
        }
        while (true) {
            for (Chunk c : take) write(c);
            if (writtenLsn <= syncedLsn || !(sync || System.nanoTime() - firstUnsyncedNanos >= settings.syncWindowNanos())) {
                recycle(take);
                return;
            }
            take = sync(take, chain);
            if (take == null) return;
            sync = true; // durable commits wait for what was just taken
            chainedSyncs++;
            checkFatal();
            prepareAhead(); // a chain can run for as long as durable commits keep coming
        }
    }

    /** Takes every pending chunk. The caller holds {@link #buffer}. */
    private List<Chunk> takePending() {
        List<Chunk> take = pending;
        pending = new ArrayList<>();
        pendingBytes = 0;
        oldestPendingNanos = 0;
        space.signalAll();
        return take;
    }

    private void checkFatal() {
        HourglassException f = fatal;
        if (f != null) throw f;
    }

    // ---- flusher ------------------------------------------------------------------------------

    private void flushLoop() {
        try {
            while (true) {
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
                        // Wake at least every 50 ms to make the next log file ahead of need.
                        long waitNanos = PREPARE_CHECK_NANOS;
                        if (!pending.isEmpty()) waitNanos = Math.min(waitNanos, settings.writeDelayNanos() - (now - oldestPendingNanos));
                        if (unsynced) waitNanos = Math.min(waitNanos, settings.syncWindowNanos() - (now - firstUnsyncedNanos));
                        if (work.awaitNanos(Math.max(waitNanos, 1000)) <= 0 && waitNanos == PREPARE_CHECK_NANOS) break;
                    }
                    syncNow = !waiters.isEmpty() || closing;
                    stop = closing;
                } finally {
                    buffer.unlock();
                }
                io.lock();
                try {
                    flushNow(syncNow, true);
                } finally {
                    io.unlock();
                }
                prepareAhead(); // file creation stays off every commit's path and off this thread
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

    /** Returns written chunks' buffers for reuse, so appends rarely allocate. */
    private void recycle(List<Chunk> written) {
        if (written.isEmpty()) return;
        buffer.lock();
        try {
            recycleLocked(written);
        } finally {
            buffer.unlock();
        }
    }

    private void recycleLocked(List<Chunk> written) {
        for (Chunk c : written) {
            if (spareBuffers.size() < 4 && c.buf.length <= settings.bufferBytes()) spareBuffers.push(c.buf);
        }
    }

    private void write(Chunk c) throws IOException {
        if (c.file != writeFile) {
            // Sync order, rule 3: the previous file is complete and durable before the next one
            // receives anything.
            if (writeFile >= 0 && writtenLsn > syncedLsn) sync(List.of(), false);
            StorageIo.FileHandle old = handles.remove(writeFile);
            if (old != null) old.close();
            writeFile = c.file;
        }
        handle(c.file).write(c.start, ByteBuffer.wrap(c.buf, 0, c.len));
        fileWrites++;
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

    /**
     * Syncs what is written, returns {@code written}'s buffers for reuse and completes the commits
     * the sync covers. With {@code chain}, if durable commits still wait, takes the pending records
     * for the caller to write and sync next and returns them; otherwise returns null.
     */
    private List<Chunk> sync(List<Chunk> written, boolean chain) throws IOException {
        long upTo = writtenLsn;
        handle(writeFile).sync();
        forces++;
        syncedLsn = upTo;
        List<Waiter> done = new ArrayList<>();
        List<Chunk> next = null;
        buffer.lock();
        try {
            recycleLocked(written);
            List<Waiter> later = null;
            for (Waiter w : waiters) {
                if (w.lsn() <= upTo) {
                    done.add(w);
                } else {
                    if (later == null) later = new ArrayList<>();
                    later.add(w);
                }
            }
            if (done.size() == waiters.size()) waiters.clear();
            else waiters = later;
            if (chain && !waiters.isEmpty()) next = takePending();
        } finally {
            buffer.unlock();
        }
        // Completing a group takes a wake-up per commit (about 15 us for 30 on this project's
        // 2-core machine), time in which the disk would wait for the next sync. A group's
        // completions, and whatever runs on them, go to a virtual thread of their own; the syncing
        // thread writes and syncs the next group meanwhile. A few are cheaper to complete here.
        Runnable complete = () -> {
            for (Waiter w : done) w.done().complete(null);
        };
        if (done.size() < COMPLETE_ASIDE) {
            complete.run();
            return next;
        }
        try {
            completer.accept(complete);
        } catch (RuntimeException | OutOfMemoryError e) {
            // These commits are durable and no longer among the waiters: they must complete, here
            // if no thread can be had for them, rather than never.
            complete.run();
        }
        return next;
    }

    /** Makes sure log files up to {@code file} exist; TT90022 if one cannot be created. */
    private void prepareUpTo(int file, long syncEvery) {
        try {
            createUpTo(file, syncEvery);
        } catch (IOException ex) {
            throw ErrorCode.LOG_DISK_FULL.error(files.path(preparedUpTo + 1), ex.getMessage());
        }
    }

    /** Makes sure log files up to {@code file} exist. */
    private void createUpTo(int file, long syncEvery) throws IOException {
        prepareLock.lock();
        try {
            for (int f = preparedUpTo + 1; f <= file; f++) {
                files.create(f, databaseId, syncEvery); // and its salt is known before any record is placed for it
                preparedUpTo = f;
            }
        } finally {
            prepareLock.unlock();
        }
    }

    /**
     * Once the current file is half full, starts creating the next one on a thread of its own:
     * the flusher goes on writing meanwhile (DurableCommits=0's window holds while a file of
     * LogFileSize is zero-filled), and the zeros are synced in slices so commits' syncs do not
     * queue behind the whole file.
     */
    private void prepareAhead() {
        Lsn written = Lsn.of(writtenLsn);
        if (written.offset() < files.fileSize() / 2 || preparedUpTo > written.file()) return;
        if (preparer != null && preparer.isAlive()) return;
        if (prepareFailures > 0 && System.nanoTime() - prepareRetryAtNanos < 0) return;
        preparer = Thread.ofPlatform().daemon().name("hourglass-log-prepare-" + files.name()).start(() -> {
            try {
                createUpTo(written.file() + 1, PREPARE_SYNC_SLICE);
                if (prepareFailures > 0) {
                    LOG.info("made the next log file of " + files.name() + " after " + prepareFailures + " failed attempts");
                    prepareFailures = 0;
                }
            } catch (IOException e) {
                // Not fatal: the append that needs the file tries again and refuses its commit if
                // it still cannot (TT90022), before anything of it becomes visible.
                int failures = ++prepareFailures;
                long wait = Math.min(PREPARE_RETRY_MAX_NANOS, PREPARE_RETRY_FIRST_NANOS << Math.min(failures - 1, 20));
                prepareRetryAtNanos = System.nanoTime() + wait;
                // The first failure, then about one warning a minute while it lasts.
                if (failures == 1 || (wait == PREPARE_RETRY_MAX_NANOS && failures % 2 == 0)) {
                    LOG.log(Level.WARNING, "cannot create the next log file " + files.path(preparedUpTo + 1) + " yet (attempt "
                            + failures + ", next in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms): " + e.getMessage());
                }
            }
        });
    }

    /**
     * Fails the log for good (the database was invalidated for another reason): nothing more
     * is written, waiting and later commits get TT0994.
     */
    public void fail(Throwable cause) { die(cause); }

    private void die(Throwable cause) {
        HourglassException f = ErrorCode.CONNECTION_TERMINATED.error();
        f.initCause(cause);
        List<Waiter> failed;
        boolean first;
        buffer.lock();
        try {
            first = fatal == null;
            if (first) fatal = f;
            f = fatal;
            failed = new ArrayList<>(waiters);
            waiters.clear();
            space.signalAll();
        } finally {
            buffer.unlock();
        }
        for (Waiter w : failed) w.done().completeExceptionally(f);
        if (!first) return;
        LOG.log(Level.SEVERE, "transaction log " + files.path(Math.max(writeFile, 0)) + " failed; the database is invalidated", cause);
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
            Thread p = preparer;
            if (p != null) p.join(); // no file is created after close returns
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeHandles();
    }
}
