package io.hourglass.engine.lifecycle;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.spi.ForwardingStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RAM policies, invalidation and reload, clean unloads, status and destroy (REFERENCE.md, "RAM policy"). */
class LifecycleTest {
    @TempDir
    Path dir;

    private DatabaseConfig config(RamPolicy p) {
        return DatabaseConfig.defaults("LC", dir.resolve("lc").toString()).withRamPolicy(p);
    }

    private static Connection admin(Instance i) { return i.connect("LC", "admin", TestInstances.ADMIN_PASSWORD); }

    private static int number(Runnable r) { return assertThrows(HourglassException.class, r::run).number(); }

    private static long count(Connection c) { return (Long) c.execute("SELECT COUNT(*) FROM t").rows().get(0)[0]; }

    /** Table t with one durable row, then the fault switch: the image is invalid. */
    private static void oneDurableRowThenInvalidate(Instance inst) {
        try (Connection a = admin(inst)) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO t VALUES (1)");
            a.execute("CALL ttDurableCommit()"); // an invalidation loses what is not durable (DurableCommits=0)
            a.execute("CALL ttHourglassInvalidate()");
        }
    }

    private static DatabaseStatus status(Instance i) { return i.status().getFirst(); }

    static void waitFor(Supplier<Boolean> cond) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void inUseLoadsAtTheFirstConnectAndUnloadsAfterTheGraceWithACheckpoint() {
        try (Instance inst = TestInstances.with(config(new RamPolicy(RamPolicy.Kind.IN_USE, 1, true)))) {
            assertEquals("unloaded", status(inst).state(), "inUse: nothing loaded before a connect");
            assertNull(inst.loaded("LC"));
            try (Connection c = admin(inst)) {
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
                c.execute("INSERT INTO t VALUES (1)");
                assertEquals("loaded", status(inst).state());
            }
            // The grace period: a connect within it keeps the image (and cancels the unload).
            Database first = inst.loaded("LC");
            try (Connection c = admin(inst)) {
                assertEquals(1L, count(c));
                assertTrue(first == c.database(), "connected within ramGrace: the same image");
            }
            waitFor(() -> inst.loaded("LC") == null);
            assertEquals("unloaded", status(inst).state());
            try (Connection c = admin(inst)) {
                assertEquals(1L, count(c));
                assertEquals(0, c.database().recovery().transactions(), "the unload checkpoint: the load replays no log");
                assertNotNull(c.database().recovery().checkpoint());
            }
        }
    }

    @Test
    void manualNeedsRamLoadAndRamUnloadAndRefusesToUnloadInUse() {
        try (Instance inst = TestInstances.with(config(new RamPolicy(RamPolicy.Kind.MANUAL, 0, true)))) {
            assertEquals(707, number(() -> admin(inst)), "manual: not loaded until ramLoad");
            inst.ramLoad("LC");
            Connection c = admin(inst);
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            c.execute("INSERT INTO t VALUES (1)");
            assertEquals(90027, number(() -> inst.ramUnload("LC")), "ramUnload refuses while a connection is open");
            c.close();
            assertNotNull(inst.loaded("LC"), "manual: the last disconnect does not unload");
            inst.ramUnload("LC");
            assertNull(inst.loaded("LC"));
            assertEquals(707, number(() -> admin(inst)));
            inst.ramLoad("LC");
            try (Connection d = admin(inst)) {
                assertEquals(1L, count(d));
                assertEquals(0, d.database().recovery().transactions(), "ramUnload took a blocking checkpoint first");
            }
        }
    }

    @Test
    void policiesChangeThroughTheBuiltInsAndAreStoredAcrossRestarts() {
        DatabaseConfig cfg = config(RamPolicy.DEFAULT);
        try (Instance inst = TestInstances.with(cfg)) {
            assertNotNull(inst.loaded("LC"), "always: loaded at start");
            assertEquals(90034, number(() -> inst.ramUnload("LC")), "ramUnload is for the manual policy");
            try (Connection c = admin(inst)) {
                c.execute("CREATE USER app IDENTIFIED BY 'pw'");
                c.execute("GRANT CREATE SESSION TO app");
                assertEquals(List.of("always", 0L), List.of(c.execute("CALL ttRamPolicyGet()").rows().getFirst()));
                assertEquals(1L, c.execute("CALL ttRamPolicyAutoReloadGet()").rows().getFirst()[0]);
                c.execute("CALL ttRamPolicySet('inUse', 2)");
                c.execute("CALL ttRamPolicyAutoReloadSet(0)");
                assertEquals(List.of("inUse", 2L), List.of(c.execute("CALL ttRamPolicyGet()").rows().getFirst()));
                assertEquals(0L, c.execute("CALL ttRamPolicyAutoReloadGet()").rows().getFirst()[0]);
                assertEquals(90015, number(() -> c.execute("CALL ttRamPolicySet('sometimes')")));
            }
            try (Connection app = inst.connect("LC", "app", "pw")) {
                assertEquals(90006, number(() -> app.execute("CALL ttRamPolicySet('always')")), "changing needs ADMIN");
                assertEquals(90006, number(() -> app.execute("CALL ttRamPolicyAutoReloadSet(1)")));
                assertEquals("inUse", app.execute("CALL ttRamPolicyGet()").rows().getFirst()[0], "reading needs none");
            }
            waitFor(() -> inst.loaded("LC") == null); // inUse now: unloaded after the grace period
        }
        try (Instance again = TestInstances.with(cfg)) {
            assertEquals(new RamPolicy(RamPolicy.Kind.IN_USE, 2, false), again.ramPolicy("LC"),
                    "the stored policy wins over the configured one");
            assertNull(again.loaded("LC"), "inUse: not loaded at start");
            again.setRamPolicy("LC", RamPolicy.DEFAULT);
            assertNotNull(again.loaded("LC"), "changing to always loads it");
        }
    }

    @Test
    void theFaultSwitchIsOffUnlessAllowedAndNeedsAdmin() {
        try (Instance inst = TestInstances.with(config(RamPolicy.DEFAULT)); Connection c = admin(inst)) {
            assertEquals(90028, number(() -> c.execute("CALL ttHourglassInvalidate('test')")));
            c.execute("CREATE USER app IDENTIFIED BY 'pw'");
            c.execute("GRANT CREATE SESSION TO app");
            inst.allowFaultInjection(true);
            try (Connection app = inst.connect("LC", "app", "pw")) {
                assertEquals(90006, number(() -> app.execute("CALL ttHourglassInvalidate('test')")));
            }
            assertNull(inst.loaded("LC").invalidation());
        }
    }

    @Test
    void anInvalidatedImageStaysForItsConnectionsWhileAReloadBuildsANewOneBesideIt() {
        try (Instance inst = TestInstances.with(config(RamPolicy.DEFAULT))) {
            inst.allowFaultInjection(true);
            Connection a = admin(inst), b = admin(inst);
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad VARCHAR2(1000))");
            for (int i = 0; i < 200; i++) a.execute("INSERT INTO t VALUES (?, ?)", i, "x".repeat(900));
            long oneImage = inst.memoryUsed("LC");
            b.setAutocommit(false);
            b.execute("INSERT INTO t VALUES (1000, 'open')");
            a.execute("CALL ttDurableCommit()"); // an invalidation loses what is not durable (DurableCommits=0)
            a.execute("CALL ttHourglassInvalidate('test')");
            assertEquals("invalid", status(inst).state());
            assertEquals(994, number(() -> a.execute("SELECT COUNT(*) FROM t")), "every connection: TT0994 on its next call");
            assertEquals(994, number(() -> b.execute("SELECT COUNT(*) FROM t")));
            // Autoreload (the default): the next connect recovers a new image from the files.
            try (Connection c = admin(inst)) {
                assertEquals(200L, count(c), "the committed rows, not b's open transaction");
                DatabaseStatus s = status(inst);
                assertEquals("loaded", s.state());
                assertEquals(List.of(2), s.invalidImages(), "the invalid image coexists while a and b are open");
                assertTrue(s.memoryUsed() >= oneImage * 2 - oneImage / 10,
                        "memory accounting counts both images: " + s.memoryUsed() + " vs one " + oneImage);
                a.close();
                assertEquals(List.of(1), status(inst).invalidImages());
                b.close();
                assertEquals(List.of(), status(inst).invalidImages(), "freed with its last connection");
                assertTrue(status(inst).memoryUsed() < oneImage * 2 - oneImage / 10);
                c.execute("INSERT INTO t VALUES (500, 'after')");
            }
        }
        try (Instance again = TestInstances.with(config(RamPolicy.DEFAULT)); Connection c = admin(again)) {
            assertEquals(201L, count(c), "the reloaded image's commits are durable like any other");
        }
    }

    @Test
    void withoutAutoreloadConnectsGet707UntilAnAdminLoads() {
        try (Instance inst = TestInstances.with(config(RamPolicy.DEFAULT.withAutoreload(false)))) {
            inst.allowFaultInjection(true);
            oneDurableRowThenInvalidate(inst);
            assertEquals(707, number(() -> admin(inst)));
            assertEquals(707, number(() -> admin(inst)), "still, until an admin acts");
            assertEquals("invalid, not reloaded (noautoreload)", status(inst).state());
            inst.ramLoad("LC");
            try (Connection c = admin(inst)) {
                assertEquals(1L, count(c));
            }
        }
    }

    @Test
    void aConnectWhileTheReloadRecoversGetsTT704() throws Exception {
        GatedIo io = new GatedIo();
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config(RamPolicy.DEFAULT)), io)) {
            inst.allowFaultInjection(true);
            oneDurableRowThenInvalidate(inst);
            io.close(); // the reload's recovery will wait at its first checkpoint or log file
            CompletableFuture<Long> reloading = CompletableFuture.supplyAsync(() -> {
                try (Connection c = admin(inst)) {
                    return count(c);
                }
            });
            assertTrue(io.reached.await(20, TimeUnit.SECONDS));
            assertEquals("recovering after invalidation", status(inst).state());
            assertEquals(704, number(() -> admin(inst)));
            io.open();
            assertEquals(1L, reloading.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aCleanShutdownTakesTheUnloadCheckpoint() {
        try (Instance inst = TestInstances.with(config(RamPolicy.DEFAULT)); Connection c = admin(inst)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            for (int i = 0; i < 10; i++) c.execute("INSERT INTO t VALUES (?)", i);
        }
        try (Instance again = TestInstances.with(config(RamPolicy.DEFAULT)); Connection c = admin(again)) {
            assertEquals(10L, count(c));
            assertEquals(0, c.database().recovery().transactions());
        }
    }

    @Test
    void destroyRefusesWhileConnectedUnlessForcedOrWaited() throws Exception {
        DatabaseConfig cfg = config(RamPolicy.DEFAULT);
        try (Instance inst = TestInstances.with(cfg)) {
            Connection a = admin(inst);
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO t VALUES (1)");
            assertEquals(90027, number(() -> inst.destroy("LC", 0, false)), "refused while a connection is open");
            // -wait: succeeds once the connection closes within the timeout.
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                a.close();
            });
            inst.destroy("LC", 20, false);
            assertEquals("destroyed", status(inst).state());
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "every file removed");
            }
            assertEquals(90032, number(() -> admin(inst)), "a destroyed database is not silently recreated");
            inst.ramLoad("LC"); // an admin creates it empty
            Connection b = admin(inst);
            assertEquals(2206, number(() -> b.execute("SELECT * FROM t")), "empty: the table is gone");
            b.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)");
            inst.destroy("LC", 0, true); // -force: b is closed
            assertEquals(90012, number(() -> b.execute("SELECT * FROM u")));
            assertEquals("destroyed", status(inst).state());
        }
    }

    @Test
    void statusShowsPathsPolicyConnectionsCheckpointAndLog() {
        try (Instance inst = TestInstances.with(config(RamPolicy.DEFAULT)); Connection c = admin(inst)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            c.execute("CALL ttCkpt()");
            DatabaseStatus s = status(inst);
            assertEquals("LC", s.name());
            assertEquals(dir.resolve("lc").toString(), s.dataStore());
            assertEquals(dir.toAbsolutePath().toString(), s.logDir());
            assertEquals("always", s.ramPolicy());
            assertTrue(s.autoreload());
            assertEquals(List.of(new DatabaseStatus.ConnectionInfo(c.id(), "ADMIN")), s.connections());
            assertNotNull(s.checkpoint());
            assertTrue(s.log().holds().stream().anyMatch(h -> h.type().equals("Checkpoint")));
            assertFalse(s.temporary());
        }
    }

    /** Real files; {@link #close()} makes the next open of a checkpoint or log file wait until {@link #open()}. */
    static final class GatedIo extends ForwardingStorageIo {
        private volatile CountDownLatch gate;
        final CountDownLatch reached = new CountDownLatch(1);

        void close() { gate = new CountDownLatch(1); }

        void open() { gate.countDown(); }

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            CountDownLatch g = gate;
            String n = file.getFileName().toString();
            if (g != null && (n.contains(".ds") || n.contains(".log"))) {
                reached.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return real.open(file, create);
        }
    }
}
