package io.hourglass.engine.backup;

import io.hourglass.engine.IoErrors;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.checkpoint.Activities;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.spi.StorageIo;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * ttBackup. A backup is the newest complete checkpoint file plus the log from its redo LSN to
 * the backup point B, the log end when the backup starts (made durable first), so a restore
 * recovers exactly the transactions committed before B, while transactions go on meanwhile.
 * The backup holds the database's checkpoint slot: it waits for a running checkpoint, and a
 * checkpoint started while it runs gets TT0625, so the checkpoint file it copies cannot change;
 * a Backup log hold keeps the log it copies. BackupFailThreshold bounds how many log files may
 * pile up behind it: past that the backup fails and lets checkpoints go ahead.
 *
 * <p>Files are written under names unique to the backup ({@code <fname>.<seq>.ds<n>},
 * {@code <fname>.<seq>.log<N>}) and the manifest {@code <fname>.manifest} is replaced last, so
 * a backup that fails half way leaves the previous one whole.
 */
public final class Backup {
    private static final Logger LOG = Logger.getLogger(Backup.class.getName());
    private static final int CHUNK = 1 << 20;

    /** Progress of a backup or restore: bytes done of the total known so far. */
    @FunctionalInterface
    public interface Progress {
        void update(String phase, long doneBytes, long totalBytes);

        Progress NONE = (p, d, t) -> { };
    }

    /**
     * What to back up and where.
     *
     * @param dir the backup directory (file types), null for streamFull
     * @param fname the backup's file name prefix; null: the database's name
     * @param force a full backup replaces an existing one of that name
     * @param stream where streamFull writes (not closed), null otherwise
     * @param connectionId who asks (named in a checkpoint's TT0625)
     */
    public record Request(BackupType type, Path dir, String fname, boolean force, OutputStream stream, long connectionId) {}

    /** What was written: the type actually taken, the backup point, the bytes. */
    public record Result(BackupType type, String backupLsn, long bytes, int files, long millis) {}

    private final Database db;
    private final StorageIo io;
    private final TransactionLog log;
    private final Request req;
    private final Progress progress;
    private long done, total;
    private long endLsn;
    private Database.BackupStatus status;

    private Backup(Database db, StorageIo io, Request req, Progress progress) {
        this.db = db;
        this.io = io;
        this.log = db.log();
        this.req = req;
        this.progress = progress;
    }

    /**
     * Takes the backup {@code req} asks for; the caller has checked ADMIN. Durable on return for
     * the file types: every file written is synced, then the directory, then the manifest is
     * written beside, synced, renamed over the old one and the directory synced again; until that
     * rename, the previous backup in the directory stands whole. If it throws, the files it wrote
     * are removed. For streamFull, durability is the reader's business: the stream is flushed.
     */
    public static Result run(Database db, StorageIo io, Request req, Progress progress) {
        if (db.config().temporary() || db.log() == null) throw ErrorCode.UNSUPPORTED.error("backups of a Temporary database");
        if (db.invalidation() != null) throw ErrorCode.CONNECTION_TERMINATED.error();
        if (req.type() == BackupType.STREAM_FULL ? req.stream() == null : req.dir() == null) {
            throw ErrorCode.SEMANTIC_ERROR.error(req.type() == BackupType.STREAM_FULL ? "streamFull needs a stream" : "a file backup needs -dir");
        }
        checkFname(req.fname());
        return new Backup(db, io, req, progress).run();
    }

    /**
     * TT90015 unless {@code fname} (null or blank: the database's name) is a plain file name: the
     * backup's files are {@code <fname>.*} in -dir and nowhere else, so no separator and no
     * {@code ..}, which would have put them (and the removal of a replaced backup's files) anywhere.
     */
    public static void checkFname(String fname) {
        if (fname == null || fname.isBlank()) return;
        if (fname.contains("/") || fname.contains("\\") || fname.equals(".") || fname.equals("..") || fname.indexOf('\0') >= 0) {
            throw ErrorCode.SEMANTIC_ERROR.error("-fname is a file name in -dir, not a path: " + fname);
        }
    }

    private String fname() { return req.fname() == null || req.fname().isBlank() ? db.name() : req.fname(); }

    private Path dir() { return req.dir().toAbsolutePath().normalize(); }

    private Result run() {
        long t0 = System.nanoTime();
        if (req.type() == BackupType.INCREMENTAL_STOP) {
            String key = dir().toString();
            if (!db.backupHolds().containsKey(key)) throw ErrorCode.BACKUP_NOT_ENABLED.error(key, db.name(), "nothing to stop");
            db.setBackupHold(key, null);
            Path m = dir().resolve(fname() + ".manifest");
            if (io.exists(m)) {
                try {
                    writeManifest(readManifest(io, dir(), fname()).withEnabled(false));
                } catch (IOException e) {
                    throw ErrorCode.BACKUP_FAILED.error(db.name(), "updating " + m + ": " + IoErrors.describe(e));
                }
            }
            return new Result(BackupType.INCREMENTAL_STOP, null, 0, 0, 0);
        }
        status = Database.BackupStatus.running(req.type() == BackupType.STREAM_FULL); // (ttBackupStatus: shown once it runs)
        try {
            Result r = take();
            db.backupStatus(status.completed(r.type() != BackupType.FILE_INCREMENTAL, endLsn));
            return new Result(r.type(), r.backupLsn(), r.bytes(), r.files(), (System.nanoTime() - t0) / 1_000_000);
        } catch (HourglassException e) {
            db.backupStatus(status.failed(e.number()));
            throw e;
        } catch (RuntimeException | Error e) {
            db.backupStatus(status.failed(ErrorCode.INTERNAL.number()));
            throw e;
        }
    }

    /** Takes the backup itself (not incrementalStop); its millis are the caller's to fill in. */
    private Result take() {
        BackupManifest existing = null;
        BackupType type = req.type();
        if (type != BackupType.STREAM_FULL && io.exists(dir().resolve(fname() + ".manifest"))) {
            existing = readManifest(io, dir(), fname());
        }
        if (type == BackupType.FILE_INCR_OR_FULL) type = incrementalPossible(existing) == null ? BackupType.FILE_INCREMENTAL : BackupType.FILE_FULL_ENABLE;
        if (type == BackupType.FILE_INCREMENTAL) {
            String why = incrementalPossible(existing);
            if (why != null) throw ErrorCode.BACKUP_NOT_ENABLED.error(dir(), db.name(), why);
        } else if (existing != null && !req.force()) {
            throw ErrorCode.BACKUP_EXISTS.error(fname(), dir());
        }
        // The Backup hold first, so it shows (ttLogHolds) as soon as the backup does: from the newest
        // checkpoint's redo LSN now, which a checkpoint finishing before the backup starts only moves later.
        String holdKey = "backup-running:" + (req.dir() == null ? "stream@" + System.identityHashCode(this) : dir());
        long holdFrom = type == BackupType.FILE_INCREMENTAL ? existing.endLsn() : firstNeeded();
        LogHolds.Hold hold = new LogHolds.Hold(holdFrom, "Backup", type.label + " backup of " + db.name() + " running");
        log.holds().register(holdKey, () -> hold);
        Activities.Ticket ticket;
        try {
            ticket = db.activities().awaitBegin("Backup", req.connectionId()); // waits for a running checkpoint
            db.backupStatus(status); // running: a backup waiting behind another does not hide it
        } catch (InterruptedException e) {
            log.holds().unregister(holdKey);
            Thread.currentThread().interrupt();
            throw ErrorCode.BACKUP_FAILED.error(db.name(), "interrupted while waiting for a checkpoint to finish");
        }
        List<Path> written = new ArrayList<>();
        try {
            endLsn = log.appendedLsn();
            Connection.join(log.whenDurable(endLsn)); // B: every commit before it, durable
            Result r = type == BackupType.FILE_INCREMENTAL ? incremental(existing, written) : full(type, existing, written);
            LOG.info("Backup of " + db.name() + " (" + type.label + ") to " + (req.dir() == null ? "a stream" : dir())
                    + ": up to LSN " + Lsn.of(endLsn) + ", " + r.bytes() + " bytes");
            return r;
        } catch (IOException e) {
            removeQuietly(written);
            throw ErrorCode.BACKUP_FAILED.error(db.name(), IoErrors.describe(e));
        } catch (RuntimeException e) {
            removeQuietly(written);
            throw e;
        } finally {
            log.holds().unregister(holdKey);
            ticket.close();
        }
    }

    /** Null when an incremental backup into the directory is possible, else why not. */
    private String incrementalPossible(BackupManifest m) {
        if (m == null) return "it holds no backup named " + fname();
        if (!m.enabled()) return "its backup was not taken with fileFullEnable (or incrementals were stopped)";
        if (m.databaseId() != log.databaseId()) return "its backup is of another database";
        Long hold = db.backupHolds().get(dir().toString());
        if (hold == null || hold != m.endLsn()) return "this database holds no log for it (incrementalStop, or a restore)";
        return null;
    }

    /** Where a full backup's log starts: the newest checkpoint's redo LSN, else the oldest log file. */
    private long firstNeeded() {
        CheckpointFormat.Header ckpt = db.checkpointer().newest();
        if (ckpt != null) return ckpt.redoLsn();
        try {
            var files = log.files().list();
            return Lsn.pack(files.isEmpty() ? 0 : files.firstKey(), LogFormat.FILE_HEADER);
        } catch (IOException e) {
            throw ErrorCode.BACKUP_FAILED.error(db.name(), "listing the log files: " + IoErrors.describe(e));
        }
    }

    private Result full(BackupType type, BackupManifest old, List<Path> written) throws IOException {
        CheckpointFormat.Header ckpt = db.checkpointer().newest(); // stable: this backup holds the checkpoint slot
        int seq = old == null ? 0 : old.backups().getLast().seq() + 1;
        String prefix = fname() + "." + seq;
        Path ckptFile = ckpt == null ? null : db.checkpointer().files().path(ckpt.fileNo());
        long ckptSize = ckptFile == null ? 0 : size(ckptFile);
        // Whole files from the one holding the redo LSN: the first piece carries its file header.
        List<Range> ranges = logRanges(Lsn.pack(Lsn.of(firstNeeded()).file(), 0));
        total = ckptSize;
        for (Range r : ranges) total += r.length();
        Sink sink = req.type() == BackupType.STREAM_FULL ? new StreamSink(req.stream()) : new DirectorySink(written);
        BackupManifest.CheckpointFile ck = null;
        if (ckptFile != null) {
            String name = prefix + ".ds" + ckpt.fileNo();
            int crc = copy(ckptFile, 0, ckptSize, name, sink);
            ck = new BackupManifest.CheckpointFile(name, ckpt.fileNo(), ckptSize, crc, ckpt.checkpointId());
        }
        List<BackupManifest.Piece> pieces = copyLog(ranges, prefix, sink);
        BackupManifest m = new BackupManifest(Instance.VERSION, db.name(), log.databaseId(), log.files().fileSize(),
                type == BackupType.FILE_FULL_ENABLE,
                List.of(new BackupManifest.Backup(seq, type.label, System.currentTimeMillis(), endLsn)), ck, pieces);
        sink.finish(m);
        if (req.type() != BackupType.STREAM_FULL) {
            String key = dir().toString();
            if (type == BackupType.FILE_FULL_ENABLE) db.setBackupHold(key, endLsn);
            else if (db.backupHolds().containsKey(key)) db.setBackupHold(key, null); // a plain full ends the chain
            if (old != null) removeOld(old, m);
        }
        return new Result(type, Lsn.of(endLsn).toString(), done, m.files().size() + 1, 0);
    }

    private Result incremental(BackupManifest m, List<Path> written) throws IOException {
        int seq = m.backups().getLast().seq() + 1;
        List<Range> ranges = logRanges(m.endLsn());
        for (Range r : ranges) {
            if (!io.exists(log.files().path(r.file()))) {
                throw ErrorCode.BACKUP_NOT_ENABLED.error(dir(), db.name(), "log file " + r.file() + " it needs is gone");
            }
            total += r.length();
        }
        Sink sink = new DirectorySink(written);
        List<BackupManifest.Piece> pieces = copyLog(ranges, fname() + "." + seq, sink);
        BackupManifest next = m.withIncrement(new BackupManifest.Backup(seq, BackupType.FILE_INCREMENTAL.label,
                System.currentTimeMillis(), endLsn), pieces);
        sink.finish(next);
        db.setBackupHold(dir().toString(), endLsn);
        return new Result(BackupType.FILE_INCREMENTAL, Lsn.of(endLsn).toString(), done, pieces.size() + 1, 0);
    }

    /** Bytes {@code [offset, end)} of log file {@code file}. */
    private record Range(int file, long offset, long end) {
        long length() { return end - offset; }
    }

    /** The log from {@code from} to the backup point, file by file, empty stretches left out. */
    private List<Range> logRanges(long from) {
        Lsn a = Lsn.of(from), b = Lsn.of(endLsn);
        List<Range> out = new ArrayList<>();
        for (int f = a.file(); f <= b.file(); f++) {
            long off = f == a.file() ? a.offset() : 0;
            long end = f == b.file() ? b.offset() : log.files().fileSize();
            if (end > off) out.add(new Range(f, off, end));
        }
        return out;
    }

    private List<BackupManifest.Piece> copyLog(List<Range> ranges, String prefix, Sink sink) throws IOException {
        List<BackupManifest.Piece> pieces = new ArrayList<>();
        for (Range r : ranges) {
            String name = prefix + ".log" + r.file();
            int crc = copy(log.files().path(r.file()), r.offset(), r.length(), name, sink);
            pieces.add(new BackupManifest.Piece(name, r.file(), r.offset(), r.length(), crc));
        }
        return pieces;
    }

    /** Copies {@code [offset, offset+length)} of {@code src} into the sink as {@code name}; returns its CRC32C. */
    private int copy(Path src, long offset, long length, String name, Sink sink) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, length)));
        try (StorageIo.FileHandle in = io.open(src, false); Sink.File out = sink.file(name, length)) {
            for (long pos = 0; pos < length; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - pos));
                int n = in.readFully(offset + pos, buf);
                if (n < buf.limit()) throw new IOException(src + " ends before " + (offset + length));
                buf.flip();
                crc.update(buf.duplicate());
                out.write(buf);
                pos += n;
                done += n;
                progress.update("copying", done, total);
                checkThreshold();
            }
        }
        return (int) crc.getValue();
    }

    /** BackupFailThreshold: too many log files held back: the backup fails so checkpoints can go ahead. */
    private void checkThreshold() {
        int limit = db.config().backupFailThreshold();
        if (limit <= 0) return;
        int grown = Lsn.of(log.appendedLsn()).file() - Lsn.of(endLsn).file();
        if (grown >= limit) {
            throw ErrorCode.BACKUP_FAILED.error(db.name(), "the log grew by " + grown
                    + " file(s) while it ran (BackupFailThreshold " + limit + "); checkpoints go ahead");
        }
    }

    private long size(Path p) throws IOException {
        try (StorageIo.FileHandle h = io.open(p, false)) {
            return h.size();
        }
    }

    /** The manifest of the backup {@code fname} in {@code dir}; TT90030 when it is missing or damaged. */
    public static BackupManifest readManifest(StorageIo io, Path dir, String fname) {
        Path p = dir.resolve(fname + ".manifest");
        if (!io.exists(p)) throw BackupManifest.unusable(dir.toString(), "there is no " + p.getFileName());
        try (StorageIo.FileHandle h = io.open(p, false)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(h.size(), 64 << 20));
            h.readFully(0, b);
            return BackupManifest.parse(java.util.Arrays.copyOf(b.array(), b.position()), dir.toString());
        } catch (IOException e) {
            throw BackupManifest.unusable(dir.toString(), "reading " + p + ": " + IoErrors.describe(e));
        }
    }

    private void writeManifest(BackupManifest m) throws IOException {
        Path target = dir().resolve(fname() + ".manifest");
        writeFile(io, dir().resolve(fname() + ".manifest.tmp"), m.format());
        io.rename(dir().resolve(fname() + ".manifest.tmp"), target);
        io.syncDirectory(dir());
    }

    static void writeFile(StorageIo io, Path p, byte[] bytes) throws IOException {
        if (io.exists(p)) io.delete(p);
        try (StorageIo.FileHandle h = io.open(p, true)) {
            h.write(0, ByteBuffer.wrap(bytes));
            h.sync();
        }
    }

    private void removeOld(BackupManifest old, BackupManifest now) {
        List<Path> gone = new ArrayList<>();
        for (String f : old.files()) if (!now.files().contains(f)) gone.add(dir().resolve(f));
        removeQuietly(gone);
    }

    private void removeQuietly(List<Path> files) {
        for (Path p : files) {
            try {
                if (io.exists(p)) io.delete(p);
            } catch (IOException e) {
                LOG.warning("could not remove " + p + ": " + IoErrors.describe(e));
            }
        }
    }

    /** Where the backup's files go: a directory, or a stream. */
    private interface Sink {
        interface File extends AutoCloseable {
            void write(ByteBuffer b) throws IOException;

            @Override
            void close() throws IOException;
        }

        File file(String name, long length) throws IOException;

        /** Every file is written: the manifest goes last. */
        void finish(BackupManifest m) throws IOException;
    }

    private final class DirectorySink implements Sink {
        private final List<Path> written;

        DirectorySink(List<Path> written) { this.written = written; }

        @Override
        public File file(String name, long length) throws IOException {
            io.createDirectories(dir());
            Path p = dir().resolve(name);
            if (io.exists(p)) io.delete(p);
            written.add(p);
            StorageIo.FileHandle h = io.open(p, true);
            return new File() {
                long pos;

                @Override
                public void write(ByteBuffer b) throws IOException {
                    int n = b.remaining();
                    h.write(pos, b);
                    pos += n;
                }

                @Override
                public void close() throws IOException {
                    try {
                        h.sync();
                    } finally {
                        h.close();
                    }
                }
            };
        }

        @Override
        public void finish(BackupManifest m) throws IOException {
            io.syncDirectory(dir());
            writeManifest(m); // the commit point: until it is renamed, the old manifest stands
            written.clear();
        }
    }

    private static final class StreamSink implements Sink {
        private final DataOutputStream out;

        StreamSink(OutputStream o) throws IOException {
            this.out = new DataOutputStream(new java.io.BufferedOutputStream(o, CHUNK));
            BackupStream.header(out);
        }

        @Override
        public File file(String name, long length) throws IOException {
            BackupStream.fileHeader(out, name, length);
            CRC32C crc = new CRC32C();
            return new File() {
                @Override
                public void write(ByteBuffer b) throws IOException {
                    crc.update(b.duplicate());
                    out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                    b.position(b.limit());
                }

                @Override
                public void close() throws IOException { out.writeInt((int) crc.getValue()); }
            };
        }

        @Override
        public void finish(BackupManifest m) throws IOException {
            byte[] bytes = m.format();
            BackupStream.fileHeader(out, m.database() + ".manifest", bytes.length);
            out.write(bytes);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            out.writeInt((int) crc.getValue());
            BackupStream.end(out);
        }
    }
}
