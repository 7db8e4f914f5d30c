package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.PowerLoss;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.SimulatedDisk;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's central promise (docs/FORMAT.md, "Transaction log", validity rule and sync order):
 * whatever point the power fails at, and whatever happens to unsynced writes (lost, torn,
 * garbage, out of order), recovery yields exactly the state after some prefix of the committed
 * transactions, and that prefix includes every transaction whose durable commit had returned.
 */
class CrashPointTest {
    private static final DatabaseConfig CONFIG = DatabaseConfig.defaults("CP", "/sim/cp").withLog(8, 1);

    /** The table's contents as text, "absent" when the table does not exist. */
    private static String contents(Connection c) {
        try {
            StringBuilder sb = new StringBuilder();
            for (Object[] r : c.execute("SELECT id, v, note FROM acct ORDER BY id").rows()) {
                sb.append(r[0]).append('=').append(r[1]).append('/').append(Values.toText(r[2])).append(';');
            }
            return sb.toString();
        } catch (HourglassException e) {
            if (e.number() == 2206) return "absent";
            throw e;
        }
    }

    /** Runs the workload until it ends or the disk dies; returns the states it committed. */
    private static Outcome workload(SimulatedDisk disk) {
        List<String> states = new ArrayList<>();
        states.add("absent");
        int lastDurable = 0;
        final TreeMap<Integer, String> model = new TreeMap<>();
        Instance inst;
        try {
            inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CONFIG), disk);
        } catch (RuntimeException e) {
            return new Outcome(states, lastDurable); // the power went while the first log file was made
        }
        try (Connection c = inst.connect("CP", "admin", TestInstances.ADMIN_PASSWORD)) {
            // A state counts from the moment its batch is in the log, acknowledged or not: an
            // unacknowledged commit may or may not survive, but must not be torn.
            states.add("");
            c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, note VARCHAR2(40))");
            lastDurable = states.size() - 1; // DDL is durable when it returns
            c.setAutocommit(false);
            for (int k = 1; k <= 14; k++) {
                // Each transaction changes several rows; some roll back; every third commits durably.
                c.execute("INSERT INTO acct VALUES (?, ?, ?)", k, k * 10, "n" + k);
                model.put(k, (k * 10) + "/n" + k);
                if (k > 2) {
                    c.execute("UPDATE acct SET v = v + 1, note = ? WHERE id = ?", "u" + k, k - 2);
                    String old = model.get(k - 2);
                    if (old != null) model.put(k - 2, (Integer.parseInt(old.substring(0, old.indexOf('/'))) + 1) + "/u" + k);
                }
                if (k % 5 == 0) {
                    c.execute("DELETE FROM acct WHERE id = ?", k - 4);
                    model.remove(k - 4);
                }
                if (k % 4 == 0) {
                    c.rollback();
                    model.clear();
                    model.putAll(modelOf(states.getLast()));
                    continue;
                }
                boolean durable = k % 3 == 0;
                var stage = c.commit(durable);
                states.add(render(model));
                Connection.join(stage);
                if (durable) lastDurable = states.size() - 1;
                if (k == 7) {
                    c.execute("CREATE UNIQUE INDEX acct_note ON acct (note)");
                    lastDurable = states.size() - 1;
                }
            }
        } catch (HourglassException e) {
            // The disk died under the workload: what committed before is what recovery must find.
        } finally {
            try {
                inst.close();
            } catch (RuntimeException ignored) {
                // closing a database whose disk is gone
            }
        }
        return new Outcome(states, lastDurable);
    }

    private static TreeMap<Integer, String> modelOf(String rendered) {
        TreeMap<Integer, String> m = new TreeMap<>();
        if (rendered.equals("absent") || rendered.isEmpty()) return m;
        for (String part : rendered.split(";")) {
            int eq = part.indexOf('=');
            m.put(Integer.parseInt(part.substring(0, eq)), part.substring(eq + 1));
        }
        return m;
    }

    private static String render(TreeMap<Integer, String> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
        return sb.toString();
    }

    private record Outcome(List<String> states, int lastDurable) {}

    @Test
    void everyCrashPointRecoversAPrefixWithEveryAcknowledgedDurableCommit() {
        SimulatedDisk clean = new SimulatedDisk();
        Outcome full = workload(clean);
        int points = clean.points();
        assertTrue(points >= 20, "the workload has " + points + " I/O points");
        assertTrue(full.states().size() > 10);
        int crashes = 0;
        // Timing moves points a little between runs, so go on past the clean run's count until a
        // run finishes before its crash point.
        for (int k = 1; k <= points + 20; k++) {
            SimulatedDisk disk = new SimulatedDisk().crashAt(k);
            Outcome o = workload(disk);
            if (!disk.crashed()) continue;
            crashes++;
            PowerLoss.recoverAfterEach(disk, k * 31L, CONFIG, "point " + k + " (" + lastOp(disk) + ")",
                    c -> PowerLoss.notADurablePrefix(contents(c), o.states(), o.lastDurable()));
        }
        assertTrue(crashes >= 20, "crashed at " + crashes + " points");
    }

    private static String lastOp(SimulatedDisk d) {
        List<String> t = d.trace();
        return t.isEmpty() ? "-" : t.getLast();
    }
}
