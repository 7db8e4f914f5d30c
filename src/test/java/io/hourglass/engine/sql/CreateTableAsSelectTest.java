package io.hourglass.engine.sql;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.PowerLoss;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.SimulatedDisk;
import io.hourglass.engine.txn.LockManager;
import io.hourglass.engine.txn.TransactionManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.hourglass.engine.TestInstances.admin;
import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CREATE TABLE ... AS SELECT (docs/SQL.md): the table and its rows are one transaction, whose
 * commit logs the CREATE TABLE ahead of the rows. It survives restarts from the log and from a
 * checkpoint; a crash at any point leaves the whole table or none (never an empty or partial
 * one); a row refused, or PermSize full, leaves no table and gives the memory back; like all
 * DDL it commits the connection's open transaction first. The SQL is pinned by
 * 30_create_table_as.test.
 */
class CreateTableAsSelectTest {
    @Test
    void theTableAndItsRowsSurviveRestartsFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("CTAS1", dir.resolve("ctas1").toString());
        List<String> expected;
        Crashable crashable = Crashable.open(cfg);
        try (Connection a = admin(crashable.instance(), "CTAS1")) {
            a.execute("CREATE TABLE src (id INTEGER PRIMARY KEY, name VARCHAR2(12) NOT NULL, bal NUMBER(10,2))");
            a.execute("INSERT INTO src SELECT LEVEL, 'n' || LEVEL, LEVEL * 1.5 FROM dual CONNECT BY LEVEL <= 2000");
            assertEquals(1000, a.execute("CREATE TABLE rich (id PRIMARY KEY, name, bal CHECK (bal > 0)) AS SELECT id, name, bal FROM src"
                    + " WHERE MOD(id, 2) = 0").updateCount());
            a.execute("CREATE INDEX rich_name ON rich (name)");
            assertEquals(0, a.execute("CREATE TABLE none AS SELECT * FROM src WHERE 1 = 0").updateCount()); // a table with no rows to log
            expected = rows(a, "SELECT id || '|' || name || '|' || bal FROM rich ORDER BY id");
            assertEquals(1000, expected.size());
        }
        crashable.kill(); // no checkpoint at the end: the restart replays the log
        for (int round = 0; round < 2; round++) {
            // from the log, then from the checkpoint the first restart's close wrote
            try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS1")) {
                var recovered = i.database("CTAS1").recovery();
                if (round == 0) assertTrue(recovered.checkpoint() == null && recovered.transactions() >= 4, "recovered from the log");
                if (round == 1) assertTrue(recovered.checkpoint() != null && recovered.transactions() == 0, "loaded from a checkpoint");
                assertEquals(expected, rows(a, "SELECT id || '|' || name || '|' || bal FROM rich ORDER BY id"), "round " + round);
                assertEquals(List.of("ID|N", "NAME|N", "BAL|Y"),
                        rows(a, "SELECT column_name || '|' || nullable FROM all_tab_columns WHERE table_name = 'RICH' ORDER BY column_id"));
                assertEquals(907, assertThrows(HourglassException.class, () -> a.execute("INSERT INTO rich VALUES (2, 'x', 1)")).number());
                assertEquals(90045, assertThrows(HourglassException.class, () -> a.execute("INSERT INTO rich VALUES (3, 'x', 0)")).number());
                assertEquals(List.of("n10"), rows(a, "SELECT name FROM rich WHERE name = 'n10'"));
                assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM none"));
            }
        }
    }

    /**
     * A CREATE TABLE ... AS SELECT whose rows fill most of a log file, so its transaction crosses
     * into the next one: its CREATE TABLE record in one file, its COMMIT in the other. For every
     * write and sync point a crash there, under every kind of power loss: the copy is absent or
     * whole, and whole once the statement had returned (DDL is durable when it returns).
     */
    @Test
    void aCrashAtAnyPointLeavesTheWholeTableOrNone() {
        DatabaseConfig cfg = DatabaseConfig.defaults("CTAS2", "/sim/ctas2").withLog(8, 1);
        SimulatedDisk clean = new SimulatedDisk();
        assertEquals(Boolean.TRUE, crashWorkload(clean, cfg));
        int points = clean.points();
        int crashes = 0;
        for (int k = 1; k <= points + 20; k++) {
            SimulatedDisk disk = new SimulatedDisk().crashAt(k);
            Boolean returned = crashWorkload(disk, cfg);
            if (!disk.crashed()) continue;
            crashes++;
            PowerLoss.recoverAfterEach(disk, k * 17L, cfg, "point " + k, c -> copyProblem(c, Boolean.TRUE.equals(returned)));
        }
        assertTrue(crashes >= 10, "crashed at " + crashes + " points of " + points);
    }

    /** The source (committed and durable first), then the copy; whether the copy's statement returned (null: the source's did not). */
    private static Boolean crashWorkload(SimulatedDisk disk, DatabaseConfig cfg) {
        Instance inst;
        try {
            inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), disk);
        } catch (RuntimeException e) {
            return null;
        }
        boolean copied = false;
        try (Connection c = admin(inst, cfg.name())) {
            c.execute("CREATE TABLE src (id INTEGER PRIMARY KEY, body VARCHAR2(1100))");
            c.setAutocommit(false);
            c.execute("INSERT INTO src SELECT LEVEL, RPAD('b', 1000, 'x') || LEVEL FROM dual CONNECT BY LEVEL <= 4500");
            Connection.join(c.commit(true));
            c.setAutocommit(true);
            c.execute("CREATE TABLE copy (id PRIMARY KEY, body) AS SELECT id, body FROM src");
            copied = true;
        } catch (HourglassException e) {
            // the disk died under the workload
        } finally {
            try {
                inst.close();
            } catch (RuntimeException ignored) {
                // closing a database whose disk is gone
            }
        }
        return copied;
    }

    /** Null if the copy is absent (and may be: its statement had not returned) or holds exactly the source's rows. */
    private static String copyProblem(Connection c, boolean returned) {
        long sources;
        try {
            sources = ((Number) c.execute("SELECT COUNT(*) FROM src").rows().getFirst()[0]).longValue();
        } catch (HourglassException e) {
            return returned ? "the source is gone though the copy returned" : null; // (crashed before the source was durable)
        }
        List<Object[]> count;
        try {
            count = c.execute("SELECT COUNT(*) FROM copy").rows();
        } catch (HourglassException e) {
            if (e.number() != 2206) throw e;
            return returned ? "the copy is gone though its statement had returned" : null;
        }
        long n = ((Number) count.getFirst()[0]).longValue();
        List<Object[]> differ = c.execute("SELECT id FROM copy MINUS SELECT id FROM src UNION ALL (SELECT id FROM src MINUS SELECT id FROM copy)"
                + " UNION ALL SELECT c.id FROM copy c JOIN src s ON s.id = c.id WHERE c.body <> s.body").rows();
        if (n != sources || !differ.isEmpty() || n != 4500) return "the copy has " + n + " rows of the source's " + sources + ", " + differ.size() + " differ";
        return null;
    }

    /**
     * The new table is in the catalog while its rows go in, X-locked by the statement's
     * transaction. A writer that found it then waits; if the rows do not commit, the table leaves
     * the catalog before the lock is released, so the writer finds it gone (TT2206) instead of
     * committing rows of a table the log never made (which recovery could not replay).
     */
    @Test
    void aWriterWaitingForTheNewTableFindsItGoneWhenItsRowsDoNotCommit(@TempDir Path dir) throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("CTAS4", dir.resolve("ctas4").toString()).withLockWait(60);
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS4"); Connection b = admin(i, "CTAS4")) {
            a.execute("CREATE TABLE src (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO src SELECT LEVEL FROM dual CONNECT BY LEVEL <= 200000");
            var catalog = i.database("CTAS4").catalog();
            var locks = i.database("CTAS4").transactions().locks();
            long waitsBefore = locks.waits();
            CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                while (catalog.table("ADMIN", "COPY") == null) Thread.onSpinWait();
                try {
                    b.execute("INSERT INTO copy VALUES (-1)");
                    return 0;
                } catch (HourglassException e) {
                    return e.number();
                }
            });
            // The last row repeats the first's key (200000 and 1, modulo 199999): refused once the writer waits.
            assertEquals(907, assertThrows(HourglassException.class,
                    () -> a.execute("CREATE TABLE copy (k PRIMARY KEY) AS SELECT MOD(id, 199999) AS k FROM src ORDER BY id")).number());
            assertEquals(2206, writer.get(60, TimeUnit.SECONDS));
            assertTrue(locks.waits() > waitsBefore, "the writer waited for the new table's lock");
            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("SELECT * FROM copy")).number());
        }
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS4")) { // and the log replays
            assertEquals(List.of("200000"), rows(a, "SELECT COUNT(*) FROM src"));
            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("SELECT * FROM copy")).number());
        }
    }

    /**
     * Whoever sees the new table in the catalog finds it locked by its statement until the table
     * leaves again: no writer can slip in between the catalog showing the table and the statement
     * locking it (a row committed there would reach the log before the CREATE TABLE). Every CTAS
     * here fails on its last row, so a table seen unlocked and still there is always that gap.
     */
    @Test
    void aNewTableIsLockedBeforeAnyoneCanSeeIt(@TempDir Path dir) throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("CTAS5", dir.resolve("ctas5").toString());
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS5")) {
            a.execute("CREATE TABLE src (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO src SELECT LEVEL FROM dual CONNECT BY LEVEL <= 2000");
            var catalog = i.database("CTAS5").catalog();
            var locks = i.database("CTAS5").transactions().locks();
            int rounds = 300;
            AtomicInteger round = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<int[]> watcher = CompletableFuture.supplyAsync(() -> {
                int seen = 0, unlocked = 0;
                while (!done.get()) {
                    var t = catalog.table("ADMIN", "C" + round.get());
                    if (t == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    seen++;
                    if (!locks.isLocked(new LockManager.TableLock(t.id())) && catalog.table("ADMIN", "C" + round.get()) == t) unlocked++;
                    while (catalog.table("ADMIN", t.name()) == t && !done.get()) Thread.onSpinWait(); // one look per table
                }
                return new int[] {seen, unlocked};
            });
            try {
                for (int k = 0; k < rounds; k++) {
                    round.set(k);
                    assertEquals(907, assertThrows(HourglassException.class, () -> a.execute("CREATE TABLE c" + round.get()
                            + " (k PRIMARY KEY) AS SELECT MOD(id, 1999) AS k FROM src ORDER BY id")).number());
                }
            } finally {
                done.set(true);
            }
            int[] looks = watcher.get(60, TimeUnit.SECONDS);
            assertEquals(0, looks[1], "tables seen unlocked before their statement ended, of " + looks[0] + " seen");
            assertTrue(looks[0] > 0, "the watcher saw some of the tables");
        }
    }

    @Test
    void aRefusedRowOrAFullPermSizeLeavesNoTableAndGivesTheMemoryBack(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("CTAS3", dir.resolve("ctas3").toString()).withPermSize(32);
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS3")) {
            TransactionManager tm = i.database("CTAS3").transactions();
            a.execute("CREATE TABLE src (id INTEGER PRIMARY KEY, body VARCHAR2(4000))");
            a.execute("INSERT INTO src SELECT LEVEL, RPAD('b', 3000, 'x') FROM dual CONNECT BY LEVEL <= 6000");
            tm.collectGarbage();
            long base = tm.memory().used();

            // DDL commits the open transaction first, even when the DDL then fails.
            a.setAutocommit(false);
            a.execute("INSERT INTO src VALUES (-1, 'kept')");
            assertEquals(907, assertThrows(HourglassException.class,
                    () -> a.execute("CREATE TABLE dup (k PRIMARY KEY) AS SELECT MOD(id, 10) AS k FROM src")).number());
            a.rollback();
            assertEquals(List.of("kept"), rows(a, "SELECT body FROM src WHERE id = -1"));
            a.setAutocommit(true);
            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("SELECT * FROM dup")).number());

            // A copy of the whole source does not fit in PermSize beside it.
            HourglassException full = assertThrows(HourglassException.class, () -> a.execute("CREATE TABLE big AS SELECT * FROM src"));
            assertEquals(802, full.number());
            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("SELECT * FROM big")).number());
            tm.collectGarbage();
            assertTrue(tm.memory().used() <= base + 8192, "memory back: " + tm.memory().used() + " after, " + base + " before");
            // The name is free and a part that fits is copied.
            assertEquals(1000, a.execute("CREATE TABLE big AS SELECT * FROM src WHERE id BETWEEN 1 AND 1000").updateCount());
        }
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "CTAS3")) {
            assertEquals(List.of("1000"), rows(a, "SELECT COUNT(*) FROM big"));
            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("SELECT * FROM dup")).number());
        }
    }
}
