package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * SQLQueryTimeout: a statement that runs past it fails with TT6111 and is undone; its
 * transaction goes on. The three-way joins below read 180 million rows (seconds to a minute):
 * far past every limit set here, and finite, so that a limit that no longer works fails the
 * test instead of hanging the build.
 */
class QueryTimeoutTest {
    private static final Duration HANG = Duration.ofSeconds(60);
    private static Instance inst;

    @BeforeAll
    static void load() {
        inst = TestInstances.with(DatabaseConfig.temporary("QT"));
        try (Connection c = admin("")) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("CREATE TABLE t2 (id INTEGER PRIMARY KEY, v INTEGER)");
            c.setAutocommit(false);
            for (int i = 0; i < 3000; i++) c.execute("INSERT INTO t VALUES (?, 0)", i);
            c.commit();
        }
    }

    @AfterAll
    static void close() { inst.close(); }

    private static Connection admin(String attributes) {
        return inst.connect("DSN=QT;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + attributes);
    }

    private static int timedOut(Connection c, String sql) {
        return assertTimeoutPreemptively(HANG, () -> assertThrows(HourglassException.class, () -> c.execute(sql)).number());
    }

    /**
     * A recursive WITH query stops at the timeout too, within a round: each of its 30 rounds
     * reads 9 million pairs of rows to learn that none has a negative sum.
     */
    @Test
    void aLongRecursionStopsAtTheTimeout() {
        try (Connection c = admin(";SQLQueryTimeoutMSec=200")) {
            assertEquals(6111, timedOut(c, "WITH RECURSIVE r (n) AS (SELECT 0 FROM dual UNION ALL SELECT r.n + 1 FROM r WHERE r.n < 30"
                    + " AND NOT EXISTS (SELECT 1 FROM t a, t b WHERE a.v + b.v + r.n < 0)) SELECT COUNT(*) FROM r"));
            assertEquals(List.of("3000"), TestInstances.rows(c, "SELECT COUNT(*) FROM t"), "the connection goes on");
        }
    }

    /**
     * A regular expression that backtracks at length on one row stops at the timeout too (a
     * backreference keeps Java's engine from memoizing the nested loop: some 20 s for these 31
     * characters, doubling with each more, so that a match that no longer ticks fails the test
     * instead of hanging the build).
     */
    @Test
    void aRunawayRegularExpressionStopsAtTheTimeout() {
        try (Connection c = admin(";SQLQueryTimeoutMSec=200")) {
            assertEquals(6111, timedOut(c, "SELECT COUNT(*) FROM dual WHERE REGEXP_LIKE(RPAD('a', 30, 'a') || 'b', '^(a+)+\\1$')"));
            assertEquals(6111, timedOut(c, "SELECT REGEXP_REPLACE(RPAD('a', 30, 'a') || 'b', '^(a+)+\\1$', 'x') FROM dual"));
            assertEquals(1L, c.execute("SELECT COUNT(*) FROM dual WHERE REGEXP_LIKE(RPAD('a', 40, 'a'), '^(a+)+$')").rows().get(0)[0]);
        }
    }

    @Test
    void aQueryPastItsTimeoutFailsWithTT6111() {
        try (Connection c = admin(";SQLQueryTimeoutMSec=200")) {
            assertEquals(6111, timedOut(c, "SELECT COUNT(*) FROM t a, t b, t c WHERE a.id < 20"));
            assertEquals(30000L, c.execute("SELECT COUNT(*) FROM t a, t b WHERE a.id < 10").rows().get(0)[0], "a short one runs");
            assertEquals("200", c.execute("CALL ttConfiguration('SQLQueryTimeoutMSec')").rows().get(0)[1]);
        }
        try (Connection c = admin(";SQLQueryTimeout=1")) {
            assertEquals(6111, timedOut(c, "SELECT COUNT(*) FROM t a, t b, t c WHERE a.id < 20"));
        }
        try (Connection c = admin(";SQLQueryTimeoutMSec=" + Long.MAX_VALUE)) {
            assertEquals(30000L, c.execute("SELECT COUNT(*) FROM t a, t b WHERE a.id < 10").rows().get(0)[0], "no limit in effect");
        }
    }

    @Test
    void aTimedOutStatementIsUndoneAndItsTransactionGoesOn() {
        try (Connection c = admin(";SQLQueryTimeoutMSec=200")) {
            c.setAutocommit(false);
            c.execute("INSERT INTO t2 VALUES (-1, 0)");
            // 9 million pairs to read, none to keep (so TempSize cannot stop it first): the query
            // part of the INSERT runs out of time.
            assertEquals(6111, timedOut(c, "INSERT INTO t2 SELECT a.id * 100000 + b.id, 0 FROM t a, t b WHERE a.v + b.v = 1"));
            c.commit();
            assertEquals(List.of(-1L), c.execute("SELECT id FROM t2").rows().stream().map(r -> ((Number) r[0]).longValue()).toList());
            c.execute("DELETE FROM t2");
            c.commit();
        }
        try (Connection c = admin("")) {
            assertEquals(102_000L, c.execute("INSERT INTO t2 SELECT a.id * 100000 + b.id, 0 FROM t a, t b WHERE a.id < 34").updateCount());
        }
        try (Connection c = admin(";SQLQueryTimeoutMSec=1")) {
            assertEquals(6111, timedOut(c, "UPDATE t2 SET v = 1"));
            assertEquals(6111, timedOut(c, "DELETE FROM t2 WHERE v = 0"));
        }
        try (Connection c = admin("")) {
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM t2 WHERE v <> 0").rows().get(0)[0], "the UPDATE was undone");
            assertEquals(102_000L, c.execute("SELECT COUNT(*) FROM t2").rows().get(0)[0], "the DELETE was undone");
            c.execute("DELETE FROM t2");
        }
    }

    @Test
    void closingAConnectionStopsTheStatementItRuns() throws Exception {
        // A client that goes away mid-query: its connection is closed from another thread.
        Connection c = admin("");
        java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        Thread query = Thread.ofVirtual().start(() -> {
            try {
                running.countDown();
                c.execute("SELECT COUNT(*) FROM t a, t b, t c WHERE a.id < 20");
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        running.await();
        long until = System.nanoTime() + 10_000_000_000L; // until the statement has begun its transaction
        while (!c.inTransaction() && System.nanoTime() < until) Thread.sleep(5);
        Thread.sleep(50);
        assertTimeoutPreemptively(HANG, () -> {
            c.close();
            query.join();
        });
        org.junit.jupiter.api.Assertions.assertNotNull(outcome.get(), "the statement ran to its end: closing did not stop it");
        HourglassException e = (HourglassException) outcome.get();
        assertEquals(90036, e.number(), e.getMessage());
        assertEquals(0, inst.database("QT").connectionCount());
    }

    @Test
    void theDatabaseDefaultAppliesToEveryConnectionAndBadValuesAreRefused() {
        try (Instance limited = TestInstances.with(DatabaseConfig.temporary("QD").withSqlQueryTimeout(100));
             Connection c = limited.connect("QD", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            c.setAutocommit(false);
            for (int i = 0; i < 3000; i++) c.execute("INSERT INTO t VALUES (?)", i);
            c.commit();
            assertEquals(6111, timedOut(c, "SELECT COUNT(*) FROM t a, t b, t c WHERE a.id < 20"));
        }
        for (String bad : List.of(";SQLQueryTimeout=-1", ";SQLQueryTimeoutMSec=soon", ";SQLQueryTimeout=99999999999999999")) {
            assertEquals(90013, assertThrows(HourglassException.class, () -> admin(bad)).number(), bad);
        }
    }
}
