package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Window functions against their definitions, row by row, over random tables with NULLs in
 * the partition, order and argument columns (the fixed cases are in 14_window_functions.test).
 */
class WindowFunctionTest {
    /** ORDER BY's order of two values: NULLs last ascending; descending is the reverse (NULLs first), as Oracle's. */
    private static int asc(Integer a, Integer b) {
        if (a == null || b == null) return a == b ? 0 : a == null ? 1 : -1;
        return Integer.compare(a, b);
    }

    private record R(long id, Integer d, Integer s, Integer x) {}

    @Test
    void everyWindowFunctionMatchesItsDefinition() {
        try (Instance inst = TestInstances.one("WF"); Connection c = inst.connect("WF", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE w (id INTEGER PRIMARY KEY, d INTEGER, s INTEGER, x INTEGER)");
            for (int seed = 1; seed <= 6; seed++) {
                Random rnd = new Random(seed);
                c.execute("DELETE FROM w");
                List<R> rows = new ArrayList<>();
                int n = 20 + rnd.nextInt(200);
                for (int i = 0; i < n; i++) {
                    R r = new R(i, rnd.nextInt(5) == 0 ? null : rnd.nextInt(4), rnd.nextInt(6) == 0 ? null : rnd.nextInt(6),
                            rnd.nextInt(4) == 0 ? null : rnd.nextInt(100) - 30);
                    rows.add(r);
                    c.execute("INSERT INTO w VALUES (?, ?, ?, ?)", r.id(), r.d(), r.s(), r.x());
                }
                var result = c.execute("SELECT id, RANK() OVER (PARTITION BY d ORDER BY s), DENSE_RANK() OVER (PARTITION BY d ORDER BY s DESC),"
                        + " ROW_NUMBER() OVER (PARTITION BY d ORDER BY s, id), SUM(x) OVER (PARTITION BY d ORDER BY s),"
                        + " COUNT(*) OVER (PARTITION BY d), MAX(x) OVER (ORDER BY s DESC), COUNT(x) OVER (PARTITION BY s),"
                        + " LAG(x, 2, -1) OVER (PARTITION BY d ORDER BY s, id), LEAD(id) OVER (PARTITION BY d ORDER BY s, id),"
                        + " FIRST_VALUE(x) OVER (PARTITION BY d ORDER BY s, id), LAST_VALUE(id) OVER (PARTITION BY d ORDER BY s),"
                        + " NTILE(3) OVER (PARTITION BY d ORDER BY s, id) FROM w").rows();
                assertEquals(n, result.size());
                Map<Long, Object[]> got = new HashMap<>();
                for (Object[] r : result) got.put(((Number) r[0]).longValue(), r);
                // each partition in (s, id) order, for LAG and LEAD
                Map<Integer, List<R>> parts = new HashMap<>();
                for (R r : rows) parts.computeIfAbsent(r.d() == null ? Integer.MIN_VALUE : r.d(), k -> new ArrayList<>()).add(r);
                for (List<R> p : parts.values()) p.sort((a, b) -> asc(a.s(), b.s()) != 0 ? asc(a.s(), b.s()) : Long.compare(a.id(), b.id()));
                for (R r : rows) {
                    List<R> p = parts.get(r.d() == null ? Integer.MIN_VALUE : r.d());
                    int at = p.indexOf(r);
                    Integer lag = at >= 2 ? p.get(at - 2).x() : Integer.valueOf(-1);
                    Long lead = at + 1 < p.size() ? p.get(at + 1).id() : null;
                    Integer first = p.get(0).x();
                    int buckets = Math.min(3, p.size()), base = p.size() / buckets, extra = p.size() % buckets;
                    long tile = 0;
                    for (int b = 1, from = 0; b <= buckets; b++) {
                        int size = base + (b <= extra ? 1 : 0);
                        if (at >= from && at < from + size) tile = b;
                        from += size;
                    }
                    long rank = 1, row = 1, count = 0, countX = 0;
                    java.util.Set<Integer> before = new java.util.HashSet<>();
                    Long sum = null;
                    Integer max = null;
                    for (R o : rows) {
                        if (Objects.equals(o.s(), r.s()) && o.x() != null) countX++;
                        if (asc(o.s(), r.s()) >= 0 && o.x() != null) max = max == null ? o.x() : Math.max(max, o.x()); // DESC: before or peer
                        if (!Objects.equals(o.d(), r.d())) continue;
                        count++;
                        if (asc(o.s(), r.s()) < 0) rank++;
                        if (asc(o.s(), r.s()) > 0) before.add(o.s()); // DESC: the distinct values before
                        int byId = asc(o.s(), r.s()) != 0 ? asc(o.s(), r.s()) : Long.compare(o.id(), r.id());
                        if (byId < 0) row++;
                        if (asc(o.s(), r.s()) <= 0 && o.x() != null) sum = (sum == null ? 0 : sum) + o.x();
                    }
                    Object[] g = got.get(r.id());
                    for (R o : rows) {
                        if (Objects.equals(o.d(), r.d()) && Objects.equals(o.s(), r.s())) {
                            assertEquals(((Number) g[11]).longValue(), ((Number) got.get(o.id())[11]).longValue(), "LAST_VALUE same for peers");
                        }
                    }
                    String where = "seed " + seed + ", row " + r;
                    assertEquals(rank, ((Number) g[1]).longValue(), "RANK, " + where);
                    assertEquals(before.size() + 1L, ((Number) g[2]).longValue(), "DENSE_RANK, " + where);
                    assertEquals(row, ((Number) g[3]).longValue(), "ROW_NUMBER, " + where);
                    assertEquals(sum, g[4] == null ? null : ((Number) g[4]).longValue(), "SUM, " + where);
                    assertEquals(count, ((Number) g[5]).longValue(), "COUNT(*), " + where);
                    assertEquals(max, g[6] == null ? null : ((Number) g[6]).intValue(), "MAX, " + where);
                    assertEquals(countX, ((Number) g[7]).longValue(), "COUNT(x), " + where);
                    assertEquals(lag, g[8] == null ? null : ((Number) g[8]).intValue(), "LAG, " + where);
                    assertEquals(lead, g[9] == null ? null : ((Number) g[9]).longValue(), "LEAD, " + where);
                    assertEquals(first, g[10] == null ? null : ((Number) g[10]).intValue(), "FIRST_VALUE, " + where);
                    // LAST_VALUE's frame ends with the current row's last peer: a peer, the same one for all of them
                    R last = rows.get((int) ((Number) g[11]).longValue());
                    assertEquals(r.d(), last.d(), "LAST_VALUE's row is in the partition, " + where);
                    assertEquals(r.s(), last.s(), "LAST_VALUE's row is a peer, " + where);
                    assertEquals(tile, ((Number) g[12]).longValue(), "NTILE, " + where);
                }
            }
        }
    }
}
