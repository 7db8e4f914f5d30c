package io.hourglass.engine.lifecycle;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Time-based aging: what the aging agent deletes (rows older than the lifetime, no younger one),
 * when (each cycle while ON; ttAgingScheduleNow whatever the state), through foreign keys, and
 * that policies and aged rows come back after a crash.
 */
class AgingTest {
    @TempDir
    Path dir;

    private static long count(Connection c, String table) {
        return ((Number) c.execute("SELECT COUNT(*) FROM " + table).rows().getFirst()[0]).longValue();
    }

    /** Rows at now minus {@code hours} (fractions allowed), ids from {@code from}. */
    private static void insert(Connection c, String table, int from, int n, double hours) {
        c.execute("INSERT INTO " + table + " SELECT ? + LEVEL, SYSTIMESTAMP - NUMTODSINTERVAL(?, 'HOUR') FROM dual CONNECT BY LEVEL <= ?",
                from, hours, n);
    }

    @Test
    void agesRowsOlderThanTheLifetimeOnlyAndAnOffPolicyOnlyWhenAsked() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE off1 (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 1 HOUR OFF");
            a.execute("CREATE TABLE on1 (id INTEGER PRIMARY KEY, d DATE NOT NULL) AGING USE d LIFETIME 60 MINUTES");
            for (String t : List.of("off1", "on1")) {
                insert(a, t, 0, 2500, 2);        // two hours old: more than two aging batches
                insert(a, t, 10_000, 30, 0.95);  // 57 minutes old: younger than the lifetime
                insert(a, t, 20_000, 20, -1);    // an hour ahead
            }
            a.execute("CALL ttAgingScheduleNow('on1')"); // (it is ON: the agent ages it at once anyway)
            LifecycleTest.waitFor(() -> count(a, "on1") == 50);
            assertEquals(List.of("10001|10030|20001|20020"), rows(a, "SELECT MIN(id), MAX(CASE WHEN id < 20000 THEN id END),"
                    + " MIN(CASE WHEN id > 20000 THEN id END), MAX(id) FROM on1"), "the young rows stay");
            assertEquals(2550, count(a, "off1"), "an OFF policy ages nothing by itself (off1 came first in the pass that aged on1)");

            a.execute("CALL ttAgingScheduleNow('ADMIN.OFF1')");
            LifecycleTest.waitFor(() -> count(a, "off1") == 50);
            assertEquals(0, count(a, "off1 WHERE id <= 2500"));
            assertEquals(List.of("OFF"), rows(a, "SELECT aging_state FROM user_tab_aging WHERE table_name = 'OFF1'"), "state as it was");
            assertTrue(inst.loaded("AG").agedRows() >= 5000, "aged rows counted: " + inst.loaded("AG").agedRows());
        }
    }

    /** A policy that is ON ages again every cycle; OFF stops it, DROP AGING forgets it. */
    @Test
    void anOnPolicyAgesEveryCycle() throws Exception {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 2 SECONDS CYCLE 1 SECOND");
            a.execute("INSERT INTO ev VALUES (1, SYSTIMESTAMP)");
            LifecycleTest.waitFor(() -> count(a, "ev") == 0); // gone within a cycle or two of turning 2 s old
            a.execute("ALTER TABLE ev SET AGING OFF");
            a.execute("INSERT INTO ev VALUES (2, SYSTIMESTAMP - NUMTODSINTERVAL(1, 'HOUR'))");
            Thread.sleep(2500); // more than two cycles
            assertEquals(1, count(a, "ev"), "OFF: no aging");
            a.execute("ALTER TABLE ev SET AGING ON");
            LifecycleTest.waitFor(() -> count(a, "ev") == 0);
        }
    }

    /**
     * A parent's aged row takes its ON DELETE CASCADE children with it; one that a child references
     * without CASCADE stays, the other aged rows go, and it goes once the child has.
     */
    @Test
    void foreignKeysDecideWhatAParentsAgingTakes() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, placed TIMESTAMP NOT NULL) AGING USE placed LIFETIME 1 DAY OFF");
            a.execute("CREATE TABLE lines (id INTEGER PRIMARY KEY, ord INTEGER REFERENCES orders(id) ON DELETE CASCADE)");
            a.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, ord INTEGER, FOREIGN KEY (ord) REFERENCES orders(id))");
            a.execute("CREATE TABLE sub (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES orders(id) ON DELETE SET NULL)");
            insert(a, "orders", 0, 5, 48);      // 1..5, two days old
            insert(a, "orders", 100, 2, 1);     // 101, 102, an hour old
            a.execute("INSERT INTO lines VALUES (1, 1), (2, 1), (3, 2), (4, 101)");
            a.execute("INSERT INTO invoices VALUES (1, 3), (2, 102)");
            a.execute("INSERT INTO sub VALUES (1, 4)");
            a.execute("CALL ttAgingScheduleNow('orders')");
            LifecycleTest.waitFor(() -> count(a, "orders") == 3);
            assertEquals(List.of("3", "101", "102"), rows(a, "SELECT id FROM orders ORDER BY id"), "3 is still invoiced");
            assertEquals(List.of("4"), rows(a, "SELECT id FROM lines ORDER BY id"), "the aged orders' lines went with them");
            assertEquals(List.of("1|null"), rows(a, "SELECT id, parent FROM sub"));
            a.execute("DELETE FROM invoices WHERE id = 1");
            a.execute("CALL ttAgingScheduleNow('orders')");
            LifecycleTest.waitFor(() -> count(a, "orders") == 2);
        }
    }

    /**
     * Aging deletes as a DELETE does: it waits for a row another transaction has locked, on a
     * connection ttDataStoreStatus shows as the aging agent's, and judges the row as that
     * transaction leaves it (one made young again stays).
     */
    @Test
    void agingWaitsForARowLockAndJudgesTheRowAsItsWriterLeftIt() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG");
             Connection w = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 1 HOUR OFF");
            insert(a, "ev", 0, 3, 2);
            w.setAutocommit(false);
            w.execute("UPDATE ev SET ts = SYSTIMESTAMP WHERE id = 2");
            a.execute("CALL ttAgingScheduleNow('ev')");
            LifecycleTest.waitFor(() -> rows(a, "CALL ttXactAdmin()").stream().anyMatch(r -> r.contains("X on row")));
            assertTrue(rows(a, "CALL ttDataStoreStatus()").stream().anyMatch(r -> r.contains("|aging|ADMIN|")), "the aging agent's connection");
            assertEquals(2, inst.loaded("AG").connectionCount(), "a's and w's: an agent's connection keeps no database in use");
            assertEquals(List.of("2|0"), rows(a, "SELECT ds_connects, ds_disconnects FROM sys.monitor"), "nor counts in SYS.MONITOR");
            assertEquals(3, count(a, "ev"), "nothing aged while it waits (its batch is one statement)");
            w.commit();
            LifecycleTest.waitFor(() -> count(a, "ev") == 1);
            assertEquals(List.of("2"), rows(a, "SELECT id FROM ev"), "the row w made young again stays");
        }
    }

    /**
     * An inUse database unloads once its grace has passed after the last application's connection,
     * although aging connects every second: an agent's connection neither keeps it in use nor
     * starts the grace again (it did, so such a database never unloaded).
     */
    @Test
    void agingKeepsNoInUseDatabaseLoaded() {
        DatabaseConfig cfg = DatabaseConfig.defaults("AG", dir.resolve("ag").toString())
                .withRamPolicy(new RamPolicy(RamPolicy.Kind.IN_USE, 2, true));
        try (Instance inst = TestInstances.with(cfg)) {
            try (Connection c = inst.connect("AG", "admin", TestInstances.ADMIN_PASSWORD)) {
                c.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 1 HOUR CYCLE 1 SECOND");
                insert(c, "ev", 0, 5, 2);
                LifecycleTest.waitFor(() -> count(c, "ev") == 0);
            }
            LifecycleTest.waitFor(() -> inst.loaded("AG") == null);
        }
    }

    @Test
    void ttAgingScheduleNowNeedsDeleteOnTheTableOrAdminForAll() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 1 HOUR OFF");
            insert(a, "ev", 0, 10, 2);
            a.execute("CREATE USER app IDENTIFIED BY apppw");
            a.execute("GRANT SELECT ON ev TO app");
            try (Connection app = inst.connect("AG", "app", "apppw")) {
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttAgingScheduleNow('admin.ev')")).number());
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttAgingScheduleNow()")).number());
                a.execute("GRANT DELETE ON ev TO app");
                app.execute("CALL ttAgingScheduleNow('admin.ev')");
                LifecycleTest.waitFor(() -> count(a, "ev") == 0);
            }
        }
    }

    /**
     * The policies come back from the checkpoint and the log after a crash, and so do the aged
     * rows' deletions (logged as any DELETE): with the policy OFF nothing ages them again.
     */
    @Test
    void policiesAndAgedRowsSurviveACrash() {
        DatabaseConfig cfg = DatabaseConfig.defaults("AG", dir.resolve("ag").toString()).withCheckpoints(0, 0, 0);
        Crashable dying = Crashable.open(cfg);
        Connection c = dying.instance().connect("AG", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 1 HOUR CYCLE 10 MINUTES OFF");
        c.execute("CREATE TABLE keep (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 30 DAYS");
        c.execute("CREATE TABLE gone (id INTEGER PRIMARY KEY, ts DATE NOT NULL) AGING USE ts LIFETIME 3 HOURS");
        insert(c, "ev", 0, 100, 2);
        insert(c, "ev", 1000, 5, 0.5);
        c.execute("CALL ttCkpt()"); // ev's policy in the checkpoint
        c.execute("CALL ttAgingScheduleNow('ev')");
        LifecycleTest.waitFor(() -> count(c, "ev") == 5);
        c.execute("ALTER TABLE ev SET AGING LIFETIME 2 DAYS"); // in the log, after the aging deletes
        c.execute("ALTER TABLE gone DROP AGING");
        dying.kill();
        try (Instance i = TestInstances.with(cfg); Connection d = i.connect("AG", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertEquals(List.of("EV|TS|2|DAY|10|MINUTE|OFF", "KEEP|TS|30|DAY|5|MINUTE|ON"), rows(d, "SELECT table_name, aging_column,"
                    + " lifetime, lifetime_unit, cycle, cycle_unit, aging_state FROM user_tab_aging ORDER BY table_name"),
                    "ev's from the log, keep's from the checkpoint, gone's dropped in the log");
            assertEquals(5, count(d, "ev"), "the aged rows stay deleted");
            d.execute("ALTER TABLE ev SET AGING LIFETIME 1 MINUTE");
            d.execute("CALL ttAgingScheduleNow('ev')"); // the reloaded image has its agent
            LifecycleTest.waitFor(() -> count(d, "ev") == 0);
        }
    }

    // ---- LRU aging --------------------------------------------------------------------------

    /** Waits for the aging agent to finish an LRU cycle that ttAgingScheduleNow('t') asks for now. */
    private static void lruCycleNow(Instance inst, Connection c, String table) {
        AgingAgent agent = inst.loaded("AG").agingAgent();
        long before = agent.lruCycles();
        c.execute("CALL ttAgingScheduleNow('" + table + "')");
        LifecycleTest.waitFor(() -> agent.lruCycles() > before);
    }

    /** Table {@code name} of ADMIN in the loaded AG database. */
    private static io.hourglass.engine.catalog.Table table(Instance inst, String name) { return inst.loaded("AG").catalog().table("ADMIN", name); }

    private static long used(Instance inst) { return inst.loaded("AG").transactions().memory().used(); }

    private static long permSize(Instance inst) { return inst.loaded("AG").transactions().memory().limit(); }

    /**
     * Past the high threshold, the rows least recently used go first (not used since an older
     * cycle before those of a newer one), those used since the last cycle stay, and the deletes
     * stop at about what brings PermSize in use down to the low threshold.
     */
    @Test
    void lruAgingTakesTheLeastRecentlyUsedRowsDownToTheLowThreshold() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)"); // (no cycle by the clock during the test)
            a.execute("CREATE TABLE hot (id INTEGER PRIMARY KEY, pad VARCHAR2(300)) AGING LRU");
            a.execute("CREATE TABLE other (id INTEGER PRIMARY KEY, pad VARCHAR2(300))");
            long u0 = used(inst);
            a.execute("INSERT INTO hot SELECT LEVEL, RPAD('x', 300, 'x') FROM dual CONNECT BY LEVEL <= 4000");
            inst.loaded("AG").transactions().collectGarbage();
            long perRow = (used(inst) - u0) / 4000;
            a.execute("INSERT INTO other SELECT LEVEL, RPAD('x', 300, 'x') FROM dual CONNECT BY LEVEL <= 1000");
            assertEquals(4000, count(a, "hot")); // (a use of every row)
            lruCycleNow(inst, a, "hot"); // (under the high threshold: a cycle boundary only)
            assertEquals(List.of("1000"), rows(a, "SELECT COUNT(pad) FROM hot WHERE id BETWEEN 1001 AND 2000")); // used in this cycle
            lruCycleNow(inst, a, "hot");
            assertEquals(List.of("1000"), rows(a, "SELECT COUNT(pad) FROM hot WHERE id <= 1000")); // used in the next
            // Down to what leaves 2,500 rows' worth less in use: 2,000 not used since the insert, then
            // about 500 of those used one cycle ago; none of those used since the last cycle.
            double low = (double) (used(inst) - 2500 * perRow) / permSize(inst);
            a.execute("CALL ttAgingLRUConfig(?, ?)", low, low);
            AgingAgent agent = inst.loaded("AG").agingAgent();
            long agedBefore = agent.agedRows();
            agent.lruCycle(List.of()); // (on this thread, so what it took is known when it returns)
            assertEquals(0, count(a, "hot WHERE id > 2000"), "the least recently used go first");
            assertEquals(1000, count(a, "hot WHERE id <= 1000"), "used since the last cycle: stays");
            long middle = count(a, "hot WHERE id BETWEEN 1001 AND 2000");
            assertTrue(middle > 100 && middle < 900, "about 500 of the rows used a cycle earlier go, not all: " + middle + " stay");
            assertEquals(1000, count(a, "other"), "a table without LRU aging keeps its rows");
            assertEquals(4000 - 1000 - middle, agent.agedRows() - agedBefore, "the aged rows counted");
            inst.loaded("AG").transactions().collectGarbage();
            assertTrue(used(inst) <= low * permSize(inst) + perRow, "PermSize in use down to the low threshold: " + used(inst));
        }
    }

    /**
     * Under the high threshold nothing goes; an OFF policy ages only when ttAgingScheduleNow names
     * it; a row being changed (locked) is passed over, not waited for; a parent row a child
     * references without CASCADE stays, an ON DELETE CASCADE child goes with its parent.
     */
    @Test
    void lruAgingKeepsWhatItMustAndWaitsForNoLock() throws Exception {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG");
             Connection b = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)");
            a.execute("CREATE TABLE par (id INTEGER PRIMARY KEY, pad VARCHAR2(100)) AGING LRU OFF");
            a.execute("CREATE TABLE kid (id INTEGER PRIMARY KEY, par INTEGER REFERENCES par (id))");
            a.execute("CREATE TABLE cas (id INTEGER PRIMARY KEY, par INTEGER REFERENCES par (id) ON DELETE CASCADE)");
            a.execute("INSERT INTO par SELECT LEVEL, 'p' FROM dual CONNECT BY LEVEL <= 100");
            a.execute("INSERT INTO kid VALUES (1, 7)");
            a.execute("INSERT INTO cas VALUES (1, 8)");
            lruCycleNow(inst, a, "par"); // (a boundary: the rows' uses are now a cycle old)
            AgingAgent agent = inst.loaded("AG").agingAgent();
            io.hourglass.engine.catalog.Table par = table(inst, "PAR");
            a.execute("CALL ttAgingLRUConfig(0, 0)"); // (every unused row of it goes)
            agent.lruCycle(List.of());
            assertEquals(100, count(a, "par"), "OFF: no aging by the clock"); // (a use of every row)
            a.execute("CALL ttAgingLRUConfig(0, 1)"); // (past the low threshold, never past the high one)
            lruCycleNow(inst, a, "par");
            agent.lruCycle(List.of(par));
            assertEquals(100, count(a, "par"), "under the high threshold nothing goes");

            b.setAutocommit(false);
            b.execute("SELECT * FROM par WHERE id = 9 FOR UPDATE"); // locked, and used
            b.execute("UPDATE par SET pad = 'q' WHERE id = 10"); // being changed
            a.execute("CALL ttAgingLRUConfig(1, 1)");
            lruCycleNow(inst, a, "par"); // (a boundary: id 9's use is now a cycle old)
            a.execute("INSERT INTO par VALUES (101, 'new')"); // new since: used
            a.execute("CALL ttAgingLRUConfig(0, 0)");
            long started = System.nanoTime();
            agent.lruCycle(List.of(par));
            assertTrue(System.nanoTime() - started < java.util.concurrent.TimeUnit.SECONDS.toNanos(5), "no lock wait");
            assertEquals(List.of("7", "9", "10", "101"), rows(a, "SELECT id FROM par ORDER BY id"),
                    "the referenced parent stays, the locked row and the one being changed are passed over, the new one stays, the rest go");
            assertEquals(0, count(a, "cas"), "the CASCADE child went with its parent");
            assertEquals(1, count(a, "kid"));
            b.rollback();
        }
    }

    /**
     * A row whose ON DELETE CASCADE rows (its children's, theirs) were used since the last cycle
     * counts as used: aging it would take them. Their tables' use is tracked only while the
     * CASCADE of a table with LRU aging reaches them.
     */
    @Test
    void lruAgingKeepsARowWhoseCascadeRowsWereUsed() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)");
            a.execute("CREATE TABLE par (id INTEGER PRIMARY KEY) AGING LRU");
            a.execute("CREATE TABLE cas (id INTEGER PRIMARY KEY, par INTEGER REFERENCES par (id) ON DELETE CASCADE)");
            a.execute("CREATE TABLE grand (id INTEGER PRIMARY KEY, cas INTEGER REFERENCES cas (id) ON DELETE CASCADE)");
            a.execute("CREATE TABLE kid (id INTEGER PRIMARY KEY, par INTEGER REFERENCES par (id) ON DELETE SET NULL)");
            a.execute("CREATE TABLE own (id INTEGER PRIMARY KEY, par INTEGER REFERENCES par (id) ON DELETE SET NULL) AGING LRU");
            assertEquals(List.of(true, true, true, false), java.util.stream.Stream.of("PAR", "CAS", "GRAND", "KID")
                    .map(n -> table(inst, n).store().tracksUsage()).toList());
            a.execute("INSERT INTO par SELECT LEVEL FROM dual CONNECT BY LEVEL <= 5");
            a.execute("INSERT INTO cas VALUES (1, 1), (2, 2), (3, 3)");
            a.execute("INSERT INTO grand VALUES (1, 1)");
            a.execute("INSERT INTO kid VALUES (4, 4)");
            a.execute("INSERT INTO own VALUES (5, 5)");
            lruCycleNow(inst, a, "par"); // (a boundary: the rows' uses are now a cycle old)
            assertEquals(1, count(a, "grand WHERE id = 1"), "par 1's grandchild is read");
            assertEquals(1, count(a, "cas WHERE id = 2"), "par 2's child is read");
            assertEquals(1, count(a, "kid WHERE id = 4"), "par 4's SET NULL child is read: it would not go with it");
            assertEquals(1, count(a, "own WHERE id = 5"), "par 5's SET NULL child, with LRU aging of its own, is read");
            a.execute("CALL ttAgingLRUConfig(0, 0)");
            inst.loaded("AG").agingAgent().lruCycle(List.of(table(inst, "PAR")));
            assertEquals(List.of("1", "2"), rows(a, "SELECT id FROM par ORDER BY id"));
            assertEquals(List.of("1", "2"), rows(a, "SELECT id FROM cas ORDER BY id"));
            assertEquals(List.of("5|null"), rows(a, "SELECT id || '|' || NVL(TO_CHAR(par), 'null') FROM own"));

            a.execute("ALTER TABLE par DROP AGING");
            assertEquals(List.of(false, false, false), java.util.stream.Stream.of("PAR", "CAS", "GRAND")
                    .map(n -> table(inst, n).store().tracksUsage()).toList(), "no LRU aging reaches them any more");
        }
    }

    /** A row read, or a new row in a freed slot, between choosing and deleting stays: the use is asked again under the lock. */
    @Test
    void lruAgingAsksTheUseAgainOnceTheRowIsLocked() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY) AGING LRU");
            a.execute("INSERT INTO t SELECT LEVEL FROM dual CONNECT BY LEVEL <= 10");
            io.hourglass.engine.catalog.Table t = table(inst, "T");
            long[] ids = new long[10];
            for (int i = 0; i < 10; i++) ids[i] = i;
            long[] asked = new long[10];
            long n = a.ageOut(AgingAgent.deleteSql(t, null), ids, id -> ++asked[(int) id] == 1 || id % 2 == 0);
            assertEquals(5, n, "a row whose use changed between the first look and the lock stays");
            assertEquals(List.of("2", "4", "6", "8", "10"), rows(a, "SELECT id FROM t ORDER BY id"));
            assertTrue(java.util.Arrays.stream(asked).allMatch(x -> x == 2), "asked before and under the lock");
        }
    }

    /**
     * What LRU aging is for: a table written far past PermSize never fills it (no TT0802) while
     * a cycle runs between bursts, and the rows read every cycle (a hot set) are never aged.
     */
    @Test
    void lruAgingKeepsAGrowingTableWithinPermSizeAndItsHotRows() {
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(DatabaseConfig.temporary("AG").withPermSize(16)));
             Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(0.5, 0.7, 600)");
            a.execute("CREATE TABLE cache (id INTEGER PRIMARY KEY, pad VARCHAR2(400)) AGING LRU");
            AgingAgent agent = inst.loaded("AG").agingAgent();
            long written = 0;
            for (int round = 0; round < 40; round++) {
                a.execute("INSERT INTO cache SELECT ? + LEVEL, RPAD('x', 400, 'x') FROM dual CONNECT BY LEVEL <= 2000", round * 2000);
                written += 2000L * 400;
                assertEquals(List.of("500"), rows(a, "SELECT COUNT(pad) FROM cache WHERE id <= 500"), "the hot rows, round " + round);
                agent.lruCycle(List.of());
                assertTrue(used(inst) <= 0.7 * permSize(inst), "round " + round + ": " + used(inst) + " in use after the cycle");
            }
            assertTrue(written > 1.5 * permSize(inst), "written " + written + " bytes of rows through a PermSize of " + permSize(inst));
            assertTrue(agent.agedRows() > 20_000, "aged " + agent.agedRows());
        }
    }

    /**
     * ttAgingTableLRUConfig's row thresholds: past the high one the table's least recently used
     * rows go down to the low one, whatever PermSize; a table with them is left out of the
     * PermSize-driven cycles, which age the others.
     */
    @Test
    void rowThresholdsAgeATableByItsRowCountAlone() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)");
            a.execute("CREATE TABLE r (id INTEGER PRIMARY KEY) AGING LRU");
            a.execute("CREATE TABLE m (id INTEGER PRIMARY KEY) AGING LRU");
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'R', 300, 500, 600)");
            a.execute("INSERT INTO r SELECT LEVEL FROM dual CONNECT BY LEVEL <= 1000");
            a.execute("INSERT INTO m SELECT LEVEL FROM dual CONNECT BY LEVEL <= 1000");
            AgingAgent agent = inst.loaded("AG").agingAgent();
            io.hourglass.engine.catalog.Table r = table(inst, "R");
            long aged = agent.agedRows();
            agent.rowsCycle(r);
            assertEquals(aged, agent.agedRows(), "every row used since the last cycle (inserted): none goes");
            assertEquals(List.of("100"), rows(a, "SELECT COUNT(*) FROM r WHERE id <= 100")); // the hot rows
            agent.rowsCycle(r);
            assertEquals(aged + 700, agent.agedRows(), "1,000 rows past the high 500: down to the low 300");
            a.execute("CALL ttAgingLRUConfig(0, 0)"); // (PermSize-driven cycles now take every unused row)
            agent.lruCycle(List.of());
            agent.lruCycle(List.of());
            assertEquals(0, count(a, "m"), "the table without row thresholds went by PermSize");
            assertEquals(List.of("300|100"), rows(a, "SELECT COUNT(*), COUNT(CASE WHEN id <= 100 THEN 1 END) FROM r"),
                    "the table with row thresholds left to them, and its hot rows kept");
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'R', 200, 400)"); // (300 rows: past the low, under the high)
            agent.rowsCycle(r);
            agent.rowsCycle(r);
            assertEquals(300, count(a, "r"), "under the high threshold nothing goes");
        }
    }

    /**
     * A hierarchical query uses the rows it walks: a subtree read by START WITH and CONNECT BY
     * through indexes stays when the rest of the table, not used since, is aged.
     */
    @Test
    void aHierarchicalQueryUsesTheRowsItWalks() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)");
            a.execute("CREATE TABLE tree (id INTEGER PRIMARY KEY, parent INTEGER) AGING LRU");
            a.execute("CREATE INDEX tree_parent ON tree (parent)");
            // ten chains of 100: 1 <- 2 <- ... <- 100, 101 <- ... <- 200, ...
            a.execute("INSERT INTO tree SELECT LEVEL, CASE WHEN MOD(LEVEL, 100) = 1 THEN NULL ELSE LEVEL - 1 END FROM dual CONNECT BY LEVEL <= 1000");
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'TREE', 100, 500, 600)");
            AgingAgent agent = inst.loaded("AG").agingAgent();
            io.hourglass.engine.catalog.Table tree = table(inst, "TREE");
            agent.rowsCycle(tree); // (a boundary: every row was used by its insert)
            String plan = rows(a, "EXPLAIN SELECT id FROM tree START WITH id = 301 CONNECT BY PRIOR id = parent").toString();
            assertTrue(plan.contains("TREE_PARENT") && !plan.contains("HASH ON"), "the walk reads by index, not every row: " + plan);
            assertEquals(List.of("100"), rows(a, "SELECT COUNT(*) FROM tree START WITH id = 301 CONNECT BY PRIOR id = parent"));
            agent.rowsCycle(tree);
            assertEquals(List.of("100|100"), rows(a, "SELECT COUNT(*), COUNT(CASE WHEN id BETWEEN 301 AND 400 THEN 1 END) FROM tree"),
                    "down to the low threshold, the walked chain kept");
            // without the index the walk reads every row, as a full scan does: every row is used
            a.execute("DROP INDEX tree_parent");
            a.execute("INSERT INTO tree SELECT 1000 + LEVEL, CASE WHEN MOD(LEVEL, 100) = 1 THEN NULL ELSE 999 + LEVEL END FROM dual CONNECT BY LEVEL <= 900");
            agent.rowsCycle(tree); // (a boundary)
            assertEquals(List.of("100"), rows(a, "SELECT COUNT(*) FROM tree START WITH id = 1001 CONNECT BY PRIOR id = parent"));
            agent.rowsCycle(tree);
            assertEquals(1000, count(a, "tree"), "every row read by the walk was used: none goes");
        }
    }

    /**
     * A new aging cycle, by ttAgingLRUConfig or a table's ttAgingTableLRUConfig, counts from the
     * call (TimesTen: called at 12:00 with 15 minutes, aging runs at 12:15, 12:30, ...), not from
     * the last cycle; new thresholds alone leave the cycle as it runs.
     */
    @Test
    void aChangedAgingCycleCountsFromTheCall() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            AgingAgent agent = inst.loaded("AG").agingAgent();
            long before = System.nanoTime();
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 5)");
            assertTrue(agent.lruCycleFrom() - before >= 0, "the PermSize cycle restarted at the call");
            long from = agent.lruCycleFrom();
            a.execute("CALL ttAgingLRUConfig(.5, .6)");
            assertEquals(from, agent.lruCycleFrom(), "thresholds alone: the cycle goes on");

            a.execute("CREATE TABLE r (id INTEGER PRIMARY KEY) AGING LRU");
            io.hourglass.engine.catalog.Table r = table(inst, "R");
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'R', 10, 20, 10)");
            LifecycleTest.waitFor(() -> agent.cycleFrom(r) != null); // (the agent saw it)
            long before2 = System.nanoTime();
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'R', NULL, NULL, 20)");
            assertTrue(agent.cycleFrom(r) - before2 >= 0, "the table's cycle restarted at the call");
            long from2 = agent.cycleFrom(r);
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'R', 5, 20)");
            assertEquals(from2, agent.cycleFrom(r), "thresholds alone: the cycle goes on");
        }
    }

    /** MIN and MAX read from an index's ends use the rows they return. */
    @Test
    void anIndexMinOrMaxUsesTheRowItReads() {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(NULL, NULL, 600)");
            a.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, code INTEGER) AGING LRU");
            a.execute("CREATE UNIQUE INDEX m_code ON m (code)");
            a.execute("INSERT INTO m SELECT LEVEL, LEVEL * 10 FROM dual CONNECT BY LEVEL <= 1000");
            a.execute("CALL ttAgingTableLRUConfig('ADMIN', 'M', 1, 500, 600)");
            AgingAgent agent = inst.loaded("AG").agingAgent();
            io.hourglass.engine.catalog.Table m = table(inst, "M");
            agent.rowsCycle(m); // (a boundary)
            assertEquals(List.of("10|10000"), rows(a, "SELECT MIN(code), MAX(code) FROM m"));
            agent.rowsCycle(m);
            assertEquals(List.of("1", "1000"), rows(a, "SELECT id FROM m ORDER BY id"), "the two rows read stay, the rest not used since go");
        }
    }

    /**
     * LRU cycles racing writers: a row a transaction holds (locked by FOR UPDATE) is never aged
     * under it, so its UPDATE always finds it; inserts of keys aging took go in again; and the
     * table's indexes agree with its rows at the end.
     */
    @Test
    void lruCyclesRacingWritersNeverTakeARowATransactionHolds() throws Exception {
        try (Instance inst = TestInstances.one("AG"); Connection a = TestInstances.admin(inst, "AG")) {
            a.execute("CALL ttAgingLRUConfig(0, 0, 600)"); // (every cycle takes every row not used since the last)
            a.execute("CREATE TABLE hot (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad VARCHAR2(100)) AGING LRU");
            a.execute("CREATE INDEX hot_v ON hot (v)");
            a.execute("INSERT INTO hot SELECT LEVEL, 0, 'p' FROM dual CONNECT BY LEVEL <= 3000");
            AgingAgent agent = inst.loaded("AG").agingAgent();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int base = w * 1000;
                writers.add(Thread.ofPlatform().start(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(base);
                    try (Connection c = TestInstances.admin(inst, "AG")) {
                        c.setAutocommit(false);
                        while (!stop.get()) {
                            int k = base + 1 + random.nextInt(1000);
                            if (c.execute("SELECT v FROM hot WHERE id = ? FOR UPDATE", k).rows().isEmpty()) {
                                c.execute("INSERT INTO hot VALUES (?, 0, 'again')", k); // (aged: in again)
                            } else {
                                Thread.onSpinWait();
                                assertEquals(1, c.execute("UPDATE hot SET v = v + 1 WHERE id = ?", k).updateCount(), "a held row stays");
                                held.incrementAndGet();
                            }
                            Connection.join(c.commit());
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            long cycles = 0, until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                agent.lruCycle(List.of());
                cycles++;
            }
            stop.set(true);
            for (Thread t : writers) t.join();
            assertTrue(failures.isEmpty(), "writers failed: " + failures);
            assertTrue(held.get() > 100 && agent.agedRows() > 0 && cycles > 10, held.get() + " updates of held rows, "
                    + agent.agedRows() + " rows aged, " + cycles + " cycles");
            long rows = count(a, "hot");
            assertEquals(List.of(rows + "|" + rows + "|" + rows), rows(a, "SELECT (SELECT COUNT(*) FROM hot WHERE id > 0),"
                    + " (SELECT COUNT(*) FROM hot WHERE v >= 0), (SELECT COUNT(*) FROM hot WHERE v + 0 >= 0) FROM dual"),
                    "the primary key's and v's indexes agree with the rows");
        }
    }

    /** LRU policies and ttAgingLRUConfig come back from the log and from a checkpoint. */
    @Test
    void lruPoliciesAndSettingsSurviveACrash() {
        DatabaseConfig cfg = DatabaseConfig.defaults("AG", dir.resolve("lru").toString()).withCheckpoints(0, 0, 0);
        Crashable dying = Crashable.open(cfg);
        Connection c = dying.instance().connect("AG", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE a1 (id INTEGER PRIMARY KEY) AGING LRU OFF");
        c.execute("CALL ttAgingLRUConfig(0.6, 0.7, 5)");
        c.execute("CALL ttCkpt()"); // both in the checkpoint
        c.execute("CREATE TABLE a2 (id INTEGER PRIMARY KEY)");
        c.execute("ALTER TABLE a2 ADD AGING LRU");
        c.execute("CALL ttAgingLRUConfig(NULL, 0.75)"); // in the log
        c.execute("CALL ttAgingTableLRUConfig('ADMIN', 'A2', 10, 20, 3)");
        dying.kill();
        try (Instance i = TestInstances.with(cfg); Connection d = i.connect("AG", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertEquals(List.of("A1|OFF|LRU", "A2|ON|LRU"), rows(d, "SELECT table_name, aging_state, aging_type FROM user_tab_aging ORDER BY 1"));
            assertEquals(List.of("0.6|0.75|5"), rows(d, "CALL ttAgingLRUConfig"));
            assertEquals(List.of("10|20|3"), rows(d, "CALL ttAgingTableLRUConfig('ADMIN', 'A2')"));
            assertTrue(i.loaded("AG").catalog().table("ADMIN", "A2").store().tracksUsage(), "a recovered LRU table records uses");
        }
    }
}
