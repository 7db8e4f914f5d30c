package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random queries against a real PostgreSQL: the same tables and rows in both (small domains,
 * many NULLs, duplicates, indexes of several kinds here), the same query text, and the same
 * rows back, compared as multisets. The queries stay within SQL both read alike (no division,
 * no empty string, one-letter strings, which every collation orders the same): joins of every
 * kind this engine plans (comma, INNER, LEFT, FULL, self joins), three-valued conditions, IN and
 * EXISTS subqueries correlated or not, DISTINCT, GROUP BY and HAVING. Each planner path (access
 * by index, temporary hash join, semi-join, join order) then has the standard's answer to meet.
 */
class RandomQueryTest {
    private static EmbeddedPostgres pg;
    private static java.sql.Connection backend;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        backend = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "postgres");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (backend != null) backend.close();
        if (pg != null) pg.close();
    }

    private static final String[] TABLES = {"t1", "t2", "t3"};
    private static final String[] NUMBERS = {"id", "a", "b"};
    private static final int QUERIES_PER_SEED = 400;
    /** Seeds run (each: new rows, then its queries); a longer hunt: {@code -Dhourglass.random-query-seeds=200}. */
    private static final int SEEDS = Integer.getInteger("hourglass.random-query-seeds", 10);

    @Test
    void randomQueriesAgreeWithPostgres() throws Exception {
        try (Instance inst = TestInstances.one("RQ"); Connection c = inst.connect("RQ", "admin", TestInstances.ADMIN_PASSWORD)) {
            List<String> ddl = List.of(
                    "CREATE TABLE t1 (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c VARCHAR(4))",
                    "CREATE TABLE t2 (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c VARCHAR(4))",
                    "CREATE TABLE t3 (id INTEGER, a INTEGER, b INTEGER, c VARCHAR(4))",
                    "CREATE INDEX t1_a ON t1 (a)", "CREATE INDEX t2_ab ON t2 (a, b)", "CREATE INDEX t3_c ON t3 (c)");
            for (String d : ddl) c.execute(d);
            c.execute("CREATE HASH INDEX t3_b ON t3 (b)");
            for (String d : ddl) backend(d);
            backend("CREATE INDEX t3_b ON t3 (b)");
            int compared = 0;
            for (int seed = 1; seed <= SEEDS; seed++) {
                Random rnd = new Random(seed);
                fill(c, rnd);
                for (int q = 0; q < QUERIES_PER_SEED; q++) {
                    String sql = new Generator(rnd).query();
                    compare(c, sql, "seed " + seed + ", query " + q);
                    compared++;
                }
            }
            assertEquals(SEEDS * QUERIES_PER_SEED, compared);
        }
    }

    /** Rows with values from small domains, so that joins match and groups repeat; a NULL in every column but t1's and t2's keys. */
    private static void fill(Connection c, Random rnd) throws SQLException {
        for (String t : TABLES) {
            c.execute("DELETE FROM " + t);
            backend("DELETE FROM " + t);
            int n = 5 + rnd.nextInt(25);
            for (int i = 0; i < n; i++) {
                Integer id = t.equals("t3") ? value(rnd, 8) : Integer.valueOf(i);
                Integer a = value(rnd, 5), b = value(rnd, 4);
                String s = rnd.nextInt(5) == 0 ? null : String.valueOf((char) ('a' + rnd.nextInt(3)));
                c.execute("INSERT INTO " + t + " VALUES (?, ?, ?, ?)", id, a, b, s);
                try (var ins = backend.prepareStatement("INSERT INTO " + t + " VALUES (?, ?, ?, ?)")) {
                    ins.setObject(1, id, java.sql.Types.INTEGER);
                    ins.setObject(2, a, java.sql.Types.INTEGER);
                    ins.setObject(3, b, java.sql.Types.INTEGER);
                    ins.setObject(4, s, java.sql.Types.VARCHAR);
                    ins.executeUpdate();
                }
            }
        }
    }

    private static Integer value(Random rnd, int bound) { return rnd.nextInt(6) == 0 ? null : rnd.nextInt(bound); }

    private static void compare(Connection c, String sql, String which) throws SQLException {
        List<String> expected = new ArrayList<>();
        try (Statement st = backend.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= cols; i++) row.append(normal(rs.getObject(i))).append('|');
                expected.add(row.toString());
            }
        }
        List<Object[]> rows;
        try {
            rows = c.execute(sql).rows();
        } catch (HourglassException e) {
            fail(which + ": " + e.getMessage() + "\n  " + sql);
            return;
        }
        List<String> got = new ArrayList<>();
        for (Object[] r : rows) {
            StringBuilder row = new StringBuilder();
            for (Object v : r) row.append(normal(v)).append('|');
            got.add(row.toString());
        }
        expected.sort(null);
        got.sort(null);
        assertEquals(expected, got, which + ":\n  " + sql);
    }

    private static String normal(Object v) {
        return switch (v) {
            case null -> "NULL";
            case Number x -> new BigDecimal(x.toString()).stripTrailingZeros().toPlainString();
            default -> v.toString();
        };
    }

    private static void backend(String sql) throws SQLException {
        try (Statement st = backend.createStatement()) {
            st.execute(sql);
        }
    }

    /** One random query over t1, t2 and t3, in the SQL both databases read alike. */
    private static final class Generator {
        private final Random rnd;
        private int subqueries;

        Generator(Random rnd) { this.rnd = rnd; }

        private String table() { return TABLES[rnd.nextInt(TABLES.length)]; }

        private String number(List<String> aliases) { return aliases.get(rnd.nextInt(aliases.size())) + "." + NUMBERS[rnd.nextInt(NUMBERS.length)]; }

        private String constant() { return rnd.nextInt(12) == 0 ? "NULL" : String.valueOf(rnd.nextInt(6) - 1); }

        private String letter() { return "'" + (char) ('a' + rnd.nextInt(4)) + "'"; }

        String query() {
            int n = 1 + rnd.nextInt(3);
            List<String> aliases = new ArrayList<>();
            StringBuilder from = new StringBuilder(" FROM ");
            int group = 0; // (JOIN binds tighter than a comma: an ON sees the sources since the last comma)
            for (int i = 0; i < n; i++) {
                String alias = "x" + i;
                aliases.add(alias);
                if (i == 0) {
                    from.append(table()).append(' ').append(alias);
                    continue;
                }
                int kind = rnd.nextInt(n == 2 ? 4 : 3);
                List<String> joined = aliases.subList(group, aliases.size());
                switch (kind) {
                    case 0 -> {
                        from.append(", ").append(table()).append(' ').append(alias);
                        group = i;
                    }
                    case 1 -> from.append(" JOIN ").append(table()).append(' ').append(alias).append(" ON ").append(on(joined));
                    case 2 -> from.append(" LEFT JOIN ").append(table()).append(' ').append(alias).append(" ON ").append(on(joined));
                    // (PostgreSQL takes a FULL JOIN on equalities only)
                    default -> from.append(" FULL JOIN ").append(table()).append(' ').append(alias).append(" ON ").append(equality(joined))
                            .append(rnd.nextBoolean() ? " AND " + equality(joined) : "");
                }
            }
            String where = rnd.nextInt(5) == 0 ? "" : " WHERE " + predicate(aliases, 2);
            if (rnd.nextInt(4) == 0) {
                // grouped: by one or two columns, with aggregates, maybe HAVING
                String g1 = number(aliases), g2 = rnd.nextBoolean() ? number(aliases) : null;
                String groups = g2 == null || g2.equals(g1) ? g1 : g1 + ", " + g2;
                String arg = number(aliases);
                String select = "SELECT " + groups + ", COUNT(*), COUNT(" + arg + "), SUM(" + arg + "), MIN(" + number(aliases)
                        + "), MAX(" + aliases.getFirst() + ".c), COUNT(DISTINCT " + number(aliases) + ")";
                String having = rnd.nextInt(3) == 0 ? " HAVING COUNT(*) > " + rnd.nextInt(3) : "";
                return select + from + where + " GROUP BY " + groups + having;
            }
            StringBuilder select = new StringBuilder(rnd.nextInt(4) == 0 ? "SELECT DISTINCT " : "SELECT ");
            int items = 1 + rnd.nextInt(3);
            for (int i = 0; i < items; i++) {
                if (i > 0) select.append(", ");
                switch (rnd.nextInt(5)) {
                    case 0 -> select.append(aliases.get(rnd.nextInt(aliases.size()))).append(".c");
                    case 1 -> select.append(number(aliases)).append(" + ").append(number(aliases));
                    default -> select.append(number(aliases));
                }
            }
            return select.toString() + from + where;
        }

        /** An equality of the last source's column with one of a source before it. */
        private String equality(List<String> aliases) {
            return aliases.getLast() + "." + NUMBERS[rnd.nextInt(NUMBERS.length)] + " = " + number(aliases.subList(0, aliases.size() - 1));
        }

        /** A join's ON: an equality of the new source with one before it, and maybe more. */
        private String on(List<String> aliases) {
            String last = aliases.getLast();
            String eq = equality(aliases);
            return switch (rnd.nextInt(4)) {
                case 0 -> eq + " AND " + predicate(List.of(last), 0);
                case 1 -> eq + " AND " + predicate(aliases, 0);
                case 2 -> "(" + eq + " OR " + predicate(aliases, 0) + ")";
                default -> eq;
            };
        }

        private String predicate(List<String> aliases, int depth) {
            int choice = rnd.nextInt(depth > 0 ? 13 : 8);
            return switch (choice) {
                case 0, 1 -> number(aliases) + " " + op() + " " + constant();
                case 2 -> number(aliases) + " " + op() + " " + number(aliases);
                case 3 -> aliases.get(rnd.nextInt(aliases.size())) + ".c " + (rnd.nextBoolean() ? "= " : "<> ") + letter();
                case 4 -> (rnd.nextBoolean() ? number(aliases) : aliases.get(rnd.nextInt(aliases.size())) + ".c")
                        + (rnd.nextBoolean() ? " IS NULL" : " IS NOT NULL");
                case 5 -> number(aliases) + (rnd.nextBoolean() ? " IN (" : " NOT IN (") + constant() + ", " + constant()
                        + (rnd.nextBoolean() ? ", " + constant() : "") + ")";
                case 6 -> number(aliases) + (rnd.nextBoolean() ? " BETWEEN " : " NOT BETWEEN ") + constant() + " AND " + constant();
                case 7 -> number(aliases) + " + " + number(aliases) + " " + op() + " " + constant();
                case 8 -> "(" + predicate(aliases, depth - 1) + " AND " + predicate(aliases, depth - 1) + ")";
                case 9 -> "(" + predicate(aliases, depth - 1) + " OR " + predicate(aliases, depth - 1) + ")";
                case 10 -> "NOT (" + predicate(aliases, depth - 1) + ")";
                default -> subqueries++ < 2 ? subquery(aliases, depth) : predicate(aliases, depth - 1);
            };
        }

        /** EXISTS or IN over another table, correlated with the query's sources or not. */
        private String subquery(List<String> aliases, int depth) {
            String y = "y" + subqueries;
            List<String> inner = List.of(y);
            List<String> both = new ArrayList<>(aliases);
            both.add(y);
            String correlated = rnd.nextBoolean() ? y + "." + NUMBERS[rnd.nextInt(NUMBERS.length)] + " = " + number(aliases) : null;
            String own = rnd.nextBoolean() ? predicate(inner, 0) : null;
            String cond = correlated == null ? own : own == null ? correlated : correlated + " AND " + own;
            if (rnd.nextInt(4) == 0 && depth > 1) cond = (cond == null ? "" : cond + " AND ") + predicate(both, 0);
            String where = cond == null ? "" : " WHERE " + cond;
            String not = rnd.nextBoolean() ? "NOT " : "";
            if (rnd.nextBoolean()) return not + "EXISTS (SELECT 1 FROM " + table() + " " + y + where + ")";
            return number(aliases) + " " + not + "IN (SELECT " + y + "." + NUMBERS[rnd.nextInt(NUMBERS.length)] + " FROM " + table() + " " + y + where + ")";
        }

        private String op() { return List.of("=", "<>", "<", "<=", ">", ">=").get(rnd.nextInt(6)); }
    }
}
