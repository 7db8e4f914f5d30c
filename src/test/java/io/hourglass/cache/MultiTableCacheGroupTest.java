package io.hourglass.cache;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.BackupType;
import io.hourglass.engine.backup.Restore;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.CacheBackend;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.spi.KillableIo;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.hourglass.cache.CacheTests.assertError;
import static io.hourglass.cache.CacheTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Cache groups of several tables (TimesTen's multiple-table cache groups) over a real PostgreSQL
 * server: a root table {@code customer}, its child {@code orders} and grandchild {@code item},
 * cached as cache instances (a customer row with its orders and their items). The backend's
 * tables have no foreign keys of their own unless a test adds them, as TimesTen allows, so the
 * backend can hold rows that belong to no instance.
 */
class MultiTableCacheGroupTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static EmbeddedPostgres pg;
    private static String url;

    private Instance instance;
    private KillableIo files;
    private Connection admin;
    private String schema;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    @BeforeEach
    void schema() {
        schema = "shop" + SCHEMAS.incrementAndGet();
        backend("CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".customer (cust_id integer PRIMARY KEY, name varchar(40))",
                "CREATE TABLE " + schema + ".orders (ord_id integer PRIMARY KEY, cust_id integer, amount numeric(10,2))",
                "CREATE TABLE " + schema + ".item (ord_id integer, line integer, qty integer, PRIMARY KEY (ord_id, line))",
                "INSERT INTO " + schema + ".customer VALUES (1, 'Ann'), (2, 'Bob')",
                // order 12 belongs to no cached customer (9 is not in the backend), order 13 to none at all
                "INSERT INTO " + schema + ".orders VALUES (10, 1, 5.00), (11, 2, 7.50), (12, 9, 1.00), (13, NULL, 2.00)",
                "INSERT INTO " + schema + ".item VALUES (10, 1, 3), (10, 2, 4), (11, 1, 1), (12, 1, 8), (99, 1, 1)");
    }

    @AfterEach
    void close() {
        if (instance != null) instance.close();
    }

    private void open(DatabaseConfig cfg) {
        files = new KillableIo();
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), files, new PostgresBackend());
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        admin.setDurableCommits(true);
    }

    private void openTemporary() {
        open(DatabaseConfig.temporary("CACHEDB").withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres")));
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
    }

    private DatabaseConfig openPersistent(Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("CACHEDB", dir.resolve("cachedb").toString())
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
        open(cfg);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        return cfg;
    }

    /** The three tables' definitions after FROM, with {@code attribute} (", PROPAGATE" and such) in each. */
    private String tables(String attribute) {
        return schema + ".customer (cust_id NUMBER NOT NULL PRIMARY KEY, name VARCHAR2(40)" + attribute + "), "
                + schema + ".orders (ord_id NUMBER NOT NULL PRIMARY KEY, cust_id NUMBER, amount NUMBER(10,2),"
                + " FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer (cust_id)" + attribute + "), "
                + schema + ".item (ord_id NUMBER NOT NULL, line NUMBER NOT NULL, qty NUMBER, PRIMARY KEY (ord_id, line),"
                + " FOREIGN KEY (ord_id) REFERENCES " + schema + ".orders" + attribute + ")";
    }

    private static final List<String> INSTANCES_1_AND_2 = List.of(
            "customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5", "item: 10 1 3 | 10 2 4 | 11 1 1");

    @Test
    void loadBringsWholeCacheInstancesAndNoRowOutsideOne() {
        openTemporary();
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 1 SECONDS FROM " + tables(""));
        assertEquals(7, admin.execute("LOAD CACHE GROUP co COMMIT EVERY 2 ROWS").updateCount());
        assertEquals(INSTANCES_1_AND_2, cached(), "orders 12 and 13 and items of 12 and 99 belong to no cached customer");
        assertEquals(List.of("1 CUSTOMER null " + id(), "2 ORDERS CUSTOMER " + id() + "_1", "3 ITEM ORDERS " + id() + "_2"),
                strings(admin.execute("SELECT tblnum, table_name, parent_table, backend_id FROM sys.cache_group_tables"
                        + " WHERE cgname = 'CO' ORDER BY tblnum").rows()));
        assertEquals(3L, ((Number) admin.execute("SELECT tblcount FROM sys.cache_group WHERE cgname = 'CO'").rows().getFirst()[0]).longValue());
        assertEquals(3, changeLogs(), "a change log for each table");

        // Every table is the cache agent's alone.
        assertError(8225, () -> sql("DELETE FROM " + schema + ".item"));
        assertError(8225, () -> sql("UPDATE " + schema + ".orders SET amount = 0"));
        assertError(8225, () -> sql("DROP TABLE " + schema + ".item"));

        assertEquals(7, admin.execute("UNLOAD CACHE GROUP co").updateCount());
        assertEquals(List.of("customer: ", "orders: ", "item: "), cached());
        sql("DROP CACHE GROUP co");
        assertEquals(0, changeLogs(), "every table's change log and triggers are gone");
        assertEquals(0L, ((Number) admin.execute("SELECT COUNT(*) FROM sys.all_tables WHERE owner = '" + schema.toUpperCase() + "'")
                .rows().getFirst()[0]).longValue(), "the three cache tables are dropped");
    }

    @Test
    void incrementalAutorefreshKeepsInstancesWhole() {
        openTemporary();
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 100 MILLISECONDS FROM " + tables(""));
        sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS");
        sql("CALL ttCacheStart()");

        // A new instance in one backend transaction; a child row changed; an order moving to another customer.
        backend("BEGIN",
                "INSERT INTO " + schema + ".customer VALUES (3, 'Cy')",
                "INSERT INTO " + schema + ".orders VALUES (14, 3, 9.00)",
                "INSERT INTO " + schema + ".item VALUES (14, 1, 6)",
                "COMMIT",
                "UPDATE " + schema + ".item SET qty = 5 WHERE ord_id = 10 AND line = 2",
                "UPDATE " + schema + ".orders SET cust_id = 1 WHERE ord_id = 11");
        awaitCached(List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 5 | 11 1 7.5 | 14 3 9",
                "item: 10 1 3 | 10 2 5 | 11 1 1 | 14 1 6"));

        // A customer deleted in the backend (its rows there left behind): its instance leaves the cache.
        backend("DELETE FROM " + schema + ".customer WHERE cust_id = 1");
        awaitCached(List.of("customer: 2 Bob | 3 Cy", "orders: 14 3 9", "item: 14 1 6"));

        // An order's customer arrives after it: the order and its items come in with the customer,
        // though the order's own change was taken while it had no parent here.
        backend("INSERT INTO " + schema + ".orders VALUES (15, 4, 3.00)", "INSERT INTO " + schema + ".item VALUES (15, 1, 2)");
        awaitRefreshes(3);
        assertEquals(List.of("customer: 2 Bob | 3 Cy", "orders: 14 3 9", "item: 14 1 6"), cached(), "order 15 has no customer here yet");
        backend("INSERT INTO " + schema + ".customer VALUES (4, 'Di')");
        awaitCached(List.of("customer: 2 Bob | 3 Cy | 4 Di", "orders: 14 3 9 | 15 4 3", "item: 14 1 6 | 15 1 2"));

        // An order moved to a customer the cache lacks goes, with its items.
        backend("UPDATE " + schema + ".orders SET cust_id = 9 WHERE ord_id = 15");
        awaitCached(List.of("customer: 2 Bob | 3 Cy | 4 Di", "orders: 14 3 9", "item: 14 1 6"));

        // A truncated child table: a full refresh of the group.
        backend("TRUNCATE " + schema + ".item");
        awaitCached(List.of("customer: 2 Bob | 3 Cy | 4 Di", "orders: 14 3 9", "item: "));
        backend("INSERT INTO " + schema + ".item VALUES (14, 2, 1)");
        awaitCached(List.of("customer: 2 Bob | 3 Cy | 4 Di", "orders: 14 3 9", "item: 14 2 1"));
    }

    /**
     * Random backend changes to all three tables (rows moved between parents, keys changed,
     * orphans made and adopted, a table truncated now and then), each round in one backend
     * transaction or several: after each, incremental autorefresh makes the cache exactly the
     * backend's cache instances. Rounds and seed: {@code -Dhourglass.multicache.rounds},
     * {@code -Dhourglass.multicache.seed}.
     */
    @Test
    void incrementalAutorefreshFollowsRandomChangesToEveryTable() {
        randomBackendChanges(null);
    }

    /**
     * The same random changes to a group whose tables have WHERE clauses that the changes move
     * rows into and out of (a customer renamed, an item's quantity raised): after each round the
     * cache must be exactly the backend's instances of the rows the clauses hold for.
     */
    @Test
    void incrementalAutorefreshFollowsRandomChangesIntoAndOutOfWhereClauses() {
        randomBackendChanges(new String[] {"name LIKE 'c%'", "amount::int % 2 = 0", "qty % 3 <> 1"});
    }

    /** The random rounds of backend changes, on a group whose tables have WHERE clauses {@code where} (customer, orders, item), or none. */
    private void randomBackendChanges(String[] where) {
        long seed = Long.getLong("hourglass.multicache.seed", 46);
        int rounds = Integer.getInteger("hourglass.multicache.rounds", 25);
        openTemporary();
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 50 MILLISECONDS FROM "
                + (where == null ? tables("") : withWhere(tables(""), where[0], where[1], where[2])));
        sql("LOAD CACHE GROUP co COMMIT EVERY 3 ROWS");
        sql("CALL ttCacheStart()");
        java.util.Random rnd = new java.util.Random(seed);
        String c = schema + ".customer", o = schema + ".orders", i = schema + ".item";
        for (int round = 0; round < rounds; round++) {
            List<String> changes = new ArrayList<>();
            boolean together = rnd.nextBoolean();
            if (together) changes.add("BEGIN");
            for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                int cust = 1 + rnd.nextInt(8), ord = 10 + rnd.nextInt(12), line = 1 + rnd.nextInt(3);
                changes.add(switch (rnd.nextInt(13)) {
                    case 0, 1 -> "INSERT INTO " + c + " VALUES (" + cust + ", 'c" + round + "') ON CONFLICT DO NOTHING";
                    case 2 -> "DELETE FROM " + c + " WHERE cust_id = " + cust;
                    case 3 -> "UPDATE " + c + " SET name = '" + (rnd.nextBoolean() ? "n" : "c") + round + "' WHERE cust_id = " + cust;
                    case 4, 5 -> "INSERT INTO " + o + " VALUES (" + ord + ", " + (rnd.nextInt(6) == 0 ? "NULL" : cust) + ", " + round
                            + ") ON CONFLICT DO NOTHING";
                    case 6 -> "UPDATE " + o + " SET cust_id = " + cust + " WHERE ord_id = " + ord;
                    case 7 -> "DELETE FROM " + o + " WHERE ord_id = " + ord;
                    case 8 -> "UPDATE " + o + " SET ord_id = " + (ord + 20) + " WHERE ord_id = " + ord
                            + " AND NOT EXISTS (SELECT 1 FROM " + o + " WHERE ord_id = " + (ord + 20) + ")";
                    case 9, 10 -> "INSERT INTO " + i + " VALUES (" + ord + ", " + line + ", " + round + ") ON CONFLICT DO NOTHING";
                    case 11 -> rnd.nextInt(8) == 0 ? "TRUNCATE " + (rnd.nextBoolean() ? i : o)
                            : "UPDATE " + i + " SET qty = qty + 1 WHERE ord_id = " + ord;
                    default -> "DELETE FROM " + i + " WHERE ord_id = " + ord + " AND line = " + line;
                });
            }
            if (together) changes.add("COMMIT");
            backend(changes.toArray(String[]::new));
            List<String> expected = backendInstanceRows(where);
            int r = round;
            await(() -> cached().equals(expected), () -> "seed " + seed + " round " + r + " after " + changes + ": cache " + cached()
                    + ", backend's instances " + expected + "; refreshes " + stats());
        }
    }

    /**
     * Random transactions on a SYNCHRONOUS WRITETHROUGH group whose backend tables have the same
     * foreign keys (without CASCADE): rows inserted, moved between parents, updated and deleted
     * (a customer's delete cascades here) in any order a transaction may take. Every commit must
     * reach the backend (whose keys refuse a wrong order), and the two must then be equal.
     * Rounds and seed: {@code -Dhourglass.multicache.rounds}, {@code -Dhourglass.multicache.seed}.
     */
    @Test
    void writethroughOfRandomTransactionsIsTakenByABackendWithTheSameForeignKeys() {
        openTemporary();
        randomWritethrough("SYNCHRONOUS WRITETHROUGH", () -> { });
    }

    /**
     * The same random transactions on an ASYNCHRONOUS WRITETHROUGH group: each as the cache agent
     * reads it from the log, in an order the backend's keys take. A transaction the backend
     * refused would be skipped (into the error file), and the two would then differ.
     */
    @Test
    void asynchronousWritethroughOfRandomTransactionsIsTakenByABackendWithTheSameForeignKeys(@TempDir Path dir) {
        openPersistent(dir);
        randomWritethrough("ASYNCHRONOUS WRITETHROUGH", () -> sql("CALL ttCacheStart()"));
    }

    private void randomWritethrough(String type, Runnable started) {
        long seed = Long.getLong("hourglass.multicache.seed", 46);
        int rounds = Integer.getInteger("hourglass.multicache.rounds", 25);
        boolean asynchronous = type.startsWith("ASYNCHRONOUS");
        loadedOverBackendKeys("CREATE " + type + " CACHE GROUP co FROM " + cascadingTables());
        started.run();
        admin.setAutocommit(false);
        java.util.Random rnd = new java.util.Random(seed);
        String c = schema + ".customer", o = schema + ".orders", i = schema + ".item";
        int refused = 0;
        for (int round = 0; round < rounds * 4; round++) {
            List<String> done = new ArrayList<>();
            for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                int cust = 1 + rnd.nextInt(6), ord = 10 + rnd.nextInt(10), line = 1 + rnd.nextInt(3);
                String stmt = switch (rnd.nextInt(11)) {
                    case 0, 1 -> "INSERT INTO " + c + " VALUES (" + cust + ", 'c" + round + "')";
                    case 2 -> "DELETE FROM " + c + " WHERE cust_id = " + cust;
                    case 3 -> "UPDATE " + c + " SET name = '" + (rnd.nextBoolean() ? "n" : "c") + round + "' WHERE cust_id = " + cust;
                    case 4, 5 -> "INSERT INTO " + o + " VALUES (" + ord + ", " + cust + ", " + round + ")";
                    case 6 -> "UPDATE " + o + " SET cust_id = " + cust + " WHERE ord_id = " + ord;
                    case 7 -> "DELETE FROM " + o + " WHERE ord_id = " + ord;
                    case 8, 9 -> "INSERT INTO " + i + " VALUES (" + ord + ", " + line + ", " + round + ")";
                    default -> "DELETE FROM " + i + " WHERE ord_id = " + ord + " AND line = " + line;
                };
                try {
                    sql(stmt);
                    done.add(stmt);
                } catch (HourglassException e) {
                    refused++; // (a duplicate key or a missing parent here: that statement only)
                }
            }
            try {
                admin.commit();
            } catch (HourglassException e) {
                fail("seed " + seed + " round " + round + ": the backend refused " + done + ": " + e.getMessage());
            }
            if (asynchronous) {
                admin.setAutocommit(true);
                assertEquals(0L, ((Number) admin.execute("CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, 30)").rows().getFirst()[0])
                        .longValue(), "seed " + seed + " round " + round + ": the agent keeps up");
                admin.setAutocommit(false);
            }
            assertEquals(cached(), backendInstances(), "seed " + seed + " round " + round + " after " + done);
        }
        assertTrue(refused < rounds * 4 * 3, "most statements ran: " + refused + " refused");
    }

    /** The backend's rows of cache instances: every customer, the orders of those, the items of those orders. */
    /**
     * The backend's rows that are in a cache instance: orders of a customer, items of those; with
     * {@code where} (each table's condition, on columns no other table has), of the rows they hold for.
     */
    private List<String> backendInstanceRows(String[] where) {
        String c = schema + ".customer", o = schema + ".orders", i = schema + ".item";
        String wc = where == null ? "" : " AND (" + where[0] + ")", wo = where == null ? "" : " AND (" + where[1] + ")";
        String wi = where == null ? "" : " AND (" + where[2] + ")";
        return List.of("customer: " + String.join(" | ", backendQuery("SELECT * FROM " + c + " WHERE true" + wc + " ORDER BY cust_id")),
                "orders: " + String.join(" | ", backendQuery("SELECT o.* FROM " + o + " o JOIN " + c + " c ON c.cust_id = o.cust_id WHERE true"
                        + wc + wo + " ORDER BY ord_id")),
                "item: " + String.join(" | ", backendQuery("SELECT i.* FROM " + i + " i JOIN " + o + " o ON o.ord_id = i.ord_id JOIN " + c
                        + " c ON c.cust_id = o.cust_id WHERE true" + wc + wo + wi + " ORDER BY i.ord_id, i.line")));
    }

    private static List<String> backendQuery(String sql) {
        List<String> rows = new ArrayList<>();
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Object[] r = new Object[n];
                for (int k = 0; k < n; k++) r[k] = rs.getObject(k + 1);
                rows.add(row(r));
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    @Test
    void refreshAndFullAutorefreshMakeTheCacheTheBackendsInstances() {
        openTemporary();
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH MODE FULL INTERVAL 100 MILLISECONDS STATE PAUSED FROM " + tables(""));
        assertEquals(0, changeLogs(), "MODE FULL keeps no change log");
        sql("LOAD CACHE GROUP co COMMIT EVERY 0 ROWS");
        sql("ALTER CACHE GROUP co SET AUTOREFRESH STATE PAUSED");
        backend("DELETE FROM " + schema + ".customer WHERE cust_id = 2",
                "INSERT INTO " + schema + ".customer VALUES (9, 'Ida')", // order 12 and its item now have a customer
                "UPDATE " + schema + ".item SET qty = 0 WHERE ord_id = 10 AND line = 1",
                "DELETE FROM " + schema + ".item WHERE ord_id = 10 AND line = 2");
        List<String> expected = List.of("customer: 1 Ann | 9 Ida", "orders: 10 1 5 | 12 9 1", "item: 10 1 0 | 12 1 8");
        // 2 deletes (customer 2, order 11, item 11/1 = 3), 3 inserts (9, 12, 12/1), 1 update, 1 delete (10/2)
        assertEquals(8, admin.execute("REFRESH CACHE GROUP co COMMIT EVERY 1 ROWS").updateCount());
        assertEquals(expected, cached());

        sql("CALL ttCacheStart()"); // (STATE ON: the LOAD turned it on, and REFRESH keeps it)
        sql("ALTER CACHE GROUP co SET AUTOREFRESH STATE ON");
        backend("UPDATE " + schema + ".customer SET name = 'Anne' WHERE cust_id = 1", "DELETE FROM " + schema + ".customer WHERE cust_id = 9");
        awaitCached(List.of("customer: 1 Anne", "orders: 10 1 5", "item: 10 1 0"));
    }

    @Test
    void aGroupOfSeveralTablesSurvivesRestartsFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 100 MILLISECONDS FROM " + tables(""));
        sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS");
        files.kill();
        try {
            instance.close();
        } catch (RuntimeException expected) {
            // a killed process does not unload
        }
        open(cfg); // from the log alone: the tables and the group were one transaction
        assertEquals(null, instance.database("CACHEDB").recovery().checkpoint(), "from the log");
        assertEquals(INSTANCES_1_AND_2, cached());
        assertEquals(List.of("CUSTOMER", "ORDERS", "ITEM"), strings(admin.execute(
                "SELECT table_name FROM sys.cache_group_tables WHERE cgname = 'CO' ORDER BY tblnum").rows()));
        instance.close(); // (its unload checkpoint)
        open(cfg);
        assertTrue(instance.database("CACHEDB").recovery().checkpoint() != null, "from the checkpoint");
        assertEquals(INSTANCES_1_AND_2, cached());
        sql("CALL ttCacheStart()");
        backend("INSERT INTO " + schema + ".item VALUES (11, 2, 9)");
        awaitCached(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5", "item: 10 1 3 | 10 2 4 | 11 1 1 | 11 2 9"));
    }

    /** Restored from a backup, a group of several tables refuses writes to any of its tables and any LOAD; UNLOAD and DROP work. */
    @Test
    void aRestoredGroupOfSeveralTablesIsReadOnlyAndDropsWhole(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + tables(""));
        sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS");
        Path backup = dir.resolve("dump");
        Backup.run(instance.database("CACHEDB"), FileStorageIo.INSTANCE,
                new Backup.Request(BackupType.FILE_FULL, backup, null, false, null, 0),
                Backup.Progress.NONE);
        admin.close();
        instance.destroy("CACHEDB", 0, false);
        instance.refuseRestoreOver("CACHEDB");
        Restore.fromDirectory(backup, null, cfg, FileStorageIo.INSTANCE,
                Backup.Progress.NONE);
        instance.restored("CACHEDB");
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals(List.of("Y 3"), strings(admin.execute("SELECT restored, tblcount FROM sys.cache_group").rows()));
        assertEquals(INSTANCES_1_AND_2, cached());
        assertError(90051, () -> sql("UPDATE " + schema + ".item SET qty = 0"));
        assertError(90051, () -> sql("INSERT INTO " + schema + ".orders VALUES (30, 1, 1)"));
        assertError(90051, () -> sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS"));
        assertEquals(7, admin.execute("UNLOAD CACHE GROUP co").updateCount());
        sql("DROP CACHE GROUP co");
        assertEquals(0L, ((Number) admin.execute("SELECT COUNT(*) FROM sys.all_tables WHERE owner = '" + schema.toUpperCase() + "'")
                .rows().getFirst()[0]).longValue());
        assertEquals(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5 | 12 9 1 | 13 null 2",
                "item: 10 1 3 | 10 2 4 | 11 1 1 | 12 1 8 | 99 1 1"), backendInstances(), "the backend is left alone");
    }

    /** The adapter's one-round-trip read of cache instances, with more root keys than one command takes, in and out of a transaction. */
    @Test
    void theAdapterReadsEveryLevelOfManyInstances() {
        backend("INSERT INTO " + schema + ".customer SELECT g, 'c' || g FROM generate_series(1000, 2199) g",
                "INSERT INTO " + schema + ".orders SELECT g, g, 1 FROM generate_series(1000, 2199) g",
                "INSERT INTO " + schema + ".item SELECT g, l, l FROM generate_series(1000, 2199) g, generate_series(1, 2) l");
        List<CacheBackend.Level> levels = List.of(
                new CacheBackend.Level(schema, "customer", List.of("cust_id", "name"), List.of("cust_id"), null, -1, null),
                new CacheBackend.Level(schema, "orders", List.of("ord_id", "cust_id", "amount"), List.of("ord_id"),
                        List.of("cust_id"), 0, null),
                new CacheBackend.Level(schema, "item", List.of("ord_id", "line", "qty"), List.of("ord_id", "line"),
                        List.of("ord_id"), 1, null));
        List<Object[]> keys = new ArrayList<>();
        for (int k = 1000; k < 2200; k++) keys.add(new Object[] {k});
        keys.add(new Object[] {1}); // (customer 1: order 10, items 10/1 and 10/2)
        try (var s = new PostgresBackend().open(url, "postgres", "postgres")) {
            for (int pass = 0; pass < 2; pass++) { // (the second inside the transaction the describe opens)
                if (pass == 1) s.describe(schema, "customer");
                List<List<Object[]>> rows = s.fetchInstances(levels, keys);
                assertEquals(List.of(1201, 1201, 2402), rows.stream().map(List::size).toList());
                assertTrue(rows.get(2).stream().anyMatch(r -> ((Number) r[0]).intValue() == 10 && ((Number) r[1]).intValue() == 2));
            }
            s.commit();
        }
    }

    @Test
    void theGroupsShapeIsCheckedBeforeAnythingIsMade() {
        openTemporary();
        String c = schema + ".customer (cust_id NUMBER NOT NULL PRIMARY KEY, name VARCHAR2(40))";
        String o = schema + ".orders (ord_id NUMBER NOT NULL PRIMARY KEY, cust_id NUMBER, amount NUMBER(10,2)";
        String fk = ", FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer (cust_id))";
        // a child with no foreign key, a foreign key to a table not before it, to columns not its parent's key
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP co FROM " + c + ", " + o + ")"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP co FROM " + o + fk + ", " + c));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP co FROM " + schema + ".customer (cust_id NUMBER NOT NULL PRIMARY KEY,"
                + " name VARCHAR2(40) NOT NULL UNIQUE), " + schema + ".orders (ord_id NUMBER NOT NULL PRIMARY KEY, cust_id VARCHAR2(40),"
                + " FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer (name))"));
        // a row that references nothing is in no instance; aging takes whole instances, by ON DELETE CASCADE only
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP co FROM " + c + ", " + o
                + ", FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer (cust_id) ON DELETE SET NULL)"));
        assertError(90015, () -> sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + c + ", " + o + fk
                .replace("))", ")) AGING LRU ON")));
        assertError(90015, () -> sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + c + " AGING LRU ON, " + o + fk));
        // not built yet: tables in two schemas
        assertError(90019, () -> sql("CREATE READONLY CACHE GROUP co FROM " + c + ", admin.orders (ord_id NUMBER NOT NULL PRIMARY KEY,"
                + " cust_id NUMBER, FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer (cust_id))"));
        // a USERMANAGED group's tables share one attribute (READONLY, PROPAGATE or none)
        assertError(90019, () -> sql("CREATE USERMANAGED CACHE GROUP co FROM " + c.replace("))", "), PROPAGATE)") + ", " + o + fk));
        // the backend lacks a column of the child table: neither table is made
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP co FROM " + c + ", " + o + ", nope NUMBER" + fk));
        assertEquals(0L, ((Number) admin.execute("SELECT COUNT(*) FROM sys.all_tables WHERE owner = '" + schema.toUpperCase() + "'")
                .rows().getFirst()[0]).longValue(), "no table was left behind");
        assertEquals(0L, ((Number) admin.execute("SELECT COUNT(*) FROM sys.cache_group").rows().getFirst()[0]).longValue());

        sql("CREATE READONLY CACHE GROUP co FROM " + c + ", " + o + fk);
        assertError(90015, () -> sql("REFRESH CACHE GROUP co WHERE cust_id = 1 COMMIT EVERY 0 ROWS")); // (READONLY: autorefresh keeps it whole)
        // a table of another group is no parent: the new group's root would reference it
        assertError(90015, () -> sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP sw FROM " + schema + ".item (ord_id NUMBER NOT NULL,"
                + " line NUMBER NOT NULL, qty NUMBER, PRIMARY KEY (ord_id, line), FOREIGN KEY (ord_id) REFERENCES " + schema + ".orders)"));
    }

    @Test
    void synchronousWritethroughSendsATransactionOfSeveralTablesInItsOrder() {
        openTemporary();
        loadedOverBackendKeys("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + tables(""));
        admin.setAutocommit(false);
        sql("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')");
        sql("INSERT INTO " + schema + ".orders VALUES (14, 3, 9)");
        sql("INSERT INTO " + schema + ".item VALUES (14, 1, 6)");
        sql("DELETE FROM " + schema + ".item WHERE ord_id = 11");
        sql("DELETE FROM " + schema + ".orders WHERE ord_id = 11");
        admin.commit();
        List<String> expected = List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 5 | 14 3 9", "item: 10 1 3 | 10 2 4 | 14 1 6");
        assertEquals(expected, cached());
        assertEquals(expected, backendInstances(), "the backend's foreign keys took the changes in the transaction's order");

        // Rows first changed before the rows they reference: an order re-pointed to a customer
        // inserted after it, a customer renamed, then deleted after its order and item.
        sql("UPDATE " + schema + ".orders SET amount = 1 WHERE ord_id = 10");
        sql("UPDATE " + schema + ".customer SET name = 'Cyd' WHERE cust_id = 3");
        sql("INSERT INTO " + schema + ".customer VALUES (5, 'Eve')");
        sql("UPDATE " + schema + ".orders SET cust_id = 5 WHERE ord_id = 10");
        sql("DELETE FROM " + schema + ".item WHERE ord_id = 14");
        sql("DELETE FROM " + schema + ".orders WHERE ord_id = 14");
        sql("DELETE FROM " + schema + ".customer WHERE cust_id = 3");
        admin.commit();
        expected = List.of("customer: 1 Ann | 2 Bob | 5 Eve", "orders: 10 5 1", "item: 10 1 3 | 10 2 4");
        assertEquals(expected, cached());
        assertEquals(expected, backendInstances());

        // The backend refuses one row: nothing of the transaction stays, here or there.
        backend("ALTER TABLE " + schema + ".item ADD CHECK (qty < 100)");
        sql("INSERT INTO " + schema + ".orders VALUES (15, 5, 1)");
        sql("INSERT INTO " + schema + ".item VALUES (15, 1, 500)");
        assertError(90052, admin::commit);
        assertEquals(expected, cached());
        assertEquals(expected, backendInstances());
    }

    @Test
    void asynchronousWritethroughOnALoggedDatabase(@TempDir Path dir) {
        openPersistent(dir);
        loadedOverBackendKeys("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + tables(""));
        sql("CALL ttCacheStart()");
        admin.setAutocommit(false);
        sql("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')");
        sql("INSERT INTO " + schema + ".orders VALUES (14, 3, 9)");
        sql("INSERT INTO " + schema + ".item VALUES (14, 1, 6)");
        admin.commit();
        // (first changed before the rows they reference, as in the SWT test: sent in an order the backend's keys take)
        sql("UPDATE " + schema + ".customer SET name = 'Al' WHERE cust_id = 1");
        sql("UPDATE " + schema + ".item SET qty = 7 WHERE ord_id = 14");
        sql("UPDATE " + schema + ".orders SET amount = 8 WHERE ord_id = 11");
        sql("INSERT INTO " + schema + ".customer VALUES (5, 'Eve')");
        sql("UPDATE " + schema + ".orders SET cust_id = 5 WHERE ord_id = 11");
        sql("DELETE FROM " + schema + ".item WHERE ord_id = 10");
        sql("DELETE FROM " + schema + ".orders WHERE ord_id = 10");
        sql("DELETE FROM " + schema + ".customer WHERE cust_id = 1");
        admin.commit();
        admin.setAutocommit(true);
        assertEquals(0L, ((Number) admin.execute("CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, 30)").rows().getFirst()[0]).longValue());
        List<String> expected = List.of("customer: 2 Bob | 3 Cy | 5 Eve", "orders: 11 5 8 | 14 3 9", "item: 11 1 1 | 14 1 7");
        assertEquals(expected, cached());
        assertEquals(expected, backendInstances());
    }

    @Test
    void whereAndWithIdTakeWholeCacheInstancesOfAWritethroughGroup() {
        openTemporary();
        sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + tables(""));
        sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS");
        assertEquals(4, admin.execute("UNLOAD CACHE GROUP co WHERE cust_id = 1").updateCount(), "customer 1, order 10, its two items");
        assertEquals(List.of("customer: 2 Bob", "orders: 11 2 7.5", "item: 11 1 1"), cached());
        assertEquals(4, admin.execute("LOAD CACHE GROUP co WHERE cust_id < 2 COMMIT EVERY 1 ROWS").updateCount());
        assertEquals(INSTANCES_1_AND_2, cached());

        backend("DELETE FROM " + schema + ".item WHERE ord_id = 10 AND line = 2", "INSERT INTO " + schema + ".item VALUES (10, 3, 7)",
                "UPDATE " + schema + ".orders SET amount = 6 WHERE ord_id = 10", "UPDATE " + schema + ".item SET qty = 2 WHERE ord_id = 11",
                "INSERT INTO " + schema + ".orders VALUES (16, 1, 4)");
        // REFRESH of customer 1's instance: its rows made the backend's (an item gone, one new, an order new and one changed)
        assertEquals(4, admin.execute("REFRESH CACHE GROUP co WITH ID (1) COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 6 | 11 2 7.5 | 16 1 4", "item: 10 1 3 | 10 3 7 | 11 1 1"), cached(),
                "customer 2's item is not refreshed");
        // LOAD only adds: customer 2's instance has every row, changed or not
        assertEquals(0, admin.execute("LOAD CACHE GROUP co WHERE cust_id = 2 COMMIT EVERY 256 ROWS").updateCount());
        assertEquals(3, admin.execute("UNLOAD CACHE GROUP co WITH ID (2)").updateCount());
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 6 | 16 1 4", "item: 10 1 3 | 10 3 7"), cached());
    }

    /** The three tables with ON DELETE CASCADE foreign keys, as a DYNAMIC group needs them. */
    private String cascadingTables() {
        return tables("").replace("REFERENCES " + schema + ".customer (cust_id)", "REFERENCES " + schema + ".customer (cust_id) ON DELETE CASCADE")
                .replace("REFERENCES " + schema + ".orders", "REFERENCES " + schema + ".orders ON DELETE CASCADE");
    }

    @Test
    void aDynamicGroupLoadsAWholeCacheInstanceByItsRootKeyAndAgesItWhole() {
        openTemporary();
        assertError(90015, () -> sql("CREATE DYNAMIC READONLY CACHE GROUP co AUTOREFRESH INTERVAL 100 MILLISECONDS FROM " + tables("")));
        assertError(90015, () -> sql("CREATE DYNAMIC READONLY CACHE GROUP co FROM " + cascadingTables().replace(
                "ON DELETE CASCADE)", "ON DELETE CASCADE) AGING LRU ON")));
        sql("CALL ttAgingLRUConfig(NULL, NULL, 600)"); // (no aging cycle by the clock during the test)
        sql("CREATE DYNAMIC READONLY CACHE GROUP co AUTOREFRESH INTERVAL 100 MILLISECONDS STATE ON FROM " + cascadingTables());
        assertEquals(List.of("customer: ", "orders: ", "item: "), cached());

        // The root's key loads its instance: the customer, its orders, their items.
        assertEquals(List.of("Ann"), strings(admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 1").rows()));
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5", "item: 10 1 3 | 10 2 4"), cached());
        // An order in no instance (its customer is not in the backend) loads nothing.
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".orders WHERE ord_id = 12").rows());
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".orders WHERE ord_id IN (13, 99)").rows());
        // A join of the group's tables loads by the root's key too.
        assertEquals(List.of("11 7.5"), strings(admin.execute("SELECT o.ord_id, o.amount FROM " + schema + ".customer c JOIN " + schema
                + ".orders o ON o.cust_id = c.cust_id WHERE c.cust_id = 2").rows()));
        assertEquals(INSTANCES_1_AND_2, cached());

        // Autorefresh keeps the cached instances whole: a new order of a cached customer comes in,
        // a new customer does not.
        sql("CALL ttCacheStart()");
        backend("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')", "INSERT INTO " + schema + ".orders VALUES (17, 1, 2.00), (18, 3, 1.00)",
                "INSERT INTO " + schema + ".item VALUES (17, 1, 9)");
        awaitCached(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5 | 17 1 2", "item: 10 1 3 | 10 2 4 | 11 1 1 | 17 1 9"));
        backend("INSERT INTO " + schema + ".item VALUES (11, 2, 5)"); // (after the agent's first, full, refresh: an incremental one)
        awaitCached(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5 | 17 1 2",
                "item: 10 1 3 | 10 2 4 | 11 1 1 | 11 2 5 | 17 1 9"));
        assertTrue(stats().stream().anyMatch(r -> r.startsWith("Incremental")), stats().toString());

        // LRU aging takes customer 1 (not used since the last cycle) with its rows; customer 2 was used.
        agingCycleNow();
        assertEquals(List.of("Bob"), strings(admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 2").rows()));
        sql("CALL ttAgingLRUConfig(0, 0)");
        agingCycleNow();
        assertEquals(List.of("customer: 2 Bob", "orders: 11 2 7.5", "item: 11 1 1 | 11 2 5"), cached());

        // Asked again, the instance comes back whole; UNLOAD WHERE takes one out whole.
        assertEquals(List.of("2"), strings(admin.execute("SELECT COUNT(*) FROM " + schema + ".customer c JOIN " + schema
                + ".orders o ON o.cust_id = c.cust_id WHERE c.cust_id = 1").rows()));
        assertEquals(4, admin.execute("UNLOAD CACHE GROUP co WHERE cust_id = 2").updateCount());
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5 | 17 1 2", "item: 10 1 3 | 10 2 4 | 17 1 9"), cached());
        // A child table's key loads the instance of its row: the item's order's customer, whole.
        assertEquals(List.of("5"), strings(admin.execute("SELECT qty FROM " + schema + ".item WHERE ord_id = 11 AND line = 2").rows()));
        assertEquals(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5 | 17 1 2",
                "item: 10 1 3 | 10 2 4 | 11 1 1 | 11 2 5 | 17 1 9"), cached());
        List<String> plan = strings(admin.execute("EXPLAIN SELECT * FROM " + schema + ".orders WHERE ord_id = 18").rows());
        assertTrue(plan.stream().anyMatch(l -> l.contains("DYNAMIC LOAD OF CACHE GROUP ADMIN.CO")), plan.toString());
        assertEquals(List.of("18 3 1"), strings(admin.execute("SELECT * FROM " + schema + ".orders WHERE ord_id = 18").rows()));
        assertEquals(List.of("Cy"), strings(admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 3").rows()));
    }

    /** {@code tables} (as {@link #tables} makes them) with a WHERE clause after each table's definition. */
    private String withWhere(String tables, String customer, String orders, String item) {
        String[] parts = tables.split(java.util.regex.Pattern.quote("), " + schema + "."));
        assertEquals(3, parts.length, tables);
        return parts[0] + ") WHERE " + customer + ", " + schema + "." + parts[1] + ") WHERE " + orders + ", " + schema + "." + parts[2]
                + " WHERE " + item;
    }

    /**
     * Each table's WHERE clause chooses the backend rows it caches: a row below one it refuses is
     * in no cache instance. Incremental autorefresh follows rows into and out of their
     * conditions, bringing or taking what is below them; REFRESH and a DYNAMIC group's loads (by
     * a child's key too, through the one-round-trip read) apply every table's condition.
     */
    @Test
    void eachTablesWhereClauseChoosesTheRowsOfTheInstances() {
        openTemporary();
        sql("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 100 MILLISECONDS FROM "
                + withWhere(tables(""), "name <> 'Bob'", "amount >= 2", "qty > 1"));
        assertEquals(List.of("name <> 'Bob'", "amount >= 2", "qty > 1"), strings(admin.execute(
                "SELECT where_clause FROM sys.cache_group_tables WHERE cgname = 'CO' ORDER BY tblnum").rows()));
        assertEquals(4, admin.execute("LOAD CACHE GROUP co COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5", "item: 10 1 3 | 10 2 4"), cached(), "Bob's instance is not cached");

        sql("CALL ttCacheStart()");
        backend("UPDATE " + schema + ".customer SET name = 'Bobby' WHERE cust_id = 2", // comes, with order 11 (its item's qty is 1)
                "UPDATE " + schema + ".item SET qty = 0 WHERE ord_id = 10 AND line = 2",  // goes
                "INSERT INTO " + schema + ".orders VALUES (14, 1, 1.00)");                 // never comes
        awaitCached(List.of("customer: 1 Ann | 2 Bobby", "orders: 10 1 5 | 11 2 7.5", "item: 10 1 3"));
        backend("UPDATE " + schema + ".orders SET amount = 1.5 WHERE ord_id = 10", "UPDATE " + schema + ".customer SET name = 'Bob' WHERE cust_id = 2");
        awaitCached(List.of("customer: 1 Ann", "orders: ", "item: "));
        backend("UPDATE " + schema + ".orders SET amount = 3 WHERE ord_id = 10");
        awaitCached(List.of("customer: 1 Ann", "orders: 10 1 3", "item: 10 1 3"));

        sql("CALL ttCacheStop()");
        backend("UPDATE " + schema + ".item SET qty = 5 WHERE ord_id = 10 AND line = 2", "UPDATE " + schema + ".item SET qty = 1 WHERE ord_id = 10 AND line = 1",
                "UPDATE " + schema + ".orders SET amount = 2 WHERE ord_id = 14");
        assertEquals(3, admin.execute("REFRESH CACHE GROUP co COMMIT EVERY 0 ROWS").updateCount(), "10/2 and 14 come, 10/1 goes");
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 3 | 14 1 2", "item: 10 2 5"), cached());

        sql("DROP CACHE GROUP co");
        sql("CREATE DYNAMIC READONLY CACHE GROUP co FROM " + withWhere(cascadingTables(), "name <> 'Bob'", "amount >= 2", "qty > 1"));
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".customer WHERE cust_id = 2").rows(), "Bob is not for this cache");
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".item WHERE ord_id = 11 AND line = 1").rows());
        // (an item its condition refuses brings in nothing, though its order's and customer's are met)
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".item WHERE ord_id = 10 AND line = 1").rows());
        assertEquals(List.of("customer: ", "orders: ", "item: "), cached());
        assertEquals(List.of("5"), strings(admin.execute("SELECT qty FROM " + schema + ".item WHERE ord_id = 10 AND line = 2").rows()));
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 3 | 14 1 2", "item: 10 2 5"), cached(), "the item's instance, as its conditions choose it");

        // A LOAD ... WHERE of a USERMANAGED group chooses roots; the rows below them still meet their tables' conditions.
        sql("DROP CACHE GROUP co");
        sql("CREATE USERMANAGED CACHE GROUP co FROM " + withWhere(tables(""), "name <> 'Bob'", "amount >= 2", "qty > 1"));
        backend("UPDATE " + schema + ".customer SET name = 'Bobby' WHERE cust_id = 2", "UPDATE " + schema + ".customer SET name = 'Bob' WHERE cust_id = 1",
                "INSERT INTO " + schema + ".item VALUES (11, 2, 6)");
        assertEquals(3, admin.execute("LOAD CACHE GROUP co WHERE cust_id IN (1, 2) COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("customer: 2 Bobby", "orders: 11 2 7.5", "item: 11 2 6"), cached());
    }

    /**
     * LRU aging keeps a cache instance whose rows below the root were read though its root row
     * was not: aging the root would take them (ON DELETE CASCADE), so their use is its use. An
     * instance none of whose rows was read goes whole.
     */
    @Test
    void aCacheInstanceWhoseChildRowsAreReadIsNotAged() {
        openTemporary();
        sql("CALL ttAgingLRUConfig(NULL, NULL, 600)"); // (no aging cycle by the clock during the test)
        sql("CREATE DYNAMIC READONLY CACHE GROUP co FROM " + cascadingTables());
        for (int cust = 1; cust <= 2; cust++) admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = " + cust);
        assertEquals(INSTANCES_1_AND_2, cached());
        agingCycleNow(); // (below the thresholds: ages nothing, starts a period of use)

        // (cached() reads every row: not until the end.) Only an item of customer 1's order is read (by its key: the cache has it), two levels below the root.
        assertEquals(List.of("3"), strings(admin.execute("SELECT qty FROM " + schema + ".item WHERE ord_id = 10 AND line = 1").rows()));
        sql("CALL ttAgingLRUConfig(0, 0)");
        agingCycleNow();
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5", "item: 10 1 3 | 10 2 4"), cached(), "customer 2's instance goes whole");
    }

    /**
     * A dynamic load that cannot insert a row below a root (a SERIALIZABLE reader holds the child
     * table) loads nothing rather than part of an instance, which would stay part-loaded: a
     * cached root is not loaded again.
     */
    @Test
    void aDynamicLoadBringsAWholeInstanceOrNothing() {
        openTemporary();
        sql("CREATE DYNAMIC READONLY CACHE GROUP co FROM " + cascadingTables());
        Connection serializable = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        serializable.execute("ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE");
        serializable.setAutocommit(false);
        serializable.execute("SELECT COUNT(*) FROM " + schema + ".item");
        long started = System.nanoTime();
        assertEquals(List.of(), admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 1").rows());
        assertTrue(System.nanoTime() - started < java.util.concurrent.TimeUnit.SECONDS.toNanos(5), "the load waits for no lock (LockWait is 10 s)");
        assertEquals(List.of("customer: ", "orders: ", "item: "), cached());
        serializable.rollback();
        serializable.close();
        assertEquals(List.of("Ann"), strings(admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 1").rows()));
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5", "item: 10 1 3 | 10 2 4"), cached());
    }

    @Test
    void aDynamicAsynchronousGroupSendsACascadedDeleteChildrenFirst(@TempDir Path dir) {
        openPersistent(dir);
        backendForeignKeys();
        sql("CREATE DYNAMIC ASYNCHRONOUS WRITETHROUGH CACHE GROUP co FROM " + cascadingTables());
        sql("CALL ttCacheStart()");
        assertEquals(List.of("Ann"), strings(admin.execute("SELECT name FROM " + schema + ".customer WHERE cust_id = 1").rows()));
        assertEquals(List.of("customer: 1 Ann", "orders: 10 1 5", "item: 10 1 3 | 10 2 4"), cached());
        // The cascade's rows go to the backend children first, which its own foreign keys (no CASCADE) need.
        assertEquals(1, admin.execute("DELETE FROM " + schema + ".customer WHERE cust_id = 1").updateCount()); // (and its order and items)
        admin.setAutocommit(false);
        sql("INSERT INTO " + schema + ".customer VALUES (4, 'Di')");
        sql("INSERT INTO " + schema + ".orders VALUES (20, 4, 1)");
        admin.commit();
        admin.setAutocommit(true);
        assertEquals(0L, ((Number) admin.execute("CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, 30)").rows().getFirst()[0]).longValue());
        assertEquals(List.of("customer: 2 Bob | 4 Di", "orders: 11 2 7.5 | 20 4 1", "item: 11 1 1"), backendInstances());
        // A key the backend no longer has loads nothing; one it has loads its instance.
        assertEquals(List.of(), admin.execute("SELECT * FROM " + schema + ".customer WHERE cust_id = 1").rows());
        assertEquals(List.of("1"), strings(admin.execute("SELECT COUNT(*) FROM " + schema + ".customer c, " + schema + ".item i, " + schema
                + ".orders o WHERE c.cust_id = 2 AND o.cust_id = c.cust_id AND i.ord_id = o.ord_id").rows()));
        assertEquals(List.of("customer: 2 Bob | 4 Di", "orders: 11 2 7.5 | 20 4 1", "item: 11 1 1"), cached());
    }

    @Test
    void propagateTablesWriteThroughAsASynchronousGroup() {
        openTemporary();
        loadedOverBackendKeys("CREATE USERMANAGED CACHE GROUP co FROM " + tables(", PROPAGATE"));
        admin.setAutocommit(false);
        sql("UPDATE " + schema + ".orders SET amount = 2 WHERE ord_id = 11");
        sql("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')");
        sql("UPDATE " + schema + ".orders SET cust_id = 3 WHERE ord_id = 11");
        sql("DELETE FROM " + schema + ".customer WHERE cust_id = 2");
        admin.commit();
        List<String> expected = List.of("customer: 1 Ann | 3 Cy", "orders: 10 1 5 | 11 3 2", "item: 10 1 3 | 10 2 4 | 11 1 1");
        assertEquals(expected, cached());
        assertEquals(expected, backendInstances());
        assertError(90015, () -> sql("FLUSH CACHE GROUP co"));
    }

    @Test
    void flushWritesEveryTableParentsFirstAndUnloadEmptiesThemAll() {
        openTemporary();
        loadedOverBackendKeys("CREATE USERMANAGED CACHE GROUP co FROM " + tables(""));
        sql("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')");
        sql("INSERT INTO " + schema + ".orders VALUES (14, 3, 9)");
        sql("INSERT INTO " + schema + ".item VALUES (14, 1, 6)");
        sql("UPDATE " + schema + ".orders SET amount = 6 WHERE ord_id = 10");
        List<String> expected = List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 6 | 11 2 7.5 | 14 3 9",
                "item: 10 1 3 | 10 2 4 | 11 1 1 | 14 1 6");
        assertEquals(List.of("customer: 1 Ann | 2 Bob", "orders: 10 1 5 | 11 2 7.5", "item: 10 1 3 | 10 2 4 | 11 1 1"), backendInstances(),
                "nothing goes before FLUSH");
        assertEquals(10, admin.execute("FLUSH CACHE GROUP co").updateCount());
        assertEquals(expected, backendInstances());
        // FLUSH WHERE: the instances whose customer it chooses, every table's rows of them
        sql("UPDATE " + schema + ".item SET qty = 30 WHERE ord_id = 14");
        sql("UPDATE " + schema + ".item SET qty = 40 WHERE ord_id = 10 AND line = 1");
        assertEquals(3, admin.execute("FLUSH CACHE GROUP co WHERE cust_id = 3").updateCount());
        assertEquals(List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 6 | 11 2 7.5 | 14 3 9",
                "item: 10 1 3 | 10 2 4 | 11 1 1 | 14 1 30"), backendInstances(), "customer 1's item is not flushed");
        assertEquals(4, admin.execute("FLUSH CACHE GROUP co WITH ID (1)").updateCount());
        assertEquals(List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 6 | 11 2 7.5 | 14 3 9",
                "item: 10 1 40 | 10 2 4 | 11 1 1 | 14 1 30"), backendInstances());
        assertEquals(10, admin.execute("UNLOAD CACHE GROUP co").updateCount());
        assertEquals(List.of("customer: ", "orders: ", "item: "), cached());
    }

    /**
     * FLUSH of several tables reads them as one cut: it waits for a transaction writing them (a
     * parent with its child, not yet committed), then sends both; writers wait for it in turn.
     */
    @Test
    void flushOfSeveralTablesWaitsForTheirWritersAndSendsOneCut() throws Exception {
        openTemporary();
        loadedOverBackendKeys("CREATE USERMANAGED CACHE GROUP co FROM " + tables(""));
        Connection writer = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        writer.setAutocommit(false);
        writer.execute("INSERT INTO " + schema + ".customer VALUES (3, 'Cy')");
        writer.execute("INSERT INTO " + schema + ".orders VALUES (14, 3, 9)");
        var flush = java.util.concurrent.CompletableFuture.supplyAsync(() -> admin.execute("FLUSH CACHE GROUP co").updateCount());
        Thread.sleep(300);
        assertFalse(flush.isDone(), "FLUSH waits for the transaction writing the group's tables");
        writer.commit();
        assertEquals(9, flush.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of("customer: 1 Ann | 2 Bob | 3 Cy", "orders: 10 1 5 | 11 2 7.5 | 14 3 9", "item: 10 1 3 | 10 2 4 | 11 1 1"),
                backendInstances());
        writer.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Gives the backend its foreign keys, makes the group co with {@code create} and loads it. */
    private void loadedOverBackendKeys(String create) {
        backendForeignKeys();
        sql(create);
        sql("LOAD CACHE GROUP co COMMIT EVERY 256 ROWS");
    }

    /** The backend's own foreign keys (after removing the rows that belong to no instance). */
    private void backendForeignKeys() {
        backend("DELETE FROM " + schema + ".item WHERE ord_id IN (12, 99)", "DELETE FROM " + schema + ".orders WHERE ord_id IN (12, 13)",
                "ALTER TABLE " + schema + ".orders ADD FOREIGN KEY (cust_id) REFERENCES " + schema + ".customer",
                "ALTER TABLE " + schema + ".item ADD FOREIGN KEY (ord_id) REFERENCES " + schema + ".orders");
    }

    private void sql(String s) { admin.execute(s); }

    private String id() {
        return (String) admin.execute("SELECT backend_id FROM sys.cache_group WHERE cgname = 'CO'").rows().getFirst()[0];
    }

    /** Runs an LRU aging cycle of the customer table's groups now (ttAgingScheduleNow) and waits until it is done. */
    private void agingCycleNow() {
        long before = instance.loaded("CACHEDB").lruCycles();
        sql("CALL ttAgingScheduleNow('" + schema + ".customer')");
        await(() -> instance.loaded("CACHEDB").lruCycles() > before, () -> "an aging cycle");
    }

    private static final String[] ORDERED = {"customer ORDER BY cust_id", "orders ORDER BY ord_id", "item ORDER BY ord_id, line"};

    /** Each cache table's rows, "table: row | row", values joined by blanks (numbers without trailing zeros). */
    private List<String> cached() {
        List<String> out = new ArrayList<>();
        for (String t : ORDERED) {
            List<String> rows = new ArrayList<>();
            for (Object[] r : admin.execute("SELECT * FROM " + schema + "." + t).rows()) rows.add(row(r));
            out.add(t.substring(0, t.indexOf(' ')) + ": " + String.join(" | ", rows));
        }
        return out;
    }

    /** The backend's rows of each table (with the backend's own foreign keys, all rows of instances), as {@link #cached} shows them. */
    private List<String> backendInstances() {
        List<String> out = new ArrayList<>();
        for (String t : ORDERED) out.add(t.substring(0, t.indexOf(' ')) + ": " + String.join(" | ", backendQuery("SELECT * FROM " + schema + "." + t)));
        return out;
    }

    private static String row(Object[] r) {
        List<String> cells = new ArrayList<>();
        for (Object v : r) cells.add(v instanceof java.math.BigDecimal b ? b.stripTrailingZeros().toPlainString() : String.valueOf(v));
        return String.join(" ", cells);
    }

    private static List<String> strings(List<Object[]> rows) {
        List<String> out = new ArrayList<>();
        for (Object[] r : rows) out.add(row(r));
        return out;
    }

    private long changeLogs() {
        return Long.parseLong(backendQuery("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'hourglass_cl_%' AND relkind = 'r'"
                + " AND relnamespace = '" + schema + "'::regnamespace").getFirst());
    }

    private void awaitCached(List<String> expected) {
        await(() -> cached().equals(expected), () -> "cache " + cached() + ", expected " + expected + "; refreshes " + stats());
    }

    /** Waits until {@code n} more autorefreshes completed. */
    private void awaitRefreshes(int n) {
        long from = lastComplete();
        await(() -> lastComplete() >= from + n, () -> "refreshes " + stats());
    }

    /** The number of the last autorefresh that completed (0: none). */
    private long lastComplete() {
        for (Object[] r : admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'CO')").rows()) {
            if ("Complete".equals(r[5])) return ((Number) r[0]).longValue();
        }
        return 0;
    }

    private List<String> stats() {
        List<String> out = new ArrayList<>();
        for (Object[] r : admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'CO')").rows()) {
            out.add(r[3] + " " + r[4] + " " + r[5] + " " + r[6]);
        }
        return out;
    }

    private static void backend(String... statements) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
