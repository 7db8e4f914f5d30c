package io.hourglass.engine;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.SimulatedDisk;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/** What the crash tests check after a simulated crash: recovery under every kind of power loss. */
public final class PowerLoss {
    private PowerLoss() {}

    /**
     * For every {@link SimulatedDisk.Loss}, opens {@code cfg}'s database on what {@code crashed}
     * keeps after that loss (seeded with {@code seed} plus the loss's ordinal), connects as the
     * administrator and asks {@code problem} what is wrong with what it finds (null: nothing).
     * Fails the test, naming {@code where} the crash was and the loss, if recovery fails or a
     * problem is found.
     */
    public static void recoverAfterEach(SimulatedDisk crashed, long seed, DatabaseConfig cfg, String where,
                                        Function<Connection, String> problem) {
        for (SimulatedDisk.Loss loss : SimulatedDisk.Loss.values()) {
            SimulatedDisk after = crashed.afterPowerLoss(loss, seed + loss.ordinal());
            String found;
            try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), after);
                 Connection c = inst.connect(cfg.name(), "admin", TestInstances.ADMIN_PASSWORD)) {
                found = problem.apply(c);
            } catch (RuntimeException e) {
                fail("crash at " + where + ", " + loss + ": recovery failed: " + e, e);
                return;
            }
            if (found != null) fail("crash at " + where + ", " + loss + ": " + found);
        }
    }

    /**
     * Null if {@code recovered} is one of the committed {@code states} (a prefix of the committed
     * transactions) at or after the last acknowledged durable commit; else what is wrong.
     */
    public static String notADurablePrefix(String recovered, List<String> states, int lastDurable) {
        int at = states.lastIndexOf(recovered);
        if (at >= 0 && at >= lastDurable) return null;
        return "recovered [" + recovered + "], which is " + (at < 0 ? "no committed prefix" : "prefix " + at)
                + "; states " + states + ", last acknowledged durable commit " + lastDurable;
    }
}
