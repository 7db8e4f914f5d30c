package io.hourglass.engine.sql;

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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Foreign keys between transactions: a child and the delete of its parent, in either order,
 * wait for each other and never both commit; many writers at once leave no child without its
 * parent. (The statement-level rules are in 13_foreign_keys.test.)
 */
class ForeignKeyTest {
    private Instance inst;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        inst = TestInstances.one("FK");
        try (Connection c = admin()) {
            c.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("CREATE TABLE ch (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p)");
            c.execute("INSERT INTO p VALUES (1, 0), (2, 0)");
        }
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        inst.close();
    }

    private Connection admin() { return inst.connect("FK", "admin", TestInstances.ADMIN_PASSWORD); }

    private long waits() { return inst.database("FK").transactions().locks().waits(); }

    /** Waits until the lock manager has counted {@code n} waits (someone is blocked). */
    private void awaitWaits(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waits() < n && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(waits() >= n, "a transaction is waiting");
    }

    private static int error(Future<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            return ((HourglassException) e.getCause()).number();
        }
    }

    /**
     * One transaction runs {@code held} and stays open; another then runs {@code waiting}, which
     * must wait for it; the first commits ({@code commit}) or rolls back. Returns the outcome of
     * {@code waiting}: 0, or its error number.
     */
    private int afterWaiting(String held, String waiting, boolean commit) throws Exception {
        try (Connection holder = admin(); Connection other = admin()) {
            holder.setAutocommit(false);
            holder.execute(held);
            long before = waits();
            Future<?> f = pool.submit(() -> other.execute(waiting));
            awaitWaits(before + 1);
            assertFalse(f.isDone(), waiting + " waits for " + held);
            if (commit) holder.commit().toCompletableFuture().get();
            else holder.rollback();
            return error(f);
        }
    }

    @Test
    void aParentDeleteWaitsForAnUncommittedChildAndFailsOnceItCommits() throws Exception {
        assertEquals(3001, afterWaiting("INSERT INTO ch VALUES (10, 1)", "DELETE FROM p WHERE id = 1", true));
        try (Connection c = admin()) {
            assertEquals(1L, c.execute("SELECT COUNT(*) FROM p WHERE id = 1").rows().get(0)[0]);
        }
    }

    @Test
    void aParentDeleteWaitsForAnUncommittedChildAndSucceedsIfItRollsBack() throws Exception {
        assertEquals(0, afterWaiting("INSERT INTO ch VALUES (10, 1)", "DELETE FROM p WHERE id = 1", false));
    }

    @Test
    void aChildWaitsForAnUncommittedParentDeleteAndFailsOnceItCommits() throws Exception {
        assertEquals(3001, afterWaiting("DELETE FROM p WHERE id = 1", "INSERT INTO ch VALUES (10, 1)", true));
    }

    @Test
    void aChildWaitsForAnUncommittedParentDeleteAndSucceedsIfItRollsBack() throws Exception {
        assertEquals(0, afterWaiting("DELETE FROM p WHERE id = 1", "INSERT INTO ch VALUES (10, 1)", false));
    }

    @Test
    void aChildWaitsForAnUncommittedParentInsertAndFindsItOnceItCommits() throws Exception {
        assertEquals(0, afterWaiting("INSERT INTO p VALUES (3, 0)", "INSERT INTO ch VALUES (10, 3)", true));
    }

    @Test
    void aChildWaitsForAParentKeyChangeAndFailsOnceItCommits() throws Exception {
        assertEquals(3001, afterWaiting("UPDATE p SET id = 5 WHERE id = 1", "INSERT INTO ch VALUES (10, 1)", true));
    }

    /** A child another transaction is deleting is waited for: once that commits, the parent may go. */
    @Test
    void aParentDeleteWaitsForAChildBeingDeletedAndSucceedsOnceThatCommits() throws Exception {
        try (Connection c = admin()) {
            c.execute("INSERT INTO ch VALUES (10, 1)");
        }
        assertEquals(0, afterWaiting("DELETE FROM ch WHERE id = 10", "DELETE FROM p WHERE id = 1", true));
    }

    /**
     * A cascading delete that waited for its child table while the table was being dropped
     * finds the constraint gone and deletes the parent alone.
     */
    @Test
    void aCascadeThatWaitedForItsChildTableToBeDroppedDeletesTheParentAlone() throws Exception {
        try (Connection c = admin()) {
            c.execute("CREATE TABLE kid (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p ON DELETE CASCADE)");
            c.execute("INSERT INTO kid VALUES (1, 2)");
        }
        try (Connection user = admin(); Connection dropper = admin(); Connection deleter = admin()) {
            user.setAutocommit(false);
            user.execute("INSERT INTO kid VALUES (2, 2)"); // holds the table until it ends
            long before = waits();
            Future<?> drop = pool.submit(() -> dropper.execute("DROP TABLE kid"));
            awaitWaits(before + 1);
            Future<?> del = pool.submit(() -> deleter.execute("DELETE FROM p WHERE id = 2"));
            awaitWaits(before + 2); // behind the DROP's request
            user.commit().toCompletableFuture().get();
            assertEquals(0, error(drop));
            assertEquals(0, error(del));
        }
        try (Connection c = admin()) {
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM p WHERE id = 2").rows().get(0)[0]);
        }
    }

    /** A parent row locked by a child keeps its key, but readers never wait for it. */
    @Test
    void aReferencedParentIsReadWithoutWaiting() {
        try (Connection child = admin(); Connection reader = inst.connect("DSN=FK;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + ";LockWait=0")) {
            child.setAutocommit(false);
            child.execute("INSERT INTO ch VALUES (10, 1)");
            assertEquals(2L, reader.execute("SELECT COUNT(*) FROM p").rows().get(0)[0]);
            HourglassException e = assertThrows(HourglassException.class, () -> reader.execute("DELETE FROM p WHERE id = 1"));
            assertEquals(ErrorCode.LOCK_TIMEOUT.number(), e.number());
            reader.execute("DELETE FROM p WHERE id = 2"); // not referenced
            child.rollback();
        }
    }

    /**
     * Writers inserting children, deleting parents (some cascading), re-creating parents and
     * moving children, all at once, with retries on deadlock and lock timeouts: at the end every
     * child has its parent, and what each committed is there.
     */
    @Test
    void manyWritersLeaveNoChildWithoutItsParent() throws Exception {
        try (Connection c = admin()) {
            c.execute("CREATE TABLE q (id INTEGER PRIMARY KEY)");
            c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, qid INTEGER REFERENCES q ON DELETE CASCADE, pid INTEGER REFERENCES p)");
            for (int i = 1; i <= 20; i++) c.execute("INSERT INTO q VALUES (?)", i);
            for (int i = 3; i <= 20; i++) c.execute("INSERT INTO p VALUES (?, 0)", i);
        }
        AtomicLong ids = new AtomicLong(1000), violations = new AtomicLong(), commits = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int seed = w;
            fs.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                try (Connection c = inst.connect("DSN=FK;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + ";LockWait=0.5")) {
                    c.setAutocommit(false);
                    while (System.nanoTime() < end) {
                        try {
                            for (int k = 0; k < 3; k++) {
                                int q = 1 + rnd.nextInt(20), p = 1 + rnd.nextInt(20);
                                switch (rnd.nextInt(6)) {
                                    case 0, 1 -> c.execute("INSERT INTO ch VALUES (?, ?)", ids.incrementAndGet(), p);
                                    case 2 -> c.execute("INSERT INTO r VALUES (?, ?, ?)", ids.incrementAndGet(), q, rnd.nextBoolean() ? p : null);
                                    case 3 -> c.execute(rnd.nextBoolean() ? "DELETE FROM q WHERE id = ?" : "DELETE FROM p WHERE id = ?",
                                            rnd.nextBoolean() ? q : p);
                                    case 4 -> c.execute(rnd.nextBoolean() ? "INSERT INTO q VALUES (?)" : "INSERT INTO p VALUES (?, 0)",
                                            rnd.nextBoolean() ? q : p);
                                    default -> c.execute("UPDATE ch SET pid = ? WHERE id = (SELECT MIN(id) FROM ch WHERE pid = ?)", p, q);
                                }
                            }
                            c.commit().toCompletableFuture().get();
                            commits.incrementAndGet();
                        } catch (HourglassException e) {
                            int n = e.number();
                            if (n == 3001) violations.incrementAndGet();
                            else if (n != 907 && n != 6002 && n != 6003) throw e;
                            if (n != 6002) c.rollback();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        assertTrue(commits.get() > 20, "writers committed: " + commits.get());
        assertTrue(violations.get() > 0, "the workload provoked violations: " + violations.get());
        try (Connection c = admin()) {
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM ch WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.id = ch.pid)").rows().get(0)[0]);
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM r WHERE NOT EXISTS (SELECT 1 FROM q WHERE q.id = r.qid)").rows().get(0)[0]);
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM r WHERE pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM p WHERE p.id = r.pid)")
                    .rows().get(0)[0]);
            assertTrue((Long) c.execute("SELECT COUNT(*) FROM ch").rows().get(0)[0] > 0);
        }
    }

    /** A cascade through a long chain of rows (each the parent of the next) runs without recursion. */
    @Test
    void aCascadeDownALongChainDeletesItAll() {
        int n = 50_000;
        try (Connection c = admin()) {
            c.execute("CREATE TABLE chain (id INTEGER PRIMARY KEY, prev INTEGER REFERENCES chain ON DELETE CASCADE)");
            c.setAutocommit(false);
            c.execute("INSERT INTO chain VALUES (0, NULL)");
            for (int i = 1; i < n; i++) c.execute("INSERT INTO chain VALUES (?, ?)", i, i - 1);
            c.commit();
            c.setAutocommit(true);
            assertEquals(1L, c.execute("DELETE FROM chain WHERE id = 0").updateCount());
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM chain").rows().get(0)[0]);
        }
    }
}
