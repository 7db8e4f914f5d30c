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
    public static Crashable open(DatabaseConfig... configs) {
        KillableIo io = new KillableIo();
        return new Crashable(new Instance(TestInstances.ADMIN_PASSWORD, List.of(configs), io), io);
    }

    public void kill() {
        io.kill();
        try {
            instance.close(); // its last flush and checkpoint fail: the files stay as they were
        } catch (RuntimeException expected) {
            // a failed unload is what a killed process leaves
        }
    }
}
