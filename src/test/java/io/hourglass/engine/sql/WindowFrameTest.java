package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Window frames (ROWS and RANGE BETWEEN ...) against a real PostgreSQL: the same random tables
 * (ties, NULL keys, NULL arguments, several partitions) in both, the same queries, every row's
 * values compared. PostgreSQL's frames are the SQL standard's, which Oracle's follow: rows by
 * count, ranges by key distance in the order's direction, NULL keys as their own peers.
 */
class WindowFrameTest {
    @RegisterExtension
    static final PostgresReference PG = new PostgresReference();

    /** Frames over the integer key k, with the offsets written the same in both databases. */
    private static final List<String> ROWS_FRAMES = List.of(
            "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW", "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING",
            "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING", "ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING",
            "ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING", "ROWS UNBOUNDED PRECEDING", "ROWS 2 PRECEDING", "ROWS CURRENT ROW",
            "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", "ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING",
            "ROWS BETWEEN 1 PRECEDING AND 3 PRECEDING", "ROWS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING",
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING", "ROWS BETWEEN 1000 PRECEDING AND 1000 FOLLOWING");
    private static final List<String> RANGE_FRAMES = List.of(
            "RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING", "RANGE BETWEEN CURRENT ROW AND 3 FOLLOWING",
            "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING", "RANGE BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING",
            "RANGE CURRENT ROW", "RANGE BETWEEN 0 PRECEDING AND 0 FOLLOWING", "RANGE 3 PRECEDING",
            "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING", "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
            "RANGE BETWEEN 1 FOLLOWING AND 4 FOLLOWING", "RANGE BETWEEN 3 PRECEDING AND 2 PRECEDING",
            "RANGE BETWEEN 1 PRECEDING AND 2 PRECEDING");
    private static final List<String> ORDERS = List.of("", " DESC", " NULLS FIRST", " DESC NULLS LAST");

    @Test
    void framesAgreeWithPostgres() throws Exception {
        try (Instance inst = TestInstances.one("WFR"); Connection c = inst.connect("WFR", "admin", TestInstances.ADMIN_PASSWORD)) {
            String ddl = "CREATE TABLE w (id INTEGER PRIMARY KEY, p INTEGER, k INTEGER, x INTEGER, n NUMERIC(6,1), dt %s)";
            c.execute(ddl.formatted("DATE"));
            PG.run("DROP TABLE IF EXISTS w");
            PG.run(ddl.formatted("TIMESTAMP"));
            int compared = 0;
            for (int seed = 1; seed <= 3; seed++) {
                fill(c, new Random(seed), 40 + seed * 50);
                for (String order : ORDERS) {
                    for (String f : ROWS_FRAMES) {
                        // ties broken by id, so that ROWS frames are the same rows in both
                        String over = " OVER (PARTITION BY p ORDER BY k" + order + ", id" + order.replace(" NULLS FIRST", "").replace(" NULLS LAST", "") + " " + f + ")";
                        compared += compare(seed, functions("x", over, "x"));
                    }
                    for (String f : RANGE_FRAMES) {
                        String over = " OVER (PARTITION BY p ORDER BY k" + order + " " + f + ")";
                        // FIRST_VALUE and LAST_VALUE of the key: peers share it, so whichever peer is first agrees
                        compared += compare(seed, functions("x", over, "k"));
                        compared += compare(seed, functions("n", " OVER (ORDER BY n" + order + " " + f.replace("2 PRECEDING", "1.5 PRECEDING")
                                .replace("1 FOLLOWING", "0.5 FOLLOWING") + ")", "n"));
                    }
                    // a DATE key: Hourglass counts days, PostgreSQL needs an interval
                    String hg = " OVER (PARTITION BY p ORDER BY dt" + order + " RANGE BETWEEN 2.5 PRECEDING AND 1 FOLLOWING)";
                    compared += compare(seed, functions("x", hg, "dt"), functions("x",
                            hg.replace("2.5 PRECEDING", "interval '60 hours' PRECEDING").replace("1 FOLLOWING", "interval '1 day' FOLLOWING"), "dt"));
                }
            }
            assertEquals(3 * ORDERS.size() * (ROWS_FRAMES.size() + 2 * RANGE_FRAMES.size() + 1), compared);
        }
    }

    /** Every function that takes a frame, over {@code arg}, FIRST_VALUE and LAST_VALUE over {@code value}. */
    private static String functions(String arg, String over, String value) {
        return "SELECT id, SUM(%1$s)%2$s, COUNT(%1$s)%2$s, COUNT(*)%2$s, AVG(%1$s)%2$s, MIN(%1$s)%2$s, MAX(%1$s)%2$s, FIRST_VALUE(%3$s)%2$s, LAST_VALUE(%3$s)%2$s FROM w"
                .formatted(arg, over, value);
    }

    private int compare(int seed, String sql) throws SQLException {
        return compare(seed, sql, sql);
    }

    /** Runs {@code hgSql} here and {@code pgSql} on PostgreSQL and compares each row's values, found by id. */
    private int compare(int seed, String hgSql, String pgSql) throws SQLException {
        Map<Long, List<String>> expected = new HashMap<>();
        try (PreparedStatement st = PG.connection().prepareStatement(pgSql); ResultSet rs = st.executeQuery()) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 2; i <= cols; i++) row.add(normal(rs.getObject(i)));
                expected.put(rs.getLong(1), row);
            }
        }
        List<Object[]> rows = hourglass.execute(hgSql).rows();
        assertEquals(expected.size(), rows.size(), hgSql);
        for (Object[] r : rows) {
            List<String> got = new ArrayList<>();
            for (int i = 1; i < r.length; i++) got.add(normal(r[i]));
            long id = ((Number) r[0]).longValue();
            assertEquals(expected.get(id), got, "seed " + seed + ", id " + id + ": " + hgSql);
        }
        return 1;
    }

    /** Numbers to 9 decimals (AVG's scales differ), datetimes to their text. */
    private static String normal(Object v) {
        return switch (v) {
            case null -> "NULL";
            case Number x -> new BigDecimal(x.toString()).setScale(9, RoundingMode.HALF_UP).toPlainString();
            case Timestamp t -> t.toLocalDateTime().toString();
            case LocalDateTime t -> t.toString();
            default -> v.toString();
        };
    }

    private Connection hourglass;

    /** The same random rows in both: few partitions, keys with ties and NULLs, arguments with NULLs. */
    private void fill(Connection c, Random rnd, int n) throws SQLException {
        hourglass = c;
        c.execute("DELETE FROM w");
        PG.run("DELETE FROM w");
        try (PreparedStatement ins = PG.connection().prepareStatement("INSERT INTO w VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                Integer p = rnd.nextInt(6) == 0 ? null : rnd.nextInt(3);
                Integer k = rnd.nextInt(7) == 0 ? null : rnd.nextInt(12);
                Integer x = rnd.nextInt(5) == 0 ? null : rnd.nextInt(200) - 50;
                BigDecimal num = rnd.nextInt(8) == 0 ? null : BigDecimal.valueOf(rnd.nextInt(80), 1);
                LocalDateTime dt = rnd.nextInt(8) == 0 ? null : LocalDate.of(2026, 1, 1).plusDays(rnd.nextInt(20)).atStartOfDay();
                c.execute("INSERT INTO w VALUES (?, ?, ?, ?, ?, ?)", i, p, k, x, num, dt);
                ins.setInt(1, i);
                ins.setObject(2, p);
                ins.setObject(3, k);
                ins.setObject(4, x);
                ins.setBigDecimal(5, num);
                ins.setObject(6, dt == null ? null : Timestamp.valueOf(dt), java.sql.Types.TIMESTAMP);
                ins.executeUpdate();
            }
        }
    }


    @Test
    void badFramesAreRefused() {
        try (Instance inst = TestInstances.one("WFB"); Connection c = inst.connect("WFB", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, s VARCHAR2(10))");
            c.execute("INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'b')");
            assertCode(90015, c, "SELECT SUM(k) OVER (ROWS 1 PRECEDING) FROM t");                             // no ORDER BY
            assertCode(90015, c, "SELECT ROW_NUMBER() OVER (ORDER BY k ROWS 1 PRECEDING) FROM t");            // a ranking function
            assertCode(90015, c, "SELECT LAG(k) OVER (ORDER BY k ROWS 1 PRECEDING) FROM t");
            assertCode(1001, c, "SELECT SUM(k) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM t");
            assertCode(1001, c, "SELECT SUM(k) OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING) FROM t");
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t");
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS 1 FOLLOWING) FROM t");                  // ends at CURRENT ROW
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING) FROM t");
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS k PRECEDING) FROM t");                  // not a constant
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS -1 PRECEDING) FROM t");
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k ROWS ? PRECEDING) FROM t", (Object) null);
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k, id RANGE 1 PRECEDING) FROM t");             // two keys
            assertCode(90003, c, "SELECT SUM(k) OVER (ORDER BY s RANGE 1 PRECEDING) FROM t");                 // not a number
            assertCode(90015, c, "SELECT SUM(k) OVER (ORDER BY k RANGE -0.5 PRECEDING) FROM t");
            assertCode(1001, c, "SELECT SUM(k) OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING) FROM t");
            // accepted: a key of several columns with an offset-free RANGE, a parameter offset
            assertEquals(2, c.execute("SELECT SUM(k) OVER (ORDER BY k, id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t").rows().size());
            assertEquals(List.of(1L, 3L), c.execute("SELECT SUM(k) OVER (ORDER BY k ROWS ? PRECEDING) FROM t ORDER BY k", 5)
                    .rows().stream().map(r -> ((Number) r[0]).longValue()).toList());
        }
    }

    private static void assertCode(int code, Connection c, String sql, Object... params) {
        HourglassException e = assertThrows(HourglassException.class, () -> c.execute(sql, params), sql);
        assertEquals(code, e.number(), sql + ": " + e.getMessage());
    }
}
