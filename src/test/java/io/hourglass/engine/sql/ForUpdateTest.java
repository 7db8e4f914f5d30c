package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SELECT ... FOR UPDATE locks the rows it returns until the transaction ends, as an UPDATE of
 * them would: writers and other FOR UPDATE readers of those rows wait (or, with NOWAIT or WAIT
 * n, give up with TT6003), plain readers do not, and a row changed by a transaction that
 * committed while the lock was awaited is returned as that transaction left it.
 */
class ForUpdateTest {
    private static Connection open(Instance inst) {
        Connection c = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER)");
        c.execute("INSERT INTO acct VALUES (1, 10), (2, 20), (3, 30)");
        return c;
    }

    private static int value(Connection c, String sql) { return ((Number) c.execute(sql).rows().getFirst()[0]).intValue(); }

    @Test
    @Timeout(60) // (a NOWAIT or WAIT 1 that waited out the 600 s LockWait instead would stop here)
    void theRowsStayLockedUntilTheTransactionEnds() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = open(inst), b = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            a.setAutocommit(false);
            assertEquals(10, value(a, "SELECT v FROM acct WHERE id = 1 FOR UPDATE"));
            b.execute("CALL ttLockWait(600)");
            assertLockTimeout(b, "SELECT v FROM acct WHERE id = 1 FOR UPDATE NOWAIT");
            assertLockTimeout(b, "SELECT v FROM acct WHERE id < 3 FOR UPDATE WAIT 1");
            assertEquals(20, value(b, "SELECT v FROM acct WHERE id = 2 FOR UPDATE NOWAIT")); // another row is free
            assertEquals(10, value(b, "SELECT v FROM acct WHERE id = 1")); // and reading does not wait
            b.execute("CALL ttLockWait(0.2)");
            assertLockTimeout(b, "UPDATE acct SET v = 0 WHERE id = 1");
            a.execute("COMMIT");
            assertEquals(1, b.execute("UPDATE acct SET v = 0 WHERE id = 1").updateCount());
            // (autocommit: the locks go with the statement's own transaction)
            a.setAutocommit(true);
            assertEquals(List.of(0, 20), ids(a, "SELECT v FROM acct WHERE id IN (1, 2) ORDER BY id FOR UPDATE OF v NOWAIT"));
            assertEquals(1, b.execute("UPDATE acct SET v = 11 WHERE id = 1").updateCount());
        }
    }

    /** A connection whose transaction has made {@code changes}, not committed. */
    private static Connection writing(Instance inst, String... changes) {
        Connection c = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
        c.setAutocommit(false);
        for (String change : changes) c.execute(change);
        return c;
    }

    /** The first column of {@code query}'s rows on {@code c}, which waits for {@code writer}'s locks until it commits. */
    private static List<Integer> onceTheWriterCommits(Connection c, String query, Connection writer) throws Exception {
        CompletableFuture<List<Integer>> waiting = CompletableFuture.supplyAsync(() -> ids(c, query));
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "it waits for the writer's locks");
        writer.execute("COMMIT");
        return waiting.get();
    }

    /** {@code sql} on {@code c} gives up on a lock another transaction holds: TT6003. */
    private static void assertLockTimeout(Connection c, String sql) {
        assertEquals(6003, assertThrows(HourglassException.class, () -> c.execute(sql), sql).number(), sql);
    }

    private static List<Integer> ids(Connection c, String sql) {
        List<Integer> out = new ArrayList<>();
        for (Object[] r : c.execute(sql).rows()) out.add(((Number) r[0]).intValue());
        return out;
    }

    @Test
    @Timeout(60)
    void aRowChangedWhileItsLockWasAwaitedComesAsItsWriterLeftIt() throws Exception {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = open(inst), b = writing(inst, "UPDATE acct SET v = 99 WHERE id = 3", "UPDATE acct SET v = 60 WHERE id = 2");
            a.setAutocommit(false);
            // Row 3 (30 when the query began) is 99 now and no longer matches; row 2 likewise; row 1 is as it was.
            assertEquals(List.of(10), onceTheWriterCommits(a, "SELECT v FROM acct WHERE v < 50 ORDER BY id FOR UPDATE", b));
            a.execute("ROLLBACK");
        }
    }

    /** Read, then write what was read, from two threads: with FOR UPDATE no increment is lost. */
    @Test
    @Timeout(120)
    void readModifyWriteLosesNoUpdate() throws Exception {
        try (Instance inst = TestInstances.one("FU")) {
            open(inst).close();
            int rounds = 300;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                done.add(pool.submit(() -> {
                    try (Connection c = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD)) {
                        c.setAutocommit(false);
                        var read = c.prepare("SELECT v FROM acct WHERE id = 1 FOR UPDATE");
                        var write = c.prepare("UPDATE acct SET v = ? WHERE id = 1");
                        for (int i = 0; i < rounds; i++) {
                            int v = ((Number) c.execute(read).rows().getFirst()[0]).intValue();
                            c.execute(write, v + 1);
                            c.execute("COMMIT");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            pool.shutdown();
            try (Connection c = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(10 + 2 * rounds, value(c, "SELECT v FROM acct WHERE id = 1"));
            }
        }
    }

    /**
     * SKIP LOCKED leaves out the rows other transactions hold, explicitly (FOR UPDATE) or as their
     * uncommitted writers, without waiting (a 600 s LockWait would stop the test at its timeout).
     */
    @Test
    @Timeout(60)
    void skipLockedLeavesOutWhatOthersHold() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = open(inst), b = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            a.setAutocommit(false);
            b.setAutocommit(false);
            b.execute("CALL ttLockWait(600)");
            assertEquals(10, value(a, "SELECT v FROM acct WHERE id = 1 FOR UPDATE"));
            a.execute("UPDATE acct SET v = 21 WHERE id = 2");
            // ROWNUM numbers the rows before they are locked, as Oracle's: the first is held, so none
            assertEquals(List.of(), ids(b, "SELECT id FROM acct WHERE ROWNUM <= 1 FOR UPDATE SKIP LOCKED"));
            assertEquals(List.of(3), ids(b, "SELECT id FROM acct ORDER BY id FOR UPDATE SKIP LOCKED"));
            // b now holds row 3: a skips it, and keeps its own rows
            assertEquals(List.of(1, 2), ids(a, "SELECT id FROM acct ORDER BY id FOR UPDATE SKIP LOCKED"));
            assertLockTimeout(a, "SELECT v FROM acct WHERE id = 3 FOR UPDATE NOWAIT");
            a.execute("COMMIT");
            assertEquals(List.of(1, 2, 3), ids(b, "SELECT id FROM acct ORDER BY id FOR UPDATE SKIP LOCKED"));
            b.execute("ROLLBACK");
        }
    }

    /**
     * With ORDER BY and a limit, FOR UPDATE locks the rows in the query's order and stops at the
     * limit: the first row by id DESC is locked, and nothing else.
     */
    @Test
    @Timeout(60)
    void anOrderedLimitLocksOnlyTheRowsItReturns() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = withTags(inst), b = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            a.setAutocommit(false);
            assertEquals(List.of(30), ids(a, "SELECT v FROM acct ORDER BY id DESC FETCH FIRST 1 ROWS ONLY FOR UPDATE"));
            assertEquals(List.of(), ids(a, "SELECT v FROM acct ORDER BY id LIMIT 0 FOR UPDATE"));
            assertEquals(List.of(10, 20), ids(b, "SELECT v FROM acct WHERE id < 3 ORDER BY id FOR UPDATE NOWAIT"));
            assertLockTimeout(b, "SELECT v FROM acct WHERE id = 3 FOR UPDATE NOWAIT");
            a.execute("ROLLBACK");
            b.execute("ROLLBACK");
            // and a join's combinations likewise
            assertEquals(List.of(3), ids(a, "SELECT x.id FROM acct x JOIN tags t ON t.v = x.v ORDER BY x.id DESC FETCH FIRST 1 ROWS ONLY FOR UPDATE"));
            assertEquals(List.of(10, 20), ids(b, "SELECT v FROM tags WHERE v < 30 ORDER BY v FOR UPDATE NOWAIT"));
            assertLockTimeout(b, "SELECT v FROM tags WHERE v = 30 FOR UPDATE NOWAIT");
            a.execute("ROLLBACK");
            // ROWNUM numbers the combinations before any is locked: the others stay free
            int taken = ids(a, "SELECT x.id FROM acct x JOIN tags t ON t.v = x.v WHERE ROWNUM <= 1 FOR UPDATE").getFirst();
            assertEquals(2, ids(b, "SELECT v FROM acct WHERE id <> " + taken + " FOR UPDATE NOWAIT").size());
            a.execute("ROLLBACK");
        }
    }

    /**
     * A job queue: workers each take the first job no one holds (ORDER BY id FETCH FIRST 1 ROWS
     * ONLY FOR UPDATE SKIP LOCKED), mark it done and commit. Every job is done exactly once, and
     * while one worker holds a job the others take the next ones.
     */
    @Test
    @Timeout(120)
    void workersShareAQueueWithoutWaitingForEachOther() throws Exception {
        try (Instance inst = TestInstances.one("FU")) {
            Connection setup = open(inst);
            setup.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state INTEGER, worker INTEGER)");
            int jobs = 300;
            for (int i = 1; i <= jobs; i++) setup.execute("INSERT INTO jobs VALUES (" + i + ", 0, NULL)");
            String take = "SELECT id FROM jobs WHERE state = 0 ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED";
            Connection first = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            Connection second = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            first.setAutocommit(false);
            second.setAutocommit(false);
            assertEquals(List.of(1), ids(first, take));
            assertEquals(List.of(2), ids(second, take)); // not empty: the first holds job 1 only
            first.execute("ROLLBACK");
            second.execute("ROLLBACK");

            int workers = 4;
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    try (Connection c = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD)) {
                        c.setAutocommit(false);
                        c.execute("CALL ttLockWait(600)");
                        var next = c.prepare(take);
                        var finish = c.prepare("UPDATE jobs SET state = state + 1, worker = ? WHERE id = ?");
                        while (true) {
                            List<Object[]> got = c.execute(next).rows();
                            if (got.isEmpty()) break;
                            c.execute(finish, worker, got.getFirst()[0]);
                            c.execute("COMMIT");
                        }
                        c.execute("ROLLBACK");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            pool.shutdown();
            assertEquals(jobs, value(setup, "SELECT COUNT(*) FROM jobs WHERE state = 1"), "each job done exactly once");
            assertEquals(0, value(setup, "SELECT COUNT(*) FROM jobs WHERE state <> 1"));
        }
    }

    /**
     * FETCH FIRST n FOR UPDATE without ORDER BY reads its candidates a batch at a time (about n
     * rows, not the whole queue): a batch whose rows other workers hold reads on past them, and
     * each row comes once, however many batches it takes.
     */
    @Test
    @Timeout(60)
    void anUnorderedLimitReadsOnPastTheRowsOthersHold() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection setup = open(inst);
            setup.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state INTEGER)");
            setup.execute("INSERT INTO jobs SELECT LEVEL, 0 FROM dual CONNECT BY LEVEL <= 1000");
            Connection holder = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            Connection worker = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD);
            holder.setAutocommit(false);
            worker.setAutocommit(false);
            assertEquals(100, holder.execute("SELECT id FROM jobs WHERE id <= 100 FOR UPDATE").rows().size());
            // the first two batches (64, then 128 more) meet the 100 held rows first
            assertEquals(List.of(101, 102, 103), ids(worker, "SELECT id FROM jobs WHERE state = 0 FETCH FIRST 3 ROWS ONLY FOR UPDATE SKIP LOCKED"));
            assertEquals(List.of(104, 105), ids(worker, "SELECT id FROM jobs WHERE state = 0 AND id > 103 FETCH FIRST 2 ROWS ONLY FOR UPDATE"));
            List<Integer> many = ids(worker, "SELECT id FROM jobs FETCH FIRST 500 ROWS ONLY FOR UPDATE SKIP LOCKED");
            assertEquals(500, many.size());
            assertEquals(500, new java.util.HashSet<>(many).size(), "each row once");
            assertEquals(101, (int) many.getFirst());
            holder.execute("ROLLBACK");
            worker.execute("ROLLBACK");
        }
    }

    private static Connection withTags(Instance inst) {
        Connection c = open(inst);
        c.execute("CREATE TABLE tags (v INTEGER, tag VARCHAR(10))");
        c.execute("INSERT INTO tags VALUES (10, 'ten'), (20, 'twenty'), (30, 'thirty')");
        return c;
    }

    /** A join locks the rows of the tables OF names a column of, or of every table without OF. */
    @Test
    @Timeout(60)
    void aJoinLocksTheRowsOfTheTablesOfNames() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = withTags(inst);
            a.setAutocommit(false);
            Connection b = inst.connect("FU", "admin", TestInstances.ADMIN_PASSWORD); // autocommit: its locks go with each statement
            assertEquals(List.of(1), ids(a, "SELECT x.id FROM acct x JOIN tags t ON t.v = x.v WHERE t.tag = 'ten' FOR UPDATE OF x.v"));
            assertLockTimeout(b, "SELECT v FROM acct WHERE id = 1 FOR UPDATE NOWAIT");
            assertEquals(List.of(10), ids(b, "SELECT v FROM tags WHERE tag = 'ten' FOR UPDATE NOWAIT")); // tags is not locked
            assertEquals(List.of(20), ids(b, "SELECT v FROM acct WHERE id = 2 FOR UPDATE NOWAIT")); // nor the other rows
            a.execute("ROLLBACK");
            assertEquals(List.of(3), ids(a, "SELECT x.id FROM acct x, tags t WHERE t.v = x.v AND t.tag = 'thirty' FOR UPDATE"));
            assertLockTimeout(b, "SELECT v FROM tags WHERE tag = 'thirty' FOR UPDATE NOWAIT");
            assertLockTimeout(b, "SELECT v FROM acct WHERE id = 3 FOR UPDATE NOWAIT");
            a.execute("ROLLBACK");
            // each locked table is locked for writing too: a SERIALIZABLE reader's hold on tags (the
            // second table, pinned) keeps it waiting
            try (Connection s = inst.connect("DSN=FU;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + ";Isolation=SERIALIZABLE")) {
                s.setAutocommit(false);
                assertEquals(3, value(s, "SELECT COUNT(*) FROM tags"));
                a.execute("CALL ttLockWait(0.2)");
                a.execute("CALL ttOptSetOrder('X T')");
                assertLockTimeout(a, "SELECT x.id FROM acct x, tags t WHERE t.v = x.v FOR UPDATE");
                a.execute("ROLLBACK");
                s.execute("ROLLBACK");
            }
            assertEquals(List.of(3), ids(a, "SELECT x.id FROM acct x, tags t WHERE t.v = x.v AND t.tag = 'thirty' FOR UPDATE"));
            // SKIP LOCKED leaves out a combination one of whose rows another transaction holds
            assertEquals(List.of(1, 2), ids(b, "SELECT x.id FROM acct x JOIN tags t ON t.v = x.v ORDER BY x.id FOR UPDATE SKIP LOCKED"));
            a.execute("ROLLBACK");
        }
    }

    /**
     * A locked row changed while its lock was awaited is joined again as its writer left it: a
     * join condition that no longer holds leaves the combination out, even one checked at the
     * other table's level (the order is pinned so that it is).
     */
    @Test
    @Timeout(60)
    void aJoinIsCheckedAgainOnTheRowsAsTheirWritersLeftThem() throws Exception {
        try (Instance inst = TestInstances.one("FU")) {
            Connection a = withTags(inst), b = writing(inst, "UPDATE acct SET v = 99 WHERE id = 1");
            a.setAutocommit(false);
            a.execute("CALL ttOptSetOrder('X T')");
            assertEquals(List.of(2, 3), onceTheWriterCommits(a, "SELECT x.id FROM acct x, tags t WHERE t.v = x.v ORDER BY x.id FOR UPDATE OF x.v", b));
            a.execute("ROLLBACK");
        }
    }

    @Test
    void whatItRefuses() {
        try (Instance inst = TestInstances.one("FU")) {
            Connection c = open(inst);
            for (String ddl : List.of("CREATE TABLE other (id INTEGER)", "CREATE VIEW av AS SELECT id, v FROM acct")) c.execute(ddl);
            for (String sql : List.of("SELECT COUNT(*) FROM acct FOR UPDATE", "SELECT DISTINCT v FROM acct FOR UPDATE",
                    "SELECT a.v FROM acct a LEFT JOIN other o ON a.id = o.id FOR UPDATE", "SELECT v FROM av FOR UPDATE",
                    "SELECT a.v FROM acct a, other o WHERE a.id = o.id(+) FOR UPDATE", "SELECT a.v FROM acct a FULL JOIN other o ON a.id = o.id FOR UPDATE", "SELECT v FROM (SELECT v FROM acct) FOR UPDATE",
                    "SELECT a.v FROM acct a, (SELECT id FROM other) o WHERE a.id = o.id FOR UPDATE OF a.v",
                    "SELECT v FROM acct UNION SELECT id FROM other FOR UPDATE", "SELECT v, RANK() OVER (ORDER BY v) FROM acct FOR UPDATE")) {
                assertEquals(90019, assertThrows(HourglassException.class, () -> c.execute(sql), sql).number(), sql);
            }
            assertEquals(2211, assertThrows(HourglassException.class, () -> c.execute("SELECT v FROM acct FOR UPDATE OF nosuch")).number());
            assertEquals(1001, assertThrows(HourglassException.class,
                    () -> c.execute("SELECT v FROM acct WHERE id IN (SELECT id FROM acct FOR UPDATE)")).number());
            c.execute("CREATE USER reader IDENTIFIED BY 'Reader#2026pw'");
            c.execute("GRANT CREATE SESSION TO reader");
            c.execute("GRANT SELECT ON acct TO reader");
            Connection r = inst.connect("FU", "reader", "Reader#2026pw");
            assertEquals(3, r.execute("SELECT v FROM admin.acct").rows().size());
            assertEquals(90006, assertThrows(HourglassException.class, () -> r.execute("SELECT v FROM admin.acct FOR UPDATE")).number());
            // a join needs UPDATE on the tables it locks only
            c.execute("GRANT UPDATE ON acct TO reader");
            c.execute("GRANT SELECT ON other TO reader");
            String join = "SELECT a.v FROM admin.acct a, admin.other o WHERE a.id = o.id FOR UPDATE";
            assertEquals(0, r.execute(join + " OF a.v").rows().size());
            assertEquals(90006, assertThrows(HourglassException.class, () -> r.execute(join)).number());
        }
    }
}
