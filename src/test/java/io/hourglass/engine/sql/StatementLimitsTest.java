package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deeply nested or very long expressions: within the parser's limits they run, on a virtual
 * thread as the service runs them; past the limits they fail with TT90035, never with a
 * StackOverflowError (which, thrown in the middle of a statement, would skip its undo).
 */
class StatementLimitsTest {
    private static Instance inst;
    private static Connection c;

    @BeforeAll
    static void load() {
        inst = TestInstances.one("LIMITS");
        c = inst.connect("LIMITS", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setAutocommit(false);
        for (int i = 0; i < 1000; i++) c.execute("INSERT INTO t VALUES (?, ?)", i, i % 10);
        c.commit();
        c.setAutocommit(true);
    }

    @AfterAll
    static void close() {
        c.close();
        inst.close();
    }

    private static String repeat(String s, int n, String sep) { return String.join(sep, Collections.nCopies(n, s)); }

    /** Runs on a virtual thread, as the service's statements do; rethrows what it threw. */
    private static <T> T onVirtualThread(Supplier<T> work) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                out.set(work.get());
            } catch (Throwable t) {
                failed.set(t);
            }
        }).join();
        if (failed.get() instanceof Exception e) throw e;
        if (failed.get() instanceof Error e) throw e;
        return out.get();
    }

    private static void tooComplex(String sql) throws Exception {
        HourglassException e = assertThrows(HourglassException.class, () -> onVirtualThread(() -> c.execute(sql)));
        assertEquals(90035, e.number(), e.getMessage());
    }

    private static Object value(String sql) throws Exception {
        return onVirtualThread(() -> c.execute(sql).rows().get(0)[0]);
    }

    @Test
    void longOrAndAndChainsRunWhateverTheirLength() throws Exception {
        // Generated SQL: 20,000 alternatives, as an ORM writes an id list; every tenth id matches.
        StringBuilder or = new StringBuilder("SELECT COUNT(*) FROM t WHERE ");
        for (int i = 0; i < 20_000; i++) or.append(i == 0 ? "" : " OR ").append("id = ").append(i * 10);
        assertEquals(100L, value(or.toString()));
        assertEquals(1000L, value("SELECT COUNT(*) FROM t WHERE " + repeat("v < 10", 20_000, " AND ")));
        assertEquals(0L, value("SELECT COUNT(*) FROM t WHERE " + repeat("v < 10", 10_000, " AND ") + " AND v > 10"));
        assertEquals(1L, value("SELECT 1 FROM dual WHERE " + repeat("1 = 1", 20_000, " AND ")));
        // Three-valued logic is kept by the balanced tree: NULL OR ... OR TRUE is TRUE, NULL AND ... AND FALSE is FALSE.
        assertEquals(1L, value("SELECT COUNT(*) FROM dual WHERE " + repeat("NULL = 1", 5_000, " OR ") + " OR 1 = 1"));
        assertEquals(1L, value("SELECT COUNT(*) FROM dual WHERE NOT (" + repeat("NULL = 1", 5_000, " AND ") + " AND 1 = 0)"));
    }

    @Test
    void nestingWithinTheLimitsRunsAndPastThemFailsWithTT90035() throws Exception {
        int n = Parser.MAX_NESTING - 1; // the outermost expression is one level itself
        assertEquals(1L, value("SELECT " + "(".repeat(n) + "1" + ")".repeat(n) + " FROM dual"));
        assertEquals(1L, value("SELECT COUNT(*) FROM dual WHERE " + "NOT ".repeat(n) + "1 = 0"));
        assertEquals(-1L, value("SELECT " + "- ".repeat(n) + "1 FROM dual"));
        tooComplex("SELECT " + "(".repeat(n + 1) + "1" + ")".repeat(n + 1) + " FROM dual");
        tooComplex("SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " FROM dual");
        tooComplex("SELECT COUNT(*) FROM dual WHERE " + "NOT ".repeat(100_000) + "1 = 0");
        tooComplex("SELECT " + "- ".repeat(100_000) + "1 FROM dual");
    }

    /**
     * Subqueries nest at most {@link Parser#MAX_SUBQUERY_DEPTH} deep (each is planned, bound and
     * run recursively), and a subquery's own expressions are held to the depth limit as a
     * statement's are.
     */
    @Test
    void subqueriesNestWithinTheirLimit() throws Exception {
        int n = Parser.MAX_SUBQUERY_DEPTH;
        String deepest = "SELECT COUNT(*) FROM t WHERE v IN " + "(SELECT v FROM t WHERE v IN ".repeat(n - 1)
                + "(SELECT v FROM t WHERE id < 3)" + ")".repeat(n - 1);
        assertEquals(300L, value(deepest));
        tooComplex("SELECT COUNT(*) FROM t WHERE v IN " + "(SELECT v FROM t WHERE v IN ".repeat(n) + "(SELECT v FROM t)" + ")".repeat(n));
        tooComplex("SELECT COUNT(*) FROM t WHERE EXISTS (".repeat(50_000) + "SELECT 1 FROM dual" + ")".repeat(50_000));
        tooComplex("SELECT COUNT(*) FROM t WHERE EXISTS (SELECT " + repeat("v", 100_000, " + ") + " FROM t)");
        assertEquals((long) Parser.MAX_DEPTH * 7,
                ((Number) value("SELECT (SELECT " + repeat("v", Parser.MAX_DEPTH, " + ") + " FROM t WHERE id = 7) FROM dual")).longValue());
    }

    @Test
    void namesAndColumnsHaveTheirLimits() {
        String longest = "N".repeat(Parser.MAX_NAME);
        c.execute("CREATE TABLE " + longest + " (" + longest + " INTEGER)");
        c.execute("DROP TABLE " + longest);
        assertEquals(1001, assertThrows(HourglassException.class, () -> c.execute("CREATE TABLE " + longest + "X (a INTEGER)")).number());
        assertEquals(1001, assertThrows(HourglassException.class,
                () -> c.execute("CREATE USER \"" + "u".repeat(100_000) + "\" IDENTIFIED BY pw")).number());
        StringBuilder cols = new StringBuilder("c0 INTEGER");
        for (int i = 1; i < Ddl.MAX_COLUMNS; i++) cols.append(", c").append(i).append(" INTEGER");
        c.execute("CREATE TABLE widest (" + cols + ")");
        c.execute("DROP TABLE widest");
        HourglassException e = assertThrows(HourglassException.class, () -> c.execute("CREATE TABLE wider (" + cols + ", c1000 INTEGER)"));
        assertEquals(90015, e.number());
        assertEquals(2206, assertThrows(HourglassException.class, () -> c.execute("SELECT * FROM wider")).number());
    }

    @Test
    void aTreeDeeperThanTheLimitFailsWithTT90035() throws Exception {
        // Left-deep chains of the other operators: 999 additions are a tree 1000 deep (the limit),
        // which binding, naming and evaluation each walk recursively.
        int terms = Parser.MAX_DEPTH;
        assertEquals((long) terms * 7, ((Number) value("SELECT " + repeat("v", terms, " + ") + " FROM t WHERE id = 7")).longValue());
        assertEquals(1998L, value("SELECT LENGTH(" + repeat("'ab'", terms - 1, " || ") + ") FROM dual"));
        tooComplex("SELECT " + repeat("v", 100_000, " + ") + " FROM t");
        tooComplex("SELECT 1 FROM dual WHERE 'a' = " + repeat("'a'", 100_000, " || "));
        HourglassException e = assertThrows(HourglassException.class, () -> c.execute("UPDATE t SET v = " + repeat("v", 5_000, " + ")));
        assertEquals(90035, e.number());
        assertTrue(e.getMessage().contains("more than " + Parser.MAX_DEPTH), e.getMessage());
        assertEquals(4500L, value("SELECT SUM(v) FROM t"), "nothing changed");
    }
}
