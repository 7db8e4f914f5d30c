package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hash and range indexes on a column few values share (a status): thousands of rows per key go
 * through inserts, key changes and deletes, and lookups through either index answer as a scan
 * does, before and after recovery rebuilds the indexes.
 */
class LowCardinalityIndexTest {
    @TempDir
    Path dir;

    private static long count(Connection c, String sql, Object... params) {
        return ((Number) c.execute(sql, params).rows().getFirst()[0]).longValue();
    }

    private static String plan(Connection c, String sql) {
        return c.execute("EXPLAIN " + sql, 0).rows().stream().map(r -> String.valueOf(r[0])).toList().toString();
    }

    private static void agree(Connection c, long[] expected) {
        for (int s = 0; s < expected.length; s++) {
            assertEquals(expected[s], count(c, "SELECT COUNT(*) FROM jobs WHERE status = ?", s), "hash lookup, status " + s);
            assertEquals(expected[s], count(c, "SELECT COUNT(*) FROM jobs WHERE kind = ?", s), "range lookup, kind " + s);
            assertEquals(expected[s], count(c, "SELECT COUNT(*) FROM jobs WHERE status + 0 = ?", s), "scan, status " + s);
        }
    }

    @Test
    void lookupsAgreeWithScansThroughChangesAndRecovery() {
        DatabaseConfig cfg = DatabaseConfig.defaults("LOWC", dir.resolve("lowc").toString());
        int rows = 30_000;
        long[] expected = new long[3];
        try (Instance inst = TestInstances.with(cfg)) {
            Connection c = inst.connect("LOWC", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, status INTEGER, kind INTEGER)");
            c.execute("CREATE HASH INDEX jobs_status ON jobs (status)");
            c.execute("CREATE INDEX jobs_kind ON jobs (kind)");
            c.setAutocommit(false);
            PreparedStatement insert = c.prepare("INSERT INTO jobs VALUES (?, 0, 0)");
            for (int i = 0; i < rows; i++) {
                c.execute(insert, i);
                if (i % 5_000 == 4_999) c.commit();
            }
            c.commit();
            expected[0] = rows;
            agree(c, expected);
            assertTrue(plan(c, "SELECT COUNT(*) FROM jobs WHERE status = ?").contains("HASH INDEX LOOKUP ADMIN.JOBS_STATUS"));
            assertTrue(plan(c, "SELECT COUNT(*) FROM jobs WHERE kind = ?").contains("RANGE INDEX LOOKUP ADMIN.JOBS_KIND"));
            assertFalse(plan(c, "SELECT COUNT(*) FROM jobs WHERE status + 0 = ?").contains("INDEX"));
            // Every third row moves to status 1, every seventh of those on to 2; some rows go.
            assertEquals(10_000, c.execute("UPDATE jobs SET status = 1, kind = 1 WHERE MOD(id, 3) = 0").updateCount());
            c.commit();
            assertEquals(1_429, c.execute("UPDATE jobs SET status = 2, kind = 2 WHERE MOD(id, 21) = 0").updateCount());
            c.commit();
            assertEquals(3_000, c.execute("DELETE FROM jobs WHERE MOD(id, 10) = 1").updateCount());
            c.commit();
            c.close();
        }
        for (int i = 0; i < rows; i++) {
            if (i % 10 == 1) continue;
            expected[i % 21 == 0 ? 2 : i % 3 == 0 ? 1 : 0]++;
        }
        expected[0] -= rows;
        try (Instance inst = TestInstances.with(cfg)) { // the indexes rebuilt from the checkpoint and the log
            Connection c = inst.connect("LOWC", "admin", TestInstances.ADMIN_PASSWORD);
            agree(c, expected);
            c.execute("UPDATE jobs SET status = 0, kind = 0 WHERE status = 2");
            expected[0] += expected[2];
            expected[2] = 0;
            agree(c, expected);
            c.close();
        }
    }
}
