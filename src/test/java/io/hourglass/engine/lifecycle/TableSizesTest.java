package io.hourglass.engine.lifecycle;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.store.MemoryAccount;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ttComputeTabSizes and SYS.ALL_TAB_SIZES / USER_TAB_SIZES: what each table holds of PermSize. */
class TableSizesTest {
    private static int number(Runnable r) { return assertThrows(HourglassException.class, r::run).number(); }

    private static long value(Connection c, String sql) { return ((Number) c.execute(sql).rows().getFirst()[0]).longValue(); }

    @Test
    void measuresEachTablesRowsAndIndexesInTheBytesPermSizeCounts() {
        try (Instance inst = TestInstances.one("TS"); Connection a = TestInstances.admin(inst, "TS")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            a.execute("CREATE INDEX t_v ON t (v)");
            a.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO t SELECT LEVEL, RPAD('v', MOD(LEVEL, 50) + 1, 'w') FROM dual CONNECT BY LEVEL <= 1000");
            a.execute("INSERT INTO u VALUES (1)");
            assertEquals(List.of(), TestInstances.rows(a, "SELECT table_name FROM user_tab_sizes"), "nothing measured yet");

            a.execute("CALL ttComputeTabSizes('t')");
            assertEquals(List.of("T|1000|" + 1000 * 2 * MemoryAccount.INDEX_ENTRY_OVERHEAD), TestInstances.rows(a,
                    "SELECT table_name, num_used_rows, index_bytes FROM user_tab_sizes"), "t alone; two indexes of 1,000 entries");
            assertEquals(List.of("1|1|1"), TestInstances.rows(a, "SELECT CASE WHEN total_bytes = inline_alloc_bytes + index_bytes THEN 1 END,"
                    + " CASE WHEN avg_row_len = TRUNC(total_bytes / num_used_rows) THEN 1 END, CASE WHEN num_free_rows >= 0"
                    + " AND last_updated <= SYSDATE + 1 THEN 1 END FROM sys.all_tab_sizes WHERE owner = 'ADMIN' AND table_name = 'T'"));
            long rowBytes = value(a, "SELECT inline_alloc_bytes FROM user_tab_sizes");
            assertTrue(rowBytes > 1000 * (MemoryAccount.VERSION_OVERHEAD + 26), "each row's image and its version's overhead: " + rowBytes);

            a.execute("CALL ttComputeTabSizes()"); // every table
            assertEquals(inst.loaded("TS").transactions().memory().used(), value(a, "SELECT SUM(total_bytes) FROM user_tab_sizes"),
                    "the tables' sizes add up to PERM_IN_USE: the same charges");
            long free = value(a, "SELECT num_free_rows FROM user_tab_sizes WHERE table_name = 'T'");

            a.execute("DELETE FROM t WHERE id > 400");
            LifecycleTest.waitFor(() -> {
                a.execute("CALL ttComputeTabSizes('ADMIN.T', 0)");
                return value(a, "SELECT num_used_rows FROM user_tab_sizes WHERE table_name = 'T'") == 400; // once the deletions are let go
            });
            assertEquals(free + 600, value(a, "SELECT num_free_rows FROM user_tab_sizes WHERE table_name = 'T'"), "their slots are free");
            assertTrue(value(a, "SELECT inline_alloc_bytes FROM user_tab_sizes WHERE table_name = 'T'") < rowBytes / 2);
        }
    }

    private static double size(Connection c, String call) { return ((Number) c.execute(call).rows().getFirst()[0]).doubleValue(); }

    /** ttSize: a table's PermSize at n rows, from its rows' average or, empty or with frac, from a row of that fill. */
    @Test
    void ttSizeEstimatesFromTheRowsOrFromTheDeclaredLengths() {
        try (Instance inst = TestInstances.one("TS"); Connection a = TestInstances.admin(inst, "TS")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(1000), n NUMBER(10,2), d DATE)");
            double half = size(a, "CALL ttSize('t', 1000)"), full = size(a, "CALL ttSize('t', 1000, 1)"), none = size(a, "CALL ttSize('t', 1000, 0)");
            assertEquals(1000 * 1000, full - none, 1000 * 8, "a full VARCHAR2(1000) takes about 1,000 bytes a row more than an empty one");
            assertEquals((full + none) / 2, half, 1000 * 4, "empty: half its declared length, as TimesTen assumes");
            assertTrue(none > 1000 * (MemoryAccount.VERSION_OVERHEAD + MemoryAccount.INDEX_ENTRY_OVERHEAD), "each row's version and index entry: " + none);
            assertEquals(size(a, "CALL ttSize('t', 1, 0.5)"), size(a, "CALL ttSize('t')"), "an empty table is sized at one row");

            a.execute("INSERT INTO t SELECT LEVEL, RPAD('v', 100, 'w'), LEVEL / 3, SYSDATE FROM dual CONNECT BY LEVEL <= 500");
            a.execute("CALL ttComputeTabSizes('t')");
            long total = value(a, "SELECT total_bytes FROM user_tab_sizes WHERE table_name = 'T'");
            assertEquals(total, size(a, "CALL ttSize('t')"), 1e-6, "its rows as they are: what ttComputeTabSizes counts");
            assertEquals(total * 20.0, size(a, "CALL ttSize('t', 10000, NULL)"), 1e-3, "scaled to 10,000 rows");
            assertTrue(size(a, "CALL ttSize('t', 500, 0.05)") < total, "frac 0.05 of 1,000 characters, 50: less than the rows' 100");

            assertEquals(90015, number(() -> a.execute("CALL ttSize(NULL)")));
            assertEquals(2206, number(() -> a.execute("CALL ttSize('nosuch')")));
            assertEquals(90003, number(() -> a.execute("CALL ttSize('t', -1)")));
            assertEquals(90003, number(() -> a.execute("CALL ttSize('t', 1e30)")));
            assertEquals(90003, number(() -> a.execute("CALL ttSize('t', 2.5)")));
            assertEquals(90003, number(() -> a.execute("CALL ttSize('t', 10, 1.5)")));
            a.execute("CREATE USER app IDENTIFIED BY pw");
            try (Connection app = inst.connect("TS", "app", "pw")) {
                assertEquals(90006, number(() -> app.execute("CALL ttSize('admin.t')")), "SELECT on it is needed");
            }
        }
    }

    @Test
    void namesPrivilegesAndBadArguments() {
        try (Instance inst = TestInstances.one("TS"); Connection a = TestInstances.admin(inst, "TS")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            a.execute("CREATE USER app IDENTIFIED BY pw");
            a.execute("CREATE TABLE app.own (id INTEGER PRIMARY KEY)");
            a.execute("CALL ttComputeTabSizes('')");
            assertEquals(List.of("ADMIN.T", "APP.OWN"), TestInstances.rows(a, "SELECT owner || '.' || table_name FROM sys.all_tab_sizes ORDER BY 1"));
            assertEquals(2206, number(() -> a.execute("CALL ttComputeTabSizes('nosuch')")));
            assertEquals(90003, number(() -> a.execute("CALL ttComputeTabSizes('t', 2)")));
            assertEquals(90015, number(() -> a.execute("CALL ttComputeTabSizes('a.b.c')")));
            try (Connection app = inst.connect("TS", "app", "pw")) {
                assertEquals(List.of("OWN"), TestInstances.rows(app, "SELECT table_name FROM all_tab_sizes"), "only what app may see");
                assertEquals(90006, number(() -> app.execute("CALL ttComputeTabSizes('admin.t')")), "SELECT on the table is needed");
                a.execute("CREATE TABLE t2 (id INTEGER PRIMARY KEY)");
                app.execute("CALL ttComputeTabSizes(NULL)"); // every table app may SELECT: its own
                assertEquals(List.of("T"), TestInstances.rows(a, "SELECT table_name FROM user_tab_sizes"), "not admin's new t2");
                a.execute("GRANT SELECT ON t TO app");
                app.execute("CALL ttComputeTabSizes('admin.\"T\"')");
                assertEquals(List.of("ADMIN.T", "APP.OWN"), TestInstances.rows(app, "SELECT owner || '.' || table_name FROM all_tab_sizes ORDER BY 1"));
            }
        }
    }
}
