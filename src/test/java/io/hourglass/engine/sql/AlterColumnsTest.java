package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.txn.TransactionManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ALTER TABLE ADD / DROP COLUMN beside other transactions: it waits for the table's users, the
 * statements that waited for it run on the new table, a query already reading the old table
 * finishes on it, and PermSize ends up holding the new copy only.
 */
class AlterColumnsTest {
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopPool() { pool.shutdownNow(); }

    private static Connection admin(Instance i, String dsn) { return i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql) { return TestInstances.rows(c, sql); }

    /** Waits until the lock manager has counted {@code n} waits (the lock asked for is then queued). */
    private static void awaitWaits(Instance i, String dsn, long n) throws InterruptedException {
        var locks = i.database(dsn).transactions().locks();
        for (int k = 0; k < 2000 && locks.waits() < n; k++) Thread.sleep(5);
        assertTrue(locks.waits() >= n, "a transaction waits for a lock");
    }

    /**
     * The ALTER of a child table holds it exclusively while it waits for a writer of its parent
     * (a table a foreign key links it with); an INSERT into the child planned meanwhile waits
     * behind it, and once the ALTER is done runs again on the new table.
     */
    @Test
    void theAlterWaitsForTheUsersOfLinkedTablesAndAStatementThatWaitedForItRunsOnTheNewTable() throws Exception {
        try (Instance i = TestInstances.one("ALT1"); Connection a = admin(i, "ALT1"); Connection b = admin(i, "ALT1");
             Connection c = admin(i, "ALT1")) {
            a.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, v INTEGER)");
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p)");
            a.execute("INSERT INTO p VALUES (1, 0), (2, 0)");
            a.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
            a.setAutocommit(false);
            a.execute("UPDATE p SET v = 1 WHERE id = 2"); // a writer of the parent, which the ALTER waits for
            CompletableFuture<Void> alter = CompletableFuture.runAsync(() -> b.execute("ALTER TABLE t ADD w INTEGER DEFAULT 7"), pool);
            awaitWaits(i, "ALT1", 1);
            CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> c.execute("INSERT INTO t (id, pid) VALUES (3, 1)"), pool);
            awaitWaits(i, "ALT1", 2);
            assertFalse(alter.isDone());
            assertFalse(insert.isDone());
            a.commit().toCompletableFuture().join();
            alter.get(10, TimeUnit.SECONDS);
            insert.get(10, TimeUnit.SECONDS); // planned again on the new table, not TT90046
            a.setAutocommit(true);
            assertEquals(List.of("1|1|7", "2|2|7", "3|1|7"), rows(a, "SELECT id, pid, w FROM t ORDER BY id"));
            // the foreign key was linked again, both ways
            assertEquals(3001, assertThrows(HourglassException.class, () -> a.execute("INSERT INTO t (id, pid) VALUES (4, 9)")).number());
            assertEquals(3001, assertThrows(HourglassException.class, () -> a.execute("DELETE FROM p WHERE id = 1")).number());
        }
    }

    @Test
    void aQueryAlreadyReadingTheOldTableFinishesOnItWhileTheAlterGoesOn() throws Exception {
        try (Instance i = TestInstances.one("ALT2"); Connection a = admin(i, "ALT2"); Connection b = admin(i, "ALT2")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, gone VARCHAR2(10))");
            a.setAutocommit(false);
            for (int k = 0; k < 1000; k++) a.execute("INSERT INTO t VALUES (?, ?, 'x')", k, k);
            a.commit().toCompletableFuture().join();
            a.setAutocommit(true);
            CountDownLatch reading = new CountDownLatch(1), altered = new CountDownLatch(1);
            List<Object[]> seen = new ArrayList<>();
            List<String> columns = new ArrayList<>();
            CompletableFuture<Void> query = CompletableFuture.runAsync(() -> a.execute(a.prepare("SELECT * FROM t"), new ResultSink() {
                @Override
                public void columns(List<ResultColumn> cols) { cols.forEach(x -> columns.add(x.name())); }

                @Override
                public void row(Object[] row) {
                    seen.add(row);
                    if (seen.size() == 1) {
                        reading.countDown();
                        try {
                            assertTrue(altered.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }), pool);
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            // READ COMMITTED readers take no table lock: the ALTER does not wait for the query
            b.execute("ALTER TABLE t DROP COLUMN gone");
            b.execute("UPDATE t SET v = -1");
            altered.countDown();
            query.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("ID", "V", "GONE"), columns);
            assertEquals(1000, seen.size());
            long sum = 0;
            for (Object[] r : seen) {
                assertEquals(3, r.length);
                assertEquals("x", r[2]);
                sum += (Long) r[1];
            }
            assertEquals(999L * 1000 / 2, sum, "the query read its snapshot of the old table, not the later update");
            assertEquals(List.of("1000|-1000"), rows(b, "SELECT COUNT(*), SUM(v) FROM t"));
            assertEquals(2211, assertThrows(HourglassException.class, () -> b.execute("SELECT gone FROM t")).number());
        }
    }

    @Test
    void afterTheAlterOrTruncatePermSizeHoldsTheNewCopyOnly() {
        try (Instance i = TestInstances.one("ALT3"); Connection a = admin(i, "ALT3")) {
            TransactionManager tm = i.database("ALT3").transactions();
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, s VARCHAR2(100))");
            a.execute("CREATE INDEX t_s ON t (s)");
            a.setAutocommit(false);
            for (int k = 0; k < 2000; k++) a.execute("INSERT INTO t VALUES (?, ?)", k, "a value of some length " + k);
            a.commit().toCompletableFuture().join();
            a.setAutocommit(true);
            a.execute("UPDATE t SET s = 'changed ' || s WHERE id < 500"); // versions and stale entries for the collector
            tm.collectGarbage();
            long base = tm.memory().used() - tm.held(i.database("ALT3").catalog().table("ADMIN", "T"));
            a.execute("ALTER TABLE t ADD (n NUMBER DEFAULT 12345.678, note VARCHAR2(20) DEFAULT 'note')");
            tm.collectGarbage();
            long expected = base + tm.held(i.database("ALT3").catalog().table("ADMIN", "T"));
            assertEquals(expected, tm.memory().used());
            a.execute("ALTER TABLE t DROP COLUMN s");
            tm.collectGarbage();
            assertEquals(base + tm.held(i.database("ALT3").catalog().table("ADMIN", "T")), tm.memory().used());
            a.execute("INSERT INTO t (id) VALUES (-1)");
            a.execute("TRUNCATE TABLE t");
            tm.collectGarbage();
            assertEquals(base, tm.memory().used(), "an empty table holds nothing");
            assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM t"));
            a.execute("INSERT INTO t (id) VALUES (1)");
            a.execute("DROP TABLE t");
            tm.collectGarbage();
            assertEquals(base, tm.memory().used());
        }
    }

    @Test
    void anAlterThatDoesNotFitInPermSizeChangesNothing() {
        try (Instance i = TestInstances.with(io.hourglass.engine.lifecycle.DatabaseConfig.temporary("ALT4").withPermSize(32));
             Connection a = admin(i, "ALT4")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, s VARCHAR2(4000))");
            a.setAutocommit(false);
            String big = "y".repeat(3000);
            int n = 0;
            try {
                while (true) {
                    a.execute("INSERT INTO t VALUES (?, ?)", n, big);
                    n++;
                }
            } catch (HourglassException full) {
                assertEquals(802, full.number());
            }
            a.commit().toCompletableFuture().join();
            a.setAutocommit(true);
            assertTrue(n > 1000, n + " rows");
            HourglassException e = assertThrows(HourglassException.class, () -> a.execute("ALTER TABLE t ADD c INTEGER DEFAULT 1"));
            assertEquals(802, e.number());
            assertEquals(802, assertThrows(HourglassException.class, () -> a.execute("ALTER TABLE t MODIFY s CHAR(3000)")).number(),
                    "a CHAR holds its values padded: the table is written anew, which needs room for both copies");
            // A definition every row meets as it is changes in place: no second copy, so it fits.
            a.execute("ALTER TABLE t MODIFY s VARCHAR2(8000) DEFAULT 'd'");
            a.execute("ALTER TABLE t MODIFY s NOT NULL");
            assertEquals(List.of("S|VARCHAR2|8000|N|'d'"), rows(a, "SELECT column_name, data_type, data_length, nullable, data_default"
                    + " FROM all_tab_columns WHERE table_name = 'T' AND column_name = 'S'"));
            assertEquals(90001, assertThrows(HourglassException.class, () -> a.execute("UPDATE t SET s = NULL WHERE id = 0")).number());
            assertEquals(List.of(n + "|ID|S"), List.of(rows(a, "SELECT COUNT(*) FROM t").getFirst() + "|"
                    + String.join("|", rows(a, "SELECT column_name FROM all_tab_columns WHERE table_name = 'T' ORDER BY column_id"))));
            a.execute("DELETE FROM t WHERE id >= " + n / 3);
            a.execute("ALTER TABLE t ADD c INTEGER DEFAULT 1"); // fits once space is freed
            assertEquals(List.of((n / 3) + "|" + (n / 3)), rows(a, "SELECT COUNT(*), SUM(c) FROM t"));
            a.execute("INSERT INTO t (id, s) VALUES (-1, ?)", "z".repeat(6000)); // the longer VARCHAR2 stayed through the rewrite
            a.execute("INSERT INTO t (id) VALUES (-2)");
            assertEquals(List.of("1", "6000"), rows(a, "SELECT LENGTH(s) FROM t WHERE id < 0 ORDER BY id"));
        }
    }

    /**
     * Writers keep the table busy, their transactions overlapping, so that some writer always
     * holds it: the ALTER, queued for its exclusive lock, is served before writers that came
     * after it, instead of waiting out its LockWait (TT6003) while they pass it.
     */
    @Test
    void anAlterUnderASteadyWriteLoadGetsItsTurn() throws Exception {
        try (Instance i = TestInstances.one("ALT5"); Connection a = admin(i, "ALT5")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
            for (int k = 0; k < 16; k++) a.execute("INSERT INTO t VALUES (?, 0)", k);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int id = w;
                writers.add(CompletableFuture.runAsync(() -> {
                    try (Connection c = admin(i, "ALT5")) {
                        c.setAutocommit(false);
                        while (!stop.get()) {
                            c.execute("UPDATE t SET v = v + 1 WHERE id = ?", id);
                            Thread.sleep(3); // each holds the table a while; together they always do
                            c.execute("UPDATE t SET v = v + 1 WHERE id = ?", id + 8);
                            c.commit().toCompletableFuture().join();
                            commits.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, pool));
            }
            while (commits.get() < 20) Thread.sleep(1);
            try {
                a.execute("ALTER TABLE t ADD w INTEGER DEFAULT 1");
                a.execute("CREATE INDEX t_v ON t (v)");
            } finally {
                stop.set(true);
            }
            for (CompletableFuture<Void> f : writers) f.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("16"), rows(a, "SELECT SUM(w) FROM t"));
            assertEquals(List.of(String.valueOf(2 * commits.get())), rows(a, "SELECT SUM(v) FROM t"));
        }
    }
}
