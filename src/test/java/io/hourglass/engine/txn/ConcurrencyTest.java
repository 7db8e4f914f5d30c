package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Isolation and locking: the anomalies a user would notice, provoked on purpose. */
class ConcurrencyTest {
    private Instance inst;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        inst = TestInstances.one("CC");
        try (Connection c = admin()) {
            c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)");
            for (int i = 1; i <= 10; i++) c.execute("INSERT INTO acct VALUES (?, 100)", i);
        }
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        inst.close();
    }

    private Connection admin() { return inst.connect("CC", "admin", TestInstances.ADMIN_PASSWORD); }

    private Connection admin(String attrs) {
        return inst.connect("DSN=CC;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + ";" + attrs);
    }

    /** Runs {@code sql} on {@code c}: {@code done} if it succeeds, else the engine's error (never thrown). */
    private static Object outcome(Connection c, String sql, String done) {
        try {
            c.execute(sql);
            return done;
        } catch (HourglassException e) {
            return e;
        }
    }

    private static long bal(Connection c, int id) {
        return (Long) c.execute("SELECT bal FROM acct WHERE id = ?", id).rows().get(0)[0];
    }

    @Test
    void readersSeeNoUncommittedChangeAndDoNotWait() throws Exception {
        try (Connection writer = admin(); Connection reader = admin("LockWait=0")) {
            writer.setAutocommit(false);
            writer.execute("UPDATE acct SET bal = 999 WHERE id = 1");
            writer.execute("INSERT INTO acct VALUES (11, 5)");
            // LockWait=0: a reader that needed the writer's lock would fail at once.
            assertEquals(100L, bal(reader, 1));
            assertEquals(0, reader.execute("SELECT * FROM acct WHERE id = 11").rows().size());
            assertEquals(1000L, reader.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            assertEquals(999L, bal(writer, 1), "a transaction sees its own change");
            writer.commit().toCompletableFuture().get();
            assertEquals(999L, bal(reader, 1));
            assertEquals(1, reader.execute("SELECT * FROM acct WHERE id = 11").rows().size());
        }
    }

    @Test
    void rollbackUndoesEverything() {
        try (Connection c = admin()) {
            c.setAutocommit(false);
            c.execute("UPDATE acct SET bal = 0");
            c.execute("DELETE FROM acct WHERE id > 5");
            c.execute("INSERT INTO acct VALUES (42, 42)");
            c.rollback();
            assertEquals(10L, c.execute("SELECT COUNT(*) FROM acct").rows().get(0)[0]);
            assertEquals(1000L, c.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            assertEquals(0, c.execute("SELECT * FROM acct WHERE id = 42").rows().size());
        }
    }

    @Test
    void concurrentIncrementsLoseNoUpdate() throws Exception {
        int threads = 8, each = 300;
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                try (Connection c = admin()) {
                    for (int i = 0; i < each; i++) c.execute("UPDATE acct SET bal = bal + 1 WHERE id = 1");
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        try (Connection c = admin()) {
            assertEquals(100L + threads * each, bal(c, 1));
        }
    }

    @Test
    void transfersNeverShowAPartialTransaction() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong transfers = new AtomicLong();
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int seed = w;
            writers.add(pool.submit(() -> {
                java.util.Random r = new java.util.Random(seed);
                try (Connection c = admin()) {
                    c.setAutocommit(false);
                    while (!stop.get()) {
                        int a = 1 + r.nextInt(10), b = 1 + r.nextInt(10);
                        if (a == b) continue;
                        try {
                            // Lock in id order so the workload itself cannot deadlock.
                            int lo = Math.min(a, b), hi = Math.max(a, b);
                            c.execute("UPDATE acct SET bal = bal - 1 WHERE id = ?", lo);
                            c.execute("UPDATE acct SET bal = bal + 1 WHERE id = ?", hi);
                            c.commit();
                            transfers.incrementAndGet();
                        } catch (HourglassException e) {
                            c.rollback();
                        }
                    }
                }
                return null;
            }));
        }
        int checks = 0;
        try (Connection reader = admin()) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < deadline) {
                assertEquals(1000L, reader.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0],
                        "a statement saw part of a transfer");
                checks++;
            }
        } finally {
            stop.set(true);
            for (Future<?> f : writers) f.get(30, TimeUnit.SECONDS);
        }
        assertTrue(transfers.get() > 10, "the writers made progress: " + transfers.get());
        assertTrue(checks > 10);
    }

    @Test
    void lockWaitLongerThanLockWaitFailsWithTT6003AndKeepsTheTransaction() {
        try (Connection a = admin(); Connection b = admin("LockWait=0.2")) {
            a.setAutocommit(false);
            b.setAutocommit(false);
            a.execute("UPDATE acct SET bal = 1 WHERE id = 1");
            b.execute("UPDATE acct SET bal = 2 WHERE id = 2");
            long t0 = System.nanoTime();
            HourglassException e = assertThrows(HourglassException.class, () -> b.execute("UPDATE acct SET bal = 3 WHERE id = 1"));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(6003, e.number());
            assertTrue(waitedMs >= 150, "gave up after " + waitedMs + " ms, LockWait was 200 ms");
            assertTrue(b.inTransaction(), "a lock timeout fails the statement, not the transaction");
            a.commit();
            b.execute("UPDATE acct SET bal = 3 WHERE id = 1");
            b.commit();
        }
        try (Connection c = admin()) {
            assertEquals(3L, bal(c, 1));
            assertEquals(2L, bal(c, 2));
        }
    }

    @Test
    void deadlockIsDetectedAndOneVictimRolledBack() throws Exception {
        try (Connection a = admin("LockWait=30"); Connection b = admin("LockWait=30")) {
            a.setAutocommit(false);
            b.setAutocommit(false);
            a.execute("UPDATE acct SET bal = bal + 10 WHERE id = 1");
            b.execute("UPDATE acct SET bal = bal + 20 WHERE id = 2");
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Object> aWaits = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    a.execute("UPDATE acct SET bal = bal + 10 WHERE id = 2");
                    a.commit();
                    return "committed";
                } catch (HourglassException e) {
                    return e;
                }
            }, pool);
            started.await();
            Thread.sleep(100); // let a block on row 2
            long t0 = System.nanoTime();
            Object bOutcome;
            try {
                b.execute("UPDATE acct SET bal = bal + 20 WHERE id = 1");
                b.commit();
                bOutcome = "committed";
            } catch (HourglassException e) {
                bOutcome = e;
            }
            Object aOutcome = aWaits.get(30, TimeUnit.SECONDS);
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10, "detected, not timed out");
            int victims = 0;
            for (Object o : List.of(aOutcome, bOutcome)) {
                if (o instanceof HourglassException e) {
                    assertEquals(6002, e.number());
                    victims++;
                }
            }
            assertEquals(1, victims, "exactly one victim: " + aOutcome + " / " + bOutcome);
            assertFalse(a.inTransaction() && b.inTransaction());
        }
        try (Connection c = admin()) {
            long b1 = bal(c, 1), b2 = bal(c, 2);
            // The survivor applied both of its updates; the victim none.
            assertTrue((b1 == 110 && b2 == 110) || (b1 == 120 && b2 == 120), b1 + "/" + b2);
        }
    }

    @Test
    void serializableReaderBlocksWritersUntilItEnds() {
        try (Connection s = admin("Isolation=SERIALIZABLE"); Connection w = admin("LockWait=0.2")) {
            s.setAutocommit(false);
            assertEquals(1000L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            HourglassException e = assertThrows(HourglassException.class, () -> w.execute("INSERT INTO acct VALUES (50, 1)"));
            assertEquals(6003, e.number());
            assertThrows(HourglassException.class, () -> w.execute("UPDATE acct SET bal = 0 WHERE id = 3"));
            assertEquals(1000L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0], "repeatable, no phantom");
            s.commit();
            w.execute("INSERT INTO acct VALUES (50, 1)");
        }
    }

    /** ttXactAdmin: each open transaction's locks, and who waits for whom. */
    @Test
    void ttXactAdminShowsLocksAndWhoBlocksWhom() throws Exception {
        try (Connection a = admin(); Connection b = admin("LockWait=10"); Connection dba = admin()) {
            String rowId = (String) dba.execute("SELECT ROWIDTOCHAR(ROWID) FROM acct WHERE id = 1").rows().get(0)[0];
            a.setAutocommit(false);
            a.execute("UPDATE acct SET bal = bal - 1 WHERE id IN (1, 2)");
            b.setAutocommit(false);
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> b.execute("UPDATE acct SET bal = bal + 1 WHERE id = 1"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (xact(dba).stream().noneMatch(r -> r.startsWith(b.id() + "|") && !r.endsWith("|null|null"))) { // b waits
                assertTrue(System.nanoTime() < deadline, "b never waited: " + xact(dba));
                Thread.sleep(10);
            }
            assertEquals(List.of(a.id() + "|ADMIN|READ_COMMITTED|2|ADMIN.ACCT IX|null|null",
                    b.id() + "|ADMIN|READ_COMMITTED|0|ADMIN.ACCT IX|X on row " + rowId + " of ADMIN.ACCT|" + a.id()), xact(dba),
                    "a holds two rows; b waits for one of them, behind a");
            a.commit();
            waiting.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(b.id() + "|ADMIN|READ_COMMITTED|1|ADMIN.ACCT IX|null|null"), xact(dba), "a ended; b holds its row");
            b.rollback();
            assertEquals(List.of(), xact(dba));
            dba.execute("CREATE USER app IDENTIFIED BY apppw");
            try (Connection app = inst.connect("CC", "app", "apppw")) {
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttXactAdmin()")).number());
            }
        }
    }

    /** A transaction that holds a lock and waits to strengthen it is not among those it waits behind. */
    @Test
    void ttXactAdminLeavesAnUpgradingWaiterOutOfItsOwnBlockers() throws Exception {
        try (Connection a = admin("Isolation=SERIALIZABLE;LockWait=10"); Connection b = admin("Isolation=SERIALIZABLE;LockWait=10");
             Connection dba = admin()) {
            a.setAutocommit(false);
            b.setAutocommit(false);
            for (boolean firstUpgrades : new boolean[] {true, false}) { // the table's first holder upgrades, then a later one
                Connection up = firstUpgrades ? a : b, other = firstUpgrades ? b : a;
                a.execute("SELECT SUM(bal) FROM acct"); // S on the table
                b.execute("SELECT SUM(bal) FROM acct"); // S too
                CompletableFuture<Void> upgrading = CompletableFuture.runAsync(() -> up.execute("UPDATE acct SET bal = 0 WHERE id = 1"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (xact(dba).stream().noneMatch(r -> r.startsWith(up.id() + "|") && !r.endsWith("|null|null"))) {
                    assertTrue(System.nanoTime() < deadline, "never waited: " + xact(dba));
                    Thread.sleep(10);
                }
                String waiting = xact(dba).stream().filter(r -> r.startsWith(up.id() + "|")).findFirst().orElseThrow();
                assertTrue(waiting.endsWith(" on table ADMIN.ACCT|" + other.id()), "behind the other alone: " + waiting);
                other.commit();
                upgrading.get(10, TimeUnit.SECONDS);
                up.rollback();
            }
        }
    }

    /** ttXactAdmin's rows without the transaction ids: connection|user|isolation|row locks|table locks|waiting for|blocked by. */
    private static List<String> xact(Connection c) {
        List<String> out = new ArrayList<>();
        for (Object[] r : c.execute("CALL ttXactAdmin()").rows()) {
            out.add(r[0] + "|" + r[1] + "|" + r[3] + "|" + r[4] + "|" + r[5] + "|" + r[6] + "|" + r[7]);
        }
        return out;
    }

    /** ALTER SESSION SET ISOLATION_LEVEL, as in TimesTen: the open transaction keeps its isolation, the next one has the new. */
    @Test
    void alterSessionChangesTheIsolationFromTheNextTransaction() {
        try (Connection s = admin(); Connection w = admin("LockWait=0.2")) {
            s.setAutocommit(false);
            assertEquals(1000L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            s.execute("ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE");
            assertEquals(1000L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            w.execute("UPDATE acct SET bal = bal + 1 WHERE id = 3"); // s's transaction is still READ COMMITTED: no lock on acct
            s.commit();
            assertEquals(1001L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]); // a SERIALIZABLE transaction now
            assertEquals(6003, assertThrows(HourglassException.class, () -> w.execute("UPDATE acct SET bal = bal - 1 WHERE id = 3")).number());
            s.execute("ALTER SESSION SET ISOLATION_LEVEL = READ COMMITTED");
            s.commit();
            w.execute("UPDATE acct SET bal = bal - 1 WHERE id = 3");
            assertEquals(1000L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            w.execute("UPDATE acct SET bal = bal + 1 WHERE id = 3"); // READ COMMITTED again: s holds no lock on acct
            s.commit();
        }
    }

    /** A SERIALIZABLE reader locks the tables its subqueries, derived tables and UNIONs read, as those it names in FROM. */
    @Test
    void serializableReaderLocksWhatItsSubqueriesRead() {
        try (Connection s = admin("Isolation=SERIALIZABLE"); Connection w = admin("LockWait=0.2")) {
            w.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, acct INTEGER)");
            w.execute("INSERT INTO audit VALUES (1, 3)");
            s.setAutocommit(false);
            assertEquals(1L, s.execute("SELECT COUNT(*) FROM acct WHERE id IN (SELECT acct FROM audit)").rows().get(0)[0]);
            HourglassException e = assertThrows(HourglassException.class, () -> w.execute("INSERT INTO audit VALUES (2, 4)"));
            assertEquals(6003, e.number());
            assertEquals(1L, s.execute("SELECT COUNT(*) FROM acct WHERE id IN (SELECT acct FROM audit)").rows().get(0)[0]);
            // A derived table's and a UNION's tables too.
            w.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)");
            w.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY)");
            assertEquals(0L, s.execute("SELECT COUNT(*) FROM (SELECT id FROM notes) n").rows().get(0)[0]);
            assertEquals(10, s.execute("SELECT id FROM acct UNION SELECT id FROM marks").rows().size());
            assertEquals(6003, assertThrows(HourglassException.class, () -> w.execute("INSERT INTO notes VALUES (1)")).number());
            assertEquals(6003, assertThrows(HourglassException.class, () -> w.execute("INSERT INTO marks VALUES (1)")).number());
            s.commit();
            w.execute("INSERT INTO audit VALUES (2, 4)");
            w.execute("INSERT INTO notes VALUES (1)");
        }
    }

    /**
     * A writer's IX on the table sits in its connection's slot (the fast path); a SERIALIZABLE
     * reader's S must still wait for it, and its own lock, once granted, must send later writers
     * back through the lock table until it ends.
     */
    @Test
    void serializableReaderWaitsForAWriterHoldingItsIntentionOnTheFastPath() {
        try (Connection w = admin(); Connection s = admin("Isolation=SERIALIZABLE;LockWait=0.2");
             Connection w2 = admin("LockWait=0.2")) {
            w.setAutocommit(false);
            w.execute("UPDATE acct SET bal = 0 WHERE id = 1");
            s.setAutocommit(false);
            assertEquals(6003, assertThrows(HourglassException.class, () -> s.execute("SELECT SUM(bal) FROM acct")).number());
            w.commit();
            assertEquals(900L, s.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
            assertEquals(6003, assertThrows(HourglassException.class, () -> w2.execute("UPDATE acct SET bal = 1 WHERE id = 2")).number());
            s.commit();
            w2.execute("UPDATE acct SET bal = 1 WHERE id = 2"); // fast again
            assertEquals(1L, bal(w2, 2));
        }
    }

    /**
     * A cycle through an intention that was on the fast path: the strong request moved it into
     * the lock table, so the deadlock search sees it and answers at once with TT6002.
     */
    @Test
    void deadlockThroughAMovedIntentionIsDetected() throws Exception {
        try (Connection c = admin()) {
            c.execute("CREATE TABLE other (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("INSERT INTO other VALUES (1, 0)");
        }
        try (Connection a = admin("LockWait=30"); Connection s = admin("Isolation=SERIALIZABLE;LockWait=30")) {
            a.setAutocommit(false);
            s.setAutocommit(false);
            a.execute("UPDATE acct SET bal = 0 WHERE id = 1");  // a: IX on acct, fast path
            s.execute("UPDATE other SET v = 1 WHERE id = 1");   // s: SIX on other
            Future<Object> aWaits = pool.submit(() -> outcome(a, "UPDATE other SET v = 2 WHERE id = 1", "updated")); // a waits for s
            Thread.sleep(150);
            assertFalse(aWaits.isDone(), "a waits for s's SIX on other");
            long t0 = System.nanoTime();
            Object sOutcome = outcome(s, "SELECT SUM(bal) FROM acct", "read"); // s needs S on acct: waits for a's IX
            if (sOutcome instanceof HourglassException e) {
                assertEquals(6002, e.number());
                s.rollback();
                assertEquals("updated", aWaits.get(10, TimeUnit.SECONDS));
                a.commit();
            } else {
                Object aOutcome = aWaits.get(10, TimeUnit.SECONDS);
                assertTrue(aOutcome instanceof HourglassException he && he.number() == 6002, String.valueOf(aOutcome));
                a.rollback();
                s.commit();
            }
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10, "detected, not timed out");
        }
    }

    @Test
    void serializableWriterHoldsOffOtherWritersButNotReadCommittedReaders() {
        try (Connection s = admin("Isolation=SERIALIZABLE"); Connection r = admin("LockWait=0")) {
            s.setAutocommit(false);
            s.execute("UPDATE acct SET bal = bal - 50 WHERE id = 1");
            assertEquals(100L, bal(r, 1));
            s.commit();
            assertEquals(50L, bal(r, 1));
        }
    }

    @Test
    void concurrentInsertOfTheSameKeyWaitsThenFailsOrSucceeds() throws Exception {
        try (Connection a = admin(); Connection b = admin("LockWait=10")) {
            a.setAutocommit(false);
            a.execute("INSERT INTO acct VALUES (77, 1)");
            Future<Object> bInsert = pool.submit(() -> {
                try {
                    b.execute("INSERT INTO acct VALUES (77, 2)");
                    return "inserted";
                } catch (HourglassException e) {
                    return e;
                }
            });
            Thread.sleep(150);
            assertFalse(bInsert.isDone(), "the second insert waits for the first transaction");
            a.commit();
            Object outcome = bInsert.get(10, TimeUnit.SECONDS);
            assertTrue(outcome instanceof HourglassException he && he.number() == 907, String.valueOf(outcome));

            a.execute("INSERT INTO acct VALUES (78, 1)");
            Future<Object> again = pool.submit(() -> {
                b.execute("INSERT INTO acct VALUES (78, 2)");
                return "inserted";
            });
            Thread.sleep(150);
            a.rollback();
            assertEquals("inserted", again.get(10, TimeUnit.SECONDS));
        }
        try (Connection c = admin()) {
            assertEquals(1L, bal(c, 77));
            assertEquals(2L, bal(c, 78));
        }
    }

    /**
     * An insert's row lock is implicit (its uncommitted version) until someone waits for it; the
     * waits-for graph must still see it, so a cycle through two inserts is a deadlock found at
     * once, not a LockWait timeout, and the survivor's rows are all there.
     */
    @Test
    void deadlockThroughInsertedKeysIsDetected() throws Exception {
        try (Connection a = admin("LockWait=30"); Connection b = admin("LockWait=30")) {
            a.setAutocommit(false);
            b.setAutocommit(false);
            a.execute("INSERT INTO acct VALUES (81, 1)");
            a.execute("UPDATE acct SET bal = 5 WHERE id = 81"); // the owner's own lock on its row, explicit too
            b.execute("INSERT INTO acct VALUES (82, 2)");
            Future<Object> aWaits = pool.submit(() -> outcome(a, "INSERT INTO acct VALUES (82, 1)", "inserted")); // waits for b's insert
            Thread.sleep(150);
            assertFalse(aWaits.isDone(), "a waits for b's uncommitted key");
            long t0 = System.nanoTime();
            Object bOutcome = outcome(b, "INSERT INTO acct VALUES (81, 2)", "inserted"); // waits for a's: a cycle
            Object aOutcome;
            if (bOutcome instanceof HourglassException e) {
                assertEquals(6002, e.number(), String.valueOf(e));
                b.rollback(); // the victim ends, releasing 82
                aOutcome = aWaits.get(10, TimeUnit.SECONDS);
                assertEquals("inserted", aOutcome);
                a.commit();
            } else {
                aOutcome = aWaits.get(10, TimeUnit.SECONDS);
                assertTrue(aOutcome instanceof HourglassException he && he.number() == 6002, String.valueOf(aOutcome));
                a.rollback();
                b.commit();
            }
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10, "detected, not timed out");
        }
        try (Connection c = admin()) {
            List<Object[]> rows = c.execute("SELECT id, bal FROM acct WHERE id > 80 ORDER BY id").rows();
            assertEquals(2, rows.size());
            long b81 = (Long) rows.get(0)[1], b82 = (Long) rows.get(1)[1];
            assertTrue((b81 == 5 && b82 == 1) || (b81 == 2 && b82 == 2), b81 + "/" + b82);
        }
    }

    /**
     * An UPDATE that waited for a row lock applies to the row as the other transaction left it,
     * and skips it if it no longer matches: the row found in the statement's snapshot is reused
     * only when it is still the newest.
     */
    @Test
    void anUpdateThatWaitedForARowSeesItsNewestVersion() throws Exception {
        try (Connection w = admin(); Connection u = admin()) {
            w.setAutocommit(false);
            w.execute("UPDATE acct SET bal = 7 WHERE id = 1");
            w.execute("UPDATE acct SET bal = 0 WHERE id = 2");
            Future<Long> inc = pool.submit(() -> u.execute("UPDATE acct SET bal = bal + 1 WHERE id = 1").updateCount());
            Future<Long> gone = pool.submit(() -> {
                try (Connection v = admin()) {
                    return v.execute("UPDATE acct SET bal = 500 WHERE id = 2 AND bal = 100").updateCount();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (inst.database("CC").transactions().locks().waits() < 2 && System.nanoTime() < deadline) Thread.sleep(1);
            w.commit();
            assertEquals(1L, inc.get(10, TimeUnit.SECONDS));
            assertEquals(0L, gone.get(10, TimeUnit.SECONDS), "no longer matches once locked");
            assertEquals(8L, bal(w, 1), "the increment applies to the committed 7, not the 100 it first saw");
            assertEquals(0L, bal(w, 2));
        }
    }

    /**
     * A row deleted and inserted again with the same key, while an UPDATE and a FOR UPDATE wait
     * for it: the row they found is gone, the new one is not in their snapshots, so they meet no
     * row (PostgreSQL's READ COMMITTED does the same; docs/SQL.md says so), and the new row keeps
     * its values. A retry, a new statement, finds it; the FOR UPDATE, granted first, keeps no lock
     * on the dead row, so the UPDATE queued behind it is not held up until its transaction ends.
     */
    @Test
    void aRowDeletedAndInsertedAgainWhileAWriterWaitsIsNotFoundByIt() throws Exception {
        try (Connection w = admin(); Connection u = admin(); Connection f = admin()) {
            w.setAutocommit(false);
            f.setAutocommit(false);
            w.execute("DELETE FROM acct WHERE id = 3");
            w.execute("INSERT INTO acct VALUES (3, 40)");
            LockManager locks = inst.database("CC").transactions().locks();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // The FOR UPDATE queues first, so it is granted first and must not keep the dead row from the UPDATE.
            Future<Integer> locked = pool.submit(() -> f.execute("SELECT bal FROM acct WHERE id = 3 FOR UPDATE").rows().size());
            while (locks.waits() < 1 && System.nanoTime() < deadline) Thread.sleep(1);
            Future<Long> update = pool.submit(() -> u.execute("UPDATE acct SET bal = bal + 1 WHERE id = 3").updateCount());
            while (locks.waits() < 2 && System.nanoTime() < deadline) Thread.sleep(1);
            w.commit();
            assertEquals(0L, update.get(10, TimeUnit.SECONDS), "the row it waited for was deleted");
            assertEquals(0, locked.get(10, TimeUnit.SECONDS));
            f.rollback();
            assertEquals(40L, bal(w, 3));
            assertEquals(1L, u.execute("UPDATE acct SET bal = bal + 1 WHERE id = 3").updateCount(), "a new statement finds the new row");
            assertEquals(41L, bal(w, 3));
        }
    }

    /**
     * A statement that waited for a row and found it deleted keeps no lock on it, whether the
     * row was deleted or (DELETE, then INSERT of the same key) replaced: another transaction
     * queued behind it for the dead row goes on at once, not at its end (the test above met a
     * TT6003 when the FOR UPDATE was granted first and kept the lock).
     */
    @Test
    void aStatementThatWaitedForARowFoundDeletedKeepsNoLockOnIt() throws Exception {
        try (Connection w = admin(); Connection f = admin(); Connection dba = admin()) {
            w.setAutocommit(false);
            f.setAutocommit(false);
            for (String forUpdate : List.of("SELECT bal FROM acct WHERE id = 3 FOR UPDATE", "UPDATE acct SET bal = 0 WHERE id IN (3, 4)")) {
                w.execute("DELETE FROM acct WHERE id IN (3, 4)");
                w.execute("INSERT INTO acct VALUES (4, 40)");
                long before = inst.database("CC").transactions().locks().waits();
                Future<Integer> found = pool.submit(() -> {
                    var r = f.execute(forUpdate);
                    return r.isQuery() ? r.rows().size() : (int) r.updateCount();
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (inst.database("CC").transactions().locks().waits() == before && System.nanoTime() < deadline) Thread.sleep(1);
                w.commit();
                assertEquals(0, found.get(10, TimeUnit.SECONDS), forUpdate);
                assertEquals(List.of(f.id() + "|ADMIN|READ_COMMITTED|0|ADMIN.ACCT IX|null|null"), xact(dba), forUpdate + ": no row lock left");
                f.rollback();
                w.execute("INSERT INTO acct VALUES (3, 100)");
                w.execute("UPDATE acct SET bal = 100 WHERE id = 4");
                w.commit();
            }
            f.execute("SELECT bal FROM acct WHERE id = 4 FOR UPDATE");
            assertEquals(List.of(f.id() + "|ADMIN|READ_COMMITTED|1|ADMIN.ACCT IX|null|null"), xact(dba), "a row found keeps its lock");
            f.rollback();
        }
    }

    /**
     * A table's count of strong requests lives only while one is held or asked for: neither a
     * granted lock, nor one that timed out, nor dropping the table leaves it behind (it used to
     * stay for every table ever locked by DDL).
     */
    @Test
    void strongLockCountsAreDroppedWithTheirLastRequest() {
        LockManager locks = inst.database("CC").transactions().locks();
        try (Connection w = admin(); Connection s = admin("Isolation=SERIALIZABLE;LockWait=0.2")) {
            w.setAutocommit(false);
            w.execute("UPDATE acct SET bal = 0 WHERE id = 1");
            s.setAutocommit(false);
            assertThrows(HourglassException.class, () -> s.execute("SELECT SUM(bal) FROM acct"));
            assertEquals(0, locks.tablesWithStrongRequests(), "a timed-out request is counted out");
            w.commit();
            s.execute("SELECT SUM(bal) FROM acct");
            assertEquals(1, locks.tablesWithStrongRequests(), "held: counted");
            s.commit();
            assertEquals(0, locks.tablesWithStrongRequests(), "released: gone");
            for (int i = 0; i < 20; i++) {
                w.execute("CREATE TABLE scratch" + i + " (id INTEGER PRIMARY KEY)");
                w.commit();
                w.execute("DROP TABLE scratch" + i);
                w.commit();
            }
            assertEquals(0, locks.tablesWithStrongRequests(), "dropped tables leave no count behind");
            w.execute("UPDATE acct SET bal = 5 WHERE id = 2"); // and the fast path still works after
            w.commit();
            assertEquals(5L, bal(w, 2));
        }
    }

    @Test
    void ddlWaitsForTransactionsUsingTheTable() {
        try (Connection a = admin(); Connection ddl = admin("LockWait=0.2")) {
            a.setAutocommit(false);
            a.execute("UPDATE acct SET bal = 1 WHERE id = 1");
            HourglassException e = assertThrows(HourglassException.class, () -> ddl.execute("DROP TABLE acct"));
            assertEquals(ErrorCode.LOCK_TIMEOUT, e.code());
            a.commit();
            ddl.execute("DROP TABLE acct");
        }
    }

    @Test
    void manyConcurrentWritersOnDistinctRowsAllCommit() throws Exception {
        AtomicInteger errors = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int base = 1000 * (t + 1);
            fs.add(pool.submit(() -> {
                try (Connection c = admin()) {
                    for (int i = 0; i < 200; i++) {
                        try {
                            c.execute("INSERT INTO acct VALUES (?, ?)", base + i, i);
                            c.execute("UPDATE acct SET bal = bal + 1 WHERE id = ?", base + i);
                        } catch (HourglassException e) {
                            errors.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        assertEquals(0, errors.get());
        try (Connection c = admin()) {
            assertEquals(1210L, c.execute("SELECT COUNT(*) FROM acct").rows().get(0)[0]);
            // sum over t of sum(i+1 for i<200) = 6 * 20100, plus the original 1000
            assertEquals(6L * 20100 + 1000, c.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0]);
        }
    }
}
