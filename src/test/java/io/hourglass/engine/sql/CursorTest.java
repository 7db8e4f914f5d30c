package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.TempSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A query run into a {@link ResultSink} (a cursor): a plain query's rows leave as the scan finds
 * them, so its result is not bounded by TempSize; every row comes from the statement's one
 * snapshot, however long the sink takes; a sink that fails stops and undoes the statement. The
 * database has the least TempSize (32 MB) and 40 rows of 1 MB each.
 */
class CursorTest {
    private static final int ROWS = 40;
    private static final int LEN = 1 << 20;
    private static Instance inst;
    private static Connection c;
    private static TempSpace temp;

    @BeforeAll
    static void load() {
        inst = TestInstances.with(DatabaseConfig.temporary("CURSOR").withTempSize(32));
        c = connect();
        temp = inst.database("CURSOR").transactions().temp();
        c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
        c.setAutocommit(false);
        for (int i = 0; i < ROWS; i++) c.execute("INSERT INTO big VALUES (?, ?)", i, Character.toString('a' + i % 26).repeat(LEN));
        c.commit();
        c.setAutocommit(true);
        c.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, v INTEGER)");
        for (int i = 0; i < 50; i++) c.execute("INSERT INTO small VALUES (?, ?)", i, (i * 7) % 13);
    }

    @AfterAll
    static void close() {
        c.close();
        inst.close();
    }

    private static Connection connect() { return inst.connect("CURSOR", "admin", TestInstances.ADMIN_PASSWORD); }

    /** A sink that hands each row to {@code each} and records the columns it was told first. */
    private static final class Sink implements ResultSink {
        final List<ResultColumn> columns = new ArrayList<>();
        final Consumer<Object[]> each;
        long rows;

        Sink(Consumer<Object[]> each) { this.each = each; }

        @Override
        public void columns(List<ResultColumn> cols) {
            assertEquals(0, rows, "columns come before the first row");
            columns.addAll(cols);
        }

        @Override
        public void row(Object[] row) {
            rows++;
            each.accept(row);
        }
    }

    private static List<List<Object>> streamed(Connection conn, String sql, Object... params) {
        List<List<Object>> out = new ArrayList<>();
        StatementResult r = conn.execute(conn.prepare(sql), new Sink(row -> out.add(Arrays.asList(row))), params);
        assertTrue(r.rows().isEmpty(), "the rows went to the sink");
        return out;
    }

    private static List<List<Object>> listed(String sql, Object... params) {
        return c.execute(sql, params).rows().stream().map(Arrays::asList).toList();
    }

    /** 1,600 rows of 2 MB: 3.2 GB as a list (TT0802 at 32 MB), nothing held as a cursor. */
    @Test
    void aPlainQueryLargerThanTempSizeStreamsThroughTheSink() {
        String join = "SELECT a.id, b.id, a.s, b.s FROM big a, big b";
        assertEquals(802, assertThrows(HourglassException.class, () -> c.execute(join)).number(), "as a list it cannot be built");
        long[] bytes = {0};
        Sink sink = new Sink(row -> bytes[0] += ((String) row[2]).length() + ((String) row[3]).length());
        StatementResult r = c.execute(c.prepare(join), sink);
        assertEquals(List.of("ID", "ID", "S", "S"), sink.columns.stream().map(ResultColumn::name).toList());
        assertEquals(r.columns(), sink.columns, "the result keeps the columns");
        assertEquals((long) ROWS * ROWS, sink.rows);
        assertEquals(2L * ROWS * ROWS * LEN, bytes[0]);
        assertEquals(0, temp.used());
        assertTrue(temp.highWater() < 32L << 20, "rows handed out are not charged: " + temp.highWater());
    }

    /** What must see every row before its first (a sort, groups) is still built within TempSize. */
    @Test
    void aSortedQueryStillBuildsWithinTempSize() {
        // (ORDER BY a column of the join's second table: no index gives that order, so it sorts)
        HourglassException e = assertThrows(HourglassException.class,
                () -> c.execute(c.prepare("SELECT a.s, b.s FROM big a, big b ORDER BY b.id, a.id"), new Sink(row -> { })));
        assertEquals(802, e.number());
        assertEquals(0, temp.used());
        assertEquals(List.of(List.of(26L)), streamed(c, "SELECT COUNT(DISTINCT s) FROM big"));
    }

    /** ORDER BY that an index gives needs no sort: the rows stream in that order, past TempSize as a plain query's do. */
    @Test
    void aQueryInAnIndexsOrderStreamsPastTempSize() {
        long[] last = {Long.MAX_VALUE, -1}, rows = {0};
        StatementResult r = c.execute(c.prepare("SELECT a.id, b.id, a.s, b.s FROM big a, big b ORDER BY a.id DESC"), new Sink(row -> {
            long id = ((Number) row[0]).longValue();
            assertTrue(id <= last[0], "in a.id's order, descending: " + id + " after " + last[0]);
            last[0] = id;
            rows[0]++;
        }));
        assertEquals(List.of(), r.rows());
        assertEquals((long) ROWS * ROWS, rows[0]);
        assertEquals(0, last[0]);
        assertEquals(0, temp.used());
        assertTrue(temp.highWater() < 32L << 20, "rows handed out are not charged: " + temp.highWater());
    }

    /** Through a sink or as a list, every query shape gives the same rows in the same order. */
    @Test
    void aCursorGivesWhatTheListGives() {
        Random rnd = new Random(42);
        List<String> shapes = List.of(
                "SELECT id, v FROM small",
                "SELECT id, v FROM small WHERE v > ?",
                "SELECT id, v FROM small ORDER BY v, id",
                "SELECT v, COUNT(*) FROM small GROUP BY v ORDER BY v",
                "SELECT DISTINCT v FROM small ORDER BY v",
                "SELECT id FROM small WHERE v < ? UNION SELECT v FROM small ORDER BY 1",
                "SELECT a.id, b.id FROM small a JOIN small b ON b.v = a.id");
        for (String shape : shapes) {
            for (int k = 0; k < 8; k++) {
                String sql = shape + (shape.contains("UNION") ? "" : switch (k % 4) {
                    case 0 -> "";
                    case 1 -> " LIMIT " + rnd.nextInt(60);
                    case 2 -> " LIMIT " + rnd.nextInt(20) + " OFFSET " + rnd.nextInt(60);
                    default -> " OFFSET " + rnd.nextInt(60) + " ROWS";
                });
                Object[] params = sql.contains("?") ? new Object[] {(long) rnd.nextInt(13)} : new Object[0];
                assertEquals(listed(sql, params), streamed(c, sql, params), sql);
            }
        }
        assertEquals(List.of(), streamed(c, "SELECT id FROM small LIMIT 0"));
        assertEquals(List.of(List.of(49L)), streamed(c, "SELECT id FROM small ORDER BY id DESC FETCH FIRST 1 ROWS ONLY"));
    }

    /** A slow reader sees the snapshot its statement began with, not what commits meanwhile. */
    @Test
    void everyRowComesFromTheStatementsSnapshot() {
        try (Connection writer = connect()) {
            List<List<Object>> seen = new ArrayList<>();
            c.execute(c.prepare("SELECT id, v FROM small ORDER BY id"), new Sink(row -> {
                if (seen.isEmpty()) {
                    writer.execute("UPDATE small SET v = v + 100");
                    writer.execute("INSERT INTO small VALUES (1000, 1)");
                }
                seen.add(Arrays.asList(row));
            }));
            assertEquals(50, seen.size(), "the row committed during the scan is not in it");
            assertTrue(seen.stream().allMatch(r -> (Long) r.get(1) < 13), "nor are the values updated during it");
            assertEquals(List.of(List.of(51L, 51L)), listed("SELECT COUNT(*), SUM(CASE WHEN v >= 100 OR id = 1000 THEN 1 END) FROM small"));
        } finally {
            c.execute("DELETE FROM small WHERE id = 1000");
            c.execute("UPDATE small SET v = v - 100");
        }
    }

    /** A sink that fails (a client gone) stops the statement; the transaction around it goes on. */
    @Test
    void aFailingSinkStopsTheStatementAndTheTransactionGoesOn() {
        c.setAutocommit(false);
        try {
            c.execute("INSERT INTO small VALUES (2000, 5)");
            long[] given = {0};
            RuntimeException gone = new IllegalStateException("the client went away");
            HourglassException e = assertThrows(HourglassException.class, () -> c.execute(c.prepare("SELECT a.s, b.s FROM big a, big b"),
                    new Sink(row -> {
                        if (++given[0] == 3) throw gone;
                    })));
            assertEquals(3, given[0], "no row after the failure");
            assertTrue(e.getMessage().contains("the client went away"), e.getMessage());
            assertEquals(0, temp.used());
            c.commit();
        } finally {
            c.setAutocommit(true);
        }
        assertEquals(List.of(List.of(5L)), listed("SELECT v FROM small WHERE id = 2000"), "the insert before it committed");
        c.execute("DELETE FROM small WHERE id = 2000");
    }
}
