package io.hourglass.engine.lifecycle;

import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * What an administrator set for a database that must outlive a load: the RAM policy (ttAdmin
 * -ramPolicy, -ramGrace, -autoreload) and the Backup log holds of directories enabled for
 * incremental backups. Kept in {@code <DataStore>.settings} (docs/FORMAT.md), a small text
 * file replaced atomically (written beside, synced, renamed, directory synced), because the
 * policy decides whether the database is loaded at all and so cannot live inside it.
 *
 * @param policy the RAM policy
 * @param backupHolds by backup directory: the first LSN the next incremental backup needs
 */
public record StoredSettings(RamPolicy policy, Map<String, Long> backupHolds) {
    private static final Logger LOG = Logger.getLogger(StoredSettings.class.getName());
    private static final String FIRST_LINE = "# Hourglass database settings 1 (docs/FORMAT.md); written by hourglass admin and backup";

    public StoredSettings {
        backupHolds = Map.copyOf(backupHolds);
    }

    public StoredSettings withPolicy(RamPolicy p) { return new StoredSettings(p, backupHolds); }

    public StoredSettings withBackupHold(String dir, Long lsn) {
        Map<String, Long> m = new TreeMap<>(backupHolds);
        if (lsn == null) m.remove(dir);
        else m.put(dir, lsn);
        return new StoredSettings(policy, m);
    }

    public static Path path(DatabaseConfig config) { return Path.of(config.dataStore() + ".settings"); }

    /**
     * The stored settings, or {@code fallback} with no holds when there is no file. A damaged
     * file is reported and ignored: the settings are administrative, no data depends on them.
     */
    public static StoredSettings read(StorageIo io, Path file, RamPolicy fallback) {
        StoredSettings none = new StoredSettings(fallback, Map.of());
        if (!io.exists(file)) return none;
        try (StorageIo.FileHandle h = io.open(file, false)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(h.size(), 1 << 20));
            h.readFully(0, b);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            int last = text.lastIndexOf("crc32c=");
            if (last < 0 || !Long.toHexString(crc(text.substring(0, last))).equals(text.substring(last + 7).trim())) {
                LOG.warning(file + " is damaged (checksum); using the configured RAM policy and no backup holds");
                return none;
            }
            Map<String, String> kv = new TreeMap<>();
            for (String line : text.substring(0, last).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                int eq = line.indexOf('=');
                if (eq > 0) kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
            RamPolicy p = new RamPolicy(RamPolicy.Kind.parse(kv.getOrDefault("ramPolicy", fallback.kind().label)),
                    Integer.parseInt(kv.getOrDefault("ramGrace", Integer.toString(fallback.graceSeconds()))),
                    Boolean.parseBoolean(kv.getOrDefault("autoreload", Boolean.toString(fallback.autoreload()))));
            Map<String, Long> holds = new TreeMap<>();
            kv.forEach((k, v) -> {
                if (k.startsWith("backupHold.")) {
                    int sp = v.indexOf(' ');
                    holds.put(v.substring(sp + 1), Long.parseLong(v.substring(0, sp)));
                }
            });
            return new StoredSettings(p, holds);
        } catch (IOException | RuntimeException e) {
            LOG.warning(file + " cannot be read (" + e + "); using the configured RAM policy and no backup holds");
            return none;
        }
    }

    /** Replaces the file atomically; durable on return. */
    public void write(StorageIo io, Path file) throws IOException {
        StringBuilder sb = new StringBuilder(FIRST_LINE).append('\n');
        sb.append("ramPolicy=").append(policy.kind().label).append('\n');
        sb.append("ramGrace=").append(policy.graceSeconds()).append('\n');
        sb.append("autoreload=").append(policy.autoreload()).append('\n');
        int i = 0;
        for (Map.Entry<String, Long> e : new TreeMap<>(backupHolds).entrySet()) {
            sb.append("backupHold.").append(i++).append('=').append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        }
        String body = sb.toString();
        byte[] bytes = (body + "crc32c=" + Long.toHexString(crc(body)) + "\n").getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        io.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        if (io.exists(tmp)) io.delete(tmp); // a leftover of a crash: start empty
        try (StorageIo.FileHandle h = io.open(tmp, true)) {
            h.write(0, ByteBuffer.wrap(bytes));
            h.sync();
        }
        io.rename(tmp, file);
        io.syncDirectory(dir);
    }

    private static long crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
