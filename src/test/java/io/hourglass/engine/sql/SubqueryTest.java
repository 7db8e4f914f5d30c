package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subqueries against their definitions, computed here over random rows with NULLs: IN and NOT
 * IN (three-valued: a NULL on either side makes a miss unknown), EXISTS, scalar and ANY/ALL,
 * uncorrelated (run once, IN hashed) and correlated (run per row, read through an index or a
 * scan), and the same questions inside UPDATE and DELETE.
 */
class SubqueryTest {
    private record Row(int id, Integer k, Integer v) {}

    private static List<Row> fill(Connection c, String table, int n, int keys, Random r) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row row = new Row(i, r.nextInt(10) == 0 ? null : r.nextInt(keys), r.nextInt(10) == 0 ? null : r.nextInt(100));
            c.execute("INSERT INTO " + table + " VALUES (?, ?, ?)", row.id(), row.k(), row.v());
            rows.add(row);
        }
        return rows;
    }

    /** The ids of {@code a}'s rows for which {@code where} is TRUE (not FALSE, not unknown). */
    private static List<Integer> expected(List<Row> a, Function<Row, Boolean> where) {
        return a.stream().filter(x -> Boolean.TRUE.equals(where.apply(x))).map(Row::id).sorted().toList();
    }

    private static List<Integer> ids(Connection c, String sql) {
        return c.execute(sql).rows().stream().map(r -> ((Number) r[0]).intValue()).sorted().toList();
    }

    /** {@code v IN values}, three-valued. */
    private static Boolean in(Integer v, List<Integer> values) {
        if (values.isEmpty()) return false;
        if (v == null) return null;
        if (values.contains(v)) return true;
        return values.contains(null) ? null : false;
    }

    private static Boolean not(Boolean b) { return b == null ? null : !b; }

    @Test
    void subqueriesAnswerAsTheirDefinitions() {
        try (Instance inst = TestInstances.one("SQ")) {
            Connection c = inst.connect("SQ", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            Random r = new Random(11);
            c.setAutocommit(false);
            List<Row> a = fill(c, "a", 300, 80, r), b = fill(c, "b", 400, 80, r);
            c.commit();
            c.setAutocommit(true);

            for (String index : new String[] {null, "CREATE INDEX b_k ON b (k)"}) {
                if (index != null) c.execute(index);
                for (int cut : new int[] {0, 5, 50, 101}) {
                    // Uncorrelated: b's values with v < cut (none, a few walked, many hashed, all with NULLs).
                    List<Integer> values = b.stream().filter(y -> y.v() != null && y.v() < cut).map(Row::k).toList();
                    String sub = "(SELECT b.k FROM b WHERE b.v < " + cut + ")";
                    assertEquals(expected(a, x -> in(x.k(), values)), ids(c, "SELECT a.id FROM a WHERE a.k IN " + sub), sub);
                    assertEquals(expected(a, x -> not(in(x.k(), values))), ids(c, "SELECT a.id FROM a WHERE a.k NOT IN " + sub), sub);
                    assertEquals(expected(a, x -> !values.isEmpty()), ids(c, "SELECT a.id FROM a WHERE EXISTS " + sub), sub);
                }
                // Correlated: b's rows with a's key.
                Function<Row, List<Row>> same = x -> b.stream().filter(y -> y.k() != null && y.k().equals(x.k())).toList();
                assertEquals(expected(a, x -> !same.apply(x).isEmpty()),
                        ids(c, "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k)"));
                assertEquals(expected(a, x -> same.apply(x).isEmpty()),
                        ids(c, "SELECT a.id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)"));
                // Conditions beside the correlation: one on b alone, one reading a's row (kept out
                // of the temporary index the executions share, checked on each probe).
                assertEquals(expected(a, x -> same.apply(x).stream().anyMatch(y -> y.v() != null && y.v() < 90
                                && x.v() != null && y.v() > x.v())),
                        ids(c, "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.v < 90 AND b.v > a.v)"));
                assertEquals(expected(a, x -> !same.apply(x).isEmpty()),
                        ids(c, "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k >= a.k AND b.k <= a.k)"));
                assertEquals(expected(a, x -> in(x.v(), same.apply(x).stream().map(Row::v).toList())),
                        ids(c, "SELECT a.id FROM a WHERE a.v IN (SELECT b.v FROM b WHERE b.k = a.k)"));
                assertEquals(expected(a, x -> not(in(x.v(), same.apply(x).stream().map(Row::v).toList()))),
                        ids(c, "SELECT a.id FROM a WHERE a.v NOT IN (SELECT b.v FROM b WHERE b.k = a.k)"));
                // Scalar: the group's maximum (NULL for none); ALL: above every v of the group.
                Function<Row, Integer> max = x -> same.apply(x).stream().map(Row::v).filter(Objects::nonNull).max(Integer::compare).orElse(null);
                assertEquals(expected(a, x -> x.v() == null || max.apply(x) == null ? null : x.v() > max.apply(x)),
                        ids(c, "SELECT a.id FROM a WHERE a.v > (SELECT MAX(b.v) FROM b WHERE b.k = a.k)"));
                assertEquals(expected(a, x -> {
                            List<Row> g = same.apply(x);
                            if (g.isEmpty()) return true;
                            if (x.v() == null) return null;
                            if (g.stream().anyMatch(y -> y.v() != null && x.v() <= y.v())) return false;
                            return g.stream().anyMatch(y -> y.v() == null) ? null : true;
                        }),
                        ids(c, "SELECT a.id FROM a WHERE a.v > ALL (SELECT b.v FROM b WHERE b.k = a.k)"));
                assertEquals(expected(a, x -> {
                            List<Row> g = same.apply(x);
                            if (x.v() == null) return g.isEmpty() ? false : null;
                            if (g.stream().anyMatch(y -> y.v() != null && x.v() < y.v())) return true;
                            return g.stream().anyMatch(y -> y.v() == null) ? null : false;
                        }),
                        ids(c, "SELECT a.id FROM a WHERE a.v < ANY (SELECT b.v FROM b WHERE b.k = a.k)"));
                if (index != null) c.execute("DROP INDEX b_k");
            }

            // In DML: the same rows as the query finds.
            List<Integer> gone = ids(c, "SELECT a.id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)");
            assertTrue(gone.size() > 10 && gone.size() < 200, "rows without a match: " + gone.size());
            c.setAutocommit(false);
            assertEquals(gone.size(), c.execute("DELETE FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)").updateCount());
            List<Integer> left = ids(c, "SELECT id FROM a");
            assertEquals(a.size() - gone.size(), left.size());
            assertTrue(left.stream().noneMatch(gone::contains));
            c.execute("UPDATE a SET v = (SELECT COUNT(*) FROM b WHERE b.k = a.k)");
            for (Object[] row : c.execute("SELECT id, k, v FROM a").rows()) {
                Integer k = row[1] == null ? null : ((Number) row[1]).intValue();
                long n = b.stream().filter(y -> y.k() != null && y.k().equals(k)).count();
                assertEquals(n, ((Number) row[2]).longValue(), "row " + row[0]);
            }
            c.rollback();
            c.close();
        }
    }
}
