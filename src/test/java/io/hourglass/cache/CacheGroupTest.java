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
import io.hourglass.engine.spi.SimulatedDisk;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hourglass.cache.CacheTests.assertError;
import static io.hourglass.cache.CacheTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * READONLY cache groups over a real PostgreSQL server (binaries from Maven Central, a child
 * process of the test JVM): LOAD, REFRESH, UNLOAD, incremental and full autorefresh, the read-only
 * rule, failures that must lose nothing, and a restart.
 */
class CacheGroupTest {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static EmbeddedPostgres pg;
    private static String url;

    private Instance instance;
    private KillableIo files;
    private Connection admin;
    private String schema; // the backend schema and Hourglass user of this test

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
        schema = "sales" + SCHEMAS.incrementAndGet();
        backend("CREATE SCHEMA " + schema,
                "CREATE TABLE " + schema + ".readtab (keyval integer PRIMARY KEY, str varchar(64))",
                "INSERT INTO " + schema + ".readtab VALUES (1, 'one'), (2, 'two')");
    }

    @AfterEach
    void close() {
        if (instance != null) instance.close();
    }

    /** Opens the database on real files; {@link #kill} ends it as a killed process would. Its commits are durable. */
    private Instance open(DatabaseConfig cfg) {
        files = new KillableIo();
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), files, new PostgresBackend());
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        admin.setDurableCommits(true);
        return instance;
    }

    /** Ends the database without its unload checkpoint, so that the next {@link #open} replays the log. */
    private void kill() {
        files.kill();
        try {
            instance.close();
        } catch (RuntimeException expected) {
            // a failed unload is what a killed process leaves
        }
        instance = null;
    }

    /** Whether the database was loaded from a checkpoint (else from the log alone). */
    private boolean loadedFromACheckpoint() { return instance.database("CACHEDB").recovery().checkpoint() != null; }

    /** A database on files in {@code dir}, with configured cache credentials and this test's user; returns its configuration. */
    private DatabaseConfig openPersistent(Path dir) { return openPersistent(dir, c -> c); }

    private DatabaseConfig openPersistent(Path dir, java.util.function.UnaryOperator<DatabaseConfig> tuned) {
        DatabaseConfig cfg = tuned.apply(DatabaseConfig.defaults("CACHEDB", dir.resolve("cachedb").toString())
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres")));
        open(cfg);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        return cfg;
    }

    private void openTemporary() {
        open(DatabaseConfig.temporary("CACHEDB").withCache(new DatabaseConfig.CacheSettings(url, null, null)));
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        sql("CALL ttCacheUidPwdSet('postgres', 'postgres')");
    }

    private String group(String autorefresh) {
        return "CREATE READONLY CACHE GROUP readcache " + autorefresh + " FROM " + schema
                + ".readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))";
    }

    @Test
    void loadThenIncrementalAutorefreshFollowsInsertsUpdatesDeletesAndTruncates() {
        openTemporary();
        sql(group("AUTOREFRESH INTERVAL 100 MILLISECONDS"));
        assertEquals("PAUSED", groupState());
        assertEquals(2, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS").updateCount());
        assertEquals("ON", groupState(), "the first LOAD turns autorefresh ON");
        assertEquals(List.of("1=one", "2=two"), cached());
        sql("CALL ttCacheStart()");

        backend("INSERT INTO " + schema + ".readtab VALUES (3, 'three')",
                "UPDATE " + schema + ".readtab SET str = 'uno' WHERE keyval = 1",
                "DELETE FROM " + schema + ".readtab WHERE keyval = 2",
                "UPDATE " + schema + ".readtab SET keyval = 4 WHERE keyval = 3");
        awaitCached(List.of("1=uno", "4=three"));

        backend("TRUNCATE " + schema + ".readtab", "INSERT INTO " + schema + ".readtab VALUES (9, 'nine')");
        awaitCached(List.of("9=nine"));
        // The backend's change log was consumed: only the refreshes' own commits emptied it.
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM " + schema + ".hourglass_cl_" + cacheId()));
    }

    @Test
    void usersCannotChangeTheCacheTable() {
        openTemporary();
        sql(group("AUTOREFRESH INTERVAL 1 SECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 0 ROWS");
        String t = schema + ".readtab";
        assertError(8225, () -> sql("INSERT INTO " + t + " VALUES (5, 'five')"));
        assertError(8225, () -> sql("UPDATE " + t + " SET str = 'x'"));
        assertError(8225, () -> sql("DELETE FROM " + t));
        assertError(8225, () -> sql("DROP TABLE " + t));
        assertError(8225, () -> sql("TRUNCATE TABLE " + t));
        assertError(8225, () -> sql("ALTER TABLE " + t + " ADD extra NUMBER"));
        assertError(8225, () -> sql("CREATE TABLE child (id NUMBER PRIMARY KEY, k NUMBER REFERENCES " + t + " (keyval))"));
        assertEquals(List.of("1=one", "2=two"), cached());
        // An index of one's own is allowed.
        sql("CREATE INDEX readtab_str ON " + t + " (str)");
        assertEquals(1L, ((Number) admin.execute("SELECT COUNT(*) FROM " + t + " WHERE str = 'two'").rows().getFirst()[0]).longValue());
    }

    @Test
    void badDefinitionsAndStatementsAreRefusedWithTheirNumbers() {
        openTemporary();
        assertError(90049, () -> sql("CREATE READONLY CACHE GROUP g FROM " + schema + ".missing (id NUMBER PRIMARY KEY)"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP g FROM " + schema
                + ".readtab (keyval NUMBER PRIMARY KEY, nosuch VARCHAR2(10))"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP g FROM " + schema + ".readtab (keyval NUMBER, str VARCHAR2(32) PRIMARY KEY)"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP g FROM " + schema + ".readtab (keyval NUMBER, str VARCHAR2(32))"));
        assertError(90019, () -> sql("CREATE DYNAMIC USERMANAGED CACHE GROUP g FROM " + schema + ".readtab (keyval NUMBER PRIMARY KEY)"));
        assertError(90019, () -> sql("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP g FROM " + schema + ".readtab (keyval NUMBER PRIMARY KEY)"));
        assertEquals(0L, changeLogs(), "a refused CREATE leaves nothing in the backend");
        assertTrue(admin.execute("SELECT * FROM all_tables WHERE owner = '" + schema.toUpperCase() + "'").rows().isEmpty());
        sql(group(""));
        assertError(90048, () -> sql(group("")));
        assertError(8225, () -> sql("RENAME " + schema + ".readtab TO other"));
        assertError(8290, () -> sql("LOAD CACHE GROUP readcache"));
        assertError(8290, () -> sql("REFRESH CACHE GROUP readcache"));
        assertError(90015, () -> sql("LOAD CACHE GROUP readcache WHERE keyval > 1 COMMIT EVERY 1 ROWS"));
        assertError(1001, () -> sql("LOAD CACHE GROUP readcache WHERE keyval > 1"));
        assertError(90047, () -> sql("LOAD CACHE GROUP nosuch COMMIT EVERY 1 ROWS"));
        sql("CREATE USER nobody IDENTIFIED BY pw");
        Connection plain = instance.connect("CACHEDB", "NOBODY", "pw");
        assertError(90006, () -> plain.execute("LOAD CACHE GROUP admin.readcache COMMIT EVERY 1 ROWS"));
        assertError(90006, () -> plain.execute("CALL ttCacheStart()"));
        assertError(90006, () -> plain.execute("CALL ttCacheAWTThresholdSet(4)"));
        assertError(90015, () -> sql("CALL ttCacheAWTThresholdSet(-1)"));
        sql("CALL ttCacheAWTThresholdSet(4)");
        assertEquals(4L, plain.execute("CALL ttCacheAWTThresholdGet()").rows().getFirst()[0], "reading it needs no privilege");
        sql("CALL ttCacheAWTThresholdSet(NULL)");
        assertEquals(0L, plain.execute("CALL ttCacheAWTThresholdGet()").rows().getFirst()[0], "NULL: no limit");
        // A backend user that does not exist: ttCacheStart refuses with TT5220 and the agent stays stopped.
        sql("CALL ttCacheUidPwdSet('nosuchrole', 'x')");
        assertError(5220, () -> sql("CALL ttCacheStart()"));
        assertError(5220, () -> sql("LOAD CACHE GROUP readcache COMMIT EVERY 1 ROWS"));
        assertEquals(List.of(), cached());
    }

    @Test
    void refreshMakesTheCacheEqualAndFullAutorefreshKeepsItSo() {
        openTemporary();
        sql(group("AUTOREFRESH MODE FULL INTERVAL 100 MILLISECONDS STATE OFF"));
        assertEquals(0L, changeLogs(), "MODE FULL needs no change log");
        assertEquals(2, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 1 ROWS").updateCount());
        assertEquals("OFF", groupState(), "LOAD turns only a PAUSED group ON");
        backend("UPDATE " + schema + ".readtab SET str = 'dos' WHERE keyval = 2", "DELETE FROM " + schema + ".readtab WHERE keyval = 1",
                "INSERT INTO " + schema + ".readtab SELECT g, 'n' || g FROM generate_series(10, 19) g");
        assertEquals(2, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 1 ROWS").updateCount() - 8,
                "LOAD adds the 10 new rows and changes no cached one");
        assertTrue(cached().contains("1=one"));
        assertEquals(2, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 3 ROWS").updateCount(),
                "REFRESH writes only what differs: one update, one delete");
        assertEquals(backendRows(), cached());
        assertEquals(0, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount());

        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE ON");
        sql("CALL ttCacheStart()");
        assertError(12026, () -> sql("CALL ttCacheStart()"));
        backend("DELETE FROM " + schema + ".readtab WHERE keyval > 14", "UPDATE " + schema + ".readtab SET str = 'zehn' WHERE keyval = 10");
        awaitCached(backendRows());
        List<Object[]> stats = admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows();
        assertTrue(stats.stream().allMatch(r -> "Full".equals(r[3])), "MODE FULL refreshes are full");

        assertEquals(6, admin.execute("UNLOAD CACHE GROUP readcache").updateCount());
        assertEquals("PAUSED", groupState(), "UNLOAD pauses autorefresh until the next LOAD");
        sql("CALL ttCacheStop()");
        assertEquals(List.of(), cached());
    }

    @Test
    void switchingToIncrementalRefreshesInFullOnceAndSwitchingToFullDropsTheChangeLog() {
        openTemporary();
        sql(group("AUTOREFRESH MODE FULL INTERVAL 50 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheStart()");
        backend("UPDATE " + schema + ".readtab SET str = 'uno' WHERE keyval = 1");
        awaitCached(List.of("1=uno", "2=two"));

        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE PAUSED");
        // A change no change log sees: it happens before the triggers exist.
        backend("UPDATE " + schema + ".readtab SET str = 'dos' WHERE keyval = 2");
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH MODE INCREMENTAL");
        assertEquals(1L, changeLogs(), "MODE INCREMENTAL installs the change log");
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE ON");
        awaitCached(List.of("1=uno", "2=dos"));

        backend("INSERT INTO " + schema + ".readtab VALUES (3, 'tres')");
        awaitCached(List.of("1=uno", "2=dos", "3=tres"));
        awaitStatus("Incremental 1 Complete", ""); // then incremental

        // STATE OFF and back ON: the next refresh is a full one, as in TimesTen.
        long before = lastRefreshNumber();
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE OFF");
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE ON");
        await(() -> admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows().stream()
                .anyMatch(r -> ((Number) r[0]).longValue() > before && "Full".equals(r[3])), () -> "refreshes " + stats());

        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH MODE FULL");
        assertEquals(0L, changeLogs(), "MODE FULL drops the change log, which nothing would read");
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'hourglass_%'"
                + " AND tgrelid = '" + schema + ".readtab'::regclass"));
        backend("DELETE FROM " + schema + ".readtab WHERE keyval = 3");
        awaitCached(List.of("1=uno", "2=dos"));
    }

    /** A change log longer than the table (100,000 entries at least) is read past: a full refresh costs less. */
    @Test
    void aChangeLogLongerThanTheTableIsReplacedByOneFullRefresh() {
        openTemporary();
        sql(group("AUTOREFRESH INTERVAL 50 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheStart()");
        backend("INSERT INTO " + schema + ".readtab VALUES (3, 'three')");
        awaitCached(List.of("1=one", "2=two", "3=three")); // the agent's first, full refresh is behind us

        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE PAUSED"); // the change log keeps filling
        long before = lastRefreshNumber();
        backend("INSERT INTO " + schema + ".readtab SELECT g, 'n' FROM generate_series(10, 60009) g",
                "UPDATE " + schema + ".readtab SET str = 'm' WHERE keyval >= 10");
        assertTrue(backendCount("SELECT COUNT(*) FROM " + schema + ".hourglass_cl_" + cacheId()) > 100_000);
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE ON");
        await(() -> count("SELECT COUNT(*) FROM " + schema + ".readtab WHERE str = 'm'") == 60_000, () -> "refreshes " + stats());
        await(() -> admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows().stream()
                .anyMatch(r -> ((Number) r[0]).longValue() > before && "Full".equals(r[3]) && ((Number) r[4]).longValue() == 60_000),
                () -> "one full refresh applied the 60,000 rows; refreshes " + stats());
        assertTrue(admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows().stream()
                .noneMatch(r -> ((Number) r[0]).longValue() > before && "Incremental".equals(r[3]) && ((Number) r[4]).longValue() > 0),
                "no key-by-key refresh of that backlog: " + stats());
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM " + schema + ".hourglass_cl_" + cacheId()), "its entries are gone");
    }

    @Test
    void aRefreshThatFailsLosesNoChangeAndTheNextOneAppliesThem() {
        openTemporary();
        sql(group("AUTOREFRESH INTERVAL 50 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS");
        sql("CALL ttCacheStart()");
        // A change the cache cannot take (VARCHAR2(32) here, 64 in the backend), among good ones:
        // the whole batch fails, in both databases, and is retried. (One backend transaction, so
        // that no refresh can run between the two and apply the good change alone.)
        List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) { logged.add(r); }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        java.util.logging.Logger agentLog = java.util.logging.Logger.getLogger("io.hourglass.engine.cache.CacheAgent");
        agentLog.addHandler(capture); // before the change: the first failure's warning is the one to see
        try {
            backend("BEGIN; UPDATE " + schema + ".readtab SET str = 'fine' WHERE keyval = 1; "
                    + "INSERT INTO " + schema + ".readtab VALUES (3, '" + "x".repeat(40) + "'); COMMIT");
            await(() -> stats().stream().filter(r -> r.contains("Failed") && r.contains("90002")).count() >= 5, () -> "refreshes " + stats());
            assertEquals(List.of("1=one", "2=two"), cached(), "nothing of the failed batch is applied");
            assertTrue(backendCount("SELECT COUNT(*) FROM " + schema + ".hourglass_cl_" + cacheId()) >= 2,
                    "the failed batch's entries are still in the change log");
            assertEquals(1, logged.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING).count(),
                    "the same failure, five times and more, is logged once");
            backend("UPDATE " + schema + ".readtab SET str = 'short' WHERE keyval = 3");
            awaitCached(List.of("1=fine", "2=two", "3=short"));
            await(() -> logged.stream().anyMatch(r -> r.getMessage().contains("works again")), () -> "logged " + logged.size());
        } finally {
            agentLog.removeHandler(capture);
        }

        // A backend column the cache reads renamed away: refreshes fail, and resume once it is back.
        backend("ALTER TABLE " + schema + ".readtab RENAME COLUMN str TO hidden",
                "UPDATE " + schema + ".readtab SET hidden = 'uno' WHERE keyval = 1");
        awaitStatus("Failed", "90049");
        assertEquals(List.of("1=fine", "2=two", "3=short"), cached());
        backend("ALTER TABLE " + schema + ".readtab RENAME COLUMN hidden TO str");
        awaitCached(List.of("1=uno", "2=two", "3=short"));

        // The row trigger dropped: changes go unrecorded. The agent notices at its next refresh,
        // makes the trigger again and refreshes in full, so the unrecorded change arrives too.
        backend("DROP TRIGGER hourglass_ct_" + cacheId() + " ON " + schema + ".readtab",
                "UPDATE " + schema + ".readtab SET str = 'unrecorded' WHERE keyval = 1");
        awaitCached(List.of("1=unrecorded", "2=two", "3=short"));
        awaitStatus("Full 1 Complete", "");

        // The change-log table renamed away: the trigger makes the backend refuse changes to the
        // table until the agent makes the change log again, which it does by itself.
        backend("ALTER TABLE " + schema + ".hourglass_cl_" + cacheId() + " RENAME TO hidden");
        await(() -> changeLogs() == 1, () -> "the change log made again; refreshes " + stats());
        backend("DELETE FROM " + schema + ".readtab WHERE keyval = 2");
        awaitCached(List.of("1=unrecorded", "3=short"));
    }

    /**
     * The cache's commit refused (a full disk: TT90022, the database goes on): the backend keeps
     * the change-log entries, because its transaction commits only after the cache's did, and
     * once space is freed the next refresh applies them.
     */
    @Test
    void aCacheCommitRefusedByAFullDiskLeavesTheEntriesInTheBackend() {
        SimulatedDisk disk = new SimulatedDisk().capacity((8L << 20) + (1 << 20)); // room for one log file
        DatabaseConfig cfg = DatabaseConfig.defaults("CACHEDB", "/sim/cachedb").withLog(8, 1)
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), disk, new PostgresBackend());
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        sql(group("AUTOREFRESH INTERVAL 50 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS");
        sql("CALL ttCacheStart()");
        sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, pad VARCHAR2(2000))");
        // Fill the log until no commit fits, not even a small one.
        int id = 0;
        for (String pad : List.of("x".repeat(2000), "y")) {
            while (true) {
                try {
                    admin.execute("INSERT INTO filler VALUES (?, ?)", id++, pad);
                } catch (HourglassException e) {
                    assertEquals(90022, e.code().number(), e.getMessage());
                    break;
                }
            }
        }
        backend("UPDATE " + schema + ".readtab SET str = 'while full' WHERE keyval = 1",
                "INSERT INTO " + schema + ".readtab VALUES (3, 'three')");
        awaitStatus("Failed", "90022");
        assertEquals(List.of("1=one", "2=two"), cached());
        assertTrue(backendCount("SELECT COUNT(*) FROM " + schema + ".hourglass_cl_" + cacheId()) >= 2,
                "the entries of the refused refresh are still in the backend");
        disk.capacity(Long.MAX_VALUE); // space is freed
        awaitCached(List.of("1=while full", "2=two", "3=three"));
        awaitStatus("Incremental 2 Complete", ""); // its record follows the commits that made the rows visible
    }

    @Test
    void cacheGroupsAndTheRunningAgentComeBackAfterARestart(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        sql(group("AUTOREFRESH INTERVAL 100 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS");
        sql("CALL ttCacheStart()");
        instance.close();
        instance = null;

        backend("INSERT INTO " + schema + ".readtab VALUES (7, 'while down')"); // the trigger keeps the key for later
        open(cfg);
        assertEquals("ON", groupState());
        awaitCached(List.of("1=one", "2=two", "7=while down"));
        assertError(8225, () -> sql("DELETE FROM " + schema + ".readtab"));
        sql("DROP CACHE GROUP readcache");
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'hourglass_%'"
                + " AND tgrelid = '" + schema + ".readtab'::regclass"), "DROP CACHE GROUP removes the triggers");
        assertEquals(0L, changeLogs());
        assertError(2206, () -> sql("SELECT * FROM " + schema + ".readtab"));
        kill();
        open(cfg);
        assertTrue(admin.execute("SELECT * FROM all_tables WHERE owner = '" + schema.toUpperCase() + "'").rows().isEmpty(),
                "the drop came back from the log");
        assertTrue(instance.database("CACHEDB").recovery().transactions() > 0, "the drop came back from the log");
        assertError(90047, () -> sql("LOAD CACHE GROUP readcache COMMIT EVERY 1 ROWS"));
    }

    /**
     * A WHERE clause on a cache table (CREATE CACHE GROUP's, the backend's SQL) caches the backend
     * rows it holds for and no others, through LOAD, incremental and full autorefresh (a row that
     * stops meeting it goes, one that starts comes) and REFRESH; it is checked by the backend at
     * CREATE, comes back after a restart from the log and from a checkpoint, and is shown by
     * SYS.CACHE_GROUP_TABLES.
     */
    @Test
    void aWhereClauseCachesOnlyTheBackendRowsItHoldsFor(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        String t = schema + ".readtab";
        backend("INSERT INTO " + t + " VALUES (3, 'three'), (4, 'four'), (5, NULL)");
        // (a condition reads columns the cache table does not have too, and the backend's functions)
        sql("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 100 MILLISECONDS FROM " + t
                + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32)) WHERE " + t + ".keyval % 2 = 1 AND length(str) > 0");
        assertEquals(List.of(t + ".keyval % 2 = 1 AND length(str) > 0"), TestInstances.rows(admin, "SELECT where_clause FROM sys.cache_group_tables WHERE cgname = 'READCACHE'"));
        assertEquals(2, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 1 ROWS").updateCount());
        assertEquals(List.of("1=one", "3=three"), cached(), "odd keys with a string: 5's is NULL");

        sql("CALL ttCacheStart()");
        backend("UPDATE " + t + " SET str = 'five' WHERE keyval = 5", // comes: it meets the condition now
                "UPDATE " + t + " SET keyval = 6 WHERE keyval = 3",   // goes: its new key does not
                "UPDATE " + t + " SET str = 'uno' WHERE keyval = 1",  // changes
                "INSERT INTO " + t + " VALUES (7, 'seven'), (8, 'eight')");
        awaitCached(List.of("1=uno", "5=five", "7=seven"));
        backend("UPDATE " + t + " SET str = '' WHERE keyval = 7");
        awaitCached(List.of("1=uno", "5=five"));

        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH MODE FULL");
        backend("UPDATE " + t + " SET str = 'seven' WHERE keyval = 7", "UPDATE " + t + " SET str = NULL WHERE keyval = 1");
        awaitCached(List.of("5=five", "7=seven"));

        sql("CALL ttCacheStop()"); // (no autorefresh from here: the REFRESHes below count what they change)
        backend("UPDATE " + t + " SET str = 'one' WHERE keyval = 1", "DELETE FROM " + t + " WHERE keyval = 5");
        assertEquals(2, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount(), "1 comes, 5 goes");
        assertEquals(List.of("1=one", "7=seven"), cached());

        // After a restart from the log, then from a checkpoint: the clause is still there, and still applied.
        kill();
        open(cfg);
        assertEquals(List.of(t + ".keyval % 2 = 1 AND length(str) > 0"),
                TestInstances.rows(admin, "SELECT where_clause FROM sys.cache_group_tables WHERE cgname = 'READCACHE'"));
        backend("INSERT INTO " + t + " VALUES (9, 'nine'), (10, 'ten')");
        assertEquals(1, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount());
        instance.close();
        open(cfg);
        assertTrue(loadedFromACheckpoint());
        backend("DELETE FROM " + t + " WHERE keyval = 9", "INSERT INTO " + t + " VALUES (11, 'eleven'), (12, 'twelve')");
        assertEquals(2, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("1=one", "7=seven", "11=eleven"), cached());
    }

    /**
     * A DYNAMIC group loads a key only when the backend's row meets the table's WHERE clause; a
     * USERMANAGED group's LOAD and REFRESH read the rows it holds for, and its users write any row.
     */
    @Test
    void dynamicAndUserManagedGroupsCacheTheRowsTheirWhereClauseHoldsFor() {
        openTemporary();
        String t = schema + ".readtab", def = " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))";
        backend("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("CREATE DYNAMIC READONLY CACHE GROUP readcache FROM " + t + def + " WHERE str LIKE 't%'");
        assertEquals(List.of(), admin.execute("SELECT str FROM " + t + " WHERE keyval = 1").rows(), "one is not for this cache");
        assertEquals(List.of("two", "three"), TestInstances.rows(admin, "SELECT str FROM " + t + " WHERE keyval IN (1, 2, 3) ORDER BY keyval"));
        assertEquals(List.of("2=two", "3=three"), cached());
        sql("DROP CACHE GROUP readcache");

        sql("CREATE USERMANAGED CACHE GROUP umcache FROM " + t + def + " WHERE keyval < 3");
        assertEquals(2, admin.execute("LOAD CACHE GROUP umcache COMMIT EVERY 0 ROWS").updateCount());
        sql("INSERT INTO " + t + " VALUES (4, 'four')");
        assertEquals(List.of("1=one", "2=two", "4=four"), cached(), "written here: any row");
        assertEquals(1, admin.execute("FLUSH CACHE GROUP umcache WHERE keyval = 4").updateCount());
        backend("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1");
        assertEquals(2, admin.execute("REFRESH CACHE GROUP umcache COMMIT EVERY 0 ROWS").updateCount(), "1 changes; 4, not for this cache, goes");
        assertEquals(List.of("1=uno", "2=two"), cached());
    }

    /**
     * A cache table's WHERE clause is refused with its number when it is not for its group (a
     * write-through group's), has a subquery, a parameter, a ; or an unpaired parenthesis, or the
     * backend cannot read it; a refused CREATE leaves nothing behind.
     */
    @Test
    void aWhereClauseTheGroupCannotTakeIsRefused() {
        openTemporary();
        String t = schema + ".readtab", def = " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))";
        assertError(90015, () -> sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP g FROM " + t + def + " WHERE keyval > 1"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE keyval IN (SELECT 1)"));
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE keyval > ?"));
        assertError(1001, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE keyval > 1; DROP TABLE " + t));
        assertError(1001, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE keyval > 1) OR (true"));
        assertError(1001, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE (keyval > 1"));
        assertError(1001, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE"));
        assertError(90049, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE nosuch > 1"));
        assertError(90049, () -> sql("CREATE READONLY CACHE GROUP g FROM " + t + def + " WHERE str > 1"));
        assertEquals(0L, changeLogs(), "a refused CREATE leaves nothing in the backend");
        assertTrue(admin.execute("SELECT * FROM all_tables WHERE owner = '" + schema.toUpperCase() + "'").rows().isEmpty());
        assertEquals(2L, backendCount("SELECT COUNT(*) FROM " + t));
    }

    private String writethroughGroup() {
        return "CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP swcache FROM " + schema
                + ".readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))";
    }

    /**
     * LOAD and REFRESH ... WHERE read only the backend rows the condition (the backend's SQL, sent
     * as written) holds for; REFRESH ... WHERE updates and inserts those and deletes nothing;
     * UNLOAD ... WHERE (Hourglass's SQL on the cache table) deletes the cached rows it holds for.
     * A condition cannot smuggle a second statement to the backend.
     */
    @Test
    void loadRefreshAndUnloadTakeAWhereClauseOnWritethroughGroups() {
        openTemporary();
        backend("INSERT INTO " + schema + ".readtab VALUES (3, 'three'), (4, 'four'), (5, 'five')");
        sql(writethroughGroup());
        assertEquals(2, admin.execute("LOAD CACHE GROUP swcache WHERE keyval > 1 AND str LIKE 't%' COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("2=two", "3=three"), cached());
        assertEquals(1, admin.execute("LOAD CACHE GROUP swcache WHERE (keyval IN (SELECT keyval FROM " + schema
                + ".readtab WHERE keyval >= 4)) AND keyval::text <> '5' AND keyval % 7 <> 0 COMMIT EVERY 1 ROWS").updateCount(),
                "the backend's SQL: a subquery, its type names, its operators");
        assertEquals(List.of("2=two", "3=three", "4=four"), cached());

        backend("UPDATE " + schema + ".readtab SET str = str || '!'", "DELETE FROM " + schema + ".readtab WHERE keyval = 3");
        assertEquals(2, admin.execute("REFRESH CACHE GROUP swcache WHERE keyval <= 2 COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("1=one!", "2=two!", "3=three", "4=four"), cached(), "the rows read come in or change; none is deleted");
        assertEquals(3, admin.execute("REFRESH CACHE GROUP swcache COMMIT EVERY 0 ROWS").updateCount(), "without WHERE: 3 goes, 4 changes, 5 comes");
        assertEquals(List.of("1=one!", "2=two!", "4=four!", "5=five!"), cached());

        assertEquals(2, admin.execute("UNLOAD CACHE GROUP swcache WHERE keyval IN (1, 5) OR str IS NULL").updateCount());
        assertEquals(List.of("2=two!", "4=four!"), cached());
        assertError(2211, () -> sql("UNLOAD CACHE GROUP swcache WHERE nosuch = 1"));
        assertError(90015, () -> sql("UNLOAD CACHE GROUP swcache WHERE EXISTS (SELECT 1 FROM dual)")); // it runs as the table's owner
        assertError(90015, () -> sql("UNLOAD CACHE GROUP swcache WHERE keyval = ?"));

        assertError(1001, () -> sql("LOAD CACHE GROUP swcache WHERE keyval > 0; DROP TABLE " + schema + ".readtab COMMIT EVERY 0 ROWS"));
        assertError(90015, () -> sql("LOAD CACHE GROUP swcache WHERE keyval > ? COMMIT EVERY 0 ROWS"));
        assertError(1001, () -> sql("LOAD CACHE GROUP swcache WHERE keyval > 0); DROP TABLE " + schema + ".readtab; SELECT (1"
                + " COMMIT EVERY 0 ROWS"));
        assertError(90049, () -> sql("LOAD CACHE GROUP swcache WHERE nosuch > 0 COMMIT EVERY 0 ROWS"));
        // And the adapter itself sends a condition as one prepared command, which PostgreSQL takes alone.
        try (CacheBackend.Session s = new PostgresBackend().open(url, "postgres", "postgres")) {
            assertThrows(CacheBackend.Failure.class, () -> s.scan(schema, "readtab", List.of("keyval"),
                    "keyval > 0); DROP TABLE " + schema + ".readtab; SELECT (1", row -> { }));
        }
        assertEquals(4L, backendCount("SELECT COUNT(*) FROM " + schema + ".readtab"), "the backend table is still there");
        assertEquals(List.of("2=two!", "4=four!"), cached());
    }

    /**
     * SYNCHRONOUS WRITETHROUGH: each commit's inserts, updates (the key's too) and deletes of the
     * cache table reach the backend when the commit returns, merged per row, in the order made;
     * a rollback reaches nothing; LOAD, REFRESH and UNLOAD move rows from the backend only.
     */
    @Test
    void synchronousWritethroughCommitsTheChangesInTheBackend() {
        openTemporary();
        sql(writethroughGroup());
        assertEquals(List.of("SYNCHRONOUS WRITETHROUGH", "OFF"), List.of(admin.execute(
                "SELECT cgtype, autorefresh_state FROM sys.cache_group WHERE cgname = 'SWCACHE'").rows().getFirst()).subList(0, 2));
        assertEquals(2, admin.execute("LOAD CACHE GROUP swcache COMMIT EVERY 0 ROWS").updateCount()); // (written back, it would collide)
        String t = schema + ".readtab";
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1");
        sql("DELETE FROM " + t + " WHERE keyval = 2");
        sql("UPDATE " + t + " SET keyval = 4 WHERE keyval = 3");
        assertEquals(List.of("1=uno", "4=three"), backendRows());
        // The backend drops the kept connection (a restart would): the next commit goes on a new one.
        backend("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hourglass cache agent'");
        sql("UPDATE " + t + " SET str = 'three' WHERE keyval = 4");

        admin.setAutocommit(false);
        changeRowsTwiceAndReuseAKey(t);
        assertEquals(List.of("1=uno", "4=three"), backendRows(), "nothing before the commit");
        sql("COMMIT");
        assertEquals(List.of("1=one again", "4=three", "5=five!"), backendRows());
        sql("INSERT INTO " + t + " VALUES (7, 'seven')");
        sql("ROLLBACK");
        admin.setAutocommit(true);
        assertEquals(List.of("1=one again", "4=three", "5=five!"), backendRows());
        assertEquals(backendRows(), cached());

        assertEquals(3, admin.execute("UNLOAD CACHE GROUP swcache").updateCount());
        assertEquals(List.of(), cached());
        assertEquals(3, backendRows().size(), "UNLOAD leaves the backend alone");
        backend("UPDATE " + t + " SET str = 'from the backend' WHERE keyval = 4");
        assertEquals(3, admin.execute("REFRESH CACHE GROUP swcache COMMIT EVERY 2 ROWS").updateCount());
        assertEquals(List.of("1=one again", "4=from the backend", "5=five!"), cached());

        // A large transaction goes in batches (1,000 changes each), every row counted.
        sql("CREATE TABLE " + schema + ".src (k NUMBER PRIMARY KEY)");
        sql("INSERT INTO " + schema + ".src VALUES (1)");
        for (int i = 0; i < 12; i++) sql("INSERT INTO " + schema + ".src SELECT k + (SELECT COUNT(*) FROM " + schema + ".src) FROM " + schema + ".src");
        assertEquals(4096, admin.execute("INSERT INTO " + t + " SELECT k + 1000, 'bulk' FROM " + schema + ".src").updateCount());
        assertEquals(4096L, backendCount("SELECT COUNT(*) FROM " + t + " WHERE str = 'bulk'"));
        sql("UPDATE " + t + " SET str = 'bulk!' WHERE str = 'bulk'");
        assertEquals(4096L, backendCount("SELECT COUNT(*) FROM " + t + " WHERE str = 'bulk!'"));
        sql("DELETE FROM " + t + " WHERE keyval > 1000");
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM " + t + " WHERE keyval > 1000"));

        assertError(90019, () -> sql("ALTER CACHE GROUP swcache SET AUTOREFRESH STATE ON"));
        assertError(8225, () -> sql("TRUNCATE TABLE " + t));
        assertError(1001, () -> sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP g2 AUTOREFRESH INTERVAL 1 SECONDS FROM " + schema
                + ".readtab (keyval NUMBER NOT NULL PRIMARY KEY)"));
        sql("DROP CACHE GROUP swcache");
        assertEquals(3, backendRows().size(), "DROP leaves the backend table alone");
    }

    /**
     * A change the backend refuses (its CHECK, a row it no longer has) or a backend that cannot
     * be reached fails the commit with the backend's error, and the whole transaction is rolled
     * back here, its other tables' changes too.
     */
    @Test
    void aCommitTheBackendRefusesIsRolledBackHere() {
        openTemporary();
        sql(writethroughGroup());
        sql("LOAD CACHE GROUP swcache COMMIT EVERY 0 ROWS");
        sql("CREATE TABLE " + schema + ".notes (id NUMBER PRIMARY KEY)");
        backend("ALTER TABLE " + schema + ".readtab ADD CONSTRAINT short CHECK (length(str) < 10)");
        String t = schema + ".readtab";
        admin.setAutocommit(false);
        sql("INSERT INTO " + schema + ".notes VALUES (1)");
        sql("INSERT INTO " + t + " VALUES (8, 'far too long for the backend')");
        assertError(90052, () -> sql("COMMIT"));
        admin.setAutocommit(true);
        assertEquals(List.of("1=one", "2=two"), cached());
        assertEquals(0L, ((Number) admin.execute("SELECT COUNT(*) FROM " + schema + ".notes").rows().getFirst()[0]).longValue(),
                "the whole transaction is rolled back");
        assertEquals(List.of("1=one", "2=two"), backendRows());
        // NUMBER here, integer there: 2.5 is refused, not rounded into the backend
        assertError(90052, () -> sql("INSERT INTO " + t + " VALUES (2.5, 'half')"));
        sql("INSERT INTO " + t + " VALUES (8, 'eight')"); // the failed transaction let go of key 8's lock
        assertEquals(List.of("1=one", "2=two", "8=eight"), backendRows());
        sql("DELETE FROM " + t + " WHERE keyval = 8");

        backend("DELETE FROM " + t + " WHERE keyval = 1");
        HourglassException e = assertThrows(HourglassException.class, () -> sql("UPDATE " + t + " SET str = 'x'")); // rows 1 and 2, one batch
        assertEquals(90052, e.number());
        assertTrue(e.getMessage().contains("no row"), e.getMessage());
        assertEquals(List.of("1=one", "2=two"), cached(), "the update is undone here");

        // New credentials: the kept sessions of the old ones are not used again.
        sql("UPDATE " + t + " SET str = 'y' WHERE keyval = 2"); // (a commit that leaves its session kept)
        sql("CALL ttCacheUidPwdSet('no_such_role', 'pw')");
        assertError(5220, () -> sql("UPDATE " + t + " SET str = 'z' WHERE keyval = 2"));
        sql("CALL ttCacheUidPwdSet('postgres', 'postgres')");
        sql("UPDATE " + t + " SET str = 'z' WHERE keyval = 2");
        assertEquals(List.of("2=z"), backendRows());

        instance.close();
        instance = null;
        openTemporary(); // a new database: its first write-through connects with these credentials
        sql(writethroughGroup());
        sql("CALL ttCacheUidPwdSet('no_such_role', 'pw')"); // (the test server trusts any password: a user it lacks)
        assertError(5220, () -> sql("INSERT INTO " + t + " VALUES (9, 'nine')"));
        assertEquals(List.of(), cached());
        assertEquals(List.of("2=z"), backendRows());
    }

    /**
     * A backend connection lost during its COMMIT (a fake around the real backend throws there):
     * TT5220 says the backend may have committed, the transaction is rolled back here, and the
     * next commits go on with a new connection.
     */
    @Test
    void aBackendLostDuringItsCommitIsReportedAsInDoubt() {
        java.util.concurrent.atomic.AtomicBoolean failCommit = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean failAfterWrite = new java.util.concurrent.atomic.AtomicBoolean();
        CacheBackend real = new PostgresBackend();
        CacheBackend flaky = (u, user, pw) -> {
            CacheBackend.Session s = real.open(u, user, pw);
            return (CacheBackend.Session) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {CacheBackend.Session.class}, (proxy, m, args) -> {
                        if (m.getName().equals("commit") && failCommit.get()) throw new CacheBackend.Failure(true, "connection reset", null);
                        try {
                            Object r = m.invoke(s, args);
                            if (m.getName().equals("write") && failAfterWrite.getAndSet(false)) throw new IllegalStateException("a bug after the write");
                            return r;
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(DatabaseConfig.temporary("CACHEDB")
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"))), FileStorageIo.INSTANCE, flaky);
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        sql(writethroughGroup());
        sql("LOAD CACHE GROUP swcache COMMIT EVERY 0 ROWS");
        String t = schema + ".readtab";
        failCommit.set(true);
        HourglassException e = assertThrows(HourglassException.class, () -> sql("UPDATE " + t + " SET str = 'lost' WHERE keyval = 1"));
        assertEquals(5220, e.number());
        assertTrue(e.getMessage().contains("may have committed"), e.getMessage());
        assertEquals(List.of("1=one", "2=two"), cached());
        failCommit.set(false);
        sql("UPDATE " + t + " SET str = 'kept' WHERE keyval = 1");
        assertEquals(List.of("1=kept", "2=two"), backendRows());
        // Any other failure after the backend wrote: that session is not kept with its writes open.
        failAfterWrite.set(true);
        assertThrows(HourglassException.class, () -> sql("UPDATE " + t + " SET str = 'half' WHERE keyval = 2"));
        sql("UPDATE " + t + " SET str = 'whole' WHERE keyval = 1");
        assertEquals(List.of("1=whole", "2=two"), backendRows(), "the failed commit's write did not ride along");
        assertEquals(List.of("1=whole", "2=two"), cached());
    }

    /**
     * A write-through commit whose log records outgrow TempSize (TT0802) fails before the
     * backend has any of it, not after the backend committed; a smaller one goes through.
     */
    @Test
    void aWritethroughCommitThatOutgrowsTempSizeFailsBeforeTheBackendHasIt(@TempDir Path dir) {
        backend("CREATE TABLE " + schema + ".bigtab (id integer PRIMARY KEY, s text)");
        open(DatabaseConfig.defaults("CACHEDB", dir.resolve("cachedb").toString()).withTempSize(32)
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres")));
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        String t = schema + ".bigtab";
        sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP bigcache FROM " + t + " (id NUMBER NOT NULL PRIMARY KEY, s VARCHAR2(2000000))");
        String big = "x".repeat(1 << 20);
        admin.setAutocommit(false);
        for (int i = 0; i < 20; i++) admin.execute("INSERT INTO " + t + " VALUES (?, ?)", i, big); // 20 MB of records, counted twice
        assertError(802, () -> sql("COMMIT"));
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM " + t), "the backend never had it");
        for (int i = 0; i < 10; i++) admin.execute("INSERT INTO " + t + " VALUES (?, ?)", i, big);
        sql("COMMIT");
        admin.setAutocommit(true);
        assertEquals(10L, backendCount("SELECT COUNT(*) FROM " + t));
        assertEquals(10L, ((Number) admin.execute("SELECT COUNT(*) FROM " + t).rows().getFirst()[0]).longValue());
    }

    /** The group's type comes back from the log and from a checkpoint; restored, its table refuses writes (TT90051). */
    @Test
    void aWritethroughGroupComesBackAfterARestartAndIsReadOnlyOnceRestored(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        sql(writethroughGroup());
        String t = schema + ".readtab";
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        kill();
        open(cfg);
        assertFalse(loadedFromACheckpoint(), "from the log");
        sql("INSERT INTO " + t + " VALUES (4, 'four')");
        instance.close(); // its unload checkpoint
        open(cfg);
        assertTrue(loadedFromACheckpoint(), "from the checkpoint");
        assertEquals("SYNCHRONOUS WRITETHROUGH", admin.execute("SELECT cgtype FROM sys.cache_group").rows().getFirst()[0]);
        sql("DELETE FROM " + t + " WHERE keyval = 4");
        assertEquals(List.of("1=one", "2=two", "3=three"), backendRows());
        // A log that refuses commits (the archive too far behind) refuses this one before the backend has it.
        var log = instance.database("CACHEDB").log();
        log.refuseCommits(io.hourglass.engine.ErrorCode.ARCHIVE_BEHIND.error(4096, 4096));
        assertError(90026, () -> sql("INSERT INTO " + t + " VALUES (9, 'refused')"));
        log.refuseCommits(null);
        assertEquals(List.of("1=one", "2=two", "3=three"), backendRows());

        Path backup = dir.resolve("dump");
        Backup.run(instance.database("CACHEDB"), FileStorageIo.INSTANCE,
                new Backup.Request(BackupType.FILE_FULL, backup, null, false, null, 0), Backup.Progress.NONE);
        admin.close();
        instance.destroy("CACHEDB", 0, false);
        instance.refuseRestoreOver("CACHEDB");
        Restore.fromDirectory(backup, null, cfg, FileStorageIo.INSTANCE, Backup.Progress.NONE);
        instance.restored("CACHEDB");
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals("Y", admin.execute("SELECT restored FROM sys.cache_group").rows().getFirst()[0]);
        assertError(90051, () -> sql("INSERT INTO " + t + " VALUES (5, 'five')"));
        assertError(90051, () -> sql("DELETE FROM " + t));
        assertEquals(List.of("1=one", "2=two", "3=three"), backendRows());
    }

    /** In the open transaction: a row inserted then updated, one inserted then deleted, one deleted and its key taken by a new row. */
    private void changeRowsTwiceAndReuseAKey(String t) {
        sql("INSERT INTO " + t + " VALUES (5, 'five')");
        sql("UPDATE " + t + " SET str = 'five!' WHERE keyval = 5");
        sql("INSERT INTO " + t + " VALUES (6, 'six')");
        sql("DELETE FROM " + t + " WHERE keyval = 6");
        sql("DELETE FROM " + t + " WHERE keyval = 1");
        sql("INSERT INTO " + t + " VALUES (1, 'one again')"); // another row with the deleted one's key: delete first
    }

    private String awtGroup() {
        return "CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP awcache FROM " + schema
                + ".readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))";
    }

    /** A backend trigger that records every row change applied to readtab (op, old key, new key), to count what arrives. */
    private void recordBackendChanges() {
        backend("CREATE TABLE " + schema + ".applied (n bigserial PRIMARY KEY, op text, old_key integer, new_key integer, str text)",
                "CREATE FUNCTION " + schema + ".rec() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF TG_OP = 'INSERT' THEN INSERT INTO " + schema + ".applied (op, new_key, str) VALUES (TG_OP, NEW.keyval, NEW.str);"
                        + " ELSIF TG_OP = 'UPDATE' THEN INSERT INTO " + schema + ".applied (op, old_key, new_key, str) VALUES (TG_OP, OLD.keyval, NEW.keyval, NEW.str);"
                        + " ELSE INSERT INTO " + schema + ".applied (op, old_key) VALUES (TG_OP, OLD.keyval); END IF; RETURN NULL; END $$",
                "CREATE TRIGGER rec AFTER INSERT OR UPDATE OR DELETE ON " + schema + ".readtab FOR EACH ROW EXECUTE FUNCTION " + schema + ".rec()");
    }

    private List<String> applied() {
        List<String> out = new ArrayList<>();
        try (var c = DriverManager.getConnection(url, "postgres", "postgres");
             var rs = c.createStatement().executeQuery("SELECT op, old_key, new_key, str FROM " + schema + ".applied ORDER BY n")) {
            while (rs.next()) {
                out.add(rs.getString(1) + (rs.getObject(2) == null ? "" : " " + rs.getInt(2)) + (rs.getObject(3) == null ? "" : "->" + rs.getInt(3))
                        + (rs.getString(4) == null ? "" : " " + rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** ttRepSubscriberWait for the backend ('_ORACLE'): true if it has every change committed so far. */
    private boolean awtCaughtUp(int seconds) {
        Object timeout = admin.execute("CALL ttRepSubscriberWait(NULL, NULL, '_ORACLE', NULL, " + seconds + ")").rows().getFirst()[0];
        return ((Number) timeout).longValue() == 0;
    }

    private List<String> holds(String type) {
        List<String> out = new ArrayList<>();
        for (Object[] r : admin.execute("CALL ttLogHolds()").rows()) if (type.equals(r[2])) out.add(r[0] + "." + r[1] + " " + r[3]);
        return out;
    }

    /**
     * ASYNCHRONOUS WRITETHROUGH: the commit returns at once, and the agent then applies each
     * committed transaction's changes to the backend, in commit order, merged per row, each once;
     * LOAD, REFRESH and UNLOAD are not sent back, a rollback sends nothing. A Replication log hold
     * keeps the log until the backend has the changes.
     */
    @Test
    void asynchronousWritethroughAppliesCommittedChangesInCommitOrder(@TempDir Path dir) {
        openPersistent(dir);
        recordBackendChanges();
        sql(awtGroup());
        assertEquals("ASYNCHRONOUS WRITETHROUGH", admin.execute("SELECT cgtype FROM sys.cache_group").rows().getFirst()[0]);
        assertEquals(2, admin.execute("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS").updateCount());
        String t = schema + ".readtab";
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1");
        assertEquals(List.of("1=one", "2=two"), backendRows(), "nothing goes while the agent is stopped");
        assertEquals(1, holds("Replication").size(), "the log is held for the backend: " + holds("Replication"));
        Object[] rephold = admin.execute("SELECT rephold_log_file, rephold_log_off FROM sys.monitor").rows().getFirst();
        assertTrue(holds("Replication").getFirst().startsWith(rephold[0] + "." + rephold[1] + " "),
                "SYS.MONITOR's REPHOLD_LOG_FILE and REPHOLD_LOG_OFF are where the hold is: " + rephold[0] + "." + rephold[1]);
        Object[] bookmark = admin.execute("CALL ttBookmark()").rows().getFirst();
        assertEquals(List.of(rephold[0], rephold[1]), List.of(bookmark[4], bookmark[5]), "ttBookmark's replication bookmark is the hold");
        assertTrue(!awtCaughtUp(0));
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30));
        assertEquals(List.of("1=uno", "2=two", "3=three"), backendRows());

        sql("DELETE FROM " + t + " WHERE keyval = 2");
        sql("UPDATE " + t + " SET keyval = 4 WHERE keyval = 3");
        admin.setAutocommit(false);
        changeRowsTwiceAndReuseAKey(t);
        sql("COMMIT");
        sql("INSERT INTO " + t + " VALUES (7, 'seven')");
        sql("ROLLBACK");
        admin.setAutocommit(true);
        assertTrue(awtCaughtUp(30));
        assertEquals(List.of("1=one again", "4=three", "5=five!"), backendRows());
        assertEquals(backendRows(), cached());
        assertEquals(List.of("INSERT->3 three", "UPDATE 1->1 uno", "DELETE 2", "UPDATE 3->4 three", "INSERT->5 five!", "DELETE 1",
                "INSERT->1 one again"), applied(), "each change once, in commit order; LOAD's rows not sent back");
        await(() -> holds("Replication").isEmpty() || !holds("Replication").getFirst().contains("KB"),
                () -> "the hold follows the backend: " + holds("Replication"));

        assertEquals(3, admin.execute("UNLOAD CACHE GROUP awcache").updateCount());
        assertEquals(3, admin.execute("REFRESH CACHE GROUP awcache COMMIT EVERY 2 ROWS").updateCount());
        assertTrue(awtCaughtUp(30));
        assertEquals(7, applied().size(), "UNLOAD and REFRESH are not sent back: " + applied());

        // LRU aging of an AWT group's table deletes in the cache only: nothing is sent back either.
        var db = instance.database("CACHEDB");
        sql("ALTER TABLE " + t + " ADD AGING LRU");
        sql("CALL ttAgingLRUConfig(0, 0, 600)");
        long aged = db.agedRows();
        lruCycleNow(t); // (a boundary: the refreshed rows were used since the last cycle)
        sql("CALL ttAgingScheduleNow('" + t + "')");
        await(() -> db.agedRows() == aged + 3, () -> "aged " + (db.agedRows() - aged));
        sql("INSERT INTO " + t + " VALUES (6, 'six')"); // (a change after the aging, to know the agent got past it)
        assertTrue(awtCaughtUp(30));
        assertEquals(List.of("1=one again", "4=three", "5=five!", "6=six"), backendRows(), "aged rows stay in the backend");
        assertEquals(8, applied().size(), "only the INSERT was sent: " + applied());
        sql("ALTER TABLE " + t + " DROP AGING");
        sql("CALL ttAgingLRUConfig(0.8, 0.9, 1)");
        sql("DELETE FROM " + t + " WHERE keyval = 6");
        assertEquals(3, admin.execute("REFRESH CACHE GROUP awcache COMMIT EVERY 0 ROWS").updateCount());
        assertTrue(awtCaughtUp(30));

        // A large transaction: its changes go in the backend's batches, one backend transaction.
        sql("CREATE TABLE " + schema + ".src (k NUMBER PRIMARY KEY)");
        sql("INSERT INTO " + schema + ".src VALUES (1)");
        for (int i = 0; i < 12; i++) sql("INSERT INTO " + schema + ".src SELECT k + (SELECT COUNT(*) FROM " + schema + ".src) FROM " + schema + ".src");
        assertEquals(4096, admin.execute("INSERT INTO " + t + " SELECT k + 1000, 'bulk' FROM " + schema + ".src").updateCount());
        sql("DELETE FROM " + t + " WHERE keyval > 1000");
        assertTrue(awtCaughtUp(30));
        assertEquals(9 + 2 * 4096, applied().size());
        assertEquals(backendRows(), cached());
        sql("DROP CACHE GROUP awcache");
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'hourglass_bm_%' AND relnamespace = '"
                + schema + "'::regnamespace"), "DROP removes the bookmark");
        assertTrue(holds("Replication").isEmpty());
        assertEquals(List.of("-1|-1"), TestInstances.rows(admin, "SELECT rephold_log_file, rephold_log_off FROM sys.monitor"));
    }

    /**
     * A transaction the backend refuses is written to the .awterrs file and skipped; the ones
     * after it still go. LOAD and REFRESH wait until the backend has what was committed (TT90053).
     */
    @Test
    void aTransactionTheBackendRefusesGoesToTheErrorFileAndTheNextOnesStillGo(@TempDir Path dir) throws Exception {
        openPersistent(dir);
        sql(awtGroup());
        sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheStart()");
        backend("ALTER TABLE " + schema + ".readtab ADD CONSTRAINT no_bad CHECK (str <> 'bad')");
        String t = schema + ".readtab";
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("UPDATE " + t + " SET str = 'bad' WHERE keyval = 1");
        sql("INSERT INTO " + t + " VALUES (4, 'four')");
        sql("UPDATE " + t + " SET str = 'deux' WHERE keyval = 2");
        assertTrue(awtCaughtUp(30));
        assertEquals(List.of("1=one", "2=deux", "3=three", "4=four"), backendRows());
        String errors = java.nio.file.Files.readString(dir.resolve("cachedb.awterrs"));
        assertTrue(errors.contains("no_bad") && errors.contains("UPDATE " + t.toUpperCase() + " key [1] row [1, bad]"), errors);
        assertEquals(1, errors.lines().filter(l -> l.contains("was not applied")).count(), errors);

        sql("CALL ttCacheStop()");
        sql("UPDATE " + t + " SET str = 'quatre' WHERE keyval = 4");
        assertError(90053, () -> sql("REFRESH CACHE GROUP awcache COMMIT EVERY 0 ROWS"));
        assertError(90053, () -> sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS"));
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30));
        sql("REFRESH CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        assertEquals(List.of("1=one", "2=deux", "3=three", "4=quatre"), cached(), "the refused change is undone by the refresh");
    }

    /**
     * ttCacheUidPwdSet retires the agent's kept backend sessions (autorefresh's and the
     * write-behind's) opened as the user before: the next refresh and the next changes go as the
     * new user, so the old one can be revoked at once.
     */
    @Test
    void newCacheCredentialsRetireTheAgentsKeptSessions(@TempDir Path dir) {
        openPersistent(dir);
        String role = "agent_" + schema;
        backend("CREATE TABLE " + schema + ".other (keyval integer PRIMARY KEY, str varchar(64))",
                "INSERT INTO " + schema + ".other VALUES (1, 'one')");
        sql(awtGroup());
        sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        sql("CREATE READONLY CACHE GROUP rocache AUTOREFRESH MODE FULL INTERVAL 20 MILLISECONDS FROM " + schema
                + ".other (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        sql("LOAD CACHE GROUP rocache COMMIT EVERY 0 ROWS");
        assertEquals(List.of("AWCACHE|NOT READ", "ROCACHE|null"), TestInstances.rows(admin,
                "SELECT cgname, awt_state FROM sys.cache_group ORDER BY cgname"), "only an ASYNCHRONOUS WRITETHROUGH group has one");
        sql("CALL ttCacheStart()");
        sql("UPDATE " + schema + ".readtab SET str = 'uno' WHERE keyval = 1");
        assertTrue(awtCaughtUp(30));
        await(() -> agentSessions("postgres") >= 2, () -> "autorefresh and the write-behind keep a session each: " + agentSessions("postgres"));

        backend("CREATE ROLE " + role + " LOGIN PASSWORD 'pw2'", "GRANT USAGE ON SCHEMA " + schema + " TO " + role,
                "GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
        sql("CALL ttCacheUidPwdSet('" + role + "', 'pw2')");
        sql("UPDATE " + schema + ".readtab SET str = 'dos' WHERE keyval = 2");
        backend("UPDATE " + schema + ".other SET str = 'uno' WHERE keyval = 1");
        assertTrue(awtCaughtUp(30));
        await(() -> agentSessions("postgres") == 0 && agentSessions(role) >= 2,
                () -> "sessions as postgres " + agentSessions("postgres") + ", as " + role + " " + agentSessions(role));
        await(() -> admin.execute("SELECT str FROM " + schema + ".other").rows().getFirst()[0].equals("uno"), () -> "autorefresh as the new user");
        assertEquals(List.of("1=uno", "2=dos"), backendRows());
    }

    private long agentSessions(String user) {
        return backendCount("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'hourglass cache agent' AND usename = '"
                + user + "'");
    }

    /**
     * As TimesTen's, a REFRESH of an ASYNCHRONOUS WRITETHROUGH group waits for the changes on
     * their way to the backend (while the agent runs, at most LockWait: TT90053 after it), so it
     * never reads a backend row older than the cache's.
     */
    @Test
    void aRefreshOfAnAsynchronousGroupWaitsForTheChangesOnTheirWay(@TempDir Path dir) throws Exception {
        openPersistent(dir);
        sql(awtGroup());
        sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheStart()");
        String t = schema + ".readtab";
        try (var blocker = DriverManager.getConnection(url, "postgres", "postgres")) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT * FROM " + t + " WHERE keyval = 1 FOR UPDATE");
            sql("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1"); // the agent's UPDATE waits for the backend's row lock
            sql("CALL ttLockWait(1)");
            long t0 = System.nanoTime();
            assertError(90053, () -> sql("REFRESH CACHE GROUP awcache COMMIT EVERY 0 ROWS"));
            assertTrue(System.nanoTime() - t0 >= 900_000_000L, "it waited LockWait first");
            sql("CALL ttLockWait(30)");
            CompletableFuture<Long> refresh = CompletableFuture.supplyAsync(
                    () -> admin.execute("REFRESH CACHE GROUP awcache COMMIT EVERY 0 ROWS").updateCount());
            Thread.sleep(300);
            assertFalse(refresh.isDone(), "it waits for the change on its way");
            blocker.rollback(); // the backend takes the agent's UPDATE
            assertEquals(0L, refresh.get(30, TimeUnit.SECONDS), "read once the backend had the change: nothing differs");
        }
        assertEquals(List.of("1=uno", "2=two"), cached());
        assertEquals(cached(), backendRows());
    }

    /**
     * Exactly once across failures: the agent's backend connections killed again and again while
     * commits go on, and a restart with changes not yet sent; every change arrives once, in order.
     */
    @Test
    void changesArriveOnceAcrossLostConnectionsAndARestart(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        recordBackendChanges();
        sql(awtGroup());
        sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheStart()");
        String t = schema + ".readtab";
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sql("INSERT INTO " + t + " VALUES (" + (100 + i) + ", 'v" + i + "')");
            expected.add("INSERT->" + (100 + i) + " v" + i);
            if (i % 10 == 5) backend("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hourglass cache agent'");
        }
        sql("CALL ttCacheStop()");
        for (int i = 0; i < 5; i++) {
            sql("UPDATE " + t + " SET str = 'w" + i + "' WHERE keyval = " + (100 + i));
            expected.add("UPDATE " + (100 + i) + "->" + (100 + i) + " w" + i);
        }
        instance.close();
        open(cfg); // the changes not sent are in the log, held
        assertEquals(1, holds("Replication").size());
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30));
        sql("CALL ttCkptBlocking()");
        instance.close();
        open(cfg); // from the checkpoint: nothing is sent again (the agent was running: it starts by itself)
        sql("UPDATE " + t + " SET str = 'last' WHERE keyval = 159");
        expected.add("UPDATE 159->159 last");
        assertTrue(awtCaughtUp(30));
        assertEquals(expected, applied());
        assertEquals(cached(), backendRows());
    }

    /**
     * ttCacheAWTThresholdSet bounds the log ASYNCHRONOUS WRITETHROUGH keeps: past that many files
     * the Replication hold goes. Changes the log still has go all the same once the backend is
     * back; once a purge has taken some, the group is lost: ttRepSubscriberWait says so
     * (TT90054), nothing more is sent to it, a LOAD into its filled table refuses, and UNLOAD then
     * LOAD makes it match the backend and sends its changes again. The threshold and the loss
     * outlive a restart.
     */
    @Test
    void pastTheAwtThresholdTheHoldGoesAndAGroupThatLostChangesIsLoadedAgain(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir, c -> c.withLog(8, 1).withCheckpoints(0, 0, 0));
        recordBackendChanges();
        sql(awtGroup());
        sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS");
        sql("CALL ttCacheAWTThresholdSet(2)");
        String t = schema + ".readtab";
        sql("CREATE TABLE " + schema + ".filler (k NUMBER PRIMARY KEY, v VARCHAR2(4000))");
        sql("CREATE TABLE " + schema + ".src (k NUMBER PRIMARY KEY)");
        sql("INSERT INTO " + schema + ".src VALUES (1)");
        for (int i = 0; i < 8; i++) sql("INSERT INTO " + schema + ".src SELECT k + (SELECT COUNT(*) FROM " + schema + ".src) FROM " + schema + ".src");

        assertEquals("NOT READ", awtState(), "the agent has not read the bookmark yet");
        // Over the threshold with the agent stopped: the hold goes, but nothing is purged yet.
        sql("UPDATE " + t + " SET str = 'a' WHERE keyval = 1");
        assertEquals(1, holds("Replication").size());
        fillLog(20);
        assertTrue(holds("Replication").isEmpty(), "more than 2 log files behind: the hold is dropped; " + holds("Replication"));
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30), "the log still had the change, so it went");
        assertEquals(List.of("1=a", "2=two"), backendRows());
        assertEquals("SENDING", awtState());
        await(() -> holds("Replication").size() == 1, () -> "caught up, the hold is back: " + holds("Replication"));

        // Over it again, and purged: the change to key 2 is gone with its log.
        sql("CALL ttCacheStop()");
        sql("UPDATE " + t + " SET str = 'b' WHERE keyval = 2");
        fillLog(20);
        sql("CALL ttCkptBlocking()");
        sql("CALL ttCkptBlocking()");
        instance.close();
        open(cfg);
        assertEquals(2L, admin.execute("CALL ttCacheAWTThresholdGet()").rows().getFirst()[0], "kept across a restart");
        sql("CALL ttCacheStart()");
        await(() -> lostReported(), () -> "ttRepSubscriberWait reports the lost group");
        assertEquals("LOST", awtState());
        sql("INSERT INTO " + t + " VALUES (3, 'three')"); // not sent: the group is lost
        assertError(90054, () -> sql("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS"));
        assertTrue(holds("Replication").isEmpty(), "a lost group holds no log: " + holds("Replication"));

        sql("CALL ttCacheStop()");
        assertEquals(3, admin.execute("UNLOAD CACHE GROUP awcache").updateCount());
        assertEquals(2, admin.execute("LOAD CACHE GROUP awcache COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("1=a", "2=two"), cached(), "the cache matches the backend again");
        assertTrue(holds("Replication").size() == 1 && holds("Replication").getFirst().contains("every change up to"),
                "held from the group's new bookmark, the agent stopped: " + holds("Replication"));
        assertEquals("SENDING", awtState());
        sql("UPDATE " + t + " SET str = 'd' WHERE keyval = 2");
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30), "sending again");
        assertEquals(List.of("1=a", "2=d"), backendRows());
        assertEquals(List.of("UPDATE 1->1 a", "UPDATE 2->2 d"), applied(), "the lost change and the one made while lost never went");
        await(() -> holds("Replication").size() == 1, () -> "the hold is back: " + holds("Replication"));

        // A group made while the agent is stopped: its bookmark is not read yet, so the whole log is held.
        backend("CREATE TABLE " + schema + ".other (keyval integer PRIMARY KEY, str varchar(64))");
        sql("CALL ttCacheStop()");
        sql("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP awcache2 FROM " + schema + ".other (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertTrue(holds("Replication").getFirst().contains("not read yet"), holds("Replication").toString());
        sql("INSERT INTO " + schema + ".other VALUES (1, 'x')");
        sql("CALL ttCacheStart()");
        assertTrue(awtCaughtUp(30));
        assertEquals(1L, backendCount("SELECT COUNT(*) FROM " + schema + ".other"));

        sql("CALL ttCacheAWTThresholdSet(0)");
        kill();
        open(cfg);
        assertTrue(instance.database("CACHEDB").recovery().transactions() > 0, "the threshold's change came from the log");
        assertEquals(0L, admin.execute("CALL ttCacheAWTThresholdGet()").rows().getFirst()[0]);
    }

    private String awtState() {
        return (String) admin.execute("SELECT awt_state FROM sys.cache_group WHERE cgname = 'AWCACHE'").rows().getFirst()[0];
    }

    /** Commits about {@code mb} MB of log through a table of no cache group (256 rows of 4 KB a time, deleted after so PermSize stays small). */
    private void fillLog(int mb) {
        for (int i = 0; i < mb; i++) {
            sql("INSERT INTO " + schema + ".filler SELECT k, RPAD('x', 4000, 'x') FROM " + schema + ".src");
            sql("DELETE FROM " + schema + ".filler");
        }
    }

    /** Whether ttRepSubscriberWait reports a cache group that lost changes (TT90054). */
    private boolean lostReported() {
        try {
            awtCaughtUp(0);
            return false;
        } catch (HourglassException e) {
            assertEquals(90054, e.code().number(), e.getMessage());
            assertTrue(e.getMessage().contains("AWCACHE"), e.getMessage());
            return true;
        }
    }

    /**
     * Seed 000, step by step: back up a database with a cache group, stop the agent, drop the
     * group, destroy the database, restore it; the restored group is stale and the agent does not
     * start by itself; drop it (its backend objects are already gone), set the credentials, start
     * the agent, recreate, load: "2 cache instances affected", and autorefresh works again.
     */
    @Test
    void backupAndRestoreAsSeed000WalksThroughIt(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("CACHEDB", dir.resolve("cachedb").toString())
                .withCache(new DatabaseConfig.CacheSettings(url, null, null));
        open(cfg);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        sql("CALL ttCacheUidPwdSet('postgres', 'postgres')");
        sql("CALL ttCacheStart()");
        sql(group("AUTOREFRESH INTERVAL 100 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS");
        Path backup = dir.resolve("dump");
        Backup.run(instance.database("CACHEDB"), FileStorageIo.INSTANCE,
                new Backup.Request(BackupType.FILE_FULL, backup, null, false, null, 0), Backup.Progress.NONE);
        sql("CALL ttCacheStop()");
        sql("DROP CACHE GROUP readcache");
        assertEquals(0L, changeLogs(), "nothing left for a cleanup script");
        admin.close();
        instance.destroy("CACHEDB", 0, false);

        backend("UPDATE " + schema + ".readtab SET str = 'later' WHERE keyval = 2"); // the backend moves on
        instance.refuseRestoreOver("CACHEDB");
        Restore.fromDirectory(backup, null, cfg, FileStorageIo.INSTANCE, Backup.Progress.NONE);
        instance.restored("CACHEDB");
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals(List.of("1=one", "2=two"), cached(), "the restored cache is the backup's: stale");
        assertEquals("Y", restored());
        assertError(90051, () -> sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS"));
        assertError(90051, () -> sql("REFRESH CACHE GROUP readcache COMMIT EVERY 256 ROWS"));
        assertError(90051, () -> sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE OFF"));
        assertError(8225, () -> sql("DELETE FROM " + schema + ".readtab"));

        sql("DROP CACHE GROUP readcache"); // its backend objects went with the first drop: no error
        sql("CALL ttCacheUidPwdSet('postgres', 'postgres')");
        sql("CALL ttCacheStart()");
        sql(group("AUTOREFRESH INTERVAL 100 MILLISECONDS"));
        assertEquals(2, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS").updateCount());
        assertEquals(List.of("1=one", "2=later"), cached());
        backend("INSERT INTO " + schema + ".readtab VALUES (3, 'three')");
        awaitCached(List.of("1=one", "2=later", "3=three"));
    }

    /**
     * "Restore anywhere": a copy restored beside its source, caching from the same backend. The
     * copy's groups are marked restored (durably: also after its restart), never take entries
     * from the source's change log, and dropping them leaves the source's backend objects alone.
     */
    @Test
    void aCopyRestoredBesideItsSourceNeverTouchesTheSourcesChangeLog(@TempDir Path dir) {
        DatabaseConfig.CacheSettings backendSettings = new DatabaseConfig.CacheSettings(url, "postgres", "postgres");
        DatabaseConfig source = DatabaseConfig.defaults("CACHEDB", dir.resolve("cachedb").toString()).withCache(backendSettings);
        DatabaseConfig copy = DatabaseConfig.defaults("COPYDB", dir.resolve("copydb").toString()).withCache(backendSettings);
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(source, copy), FileStorageIo.INSTANCE, new PostgresBackend());
        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        sql("CREATE USER " + schema + " IDENTIFIED BY pw");
        sql(group("AUTOREFRESH INTERVAL 50 MILLISECONDS"));
        sql("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS");
        sql("CALL ttCacheStart()");
        Path backup = dir.resolve("dump");
        Backup.run(instance.database("CACHEDB"), FileStorageIo.INSTANCE,
                new Backup.Request(BackupType.FILE_FULL, backup, null, false, null, 0), Backup.Progress.NONE);
        instance.destroy("COPYDB", 0, false); // loaded empty at start (RAM policy always)
        instance.refuseRestoreOver("COPYDB");
        Restore.fromDirectory(backup, null, copy, FileStorageIo.INSTANCE, Backup.Progress.NONE);
        instance.restored("COPYDB");

        Connection sourceAdmin = admin;
        admin = instance.connect("COPYDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals("Y", restored());
        assertTrue(java.nio.file.Files.notExists(Path.of(copy.dataStore() + ".restored")), "the first load consumed the marker");
        sql("CALL ttCacheStart()"); // stopped by the restore; running, it still leaves restored groups alone
        for (int i = 0; i < 5; i++) {
            backend("INSERT INTO " + schema + ".readtab VALUES (" + (10 + i) + ", 'n')");
            admin = sourceAdmin;
            awaitCached(backendRows()); // the source takes every entry: none went to the copy
            admin = instance.connect("COPYDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
            assertEquals(List.of("1=one", "2=two"), cached());
        }
        assertTrue(stats().isEmpty(), "the copy never refreshed: " + stats());

        // Restarted, the copy's groups are still restored.
        instance.close();
        instance = new Instance(TestInstances.ADMIN_PASSWORD, List.of(source, copy), FileStorageIo.INSTANCE, new PostgresBackend());
        admin = instance.connect("COPYDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals("Y", restored());
        sql("DROP CACHE GROUP readcache");
        assertEquals(1L, changeLogs(), "the source's change log is still there");

        admin = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        assertEquals("N", restored());
        backend("UPDATE " + schema + ".readtab SET str = 'still here' WHERE keyval = 1");
        awaitCached(backendRows());
        assertTrue(cached().contains("1=still here"));
    }

    /**
     * A DYNAMIC READONLY group starts empty. A statement naming whole primary keys loads the
     * rows of those keys the cache lacks (a parameter, an IN list), and a key the backend lacks
     * loads nothing; a loaded row is read from the cache after (a dynamic load never updates
     * one). Autorefresh and REFRESH keep the cached rows current and bring in no others.
     */
    @Test
    void aDynamicReadonlyGroupLoadsTheRowsStatementsNameAndRefreshesOnlyThose() {
        openTemporary();
        String t = schema + ".readtab";
        sql("CREATE DYNAMIC READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 100 MILLISECONDS FROM " + t
                + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertEquals("Y", admin.execute("SELECT dynamic FROM sys.cache_group WHERE cgname = 'READCACHE'").rows().getFirst()[0]);
        assertTrue(admin.execute("SELECT str FROM " + t).rows().isEmpty(), "a query naming no key loads nothing");
        assertTrue(admin.execute("SELECT str FROM " + t + " WHERE keyval > 0").rows().isEmpty());
        assertEquals(List.of(), cached());

        assertEquals(List.of("DYNAMIC LOAD OF CACHE GROUP ADMIN.READCACHE (the keys " + schema.toUpperCase() + ".READTAB lacks, from the backend, first)",
                "RANGE INDEX LOOKUP " + schema.toUpperCase() + ".READTAB ON " + schema.toUpperCase() + ".READTAB"),
                admin.execute("EXPLAIN SELECT str FROM " + t + " WHERE keyval = 2").rows().stream().map(r -> (String) r[0]).toList());
        assertEquals(1, admin.execute("EXPLAIN SELECT str FROM " + t + " WHERE keyval > 2").rows().size());
        assertEquals("two", admin.execute("SELECT str FROM " + t + " WHERE keyval = 2").rows().getFirst()[0]);
        assertEquals(List.of("2=two"), cached());
        assertTrue(admin.execute("SELECT str FROM " + t + " WHERE keyval = 9").rows().isEmpty(), "the backend has no row 9");
        assertTrue(admin.execute("SELECT str FROM " + t + " WHERE keyval = 1.5").rows().isEmpty());
        assertEquals("one", admin.execute("SELECT str FROM " + t + " WHERE keyval = ? AND str IS NOT NULL", 1).rows().getFirst()[0]);
        assertEquals(List.of("1=one", "2=two"), cached());

        backend("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1", "INSERT INTO " + t + " VALUES (3, 'three'), (5, 'five')");
        assertEquals("one", admin.execute("SELECT str FROM " + t + " WHERE keyval = 1").rows().getFirst()[0],
                "a cached row is read from the cache: a dynamic load adds rows, it does not update them");
        assertEquals(1, admin.execute("SELECT keyval FROM " + t + " WHERE keyval IN (3, 4)").rows().size());
        assertEquals(List.of("1=one", "2=two", "3=three"), cached());

        // Autorefresh (its first refresh a full one): the cached rows made current, 3 gone with the backend's, 5 not brought in.
        backend("UPDATE " + t + " SET str = 'dos' WHERE keyval = 2", "DELETE FROM " + t + " WHERE keyval = 3");
        sql("ALTER CACHE GROUP readcache SET AUTOREFRESH STATE ON");
        sql("CALL ttCacheStart()");
        awaitCached(List.of("1=uno", "2=dos"));
        backend("INSERT INTO " + t + " VALUES (6, 'six')", "UPDATE " + t + " SET str = 'one again' WHERE keyval = 1");
        awaitCached(List.of("1=one again", "2=dos"));
        long n = lastRefreshNumber();
        await(() -> lastRefreshNumber() > n + 1, () -> "two more refreshes: " + stats());
        assertEquals(List.of("1=one again", "2=dos"), cached(), "incremental refreshes bring in no row");
        assertEquals("six", admin.execute("SELECT str FROM " + t + " WHERE keyval = 6").rows().getFirst()[0]);

        sql("CALL ttCacheStop()");
        backend("UPDATE " + t + " SET str = 'SIX' WHERE keyval = 6", "INSERT INTO " + t + " VALUES (7, 'seven')");
        assertEquals(1, admin.execute("REFRESH CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount(), "row 6 only");
        assertEquals(List.of("1=one again", "2=dos", "6=SIX"), cached());
        assertEquals(3, admin.execute("UNLOAD CACHE GROUP readcache").updateCount());
        assertEquals("seven", admin.execute("SELECT str FROM " + t + " WHERE keyval = 7").rows().getFirst()[0]);
        assertEquals(4, admin.execute("LOAD CACHE GROUP readcache COMMIT EVERY 0 ROWS").updateCount(),
                "LOAD still loads every row the cache lacks: " + cached());
        assertEquals(List.of("1=one again", "2=dos", "5=five", "6=SIX", "7=seven"), cached());

        // A main query over the tables of two dynamic groups loads for neither, as TimesTen's rule has it.
        backend("CREATE TABLE " + schema + ".other (id integer PRIMARY KEY, v varchar(10))", "INSERT INTO " + schema + ".other VALUES (1, 'x')");
        sql("CREATE DYNAMIC READONLY CACHE GROUP othercache FROM " + schema + ".other (id NUMBER NOT NULL PRIMARY KEY, v VARCHAR2(10))");
        backend("INSERT INTO " + t + " VALUES (8, 'eight')");
        assertTrue(admin.execute("SELECT o.v FROM " + schema + ".other o, " + t + " r WHERE o.id = 1 AND r.keyval = 8").rows().isEmpty());
        assertEquals(0L, count("SELECT COUNT(*) FROM " + schema + ".other"));
        assertEquals(List.of("1=one again", "2=dos", "5=five", "6=SIX", "7=seven"), cached());
        assertEquals("x", admin.execute("SELECT v FROM " + schema + ".other WHERE id = 1").rows().getFirst()[0]);
        assertEquals(2, admin.execute("UNLOAD CACHE GROUP readcache WHERE keyval > 5").updateCount(), "a dynamic group unloads a part");
        assertError(90015, () -> sql("REFRESH CACHE GROUP readcache WHERE keyval > 5 COMMIT EVERY 0 ROWS"));
        assertEquals(List.of("1=one again", "2=dos", "5=five"), cached());
        assertEquals("SIX", admin.execute("SELECT str FROM " + t + " WHERE keyval = 6").rows().getFirst()[0]);
        assertEquals(1, admin.execute("SELECT o.v FROM " + schema + ".other o, " + t + " r WHERE o.id = 1 AND r.keyval = 5").rows().size());

        // A SERIALIZABLE transaction that has read the table holds its lock: no load until it ends.
        Connection serializable = instance.connect("CACHEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
        serializable.execute("ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE");
        serializable.setAutocommit(false);
        serializable.execute("SELECT COUNT(*) FROM " + t);
        long started = System.nanoTime();
        assertTrue(serializable.execute("SELECT str FROM " + t + " WHERE keyval = 8").rows().isEmpty());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the load waits for no lock (LockWait is 10 s)");
        serializable.rollback();
        assertEquals("eight", serializable.execute("SELECT str FROM " + t + " WHERE keyval = 8").rows().getFirst()[0]);
        serializable.rollback();
        serializable.close();
    }

    /**
     * A DYNAMIC SYNCHRONOUS WRITETHROUGH group: UPDATE and DELETE by key load the row, then change
     * it here and in the backend; without a key they change only what is cached. A key the
     * session's own transaction inserted, not yet committed, is left to that transaction (no
     * wait for itself); an unreachable backend fails a statement that needs a row loaded, and
     * loads nothing, while a key already cached needs no backend.
     */
    @Test
    void aDynamicWritethroughGroupLoadsTheRowsUpdatesAndDeletesName() {
        openTemporary();
        String t = schema + ".readtab";
        backend("INSERT INTO " + t + " VALUES (3, 'three'), (9, 'nine')");
        sql("CREATE DYNAMIC SYNCHRONOUS WRITETHROUGH CACHE GROUP swcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertEquals(1, admin.execute("UPDATE " + t + " SET str = 'deux' WHERE keyval = 2").updateCount());
        assertEquals(List.of("2=deux"), cached());
        assertEquals(1, admin.execute("DELETE FROM " + t + " WHERE keyval = 1").updateCount());
        assertEquals(0, admin.execute("UPDATE " + t + " SET str = 'x' WHERE keyval = 8").updateCount());
        assertEquals(List.of("2=deux", "3=three", "9=nine"), backendRows());
        assertEquals(1, admin.execute("UPDATE " + t + " SET str = UPPER(str)").updateCount(), "only the cached row");
        assertEquals(List.of("2=DEUX", "3=three", "9=nine"), backendRows());

        // A row whose key moved (3 to 30, in both databases) leaves key 3 free: a backend row 3 made since is loaded.
        assertEquals(1, admin.execute("UPDATE " + t + " SET keyval = 30 WHERE keyval = 3").updateCount());
        backend("INSERT INTO " + t + " VALUES (3, 'new three')");
        assertEquals("new three", admin.execute("SELECT str FROM " + t + " WHERE keyval = 3").rows().getFirst()[0]);
        assertEquals(1, admin.execute("DELETE FROM " + t + " WHERE keyval IN (3, 30)").updateCount() - 1);
        assertEquals(List.of("2=DEUX", "9=nine"), backendRows());

        admin.setAutocommit(false);
        sql("INSERT INTO " + t + " VALUES (9, 'mine')"); // the backend has 9: this commit will fail there
        long before = instance.database("CACHEDB").cacheAgent().dynamicLoadRequests();
        assertEquals("mine", admin.execute("SELECT str FROM " + t + " WHERE keyval = 9").rows().getFirst()[0]);
        assertEquals(before, instance.database("CACHEDB").cacheAgent().dynamicLoadRequests(), "a key being written is not loaded");
        assertError(90052, () -> Connection.join(admin.commit()));
        admin.setAutocommit(true);
        assertEquals(List.of("2=DEUX"), cached());

        sql("CALL ttCacheUidPwdSet('nosuchuser', 'x')");
        assertError(5220, () -> admin.execute("SELECT str FROM " + t + " WHERE keyval = 9"));
        assertEquals(List.of("2=DEUX"), cached());
        var agent = instance.database("CACHEDB").cacheAgent();
        long asked = agent.dynamicLoadRequests();
        assertEquals("DEUX", admin.execute("SELECT str FROM " + t + " WHERE keyval = 2").rows().getFirst()[0],
                "a key the cache has asks nothing of the backend");
        assertEquals(asked, agent.dynamicLoadRequests(), "nor of the agent: the statement's index lookup finds it");
        sql("CALL ttCacheUidPwdSet('postgres', 'postgres')");
        assertEquals("nine", admin.execute("SELECT str FROM " + t + " WHERE keyval = 9").rows().getFirst()[0]);

        // Loads keep their backend session for the next; one the backend has dropped since is replaced.
        backend("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hourglass cache agent'",
                "INSERT INTO " + t + " VALUES (12, 'twelve')");
        assertEquals("twelve", admin.execute("SELECT str FROM " + t + " WHERE keyval = 12").rows().getFirst()[0]);
        // a kept session is left with no transaction open (its read was a transaction of its own), and takes a write-through commit next
        assertEquals(0L, backendCount("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'hourglass cache agent' AND state <> 'idle'"));
        assertEquals(1, admin.execute("UPDATE " + t + " SET str = 'TWELVE' WHERE keyval = 12").updateCount());
        assertEquals("TWELVE", backendRows().stream().filter(r -> r.startsWith("12=")).findFirst().orElseThrow().substring(3));
    }

    /**
     * A DYNAMIC ASYNCHRONOUS WRITETHROUGH group never loads a row whose change is still on its way
     * to the backend: a key the cache lacks (deleted here, or updated, then unloaded) is read only
     * once the backend has every change committed before; TT90053 if that takes longer than
     * LockWait (or the agent is stopped). Without the wait, the backend's older row would come back.
     */
    @Test
    void aDynamicAsynchronousGroupNeverLoadsARowWhoseChangeIsOnItsWay(@TempDir Path dir) throws Exception {
        openPersistent(dir);
        String t = schema + ".readtab";
        sql("CREATE DYNAMIC ASYNCHRONOUS WRITETHROUGH CACHE GROUP awcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertEquals(List.of("ASYNCHRONOUS WRITETHROUGH|Y"), TestInstances.rows(admin, "SELECT cgtype, dynamic FROM sys.cache_group"));
        assertEquals(List.of("LRU|ON"), TestInstances.rows(admin, "SELECT aging_type, aging_state FROM sys.all_tab_aging"), "dynamic: LRU by default");
        assertEquals("one", admin.execute("SELECT str FROM " + t + " WHERE keyval = 1").rows().getFirst()[0], "nothing on its way: loaded");
        // the agent stopped, a DELETE waits to be sent: the row the backend still has is not loaded back
        sql("DELETE FROM " + t + " WHERE keyval = 1");
        sql("CALL ttLockWait(1)");
        assertError(90053, () -> admin.execute("SELECT str FROM " + t + " WHERE keyval = 1"));
        assertEquals(List.of(), cached());
        assertEquals(List.of("1=one", "2=two"), backendRows());
        sql("CALL ttCacheStart()");
        assertEquals(List.of(), admin.execute("SELECT str FROM " + t + " WHERE keyval = 1").rows(), "read once the backend had the DELETE");
        assertEquals(List.of("2=two"), backendRows());
        assertEquals(List.of(), cached());

        // an UPDATE held up in the backend, then the row unloaded here: the next read waits for the UPDATE
        assertEquals("two", admin.execute("SELECT str FROM " + t + " WHERE keyval = 2").rows().getFirst()[0]);
        try (var blocker = DriverManager.getConnection(url, "postgres", "postgres")) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT * FROM " + t + " WHERE keyval = 2 FOR UPDATE");
            sql("UPDATE " + t + " SET str = 'deux' WHERE keyval = 2"); // the agent's UPDATE waits for the backend's row lock
            assertEquals(1, admin.execute("UNLOAD CACHE GROUP awcache").updateCount());
            sql("CALL ttLockWait(30)");
            CompletableFuture<Object> read = CompletableFuture.supplyAsync(
                    () -> admin.execute("SELECT str FROM " + t + " WHERE keyval = 2").rows().getFirst()[0]);
            Thread.sleep(300);
            assertFalse(read.isDone(), "it waits for the change on its way");
            blocker.rollback();
            assertEquals("deux", read.get(30, TimeUnit.SECONDS), "the row as the backend has it once the UPDATE is there");
        }
        assertEquals(List.of("2=deux"), cached());
        assertEquals(cached(), backendRows());
        // a new row inserted here goes to the backend as with any ASYNCHRONOUS WRITETHROUGH group
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        assertTrue(awtCaughtUp(30));
        assertEquals(List.of("2=deux", "3=three"), backendRows());
    }

    /**
     * A USERMANAGED group's table is written here and committed here only; FLUSH CACHE GROUP
     * writes its rows (those its WHERE holds for) to the backend, inserted or over the backend's
     * row with the key, in one backend transaction; a row deleted here is not flushed.
     */
    @Test
    void aUserManagedGroupIsWrittenHereAndFlushedByHand() {
        openTemporary();
        String t = schema + ".readtab";
        sql("CREATE USERMANAGED CACHE GROUP umcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertEquals(List.of("USERMANAGED|null|OFF"), TestInstances.rows(admin, "SELECT cgtype, autorefresh_mode, autorefresh_state FROM sys.cache_group"));
        assertEquals(2, admin.execute("LOAD CACHE GROUP umcache COMMIT EVERY 0 ROWS").updateCount());
        sql("UPDATE " + t + " SET str = 'uno' WHERE keyval = 1");
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("DELETE FROM " + t + " WHERE keyval = 2");
        assertEquals(List.of("1=one", "2=two"), backendRows(), "commits stay here");
        assertEquals(1, admin.execute("FLUSH CACHE GROUP umcache WHERE keyval > 2").updateCount());
        assertEquals(List.of("1=one", "2=two", "3=three"), backendRows(), "the row the WHERE (on the cache table) holds for");
        assertEquals(2, admin.execute("FLUSH CACHE GROUP umcache").updateCount());
        assertEquals(List.of("1=uno", "2=two", "3=three"), backendRows(), "inserted, or written over the backend's row; the DELETE is not flushed");
        assertEquals(List.of("1=uno", "3=three"), cached());

        // a row the backend refuses: nothing of the FLUSH is there
        backend("ALTER TABLE " + t + " ADD CONSTRAINT short CHECK (length(str) < 10)");
        sql("UPDATE " + t + " SET str = 'tres' WHERE keyval = 3");
        sql("UPDATE " + t + " SET str = 'far too long a value' WHERE keyval = 1");
        assertError(90052, () -> sql("FLUSH CACHE GROUP umcache"));
        assertEquals(List.of("1=uno", "2=two", "3=three"), backendRows());
        // REFRESH makes the cache the backend's again (its own changes not flushed are gone, as in TimesTen)
        assertEquals(3, admin.execute("REFRESH CACHE GROUP umcache COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("1=uno", "2=two", "3=three"), cached());
        // many rows go in batches, still one backend transaction: a refused row in the first batch writes none of them
        sql("INSERT INTO " + t + " SELECT 1000 + LEVEL, 'r' || LEVEL FROM dual CONNECT BY LEVEL <= 2500");
        sql("UPDATE " + t + " SET str = 'far too long a value' WHERE keyval = 1500");
        sql("UPDATE " + t + " SET str = 'eins' WHERE keyval = 1");
        assertError(90052, () -> sql("FLUSH CACHE GROUP umcache"));
        assertEquals(3L, backendCount("SELECT COUNT(*) FROM " + t));
        assertEquals(List.of("1=uno", "2=two", "3=three"), backendRows());
        sql("UPDATE " + t + " SET str = 'ok' WHERE keyval = 1500");
        assertEquals(2503, admin.execute("FLUSH CACHE GROUP umcache").updateCount());
        assertEquals(2503L, backendCount("SELECT COUNT(*) FROM " + t));
        assertEquals(1L, backendCount("SELECT COUNT(*) FROM " + t + " WHERE keyval = 1 AND str = 'eins'"));
        sql("DELETE FROM " + t + " WHERE keyval > 3");
        backend("DELETE FROM " + t + " WHERE keyval > 3");

        // WITH ID (the primary key's values) names one row, as a WHERE on the key would, for each operation
        sql("UPDATE " + t + " SET str = 'dos' WHERE keyval = 2");
        assertEquals(1, admin.execute("FLUSH CACHE GROUP umcache WITH ID (2)").updateCount());
        assertEquals(List.of("1=eins", "2=dos", "3=three"), backendRows());
        assertEquals(1, admin.execute("UNLOAD CACHE GROUP umcache WITH ID (2)").updateCount());
        assertEquals(List.of("1=eins", "3=three"), cached());
        assertEquals(1, admin.execute("LOAD CACHE GROUP umcache WITH ID (2) COMMIT EVERY 0 ROWS").updateCount());
        assertEquals(List.of("1=eins", "2=dos", "3=three"), cached());
        assertError(90015, () -> sql("FLUSH CACHE GROUP umcache WITH ID (1, 2)"));
        assertError(90015, () -> sql("FLUSH CACHE GROUP umcache WITH ID (keyval)"));
        assertError(1001, () -> sql("FLUSH CACHE GROUP umcache WHERE keyval = 1 WITH ID (1)"));
        // FLUSH is for USERMANAGED groups whose table is neither READONLY nor PROPAGATE
        backend("CREATE TABLE " + schema + ".other (id integer PRIMARY KEY, v integer)");
        sql("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP swother FROM " + schema + ".other (id NUMBER NOT NULL PRIMARY KEY, v NUMBER)");
        assertError(8271, () -> sql("FLUSH CACHE GROUP swother"));
        sql("DROP CACHE GROUP swother");
        // PROPAGATE: each commit writes the backend first, as a SYNCHRONOUS WRITETHROUGH group's
        sql("CREATE USERMANAGED CACHE GROUP umprop FROM " + schema + ".other (id NUMBER NOT NULL, v NUMBER, PRIMARY KEY (id), PROPAGATE)");
        sql("INSERT INTO " + schema + ".other VALUES (1, 10)");
        assertEquals(1L, backendCount("SELECT COUNT(*) FROM " + schema + ".other WHERE id = 1 AND v = 10"), "in the backend at commit");
        assertError(90015, () -> sql("FLUSH CACHE GROUP umprop"));
        sql("DROP CACHE GROUP umprop");
        // READONLY: read-only here, filled by LOAD and REFRESH (or AUTOREFRESH, if the group has it)
        sql("CREATE USERMANAGED CACHE GROUP umro FROM " + schema + ".other (id NUMBER NOT NULL, READONLY, v NUMBER, PRIMARY KEY (id))");
        assertEquals(List.of("USERMANAGED|FULL|OFF"), TestInstances.rows(admin, "SELECT cgtype, autorefresh_mode, autorefresh_state FROM sys.cache_group WHERE cgname = 'UMRO'"));
        assertEquals(1, admin.execute("LOAD CACHE GROUP umro COMMIT EVERY 0 ROWS").updateCount());
        assertError(8225, () -> sql("UPDATE " + schema + ".other SET v = 11"));
        assertError(90015, () -> sql("FLUSH CACHE GROUP umro"));
        sql("DROP CACHE GROUP umro");
        sql("CREATE USERMANAGED CACHE GROUP umauto AUTOREFRESH INTERVAL 100 MILLISECONDS STATE ON FROM " + schema
                + ".other (id NUMBER NOT NULL, v NUMBER, PRIMARY KEY (id), READONLY)");
        sql("CALL ttCacheStart()");
        backend("UPDATE " + schema + ".other SET v = 12 WHERE id = 1");
        await(() -> TestInstances.rows(admin, "SELECT v FROM " + schema + ".other").equals(List.of("12")), () -> "autorefreshed");
        sql("CALL ttCacheStop()");
        sql("DROP CACHE GROUP umauto");
        assertEquals(0L, changeLogs(), "DROP removed its change log");
        // not built: AUTOREFRESH on a table written here (update anywhere), both attributes
        assertError(90019, () -> sql("CREATE USERMANAGED CACHE GROUP um2 AUTOREFRESH INTERVAL 5 SECONDS FROM " + schema
                + ".other (id NUMBER NOT NULL PRIMARY KEY, PROPAGATE)"));
        assertError(1001, () -> sql("CREATE USERMANAGED CACHE GROUP um2 FROM " + schema + ".other (id NUMBER NOT NULL PRIMARY KEY, PROPAGATE, READONLY)"));
        assertError(90019, () -> sql("ALTER CACHE GROUP umcache SET AUTOREFRESH STATE ON"));
        assertError(90015, () -> sql("FLUSH CACHE GROUP umcache WHERE keyval = ?"));
        sql("DROP CACHE GROUP umcache");
        assertEquals(List.of("1=eins", "2=dos", "3=three"), backendRows(), "DROP leaves the backend table alone");
    }

    /** USERMANAGED is kept in the log and in checkpoints: after a restart by either, commits still stay here until FLUSH. */
    @Test
    void aUserManagedGroupStaysUserManagedAcrossRestarts(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        String t = schema + ".readtab";
        sql("CREATE USERMANAGED CACHE GROUP umcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        kill();
        open(cfg);
        assertFalse(loadedFromACheckpoint());
        sql("INSERT INTO " + t + " VALUES (3, 'three')");
        assertEquals(List.of("1=one", "2=two"), backendRows(), "not written through");
        instance.close(); // (its unload checkpoint)
        open(cfg);
        assertTrue(loadedFromACheckpoint());
        assertEquals("USERMANAGED", admin.execute("SELECT cgtype FROM sys.cache_group").rows().getFirst()[0]);
        sql("INSERT INTO " + t + " VALUES (4, 'four')");
        assertEquals(List.of("1=one", "2=two"), backendRows(), "not written through");
        assertEquals(2, admin.execute("FLUSH CACHE GROUP umcache").updateCount());
        assertEquals(List.of("1=one", "2=two", "3=three", "4=four"), backendRows());
    }

    /** DYNAMIC is kept in the log and in checkpoints: a restart by either still loads on demand. */
    @Test
    void aDynamicGroupStaysDynamicAcrossRestarts(@TempDir Path dir) {
        DatabaseConfig cfg = openPersistent(dir);
        String t = schema + ".readtab";
        sql("CREATE DYNAMIC READONLY CACHE GROUP readcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        kill();
        open(cfg);
        assertFalse(loadedFromACheckpoint());
        assertEquals("Y", admin.execute("SELECT dynamic FROM sys.cache_group").rows().getFirst()[0]);
        assertEquals("one", admin.execute("SELECT str FROM " + t + " WHERE keyval = 1").rows().getFirst()[0]);
        instance.close(); // (its unload checkpoint)
        open(cfg);
        assertTrue(loadedFromACheckpoint());
        assertEquals("Y", admin.execute("SELECT dynamic FROM sys.cache_group").rows().getFirst()[0]);
        assertEquals("two", admin.execute("SELECT str FROM " + t + " WHERE keyval = 2").rows().getFirst()[0]);
        assertEquals(List.of("1=one", "2=two"), cached());
    }

    /**
     * A dynamic group ages by LRU unless told otherwise: past the high threshold its rows not
     * used since the last cycle go from the cache only (the backend keeps them, even for a
     * write-through group), and a statement that names one again loads it again.
     */
    @Test
    void aDynamicGroupAgesItsLeastRecentlyUsedRowsHereOnly() {
        openTemporary();
        String t = schema + ".readtab";
        backend("INSERT INTO " + t + " VALUES (3, 'three')");
        sql("CREATE DYNAMIC SYNCHRONOUS WRITETHROUGH CACHE GROUP swcache FROM " + t + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
        assertEquals(List.of("READTAB|ON|LRU"), admin.execute("SELECT table_name, aging_state, aging_type FROM sys.all_tab_aging")
                .rows().stream().map(r -> r[0] + "|" + r[1] + "|" + r[2]).toList(), "LRU ON: a dynamic group's default");
        for (int k = 1; k <= 3; k++) admin.execute("SELECT str FROM " + t + " WHERE keyval = ?", k);
        sql("CALL ttAgingLRUConfig(NULL, NULL, 600)");
        var db = instance.database("CACHEDB");
        long aged = db.agedRows();
        lruCycleNow(t); // (under the threshold: a cycle boundary)
        admin.execute("UPDATE " + t + " SET str = 'TWO' WHERE keyval = 2"); // a use since
        sql("CALL ttAgingLRUConfig(0, 0)");
        sql("CALL ttAgingScheduleNow('" + t + "')");
        await(() -> db.agedRows() == aged + 2, () -> "aged " + (db.agedRows() - aged));
        assertEquals(List.of("2=TWO"), cached(), "the rows not used since the last cycle went");
        assertEquals(List.of("1=one", "2=TWO", "3=three"), backendRows(), "from the cache only");
        sql("CALL ttAgingLRUConfig(1, 1)");
        assertEquals("three", admin.execute("SELECT str FROM " + t + " WHERE keyval = 3").rows().getFirst()[0], "loaded again");

        // A static READONLY group's autorefresh would never bring an aged row back: LRU there is refused,
        // time-based aging allowed (and ALTER TABLE gives a cache table a policy as any table).
        backend("CREATE TABLE " + schema + ".evtab (keyval integer PRIMARY KEY, ts timestamp NOT NULL)",
                "INSERT INTO " + schema + ".evtab VALUES (1, now() - interval '2 hours'), (2, now())");
        String ev = schema + ".evtab (keyval NUMBER NOT NULL PRIMARY KEY, ts TIMESTAMP NOT NULL)";
        assertError(90015, () -> sql("CREATE READONLY CACHE GROUP evcache FROM " + ev + " AGING LRU"));
        sql("CREATE READONLY CACHE GROUP evcache FROM " + ev + " AGING USE ts LIFETIME 1 HOUR OFF");
        assertError(2980, () -> sql("ALTER TABLE " + schema + ".evtab ADD AGING LRU"));
        sql("ALTER TABLE " + schema + ".evtab DROP AGING");
        assertError(90015, () -> sql("ALTER TABLE " + schema + ".evtab ADD AGING LRU"));
        sql("ALTER TABLE " + schema + ".evtab ADD AGING USE ts LIFETIME 1 HOUR OFF");
        sql("LOAD CACHE GROUP evcache COMMIT EVERY 0 ROWS");
        long before = db.agedRows();
        sql("CALL ttAgingScheduleNow('" + schema + ".evtab')");
        await(() -> db.agedRows() == before + 1, () -> "aged " + (db.agedRows() - before));
        assertEquals(List.of(2L), admin.execute("SELECT keyval FROM " + schema + ".evtab").rows().stream().map(r -> ((Number) r[0]).longValue()).toList());
        assertEquals(2L, backendCount("SELECT COUNT(*) FROM " + schema + ".evtab"), "the backend keeps its rows");
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Asks for an LRU aging cycle of {@code table} and waits until it is done (its uses before the call are then a cycle old). */
    private void lruCycleNow(String table) {
        var db = instance.database("CACHEDB");
        long before = db.lruCycles();
        sql("CALL ttAgingScheduleNow('" + table + "')");
        await(() -> db.lruCycles() > before, () -> "an LRU cycle of " + table);
    }

    private long count(String query) { return ((Number) admin.execute(query).rows().getFirst()[0]).longValue(); }

    private long lastRefreshNumber() {
        List<Object[]> rows = admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows();
        return rows.isEmpty() ? 0 : ((Number) rows.getFirst()[0]).longValue();
    }

    private String restored() {
        return (String) admin.execute("SELECT restored FROM sys.cache_group WHERE cgname = 'READCACHE'").rows().getFirst()[0];
    }


    private void sql(String s) { admin.execute(s); }

    private String groupState() {
        return (String) admin.execute("SELECT autorefresh_state FROM sys.cache_group WHERE cgname = 'READCACHE'").rows().getFirst()[0];
    }

    private long changeLogs() {
        return backendCount("SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'hourglass_cl_%' AND relkind = 'r'"
                + " AND relnamespace = '" + schema + "'::regnamespace");
    }

    private String cacheId() {
        return (String) admin.execute("SELECT backend_id FROM sys.cache_group WHERE cgname = 'READCACHE'").rows().getFirst()[0];
    }

    private List<String> cached() {
        List<String> out = new ArrayList<>();
        for (Object[] r : admin.execute("SELECT keyval, str FROM " + schema + ".readtab ORDER BY keyval").rows()) out.add(r[0] + "=" + r[1]);
        return out;
    }

    private List<String> backendRows() {
        List<String> out = new ArrayList<>();
        try (var c = DriverManager.getConnection(url, "postgres", "postgres");
             var rs = c.createStatement().executeQuery("SELECT keyval, str FROM " + schema + ".readtab ORDER BY keyval")) {
            while (rs.next()) out.add(rs.getInt(1) + "=" + rs.getString(2));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private void awaitCached(List<String> expected) {
        await(() -> cached().equals(expected), () -> "cache " + cached() + ", expected " + expected + "; refreshes " + stats());
    }

    private void awaitStatus(String status, String errorPart) {
        await(() -> stats().stream().anyMatch(s -> s.contains(status) && s.contains(errorPart)), () -> "refreshes " + stats());
    }

    private List<String> stats() {
        List<String> out = new ArrayList<>();
        for (Object[] r : admin.execute("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").rows()) {
            out.add(r[3] + " " + r[4] + " " + r[5] + " " + r[6]);
        }
        return out;
    }

    private static void backend(String... statements) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            for (String s : statements) {
                try {
                    st.execute(s);
                } catch (SQLException e) {
                    if (!s.startsWith("DELETE")) throw e; // a DELETE the test expects the backend to refuse
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static long backendCount(String query) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
