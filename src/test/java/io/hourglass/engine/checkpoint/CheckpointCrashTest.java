package io.hourglass.engine.checkpoint;

import io.hourglass.engine.PowerLoss;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.SimulatedDisk;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints written while transfers commit, with the power cut at every write, sync and
 * purge of the checkpoint files, under every kind of loss of unsynced writes: recovery must
 * always find the state after a prefix of the transfers that includes every acknowledged
 * durable one, with money neither created nor lost.
 */
class CheckpointCrashTest {
    private static final DatabaseConfig CONFIG = DatabaseConfig.defaults("CC", "/sim/cc").withLog(8, 1).withCheckpoints(0, 0, 0);
    private static final int ACCOUNTS = 600;
    /** The operations a crash is aimed at: the checkpoint files' writes and syncs, and log purges. */
    private static final Predicate<String> CHECKPOINT_IO = what -> what.contains(".ds") || what.startsWith("delete");

    private record Outcome(Set<Integer> acknowledged, boolean crashed) {}

    private static Outcome workload(SimulatedDisk disk) {
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        Instance inst;
        try {
            inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk);
        } catch (RuntimeException e) {
            return new Outcome(acked, true);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = null;
        try (Connection c = inst.connect("CC", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)");
            c.execute("CREATE TABLE ledger (n INTEGER PRIMARY KEY, src INTEGER NOT NULL, dst INTEGER NOT NULL)");
            c.setAutocommit(false);
            for (int a = 0; a < ACCOUNTS; a++) c.execute("INSERT INTO acct VALUES (?, 100)", a);
            Connection.join(c.commit(true));
            c.setAutocommit(true);
            c.execute("CALL ttCkpt()");
            Connection w = inst.connect("CC", "admin", TestInstances.ADMIN_PASSWORD);
            java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
            writer = Thread.ofPlatform().start(() -> transfers(w, stop, acked, committed));
            for (String call : List.of("CALL ttCkpt()", "CALL ttCkpt()", "CALL ttCkptBlocking(10)", "CALL ttCkpt()")) {
                int target = committed.get() + 40; // let transfers run before and while each checkpoint does
                while (committed.get() < target && writer.isAlive()) Thread.onSpinWait();
                c.execute(call);
            }
        } catch (RuntimeException e) {
            // The power went: what recovery finds is checked by the caller.
        } finally {
            stop.set(true);
            if (writer != null) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                inst.close();
            } catch (RuntimeException ignored) {
                // closing a database whose disk is gone
            }
        }
        return new Outcome(acked, disk.crashed());
    }

    /** One transfer per transaction, numbered; every 25th one durable. Stops at the first error. */
    private static void transfers(Connection w, AtomicBoolean stop, Set<Integer> acked,
                                  java.util.concurrent.atomic.AtomicInteger committed) {
        Random r = new Random(7);
        w.setAutocommit(false);
        try {
            for (int n = 1; !stop.get() && n < 5000; n++) {
                int src = r.nextInt(ACCOUNTS), dst = r.nextInt(ACCOUNTS);
                w.execute("UPDATE acct SET bal = bal - 1 WHERE id = ?", src);
                w.execute("UPDATE acct SET bal = bal + 1 WHERE id = ?", dst);
                w.execute("INSERT INTO ledger VALUES (?, ?, ?)", n, src, dst);
                boolean durable = n % 25 == 0;
                Connection.join(w.commit(durable));
                if (durable) acked.add(n);
                committed.incrementAndGet();
            }
        } catch (RuntimeException e) {
            // the disk is gone
        }
    }

    /** Checks the recovered database; returns a description of what is wrong, or null. */
    private static String check(Connection c, Set<Integer> acked) {
        Map<Integer, Integer> bal = new HashMap<>();
        for (Object[] row : c.execute("SELECT id, bal FROM acct").rows()) bal.put(((Number) row[0]).intValue(), ((Number) row[1]).intValue());
        if (bal.size() != ACCOUNTS) return bal.size() + " accounts";
        Map<Integer, Integer> expected = new HashMap<>();
        for (int a = 0; a < ACCOUNTS; a++) expected.put(a, 100);
        int max = 0, count = 0;
        for (Object[] row : c.execute("SELECT n, src, dst FROM ledger").rows()) {
            int n = ((Number) row[0]).intValue();
            expected.merge(((Number) row[1]).intValue(), -1, Integer::sum);
            expected.merge(((Number) row[2]).intValue(), 1, Integer::sum);
            max = Math.max(max, n);
            count++;
        }
        if (count != max) return "the ledger is not a prefix: " + count + " transfers up to number " + max;
        if (!bal.equals(expected)) return "balances do not match the ledger (a partial transaction?)";
        for (int n : acked) if (n > max) return "acknowledged durable transfer " + n + " lost (ledger ends at " + max + ")";
        return null;
    }

    @Test
    void aCrashAtAnyCheckpointWriteRecoversACommittedPrefixWithEveryDurableCommit() {
        SimulatedDisk clean = new SimulatedDisk();
        Outcome full = workload(clean);
        assertTrue(!full.crashed() && full.acknowledged().size() > 5, "the clean run commits transfers during the checkpoints");
        int points = clean.matching(CHECKPOINT_IO);
        assertTrue(points >= 25, "the checkpoints make " + points + " writes, syncs and purges");
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), clean.afterPowerLoss(SimulatedDisk.Loss.DROP_ALL, 1));
             Connection c = inst.connect("CC", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertEquals(null, check(c, full.acknowledged()));
        }
        int crashes = 0;
        for (int k = 1; k <= points + 10; k++) {
            SimulatedDisk disk = new SimulatedDisk().crashAtMatching(CHECKPOINT_IO, k);
            Outcome o = workload(disk);
            if (!o.crashed()) continue;
            crashes++;
            PowerLoss.recoverAfterEach(disk, k * 17L, CONFIG, "checkpoint operation " + k + " (" + disk.trace().getLast() + ")",
                    c -> check(c, o.acknowledged()));
        }
        assertTrue(crashes >= 25, "crashed at " + crashes + " checkpoint operations");
    }
}
