package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Join order: an inner join reads first the table its conditions and indexes make cheapest, and
 * then each table through the index the earlier ones key, whatever order FROM lists them in.
 *
 * <p>That the reordered plan really runs is shown by a condition that fails on a row the lookups
 * never reach ({@code 1 / (o.id - 777)}): read as written, orders first, the scan of orders would
 * meet it (TT90005).
 */
class JoinOrderTest {
    /** Customers 0..999 and 20,000 orders, 20 per customer, with an index on orders.cust. */
    private static Connection open(Instance inst) {
        Connection c = createTables(inst);
        load(c);
        return c;
    }

    private static Connection createTables(Instance inst) {
        Connection c = inst.connect("JO", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR2(20))");
        c.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER)");
        c.execute("CREATE INDEX orders_cust ON orders (cust)");
        return c;
    }

    private static void load(Connection c) {
        c.setAutocommit(false);
        var cu = c.prepare("INSERT INTO customers VALUES (?, ?)");
        for (int i = 0; i < 1_000; i++) c.execute(cu, i, "c" + i);
        var or = c.prepare("INSERT INTO orders VALUES (?, ?, ?)");
        for (int i = 0; i < 20_000; i++) c.execute(or, i, i % 1_000, i % 7);
        c.execute("COMMIT");
        c.setAutocommit(true);
    }

    private static List<String> plan(Connection c, String sql) { return TestInstances.rows(c, "EXPLAIN " + sql); }

    private static List<String> sorted(Connection c, String sql) { return TestInstances.rows(c, sql).stream().sorted().toList(); }

    @Test
    void aKeyLookupGoesFirstAndTheOthersFollowThroughTheirIndexes() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = open(inst);
            String q = "SELECT o.id FROM orders o, customers c WHERE o.cust = c.id AND c.id = 5";
            assertEquals(List.of("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", "RANGE INDEX LOOKUP ADMIN.ORDERS_CUST ON ADMIN.ORDERS"),
                    plan(c, q));
            List<String> expected = new ArrayList<>();
            for (int i = 5; i < 20_000; i += 1_000) expected.add(String.valueOf(i));
            assertEquals(expected.stream().sorted().toList(), sorted(c, q));
            // Only customer 5's orders are read: the scan of orders as written would meet order 777.
            assertEquals(expected.stream().sorted().toList(), sorted(c, q + " AND 1 / (o.id - 777) <> 0"));
            assertEquals(90005, assertThrows(HourglassException.class,
                    () -> c.execute("SELECT o.id FROM orders o WHERE o.cust >= 0 AND 1 / (o.id - 777) <> 0")).number()); // (what a scan meets)

            // A parameter is a constant too; the lookup of a customer by name (no index) reads
            // the smaller table first, then its orders through their index.
            var byName = c.prepare("SELECT o.amount FROM orders o JOIN customers c ON o.cust = c.id WHERE c.name = ?");
            assertEquals(20, c.execute(byName, "c42").rows().size());
            assertEquals(List.of("FULL SCAN ADMIN.CUSTOMERS", "RANGE INDEX LOOKUP ADMIN.ORDERS_CUST ON ADMIN.ORDERS"),
                    plan(c, "SELECT o.amount FROM orders o JOIN customers c ON o.cust = c.id WHERE c.name = 'c42'"));

            // * lists the columns in the written order all the same.
            String star = "SELECT * FROM orders o, customers c WHERE o.cust = c.id AND c.id = 5 AND o.amount = 4";
            assertTrue(plan(c, star).getFirst().contains("ADMIN.CUSTOMERS"), plan(c, star).toString());
            var r = c.execute(star);
            assertEquals(List.of("ID", "CUST", "AMOUNT", "ID", "NAME"), r.columns().stream().map(ResultColumn::name).toList());
            assertTrue(TestInstances.rows(r).contains("1005|5|4|5|c5"), TestInstances.rows(r).toString());

            // No constant: the smaller table is scanned and the larger read through its index,
            // not the other way round (which would read every order and look its customer up).
            assertEquals(List.of("FULL SCAN ADMIN.CUSTOMERS", "RANGE INDEX LOOKUP ADMIN.ORDERS_CUST ON ADMIN.ORDERS"),
                    plan(c, "SELECT o.id, c.name FROM orders o, customers c WHERE o.cust = c.id"));
            assertEquals(20_000, c.execute("SELECT o.id, c.name FROM orders o, customers c WHERE o.cust = c.id").rows().size());
        }
    }

    @Test
    void theWrittenOrderStaysWhenNoOtherIsClearlyCheaper() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = open(inst);
            // Already the cheap order.
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS",
                    plan(c, "SELECT o.id FROM customers c, orders o WHERE o.cust = c.id AND c.id = 5").getFirst());
            // Two tables no index serves: the second is hashed, as written.
            c.execute("CREATE TABLE x (a INTEGER, b INTEGER)");
            c.execute("CREATE TABLE y (a INTEGER, b INTEGER)");
            c.execute("INSERT INTO x SELECT id, cust FROM orders WHERE id < 300");
            c.execute("INSERT INTO y SELECT id, cust FROM orders WHERE id < 200");
            assertEquals(List.of("FULL SCAN ADMIN.X", "TEMPORARY HASH INDEX LOOKUP ON ADMIN.Y (Y.B = X.B)"),
                    plan(c, "SELECT x.a, y.a FROM x, y WHERE y.b = x.b"));
            assertEquals(List.of("FULL SCAN ADMIN.Y", "TEMPORARY HASH INDEX LOOKUP ON ADMIN.X (X.B = Y.B)"),
                    plan(c, "SELECT x.a, y.a FROM y, x WHERE y.b = x.b"));
            // An index serves only once the table it is keyed by is read: x (no index) goes first.
            assertEquals(List.of("FULL SCAN ADMIN.X", "RANGE INDEX LOOKUP ADMIN.ORDERS_CUST ON ADMIN.ORDERS"),
                    plan(c, "SELECT o.id FROM orders o, x WHERE o.cust = x.b"));
            // An outer-joined table follows the tables its ON names, and WHERE does not choose its access.
            assertEquals("FULL SCAN ADMIN.ORDERS", plan(c, "SELECT o.id FROM orders o LEFT JOIN customers c ON o.cust = c.id WHERE c.id = 5").getFirst());
        }
    }

    @Test
    void aLeftJoinedTableFollowsTheTablesItsOnNamesAndTheInnerJoinIsReordered() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = open(inst);
            c.execute("CREATE TABLE notes (cust INTEGER PRIMARY KEY, text VARCHAR2(20))");
            c.execute("INSERT INTO notes SELECT id, 'n' || id FROM customers WHERE MOD(id, 2) = 0");
            String q = "SELECT o.id, n.text FROM orders o LEFT JOIN notes n ON n.cust = o.cust JOIN customers c ON o.cust = c.id WHERE c.id = ";
            assertEquals(List.of("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", "RANGE INDEX LOOKUP ADMIN.ORDERS_CUST ON ADMIN.ORDERS",
                    "LEFT OUTER JOIN RANGE INDEX LOOKUP ADMIN.NOTES ON ADMIN.NOTES"), plan(c, q + "5"));
            // Customer 5 has no note, 6 has: the rows of the written order, which would scan orders and meet order 777.
            String guard = " AND 1 / (o.id - 777) <> 0";
            List<String> none = new ArrayList<>(), six = new ArrayList<>();
            for (int i = 5; i < 20_000; i += 1_000) none.add(i + "|null");
            for (int i = 6; i < 20_000; i += 1_000) six.add(i + "|n6");
            assertEquals(none.stream().sorted().toList(), sorted(c, q + "5" + guard));
            assertEquals(six.stream().sorted().toList(), sorted(c, q + "6" + guard));
            // The same with Oracle's (+).
            String marked = "SELECT o.id, n.text FROM orders o, notes n, customers c WHERE n.cust(+) = o.cust AND o.cust = c.id AND c.id = ";
            assertEquals(plan(c, q + "5"), plan(c, marked + "5"));
            assertEquals(six.stream().sorted().toList(), sorted(c, marked + "6" + guard));
            String notesFirst = "SELECT o.id, n.text FROM notes n, orders o, customers c WHERE n.cust(+) = o.cust AND o.cust = c.id AND c.id = ";
            assertEquals(plan(c, q + "5"), plan(c, notesFirst + "5"));
            assertEquals(six.stream().sorted().toList(), sorted(c, notesFirst + "6" + guard));
            c.setAutocommit(false);
            c.execute("CALL ttOptSetOrder('o n c')");
            assertEquals("FULL SCAN ADMIN.ORDERS", plan(c, q + "6").getFirst());
            assertEquals(six.stream().sorted().toList(), sorted(c, q + "6"));
            assertEquals(90005, assertThrows(HourglassException.class, () -> c.execute(q + "6" + guard)).number());
            // A pinned order that reads notes before the orders its ON names is not taken: the written order is
            // (with (+), the written order with each outer-joined table after its outer table).
            c.execute("CALL ttOptSetOrder('n c o')");
            assertEquals("FULL SCAN ADMIN.ORDERS", plan(c, q + "6").getFirst());
            assertEquals(List.of("FULL SCAN ADMIN.ORDERS", "LEFT OUTER JOIN RANGE INDEX LOOKUP ADMIN.NOTES ON ADMIN.NOTES",
                    "RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS"), plan(c, notesFirst + "6"));
            assertEquals(six.stream().sorted().toList(), sorted(c, notesFirst + "6"));
            c.execute("CALL ttOptSetOrder('c o n')");
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", plan(c, q + "6").getFirst());
            c.execute("ROLLBACK");
        }
    }

    @Test
    void aStatementPreparedOnEmptyTablesPlansItsJoinAgainOnceTheyAreLoaded() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = createTables(inst);
            var q = c.prepare("SELECT o.id FROM orders o, customers c WHERE o.cust = c.id AND c.id = ? AND 1 / (o.id - 777) <> 0");
            assertEquals(List.of(), c.execute(q, 5).rows()); // planned on empty tables: as written, orders first
            load(c);
            // Planned again: customer 5 first, then its orders; the written order's scan would meet order 777.
            assertEquals(20, c.execute(q, 5).rows().size());
        }
    }

    @Test
    void ttOptSetOrderPinsTheOrderUntilTheTransactionEnds() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = open(inst);
            String q = "SELECT o.id FROM orders o, customers c WHERE o.cust = c.id AND c.id = 5";
            HourglassException auto = assertThrows(HourglassException.class, () -> c.execute("CALL ttOptSetOrder('o c')"));
            assertTrue(auto.getMessage().contains("autocommit"), auto.getMessage());

            c.setAutocommit(false);
            var guarded = c.prepare(q + " AND 1 / (o.id - 777) <> 0");
            assertEquals(20, c.execute(guarded).rows().size()); // the planner's order: customer 5 first
            c.execute("CALL ttOptSetOrder('O C')");
            assertEquals("FULL SCAN ADMIN.ORDERS", plan(c, q).getFirst());
            // The prepared statement is planned again with the pinned order: its scan of orders meets order 777.
            assertEquals(90005, assertThrows(HourglassException.class, () -> c.execute(guarded)).number());
            // An order that does not name every table of a join leaves it to the planner.
            c.execute("CALL ttOptSetOrder('o x')");
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", plan(c, q).getFirst());
            // Table names serve where there is no alias; the order lasts until COMMIT or ROLLBACK.
            c.execute("CALL ttOptSetOrder('orders customers')");
            assertEquals("FULL SCAN ADMIN.ORDERS", plan(c, "SELECT orders.id FROM customers, orders WHERE orders.cust = customers.id AND customers.id = 5").getFirst());
            c.execute("CALL ttOptSetOrder('O C')");
            c.execute("ROLLBACK");
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", plan(c, q).getFirst());
            assertEquals(20, c.execute(guarded).rows().size());
            c.execute("CALL ttOptSetOrder('o c')");
            c.execute("COMMIT");
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", plan(c, q).getFirst());
            // NULL or '' gives the choice back at once.
            c.execute("CALL ttOptSetOrder('o c')");
            c.execute("CALL ttOptSetOrder(NULL)");
            assertEquals("RANGE INDEX LOOKUP ADMIN.CUSTOMERS ON ADMIN.CUSTOMERS", plan(c, q).getFirst());
        }
    }

    /** Three random tables, random conditions, every order of FROM: the same rows as the join through no index. */
    @Test
    void everyWrittenOrderGivesTheSameRows() {
        try (Instance inst = TestInstances.one("JO")) {
            Connection c = inst.connect("JO", "admin", TestInstances.ADMIN_PASSWORD);
            Random r = new Random(20261123);
            int[] sizes = {40, 400, 4_000};
            String[] names = {"p", "q", "s"};
            c.setAutocommit(false);
            for (int t = 0; t < 3; t++) {
                c.execute("CREATE TABLE " + names[t] + " (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
                if (t > 0) c.execute("CREATE INDEX " + names[t] + "_k ON " + names[t] + " (k)");
                var ins = c.prepare("INSERT INTO " + names[t] + " VALUES (?, ?, ?)");
                for (int i = 0; i < sizes[t]; i++) c.execute(ins, i, r.nextInt(10) == 0 ? null : r.nextInt(50), r.nextInt(20));
            }
            c.execute("COMMIT");
            c.setAutocommit(true);
            String[] wheres = {
                    "p.k = q.id AND q.k = s.id",
                    "p.id = s.k AND q.k = p.k AND s.v = 3",
                    "s.id = 17 AND q.k = s.k AND p.id = q.v",
                    "q.k = ? AND s.k = q.v AND p.v = s.v",
                    "p.k = s.k AND s.v < 2 AND q.id BETWEEN p.id AND p.id + 3",
            };
            String[][] orders = {{"p", "q", "s"}, {"p", "s", "q"}, {"q", "p", "s"}, {"q", "s", "p"}, {"s", "p", "q"}, {"s", "q", "p"}};
            int reordered = 0;
            for (String where : wheres) {
                String noIndex = where.replaceAll("([pqs])\\.(id|k)\\b", "$1.$2 + 0");
                List<String> reference = null;
                for (String[] o : orders) {
                    String sql = "SELECT p.id, q.id, s.id FROM " + String.join(", ", o) + " WHERE " + where;
                    List<String> rows = sorted(c, sql.replace("?", "7"));
                    if (reference == null) reference = sorted(c, ("SELECT p.id, q.id, s.id FROM p, q, s WHERE " + noIndex).replace("?", "7"));
                    assertEquals(reference, rows, sql);
                    if (!plan(c, sql.replace("?", "7")).getFirst().contains("ADMIN." + o[0].toUpperCase())) reordered++;
                }
            }
            assertTrue(reordered >= 10, "joins reordered: " + reordered);

            // With outer joins: the rows of the written order (pinned), whatever order the planner takes.
            String[][] outer = {
                    {"s LEFT JOIN q ON q.k = s.k AND q.v < 5 JOIN p ON p.id = s.v WHERE p.v = 3", "s q p"},
                    {"q LEFT JOIN s ON s.k = q.id, p WHERE p.id = q.k AND p.v = 1", "q s p"},
                    {"s, q LEFT JOIN p ON p.id = q.v WHERE s.k = q.id AND q.id = 7", "s q p"},
                    {"s LEFT JOIN p ON p.id = s.v LEFT JOIN q ON q.k = p.id WHERE s.k = 3", "s p q"},
                    {"q LEFT JOIN p ON p.k = q.k AND p.v > 10, s WHERE s.id = q.v AND s.k = 7", "q p s"},
                    {"s LEFT JOIN q ON q.id = 5, p WHERE p.id = s.k AND s.v = q.v", "s q p"},
            };
            int outerReordered = 0;
            for (String[] o : outer) {
                String sql = "SELECT p.id, q.id, s.id FROM " + o[0];
                List<String> rows = sorted(c, sql);
                if (!plan(c, sql).getFirst().contains("ADMIN." + o[1].substring(0, 1).toUpperCase())) outerReordered++;
                c.setAutocommit(false);
                c.execute("CALL ttOptSetOrder('" + o[1] + "')");
                assertEquals(sorted(c, sql), rows, sql);
                c.execute("ROLLBACK");
                c.setAutocommit(true);
            }
            assertTrue(outerReordered >= 3, "outer joins reordered: " + outerReordered);
        }
    }
}
