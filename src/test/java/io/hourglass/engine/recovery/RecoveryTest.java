package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.StatementResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery from real log files: what committed comes back, with its schema, users and indexes. */
class RecoveryTest {
    @TempDir
    Path dir;

    private DatabaseConfig config() {
        return DatabaseConfig.defaults("REC", dir.resolve("rec").toString()).withLog(8, 1);
    }

    private Instance open() { return new Instance(TestInstances.ADMIN_PASSWORD, List.of(config())); }

    private static Connection admin(Instance i) { return i.connect("REC", "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql) {
        List<String> out = new ArrayList<>();
        StatementResult r = c.execute(sql);
        for (Object[] row : r.rows()) {
            StringBuilder sb = new StringBuilder();
            for (Object v : row) sb.append(sb.isEmpty() ? "" : "|").append(io.hourglass.engine.catalog.Values.toText(v).stripTrailing());
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void everyKindOfChangeSurvivesARestart() {
        try (Instance i = open(); Connection c = admin(i)) {
            assertTrue(Files.exists(dir.resolve("rec.log0")), "log file <name>.log0 in the DataStore's directory");
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(10) DEFAULT 'dflt', n NUMBER(6,2), d DATE)");
            c.execute("CREATE HASH INDEX t_v ON t (v)");
            c.execute("INSERT INTO t VALUES (1, 'a', 1.5, DATE '2024-01-01'), (2, 'b', 2.5, NULL), (3, 'c', NULL, NULL)");
            c.execute("INSERT INTO t (id) VALUES (4)");
            c.execute("UPDATE t SET v = 'bb', n = n * 2 WHERE id = 2");
            c.execute("DELETE FROM t WHERE id = 3");
            c.setAutocommit(false);
            c.execute("INSERT INTO t VALUES (9, 'rolled', 0, NULL)");
            c.rollback();
            c.execute("INSERT INTO t VALUES (5, 'e', 5, NULL)");
            c.execute("DELETE FROM t WHERE id = 5");
            c.execute("INSERT INTO t VALUES (5, 'e2', 5, NULL)");
            c.commit();
            c.setAutocommit(true);
            c.execute("CREATE USER u IDENTIFIED BY upw");
            c.execute("GRANT SELECT ON t TO u");
            c.execute("CREATE TABLE gone (x INTEGER)");
            c.execute("INSERT INTO gone VALUES (1)");
            c.execute("DROP TABLE gone");
            c.execute("CREATE TABLE gone (y VARCHAR2(3))");
            c.execute("INSERT INTO gone VALUES ('new')");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            var report = i.database("REC").recovery();
            assertFalse(report.neededAfterCrash(), "closed cleanly: no TT20100");
            assertEquals(List.of("1|a|1.5|2024-01-01 00:00:00", "2|bb|5|NULL", "4|dflt|NULL|NULL", "5|e2|5|NULL"),
                    rows(c, "SELECT id, v, n, d FROM t ORDER BY id"));
            assertEquals(List.of("HASH INDEX LOOKUP ADMIN.T_V ON ADMIN.T"), rows(c, "EXPLAIN SELECT id FROM t WHERE v = 'bb'"));
            assertEquals(List.of("2"), rows(c, "SELECT id FROM t WHERE v = 'bb'"), "the index was rebuilt");
            assertEquals(List.of("new"), rows(c, "SELECT y FROM gone"));
            assertEquals(907, assertThrows(HourglassException.class, () -> c.execute("INSERT INTO t (id) VALUES (1)")).number());
            try (Connection u = i.connect("REC", "u", "upw")) {
                assertEquals(4, u.execute("SELECT * FROM admin.t").rows().size());
            }
            // New work after recovery continues the log and the row ids.
            c.execute("INSERT INTO t VALUES (6, 'f', 6, NULL)");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("1", "2", "4", "5", "6"), rows(c, "SELECT id FROM t ORDER BY id"));
        }
    }

    @Test
    void aCrashWithoutCloseRecoversDurableCommitsAndSaysSo() {
        Instance crashed = open();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setDurableCommits(true);
        for (int k = 0; k < 50; k++) c.execute("INSERT INTO t VALUES (?, ?)", k, k * k);
        c.setAutocommit(false);
        c.execute("UPDATE t SET v = -1"); // never committed
        // No close: the instance is abandoned as a crash would leave it.
        try (Instance i = open(); Connection d = admin(i)) {
            assertTrue(i.database("REC").recovery().neededAfterCrash(), "TT20100: not shut down cleanly");
            assertEquals(List.of("50|40425"), rows(d, "SELECT COUNT(*), SUM(v) FROM t"));
        }
    }

    @Test
    void ttDurableCommitWaitsAndTheLogIsHeldUntilACheckpointExists() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER)");
            c.setAutocommit(false);
            c.execute("INSERT INTO t VALUES (1)");
            c.execute("CALL ttDurableCommit()");
            c.commit().toCompletableFuture().join();
            assertTrue(i.database("REC").log().syncedLsn() >= i.database("REC").log().appendedLsn());
            assertEquals(List.of("0|64|Checkpoint|no complete checkpoint yet: recovery may need the log from its start"),
                    rows(c, "CALL ttLogHolds()"));
        }
    }

    @Test
    void theLogSpansFilesAndRecoversAcrossThem() {
        String pad = "p".repeat(2000);
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, pad VARCHAR2(2000))");
            for (int k = 0; k < 9000; k++) c.execute("INSERT INTO big VALUES (?, ?)", k, pad);
            c.execute("UPDATE big SET pad = 'short' WHERE id < 100");
        }
        assertTrue(Files.exists(dir.resolve("rec.log2")), "18 MB of records in 8 MB files");
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("9000|100"), rows(c, "SELECT COUNT(*), SUM(CASE WHEN pad = 'short' THEN 1 ELSE 0 END) FROM big"));
        }
    }
}
