package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FULL OUTER JOIN against its definition, computed here from the rows themselves: the pairs the
 * ON condition accepts, each left row no pair has with NULLs, each right row no pair has with
 * NULLs, then WHERE (three-valued: a comparison with NULL is not true). Random tables with NULLs
 * and duplicates, random ON and WHERE conditions, read through an index, a temporary hash index
 * or a scan, either table on the left.
 */
class FullOuterJoinTest {
    /** A row: id, x, y (x and y NULL at times). */
    private record Row(int id, Integer x, Integer y) {}

    /** A condition as SQL (with {@code L} and {@code R} for the two sides) and as it holds of a left and a right row (either null for NULLs). */
    private record Cond(String sql, BiPredicate<Row, Row> holds) {}

    private static boolean gt(Integer v, int k) { return v != null && v > k; }

    private static boolean eq(Integer a, Integer b) { return a != null && b != null && a.equals(b); }

    @Test
    void randomFullJoinsGiveTheirDefinitionsRows() {
        try (Instance inst = TestInstances.one("FJ")) {
            Connection c = inst.connect("FJ", "admin", TestInstances.ADMIN_PASSWORD);
            Random rnd = new Random(20261123);
            List<Row> p = load(c, "p", 60, rnd), q = load(c, "q", 80, rnd);
            c.execute("CREATE INDEX p_x ON p (x)"); // p on the right: read through its index; q on the right: a temporary hash index
            int unmatchedRight = 0, total = 0;
            for (int round = 0; round < 200; round++) {
                boolean swap = rnd.nextBoolean();
                String left = swap ? "q" : "p", right = swap ? "p" : "q";
                List<Row> lrows = swap ? q : p, rrows = swap ? p : q;
                int k = rnd.nextInt(10);
                List<Cond> on = new ArrayList<>(List.of(new Cond("L.x = R.x", (l, r) -> eq(l.x(), r.x()))));
                if (rnd.nextBoolean()) on.add(new Cond("R.y > " + k, (l, r) -> gt(r.y(), k)));
                if (rnd.nextBoolean()) on.add(new Cond("L.y > " + k, (l, r) -> gt(l.y(), k)));
                List<Cond> where = new ArrayList<>();
                switch (rnd.nextInt(5)) {
                    case 0 -> { }
                    case 1 -> where.add(new Cond("L.id IS NULL", (l, r) -> l == null));
                    case 2 -> where.add(new Cond("R.y > " + k, (l, r) -> r != null && gt(r.y(), k)));
                    case 3 -> where.add(new Cond("L.x = " + k, (l, r) -> l != null && eq(l.x(), k)));
                    default -> where.add(new Cond("(L.y > " + k + " OR R.id IS NULL)", (l, r) -> l != null && gt(l.y(), k) || r == null));
                }
                String sql = "SELECT L.id, R.id FROM " + left + " L FULL JOIN " + right + " R ON "
                        + String.join(" AND ", on.stream().map(Cond::sql).toList())
                        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where.stream().map(Cond::sql).toList()));

                List<String> expected = new ArrayList<>();
                boolean[] rightMatched = new boolean[rrows.size()];
                for (Row l : lrows) {
                    boolean matched = false;
                    for (int j = 0; j < rrows.size(); j++) {
                        Row r = rrows.get(j);
                        if (on.stream().allMatch(cond -> cond.holds().test(l, r))) {
                            matched = true;
                            rightMatched[j] = true;
                            keep(expected, where, l, r);
                        }
                    }
                    if (!matched) keep(expected, where, l, null);
                }
                for (int j = 0; j < rrows.size(); j++) {
                    if (!rightMatched[j] && keep(expected, where, null, rrows.get(j))) unmatchedRight++;
                }
                List<String> actual = TestInstances.rows(c, sql).stream().sorted().toList();
                assertEquals(expected.stream().sorted().toList(), actual, sql);
                total += actual.size();
            }
            assertTrue(unmatchedRight > 200 && total > 5_000, unmatchedRight + " unmatched right rows of " + total);
        }
    }

    /** Adds the joined row if WHERE keeps it; whether it did. */
    private static boolean keep(List<String> out, List<Cond> where, Row l, Row r) {
        if (!where.stream().allMatch(cond -> cond.holds().test(l, r))) return false;
        out.add((l == null ? "null" : String.valueOf(l.id())) + "|" + (r == null ? "null" : String.valueOf(r.id())));
        return true;
    }

    private static List<Row> load(Connection c, String table, int n, Random rnd) {
        c.execute("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER)");
        var ins = c.prepare("INSERT INTO " + table + " VALUES (?, ?, ?)");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row r = new Row(i, rnd.nextInt(6) == 0 ? null : rnd.nextInt(12), rnd.nextInt(6) == 0 ? null : rnd.nextInt(10));
            c.execute(ins, r.id(), r.x(), r.y());
            rows.add(r);
        }
        return rows;
    }
}
