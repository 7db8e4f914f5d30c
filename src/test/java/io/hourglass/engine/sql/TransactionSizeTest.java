package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.TempSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one transaction holds until it ends (its row locks and undo entries, and at its commit
 * the log records it builds) counts in TempSize, as TimesTen keeps its lock table in the
 * temporary region. A transaction past it fails with TT0802 instead of taking the service's heap
 * (a million-row UPDATE in one transaction ended in an OutOfMemoryError, and the failed commit
 * left the transaction holding every row lock for good). The databases here have the least
 * TempSize, 32 MB.
 */
class TransactionSizeTest {
    @TempDir
    Path dir;

    private static void assertTransactionTooLarge(HourglassException e) {
        assertEquals(802, e.number(), e.getMessage());
        assertTrue(e.getMessage().contains("temporary space exhausted: the transaction needs more than"), e.getMessage());
        assertTrue(e.getMessage().contains("commit in smaller transactions"), e.getMessage());
    }

    private static long scalar(Connection c, String sql, Object... params) {
        return ((Number) c.execute(sql, params).rows().getFirst()[0]).longValue();
    }

    @Test
    void aStatementWhoseRowLocksOutgrowTempSizeIsUndoneAndItsTransactionGoesOn() {
        int rows = 200_000; // an UPDATE of all of them holds about 40 MB of row locks and undo entries
        try (Instance inst = TestInstances.with(DatabaseConfig.temporary("TXS").withTempSize(32).withLockWait(1))) {
            TempSpace temp = inst.database("TXS").transactions().temp();
            Connection c = inst.connect("TXS", "admin", TestInstances.ADMIN_PASSWORD);
            Connection other = inst.connect("TXS", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
            c.setAutocommit(false);
            PreparedStatement insert = c.prepare("INSERT INTO t VALUES (?, 0)");
            for (int i = 0; i < rows; i++) {
                c.execute(insert, i);
                if (i % 10_000 == 9_999) c.commit();
            }
            c.commit();

            c.execute("INSERT INTO t VALUES (-1, 7)");
            HourglassException e = assertThrows(HourglassException.class, () -> c.execute("UPDATE t SET v = v + 1"));
            assertTransactionTooLarge(e);
            // The statement is undone; the work before it in the transaction stands, and commits.
            assertEquals(7, scalar(c, "SELECT SUM(v) FROM t"));
            c.commit();
            assertEquals(0, temp.used(), "the transaction gave back what it held");
            assertEquals(7, scalar(other, "SELECT SUM(v) FROM t"));
            other.execute("UPDATE t SET v = 1 WHERE id = 5"); // no lock of the failed statement is left
            other.execute("UPDATE t SET v = 0 WHERE id = 5");

            // The same change in smaller transactions goes through.
            for (int from = 0; from < rows; from += 50_000) {
                assertEquals(50_000, c.execute("UPDATE t SET v = v + 1 WHERE id >= ? AND id < ?", from, from + 50_000).updateCount());
                c.commit();
            }
            assertEquals(rows + 7, scalar(other, "SELECT SUM(v) FROM t"));
            assertEquals(0, temp.used());
            assertTrue(temp.highWater() >= 31L << 20, "the failed statement drew up to the limit: " + temp.highWater());
        }
    }

    @Test
    void aCommitWhoseLogRecordsOutgrowTempSizeRollsBackWholeAndReleasesItsLocks() {
        String big = "x".repeat(1 << 20);
        DatabaseConfig cfg = DatabaseConfig.defaults("TXC", dir.resolve("txc").toString()).withTempSize(32).withLockWait(1);
        try (Instance inst = TestInstances.with(cfg)) {
            TempSpace temp = inst.database("TXC").transactions().temp();
            Connection c = inst.connect("TXC", "admin", TestInstances.ADMIN_PASSWORD);
            Connection other = inst.connect("TXC", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
            c.execute("INSERT INTO b VALUES (100, 'kept')");
            c.setAutocommit(false);
            // Each statement holds little; the commit's log records would be 20 MB, counted twice
            // (the batch and its copy in the log buffer).
            for (int i = 0; i < 20; i++) c.execute("INSERT INTO b VALUES (?, ?)", i, big);
            HourglassException e = assertThrows(HourglassException.class, c::commit);
            assertTransactionTooLarge(e);
            assertFalse(c.inTransaction(), "the failed commit ended the transaction");
            assertEquals(0, temp.used());
            assertEquals(1, scalar(other, "SELECT COUNT(*) FROM b"), "nothing of the failed commit is visible");
            // Its rows' locks are gone: inserting the same keys does not wait for it (LockWait 1 s: TT6003).
            other.execute("INSERT INTO b VALUES (0, 'other')");
            other.execute("INSERT INTO b VALUES (19, 'other')");

            // A commit of half the size fits, and the connection goes on as usual.
            for (int i = 1; i <= 10; i++) c.execute("INSERT INTO b VALUES (?, ?)", i, big);
            c.commit();
            assertEquals(13, scalar(other, "SELECT COUNT(*) FROM b"));
            c.close();
            other.close();
        }
        // The log holds exactly the commits that returned.
        try (Instance inst = TestInstances.with(cfg)) {
            Connection c = inst.connect("TXC", "admin", TestInstances.ADMIN_PASSWORD);
            List<Object[]> rows = c.execute("SELECT id, LENGTH(s) FROM b ORDER BY id").rows();
            assertEquals(13, rows.size());
            assertEquals(List.of(0L, 1L, 10L, 19L, 100L), List.of(rows.get(0)[0], rows.get(1)[0], rows.get(10)[0], rows.get(11)[0], rows.get(12)[0]).stream().map(v -> ((Number) v).longValue()).toList());
            assertEquals((long) (1 << 20), ((Number) rows.get(1)[1]).longValue());
            assertEquals(5L, ((Number) rows.get(0)[1]).longValue());
            c.close();
        }
    }

    @Test
    void rowsChangedMoreThanOnceInATransactionCommitAndRecoverAsTheirLastChange() {
        DatabaseConfig cfg = DatabaseConfig.defaults("TXR", dir.resolve("txr").toString());
        try (Instance inst = TestInstances.with(cfg)) {
            Connection c = inst.connect("TXR", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, s VARCHAR2(10))");
            c.execute("CREATE INDEX r_s ON r (s)");
            c.execute("INSERT INTO r VALUES (2, 'two')");
            c.execute("INSERT INTO r VALUES (3, 'three')");
            c.setAutocommit(false);
            c.execute("INSERT INTO r VALUES (1, 'a')");
            c.execute("UPDATE r SET id = 5, s = 'b' WHERE id = 1"); // a new row's key changed in its own transaction
            c.execute("UPDATE r SET id = 20 WHERE id = 2");
            c.execute("UPDATE r SET id = 21, s = 'x' WHERE id = 20");
            c.execute("UPDATE r SET s = 'y' WHERE id = 3");
            c.execute("DELETE FROM r WHERE id = 3");
            c.commit();
            c.close();
        }
        for (int pass = 0; pass < 2; pass++) { // as committed, then as recovered
            try (Instance inst = TestInstances.with(cfg)) {
                Connection c = inst.connect("TXR", "admin", TestInstances.ADMIN_PASSWORD);
                assertEquals(List.of("5 b", "21 x"), c.execute("SELECT id, s FROM r ORDER BY id").rows().stream()
                        .map(r -> r[0] + " " + r[1]).toList());
                for (Object[] gone : new Object[][] {{"id", 1}, {"id", 2}, {"id", 20}, {"id", 3}, {"s", "a"}, {"s", "two"}, {"s", "y"}, {"s", "three"}}) {
                    assertEquals(0, scalar(c, "SELECT COUNT(*) FROM r WHERE " + gone[0] + " = ?", gone[1]), gone[0] + " = " + gone[1]);
                }
                assertEquals(1, scalar(c, "SELECT COUNT(*) FROM r WHERE s = 'x'"));
                c.execute("INSERT INTO r VALUES (1, 'a')"); // the old keys are free again
                c.execute("INSERT INTO r VALUES (2, 'two')");
                c.execute("DELETE FROM r WHERE id IN (1, 2)");
                c.close();
            }
        }
    }
}
