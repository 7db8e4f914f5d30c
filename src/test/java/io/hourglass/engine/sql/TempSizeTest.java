package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.TempSpace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TempSize: what a statement builds while it runs (result rows, sort keys, groups, DISTINCT
 * sets, an INSERT ... SELECT's source rows) is bounded; past it the statement fails with TT0802
 * (temporary), gives back what it held, and the database and its committed data go on as before.
 * The database here has the least TempSize (32 MB) and 40 rows with a 1 MB string each.
 */
class TempSizeTest {
    private static final int ROWS = 40;
    private static final int LEN = 1 << 20;
    private static Instance inst;
    private static Connection c;
    private static TempSpace temp;

    @BeforeAll
    static void load() {
        inst = TestInstances.with(DatabaseConfig.temporary("TEMPS").withTempSize(32));
        c = inst.connect("TEMPS", "admin", TestInstances.ADMIN_PASSWORD);
        temp = inst.database("TEMPS").transactions().temp();
        c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
        c.setAutocommit(false);
        for (int i = 0; i < ROWS; i++) c.execute("INSERT INTO big VALUES (?, ?)", i, Character.toString('a' + i % 26).repeat(LEN - i));
        c.commit();
        c.setAutocommit(true);
    }

    @AfterAll
    static void close() {
        c.close();
        inst.close();
    }

    private static HourglassException exhausted(String sql) {
        HourglassException e = assertThrows(HourglassException.class, () -> c.execute(sql), sql);
        assertEquals(802, e.number(), e.getMessage());
        assertTrue(e.getMessage().contains("temporary space exhausted"), e.getMessage());
        assertEquals(0, temp.used(), "the failed statement gave back what it drew");
        return e;
    }

    private static void committedDataIntact() {
        List<Object[]> rows = c.execute("SELECT COUNT(*), SUM(LENGTH(s)) FROM big").rows();
        assertEquals((long) ROWS, rows.get(0)[0]);
        assertEquals((long) ROWS * LEN - (long) ROWS * (ROWS - 1) / 2, ((Number) rows.get(0)[1]).longValue());
    }

    @Test
    void eachRoundOfARecursiveWithQueryGivesBackWhatItBuilt() {
        // each round keeps a 1 MB row of big for its window function; 40 rounds' would be 40 MB, past TempSize
        List<Object[]> rows = c.execute("WITH RECURSIVE r (n) AS (SELECT 0 FROM dual UNION ALL SELECT r.n + 1 + 0 * COUNT(*) OVER ()"
                + " FROM r, big b WHERE b.id = 0 AND r.n < 40) SELECT COUNT(*), MAX(n) FROM r").rows();
        assertEquals(List.of(41L, 40L), List.of(rows.get(0)));
        assertEquals(0, temp.used());
        // one that never ends stops at TempSize, its rows given back
        exhausted("WITH RECURSIVE r (n) AS (SELECT 0 FROM dual UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r");
        committedDataIntact();
    }

    @Test
    void aJoinWhoseResultOutgrowsTempSizeFailsWithTT802AndTheDatabaseGoesOn() {
        HourglassException e = exhausted("SELECT a.s, b.s FROM big a, big b");
        assertTrue(e.getMessage().contains("TempSize (32 MB)"), e.getMessage());
        committedDataIntact();
        // The same join, narrowed, runs; and the region is empty again after it.
        assertEquals(3, c.execute("SELECT a.id, b.s FROM big a, big b WHERE b.id = a.id AND a.id < 3").rows().size());
        assertEquals(0, temp.used());
        assertTrue(temp.highWater() >= 31L << 20, "the failed join drew up to the limit: " + temp.highWater());
    }

    @Test
    void theStatementFailsAloneAndTheTransactionAroundItGoesOn() {
        c.setAutocommit(false);
        try {
            c.execute("INSERT INTO big VALUES (1000, 'kept')");
            exhausted("SELECT a.s, b.s FROM big a, big b ORDER BY a.id");
            c.commit();
        } finally {
            c.setAutocommit(true);
        }
        assertEquals("kept", c.execute("SELECT s FROM big WHERE id = 1000").rows().get(0)[0]);
        c.execute("DELETE FROM big WHERE id = 1000");
        committedDataIntact();
    }

    @Test
    void sortKeysGroupsAndDistinctValuesAreCountedNotOnlyTheResult() {
        // Each of these returns 40 small rows or one; what it builds on the way is 40 MB.
        exhausted("SELECT id FROM big ORDER BY s");
        exhausted("SELECT COUNT(*) FROM big GROUP BY s");
        exhausted("SELECT COUNT(DISTINCT s) FROM big");
        // Half of it fits.
        assertEquals(20, c.execute("SELECT id FROM big WHERE id < 20 ORDER BY s").rows().size());
        assertEquals(20, c.execute("SELECT COUNT(*) FROM big WHERE id < 20 GROUP BY s").rows().size());
        assertEquals(20L, c.execute("SELECT COUNT(DISTINCT s) FROM big WHERE id < 20").rows().get(0)[0]);
        assertEquals(0, temp.used());
    }

    /**
     * ORDER BY with LIMIT keeps only the rows it may return (a top-N heap): the sort that needs
     * 40 MB of keys for all rows needs 3 MB for the best three, and drops the others' charges.
     */
    @Test
    void anOrderByWithALimitHoldsOnlyTheRowsItMayReturn() {
        exhausted("SELECT id FROM big ORDER BY s DESC, id");
        List<Object[]> top = c.execute("SELECT id FROM big ORDER BY s DESC, id LIMIT 3").rows();
        // 'z' strings are ids 25 and 51..: only 25 is below 40; then the y's (24), the x's (23).
        assertEquals(List.of(25L, 24L, 23L), top.stream().map(r -> ((Number) r[0]).longValue()).toList());
        assertEquals(List.of(24L), c.execute("SELECT id FROM big ORDER BY s DESC, id LIMIT 1 OFFSET 1").rows().stream()
                .map(r -> ((Number) r[0]).longValue()).toList());
        assertEquals(0, temp.used());
    }

    /**
     * A subquery's rows count while they are used: a correlated one's (10 MB for each of the 40
     * outer rows) are given back once it has answered, an uncorrelated one's are kept for the
     * statement, and one that needs more than TempSize fails as any statement does.
     */
    @Test
    void aSubqueryHoldsItsRowsOnlyWhileItNeedsThem() {
        String correlated = "SELECT COUNT(*) FROM big a WHERE a.s IN (SELECT b.s FROM big b WHERE b.id BETWEEN a.id - 9 AND a.id)";
        assertEquals(List.of(40L), c.execute(correlated).rows().stream().map(r -> r[0]).toList());
        assertEquals(0, temp.used());
        assertEquals(List.of(10L), c.execute("SELECT COUNT(*) FROM big a WHERE a.s IN (SELECT b.s FROM big b WHERE b.id < 10)")
                .rows().stream().map(r -> r[0]).toList());
        exhausted("SELECT COUNT(*) FROM big a WHERE a.s IN (SELECT b.s FROM big b)");
        committedDataIntact();
    }

    @Test
    void anInsertSelectIsBoundedByTheRowsItReadsBeforeInserting() {
        c.execute("CREATE TABLE copy (id INTEGER PRIMARY KEY, s VARCHAR2(2000000))");
        try {
            exhausted("INSERT INTO copy SELECT a.id * 1000 + b.id, a.s FROM big a, big b");
            assertEquals(0L, c.execute("SELECT COUNT(*) FROM copy").rows().get(0)[0], "nothing inserted");
            assertEquals(10L, c.execute("INSERT INTO copy SELECT id, s FROM big WHERE id < 10").updateCount());
        } finally {
            c.execute("DROP TABLE copy");
        }
        committedDataIntact();
    }

    @Test
    void statementsRunningAtOnceDrawOnOneRegion() {
        try (TempSpace.Budget a = temp.budget(); TempSpace.Budget b = temp.budget()) {
            a.charge(20L << 20);
            assertTrue(temp.used() >= 19L << 20 && temp.used() <= 21L << 20, "drawn: " + temp.used());
            // While the first holds 20 MB, a query needing 20 MB more does not fit, and neither does a second budget's.
            exhaustedWhileHeld(() -> c.execute("SELECT s FROM big WHERE id < 20"));
            HourglassException e = assertThrows(HourglassException.class, () -> b.charge(20L << 20));
            assertEquals(802, e.number());
            a.close();
            assertEquals(b.held(), temp.used(), "the first gave back what it drew");
            b.charge(20L << 20);
        }
        assertEquals(0, temp.used());
        assertEquals(20, c.execute("SELECT s FROM big WHERE id < 20").rows().size());
    }

    private static void exhaustedWhileHeld(Runnable r) {
        assertEquals(802, assertThrows(HourglassException.class, r::run).number());
    }

    @Test
    void aStatementThatBuildsLittleNeverTouchesTheRegion() {
        // What OPERATIONS.md promises the heap: at most 128 KB a connection (a statement's and a
        // transaction's allowance) beyond TempSize.
        assertTrue(2 * TempSpace.ALLOWANCE <= 128 << 10, "allowance " + TempSpace.ALLOWANCE);
        try (TempSpace.Budget b = temp.budget()) {
            b.charge(TempSpace.ALLOWANCE);
            assertEquals(0, temp.used());
            b.charge(1);
            assertTrue(temp.used() > 0);
        }
        assertEquals(0, temp.used());
    }

    @Test
    void deletesAndSmallStatementsAreNeverRefused() {
        c.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, v INTEGER)");
        try {
            c.setAutocommit(false);
            for (int i = 0; i < 50_000; i++) c.execute("INSERT INTO small VALUES (?, ?)", i, i % 7);
            c.commit();
            c.setAutocommit(true);
            assertEquals(7, c.execute("SELECT v, COUNT(*) FROM small GROUP BY v").rows().size());
            assertEquals(50_000L, c.execute("UPDATE small SET v = v + 1").updateCount());
            assertEquals(50_000L, c.execute("DELETE FROM small").updateCount());
        } finally {
            c.setAutocommit(true);
            c.execute("DROP TABLE small");
        }
    }

    @Test
    void theDefaultFollowsTimesTensRuleAndTheLeastIs32Mb() {
        assertEquals(32 + 4, TempSpace.defaultSizeMb(16));
        assertEquals(32 + 16, TempSpace.defaultSizeMb(63));
        assertEquals(40 + 8, TempSpace.defaultSizeMb(64));
        assertEquals(40 + 32, TempSpace.defaultSizeMb(256));
        assertEquals(40 + 129, TempSpace.defaultSizeMb(1025));
        assertEquals(72L << 20, DatabaseConfig.temporary("D").tempSizeBytes());
        assertEquals(100L << 20, DatabaseConfig.temporary("D").withTempSize(100).tempSizeBytes());
        assertThrows(IllegalArgumentException.class, () -> DatabaseConfig.temporary("D").withTempSize(31));
        assertEquals("32", c.execute("CALL ttConfiguration('TempSize')").rows().get(0)[1]);
    }
}
