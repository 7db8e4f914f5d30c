package io.hourglass.engine.backup;

import io.hourglass.engine.IoErrors;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.checkpoint.CheckpointFiles;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.LogFiles;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.spi.StorageIo;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * ttRestore: writes a backup (a directory, or a streamFull stream) as the files of a database
 * that does not exist yet, under the target's DataStore and LogDir (which may differ from the
 * source's). Every file's size and checksum is verified against the manifest before the
 * restore counts as done; nothing is written over an existing database (TT90024). The restored
 * database then loads like any other: the checkpoint plus the log up to the backup point.
 *
 * <p>Durable on return: every file written is synced, then both directories. If it throws, the
 * files it wrote are removed (best effort; the error says when one could not be).
 */
public final class Restore {
    private static final Logger LOG = Logger.getLogger(Restore.class.getName());
    private static final int CHUNK = 1 << 20;

    /** What was restored. */
    public record Result(String database, String backupLsn, int backups, long bytes, long millis) {}

    private Restore() {}

    /** Restores the backup {@code fname} (null: the target's name... or the only manifest) in {@code dir} as {@code target}. */
    public static Result fromDirectory(Path dir, String fname, DatabaseConfig target, StorageIo io, Backup.Progress progress) {
        Backup.checkFname(fname);
        long t0 = System.nanoTime();
        if (target.temporary()) throw ErrorCode.UNSUPPORTED.error("restoring into a Temporary database");
        Path d = dir.toAbsolutePath().normalize();
        String name = fname != null && !fname.isBlank() ? fname : onlyManifest(io, d);
        BackupManifest m = Backup.readManifest(io, d, name);
        if (!Instance.VERSION.equals(m.version())) {
            throw BackupManifest.unusable(d.toString(), "it was made by " + m.version() + "; this is " + Instance.VERSION
                    + " (restore it with that version, then back it up again)");
        }
        long fileSize = target.logFileSizeMb() * 1024L * 1024L;
        if (m.logFileSize() != fileSize) {
            throw BackupManifest.unusable(d.toString(), "its log files are " + (m.logFileSize() >> 20) + " MB; restore it into a "
                    + "database with LogFileSize=" + (m.logFileSize() >> 20) + " (this one has " + target.logFileSizeMb() + ")");
        }
        java.util.Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        if (m.checkpoint() != null) sizes.put(m.checkpoint().name(), m.checkpoint().size());
        for (BackupManifest.Piece p : m.pieces()) sizes.put(p.name(), p.length());
        long total = 0;
        for (var f : sizes.entrySet()) {
            Path p = d.resolve(f.getKey());
            if (!io.exists(p)) throw BackupManifest.unusable(d.toString(), "file " + f.getKey() + " is missing");
            try {
                if (size(io, p) != f.getValue()) {
                    throw BackupManifest.unusable(d.toString(), "file " + f.getKey() + " is " + size(io, p)
                            + " bytes, the manifest says " + f.getValue() + " (truncated or replaced)");
                }
            } catch (IOException e) {
                throw BackupManifest.unusable(d.toString(), "reading " + p + ": " + IoErrors.describe(e));
            }
            total += f.getValue();
        }
        Database.prepareRestoreTarget(target, io); // a restore cut short is removed, a database refused
        List<Path> written = new ArrayList<>();
        try {
            Database.beginRestore(target, io);
            long[] done = {0};
            CheckpointFiles ck = new CheckpointFiles(io, target.dataStore());
            io.createDirectories(ck.directory());
            if (m.checkpoint() != null) {
                Path out = ck.path(m.checkpoint().fileNo());
                written.add(out);
                int crc = copy(io, d.resolve(m.checkpoint().name()), out, m.checkpoint().size(), 0, done, total, progress);
                if (crc != m.checkpoint().crc()) throw BackupManifest.unusable(d.toString(), "file " + m.checkpoint().name() + " is damaged (checksum)");
            }
            LogFiles logs = new LogFiles(io, target.logDirectory(), target.fileName(), fileSize);
            io.createDirectories(logs.dir());
            for (BackupManifest.Piece p : m.pieces()) {
                Path out = logs.path(p.logFile());
                if (!written.contains(out)) {
                    written.add(out);
                    preallocate(io, out, fileSize);
                }
                int crc = copy(io, d.resolve(p.name()), out, p.length(), p.offset(), done, total, progress);
                if (crc != p.crc()) throw BackupManifest.unusable(d.toString(), "file " + p.name() + " is damaged (checksum)");
            }
            for (Path p : written) {
                try (StorageIo.FileHandle h = io.open(p, false)) {
                    h.sync();
                }
            }
            io.syncDirectory(ck.directory());
            io.syncDirectory(logs.dir());
            Database.endRestore(target, io);
            LOG.info("Restored " + m.database() + " from " + d + " into " + target.name() + ": up to LSN " + Lsn.of(m.endLsn())
                    + " (" + m.backups().size() + " backup(s))");
            return new Result(target.name(), Lsn.of(m.endLsn()).toString(), m.backups().size(), done[0],
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            try {
                Database.removeInterruptedCreate(target, io); // what this restore wrote, under its marker
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof HourglassException he) throw he;
            throw ErrorCode.RECOVERY_FAILED.error(target.name() + ": restoring from " + d + ": " + e.getMessage());
        }
    }

    /**
     * Restores a streamFull stream: the files are checked and staged in
     * {@code <DataStore>.restore/}, then restored as from a directory; the staging goes after.
     */
    public static Result fromStream(InputStream stream, DatabaseConfig target, StorageIo io, Backup.Progress progress) {
        if (target.temporary()) throw ErrorCode.UNSUPPORTED.error("restoring into a Temporary database");
        Database.prepareRestoreTarget(target, io); // before reading a byte
        Path staging = Path.of(target.dataStore() + ".restore").toAbsolutePath();
        List<Path> staged = new ArrayList<>();
        String manifest = null;
        try {
            io.createDirectories(staging);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, CHUNK));
            BackupStream.readHeader(in);
            long received = 0;
            byte[] buf = new byte[CHUNK];
            for (BackupStream.Entry e; (e = BackupStream.next(in)) != null; ) {
                Path p = staging.resolve(e.name());
                staged.add(p);
                if (io.exists(p)) io.delete(p);
                CRC32C crc = new CRC32C();
                try (StorageIo.FileHandle h = io.open(p, true)) {
                    for (long pos = 0; pos < e.length(); ) {
                        int n = (int) Math.min(buf.length, e.length() - pos);
                        in.readFully(buf, 0, n);
                        crc.update(buf, 0, n);
                        h.write(pos, ByteBuffer.wrap(buf, 0, n));
                        pos += n;
                        received += n;
                        progress.update("receiving", received, -1);
                    }
                }
                if (in.readInt() != (int) crc.getValue()) throw BackupManifest.unusable("the stream", e.name() + " is damaged (checksum)");
                if (e.name().endsWith(".manifest")) manifest = e.name().substring(0, e.name().length() - ".manifest".length());
            }
            if (manifest == null) throw BackupManifest.unusable("the stream", "it holds no manifest (cut short?)");
            return fromDirectory(staging, manifest, target, io, progress);
        } catch (EOFException e) {
            throw BackupManifest.unusable("the stream", "it ends before its end mark (cut short)");
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(target.name() + ": reading the backup stream: " + IoErrors.describe(e));
        } finally {
            for (Path p : staged) {
                try {
                    if (io.exists(p)) io.delete(p);
                } catch (IOException ignored) {
                    // staging only
                }
            }
            try {
                if (io.exists(staging)) io.delete(staging);
            } catch (IOException ignored) {
                // staging only
            }
        }
    }

    private static String onlyManifest(StorageIo io, Path dir) {
        try {
            List<String> names = new ArrayList<>();
            for (Path p : io.list(dir, "")) {
                String n = p.getFileName().toString();
                if (n.endsWith(".manifest")) names.add(n.substring(0, n.length() - ".manifest".length()));
            }
            if (names.size() == 1) return names.getFirst();
            throw BackupManifest.unusable(dir.toString(), names.isEmpty() ? "it holds no backup manifest"
                    : "it holds several backups " + names + "; name one with -fname");
        } catch (IOException e) {
            throw BackupManifest.unusable(dir.toString(), IoErrors.describe(e));
        }
    }

    private static void preallocate(StorageIo io, Path p, long size) throws IOException {
        if (io.exists(p)) io.delete(p);
        try (StorageIo.FileHandle h = io.open(p, true)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(CHUNK, size));
            for (long pos = 0; pos < size; pos += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
                h.write(pos, zeros);
            }
        }
    }

    /** Copies all {@code length} bytes of {@code src} to {@code dst} at {@code dstOffset}; returns their CRC32C. */
    private static int copy(StorageIo io, Path src, Path dst, long length, long dstOffset, long[] done, long total,
                            Backup.Progress progress) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, length)));
        try (StorageIo.FileHandle in = io.open(src, false); StorageIo.FileHandle out = io.open(dst, true)) {
            if (in.size() != length) throw new IOException(src + " is " + in.size() + " bytes, the manifest says " + length);
            for (long pos = 0; pos < length; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - pos));
                int n = in.readFully(pos, buf);
                buf.flip();
                crc.update(buf.duplicate());
                out.write(dstOffset + pos, buf);
                pos += n;
                done[0] += n;
                progress.update("restoring", done[0], total);
            }
        }
        return (int) crc.getValue();
    }

    private static long size(StorageIo io, Path p) throws IOException {
        try (StorageIo.FileHandle h = io.open(p, false)) {
            return h.size();
        }
    }
}
