package io.hourglass.engine.sql;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.txn.Isolation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GLOBAL TEMPORARY tables beyond what the conformance file shows: their rows are never logged
 * (nor recovered), their definition is (and outlives a restart, from the log and from a
 * checkpoint); sessions write their own rows without waiting for each other, even with the same
 * keys; DDL of the definition waits for the transactions writing it; a statement prepared once
 * reads the rows of the session running it; what the rows held in PermSize is given back.
 */
class GlobalTemporaryTableTest {
    private static List<String> rows(Connection c, String sql) { return TestInstances.rows(c, sql); }

    private static int error(Runnable r) { return assertThrows(HourglassException.class, r::run).number(); }

    @Test
    void theRowsAreNeverLoggedAndTheDefinitionOutlivesARestart(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("GTT1", dir.resolve("gtt1").toString());
        Crashable crashable = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(crashable.instance(), "GTT1")) {
            a.setDurableCommits(true);
            a.execute("CREATE TABLE perm (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER PRIMARY KEY, v VARCHAR2(10)) ON COMMIT PRESERVE ROWS");
            a.execute("CREATE GLOBAL TEMPORARY TABLE work (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
            a.execute("CREATE INDEX keep_v ON keep (v)");
            a.execute("ALTER TABLE work ADD (note VARCHAR2(10))"); // (a new table object: it stays temporary)
            Database db = crashable.instance().database("GTT1");
            long before = db.log().appendedLsn();
            a.execute("INSERT INTO keep VALUES (1, 'k1'), (2, 'k2')");
            a.execute("UPDATE keep SET v = 'k22' WHERE id = 2");
            a.setAutocommit(false);
            a.execute("INSERT INTO work (id, v) VALUES (1, 'w1')");
            a.execute("DELETE FROM keep WHERE id = 1");
            a.commit(true).toCompletableFuture().join();
            assertEquals(before, db.log().appendedLsn(), "transactions that changed only temporary rows log nothing, durable or not");

            // One transaction over both kinds: only the permanent table's row is logged and recovered.
            a.execute("INSERT INTO keep VALUES (3, 'k3')");
            a.execute("INSERT INTO work (id, v) VALUES (2, 'w2')");
            a.execute("INSERT INTO perm VALUES (1, 'p1')");
            a.commit(true).toCompletableFuture().join();
            assertNotEquals(before, db.log().appendedLsn());
            assertEquals(List.of("2|k22", "3|k3"), rows(a, "SELECT id, v FROM keep ORDER BY id"));
            assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM work"));
        }
        crashable.kill();
        for (int round = 0; round < 2; round++) {
            try (Instance i = TestInstances.with(cfg); Connection a = TestInstances.admin(i, "GTT1")) { // the log, then the checkpoint its close wrote
                assertEquals(round == 1, i.database("GTT1").recovery().checkpoint() != null, "round " + round);
                assertEquals(List.of("1|p1"), rows(a, "SELECT id, v FROM perm"));
                assertEquals(List.of("KEEP|Y|SYS$SESSION", "WORK|Y|SYS$TRANSACTION"),
                        rows(a, "SELECT table_name, temporary, duration FROM user_tables WHERE temporary = 'Y' ORDER BY 1"));
                assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM keep"), "a new session starts with none");
                assertEquals(List.of("ID", "V", "NOTE"), rows(a, "SELECT column_name FROM user_tab_columns WHERE table_name = 'WORK' ORDER BY column_id"));
                Table keep = i.database("GTT1").catalog().table("ADMIN", "KEEP");
                assertEquals(Table.OnCommit.PRESERVE_ROWS, keep.temporary());
                a.execute("INSERT INTO keep VALUES (1, 'again')");
                assertEquals(List.of("1"), rows(a, "SELECT id FROM keep WHERE v = 'again'"));
                assertTrue(rows(a, "EXPLAIN SELECT id FROM keep WHERE v = 'again'").toString().contains("KEEP_V"), "its index came back");
                a.execute("TRUNCATE TABLE keep");
            }
        }
    }

    @Test
    void sessionsWriteTheirOwnRowsWithoutWaitingForEachOther() {
        try (Instance i = TestInstances.one("GTT2"); Connection a = TestInstances.admin(i, "GTT2"); Connection b = TestInstances.admin(i, "GTT2")) {
            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER PRIMARY KEY, v VARCHAR2(10)) ON COMMIT PRESERVE ROWS");
            a.execute("CREATE GLOBAL TEMPORARY TABLE work (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
            for (Connection c : List.of(a, b)) {
                c.setIsolation(Isolation.SERIALIZABLE);
                c.setAutocommit(false);
                c.setLockWait(0);
            }
            // The same keys, both uncommitted, SERIALIZABLE: no lock of one meets the other's.
            a.execute("INSERT INTO keep VALUES (1, 'a')");
            b.execute("INSERT INTO keep VALUES (1, 'b')");
            a.execute("INSERT INTO work VALUES (1, 'a')");
            b.execute("INSERT INTO work VALUES (1, 'b')");
            a.execute("UPDATE keep SET v = 'aa'");
            b.execute("DELETE FROM work");
            assertEquals(List.of("1|aa"), rows(a, "SELECT id, v FROM keep"));
            assertEquals(List.of("1|b"), rows(b, "SELECT id, v FROM keep"));
            assertEquals(List.of("1|a"), rows(a, "SELECT id, v FROM work"));
            assertEquals(List.of(), rows(b, "SELECT id, v FROM work"));
            // ttXactAdmin names an instance's locks by its table (a's SERIALIZABLE read took S on its instance)
            String locks = String.join(" / ", rows(a, "CALL ttXactAdmin()"));
            assertTrue(locks.contains("ADMIN.KEEP (a session's temporary rows) S"), locks);
            assertTrue(locks.contains("ADMIN.KEEP IX"), locks + ": the definition's intention lock, which DDL waits for");
            assertFalse(locks.contains("dropped table"), locks);
            // and no row locks: a's UPDATE and b's DELETE of their own rows took none
            for (Object[] r : a.execute("CALL ttXactAdmin()").rows()) assertEquals(0L, ((Number) r[4]).longValue(), locks);
            a.commit().toCompletableFuture().join();
            b.rollback();
            assertEquals(List.of("1|aa"), rows(a, "SELECT id, v FROM keep"));
            assertEquals(List.of(), rows(b, "SELECT id, v FROM keep"), "b's rollback took its insert back");
            a.rollback();
            b.rollback();
        }
    }

    /** A statement prepared once and run by two sessions reads each one's rows (the plan binds a session's instance). */
    @Test
    void aStatementPreparedOnceReadsTheRowsOfTheSessionRunningIt() {
        try (Instance i = TestInstances.one("GTT3"); Connection a = TestInstances.admin(i, "GTT3"); Connection b = TestInstances.admin(i, "GTT3")) {
            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER PRIMARY KEY) ON COMMIT PRESERVE ROWS");
            a.execute("INSERT INTO keep VALUES (1)");
            b.execute("INSERT INTO keep VALUES (2), (3)");
            PreparedStatement count = a.prepare("SELECT COUNT(*) FROM keep");
            PreparedStatement insert = a.prepare("INSERT INTO keep VALUES (?)");
            for (int k = 0; k < 2; k++) {
                assertEquals(List.of("1"), TestInstances.rows(a.execute(count)));
                assertEquals(List.of("2"), TestInstances.rows(b.execute(count)));
            }
            b.execute(insert, 4);
            a.execute(insert, 5);
            assertEquals(List.of("1", "5"), rows(a, "SELECT id FROM keep ORDER BY id"));
            assertEquals(List.of("2", "3", "4"), rows(b, "SELECT id FROM keep ORDER BY id"));
        }
    }

    /**
     * CREATE INDEX waits for a transaction writing the table (its DELETE ROWS rows are gone once
     * it commits), then the statements prepared before it plan again and use the index; DROP
     * TABLE is refused while another session holds PRESERVE ROWS rows, and done once it leaves.
     */
    @Test
    void ddlWaitsForTheTransactionsWritingTheTableAndIsRefusedWhileRowsAreHeld() throws Exception {
        try (Instance i = TestInstances.one("GTT4"); Connection a = TestInstances.admin(i, "GTT4"); Connection b = TestInstances.admin(i, "GTT4")) {
            a.execute("CREATE GLOBAL TEMPORARY TABLE work (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
            PreparedStatement insert = a.prepare("INSERT INTO work VALUES (?, ?)");
            PreparedStatement byV = a.prepare("SELECT id FROM work WHERE v = ?");
            a.setAutocommit(false);
            a.execute(insert, 1, "x");
            CompletableFuture<Void> index = CompletableFuture.runAsync(() -> b.execute("CREATE INDEX work_v ON work (v)"));
            var locks = i.database("GTT4").transactions().locks();
            for (int k = 0; k < 2000 && locks.waits() < 1; k++) Thread.sleep(5);
            assertFalse(index.isDone(), "CREATE INDEX waits for the transaction writing the table");
            assertEquals(List.of("1"), TestInstances.rows(a.execute(byV, "x")));
            a.commit().toCompletableFuture().join();
            index.get(10, TimeUnit.SECONDS);
            a.execute(insert, 2, "y");
            assertEquals(List.of("2"), TestInstances.rows(a.execute(byV, "y")), "the rows of the instance made anew");
            assertTrue(rows(a, "EXPLAIN SELECT id FROM work WHERE v = 'y'").toString().contains("WORK_V"));
            a.rollback();
            a.setAutocommit(true);

            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER) ON COMMIT PRESERVE ROWS");
            try (Connection c = TestInstances.admin(i, "GTT4")) {
                c.execute("INSERT INTO keep VALUES (1)");
                assertEquals(90065, error(() -> a.execute("DROP TABLE keep")));
                a.execute("DROP INDEX work_v"); // (work is empty in every session)
            }
            a.execute("DROP TABLE keep"); // c's rows went with it
            assertEquals(2206, error(() -> a.execute("SELECT * FROM keep")));
        }
    }

    /**
     * The rows live in TempSize, as in TimesTen: PermSize (the committed data's) does not move;
     * what they held comes back at a DELETE ROWS commit, and when a session with PRESERVE ROWS
     * rows leaves.
     */
    @Test
    void theRowsAreCountedInTempSizeAndGivenBack() {
        try (Instance i = TestInstances.one("GTT5"); Connection a = TestInstances.admin(i, "GTT5")) {
            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER PRIMARY KEY, v VARCHAR2(100)) ON COMMIT PRESERVE ROWS");
            a.execute("CREATE GLOBAL TEMPORARY TABLE work (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            var memory = i.database("GTT5").transactions().memory();
            var temp = i.database("GTT5").transactions().temp();
            long perm = memory.used();
            assertEquals(0, temp.used());
            a.setAutocommit(false);
            a.execute("INSERT INTO work SELECT level, RPAD('w', 100, 'w') FROM dual CONNECT BY level <= 1000");
            assertEquals(perm, memory.used(), "PermSize does not hold them");
            a.commit().toCompletableFuture().join();
            assertEquals(0, temp.used(), "a DELETE ROWS commit gives its rows back");
            a.setAutocommit(true);
            try (Connection c = TestInstances.admin(i, "GTT5")) {
                c.execute("INSERT INTO keep SELECT level, RPAD('k', 100, 'k') FROM dual CONNECT BY level <= 1000");
                c.execute("UPDATE keep SET v = 'short' WHERE id <= 500");
                i.database("GTT5").transactions().collectGarbage();
                assertTrue(temp.used() > 100_000, "1,000 rows of up to 100 bytes kept after their commits: " + temp.used());
                assertEquals(perm, memory.used());
            }
            assertEquals(0, temp.used(), "a session that leaves gives its rows back");
            assertEquals(perm, memory.used());
        }
    }

    /** A session's rows can fill TempSize (TT0802, temporary), never PermSize: the committed data goes on being written. */
    @Test
    void aFullTempSizeRefusesTemporaryRowsAndLeavesPermanentWritesAlone() {
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(DatabaseConfig.temporary("GTT6").withPermSize(64).withTempSize(32)));
             Connection a = TestInstances.admin(i, "GTT6")) {
            a.execute("CREATE GLOBAL TEMPORARY TABLE keep (id INTEGER PRIMARY KEY, v VARCHAR2(1000)) ON COMMIT PRESERVE ROWS");
            a.execute("CREATE TABLE perm (id INTEGER PRIMARY KEY, v VARCHAR2(1000))");
            PreparedStatement chunk = a.prepare("INSERT INTO keep SELECT ? + level, RPAD('x', 1000, 'x') FROM dual CONNECT BY level <= 1000");
            HourglassException full = null;
            int chunks = 0;
            for (; chunks < 200 && full == null; chunks++) {
                try {
                    a.execute(chunk, chunks * 1000);
                } catch (HourglassException e) {
                    full = e;
                }
            }
            assertTrue(full != null && full.number() == 802 && full.getMessage().contains("temporary"), String.valueOf(full));
            assertTrue(chunks > 10, chunks + " chunks of 1,000 rows of 1 KB in 32 MB");
            assertEquals(List.of(String.valueOf((chunks - 1) * 1000)), rows(a, "SELECT COUNT(*) FROM keep"), "the refused statement undid itself");
            // (a statement that builds much, as INSERT ... SELECT of 5,000 rows does, needs TempSize too: one row at a time)
            PreparedStatement one = a.prepare("INSERT INTO perm VALUES (?, RPAD('p', 1000, 'p'))");
            for (int k = 0; k < 5000; k++) a.execute(one, k);
            assertEquals(List.of("5000"), rows(a, "SELECT COUNT(*) FROM perm"));
            a.execute("TRUNCATE TABLE keep");
            i.database("GTT6").transactions().collectGarbage();
            a.execute(chunk, 0);
            assertEquals(List.of("1000"), rows(a, "SELECT COUNT(*) FROM keep"), "TRUNCATE gave the space back");
        }
    }
}
