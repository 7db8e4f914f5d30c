package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ORDER BY with LIMIT/FIRST/OFFSET or ROWS m TO n through the top-N heap returns exactly the
 * slice of the full sort: the same rows in the same order, ties (kept in arrival order), NULLs
 * first or last, descending keys, OFFSET past the end, LIMIT 0, a range past the end or empty.
 */
class TopRowsTest {
    @Test
    void aLimitedSortIsTheSliceOfTheFullSort() {
        try (Instance inst = TestInstances.one("TOPN")) {
            Connection c = inst.connect("TOPN", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, k INTEGER, s VARCHAR2(5))");
            Random rnd = new Random(7);
            c.setAutocommit(false);
            for (int i = 0; i < 5_000; i++) {
                c.execute("INSERT INTO r VALUES (?, ?, ?)", i, rnd.nextInt(8) == 0 ? null : rnd.nextInt(50), "s" + rnd.nextInt(20));
            }
            c.commit();
            for (String order : List.of("k", "k DESC", "k NULLS FIRST", "k DESC NULLS LAST", "s, k DESC", "k + id * 0")) {
                List<Object> all = c.execute("SELECT id FROM r ORDER BY " + order).rows().stream().map(x -> x[0]).toList();
                for (int[] lo : new int[][] {{0, 1}, {0, 7}, {3, 10}, {100, 250}, {4_990, 20}, {5_000, 3}, {0, 0}, {0, 5_000}}) {
                    int offset = lo[0], limit = lo[1];
                    List<Object> got = c.execute("SELECT id FROM r ORDER BY " + order + " LIMIT " + limit + " OFFSET " + offset)
                            .rows().stream().map(x -> x[0]).toList();
                    assertEquals(all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit)), got,
                            order + " LIMIT " + limit + " OFFSET " + offset);
                }
                assertEquals(all.subList(0, 12), c.execute("SELECT FIRST 12 id FROM r ORDER BY " + order).rows().stream().map(x -> x[0]).toList());
                for (int[] mn : new int[][] {{1, 1}, {2, 9}, {101, 350}, {4_991, 5_010}, {5_001, 5_003}, {7, 6}, {9, 4}}) { // TimesTen's ROWS m TO n
                    List<Object> got = c.execute("SELECT ROWS ? TO ? id FROM r ORDER BY " + order, mn[0], mn[1]).rows().stream().map(x -> x[0]).toList();
                    assertEquals(all.subList(Math.min(mn[0] - 1, all.size()), Math.max(Math.min(mn[0] - 1, all.size()), Math.min(all.size(), mn[1]))),
                            got, order + " ROWS " + mn[0] + " TO " + mn[1]);
                }
            }
            c.close();
        }
    }
}
