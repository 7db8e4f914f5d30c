package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.TempSpace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Joins on an equality no index answers read the inner source through a temporary hash index
 * (built once per execution): the same rows as the nested loop over a full scan, which the
 * same join written as two inequalities still takes; the statement's own uncommitted rows
 * included; the index charged to TempSize.
 */
class HashJoinTest {
    private static List<String> rows(Connection c, String sql) {
        return c.execute(sql).rows().stream().map(r -> r[0] + "|" + r[1]).toList();
    }

    private static String plan(Connection c, String sql) {
        return c.execute("EXPLAIN " + sql).rows().stream().map(r -> String.valueOf(r[0])).toList().toString();
    }

    @Test
    void theTemporaryIndexFindsWhatTheNestedLoopFinds() {
        try (Instance inst = TestInstances.one("HJ")) {
            Connection c = inst.connect("HJ", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER, s VARCHAR2(12))");
            c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, k NUMBER(10,2), s CHAR(12))");
            Random r = new Random(42);
            c.setAutocommit(false);
            for (int i = 0; i < 3_000; i++) {
                c.execute("INSERT INTO a VALUES (?, ?, ?)", i, r.nextInt(10) == 0 ? null : r.nextInt(400), "s" + r.nextInt(300));
                c.execute("INSERT INTO b VALUES (?, ?, ?)", i, r.nextInt(10) == 0 ? null : r.nextInt(400), "s" + r.nextInt(300));
            }
            c.commit();
            String hashed = "SELECT a.id, b.id FROM a, b WHERE a.k = b.k ORDER BY 1, 2";
            assertTrue(plan(c, hashed).contains("TEMPORARY HASH INDEX LOOKUP ON ADMIN.B (B.K = A.K)"), plan(c, hashed));
            List<String> viaHash = rows(c, hashed);
            List<String> viaLoop = rows(c, "SELECT a.id, b.id FROM a, b WHERE a.k >= b.k AND a.k <= b.k ORDER BY 1, 2");
            assertTrue(viaHash.size() > 10_000, "pairs: " + viaHash.size());
            assertEquals(viaLoop, viaHash);
            // CHAR blanks: 's12' equals 's12' padded, as a comparison has it.
            assertEquals(rows(c, "SELECT a.id, b.id FROM a, b WHERE a.s >= b.s AND a.s <= b.s ORDER BY 1, 2"),
                    rows(c, "SELECT a.id, b.id FROM a, b WHERE b.s = a.s ORDER BY 1, 2"));

            // Two equalities: one key of both.
            String both = "SELECT a.id, b.id FROM a, b WHERE a.k = b.k AND b.s = a.s ORDER BY 1, 2";
            assertTrue(plan(c, both).contains("(B.K = A.K AND B.S = A.S)"), plan(c, both));
            List<String> viaBoth = rows(c, both);
            assertTrue(viaBoth.size() > 50 && viaBoth.size() < viaHash.size(), "pairs: " + viaBoth.size());
            assertEquals(rows(c, "SELECT a.id, b.id FROM a, b WHERE a.k >= b.k AND a.k <= b.k AND a.s >= b.s AND a.s <= b.s ORDER BY 1, 2"), viaBoth);

            // The statement's own uncommitted rows are in the index; another connection's are not.
            c.execute("INSERT INTO a VALUES (5000, 99999, 'x')");
            c.execute("INSERT INTO b VALUES (5000, 99999, 'x')");
            c.execute("UPDATE b SET k = 99999 WHERE id = 7");
            assertEquals(List.of("5000|7", "5000|5000"), rows(c, "SELECT a.id, b.id FROM a, b WHERE a.k = b.k AND a.k = 99999 ORDER BY 1, 2"));
            try (Connection other = inst.connect("HJ", "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(List.of(), rows(other, "SELECT a.id, b.id FROM a, b WHERE a.k = b.k AND a.k = 99999"));
            }
            c.rollback();
            c.close();
        }
    }

    @Test
    void theTemporaryIndexCountsInTempSize() {
        try (Instance inst = TestInstances.with(DatabaseConfig.temporary("HJT").withTempSize(32))) {
            TempSpace temp = inst.database("HJT").transactions().temp();
            Connection c = inst.connect("HJT", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
            c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
            c.execute("INSERT INTO small VALUES (1, ?)", "a".repeat(1 << 20));
            for (int i = 0; i < 40; i++) c.execute("INSERT INTO big VALUES (?, ?)", i, Character.toString('a' + i % 26).repeat((1 << 20) - i));
            // The index on big's 40 one-megabyte keys is larger than TempSize.
            HourglassException e = assertThrows(HourglassException.class,
                    () -> c.execute("SELECT COUNT(*) FROM small, big WHERE small.s = big.s"));
            assertEquals(802, e.number(), e.getMessage());
            assertEquals(0, temp.used());
            // Conditions on big alone narrow its index: half of it fits.
            assertEquals(1L, c.execute("SELECT COUNT(*) FROM small, big WHERE small.s = big.s AND big.id + 0 < 20").rows().getFirst()[0]);
            assertEquals(0, temp.used());
            c.close();
        }
    }
}
