package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.lifecycle.RamPolicy;
import io.hourglass.engine.spi.SimulatedDisk;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed sync invalidates the database and is never retried; a full disk refuses commits cleanly. */
class LogFaultTest {
    private static final DatabaseConfig CONFIG = DatabaseConfig.defaults("LF", "/sim/lf").withLog(8, 1);

    private static Connection admin(Instance i) { return i.connect("LF", "admin", TestInstances.ADMIN_PASSWORD); }

    private static long count(Connection c) { return (Long) c.execute("SELECT COUNT(*) FROM t").rows().get(0)[0]; }

    @Test
    void aFailedSyncInvalidatesTheDatabaseAndIsNeverRetried() {
        SimulatedDisk disk = new SimulatedDisk();
        // No automatic reload: this test is about what the failed image does (reloads: LifecycleTest).
        Instance inst = new Instance(TestInstances.ADMIN_PASSWORD,
                List.of(CONFIG.withRamPolicy(RamPolicy.DEFAULT.withAutoreload(false))), disk);
        Connection a = admin(inst), b = admin(inst);
        a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
        a.setDurableCommits(true);
        a.execute("INSERT INTO t VALUES (1)");
        int before = disk.points();
        disk.failSyncAt(before + 2); // the next durable commit: its write, then its failing sync
        HourglassException e = assertThrows(HourglassException.class, () -> a.execute("INSERT INTO t VALUES (2)"));
        assertEquals(994, e.number(), "the committer learns the database is gone");
        assertNotNull(inst.database("LF").invalidation());
        assertFalse(inst.database("LF").loaded());
        assertEquals(994, assertThrows(HourglassException.class, () -> b.execute("SELECT * FROM t")).number(),
                "every connection gets TT0994 on its next call");
        assertEquals(707, assertThrows(HourglassException.class, () -> admin(inst)).number(),
                "with autoreload off, a connect fails until an admin loads the database");
        List<String> after = disk.trace().subList(before + 2, disk.trace().size());
        assertTrue(after.stream().noneMatch(op -> op.contains("lf.log")), "nothing retried or written after the failed sync: " + after);
        inst.close();
        // What the pages the kernel dropped held is gone; what was durable before is there.
        try (Instance again = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG),
                disk.afterPowerLoss(SimulatedDisk.Loss.DROP_ALL, 1)); Connection c = admin(again)) {
            assertEquals(1L, count(c));
        }
    }

    @Test
    void aFullDiskRefusesCommitsCleanlyAndWorksAgainWhenSpaceIsFreed() {
        long oneFile = 8L << 20;
        SimulatedDisk disk = new SimulatedDisk().capacity(oneFile + (1 << 20)); // room for one log file only
        long committed = 0;
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk); Connection c = admin(inst)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad VARCHAR2(2000))");
            String pad = "x".repeat(2000);
            HourglassException full = null;
            for (int k = 0; k < 10_000 && full == null; k++) {
                try {
                    c.execute("INSERT INTO t VALUES (?, ?)", k, pad);
                    committed++;
                } catch (HourglassException e) {
                    full = e;
                }
            }
            assertNotNull(full, "the log ran out of disk");
            assertEquals(90022, full.number(), full.getMessage());
            assertTrue(full.getMessage().contains("nothing changed"), full.getMessage());
            assertEquals(committed, count(c), "the refused insert left nothing behind");
            assertTrue(inst.database("LF").loaded(), "a full disk is not fatal");
            assertEquals(90022, assertThrows(HourglassException.class,
                    () -> c.execute("INSERT INTO t VALUES (-2, ?)", pad)).number(), "still full");
            disk.capacity(Long.MAX_VALUE); // space is freed
            c.execute("INSERT INTO t VALUES (-1, 'after')");
            committed++;
            assertEquals(committed, count(c));
        }
        try (Instance again = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk); Connection c = admin(again)) {
            assertEquals(committed, count(c), "every commit that succeeded, and only those, is in the log");
        }
    }

    /**
     * DurableCommits=0: a commit returns once in the log buffer. The flusher writes it within
     * 10 ms and syncs within 100 ms after that (docs/OPERATIONS.md), so a power loss costs at
     * most the commits of the last ~110 ms. 150 ms of slack allows for a busy machine.
     */
    @Test
    void nonDurableCommitsLoseAtMostTheDocumentedWindow() throws Exception {
        long windowNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(110 + 150);
        SimulatedDisk disk = new SimulatedDisk();
        List<Long> returned = new java.util.ArrayList<>();
        long cut;
        Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk);
        try (Connection c = admin(inst)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            assertFalse(c.durableCommits());
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(700);
            for (int k = 0; System.nanoTime() < end; k++) {
                c.execute("INSERT INTO t VALUES (?)", k);
                returned.add(System.nanoTime());
                if (k % 50 == 0) Thread.sleep(1); // a steady stream, not one burst
            }
            cut = System.nanoTime();
            disk.powerCut();
        }
        inst.close();
        long recovered;
        try (Instance again = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG),
                disk.afterPowerLoss(SimulatedDisk.Loss.DROP_ALL, 7)); Connection c = admin(again)) {
            recovered = count(c);
            if (recovered > 0) {
                assertEquals(recovered - 1, (Long) c.execute("SELECT MAX(id) FROM t").rows().get(0)[0], "a prefix of the commits");
            }
        }
        long mustHave = returned.stream().filter(t -> t < cut - windowNanos).count();
        assertTrue(mustHave > 100, "enough commits before the window: " + mustHave);
        assertTrue(recovered >= mustHave, "lost commits older than the window: recovered " + recovered
                + " of the " + mustHave + " that returned more than 260 ms before the power cut (" + returned.size() + " in all)");
    }
}
