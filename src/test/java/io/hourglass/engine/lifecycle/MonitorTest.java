package io.hourglass.engine.lifecycle;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.sql.StatementResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SYS.MONITOR, TimesTen's table of a database's counters, and ttMonitorHighWaterReset. */
class MonitorTest {
    @TempDir
    Path dir;

    private DatabaseConfig config() { return DatabaseConfig.defaults("MON", dir.resolve("mon").toString()); }

    private static Connection admin(Instance i) { return i.connect("MON", "admin", TestInstances.ADMIN_PASSWORD); }

    /** SYS.MONITOR's one row, by column name. */
    private static Map<String, Object> monitor(Connection c) {
        StatementResult r = c.execute("SELECT * FROM sys.monitor");
        assertEquals(1, r.rows().size());
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < r.columns().size(); i++) m.put(r.columns().get(i).name(), r.rows().get(0)[i]);
        return m;
    }

    private static long n(Map<String, Object> m, String column) {
        assertTrue(m.containsKey(column), column);
        return (Long) m.get(column);
    }

    /** How much {@code column} grew from {@code before} to {@code after}. */
    private static long grew(Map<String, Object> before, Map<String, Object> after, String column) {
        return n(after, column) - n(before, column);
    }

    @Test
    void ttBookmarkShowsWhereTheLogIsWrittenAndForced() {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst)) {
            a.setDurableCommits(true);
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            a.execute("INSERT INTO t VALUES (1, 'one')");
            StatementResult r = a.execute("CALL ttBookmark()");
            assertEquals(List.of("WRITELFN", "WRITELFO", "FORCELFN", "FORCELFO", "HOLDLFN", "HOLDLFO"),
                    r.columns().stream().map(io.hourglass.engine.sql.ResultColumn::name).toList());
            Object[] b1 = r.rows().getFirst();
            var log = inst.database("MON").log();
            io.hourglass.engine.log.Lsn synced = io.hourglass.engine.log.Lsn.of(log.syncedLsn());
            assertEquals((long) synced.file(), b1[2]);
            assertEquals(synced.offset(), b1[3], "a durable commit returned: the log is forced up to its end");
            assertEquals(List.of(b1[2], b1[3]), List.of(b1[0], b1[1]), "and nothing is written past what is forced");
            assertEquals(List.of(-1L, -1L), List.of(b1[4], b1[5]), "no ASYNCHRONOUS WRITETHROUGH group holds the log");

            a.execute("INSERT INTO t VALUES (2, 'two')");
            Object[] b2 = a.execute("SELECT * FROM sys.v$bookmark").rows().getFirst();
            assertTrue((Long) b2[3] > (Long) b1[3] || (Long) b2[2] > (Long) b1[2], "the next commit forced more: " + b2[2] + "." + b2[3]);
            assertEquals(log.syncedLsn(), io.hourglass.engine.log.Lsn.pack((int) (long) (Long) b2[2], (Long) b2[3]));
        }
        try (Instance inst = TestInstances.one("TMPB"); Connection a = TestInstances.admin(inst, "TMPB")) {
            assertTrue(a.execute("CALL ttBookmark()").rows().isEmpty(), "a Temporary database has no log");
        }
    }

    @Test
    void countsConnectionsTransactionsCheckpointsAndTheLog() {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            Map<String, Object> m0 = monitor(a);
            String first = (String) m0.get("TIME_OF_1ST_CONNECT");
            assertTrue(first.matches("[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}"), first);
            assertEquals(0, n(m0, "REQUIRED_RECOVERY"), "a new database needed no recovery");
            assertEquals(-1, n(m0, "REPHOLD_LOG_FILE"), "no ASYNCHRONOUS WRITETHROUGH group holds the log");
            assertEquals(-1, n(m0, "REPHOLD_LOG_OFF"));
            assertTrue(n(m0, "FIRST_LOG_FILE") <= n(m0, "LAST_LOG_FILE"));
            assertEquals(config().permSizeMb() * 1024, n(m0, "PERM_ALLOCATED_SIZE"), "PermSize in KB");
            assertEquals(inst.loaded("MON").config().tempSizeBytes() >> 10, n(m0, "TEMP_ALLOCATED_SIZE"));

            try (Connection b = admin(inst)) {
                b.execute("SELECT COUNT(*) FROM t");
            }
            a.setAutocommit(false);
            a.execute("INSERT INTO t VALUES (1, 'one')");
            a.commit(true).toCompletableFuture().join();
            a.execute("INSERT INTO t VALUES (2, 'two')");
            a.commit(false).toCompletableFuture().join();
            a.execute("INSERT INTO t VALUES (3, 'three')");
            a.rollback();
            a.setAutocommit(true);
            Map<String, Object> m1 = monitor(a);
            assertEquals(first, m1.get("TIME_OF_1ST_CONNECT"), "the first connection's time stays");
            assertEquals(1, grew(m0, m1, "DS_CONNECTS"));
            assertEquals(1, grew(m0, m1, "DS_DISCONNECTS"));
            assertTrue(grew(m0, m1, "XACT_COMMITS") >= 3, "b's autocommitted SELECT, the two commits, the monitor's own reads");
            assertEquals(1, grew(m0, m1, "XACT_D_COMMITS"), "one commit asked to be durable");
            assertEquals(1, grew(m0, m1, "XACT_ROLLBACKS"));
            assertTrue(grew(m0, m1, "XACT_BEGINS") >= 4);
            assertTrue(grew(m0, m1, "LOG_FORCES") >= 1, "the durable commit synced the log");
            assertTrue(grew(m0, m1, "LOG_BYTES_TO_LOG_BUFFER") > 0);
            assertTrue(grew(m0, m1, "LOG_FS_WRITES") >= 1);
            assertEquals(5, grew(m0, m1, "CMD_PREPARES"), "every statement run was prepared: b's SELECT, three INSERTs, this SELECT");

            a.execute("CALL ttCkpt()");
            a.execute("CALL ttCkptBlocking()");
            Map<String, Object> m2 = monitor(a);
            assertEquals(2, grew(m1, m2, "DS_CHECKPOINTS"));
            assertEquals(1, grew(m1, m2, "DS_CHECKPOINTS_FUZZY"), "ttCkpt's is fuzzy, ttCkptBlocking's not");
            assertTrue(grew(m1, m2, "CHECKPOINT_BYTES_WRITTEN") > 0);
        }
    }

    /** ttOptUpdateStats and its kin: statistics are always current here; invalidate = 1 has prepared statements planned again. */
    @Test
    void theOptimizerStatisticsProceduresInvalidatePlansWhenAsked() {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            io.hourglass.engine.sql.PreparedStatement ps = a.prepare("SELECT COUNT(*) FROM t");
            a.execute(ps);
            long before = n(monitor(a), "CMD_REPREPARES");
            a.execute(ps);
            a.execute("CALL ttOptUpdateStats('t', 0)");
            a.execute("CALL ttOptEstimateStats('t', 0, '10 PERCENT')");
            a.execute(ps);
            assertEquals(before, n(monitor(a), "CMD_REPREPARES"), "no invalidation asked: the plan stays");
            a.execute("CALL ttOptUpdateStats('t', 1)");
            a.execute(ps);
            assertEquals(before + 1, n(monitor(a), "CMD_REPREPARES"), "invalidate = 1: planned again");
            a.execute("CALL ttOptEstimateStats('admin.t', 1, '1000 ROWS')");
            a.execute(ps);
            a.execute("CALL ttOptClearStats('', 1)");
            a.execute(ps);
            a.execute("CALL ttOptUpdateStats()");
            a.execute(ps);
            assertEquals(before + 3, n(monitor(a), "CMD_REPREPARES"));

            assertEquals(2206, assertThrows(HourglassException.class, () -> a.execute("CALL ttOptUpdateStats('nosuch', 1)")).number());
            assertEquals(90003, assertThrows(HourglassException.class, () -> a.execute("CALL ttOptUpdateStats('t', 2)")).number());
            assertEquals(90003, assertThrows(HourglassException.class, () -> a.execute("CALL ttOptEstimateStats('t', 1, 'lots')")).number());
            a.execute("CREATE USER app IDENTIFIED BY pw");
            try (Connection app = inst.connect("MON", "app", "pw")) {
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttOptUpdateStats('admin.t', 1)")).number(),
                        "another's table needs ADMIN (TimesTen: ALTER ANY TABLE)");
                app.execute("CALL ttOptUpdateStats('', 1)"); // its own tables: none, and no privilege needed
            }
        }
    }

    /** ttDataStoreStatus: the database's connections, in this one process; ttContext: the caller's own. */
    @Test
    void ttDataStoreStatusListsTheConnections() {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst)) {
            a.execute("CREATE USER app IDENTIFIED BY pw");
            try (Connection app = inst.connect("MON", "app", "pw")) {
                String path = inst.loaded("MON").config().dataStore();
                long pid = ProcessHandle.current().pid();
                List<String> rows = TestInstances.rows(app, "CALL ttDataStoreStatus()");
                assertEquals(List.of(path + "|" + pid + "|" + context(a.id()) + "|application|ADMIN|" + a.id(),
                        path + "|" + pid + "|" + context(app.id()) + "|application|APP|" + app.id()), rows, "no privilege needed");
                assertEquals(List.of(context(app.id())), TestInstances.rows(app, "CALL ttContext()"));
                assertEquals(rows, TestInstances.rows(a, "CALL ttDataStoreStatus('" + path + "')"));
                assertEquals(rows, TestInstances.rows(a, "CALL ttDataStoreStatus('mon')"), "the DSN names it too");
                assertEquals(90011, assertThrows(HourglassException.class, () -> a.execute("CALL ttDataStoreStatus('/elsewhere')")).number());
            }
            assertEquals(1, TestInstances.rows(a, "CALL ttDataStoreStatus()").size(), "app's connection closed");
        }
    }

    /** A connection's context as TimesTen shows it: its id as 8 bytes, in hex. */
    private static String context(long id) { return String.format("%016X", id); }

    @Test
    void countsLockWaitsThatEndInAGrantOrATimeout() throws Exception {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst); Connection b = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
            a.execute("INSERT INTO t VALUES (1, 0)");
            Map<String, Object> m0 = monitor(a);
            a.setAutocommit(false);
            a.execute("UPDATE t SET v = 1 WHERE id = 1");
            b.execute("CALL ttLockWait(0.2)");
            assertEquals(6003, assertThrows(HourglassException.class, () -> b.execute("UPDATE t SET v = 2 WHERE id = 1")).number());
            b.execute("CALL ttLockWait(10)");
            CompletableFuture<StatementResult> waiting = CompletableFuture.supplyAsync(() -> b.execute("UPDATE t SET v = 3 WHERE id = 1"));
            LifecycleTest.waitFor(() -> inst.loaded("MON").transactions().locks().waits() >= 2); // b waits again
            a.commit().toCompletableFuture().join();
            waiting.get(10, TimeUnit.SECONDS);
            a.setAutocommit(true);
            Map<String, Object> m1 = monitor(a);
            assertEquals(1, grew(m0, m1, "LOCK_TIMEOUTS"));
            assertEquals(1, grew(m0, m1, "LOCK_GRANTS_WAIT"), "the wait that ended in a grant, not the one that timed out");
            assertEquals(0, grew(m0, m1, "DEADLOCKS"));
        }
    }

    @Test
    void theHighWaterMarksStayUntilReset() {
        try (Instance inst = TestInstances.with(config()); Connection a = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(1000))");
            a.execute("INSERT INTO t SELECT LEVEL, RPAD('x', 1000, 'y') FROM dual CONNECT BY LEVEL <= 3000");
            Map<String, Object> full = monitor(a);
            assertTrue(n(full, "PERM_IN_USE_SIZE") >= 3000, "3,000 rows of 1,000 characters: " + full.get("PERM_IN_USE_SIZE") + " KB");
            assertTrue(n(full, "PERM_IN_USE_HIGH_WATER") >= n(full, "PERM_IN_USE_SIZE"));
            assertTrue(n(full, "TEMP_IN_USE_HIGH_WATER") > 0, "the INSERT ... SELECT's statement took TempSize");
            a.execute("DELETE FROM t");
            // (the deleted rows' memory comes back once no snapshot can see them)
            LifecycleTest.waitFor(() -> n(monitor(a), "PERM_IN_USE_SIZE") < n(full, "PERM_IN_USE_SIZE") / 2);
            Map<String, Object> emptied = monitor(a);
            assertTrue(n(emptied, "PERM_IN_USE_HIGH_WATER") >= n(full, "PERM_IN_USE_SIZE"), "the high water mark stays");

            a.execute("CALL ttMonitorHighWaterReset()");
            Map<String, Object> reset = monitor(a);
            assertTrue(n(reset, "PERM_IN_USE_HIGH_WATER") < n(full, "PERM_IN_USE_SIZE") / 2, "reset to what is in use now");
            assertTrue(n(reset, "PERM_IN_USE_HIGH_WATER") >= n(reset, "PERM_IN_USE_SIZE"));
            assertTrue(n(reset, "TEMP_IN_USE_HIGH_WATER") < n(full, "TEMP_IN_USE_HIGH_WATER"), "TempSize's too");

            a.execute("CREATE USER app IDENTIFIED BY pw");
            try (Connection app = inst.connect("MON", "app", "pw")) {
                assertEquals(List.of("1"), TestInstances.rows(app, "SELECT COUNT(*) FROM sys.monitor"), "any user reads SYS.MONITOR");
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttMonitorHighWaterReset()")).number(),
                        "the reset needs ADMIN, as in TimesTen");
            }
        }
    }

    @Test
    void aLoadAfterACrashSaysItRecovered() {
        try (Instance inst = TestInstances.with(config())) {
            inst.allowFaultInjection(true);
            try (Connection a = admin(inst)) {
                a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
                a.execute("INSERT INTO t VALUES (1)");
                a.execute("CALL ttDurableCommit()");
                a.execute("CALL ttHourglassInvalidate()");
            }
            try (Connection a = admin(inst)) { // autoreload: recovered from the files, whose log has no clean shutdown
                Map<String, Object> m = monitor(a);
                assertEquals(1, n(m, "REQUIRED_RECOVERY"));
                assertEquals(1, n(m, "DS_CONNECTS"), "the counters start again with the new image");
            }
        }
    }

    @Test
    void aFullLogBufferMakesAppendsWait() throws Exception {
        GatedLogWrites io = new GatedLogWrites();
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config().withLog(8, 1)), io); Connection a = admin(inst);
             Connection b = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(4000))");
            String insert = "INSERT INTO t SELECT LEVEL + %d, RPAD('x', 4000, 'y') FROM dual CONNECT BY LEVEL <= 150"; // about 600 KB of log
            long before = n(monitor(a), "LOG_BUFFER_WAITS");
            io.gate = new CountDownLatch(1);
            try {
                a.execute(insert.formatted(0));
                io.reached.await(10, TimeUnit.SECONDS); // the flusher holds the first commit's log, stopped in its write
                a.execute(insert.formatted(1000)); // in the buffer
                CompletableFuture<StatementResult> third = CompletableFuture.supplyAsync(() -> b.execute(insert.formatted(2000)));
                LifecycleTest.waitFor(() -> inst.loaded("MON").log().bufferWaits() > before); // no room in LogBufMB: it waits
                assertFalse(third.isDone());
                io.gate.countDown();
                third.get(20, TimeUnit.SECONDS);
            } finally {
                io.gate.countDown();
            }
            Map<String, Object> m = monitor(a);
            assertEquals(1, n(m, "LOG_BUFFER_WAITS") - before);
            assertEquals(450L, a.execute("SELECT COUNT(*) FROM t").rows().get(0)[0]);
        }
    }

    /** Holds the first write to a log file after {@link #gate} is set until the gate opens. */
    static final class GatedLogWrites extends io.hourglass.engine.spi.ForwardingStorageIo {
        volatile CountDownLatch gate;
        final CountDownLatch reached = new CountDownLatch(1);

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            FileHandle h = real.open(file, create);
            if (!file.getFileName().toString().contains(".log")) return h;
            return new ForwardingHandle(h) {
                @Override
                public void write(long position, java.nio.ByteBuffer src) throws IOException {
                    CountDownLatch g = gate;
                    if (g != null && src.remaining() > 100_000) {
                        reached.countDown();
                        try {
                            g.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    super.write(position, src);
                }
            };
        }
    }

    @Test
    void aTemporaryDatabaseHasNoLogToShow() {
        try (Instance inst = TestInstances.one("TMP"); Connection a = TestInstances.admin(inst, "TMP")) {
            StatementResult r = a.execute("SELECT last_log_file, first_log_file, rephold_log_file, log_forces, ds_checkpoints FROM sys.monitor");
            assertNull(r.rows().get(0)[0]);
            assertNull(r.rows().get(0)[1]);
            assertNull(r.rows().get(0)[2]);
            assertEquals(0L, r.rows().get(0)[3]);
            assertEquals(0L, r.rows().get(0)[4]);
        }
    }
}
