package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MERGE with bind parameters (the upsert a client prepares once), and the privileges it needs. */
class MergeTest {
    @Test
    void aPreparedUpsertInsertsThenUpdatesWithItsParametersInPlace() {
        try (Instance i = TestInstances.one("MG1"); Connection a = i.connect("MG1", "admin", TestInstances.ADMIN_PASSWORD)) {
            a.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v VARCHAR2(10), n INTEGER)");
            PreparedStatement upsert = a.prepare("MERGE INTO kv t USING dual ON (t.k = ?) WHEN MATCHED THEN UPDATE SET v = ?, n = t.n + 1"
                    + " WHEN NOT MATCHED THEN INSERT (k, v, n) VALUES (?, ?, 1)");
            assertEquals(1, a.execute(upsert, 1, "one", 1, "one").updateCount());
            assertEquals(1, a.execute(upsert, 2, "two", 2, "two").updateCount());
            assertEquals(1, a.execute(upsert, 1, "uno", 1, "uno").updateCount());
            assertEquals(List.of("1|uno|2", "2|two|1"), TestInstances.rows(a, "SELECT k, v, n FROM kv ORDER BY k"));
            // ON's condition on the target alone reaches the row through the primary key, in both parts.
            List<String> plan = TestInstances.rows(a.execute(a.prepare("EXPLAIN MERGE INTO kv t USING dual ON (t.k = ?) WHEN MATCHED THEN"
                    + " UPDATE SET v = ? WHEN NOT MATCHED THEN INSERT (k, v, n) VALUES (?, ?, 1)"), 1, "x", 1, "x"));
            assertEquals("UPDATE RANGE INDEX LOOKUP ADMIN.KV ON ADMIN.KV", plan.getFirst(), plan.toString());
            assertTrue(plan.stream().anyMatch(l -> l.contains("INSERT INTO ADMIN.KV")) && plan.stream().filter(l -> l.contains("INDEX LOOKUP ADMIN.KV"))
                    .count() == 2, plan.toString());

            // Its rows count as any statement's: a rollback takes them back.
            a.setAutocommit(false);
            a.execute(upsert, 3, "three", 3, "three");
            a.execute(upsert, 2, "dos", 2, "dos");
            a.execute("ROLLBACK");
            assertEquals(List.of("1|uno|2", "2|two|1"), TestInstances.rows(a, "SELECT k, v, n FROM kv ORDER BY k"));

            // A MERGE that fails is undone whole, and only it: its UPDATE went through, its INSERT
            // broke the primary key; the transaction's earlier work stays.
            a.execute("INSERT INTO kv VALUES (5, 'five', 1)");
            assertEquals(907, assertThrows(HourglassException.class, () -> a.execute("MERGE INTO kv t USING (SELECT 1 k FROM dual"
                    + " UNION ALL SELECT 7 FROM dual UNION ALL SELECT 7 FROM dual) s ON (t.k = s.k) WHEN MATCHED THEN UPDATE SET n = 99"
                    + " WHEN NOT MATCHED THEN INSERT VALUES (s.k, 'x', 0)")).number());
            a.execute("COMMIT");
            a.setAutocommit(true);
            assertEquals(List.of("1|uno|2", "2|two|1", "5|five|1"), TestInstances.rows(a, "SELECT k, v, n FROM kv ORDER BY k"));
        }
    }

    /** DELETE WHERE's condition with parameters of its own, after those of SET and WHEN NOT MATCHED's; and DELETE on the target needed. */
    @Test
    void aPreparedMergeDeletesTheUpdatedRowsItsParametersSay() {
        try (Instance i = TestInstances.one("MG3"); Connection a = i.connect("MG3", "admin", TestInstances.ADMIN_PASSWORD)) {
            a.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, n INTEGER)");
            a.execute("INSERT INTO kv VALUES (1, 1), (2, 5)");
            PreparedStatement use = a.prepare("MERGE INTO kv t USING dual ON (t.k = ?) WHEN MATCHED THEN UPDATE SET n = t.n - ?"
                    + " DELETE WHERE t.n <= ? WHEN NOT MATCHED THEN INSERT VALUES (?, ?)");
            assertEquals(1, a.execute(use, 1, 1, 0, 1, 9).updateCount()); // 1 reaches 0: gone
            assertEquals(1, a.execute(use, 2, 1, 0, 2, 9).updateCount()); // 2 reaches 4: stays
            assertEquals(1, a.execute(use, 3, 1, 0, 3, 9).updateCount()); // 3 is new
            assertEquals(List.of("2|4", "3|9"), TestInstances.rows(a, "SELECT k, n FROM kv ORDER BY k"));
            assertEquals(1, a.execute(use, 3, 1, 8, 3, 9).updateCount()); // 3 reaches 8: gone
            assertEquals(List.of("2|4"), TestInstances.rows(a, "SELECT k, n FROM kv ORDER BY k"));

            a.execute("CREATE USER u IDENTIFIED BY pw");
            a.execute("GRANT SELECT, UPDATE ON kv TO u");
            try (Connection u = i.connect("MG3", "u", "pw")) {
                String merge = "MERGE INTO admin.kv t USING dual ON (t.k = 2) WHEN MATCHED THEN UPDATE SET n = 0 DELETE WHERE t.n = 0";
                assertEquals(90006, assertThrows(HourglassException.class, () -> u.execute(merge)).number(), "no DELETE");
                a.execute("GRANT DELETE ON kv TO u");
                assertEquals(1, u.execute(merge).updateCount());
            }
            assertEquals(List.of(), TestInstances.rows(a, "SELECT k, n FROM kv"));
        }
    }

    @Test
    void itNeedsUpdateAndInsertOnTheTargetAndSelectOnBothTables() {
        try (Instance i = TestInstances.one("MG2"); Connection a = i.connect("MG2", "admin", TestInstances.ADMIN_PASSWORD)) {
            a.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v INTEGER)");
            a.execute("CREATE TABLE src (k INTEGER PRIMARY KEY, v INTEGER)");
            a.execute("INSERT INTO src VALUES (1, 10)");
            a.execute("CREATE USER u IDENTIFIED BY pw");
            String merge = "MERGE INTO admin.kv t USING admin.src s ON (t.k = s.k) WHEN MATCHED THEN UPDATE SET v = s.v"
                    + " WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.v)";
            try (Connection u = i.connect("MG2", "u", "pw")) {
                a.execute("GRANT SELECT ON src TO u");
                a.execute("GRANT UPDATE ON kv TO u");
                assertEquals(90006, assertThrows(HourglassException.class, () -> u.execute(merge)).number(), "no INSERT");
                a.execute("GRANT INSERT ON kv TO u");
                assertEquals(90006, assertThrows(HourglassException.class, () -> u.execute(merge)).number(), "no SELECT on the target");
                a.execute("GRANT SELECT ON kv TO u");
                assertEquals(1, u.execute(merge).updateCount());
            }
            assertEquals(List.of("1|10"), TestInstances.rows(a, "SELECT k, v FROM kv"));
        }
    }
}
