package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One restart of a small persistent database, timed: the database (1,000 rows, default
 * settings: a 64 MB log file) is made on the first call; every call then opens it once, as a
 * process start does, prints how long the open took (recovery included), and closes it cleanly.
 * bench/run-restart.sh runs it in fresh JVMs, from a cold page cache when it can drop caches.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.hourglass.bench.RestartBench dir</pre>
 */
public final class RestartBench {
    private RestartBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/restart");
        DatabaseConfig cfg = DatabaseConfig.defaults("RS", dir.resolve("rs").toString());
        if (!Files.exists(dir.resolve("rs.log0"))) {
            Files.createDirectories(dir);
            try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = i.connect("RS", "admin", Tptbm.PASSWORD)) {
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
                for (int k = 0; k < 1000; k++) c.execute("INSERT INTO t VALUES (?, 0)", k);
            }
        }
        long t0 = System.nanoTime();
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg))) {
            long opened = System.nanoTime() - t0;
            try (Connection c = i.connect("RS", "admin", Tptbm.PASSWORD)) {
                if (((Number) c.execute("SELECT COUNT(*) FROM t").rows().getFirst()[0]).intValue() != 1000) throw new IllegalStateException("rows lost");
            }
            var r = i.database("RS").recovery();
            System.out.printf("open %.1f ms (recovery %.1f ms, of which log %.1f ms)%n", opened / 1e6, r.nanos() / 1e6, r.logNanos() / 1e6);
        }
    }
}
