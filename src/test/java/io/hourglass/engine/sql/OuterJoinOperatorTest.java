package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oracle's outer join operator gives the rows of the LEFT JOIN it stands for: random outer joins
 * of three tables (a chain, a star, one beside an inner join), their conditions and filters
 * random, written with (+) in a random FROM order and with the sides of each equality swapped at
 * random, against the same joins written with LEFT JOIN and against themselves read in that
 * written order (pinned), the planner free to reorder both (the conformance suite pins the rows
 * of the LEFT JOINs themselves, and the errors).
 */
class OuterJoinOperatorTest {
    private static final String[] FILTERS = {"b.v IS NULL", "a.y > %d", "b.v = %d", "(b.v > %d OR a.y < 3)", "a.x IS NOT NULL"};

    @Test
    void randomOuterJoinsGiveTheRowsOfTheirLeftJoins() {
        try (Instance inst = TestInstances.one("OJ")) {
            Random rnd = new Random(20261123);
            Connection c = open(inst, rnd, 40, 60, 60);

            int nullExtended = 0, rows = 0, reordered = 0;
            for (int q = 0; q < 300; q++) {
                int shape = rnd.nextInt(3);
                int k = rnd.nextInt(10);
                List<String> marked = new ArrayList<>(), where = new ArrayList<>();
                String join;
                // b outer joined to a
                marked.add(eq(rnd, "a.x", "b.aid(+)"));
                String onB = "a.x = b.aid";
                if (rnd.nextBoolean()) {
                    marked.add("b.v(+) > " + k);
                    onB += " AND b.v > " + k;
                }
                switch (shape) {
                    case 0 -> { // a chain: c outer joined to b
                        marked.add(eq(rnd, "b.id", "c.bid(+)"));
                        join = "a LEFT JOIN b ON " + onB + " LEFT JOIN c ON b.id = c.bid";
                    }
                    case 1 -> { // a star: c outer joined to a too
                        marked.add(eq(rnd, "a.y", "c.bid(+)"));
                        boolean narrowed = rnd.nextBoolean();
                        if (narrowed) marked.add("c.w(+) <> " + k);
                        join = "a LEFT JOIN b ON " + onB + " LEFT JOIN c ON a.y = c.bid" + (narrowed ? " AND c.w <> " + k : "");
                    }
                    default -> { // c inner joined to a beside the outer join
                        where.add(eq(rnd, "c.bid", "a.id"));
                        join = "a LEFT JOIN b ON " + onB + " JOIN c ON c.bid = a.id";
                    }
                }
                for (int f = rnd.nextInt(3); f > 0; f--) where.add(String.format(FILTERS[rnd.nextInt(FILTERS.length)], rnd.nextInt(10)));
                List<String> from = new ArrayList<>(List.of("a", "b", "c"));
                Collections.shuffle(from, rnd);
                List<String> all = new ArrayList<>(marked);
                all.addAll(where);
                Collections.shuffle(all, rnd);
                String select = "SELECT a.id, b.id, c.id FROM ";
                String withMarks = select + String.join(", ", from) + " WHERE " + String.join(" AND ", all);
                String withJoins = select + join + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));

                List<String> expected = sorted(c, withJoins), actual = sorted(c, withMarks);
                assertEquals(expected, actual, withMarks + "\n  as  " + withJoins);
                // and as read in the order the LEFT JOINs are written, whatever order the planner took
                List<String> plan = TestInstances.rows(c, "EXPLAIN " + withMarks);
                c.setAutocommit(false);
                c.execute("CALL ttOptSetOrder('a b c')");
                assertEquals(expected, sorted(c, withMarks), withMarks + "\n  pinned to a b c");
                if (!plan.equals(TestInstances.rows(c, "EXPLAIN " + withMarks))) reordered++;
                c.execute("ROLLBACK");
                c.setAutocommit(true);
                rows += actual.size();
                for (String r : actual) if (r.split("\\|")[1].equals("null")) nullExtended++;
            }
            // The joins really were outer: many rows kept a row of a without a match in b.
            assertTrue(nullExtended > 100 && rows > 1_000, nullExtended + " null-extended rows of " + rows);
            assertTrue(reordered > 50, "read in another order than a b c: " + reordered); // (150 of 300 when written)
        }
    }

    @Test
    void aPreparedQueryWithMarksRunsAgainWithOtherParameters() {
        try (Instance inst = TestInstances.one("OJ")) {
            Connection c = open(inst, new Random(7), 30, 50, 0);
            var p = c.prepare("SELECT a.id, b.id FROM b, a WHERE b.aid(+) = a.x AND b.v(+) >= ? AND a.y <> ?");
            for (int k = 0; k < 10; k++) {
                List<String> expected = sorted(c, "SELECT a.id, b.id FROM a LEFT JOIN b ON b.aid = a.x AND b.v >= " + k + " WHERE a.y <> " + (9 - k));
                assertEquals(expected, TestInstances.rows(c.execute(p, k, 9 - k)).stream().sorted().toList(), "k=" + k);
            }
        }
    }

    /** Tables a, b and c of that many rows; b is read by index, c through a temporary hash index. */
    private static Connection open(Instance inst, Random rnd, int a, int b, int c) {
        Connection conn = inst.connect("OJ", "admin", TestInstances.ADMIN_PASSWORD);
        conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER)");
        conn.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, aid INTEGER, v INTEGER)");
        conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, bid INTEGER, w INTEGER)");
        conn.execute("CREATE INDEX b_aid ON b (aid)");
        load(conn, "a", a, rnd);
        load(conn, "b", b, rnd);
        load(conn, "c", c, rnd);
        return conn;
    }

    /** {@code l = r} or {@code r = l}. */
    private static String eq(Random rnd, String l, String r) { return rnd.nextBoolean() ? l + " = " + r : r + " = " + l; }

    /** {@code n} rows of ids 0.. and two columns of 0..9, an eighth of them NULL. */
    private static void load(Connection c, String table, int n, Random rnd) {
        var ins = c.prepare("INSERT INTO " + table + " VALUES (?, ?, ?)");
        for (int i = 0; i < n; i++) c.execute(ins, i, value(rnd), value(rnd));
    }

    private static Integer value(Random rnd) { return rnd.nextInt(8) == 0 ? null : rnd.nextInt(10); }

    private static List<String> sorted(Connection c, String sql) { return TestInstances.rows(c, sql).stream().sorted().toList(); }
}
