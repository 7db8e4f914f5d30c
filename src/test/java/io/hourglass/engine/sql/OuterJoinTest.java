package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LEFT JOIN against the definition, computed here over random rows with NULLs: every left row
 * with each right row its ON condition holds for, or once with NULLs; WHERE after. Checked with
 * the right source read by each access path (a temporary hash index, a range index, a hash
 * index, a full scan), since each reaches "no row matched" by a different route.
 */
class OuterJoinTest {
    private record Row(int id, Integer k, Integer v) {}

    private static List<Row> fill(Connection c, String table, int n, Random r) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row row = new Row(i, r.nextInt(8) == 0 ? null : r.nextInt(60), r.nextInt(8) == 0 ? null : r.nextInt(100));
            c.execute("INSERT INTO " + table + " VALUES (?, ?, ?)", row.id(), row.k(), row.v());
            rows.add(row);
        }
        return rows;
    }

    private static List<String> expected(List<Row> a, List<Row> b, BiPredicate<Row, Row> on, Predicate<Row> where) {
        List<String> out = new ArrayList<>();
        for (Row x : a) {
            boolean matched = false;
            for (Row y : b) {
                if (!on.test(x, y)) continue;
                matched = true;
                if (where.test(y)) out.add(x.id() + "|" + y.id());
            }
            if (!matched && where.test(null)) out.add(x.id() + "|null");
        }
        out.sort(null);
        return out;
    }

    private static List<String> rows(Connection c, String sql) {
        List<String> out = new ArrayList<>(c.execute(sql).rows().stream().map(r -> r[0] + "|" + r[1]).toList());
        out.sort(null);
        return out;
    }

    private static boolean gt(Integer x, Integer y) { return x != null && y != null && x > y; }

    private static boolean eq(Integer x, Integer y) { return x != null && x.equals(y); }

    @Test
    void everyAccessPathJoinsAsTheDefinitionSays() {
        try (Instance inst = TestInstances.one("OJ")) {
            Connection c = inst.connect("OJ", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            Random r = new Random(7);
            c.setAutocommit(false);
            List<Row> a = fill(c, "a", 400, r), b = fill(c, "b", 500, r);
            c.commit();
            c.setAutocommit(true);

            BiPredicate<Row, Row> onKey = (x, y) -> eq(y.k(), x.k());
            BiPredicate<Row, Row> onKeyAndV = (x, y) -> eq(y.k(), x.k()) && gt(y.v(), x.v());
            Predicate<Row> all = y -> true;
            Predicate<Row> noMatch = y -> y == null;
            Predicate<Row> smallOrNull = y -> y == null || y.v() == null || y.v() < 30;
            List<String> byKey = expected(a, b, onKey, all);
            assertTrue(byKey.stream().filter(s -> s.endsWith("|null")).count() > 40, "left rows without a match");

            // The same joins, the right source read four ways: the equality as written (index or
            // temporary hash index), hidden from indexes (full scan).
            String[] keyed = {"b.k = a.k", "b.k >= a.k AND b.k <= a.k"};
            java.util.Set<String> paths = new java.util.TreeSet<>();
            for (String index : new String[] {null, "CREATE INDEX b_k ON b (k)", "CREATE HASH INDEX b_k ON b (k)"}) {
                if (index != null) c.execute(index);
                for (String on : keyed) {
                    String join = "SELECT a.id, b.id FROM a LEFT JOIN b ON " + on;
                    String path = String.valueOf(c.execute("EXPLAIN " + join).rows().get(1)[0]);
                    paths.add(path.replaceAll(" (ADMIN|ON|\\().*", ""));
                    assertEquals(byKey, rows(c, join), join);
                    assertEquals(expected(a, b, onKeyAndV, all), rows(c, join + " AND b.v > a.v"), join);
                    assertEquals(expected(a, b, onKeyAndV, noMatch), rows(c, join + " AND b.v > a.v WHERE b.id IS NULL"), join);
                    assertEquals(expected(a, b, onKey, smallOrNull), rows(c, join + " WHERE b.v IS NULL OR b.v < 30"), join);
                    // A condition on the left source in ON narrows the matches, never the left rows.
                    assertEquals(expected(a, b, (x, y) -> onKey.test(x, y) && gt(x.v(), 50), all),
                            rows(c, join + " AND a.v > 50"), join);
                }
                if (index != null) c.execute("DROP INDEX b_k");
            }
            assertEquals("[LEFT OUTER JOIN FULL SCAN, LEFT OUTER JOIN HASH INDEX LOOKUP, LEFT OUTER JOIN RANGE INDEX LOOKUP, "
                    + "LEFT OUTER JOIN RANGE INDEX SCAN, LEFT OUTER JOIN TEMPORARY HASH INDEX LOOKUP]", paths.toString());
            c.close();
        }
    }
}
