package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random queries, and random changes, against a real PostgreSQL: the same tables and rows in
 * both (small domains, many NULLs, duplicates, indexes of several kinds here), the same statement
 * text, and the same rows back (compared as multisets unless the query sorts every column) or the
 * same count and table contents. The statements stay within SQL both read alike (no division, no
 * empty string or concatenation, one-letter strings, which every collation orders the same):
 * joins of every kind this engine plans (comma, INNER, LEFT, FULL, self joins, views, derived
 * tables), three-valued conditions, IN, row IN and EXISTS subqueries correlated or not,
 * aggregates, window functions, set operations. Each planner path (access by index, temporary
 * hash join, semi-join, join order) then has the standard's answer to meet.
 */
class RandomQueryTest {
    @RegisterExtension
    static final PostgresReference PG = new PostgresReference();

    private static final String[] TABLES = {"t1", "t2", "t3"};
    /** The number columns: integers, and d, a NUMBER(5,1) with tenths (compared with the integers across types). */
    private static final String[] NUMBERS = {"id", "a", "b", "d"};
    private static final int QUERIES_PER_SEED = 400;
    /** Seeds run (each: new rows, then its queries); a longer hunt: {@code -Dhourglass.random-query-seeds=200}. */
    private static final int SEEDS = Integer.getInteger("hourglass.random-query-seeds", 10);

    /** The three tables, here and (made again) on PostgreSQL, with indexes of every kind here. */
    private static void schema(Connection c) throws SQLException {
        List<String> ddl = List.of(
                "CREATE TABLE t1 (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c VARCHAR(4), d %s(5,1))",
                "CREATE TABLE t2 (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c VARCHAR(4), d %s(5,1))",
                "CREATE TABLE t3 (id INTEGER, a INTEGER, b INTEGER, c VARCHAR(4), d %s(5,1))",
                "CREATE INDEX t1_a ON t1 (a)", "CREATE INDEX t2_ab ON t2 (a, b)", "CREATE INDEX t3_c ON t3 (c)", "CREATE INDEX t1_d ON t1 (d)");
        for (String d : ddl) c.execute(d.formatted("NUMBER", "NUMBER", "NUMBER"));
        c.execute("CREATE HASH INDEX t3_b ON t3 (b)");
        c.execute("CREATE HASH INDEX t2_d ON t2 (d)");
        PG.run("DROP TABLE IF EXISTS t1, t2, t3 CASCADE");
        for (String d : ddl) PG.run(d.formatted("NUMERIC", "NUMERIC", "NUMERIC"));
        PG.run("CREATE INDEX t3_b ON t3 (b)");
        String view = "CREATE VIEW v1 AS SELECT id, a, b, c, d FROM t2 WHERE b IS NOT NULL";
        c.execute(view);
        PG.run(view);
    }

    @Test
    void randomQueriesAgreeWithPostgres() throws Exception {
        try (Instance inst = TestInstances.one("RQ"); Connection c = inst.connect("RQ", "admin", TestInstances.ADMIN_PASSWORD)) {
            schema(c);
            int compared = 0, prepared = 0;
            for (int seed = 1; seed <= SEEDS; seed++) {
                Random rnd = new Random(seed);
                fill(c, rnd);
                for (int q = 0; q < QUERIES_PER_SEED; q++) {
                    Generator g = new Generator(rnd);
                    g.parameters = rnd.nextInt(3) == 0 ? new ArrayList<>() : null;
                    Generator.Query query = g.query();
                    String which = "seed " + seed + ", query " + q;
                    if (g.parameters == null || g.parameters.isEmpty()) {
                        compare(c, query.sql(), query.ordered(), which);
                    } else {
                        // prepared once, run with its values, then with others of the same kinds
                        var statement = c.prepare(query.sql());
                        compare(c, statement, query.sql(), g.parameters, query.ordered(), which + " " + g.parameters);
                        List<Object> again = g.redraw();
                        compare(c, statement, query.sql(), again, query.ordered(), which + " again " + again);
                        prepared++;
                    }
                    compared++;
                }
            }
            assertEquals(SEEDS * QUERIES_PER_SEED, compared);
            assertTrue(prepared > compared / 10, prepared + " of " + compared + " queries prepared with parameters");
        }
    }

    private static final int CHANGES_PER_SEED = 60;

    /**
     * Random UPDATE, DELETE, MERGE and INSERT ... SELECT statements, their conditions and values
     * with subqueries that may read the table being changed (which must see it as the statement
     * began): the same count from both (or both refuse it), then the same rows in the table, then
     * a query.
     */
    @Test
    void randomChangesAgreeWithPostgres() throws Exception {
        try (Instance inst = TestInstances.one("RC"); Connection c = inst.connect("RC", "admin", TestInstances.ADMIN_PASSWORD)) {
            schema(c);
            int changes = 0;
            for (int seed = 1; seed <= SEEDS; seed++) {
                Random rnd = new Random(-seed);
                fill(c, rnd);
                for (int k = 0; k < CHANGES_PER_SEED; k++) {
                    // (t3 grows by INSERT ... SELECT only while it is small: a join of it with itself must fit TempSize)
                    boolean small = ((Number) c.execute("SELECT COUNT(*) FROM t3").rows().getFirst()[0]).intValue() < 40;
                    String[] change = new Generator(rnd).change(small);
                    String which = "seed " + seed + ", change " + k + ":\n  " + change[1];
                    Integer expected;
                    String refused = null;
                    try (Statement st = PG.connection().createStatement()) {
                        expected = st.executeUpdate(change[1]);
                    } catch (SQLException e) {
                        expected = null; // (a MERGE that meets a row twice, a key inserted twice): refused here too, nothing changed
                        refused = e.getMessage();
                    }
                    if (expected == null) {
                        assertThrows(HourglassException.class, () -> c.execute(change[1]), which + "\n  PostgreSQL: " + refused);
                    } else {
                        try {
                            assertEquals(expected.longValue(), c.execute(change[1]).updateCount(), which);
                        } catch (HourglassException e) {
                            fail(which + "\n  " + e.getMessage());
                        }
                    }
                    compare(c, "SELECT id, a, b, c, d FROM " + change[0], false, which);
                    Generator.Query query = new Generator(rnd).query();
                    compare(c, query.sql(), query.ordered(), which + "\n  then: " + query.sql());
                    changes++;
                }
            }
            assertEquals(SEEDS * CHANGES_PER_SEED, changes);
        }
    }

    /** Rows with values from small domains, so that joins match and groups repeat; a NULL in every column but t1's and t2's keys. */
    private static void fill(Connection c, Random rnd) throws SQLException {
        for (String t : TABLES) {
            c.execute("DELETE FROM " + t);
            PG.run("DELETE FROM " + t);
            int n = 5 + rnd.nextInt(25);
            for (int i = 0; i < n; i++) {
                Integer id = t.equals("t3") ? value(rnd, 8) : Integer.valueOf(i);
                Integer a = value(rnd, 5), b = value(rnd, 4);
                String s = rnd.nextInt(5) == 0 ? null : String.valueOf((char) ('a' + rnd.nextInt(3)));
                BigDecimal d = rnd.nextInt(6) == 0 ? null : BigDecimal.valueOf(rnd.nextInt(50) - 10, 1);
                c.execute("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?)", id, a, b, s, d);
                try (var ins = PG.connection().prepareStatement("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?)")) {
                    ins.setObject(1, id, java.sql.Types.INTEGER);
                    ins.setObject(2, a, java.sql.Types.INTEGER);
                    ins.setObject(3, b, java.sql.Types.INTEGER);
                    ins.setObject(4, s, java.sql.Types.VARCHAR);
                    ins.setObject(5, d, java.sql.Types.NUMERIC);
                    ins.executeUpdate();
                }
            }
        }
    }

    private static Integer value(Random rnd, int bound) { return rnd.nextInt(6) == 0 ? null : rnd.nextInt(bound); }

    /** The same rows from both, in the same order if {@code ordered}, else as multisets. */
    private static void compare(Connection c, String sql, boolean ordered, String which) throws SQLException {
        compare(c, null, sql, List.of(), ordered, which);
    }

    /** As {@link #compare(Connection, String, boolean, String)}, with parameters, through {@code prepared} here if not null. */
    private static void compare(Connection c, PreparedStatement prepared, String sql, List<Object> params, boolean ordered, String which)
            throws SQLException {
        List<String> expected = new ArrayList<>();
        try (java.sql.PreparedStatement st = PG.connection().prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                switch (params.get(i)) {
                    case null -> st.setNull(i + 1, java.sql.Types.NUMERIC);
                    case Long l -> st.setLong(i + 1, l);
                    case BigDecimal d -> st.setBigDecimal(i + 1, d);
                    default -> throw new IllegalArgumentException(String.valueOf(params.get(i)));
                }
            }
            try (ResultSet rs = st.executeQuery()) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= cols; i++) row.append(normal(rs.getObject(i))).append('|');
                    expected.add(row.toString());
                }
            }
        }
        List<Object[]> rows;
        try {
            rows = (prepared == null ? c.execute(sql, params.toArray()) : c.execute(prepared, params.toArray())).rows();
        } catch (HourglassException e) {
            // (a result of 100,000s of rows, a cross join of t3 grown by INSERTs, may pass TempSize: the limit, not a wrong answer)
            if (e.number() == 802 && expected.size() > 20_000) return;
            fail(which + ": " + e.getMessage() + "\n  " + sql);
            return;
        }
        List<String> got = new ArrayList<>();
        for (Object[] r : rows) {
            StringBuilder row = new StringBuilder();
            for (Object v : r) row.append(normal(v)).append('|');
            got.add(row.toString());
        }
        if (!ordered) {
            expected.sort(null);
            got.sort(null);
        }
        assertEquals(expected, got, which + ":\n  " + sql);
    }

    private static String normal(Object v) {
        return switch (v) {
            case null -> "NULL";
            // (to 9 decimals: AVG's digits differ, PostgreSQL's 16 against Oracle's 38)
            case Number x -> new BigDecimal(x.toString()).setScale(9, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
            default -> v.toString();
        };
    }


    /** One random query over t1, t2 and t3, in the SQL both databases read alike. */
    private static final class Generator {
        private final Random rnd;
        private int subqueries;
        /** Non-null: constants are written as parameters, their values collected here (Long, BigDecimal or null). */
        List<Object> parameters;

        Generator(Random rnd) { this.rnd = rnd; }

        private String table() { return TABLES[rnd.nextInt(TABLES.length)]; }

        private String number(List<String> aliases) { return aliases.get(rnd.nextInt(aliases.size())) + "." + NUMBERS[rnd.nextInt(NUMBERS.length)]; }

        private String constant() {
            Object v = constantValue(rnd.nextInt(12));
            if (parameters != null) {
                parameters.add(v);
                return "?";
            }
            return v == null ? "NULL" : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
        }

        /** A constant of kind {@code kind}: 0 NULL, 1 and 2 tenths, else an integer. */
        private Object constantValue(int kind) {
            return switch (kind) {
                case 0 -> null;
                case 1, 2 -> BigDecimal.valueOf(rnd.nextInt(50) - 10, 1);
                default -> (long) (rnd.nextInt(6) - 1);
            };
        }

        /** New values for the parameters, each of its kind (a NULL now and then in any). */
        List<Object> redraw() {
            List<Object> again = new ArrayList<>();
            for (Object p : parameters) again.add(constantValue(rnd.nextInt(10) == 0 ? 0 : p instanceof BigDecimal ? 1 : 3));
            return again;
        }

        private String letter() { return "'" + (char) ('a' + rnd.nextInt(4)) + "'"; }

        /** {table, statement}: an UPDATE or DELETE of a table's rows, or (if {@code mayInsert}) an INSERT ... SELECT into t3. */
        String[] change(boolean mayInsert) {
            String t = table();
            List<String> x = List.of("x");
            String where = rnd.nextInt(5) == 0 ? "" : " WHERE " + predicate(x, 2);
            return switch (rnd.nextInt(mayInsert ? 6 : 5)) {
                case 0, 1 -> {
                    int first = rnd.nextInt(3), second = (first + 1 + rnd.nextInt(2)) % 3; // two different columns of a, b, d
                    yield new String[] {t, "UPDATE " + t + " x SET " + "abd".charAt(first) + " = " + value(x)
                            + (rnd.nextBoolean() ? ", " + "abd".charAt(second) + " = " + value(x) : "") + where};
                }
                case 2 -> new String[] {t, "UPDATE " + t + " x SET c = " + (rnd.nextBoolean() ? letter() : "NULL") + where};
                case 3 -> new String[] {t, "DELETE FROM " + t + " x" + where};
                case 4 -> merge(mayInsert);
                default -> new String[] {"t3", "INSERT INTO t3 SELECT x.id, x.a, x.b, x.c, x.d FROM " + t + " x" + where};
            };
        }

        /**
         * A MERGE of a table or a query into a table, on its key (t1, t2) or on a (t3), updating
         * columns the ON does not name (Oracle refuses the others) and inserting the source's
         * rows. A source row matching a target row twice, or a key inserted twice, fails in both.
         */
        private String[] merge(boolean mayInsert) {
            String t = table();
            boolean keyed = !t.equals("t3");
            String source = rnd.nextBoolean() ? table()
                    : "(SELECT z.id, z.a, z.b, z.c, z.d FROM " + table() + " z WHERE " + predicate(List.of("z"), 1) + ")";
            List<String> both = List.of("x", "s"), s = List.of("s");
            StringBuilder sql = new StringBuilder("MERGE INTO " + t + " x USING " + source + " s ON (" + (keyed ? "x.id = s.id" : "x.a = s.a")
                    + (rnd.nextInt(3) == 0 ? " AND " + predicate(s, 0) : "") + ")");
            boolean matched = rnd.nextInt(3) != 0;
            boolean notMatched = (keyed || mayInsert) && (!matched || rnd.nextBoolean());
            if (matched || !notMatched) {
                sql.append(" WHEN MATCHED THEN UPDATE SET d = ").append(mergeValue(both));
                if (rnd.nextBoolean()) sql.append(", ").append(keyed ? "a" : "b").append(" = ").append(mergeValue(both));
            }
            if (notMatched) sql.append(" WHEN NOT MATCHED THEN INSERT (id, a, b, c, d) VALUES (s.id, ").append(mergeValue(s)).append(", s.b, s.c, s.d)");
            return new String[] {t, sql.toString()};
        }

        private String mergeValue(List<String> aliases) {
            return switch (rnd.nextInt(3)) {
                case 0 -> constant();
                case 1 -> number(aliases) + " + " + number(aliases);
                default -> number(aliases);
            };
        }

        /** A new value for a number column of {@code x}: from its row, a constant, or a subquery over a table (itself maybe). */
        private String value(List<String> x) {
            return switch (rnd.nextInt(5)) {
                case 0 -> constant();
                case 1 -> "(SELECT MAX(w.b) FROM " + table() + " w WHERE w.a = " + number(x) + ")";
                case 2 -> "CASE WHEN " + predicate(x, 0) + " THEN " + number(x) + " ELSE " + constant() + " END";
                default -> number(x) + " + " + (rnd.nextInt(3) - 1);
            };
        }

        /** A query's text, how many columns it gives, and whether its rows come in an order both must keep. */
        record Query(String sql, int width, boolean ordered) {}

        /** A query, maybe sorted by every column it gives (ties are then equal rows) and limited. */
        Query query() {
            Query q = rnd.nextInt(8) == 0 ? setOperation() : select();
            // (not a ROLLUP: PostgreSQL, 17 included, drops a sort key it deduces constant from an
            // equality, though ROLLUP's total rows have it NULL, and so sorts them wrong)
            if (rnd.nextInt(3) != 0 || q.sql().contains("ROLLUP")) return q;
            StringBuilder order = new StringBuilder(" ORDER BY ");
            for (int i = 1; i <= q.width(); i++) order.append(i > 1 ? ", " : "").append(i).append(rnd.nextBoolean() ? " DESC" : "");
            if (rnd.nextBoolean()) order.append(" LIMIT ").append(rnd.nextInt(6));
            return new Query(q.sql() + order, q.width(), true);
        }

        /** Two queries of one table each, of as many number columns, under UNION [ALL], INTERSECT or EXCEPT. */
        private Query setOperation() {
            int width = 1 + rnd.nextInt(2);
            String op = List.of(" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT ").get(rnd.nextInt(4));
            return new Query(term(width) + op + term(width), width, false);
        }

        private String term(int width) {
            List<String> x = List.of("x0");
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < width; i++) sql.append(i > 0 ? ", " : "").append(number(x));
            sql.append(" FROM ").append(table()).append(" x0");
            if (rnd.nextBoolean()) sql.append(" WHERE ").append(predicate(x, 1));
            return sql.toString();
        }

        private Query select() {
            int n = 1 + rnd.nextInt(3);
            List<String> aliases = new ArrayList<>();
            StringBuilder from = new StringBuilder(" FROM ");
            int group = 0; // (JOIN binds tighter than a comma: an ON sees the sources since the last comma)
            for (int i = 0; i < n; i++) {
                String alias = "x" + i;
                aliases.add(alias);
                if (i == 0) {
                    from.append(source()).append(' ').append(alias);
                    continue;
                }
                int kind = rnd.nextInt(n == 2 ? 4 : 3);
                List<String> joined = aliases.subList(group, aliases.size());
                switch (kind) {
                    case 0 -> {
                        from.append(", ").append(source()).append(' ').append(alias);
                        group = i;
                    }
                    case 1 -> from.append(" JOIN ").append(source()).append(' ').append(alias).append(" ON ").append(on(joined));
                    case 2 -> from.append(" LEFT JOIN ").append(source()).append(' ').append(alias).append(" ON ").append(on(joined));
                    // (PostgreSQL takes a FULL JOIN on equalities only)
                    default -> from.append(" FULL JOIN ").append(source()).append(' ').append(alias).append(" ON ").append(equality(joined))
                            .append(rnd.nextBoolean() ? " AND " + equality(joined) : "");
                }
            }
            String where = rnd.nextInt(5) == 0 ? "" : " WHERE " + predicate(aliases, 2);
            if (rnd.nextInt(4) == 0) return grouped(aliases, from + where);
            StringBuilder select = new StringBuilder(rnd.nextInt(4) == 0 ? "SELECT DISTINCT " : "SELECT ");
            int items = 1 + rnd.nextInt(3);
            for (int i = 0; i < items; i++) select.append(i > 0 ? ", " : "").append(item(aliases));
            return new Query(select.toString() + from + where, items, false);
        }

        /** A table, or now and then a query of one in its place (a derived table with the same columns). */
        private String source() {
            if (rnd.nextInt(12) == 0) return "v1";
            if (rnd.nextInt(6) != 0) return table();
            return "(SELECT z.id, z.a, z.b, z.c, z.d FROM " + table() + " z WHERE " + predicate(List.of("z"), 1) + ")";
        }

        /** A select-list item: a column, a sum, a CASE, a COALESCE, a scalar subquery or a window function. */
        private String item(List<String> aliases) {
            String alias = aliases.get(rnd.nextInt(aliases.size()));
            return switch (rnd.nextInt(12)) {
                case 0 -> alias + ".c";
                case 1 -> number(aliases) + " + " + number(aliases);
                case 2 -> "CASE WHEN " + predicate(aliases, 0) + " THEN " + number(aliases) + " ELSE " + constant() + " END";
                case 3 -> "COALESCE(" + number(aliases) + ", " + number(aliases) + ", " + rnd.nextInt(5) + ")";
                case 4 -> "(SELECT MAX(w.a) FROM " + table() + " w WHERE w.b = " + number(aliases) + ")";
                case 5 -> "RANK() OVER (PARTITION BY " + number(aliases) + " ORDER BY " + number(aliases) + ")";
                case 6 -> "COUNT(*) OVER (PARTITION BY " + alias + ".c)";
                case 7 -> List.of("UPPER(", "LENGTH(", "LOWER(").get(rnd.nextInt(3)) + alias + ".c)";
                case 8 -> "SUBSTR(" + alias + ".c, 1, 1)";
                default -> number(aliases);
            };
        }

        /** Grouped by one or two columns (or their ROLLUP), with aggregates, maybe HAVING. */
        private Query grouped(List<String> aliases, String fromWhere) {
            String g1 = number(aliases), g2 = rnd.nextBoolean() ? number(aliases) : null;
            boolean two = g2 != null && !g2.equals(g1);
            String groups = two ? g1 + ", " + g2 : g1;
            String arg = number(aliases);
            String select = "SELECT " + groups + ", COUNT(*), COUNT(" + arg + "), SUM(" + arg + "), MIN(" + number(aliases)
                    + "), MAX(" + aliases.getFirst() + ".c), COUNT(DISTINCT " + number(aliases) + ")";
            String by = groups;
            int width = (two ? 2 : 1) + 6;
            if (rnd.nextInt(4) == 0) {
                by = "ROLLUP(" + groups + ")";
                select += ", GROUPING(" + g1 + ")";
                width++;
            }
            String having = rnd.nextInt(3) == 0 ? " HAVING COUNT(*) > " + rnd.nextInt(3) : "";
            return new Query(select + fromWhere + " GROUP BY " + by + having, width, false);
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
                case 3 -> text(aliases);
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
            if (rnd.nextInt(3) == 0) {
                return "(" + number(aliases) + ", " + number(aliases) + ") " + not + "IN (SELECT " + y + ".a, " + y + ".b FROM "
                        + table() + " " + y + where + ")";
            }
            return number(aliases) + " " + not + "IN (SELECT " + y + "." + NUMBERS[rnd.nextInt(NUMBERS.length)] + " FROM " + table() + " " + y + where + ")";
        }

        /** A condition on a string column: a comparison, LIKE, or a function of it. */
        private String text(List<String> aliases) {
            String c = aliases.get(rnd.nextInt(aliases.size())) + ".c";
            return switch (rnd.nextInt(6)) {
                case 0 -> c + " " + op() + " " + letter();
                case 1 -> c + (rnd.nextBoolean() ? " LIKE " : " NOT LIKE ") + List.of("'a%'", "'_'", "'%b'", "'%'", "'c_'").get(rnd.nextInt(5));
                case 2 -> "UPPER(" + c + ") = " + letter().toUpperCase(java.util.Locale.ROOT);
                case 3 -> c + " = " + aliases.get(rnd.nextInt(aliases.size())) + ".c";
                case 4 -> c + " IN (" + letter() + ", " + letter() + ")";
                default -> c + (rnd.nextBoolean() ? " = " : " <> ") + letter();
            };
        }

        private String op() { return List.of("=", "<>", "<", "<=", ">", ">=").get(rnd.nextInt(6)); }
    }
}
