package io.hourglass.engine.txn;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Money moved between accounts by writers that each pick a random way of writing it (two
 * UPDATEs in either order, one UPDATE of two rows with a CASE, a MERGE, read-lock-write with
 * FOR UPDATE, a row deleted and inserted again, an UPDATE of a group of rows through an index
 * with the difference taken from one row, an UPDATE finding its row through a subquery), while
 * others move the rows' keys in two indexes, and readers check in single statements, through
 * each access path, and in SERIALIZABLE transactions across statements, that no money appears or
 * vanishes. A writer's transaction may fail (deadlock, lock timeout): it is rolled back and its
 * moves not counted. At the end each account holds exactly its start plus the moves of the
 * transactions that committed: a lost update, a change applied twice or to the wrong row, or a
 * half-undone transaction shows there.
 */
class RandomTransfersTest {
    private static final int ACCOUNTS = 40, GROUPS = 5, START = 1000;
    /** How long the writers run; a longer hunt: {@code -Dhourglass.transfers.millis=60000}. */
    private static final long MILLIS = Long.getLong("hourglass.transfers.millis", 3000);

    @Test
    void concurrentTransfersOfEveryShapeKeepEveryAccountExact() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Instance inst = TestInstances.one("TR")) {
            try (Connection c = connect(inst)) {
                c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, bal INTEGER NOT NULL, tag INTEGER NOT NULL)");
                c.execute("CREATE INDEX acct_grp ON acct (grp)");
                c.execute("CREATE INDEX acct_bal ON acct (bal)");
                c.execute("CREATE HASH INDEX acct_tag ON acct (tag)");
                for (int i = 0; i < ACCOUNTS; i++) c.execute("INSERT INTO acct VALUES (?, ?, ?, ?)", i, i % GROUPS, START, i % 7);
            }
            AtomicLongArray moved = new AtomicLongArray(ACCOUNTS);
            AtomicLongArray committed = new AtomicLongArray(Shape.values().length), failed = new AtomicLongArray(Shape.values().length);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> writers = new ArrayList<>(), readers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Random rnd = new Random(w);
                writers.add(pool.submit(() -> {
                    try (Connection c = connect(inst)) {
                        c.setAutocommit(false);
                        c.setLockWait(0.5);
                        while (!stop.get()) {
                            Shape shape = SHAPES.get(rnd.nextInt(SHAPES.size()));
                            Map<Integer, Long> moves = new HashMap<>();
                            try {
                                shape.run(c, rnd, moves);
                                Connection.join(c.commit());
                            } catch (HourglassException | Retry e) {
                                // (a deadlock or lock timeout, or a row another writer deleted and inserted again: tried again)
                                if (e instanceof HourglassException h && h.number() != 6002 && h.number() != 6003) throw e;
                                if (c.inTransaction()) c.rollback();
                                failed.incrementAndGet(shape.ordinal());
                                continue;
                            }
                            moves.forEach((id, d) -> moved.addAndGet(id, d));
                            committed.incrementAndGet(shape.ordinal());
                        }
                    }
                    return null;
                }));
            }
            long[] checks = new long[2];
            readers.add(pool.submit(() -> {
                // every access path, in one statement each: all the money, all the rows
                List<String> paths = List.of("", " WHERE grp IN (0, 1, 2, 3, 4)", " WHERE bal > -1000000", " WHERE tag >= 0",
                        " WHERE id BETWEEN 0 AND " + (ACCOUNTS - 1));
                try (Connection c = connect(inst)) {
                    while (!stop.get()) {
                        for (String path : paths) {
                            Object[] row = c.execute("SELECT SUM(bal), COUNT(*) FROM acct" + path).rows().getFirst();
                            assertEquals(List.of((long) ACCOUNTS * START, (long) ACCOUNTS), List.of(row[0], row[1]), "a statement through" + path);
                        }
                        checks[0]++;
                    }
                }
                return null;
            }));
            readers.add(pool.submit(() -> {
                // a SERIALIZABLE transaction's two statements: its halves add up
                try (Connection c = connect(inst)) {
                    c.setIsolation(Isolation.SERIALIZABLE);
                    c.setAutocommit(false);
                    c.setLockWait(0.5);
                    while (!stop.get()) {
                        try {
                            long low = (Long) c.execute("SELECT SUM(bal) FROM acct WHERE id < ?", ACCOUNTS / 2).rows().getFirst()[0];
                            long high = (Long) c.execute("SELECT SUM(bal) FROM acct WHERE grp >= 0 AND id >= ?", ACCOUNTS / 2).rows().getFirst()[0];
                            assertEquals((long) ACCOUNTS * START, low + high, "a SERIALIZABLE transaction's two halves");
                            Connection.join(c.commit());
                            checks[1]++;
                        } catch (HourglassException e) {
                            if (e.number() != 6002 && e.number() != 6003) throw e;
                            if (c.inTransaction()) c.rollback();
                        }
                    }
                }
                return null;
            }));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
            while (System.nanoTime() < deadline && writers.stream().noneMatch(Future::isDone) && readers.stream().noneMatch(Future::isDone)) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Future<?> f : writers) f.get(60, TimeUnit.SECONDS);
            for (Future<?> f : readers) f.get(60, TimeUnit.SECONDS);
            try (Connection c = connect(inst)) {
                for (int i = 0; i < ACCOUNTS; i++) {
                    Object[] row = c.execute("SELECT bal, grp FROM acct WHERE id = ?", i).rows().getFirst();
                    assertEquals(List.of(START + moved.get(i), (long) (i % GROUPS)), List.of(row[0], row[1]), "account " + i);
                }
                // the indexes hold each row once, under its newest key
                for (String path : List.of(" WHERE bal > -1000000", " WHERE tag >= 0", " WHERE grp >= 0")) {
                    assertEquals(List.of((long) ACCOUNTS * START, (long) ACCOUNTS),
                            List.of(c.execute("SELECT SUM(bal), COUNT(*) FROM acct" + path).rows().getFirst()), path);
                }
                for (int tag = 0; tag < 7; tag++) {
                    assertEquals(c.execute("SELECT COUNT(*) FROM acct WHERE tag + 0 = ?", tag).rows().getFirst()[0],
                            c.execute("SELECT COUNT(*) FROM acct WHERE tag = ?", tag).rows().getFirst()[0], "tag " + tag);
                }
            }
            StringBuilder report = new StringBuilder();
            for (Shape s : Shape.values()) {
                report.append(s).append(' ').append(committed.get(s.ordinal())).append('/').append(failed.get(s.ordinal())).append(' ');
                assertTrue(!SHAPES.contains(s) || committed.get(s.ordinal()) > 0, "no " + s + " committed: " + report);
            }
            System.out.println("committed/failed: " + report + "; checks " + checks[0] + " statements, " + checks[1] + " SERIALIZABLE");
            assertTrue(checks[0] > 10 && checks[1] > 10, checks[0] + " statement checks, " + checks[1] + " SERIALIZABLE ones");
        } finally {
            pool.shutdownNow();
        }
    }

    /** The shapes the writers pick from: all, or those named ({@code -Dhourglass.transfers.shapes=DELETE_INSERT,TWO_UPDATES}). */
    private static final List<Shape> SHAPES = System.getProperty("hourglass.transfers.shapes") == null ? List.of(Shape.values())
            : java.util.Arrays.stream(System.getProperty("hourglass.transfers.shapes").split(",")).map(Shape::valueOf).toList();

    private static Connection connect(Instance inst) { return inst.connect("TR", "admin", TestInstances.ADMIN_PASSWORD); }

    /** A transfer to start over. */
    private static final class Retry extends RuntimeException {
        Retry() { super(null, null, false, false); }
    }

    /** A way of writing a transfer (or a change that moves no money), recording each account's move. */
    private enum Shape {
        /** Two UPDATEs, in either order (so two writers may deadlock). */
        TWO_UPDATES {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                expect(1, c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", k, a).updateCount());
                expect(1, c.execute("UPDATE acct SET bal = bal + ? WHERE id = ?", k, b).updateCount());
                move(moves, a, -k, b, k);
            }
        },
        /** One UPDATE of both rows, each its own amount by a CASE. */
        CASE_UPDATE {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                expect(2, c.execute("UPDATE acct SET bal = bal + CASE WHEN id = ? THEN ? ELSE ? END WHERE id IN (?, ?)", a, -k, k, a, b)
                        .updateCount());
                move(moves, a, -k, b, k);
            }
        },
        /** A MERGE whose source gives each row its amount. */
        MERGE {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                expect(2, c.execute("MERGE INTO acct t USING (SELECT " + a + " AS id, " + -k + " AS d FROM dual UNION ALL SELECT "
                        + b + ", " + k + " FROM dual) s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET bal = t.bal + s.d").updateCount());
                move(moves, a, -k, b, k);
            }
        },
        /** The two rows locked and read with FOR UPDATE, then written with the values computed here. */
        READ_LOCK_WRITE {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                List<Object[]> rows = c.execute("SELECT id, bal FROM acct WHERE id IN (?, ?) ORDER BY id FOR UPDATE", a, b).rows();
                expect(2, rows.size());
                for (Object[] r : rows) {
                    long id = (Long) r[0], bal = (Long) r[1];
                    expect(1, c.execute("UPDATE acct SET bal = ? WHERE id = ?", bal + (id == a ? -k : k), id).updateCount());
                }
                move(moves, a, -k, b, k);
            }
        },
        /** A row locked, deleted and inserted again with its money plus k, taken from another. */
        DELETE_INSERT {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                List<Object[]> rows = c.execute("SELECT grp, bal, tag FROM acct WHERE id = ? FOR UPDATE", b).rows();
                expect(1, rows.size());
                Object[] row = rows.getFirst();
                assertEquals(1, c.execute("DELETE FROM acct WHERE id = ?", b).updateCount());
                c.execute("INSERT INTO acct VALUES (?, ?, ?, ?)", b, row[0], (Long) row[1] + k, row[2]);
                expect(1, c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", k, a).updateCount());
                move(moves, a, -k, b, k);
            }
        },
        /** Every row of a group given 1 through the group's index, the sum taken from one row. */
        GROUP_UPDATE {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int g = rnd.nextInt(GROUPS), payer = account(rnd);
                long n = c.execute("UPDATE acct SET bal = bal + 1 WHERE grp = ?", g).updateCount();
                expect(ACCOUNTS / GROUPS, n);
                expect(1, c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", n, payer).updateCount());
                for (int i = g; i < ACCOUNTS; i += GROUPS) moves.merge(i, 1L, Long::sum);
                moves.merge(payer, -n, Long::sum);
            }
        },
        /** UPDATEs that find their row through a subquery (the smallest id from a given one: that one). */
        SUBQUERY_UPDATE {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), b = other(rnd, a), k = amount(rnd);
                expect(1, c.execute("UPDATE acct SET bal = bal - ? WHERE id = (SELECT MIN(x.id) FROM acct x WHERE x.id >= ?)", k, a)
                        .updateCount());
                expect(1, c.execute("UPDATE acct SET bal = bal + ? WHERE id IN (SELECT x.id FROM acct x WHERE x.id = ? AND x.grp >= 0)", k, b)
                        .updateCount());
                move(moves, a, -k, b, k);
            }
        },
        /** No money moved: a row's key in the hash index and its money's in the range index move (the money there and back). */
        KEY_MOVES {
            void run(Connection c, Random rnd, Map<Integer, Long> moves) {
                int a = account(rnd), k = amount(rnd);
                expect(1, c.execute("UPDATE acct SET tag = MOD(tag + ?, 7), bal = bal + ? WHERE id = ?", 1 + rnd.nextInt(6), k, a).updateCount());
                expect(1, c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", k, a).updateCount());
            }
        };

        abstract void run(Connection c, Random rnd, Map<Integer, Long> moves);

        /**
         * A statement met fewer rows than the transfer needs: one that another writer deleted and
         * inserted again while this one waited for it is a new row, which the statement's
         * snapshot does not hold (so PostgreSQL's READ COMMITTED too). The transfer starts over.
         */
        private static void expect(long rows, long got) {
            if (got != rows) {
                assertTrue(got < rows, got + " rows where " + rows + " were expected");
                throw new Retry();
            }
        }

        private static int account(Random rnd) { return rnd.nextInt(ACCOUNTS); }

        private static int other(Random rnd, int a) { return (a + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS; }

        private static int amount(Random rnd) { return 1 + rnd.nextInt(50); }

        private static void move(Map<Integer, Long> moves, int a, long da, int b, long db) {
            moves.merge(a, da, Long::sum);
            moves.merge(b, db, Long::sum);
        }
    }
}
