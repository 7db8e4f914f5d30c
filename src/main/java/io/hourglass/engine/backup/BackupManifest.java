package io.hourglass.engine.backup;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.log.Lsn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What a backup holds and how to check it (docs/FORMAT.md, "Backups"): the checkpoint file,
 * the pieces of log files that bring it to each backup's point, and a checksum of every file
 * and of the manifest itself. Incremental backups append pieces and a backup line; the
 * manifest is replaced atomically, so it always describes a complete chain.
 *
 * @param databaseId the source database's id (incrementals must come from the same database)
 * @param logFileSize the source's LogFileSize in bytes (a restore needs the same)
 * @param enabled whether incremental backups may follow (fileFullEnable, until incrementalStop)
 * @param backups the chain: the full backup first
 * @param checkpoint the checkpoint file, or null when the source had none yet (the log then starts at file 0)
 */
public record BackupManifest(String version, String database, long databaseId, long logFileSize, boolean enabled,
                             List<Backup> backups, CheckpointFile checkpoint, List<Piece> pieces) {
    public static final int FORMAT = 1;
    private static final String FIRST_LINE = "# Hourglass backup manifest (docs/FORMAT.md, \"Backups\")";

    /** One backup of the chain: its type, when it started and the LSN it restores to. */
    public record Backup(int seq, String type, long startMillis, long endLsn) {}

    /** The checkpoint file: its name in the backup, which of .ds0/.ds1 it was, size, CRC32C, checkpoint id. */
    public record CheckpointFile(String name, int fileNo, long size, int crc, long checkpointId) {}

    /** Bytes {@code [offset, offset+length)} of log file {@code logFile}, stored as {@code name}. */
    public record Piece(String name, int logFile, long offset, long length, int crc) {}

    public BackupManifest {
        backups = List.copyOf(backups);
        pieces = List.copyOf(pieces);
    }

    /** Where a restore of this chain ends (and the next incremental starts). */
    public long endLsn() { return backups.getLast().endLsn(); }

    public BackupManifest withIncrement(Backup b, List<Piece> more) {
        List<Backup> bs = new ArrayList<>(backups);
        bs.add(b);
        List<Piece> ps = new ArrayList<>(pieces);
        ps.addAll(more);
        return new BackupManifest(version, database, databaseId, logFileSize, enabled, bs, checkpoint, ps);
    }

    public BackupManifest withEnabled(boolean on) {
        return new BackupManifest(version, database, databaseId, logFileSize, on, backups, checkpoint, pieces);
    }

    /** Every file the chain names. */
    public List<String> files() {
        List<String> out = new ArrayList<>();
        if (checkpoint != null) out.add(checkpoint.name());
        for (Piece p : pieces) out.add(p.name());
        return out;
    }

    public byte[] format() {
        StringBuilder sb = new StringBuilder(FIRST_LINE).append('\n');
        sb.append("format=").append(FORMAT).append('\n');
        sb.append("version=").append(version).append('\n');
        sb.append("database=").append(database).append('\n');
        sb.append("databaseId=").append(databaseId).append('\n');
        sb.append("logFileSize=").append(logFileSize).append('\n');
        sb.append("enabled=").append(enabled).append('\n');
        for (Backup b : backups) {
            sb.append("backup=").append(b.seq()).append(' ').append(b.type()).append(' ').append(b.startMillis()).append(' ')
                    .append(Lsn.of(b.endLsn())).append('\n');
        }
        if (checkpoint != null) {
            sb.append("checkpoint=").append(checkpoint.name()).append(' ').append(checkpoint.fileNo()).append(' ')
                    .append(checkpoint.size()).append(' ').append(hex(checkpoint.crc())).append(' ')
                    .append(checkpoint.checkpointId()).append('\n');
        }
        for (Piece p : pieces) {
            sb.append("piece=").append(p.name()).append(' ').append(p.logFile()).append(' ').append(p.offset()).append(' ')
                    .append(p.length()).append(' ').append(hex(p.crc())).append('\n');
        }
        String body = sb.toString();
        return (body + "crc32c=" + hex(crc(body)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a manifest; TT90030 naming {@code where} for anything wrong with it. */
    public static BackupManifest parse(byte[] bytes, String where) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int at = text.lastIndexOf("crc32c=");
        if (!text.startsWith(FIRST_LINE) || at < 0) throw unusable(where, "the manifest is not an Hourglass backup manifest");
        if (!hex(crc(text.substring(0, at))).equals(text.substring(at + 7).trim())) {
            throw unusable(where, "the manifest's checksum does not match (damaged)");
        }
        String version = null, database = null;
        long id = 0, fileSize = 0;
        boolean enabled = false;
        int format = -1;
        List<Backup> backups = new ArrayList<>();
        List<Piece> pieces = new ArrayList<>();
        CheckpointFile ckpt = null;
        try {
            for (String line : text.substring(0, at).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                int eq = line.indexOf('=');
                String k = line.substring(0, eq), v = line.substring(eq + 1);
                String[] f = v.split(" ");
                switch (k) {
                    case "format" -> format = Integer.parseInt(v);
                    case "version" -> version = v;
                    case "database" -> database = v;
                    case "databaseId" -> id = Long.parseLong(v);
                    case "logFileSize" -> fileSize = Long.parseLong(v);
                    case "enabled" -> enabled = Boolean.parseBoolean(v);
                    case "backup" -> backups.add(new Backup(Integer.parseInt(f[0]), f[1], Long.parseLong(f[2]), parseLsn(f[3])));
                    case "checkpoint" -> ckpt = new CheckpointFile(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]),
                            Integer.parseUnsignedInt(f[3], 16), Long.parseLong(f[4]));
                    case "piece" -> pieces.add(new Piece(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Integer.parseUnsignedInt(f[4], 16)));
                    default -> { } // a later minor addition: ignored
                }
            }
        } catch (RuntimeException e) {
            throw unusable(where, "the manifest cannot be parsed (" + e.getMessage() + ")");
        }
        if (format != FORMAT) throw unusable(where, "it is in backup format " + format + "; this Hourglass reads format " + FORMAT);
        if (backups.isEmpty() || database == null) throw unusable(where, "the manifest lists no backup");
        return new BackupManifest(version, database, id, fileSize, enabled, backups, ckpt, pieces);
    }

    private static long parseLsn(String s) {
        int dot = s.indexOf('.');
        return Lsn.pack(Integer.parseInt(s.substring(0, dot)), Long.parseLong(s.substring(dot + 1)));
    }

    static io.hourglass.engine.HourglassException unusable(String where, String why) {
        return ErrorCode.BACKUP_UNUSABLE.error(where, why);
    }

    static String hex(int crc) { return String.format("%08x", crc); }

    private static int crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return (int) c.getValue();
    }
}
