package io.hourglass.bench;

import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.BackupType;
import io.hourglass.engine.backup.Restore;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * ttBackup (fileFull) and ttRestore of one database, in rounds: each backup and each restore
 * starts from a cold page cache (when this user may drop it), and is reported with its speed
 * (the backup's bytes over the time) and how much the page cache grew meanwhile
 * (/proc/meminfo "Cached"): a copy of the database left there is memory a container's limit
 * counts. The database ({@code rows} rows of about 500 bytes, checkpointed) is made once in
 * {@code dir}.
 *
 * <pre>java -Xmx4g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.hourglass.bench.BackupBench dir [rows] [rounds]</pre>
 */
public final class BackupBench {
    private BackupBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/backup");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        DatabaseConfig cfg = DatabaseConfig.defaults("SRC", dir.resolve("src/src").toString()).withCheckpoints(0, 0, 0);
        if (!Files.exists(dir.resolve("src"))) {
            Files.createDirectories(dir.resolve("src"));
            try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = i.connect("SRC", "admin", Tptbm.PASSWORD)) {
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note VARCHAR2(600))");
                c.setAutocommit(false);
                var ins = c.prepare("INSERT INTO t VALUES (?, ?)");
                for (int k = 0; k < rows; k++) {
                    c.execute(ins, k, "row " + k + "-".repeat(480));
                    if (k % 10_000 == 9_999) Connection.join(c.commit());
                }
                Connection.join(c.commit());
                c.setAutocommit(true);
                c.execute("CALL ttCkptBlocking()");
            }
        }
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg))) {
            for (int round = 1; round <= rounds; round++) {
                Path b = dir.resolve("backup" + round);
                Path restored = dir.resolve("restored" + round);
                boolean cold = dropCaches();
                long c0 = cachedMb(), t0 = System.nanoTime();
                Backup.run(i.database("SRC"), FileStorageIo.INSTANCE, new Backup.Request(BackupType.FILE_FULL, b, null, false, null, 0),
                        Backup.Progress.NONE);
                long t1 = System.nanoTime(), c1 = cachedMb();
                long bytes = 0;
                try (var files = Files.list(b)) {
                    for (Path p : files.toList()) bytes += Files.size(p);
                }
                dropCaches();
                long c2 = cachedMb(), t2 = System.nanoTime();
                Restore.fromDirectory(b, null, DatabaseConfig.defaults("DST", restored.resolve("dst").toString()), FileStorageIo.INSTANCE,
                        Backup.Progress.NONE);
                long t3 = System.nanoTime(), c3 = cachedMb();
                System.out.printf("round %d (%s): %d MB; backup %d ms (%.0f MB/s), page cache %+d MB; restore %d ms (%.0f MB/s), page cache %+d MB%n",
                        round, cold ? "cold" : "page cache not dropped", bytes >> 20, (t1 - t0) / 1_000_000, bytes / 1e3 / ((t1 - t0) / 1e6),
                        c1 - c0, (t3 - t2) / 1_000_000, bytes / 1e3 / ((t3 - t2) / 1e6), c3 - c2);
                Stats.deleteTree(b);
                Stats.deleteTree(restored);
            }
        }
    }

    /** Syncs and drops the page cache; false when this user may not. */
    private static boolean dropCaches() throws Exception {
        return new ProcessBuilder("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    private static long cachedMb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith("Cached:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
        }
        return -1;
    }
}
