package io.hourglass.engine.checkpoint;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.log.LogCodec;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.spi.CheckpointListener;
import io.hourglass.engine.spi.StorageIo;
import io.hourglass.engine.store.Block;
import io.hourglass.engine.store.Version;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.TransactionManager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes checkpoints of one database into its two checkpoint files, alternately, and runs the
 * background checkpointer.
 *
 * <p>A checkpoint writes the older file: first its header is rewritten as "writing" and synced
 * (from then on recovery ignores the file), then the blocks changed since that file was last
 * written, the catalog and the block directory; then the log is made durable up to everything
 * the image may contain (write-ahead rule), the file is synced, and a "complete" header is
 * written and synced last. A crash anywhere leaves the other file complete.
 *
 * <p>Fuzzy: takes no lock but the DDL lock and the commit lock for an instant, to fix the redo
 * LSN and the catalog; blocks are read while transactions commit, each row as its newest
 * committed version; recovery replays the log from the redo LSN, whose records are full row
 * images and so may be applied again. Blocking: closes the {@link io.hourglass.engine.txn.WriteGate}
 * until the open write transactions have ended, fixes a snapshot there, opens the gate, and
 * writes the image as of that snapshot while transactions go on; recovery from it needs no log.
 */
public final class Checkpointer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Checkpointer.class.getName());
    private static final int WRITE_BUFFER = 1 << 20;
    private static final int WRITE_BUFFERS = 4;
    /**
     * The writers' direct buffers, kept from one checkpoint to the next (one runs at a time):
     * made anew for each checkpoint they would be freed only when the collector gets to them,
     * and a database checkpointing often would hold megabytes of dead ones.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> writeBuffers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger writeBuffersMade = new java.util.concurrent.atomic.AtomicInteger();

    public enum Type {
        FUZZY("Fuzzy"), BLOCKING("Blocking");

        public final String label;

        Type(String label) { this.label = label; }
    }

    public enum Initiator {
        USER("User"), CHECKPOINTER("Checkpointer"), SUBDAEMON("Subdaemon");

        public final String label;

        Initiator(String label) { this.label = label; }
    }

    /** The checkpoint settings in force: CkptFrequency (s), CkptLogVolume (MB), CkptRate (MB/s); 0 disables each. */
    public record Settings(int frequencySeconds, int logVolumeMb, int rateMbPerSecond) {}

    /**
     * One checkpoint to take.
     *
     * @param connectionId who asked (0 for the checkpointer itself), for TT625 messages
     * @param throttled whether CkptRate applies (not at unload)
     * @param timeoutSeconds blocking only: how long to wait for open write transactions, per try
     * @param retries blocking only: further tries after a timeout
     */
    public record Request(Type type, Initiator initiator, String reason, long connectionId, boolean throttled,
                          double timeoutSeconds, int retries) {
        public static Request fuzzy(Initiator who, String reason, long connectionId) {
            return new Request(Type.FUZZY, who, reason, connectionId, true, 0, 0);
        }
    }

    private final String database;
    private final CheckpointFiles files;
    private final Catalog catalog;
    private final TransactionManager tm;
    private final TransactionLog log;
    private final Supplier<Settings> settings;
    private final boolean archiveLog;
    private final long databaseId;
    private final CheckpointHistory history = new CheckpointHistory();
    private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();
    private final Activities activities;

    // Guarded by this (one checkpoint at a time holds the activity slot; the fields are read by
    // status and ttLogHolds).
    private final CheckpointFormat.Header[] complete = new CheckpointFormat.Header[2];
    private final FileLayout[] layouts = new FileLayout[2];
    private long lastCheckpointId;
    private long completedCount, fuzzyCount, bytesWrittenTotal; // since the load: totals()

    // The background checkpointer.
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile boolean unthrottle;
    private volatile long lastStartNanos = System.nanoTime();
    private volatile String pendingRecovery; // the recovery checkpoint's reason until the background thread takes it
    private volatile long lastStartLsn;
    private volatile long retryAtNanos;
    private volatile long retryIntervalNanos = TimeUnit.SECONDS.toNanos(30);
    private Thread background;
    /** Runs a checkpoint: normal priority, for it takes locks transactions wait for (see {@link #encoder}). */
    private final java.util.concurrent.ExecutorService worker;
    /**
     * Encodes the changed blocks, at lowered priority: the bulk of a checkpoint's CPU, and it
     * takes no lock a transaction needs. The short steps that do (the commit lock for the redo
     * point, the log buffer's lock, leading a log sync) stay on {@link #worker}: a nice-19 thread
     * preempted while holding one of those would stall every committer behind it (priority
     * inversion, measured as 3 to 8 ms waits for the commit lock while a checkpoint ran).
     */
    private final java.util.concurrent.ExecutorService encoder;

    public Checkpointer(String database, CheckpointFiles files, Catalog catalog, TransactionManager tm, TransactionLog log,
                        CheckpointFiles.State recovered, Supplier<Settings> settings, boolean archiveLog, Activities activities) {
        this.database = database;
        this.files = files;
        this.catalog = catalog;
        this.tm = tm;
        this.log = log;
        this.settings = settings;
        this.archiveLog = archiveLog;
        this.databaseId = log.databaseId();
        this.activities = activities;
        this.worker = java.util.concurrent.Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon()
                .name("hourglass-ckpt-run-" + database).unstarted(task));
        this.encoder = java.util.concurrent.Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon()
                .name("hourglass-ckpt-writer-" + database).unstarted(() -> {
                    BackgroundPriority.lowerCurrentThread();
                    task.run();
                }));
        for (int n = 0; n < 2; n++) {
            complete[n] = recovered.complete[n];
            layouts[n] = recovered.layouts[n];
            if (complete[n] != null) lastCheckpointId = Math.max(lastCheckpointId, complete[n].checkpointId());
        }
        this.lastStartLsn = log.appendedLsn();
        log.holds().register("checkpoint", this::hold);
    }

    public CheckpointHistory history() { return history; }

    /** Checkpoints completed since the load, of each type, and the bytes checkpoints wrote (SYS.MONITOR). */
    public record Totals(long completed, long fuzzy, long bytesWritten) {}

    public synchronized Totals totals() { return new Totals(completedCount, fuzzyCount, bytesWrittenTotal); }

    public void addListener(CheckpointListener l) { listeners.add(l); }

    public void removeListener(CheckpointListener l) { listeners.remove(l); }

    public Settings settings() { return settings.get(); }

    /** The complete header of checkpoint file {@code n}, or null. */
    public synchronized CheckpointFormat.Header header(int n) { return complete[n]; }

    /** The newest complete checkpoint's header, or null. */
    public synchronized CheckpointFormat.Header newest() {
        CheckpointFormat.Header a = complete[0], b = complete[1];
        if (a == null) return b;
        if (b == null) return a;
        return a.checkpointId() > b.checkpointId() ? a : b;
    }

    public CheckpointFiles files() { return files; }

    /** Numbers the next checkpoints after {@code id} (a restored database goes on after its archive's). */
    public synchronized void continueIdsAfter(long id) { lastCheckpointId = Math.max(lastCheckpointId, id); }

    /** Wakes the background checkpointer (after ttCkptConfig changed its settings). */
    public void settingsChanged() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Failed automatic checkpoints are retried after this long (30 s; tests shorten it). */
    public void setRetryInterval(long nanos) { retryIntervalNanos = nanos; }

    /**
     * The Checkpoint log hold: recovery needs the log from the older checkpoint's redo LSN (if the
     * newer file is damaged it falls back to the older one), and from the very start until both
     * files are complete.
     */
    private LogHolds.Hold hold() {
        CheckpointFormat.Header a, b;
        synchronized (this) {
            a = complete[0];
            b = complete[1];
        }
        if (a == null || b == null) {
            return new LogHolds.Hold(Lsn.pack(0, LogFormat.FILE_HEADER), "Checkpoint",
                    (a == null && b == null ? "no complete checkpoint yet" : "only one complete checkpoint file")
                            + ": recovery may need the log from its start");
        }
        CheckpointFormat.Header older = a.checkpointId() < b.checkpointId() ? a : b;
        return new LogHolds.Hold(older.redoLsn(), "Checkpoint", files.path(older.fileNo()).getFileName()
                + " (checkpoint " + older.checkpointId() + ")");
    }

    // ---- taking a checkpoint -----------------------------------------------------------------

    /**
     * Takes a checkpoint now, on the calling thread, and returns its history entry. Throws
     * TT0625 if a checkpoint or backup is running, TT6003 if a blocking checkpoint could not
     * get its moment without open write transactions, TT0615 if writing failed (the database
     * stays up; the other checkpoint file and the log still recover it), TT0618 if the final
     * sync failed. A blocking checkpoint when both files are current does nothing and returns null.
     */
    public CheckpointHistory.Entry checkpoint(Request r) {
        Activities.Ticket ticket = activities.tryBegin("Checkpoint", r.connectionId());
        try {
            // On the checkpoint's own thread (an interrupt of the caller never reaches its I/O): the caller waits.
            try {
                return awaitFully(worker.submit(() -> run(r)));
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw ErrorCode.CHECKPOINT_FAILED.error(String.valueOf(e.getCause()));
            }
        } finally {
            ticket.close();
        }
    }

    private CheckpointHistory.Entry run(Request r) {
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        lastStartNanos = t0; // the automatic checkpoint counters reset when a checkpoint starts
        lastStartLsn = log.appendedLsn();
        int target;
        long id;
        synchronized (this) {
            target = olderFile();
            id = lastCheckpointId + 1;
        }
        Progress pr = new Progress(id, startMillis, r, target);
        SnapshotSlot slot = null;
        TransactionManager.CheckpointPoint point;
        List<CatalogChange> cat;
        List<Table> tables;
        long nextTableId;
        if (r.type() == Type.BLOCKING && bothCurrent()) return null;
        started(pr); // listeners are called before any lock is taken
        catalog.ddlLock().lock();
        try {
            if (r.type() == Type.BLOCKING) {
                quiesce(r);
                try {
                    slot = tm.registerSlot();
                    point = tm.checkpointPoint(slot);
                    cat = catalog.snapshot();
                    tables = tablesById();
                    nextTableId = catalog.nextTableId() - 1;
                } finally {
                    tm.writeGate().open();
                }
            } else {
                point = tm.checkpointPoint(null);
                cat = catalog.snapshot();
                tables = tablesById();
                nextTableId = catalog.nextTableId() - 1;
            }
        } catch (RuntimeException e) {
            if (slot != null) {
                tm.closeSnapshot(slot);
                tm.unregisterSlot(slot);
            }
            fail(pr, e);
            throw e;
        } finally {
            catalog.ddlLock().unlock();
        }
        pr.redoLsn = point.lsn();
        boolean finalSync = false;
        try {
            long snapshot = slot != null ? point.commitTs() : Version.UNCOMMITTED - 1;
            FileLayout layout;
            synchronized (this) {
                layout = layouts[target];
                layouts[target] = null; // from the first write on, the file matches no layout until complete
                complete[target] = null;
            }
            if (layout == null) layout = new FileLayout();
            CheckpointFormat.Header h = writeImage(target, layout, pr, point, snapshot, cat, tables, nextTableId, r);
            finalSync = true;
            writeHeader(target, h);
            synchronized (this) {
                complete[target] = h;
                layouts[target] = layout;
                lastCheckpointId = Math.max(lastCheckpointId, id);
                completedCount++;
                if (r.type() == Type.FUZZY) fuzzyCount++;
                bytesWrittenTotal += pr.bytesWritten;
            }
            retryAtNanos = 0;
            CheckpointHistory.Entry done = pr.entry("Completed", null, System.currentTimeMillis());
            history.update(done);
            notifyListeners(pr, done, h, CheckpointListener::completed);
            purgeLog();
            return done;
        } catch (IOException | RuntimeException e) {
            HourglassException he = finalSync
                    ? ErrorCode.CHECKPOINT_OUTCOME_UNKNOWN.error(e.getMessage())
                    : e instanceof HourglassException x ? x : ErrorCode.CHECKPOINT_FAILED.error(String.valueOf(e.getMessage()));
            if (he != e) he.initCause(e);
            fail(pr, he);
            throw he;
        } finally {
            if (slot != null) {
                tm.closeSnapshot(slot);
                tm.unregisterSlot(slot);
            }
        }
    }

    private List<Table> tablesById() {
        List<Table> t = new ArrayList<>(catalog.tables());
        t.sort(Comparator.comparingLong(Table::id));
        return t;
    }

    /** The file to write: the one that is not the newest complete checkpoint. Caller holds this. */
    private int olderFile() {
        if (complete[0] == null) return 0;
        if (complete[1] == null) return 1;
        return complete[0].checkpointId() < complete[1].checkpointId() ? 0 : 1;
    }

    /** Both files hold the database exactly as it is now. */
    private synchronized boolean bothCurrent() {
        long ts = tm.lastCommitTs();
        for (CheckpointFormat.Header h : complete) {
            if (h == null || !h.consistent() || h.commitTs() != ts) return false;
        }
        return true;
    }

    /** Closes the write gate until no write transaction is open: TT6003 after every try times out. */
    private void quiesce(Request r) {
        long timeout = (long) (Math.max(0, r.timeoutSeconds()) * 1e9);
        for (int attempt = 0; attempt <= Math.max(0, r.retries()); attempt++) {
            try {
                if (tm.writeGate().close(timeout)) return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw ErrorCode.LOCK_TIMEOUT.error("blocking checkpoint: write transactions still open after "
                + (Math.max(0, r.retries()) + 1) + " wait(s) of " + r.timeoutSeconds() + " s");
    }

    /** Writes blocks, catalog and directory; returns the complete header to write last. */
    private CheckpointFormat.Header writeImage(int target, FileLayout layout, Progress pr, TransactionManager.CheckpointPoint point,
                                               long snapshot, List<CatalogChange> cat, List<Table> tables, long nextTableId,
                                               Request r) throws IOException {
        StorageIo io = files.io();
        boolean created = !io.exists(files.path(target));
        if (created) io.createDirectories(files.directory());
        try (StorageIo.FileHandle f = io.openForWriting(files.path(target), true)) {
            // 1. The file stops being a checkpoint before anything of it is overwritten.
            CheckpointFormat.Header writing = new CheckpointFormat.Header(target, CheckpointFormat.STATE_WRITING, 0, pr.id,
                    databaseId, point.lsn(), point.commitTs(), point.lastTxnId(), nextTableId, pr.startMillis, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0);
            f.write(0, ByteBuffer.wrap(writing.encode()));
            f.sync();
            if (created) io.syncDirectory(files.directory());
            try (Writer w = new Writer(f, r.throttled(), pr)) {
                // 2. Changed blocks, encoded on the lowered thread.
                Counts n = onEncoder(() -> writeBlocks(layout, tables, snapshot, w));
                // 3. Catalog and directory, rewritten every time.
                byte[] catBytes = encodeCatalog(cat);
                if (layout.catalogOffset >= 0) layout.release(layout.catalogOffset, layout.catalogCapacity);
                FileLayout.Extent cx = layout.allocate(CheckpointFormat.capacityFor(catBytes.length));
                layout.catalogOffset = cx.offset();
                layout.catalogCapacity = cx.capacity();
                w.write(cx.offset(), catBytes, catBytes.length, cx.capacity());
                if (layout.directoryOffset >= 0) layout.release(layout.directoryOffset, layout.directoryCapacity);
                layout.directoryOffset = -1;
                byte[] dir = encodeDirectory(layout, tables, n.blocksInUse());
                FileLayout.Extent dx = layout.allocate(CheckpointFormat.capacityFor(dir.length));
                layout.directoryOffset = dx.offset();
                layout.directoryCapacity = dx.capacity();
                w.write(dx.offset(), dir, dir.length, dx.capacity());
                w.finish();
                pr.blocksTotal = n.blocksTotal();
                pr.blocksInUse = n.blocksInUse();
                pr.bytesInUse = n.bytesInUse();
                pr.bytesTotal = layout.end;
                // 4. Write-ahead: every commit the image may hold is durable in the log before the
                // image can be used. Then the image itself.
                long seenUpTo = log.appendedLsn();
                pr.imageEndLsn = seenUpTo;
                log.whenDurable(seenUpTo).join();
                f.sync();
                boolean consistent = snapshot != Version.UNCOMMITTED - 1 || tm.lastCommitTs() == point.commitTs();
                return new CheckpointFormat.Header(target, CheckpointFormat.STATE_COMPLETE,
                        consistent ? CheckpointFormat.FLAG_CONSISTENT : 0, pr.id, databaseId, point.lsn(), point.commitTs(),
                        point.lastTxnId(), nextTableId, pr.startMillis, System.currentTimeMillis(), cx.offset(), catBytes.length,
                        CheckpointFormat.crc(catBytes, 0, catBytes.length), dx.offset(), dir.length,
                        CheckpointFormat.crc(dir, 0, dir.length), n.blocksInUse(), n.rows(), n.bytesInUse());
            }
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof HourglassException he) throw he;
            throw new IOException(e.getCause());
        }
    }

    /** What step 2 found: blocks in the tables, blocks and bytes the file holds, rows in them. */
    private record Counts(long blocksTotal, long blocksInUse, long bytesInUse, long rows) {}

    /** Writes every block changed since {@code layout}'s file last got it, as of {@code snapshot}. */
    private static Counts writeBlocks(FileLayout layout, List<Table> tables, long snapshot, Writer w) throws IOException {
        Set<Long> live = new HashSet<>();
        for (Table t : tables) live.add(t.id());
        layout.retainTables(live);
        Encoder enc = new Encoder();
        long blocksTotal = 0, blocksInUse = 0, bytesInUse = 0, rows = 0;
        for (Table t : tables) {
            Block[] blocks = t.store().blocks();
            blocksTotal += blocks.length;
            for (Block b : blocks) {
                long count = b.changeCount(); // before the slots: a change after this is written next time
                FileLayout.Entry e = layout.entry(t.id(), b.number());
                if (layout.writtenCount(t.id(), b.number()) != count) {
                    int n = enc.encode(t.id(), b, snapshot);
                    // A snapshot image of a block changed after the snapshot is not the
                    // block at this count: the next checkpoint of this file writes it again.
                    if (enc.newer) count = -1;
                    if (n == 0) {
                        layout.markEmpty(t.id(), b.number(), count);
                        e = null;
                    } else {
                        if (e == null || e.capacity < enc.len) {
                            if (e != null) layout.release(e.offset, e.capacity);
                            FileLayout.Extent x = layout.allocate(CheckpointFormat.capacityFor(enc.len));
                            e = new FileLayout.Entry();
                            e.offset = x.offset();
                            e.capacity = x.capacity();
                            layout.put(t.id(), b.number(), e);
                        }
                        e.length = enc.len;
                        e.crc = enc.crc;
                        e.count = count;
                        e.rows = n;
                        w.write(e.offset, enc.buf, enc.len, e.capacity);
                    }
                }
                if (e != null) {
                    blocksInUse++;
                    bytesInUse += e.length;
                    rows += e.rows;
                }
            }
        }
        return new Counts(blocksTotal, blocksInUse, bytesInUse, rows);
    }

    /** Runs {@code work} on the lowered-priority encoder thread and waits for it. */
    private <T> T onEncoder(java.util.concurrent.Callable<T> work) throws IOException {
        try {
            return awaitFully(encoder.submit(work));
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        }
    }

    /**
     * Waits for {@code f} to finish, whatever interrupts the waiting thread (noted and restored
     * once it has): checkpoint work is never abandoned half way through writing its file.
     */
    private static <T> T awaitFully(java.util.concurrent.Future<T> f) throws java.util.concurrent.ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** 5. The completion marker: the header, written and synced last. */
    private void writeHeader(int target, CheckpointFormat.Header h) throws IOException {
        try (StorageIo.FileHandle f = files.io().open(files.path(target), false)) {
            f.write(0, ByteBuffer.wrap(h.encode()));
            f.sync();
        }
    }

    private static byte[] encodeCatalog(List<CatalogChange> cat) {
        List<byte[]> parts = new ArrayList<>(cat.size());
        int len = 4;
        for (CatalogChange c : cat) {
            byte[] p = LogCodec.ddlPayload(c);
            parts.add(p);
            len += 4 + p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(parts.size());
        for (byte[] p : parts) b.putInt(p.length).put(p);
        return b.array();
    }

    private static byte[] encodeDirectory(FileLayout layout, List<Table> tables, long entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + (int) entries * CheckpointFormat.DIRECTORY_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) entries);
        for (Table t : tables) {
            List<FileLayout.Entry> l = layout.tables.get(t.id());
            if (l == null) continue;
            for (int blockNo = 0; blockNo < l.size(); blockNo++) {
                FileLayout.Entry e = l.get(blockNo);
                if (e == null) continue;
                b.putLong(t.id()).putInt(blockNo).putLong(e.offset).putInt(e.length).putInt(e.capacity).putInt(e.crc);
            }
        }
        if (b.hasRemaining()) throw new IllegalStateException("directory count mismatch");
        return b.array();
    }

    /** Encodes one block's rows as of {@code snapshot} into a block record. */
    private static final class Encoder {
        byte[] buf = new byte[64 << 10];
        int len;
        int crc;
        /** The block holds a change committed after the snapshot, which the record leaves out. */
        boolean newer;

        int encode(long tableId, Block b, long snapshot) {
            int pos = CheckpointFormat.BLOCK_HEADER;
            int rows = 0;
            newer = false;
            for (int s = 0; s < Block.SLOTS; s++) {
                Object slot = b.slot(s);
                if (slot == null) continue;
                if (slot instanceof Version v) {
                    Version c = Version.latestCommitted(v);
                    if (c != null && c.commitTs() > snapshot) newer = true;
                }
                byte[] img = Version.visible(slot, snapshot, -1);
                if (img == null) continue;
                if (pos + 5 + img.length > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + 5 + img.length));
                buf[pos] = (byte) s;
                putInt(buf, pos + 1, img.length);
                System.arraycopy(img, 0, buf, pos + 5, img.length);
                pos += 5 + img.length;
                rows++;
            }
            putInt(buf, 0, pos);
            putLong(buf, 8, tableId);
            putInt(buf, 16, b.number());
            putInt(buf, 20, rows);
            crc = CheckpointFormat.crc(buf, 8, pos - 8);
            putInt(buf, 4, crc);
            len = pos;
            return rows;
        }

        private static void putInt(byte[] b, int at, int v) {
            for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
        }

        private static void putLong(byte[] b, int at, long v) {
            for (int i = 0; i < 8; i++) b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * Gathers records into 1 MB sequential writes (a record whose extent follows the previous
     * one's joins it, the gap being the previous extent's own slack) and hands them to an I/O
     * thread, so encoding the next megabyte overlaps writing this one. The I/O thread applies
     * CkptRate and syncs every {@link #SYNC_EVERY} bytes, keeping the disk busy from the start
     * instead of leaving everything to the final sync.
     */
    private final class Writer implements AutoCloseable {
        private static final long SYNC_EVERY = 32L << 20;
        private record Chunk(long offset, ByteBuffer data, boolean pooled) {}
        private static final Chunk END = new Chunk(-1, null, false);

        private final StorageIo.FileHandle f;
        private final boolean throttled;
        private final Progress pr;
        private final java.util.concurrent.BlockingQueue<Chunk> full = new java.util.concurrent.ArrayBlockingQueue<>(4);
        private final java.util.concurrent.BlockingQueue<ByteBuffer> free = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Thread io;
        private volatile Throwable error;
        private ByteBuffer cur = writeBuffer();
        private int pooled = 1;
        private long start = -1;   // file offset of the chunk being gathered; -1: none
        private int lead;          // where in cur that chunk starts: start's offset within its page
        private long nextContiguous = -1; // end of the last extent's capacity
        private long written;
        private long allowedAtNanos = System.nanoTime();

        Writer(StorageIo.FileHandle f, boolean throttled, Progress pr) {
            this.f = f;
            this.throttled = throttled;
            this.pr = pr;
            this.io = Thread.ofPlatform().daemon().name("hourglass-ckpt-io-" + database).start(this::ioLoop);
        }

        void write(long offset, byte[] data, int n, int capacity) throws IOException {
            if (start >= 0 && (offset != nextContiguous || lead + (offset - start) + n > cur.capacity())) flush();
            if (n > cur.capacity() - CheckpointFormat.PAGE) {
                flush();
                hand(new Chunk(offset, ByteBuffer.wrap(data.clone(), 0, n), false));
                return;
            }
            if (start < 0) {
                // The buffer is page-aligned in memory; the chunk's bytes sit at the same offset
                // within a page as in the file, so the file's direct writes take them as they are.
                start = offset;
                lead = (int) (offset % CheckpointFormat.PAGE);
                cur.position(lead);
            }
            while (cur.position() < lead + (offset - start)) cur.put((byte) 0); // the previous extent's slack
            cur.put(data, 0, n);
            nextContiguous = offset + capacity;
        }

        /** Hands the gathered bytes to the I/O thread. */
        void flush() throws IOException {
            if (start < 0) return;
            hand(new Chunk(start, cur.flip().position(lead), true));
            start = -1;
            ByteBuffer next = free.poll();
            if (next == null && pooled < WRITE_BUFFERS) {
                next = writeBuffer();
                pooled++;
            }
            try {
                cur = next != null ? next : free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        private void hand(Chunk c) throws IOException {
            checkError();
            try {
                full.put(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        private void checkError() throws IOException {
            Throwable t = error;
            if (t instanceof IOException e) throw e;
            if (t instanceof RuntimeException e) throw e;
            if (t != null) throw new IOException(t);
        }

        /** Writes what is left and waits for the I/O thread; the bytes are not synced yet. */
        void finish() throws IOException {
            flush();
            close();
            checkError();
            pr.bytesWritten += written;
        }

        @Override
        public void close() {
            if (io.isAlive()) {
                try {
                    full.put(END);
                    io.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // the I/O thread may still hold buffers: leave them to the collector
                }
            }
            // Every pooled buffer is back (the I/O thread returns each chunk it took): keep them.
            if (cur != null) writeBuffers.add(cur.clear());
            cur = null;
            for (ByteBuffer b; (b = free.poll()) != null; ) writeBuffers.add(b);
        }

        private void ioLoop() {
            BackgroundPriority.lowerCurrentThread();
            long sinceSync = 0;
            while (true) {
                Chunk c;
                try {
                    c = full.take();
                } catch (InterruptedException e) {
                    error = e;
                    return;
                }
                if (c == END) return;
                try {
                    if (error == null) {
                        int n = c.data().remaining();
                        f.write(c.offset(), c.data());
                        written += n;
                        sinceSync += n;
                        if (sinceSync >= SYNC_EVERY) {
                            f.sync();
                            sinceSync = 0;
                        }
                        throttle(n);
                    }
                } catch (IOException | RuntimeException e) {
                    error = e; // the encoder sees it at its next hand-off; keep draining
                } finally {
                    if (c.pooled()) free.add(c.data().clear());
                }
            }
        }

        private void throttle(int n) {
            int rate = settings.get().rateMbPerSecond();
            if (throttled && !unthrottle && rate > 0) {
                // CkptRate, read at every write so a change applies to a running checkpoint.
                long now = System.nanoTime();
                allowedAtNanos = Math.max(allowedAtNanos, now - TimeUnit.MILLISECONDS.toNanos(50))
                        + (long) (n * 1e9 / (rate * 1048576.0));
                if (allowedAtNanos > now) LockSupport.parkNanos(allowedAtNanos - now);
            }
        }
    }

    private ByteBuffer writeBuffer() {
        ByteBuffer b = writeBuffers.poll();
        if (b != null) return b;
        writeBuffersMade.incrementAndGet();
        return ByteBuffer.allocateDirect(WRITE_BUFFER + CheckpointFormat.PAGE).alignedSlice(CheckpointFormat.PAGE);
    }

    /** Bytes of direct write buffers made so far, all kept for the next checkpoint: at most 4 MB. */
    public long writeBufferBytes() { return (long) writeBuffersMade.get() * (WRITE_BUFFER + CheckpointFormat.PAGE); }

    // ---- progress, history, listeners ----------------------------------------------------------

    private final class Progress {
        final long id;
        final long startMillis;
        final long startNanos = System.nanoTime();
        final Request request;
        final int fileNo;
        long redoLsn;
        long imageEndLsn;
        long blocksTotal, blocksInUse, bytesInUse, bytesTotal, bytesWritten;
        boolean announced;

        Progress(long id, long startMillis, Request request, int fileNo) {
            this.id = id;
            this.startMillis = startMillis;
            this.request = request;
            this.fileNo = fileNo;
        }

        CheckpointHistory.Entry entry(String status, String error, long endMillis) {
            Lsn redo = Lsn.of(redoLsn);
            return new CheckpointHistory.Entry(id, startMillis, endMillis, request.type().label, status,
                    request.initiator().label, request.reason(), error, fileNo, redo.file(), redo.offset(), blocksTotal,
                    bytesTotal, blocksInUse, bytesInUse, bytesWritten,
                    endMillis == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        }
    }

    private void started(Progress pr) {
        pr.announced = true;
        CheckpointHistory.Entry e = pr.entry("In Progress", null, 0);
        history.add(e);
        notifyListeners(pr, e, null, CheckpointListener::started);
    }

    private void fail(Progress pr, RuntimeException error) {
        retryAtNanos = System.nanoTime() + retryIntervalNanos; // the checkpointer tries again
        synchronized (this) {
            bytesWrittenTotal += pr.bytesWritten;
        }
        if (!pr.announced) return;
        CheckpointHistory.Entry e = pr.entry("Failed", error.getMessage(), System.currentTimeMillis());
        history.update(e);
        LOG.log(Level.WARNING, "checkpoint " + pr.id + " of " + database + " failed", error);
        notifyListeners(pr, e, null, CheckpointListener::failed);
    }

    private void notifyListeners(Progress pr, CheckpointHistory.Entry e, CheckpointFormat.Header h,
                                 java.util.function.BiConsumer<CheckpointListener, CheckpointListener.Event> call) {
        if (listeners.isEmpty()) return;
        Lsn redo = Lsn.of(pr.redoLsn);
        CheckpointListener.Event ev = new CheckpointListener.Event(database, e.checkpointId(), e.type(), e.status(),
                e.initiator(), e.reason(), e.error(), e.startMillis(), e.endMillis(), e.ckptFileNum(), files.path(e.ckptFileNum()),
                redo.file(), redo.offset(), h != null && h.consistent(), e.blksInUse(), e.bytesInUse(), h == null ? 0 : h.rows(),
                e.bytesWritten(), h == null ? 0 : h.directoryCrc(), h == null ? 0 : h.catalogCrc(), databaseId,
                pr.redoLsn, h == null ? 0 : h.consistent() ? pr.redoLsn : pr.imageEndLsn);
        for (CheckpointListener l : listeners) {
            try {
                call.accept(l, ev);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "checkpoint listener " + l + " failed", ex);
            }
        }
    }

    /** After a checkpoint: purge the log files no hold needs. A failure here is only logged. */
    private void purgeLog() {
        try {
            List<Integer> purged = log.purge(archiveLog);
            if (!purged.isEmpty()) {
                LOG.fine(() -> database + ": purged log files " + purged);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, database + ": could not purge log files", e);
        }
    }

    // ---- the background checkpointer ---------------------------------------------------------

    /** Starts the thread that takes fuzzy checkpoints by CkptFrequency and CkptLogVolume. */
    public synchronized void start() { start(null); }

    /**
     * Starts the background checkpointer; with {@code recovery} (why: a load that replayed the
     * log after a crash) its first checkpoint is the recovery checkpoint, taken at once: fuzzy,
     * unthrottled, initiator Subdaemon. Without it the next recovery would replay the same log
     * again, and after each crash of a crash loop a little more, from a log that no purge could
     * shorten. Automatic checkpoints switched off (CkptFrequency and CkptLogVolume both 0) switch
     * it off too; a failed one is retried as any automatic checkpoint is.
     */
    public synchronized void start(String recovery) {
        if (background != null) return;
        pendingRecovery = recovery;
        background = Thread.ofPlatform().daemon().name("hourglass-ckpt-" + database).start(this::loop);
    }

    private void loop() {
        while (!stopping) {
            Request request = due(settings.get(), System.nanoTime());
            pendingRecovery = null; // taken now, or not at all (automatic checkpoints are off)
            if (request != null) {
                try {
                    checkpoint(request);
                } catch (HourglassException e) {
                    // A failure has set the retry time; a conflict means someone else is
                    // checkpointing, which counts as a checkpoint.
                    if (e.code() == ErrorCode.CHECKPOINT_CONFLICT) lastStartNanos = System.nanoTime();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "checkpointer of " + database + " failed", e);
                    retryAtNanos = System.nanoTime() + retryIntervalNanos;
                }
            }
            synchronized (wake) {
                if (stopping) return;
                try {
                    wake.wait(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The checkpoint the background checkpointer is to take now, or null. */
    private Request due(Settings s, long now) {
        if (s.frequencySeconds() <= 0 && s.logVolumeMb() <= 0) return null; // automatic checkpoints (and their retries) are off
        if (pendingRecovery != null) return new Request(Type.FUZZY, Initiator.SUBDAEMON, pendingRecovery, 0, false, 0, 0);
        String reason = null;
        if (retryAtNanos != 0) {
            if (now >= retryAtNanos) reason = "retry after a failed checkpoint";
        } else if (s.frequencySeconds() > 0 && now - lastStartNanos >= TimeUnit.SECONDS.toNanos(s.frequencySeconds())) {
            reason = "CkptFrequency (" + s.frequencySeconds() + " s)";
        } else if (s.logVolumeMb() > 0 && logBytesSince(lastStartLsn) >= s.logVolumeMb() * 1048576L) {
            reason = "CkptLogVolume (" + s.logVolumeMb() + " MB)";
        }
        return reason == null ? null : Request.fuzzy(Initiator.CHECKPOINTER, reason, 0);
    }

    /** Log bytes appended since {@code from} (approximate across files). */
    private long logBytesSince(long from) {
        Lsn a = Lsn.of(from);
        Lsn b = Lsn.of(log.appendedLsn());
        long perFile = log.files().fileSize() - LogFormat.FILE_HEADER;
        return (long) (b.file() - a.file()) * perFile + (b.offset() - a.offset());
    }

    /**
     * Stops the background checkpointer (a checkpoint it is writing finishes at full speed),
     * takes the unload checkpoint (blocking, unthrottled: the next load replays no log) and
     * stops. Returns the unload checkpoint's outcome; a failure is logged, not thrown.
     */
    public void unload(double lockWaitSeconds) {
        stopBackground();
        try {
            checkpoint(new Request(Type.BLOCKING, Initiator.SUBDAEMON, "unload", 0, false, lockWaitSeconds, 0));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the unload checkpoint of " + database + " failed; the next load replays the log", e);
        } finally {
            worker.shutdown();
            encoder.shutdown();
        }
    }

    /** Stops without a checkpoint (the database failed). */
    @Override
    public void close() {
        stopBackground();
        worker.shutdown();
        encoder.shutdown();
    }

    private void stopBackground() {
        Thread t;
        synchronized (this) {
            t = background;
            background = null;
        }
        stopping = true;
        unthrottle = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
