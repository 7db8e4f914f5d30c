package io.hourglass.engine;

import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.KillableIo;

import java.util.List;

/**
 * An instance on real files that a test crashes: {@link #kill()} cuts it off from its files, so
 * nothing it does afterwards reaches the disk, then stops its threads. What is on disk is what a
 * SIGKILL at that moment would leave, and no thread of the dead instance writes while the next
 * one recovers (or while the test's directory is deleted).
 */
public record Crashable(Instance instance, KillableIo io) {
    /**
     * Opens (recovers) the databases of {@code configs} on killable files. Every checkpoint file
     * there must load: recovery falls back to the other file, or to the log, when one is
     * rejected, which would let a test pass over a checkpoint that cannot be read back. A test
     * that damages a file on purpose opens it another way ({@link TestInstances#withDamage}).
     */
    public static Crashable open(DatabaseConfig... configs) {
        KillableIo io = new KillableIo();
        return new Crashable(TestInstances.everyCheckpointLoaded(new Instance(TestInstances.ADMIN_PASSWORD, List.of(configs), io), configs), io);
    }

    public void kill() {
        io.kill();
        try {
            instance.close(); // its last flush and checkpoint fail: the files stay as they were
        } catch (RuntimeException expected) {
            // a failed unload is what a killed process leaves
        }
    }

    /** One load of {@link #threeLoads}: which one (0, 1, 2), the instance, an ADMIN connection to it. */
    public interface Load {
        void check(int round, Instance instance, io.hourglass.engine.lifecycle.Connection admin);
    }

    /**
     * Loads the database of {@code cfg}, last killed, three ways: from the log alone (round 0,
     * closed, so its unload writes a checkpoint); from that checkpoint alone (round 1, killed
     * after {@code load} ran, so what it changed is in the log only); from that checkpoint and
     * the log after it (round 2). Each load is asserted to have gone that way, with no checkpoint
     * file rejected: a recovery that fell back to the log would hide a fault of the checkpoint.
     */
    public static void threeLoads(DatabaseConfig cfg, Load load) {
        for (int round = 0; round < 3; round++) {
            Crashable open = open(cfg);
            try (var admin = TestInstances.admin(open.instance(), cfg.name())) {
                var recovered = open.instance().database(cfg.name()).recovery();
                org.junit.jupiter.api.Assertions.assertEquals(List.of(), recovered.rejected(), "round " + round + ": every checkpoint file loads");
                org.junit.jupiter.api.Assertions.assertEquals(round > 0, recovered.checkpoint() != null, "round " + round + ": from a checkpoint");
                org.junit.jupiter.api.Assertions.assertEquals(round != 1, recovered.transactions() > 0, "round " + round + ": the log replayed");
                load.check(round, open.instance(), admin);
            }
            if (round == 0) open.instance().close();
            else open.kill();
        }
    }
}
