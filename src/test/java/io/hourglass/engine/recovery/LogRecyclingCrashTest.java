package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.PowerLoss;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.SimulatedDisk;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's promise where log files are recycled: a workload whose log runs through files made
 * from purged ones (what they held still behind their headers) and through a clean restart,
 * with the power cut at every step of purging into a spare and making a file from it, at the
 * restart's OPENED and END_OF_FILE records, and at writes into the recycled files; under every
 * kind of loss of unsynced writes, recovery finds the state after a prefix of the transactions
 * that includes every acknowledged durable one, and nothing of a file's earlier life.
 */
class LogRecyclingCrashTest {
    private static final DatabaseConfig CONFIG = DatabaseConfig.defaults("LR", "/sim/lr").withLog(8, 1).withCheckpoints(0, 0, 0);
    private static final int ROWS = 20, TXNS = 800;
    private static final String PAD = "x".repeat(3990);

    /** Purge into a spare, a file made from one, and the 28-byte OPENED and END_OF_FILE records a load writes. */
    private static final Predicate<String> RECYCLING = what -> what.contains(".free") || what.contains(".tmp") || what.endsWith(" +28");
    /** Writes and syncs of the log files that are recycled in this workload (2 and later). */
    private static final Predicate<String> LATER_FILES = what -> what.matches("(write|sync) lr\\.log[2-9].*");

    private record Outcome(List<String> states, int lastDurable, boolean crashed) {}

    /** Transaction n sets v = n and a new pad in 10 of the rows; every 20th commits durably; a checkpoint every 100. */
    private static Outcome workload(SimulatedDisk disk) {
        int[] v = new int[ROWS];
        List<String> states = new ArrayList<>(List.of("absent"));
        int lastDurable = 0;
        Instance inst = null;
        try {
            inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk);
            Connection c = inst.connect("LR", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad VARCHAR2(4000))");
            states.add("0 rows");
            lastDurable = 1; // DDL is durable when it returns
            c.setAutocommit(false);
            for (int id = 0; id < ROWS; id++) c.execute("INSERT INTO acct VALUES (?, 0, ?)", id, PAD);
            states.add(render(v));
            Connection.join(c.commit(true));
            lastDurable = 2;
            for (int n = 1; n <= TXNS; n++) {
                for (int j = 0; j < 10; j++) {
                    int id = (n * 7 + j) % ROWS;
                    c.execute("UPDATE acct SET v = ?, pad = ? WHERE id = ?", n, PAD + n % 10, id);
                    v[id] = n;
                }
                boolean durable = n % 20 == 0;
                var stage = c.commit(durable);
                states.add(render(v));
                Connection.join(stage);
                if (durable) lastDurable = states.size() - 1;
                if (n % 100 == 0) {
                    c.setAutocommit(true);
                    c.execute("CALL ttCkpt()"); // both checkpoint files past a log file: it is purged into a spare
                    c.setAutocommit(false);
                }
                if (n == 250) { // a clean restart: the log goes on in place, after an OPENED record
                    c.close();
                    inst.close();
                    inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk);
                    c = inst.connect("LR", "admin", TestInstances.ADMIN_PASSWORD);
                    c.setAutocommit(false);
                }
            }
        } catch (RuntimeException e) {
            // The power went: what recovery finds is checked by the caller.
        } finally {
            if (inst != null) {
                try {
                    inst.close();
                } catch (RuntimeException ignored) {
                    // closing a database whose disk is gone
                }
            }
        }
        return new Outcome(states, lastDurable, disk.crashed());
    }

    private static String render(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int x : v) sb.append(x).append(',');
        return sb.toString();
    }

    private static String recovered(Connection c) {
        int[] v = new int[ROWS];
        List<Object[]> rows;
        try {
            rows = c.execute("SELECT id, v, pad FROM acct").rows();
        } catch (HourglassException e) {
            if (e.number() == 2206) return "absent";
            throw e;
        }
        if (rows.size() != ROWS) return rows.size() + " rows";
        for (Object[] r : rows) {
            int id = ((Number) r[0]).intValue();
            v[id] = ((Number) r[1]).intValue();
            String expected = v[id] == 0 ? PAD : PAD + v[id] % 10;
            if (!expected.equals(r[2])) return "row " + id + " has a pad that its v=" + v[id] + " was not written with";
        }
        return render(v);
    }

    @Test
    void aCrashAnywhereInRecyclingRecoversACommittedPrefixWithEveryDurableCommit() {
        SimulatedDisk clean = new SimulatedDisk();
        Outcome full = workload(clean);
        assertTrue(!full.crashed() && full.states().size() == TXNS + 3, "the clean run commits every transaction");
        assertTrue(clean.matching(what -> what.matches("rename lr\\.log\\d+\\.free -> lr\\.log\\d+\\.tmp")) >= 2,
                "later log files are made from spares: " + clean.trace().stream().filter(t -> t.contains(".free")).toList());
        int recycling = clean.matching(RECYCLING), later = clean.matching(LATER_FILES);
        int crashes = 0;
        for (int k = 1; k <= recycling + 5; k++) crashes += crashAndRecover(RECYCLING, k);
        // The writes into recycled files: every 9th (there are hundreds, and each run costs the whole workload).
        for (int k = 1; k <= later; k += 9) crashes += crashAndRecover(LATER_FILES, k);
        assertTrue(crashes >= 30, "crashed at " + crashes + " points (" + recycling + " recycling steps, " + later + " later writes)");
    }

    private static int crashAndRecover(Predicate<String> which, int k) {
        SimulatedDisk disk = new SimulatedDisk().crashAtMatching(which, k);
        Outcome o = workload(disk);
        if (!o.crashed()) return 0;
        PowerLoss.recoverAfterEach(disk, k * 13L, CONFIG, disk.trace().getLast(),
                c -> PowerLoss.notADurablePrefix(recovered(c), o.states(), o.lastDurable()));
        return 1;
    }
}
