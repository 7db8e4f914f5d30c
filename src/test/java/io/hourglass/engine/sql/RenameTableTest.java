package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.Crashable;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RENAME t TO n and ALTER TABLE t RENAME TO n: the table keeps its rows, indexes, constraints
 * (foreign keys both ways) and grants under the new name, the old name is free, statements
 * prepared on it plan again, and the rename outlives a restart from the log and from a checkpoint.
 */
class RenameTableTest {
    private static Connection admin(Instance i, String dsn) { return i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql) { return TestInstances.rows(c, sql); }

    private static int error(Runnable r) { return assertThrows(HourglassException.class, r::run).number(); }

    /**
     * A database on files in {@code dir} with {@link #schema} and then {@code then} done in it,
     * then killed: no checkpoint at the end, so the next load replays the log.
     */
    private static DatabaseConfig persistent(Path dir, String dsn, java.util.function.Consumer<Connection> then) {
        DatabaseConfig cfg = DatabaseConfig.defaults(dsn, dir.resolve(dsn.toLowerCase(java.util.Locale.ROOT)).toString());
        Crashable crashable = Crashable.open(cfg);
        try (Connection a = admin(crashable.instance(), dsn)) {
            a.setDurableCommits(true);
            schema(a);
            then.accept(a);
        }
        crashable.kill();
        return cfg;
    }

    private static void schema(Connection a) {
        a.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR2(10) UNIQUE)");
        a.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent, qty INTEGER CHECK (qty > 0))");
        a.execute("CREATE TABLE lines (id INTEGER PRIMARY KEY, oid INTEGER REFERENCES orders)");
        a.execute("CREATE INDEX orders_qty ON orders (qty)");
        a.execute("INSERT INTO parent VALUES (1, 'one'), (2, 'two')");
        a.execute("INSERT INTO orders VALUES (10, 1, 5), (20, 2, 7)");
        a.execute("INSERT INTO lines VALUES (100, 10)");
        a.execute("CREATE USER clerk IDENTIFIED BY pw");
        a.execute("GRANT SELECT ON orders TO clerk");
        a.execute("CREATE VIEW big_orders AS SELECT id FROM orders WHERE qty > 6");
    }

    /** What the renamed table must still do: its rows, its index, its constraints both ways, its grant. */
    private static void stillWhole(Instance i, String dsn, Connection a, String name) {
        assertEquals(List.of("10|1|5", "20|2|7"), rows(a, "SELECT id, pid, qty FROM " + name + " ORDER BY id"));
        assertEquals(List.of("20"), rows(a, "SELECT id FROM " + name + " WHERE qty = 7"));
        assertTrue(rows(a, "EXPLAIN SELECT id FROM " + name + " WHERE qty = 7").toString().contains("ORDERS_QTY"),
                rows(a, "EXPLAIN SELECT id FROM " + name + " WHERE qty = 7").toString());
        assertEquals(3001, error(() -> a.execute("INSERT INTO " + name + " VALUES (30, 9, 1)")), "its foreign key to parent");
        assertEquals(3001, error(() -> a.execute("DELETE FROM " + name + " WHERE id = 10")), "lines' foreign key to it");
        assertEquals(3001, error(() -> a.execute("DELETE FROM parent WHERE id = 1")), "its foreign key, seen from parent");
        assertEquals(90045, error(() -> a.execute("UPDATE " + name + " SET qty = 0 WHERE id = 20")), "its CHECK");
        assertEquals(907, error(() -> a.execute("INSERT INTO " + name + " VALUES (10, 1, 1)")), "its primary key");
        HourglassException notNull = assertThrows(HourglassException.class, () -> a.execute("INSERT INTO " + name + " VALUES (NULL, 1, 1)"));
        assertTrue(notNull.getMessage().contains("ADMIN." + name.toUpperCase() + ".ID"), "errors name the table as it is now: " + notNull.getMessage());
        try (Connection clerk = i.connect(dsn, "clerk", "pw")) {
            assertEquals(List.of("10", "20"), rows(clerk, "SELECT id FROM admin." + name + " ORDER BY id"), "the grant followed it");
        }
    }

    @Test
    void theTableKeepsEverythingUnderItsNewNameAndTheOldNameIsFree() {
        try (Instance i = TestInstances.one("REN1"); Connection a = admin(i, "REN1")) {
            schema(a);
            PreparedStatement before = a.prepare("SELECT COUNT(*) FROM orders");
            a.execute("RENAME orders TO purchases");
            stillWhole(i, "REN1", a, "purchases");
            assertEquals(2206, error(() -> a.execute("SELECT * FROM orders")));
            assertEquals(2206, error(() -> a.execute(before)), "a statement prepared on the old name plans again and finds no table");
            assertEquals(2206, error(() -> a.execute("SELECT * FROM big_orders")), "a view names its tables by name, as in Oracle");
            assertEquals(List.of("PURCHASES"), rows(a, "SELECT table_name FROM all_tables WHERE table_name IN ('ORDERS', 'PURCHASES')"));
            assertEquals(List.of("ORDERS_FK1", "ORDERS_QTY", "PURCHASES"),
                    rows(a, "SELECT index_name FROM all_indexes WHERE table_name = 'PURCHASES' ORDER BY index_name"),
                    "the primary key's index is named after the table; the others keep their names");

            // The old name is free: a new table takes it, the view reads that one, and the grant did not stay behind.
            a.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, qty INTEGER)");
            a.execute("INSERT INTO orders VALUES (1, 9)");
            assertEquals(List.of("1"), rows(a, "SELECT id FROM big_orders"));
            try (Connection clerk = i.connect("REN1", "clerk", "pw")) {
                assertEquals(90006, error(() -> clerk.execute("SELECT * FROM admin.orders")));
            }
            a.execute("DROP TABLE orders");

            a.execute("ALTER TABLE purchases RENAME TO orders2");
            stillWhole(i, "REN1", a, "orders2");
            assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM all_tables WHERE table_name = 'PURCHASES'"));

            // A UNIQUE constraint's index (PARENT_UQ1) goes with the table too: a new PARENT can have one.
            a.execute("RENAME parent TO people");
            assertEquals(List.of("PEOPLE", "PEOPLE_UQ1"), rows(a, "SELECT index_name FROM all_indexes WHERE table_name = 'PEOPLE' ORDER BY 1"));
            assertEquals(907, error(() -> a.execute("INSERT INTO people VALUES (3, 'one')")), "still unique");
            a.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR2(10) UNIQUE)");
            a.execute("INSERT INTO parent VALUES (1, 'one')");
            assertEquals(3001, error(() -> a.execute("DELETE FROM people WHERE id = 2")), "orders2 still references it");
        }
    }

    @Test
    void aRenameThatCannotBeIsRefusedWithItsNumberAndChangesNothing() {
        try (Instance i = TestInstances.one("REN2"); Connection a = admin(i, "REN2")) {
            schema(a);
            a.execute("CREATE SEQUENCE seq1");
            assertEquals(2207, error(() -> a.execute("RENAME orders TO parent")));
            assertEquals(2207, error(() -> a.execute("RENAME orders TO orders")));
            assertEquals(90042, error(() -> a.execute("RENAME orders TO big_orders")));
            assertEquals(90042, error(() -> a.execute("RENAME orders TO seq1")));
            assertEquals(90015, error(() -> a.execute("RENAME orders TO clerk.orders")), "a table keeps its owner");
            assertEquals(2206, error(() -> a.execute("RENAME nosuch TO other")));
            a.execute("CREATE INDEX mine ON lines (oid)");
            assertEquals(90008, error(() -> a.execute("RENAME orders TO mine")), "its primary key's index would take the name MINE");
            assertEquals(1001, error(() -> a.execute("ALTER TABLE orders RENAME CONSTRAINT orders_ck1 TO c")));
            assertEquals(1001, error(() -> a.execute("RENAME orders")));
            a.execute("GRANT CREATE SESSION TO clerk");
            try (Connection clerk = i.connect("REN2", "clerk", "pw")) {
                assertEquals(90006, error(() -> clerk.execute("RENAME admin.orders TO mine")), "only the owner or ADMIN");
            }
            stillWhole(i, "REN2", a, "orders");
        }
    }

    /** RENAME is DDL: it waits (an exclusive table lock) for a transaction using the table, and commits the caller's own first. */
    @Test
    void aRenameWaitsForTheTransactionsUsingTheTable() throws Exception {
        try (Instance i = TestInstances.one("REN3"); Connection a = admin(i, "REN3"); Connection b = admin(i, "REN3")) {
            schema(a);
            a.setAutocommit(false);
            a.execute("UPDATE orders SET qty = 8 WHERE id = 20");
            CompletableFuture<Void> rename = CompletableFuture.runAsync(() -> b.execute("RENAME orders TO purchases"));
            var locks = i.database("REN3").transactions().locks();
            for (int k = 0; k < 2000 && locks.waits() < 1; k++) Thread.sleep(5);
            assertFalse(rename.isDone(), "the rename waits for the open transaction");
            a.execute("UPDATE orders SET qty = 9 WHERE id = 10"); // still reachable by its name inside that transaction
            a.commit().toCompletableFuture().join();
            rename.get(10, TimeUnit.SECONDS);
            a.setAutocommit(true);
            assertEquals(List.of("10|9", "20|8"), rows(a, "SELECT id, qty FROM purchases ORDER BY id"));
        }
    }

    /**
     * ALTER TABLE RENAME COLUMN: the column keeps its place, type, values, index and constraints
     * (a CHECK naming it is rewritten, and still checks); the old name is gone; the rename
     * outlives a restart from the log and from a checkpoint.
     */
    @Test
    void aRenamedColumnKeepsItsIndexAndConstraintsAndOutlivesARestart(@TempDir Path dir) {
        DatabaseConfig cfg = persistent(dir, "REN5", a -> {
            a.execute("CREATE TABLE limits (id INTEGER PRIMARY KEY, lo INTEGER, hi INTEGER, CHECK (lo <= hi AND \"HI\" < 1000 AND ABS(hi) >= 0))");
            a.execute("INSERT INTO limits VALUES (1, 1, 5)");
            a.execute("ALTER TABLE limits RENAME COLUMN hi TO upper_bound");
            a.execute("ALTER TABLE orders RENAME COLUMN qty TO amount");
            a.execute("ALTER TABLE orders RENAME COLUMN pid TO parent_id");
            a.execute("INSERT INTO lines VALUES (300, 20)");
        });
        for (int round = 0; round < 2; round++) {
            try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "REN5")) { // from the log, then from the checkpoint its close wrote
                assertEquals(round == 1, i.database("REN5").recovery().checkpoint() != null, "round " + round);
                assertEquals(List.of("10|1|5", "20|2|7"), rows(a, "SELECT id, parent_id, amount FROM orders ORDER BY id"));
                assertEquals(2211, error(() -> a.execute("SELECT qty FROM orders")));
                assertTrue(rows(a, "EXPLAIN SELECT id FROM orders WHERE amount = 7").toString().contains("ORDERS_QTY"));
                assertEquals(90045, error(() -> a.execute("UPDATE orders SET amount = 0 WHERE id = 20")), "its CHECK, rewritten");
                assertEquals(3001, error(() -> a.execute("INSERT INTO orders VALUES (30, 9, 1)")), "its foreign key");
                assertEquals(List.of("lo <= UPPER_BOUND AND UPPER_BOUND < 1000 AND ABS(UPPER_BOUND) >= 0"),
                        rows(a, "SELECT search_condition FROM all_constraints WHERE table_name = 'LIMITS' AND constraint_type = 'C'"));
                assertEquals(90045, error(() -> a.execute("UPDATE limits SET upper_bound = 0")));
                assertEquals(List.of("ID", "PARENT_ID", "AMOUNT"), rows(a, "SELECT column_name FROM all_tab_columns WHERE table_name = 'ORDERS'"
                        + " ORDER BY column_id"));
                assertEquals(2211, error(() -> a.execute("SELECT * FROM big_orders")), "a view keeps the text it was made with");
            }
        }
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "REN5")) {
            assertEquals(2211, error(() -> a.execute("ALTER TABLE orders RENAME COLUMN nosuch TO x")));
            assertEquals(90015, error(() -> a.execute("ALTER TABLE orders RENAME COLUMN amount TO id")));
            a.execute("GRANT CREATE SESSION TO clerk");
            try (Connection clerk = i.connect("REN5", "clerk", "pw")) {
                assertEquals(90006, error(() -> clerk.execute("ALTER TABLE admin.orders RENAME COLUMN amount TO x")));
            }
        }
    }

    @Test
    void theRenameOutlivesARestartFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = persistent(dir, "REN4", a -> {
            a.execute("RENAME orders TO purchases");
            a.execute("INSERT INTO lines VALUES (200, 20)"); // rows logged after the rename, under the same table
        });
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "REN4")) { // from the log
            assertEquals(null, i.database("REN4").recovery().checkpoint());
            stillWhole(i, "REN4", a, "purchases");
            assertEquals(2206, error(() -> a.execute("SELECT * FROM orders")));
            assertEquals(List.of("ORDERS_FK1", "ORDERS_QTY", "PURCHASES"),
                    rows(a, "SELECT index_name FROM all_indexes WHERE table_name = 'PURCHASES' ORDER BY 1"));
        } // (its close checkpoints)
        Crashable crashable = Crashable.open(cfg);
        try (Connection a = admin(crashable.instance(), "REN4")) {
            a.execute("ALTER TABLE purchases RENAME TO sales");
        }
        crashable.kill();
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "REN4")) { // the checkpoint, then the log
            var recovered = i.database("REN4").recovery();
            assertTrue(recovered.checkpoint() != null && recovered.transactions() > 0, "the checkpoint, then the log");
            stillWhole(i, "REN4", a, "sales");
            assertEquals(List.of("100|10", "200|20"), rows(a, "SELECT id, oid FROM lines ORDER BY id"));
        }
        try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "REN4")) { // a checkpoint alone
            assertEquals(0, i.database("REN4").recovery().transactions());
            stillWhole(i, "REN4", a, "sales");
            assertEquals(List.of("ORDERS_FK1", "ORDERS_QTY", "SALES"), rows(a, "SELECT index_name FROM all_indexes WHERE table_name = 'SALES' ORDER BY 1"));
        }
    }
}
