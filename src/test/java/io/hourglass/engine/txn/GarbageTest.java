package io.hourglass.engine.txn;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.Version;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Old versions, stale index entries and deleted slots are reclaimed once no snapshot needs them. */
class GarbageTest {

    @Test
    void versionChainsStayShortAndMemoryReturnsAfterDelete() {
        try (Instance inst = TestInstances.one("GC"); Connection c = inst.connect("GC", "admin", TestInstances.ADMIN_PASSWORD)) {
            Database db = inst.database("GC");
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            long empty = db.transactions().memory().used();
            for (int i = 0; i < 1000; i++) c.execute("INSERT INTO g VALUES (?, 0)", i);
            for (int round = 0; round < 20; round++) c.execute("UPDATE g SET v = v + 1 WHERE id < 10");
            Table t = db.catalog().table("ADMIN", "G");
            long rowId = firstRow(t);
            int chain = 0;
            for (Version v = t.store().head(rowId); v != null; v = v.prev()) chain++;
            assertTrue(chain <= 2, "chain of " + chain + " versions after 20 updates");
            c.execute("UPDATE g SET id = id + 5000");
            assertEquals(1000, t.indexes().get(0).index().keyCount(), "old keys left the index");
            c.execute("DELETE FROM g");
            assertEquals(0, db.transactions().pendingGarbage());
            assertEquals(empty, db.transactions().memory().used(), "PermSize in use is back to the empty table");
            assertEquals(0, t.indexes().get(0).index().keyCount());
            c.execute("INSERT INTO g VALUES (1, 1)");
            assertTrue(t.store().highWater() <= 1000, "freed slots are reused");
        }
    }

    /**
     * A row changed twice in one transaction (inserted then updated or deleted, updated twice)
     * keeps only its last version; the PermSize of those it replaced comes back with the commit,
     * and a rollback's too. (It did not: each such transaction left bytes in use for good.)
     */
    @Test
    void rowsChangedTwiceInOneTransactionGiveBackWhatTheirEarlierVersionsHeld() {
        try (Instance inst = TestInstances.one("GC2"); Connection c = inst.connect("GC2", "admin", TestInstances.ADMIN_PASSWORD)) {
            Database db = inst.database("GC2");
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            c.execute("INSERT INTO g VALUES (1, 'kept')");
            long base = db.transactions().memory().used();
            c.setAutocommit(false);
            for (int round = 0; round < 50; round++) {
                for (int k = 0; k < 20; k++) c.execute("INSERT INTO g VALUES (?, RPAD('x', 100, 'x'))", 100 + k);
                c.execute("UPDATE g SET v = 'once' WHERE id >= 100");
                c.execute("UPDATE g SET v = 'twice'");
                c.execute("DELETE FROM g WHERE id >= 100");
                c.execute("UPDATE g SET v = 'kept'");
                if (round % 2 == 0) c.commit().toCompletableFuture().join();
                else c.rollback();
            }
            db.transactions().collectGarbage();
            assertEquals(0, db.transactions().pendingGarbage());
            assertEquals(base, db.transactions().memory().used(), "PermSize in use is what the one row holds");
        }
    }

    @Test
    void committedRowsEveryoneSeesKeepNoVersionHeader() {
        try (Instance inst = TestInstances.one("GC3"); Connection c = inst.connect("GC3", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("INSERT INTO g VALUES (1, 1)");
            Table t = inst.database("GC3").catalog().table("ADMIN", "G");
            long rowId = firstRow(t);
            assertTrue(t.store().slot(rowId) instanceof byte[], "a bare image once no snapshot needs the version");
            c.setAutocommit(false);
            c.execute("UPDATE g SET v = 2 WHERE id = 1");
            assertTrue(t.store().slot(rowId) instanceof Version, "an uncommitted change is a version");
            c.commit();
            assertTrue(t.store().slot(rowId) instanceof byte[]);
            assertEquals(2L, c.execute("SELECT v FROM g WHERE id = 1").rows().get(0)[0]);
        }
    }

    /**
     * A large commit's garbage is collected by that commit, in batches; a small commit collects
     * about what it made and a batch more, not what a large one left (which held every other
     * commit for 100 ms and more after a half-million-row commit).
     */
    @Test
    void aSmallCommitDoesNotCollectALargeOnesGarbage() {
        try (Instance inst = TestInstances.one("GC4"); Connection c = inst.connect("GC4", "admin", TestInstances.ADMIN_PASSWORD)) {
            Database db = inst.database("GC4");
            TransactionManager tm = db.transactions();
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("INSERT INTO s VALUES (1, 0)");
            c.setAutocommit(false);
            for (int i = 0; i < 20_000; i++) c.execute("INSERT INTO g VALUES (?, 0)", i);
            c.commit();
            c.setAutocommit(true);
            assertEquals(0, tm.pendingGarbage(), "the large commit collected its own garbage");

            // An open snapshot holds the next large commit's garbage back.
            SnapshotSlot reader = tm.registerSlot();
            tm.openSnapshot(reader);
            c.execute("UPDATE g SET v = 1");
            assertEquals(20_000, tm.pendingGarbage());
            tm.closeSnapshot(reader);
            tm.unregisterSlot(reader);
            // Now it could all go; each small commit takes its share.
            c.execute("UPDATE s SET v = v + 1 WHERE id = 1");
            int left = tm.pendingGarbage();
            assertTrue(left >= 20_000 - 2 * TransactionManager.COLLECT_BATCH && left < 20_000, "left after a small commit: " + left);
            c.execute("UPDATE s SET v = v + 1 WHERE id = 1");
            assertTrue(tm.pendingGarbage() < left, "the next one takes its share too");
            tm.collectGarbage();
            assertEquals(0, tm.pendingGarbage());
        }
    }

    @Test
    void anOpenSnapshotKeepsTheVersionsItNeeds() {
        try (Instance inst = TestInstances.one("GC2"); Connection c = inst.connect("GC2", "admin", TestInstances.ADMIN_PASSWORD)) {
            Database db = inst.database("GC2");
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("INSERT INTO g VALUES (1, 1)");
            SnapshotSlot reader = db.transactions().registerSlot();
            long snap = db.transactions().openSnapshot(reader);
            c.execute("UPDATE g SET v = 2 WHERE id = 1");
            c.execute("DELETE FROM g WHERE id = 1");
            Table t = db.catalog().table("ADMIN", "G");
            long rowId = firstRow(t);
            assertEquals(1L, t.codec().decode(Version.visible(t.store().slot(rowId), snap, -1))[1]);
            assertTrue(db.transactions().pendingGarbage() > 0);
            db.transactions().closeSnapshot(reader);
            db.transactions().collectGarbage();
            assertEquals(0, db.transactions().pendingGarbage());
            assertNull(t.store().head(rowId));
            db.transactions().unregisterSlot(reader);
        }
    }

    /**
     * DROP TABLE gives back what the table held once: the versions and index entries an open
     * snapshot kept waiting for the collector are not given back again when it collects them
     * (which left PermSize in use below what the database holds, and the limit loose).
     */
    @Test
    void aDroppedTablesGarbageIsNotGivenBackTwice() {
        try (Instance inst = TestInstances.one("GC5"); Connection c = inst.connect("GC5", "admin", TestInstances.ADMIN_PASSWORD)) {
            Database db = inst.database("GC5");
            TransactionManager tm = db.transactions();
            c.execute("CREATE TABLE keep (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            c.execute("INSERT INTO keep VALUES (1, 'x')");
            long before = tm.memory().used();
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            c.execute("CREATE INDEX g_v ON g (v)");
            for (int i = 0; i < 500; i++) c.execute("INSERT INTO g VALUES (?, 'first value of the row')", i);
            SnapshotSlot reader = tm.registerSlot();
            tm.openSnapshot(reader);
            c.execute("UPDATE g SET v = 'a second, longer value of each of the rows'");
            c.execute("DELETE FROM g WHERE id < 100");
            assertTrue(tm.pendingGarbage() >= 500, "the open snapshot holds the garbage back");
            c.execute("DROP TABLE g");
            tm.closeSnapshot(reader);
            tm.unregisterSlot(reader);
            tm.collectGarbage();
            assertEquals(0, tm.pendingGarbage());
            assertEquals(before, tm.memory().used(), "PermSize in use is what it was before the table");
        }
    }

    /** As a table, a dropped index gives back each of its entries once, duplicate keys and held-back stale entries included. */
    @Test
    void aDroppedIndexGivesBackEachEntryOnce() {
        try (Instance inst = TestInstances.one("GC6"); Connection c = inst.connect("GC6", "admin", TestInstances.ADMIN_PASSWORD)) {
            TransactionManager tm = inst.database("GC6").transactions();
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            for (int i = 0; i < 300; i++) c.execute("INSERT INTO g VALUES (?, ?)", i, i % 3);
            tm.collectGarbage();
            long before = tm.memory().used();
            c.execute("CREATE INDEX g_v ON g (v)");
            SnapshotSlot reader = tm.registerSlot();
            tm.openSnapshot(reader);
            c.execute("UPDATE g SET v = v + 10");
            long updated = tm.memory().used();
            c.execute("DROP INDEX g_v");
            tm.closeSnapshot(reader);
            tm.unregisterSlot(reader);
            tm.collectGarbage();
            // What is left is the rows' own garbage, collected: the rows as they were before the index.
            assertTrue(updated > before);
            assertEquals(before, tm.memory().used(), "PermSize in use is what it was before the index");
        }
    }

    private static long firstRow(Table t) {
        long[] found = {-1};
        t.store().forEachHead((id, h) -> {
            found[0] = id;
            return false;
        });
        return found[0];
    }

    /**
     * With many connections a commit does not scan every slot: it collects up to what the last
     * scan proved and scans again once a quarter as many entries as connections wait. An open
     * snapshot is still spared, and what waits stays bounded.
     */
    @Test
    void withManyConnectionsGarbageIsCollectedInBoundedBatches() {
        try (Instance inst = TestInstances.one("GC4"); Connection c = inst.connect("GC4", "admin", TestInstances.ADMIN_PASSWORD)) {
            java.util.List<Connection> idle = new java.util.ArrayList<>();
            for (int i = 0; i < 39; i++) idle.add(inst.connect("GC4", "admin", TestInstances.ADMIN_PASSWORD));
            Database db = inst.database("GC4");
            c.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, v INTEGER)");
            c.execute("INSERT INTO g VALUES (1, 0)");
            SnapshotSlot reader = db.transactions().registerSlot();
            long snap = db.transactions().openSnapshot(reader);
            for (int i = 0; i < 100; i++) c.execute("UPDATE g SET v = v + 1 WHERE id = 1");
            Table t = db.catalog().table("ADMIN", "G");
            long rowId = firstRow(t);
            assertEquals(0L, t.codec().decode(Version.visible(t.store().slot(rowId), snap, -1))[1], "the open snapshot's version is kept");
            assertTrue(db.transactions().pendingGarbage() >= 100, "nothing newer than the open snapshot is collected");
            db.transactions().closeSnapshot(reader);
            for (int i = 0; i < 20; i++) c.execute("UPDATE g SET v = v + 1 WHERE id = 1");
            int waiting = db.transactions().pendingGarbage();
            assertTrue(waiting <= 42 / 4, waiting + " entries wait with 42 slots");
            db.transactions().collectGarbage();
            assertEquals(0, db.transactions().pendingGarbage());
            assertEquals(120L, c.execute("SELECT v FROM g WHERE id = 1").rows().get(0)[0]);
            db.transactions().unregisterSlot(reader);
            idle.forEach(Connection::close);
        }
    }
}
