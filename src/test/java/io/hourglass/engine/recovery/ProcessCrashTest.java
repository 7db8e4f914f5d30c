package io.hourglass.engine.recovery;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL during concurrent durable bank transfers, then recovery: every acknowledged transfer is
 * there, no transfer is there in part, and no money appeared or vanished. Rounds run on the same
 * files, so each round also recovers the previous rounds' work; in every other round the worker
 * also takes fuzzy checkpoints one after another, so kills land inside checkpoints too. The
 * default run does a few rounds; {@code -Dhourglass.crash.rounds=100} runs the harness long.
 */
class ProcessCrashTest {
    @TempDir
    Path dir;

    @Test
    void sigkillDuringDurableTransfersLosesNoAcknowledgedCommit() throws Exception {
        int rounds = Integer.getInteger("hourglass.crash.rounds", 3);
        Random random = new Random(Long.getLong("hourglass.crash.seed", System.nanoTime()));
        Set<Long> acked = new HashSet<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(), dir.toString(),
                    Integer.toString(round), "4", round % 2 == 0 ? "20" : "0"); // every other round, checkpoints all along
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            CountDownLatch ready = new CountDownLatch(1);
            List<Long> roundAcks = new ArrayList<>();
            CountDownLatch checkpointed = new CountDownLatch(1);
            List<String> checkpointFailures = new ArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("READY")) ready.countDown();
                        else if (line.equals("CKPT")) checkpointed.countDown();
                        else if (line.startsWith("CKPTFAIL ")) {
                            synchronized (checkpointFailures) {
                                checkpointFailures.add(line);
                            }
                        } else if (line.startsWith("ACK ")) {
                            synchronized (roundAcks) {
                                roundAcks.add(Long.parseLong(line.substring(4)));
                            }
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process died: that is the point
                }
            });
            assertTrue(ready.await(60, TimeUnit.SECONDS), "the worker started");
            if (round % 2 == 0) assertTrue(checkpointed.await(60, TimeUnit.SECONDS), "round " + round + ": a checkpoint ran");
            Thread.sleep(200 + random.nextInt(1000));
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            synchronized (roundAcks) {
                assertTrue(roundAcks.size() > 5, "round " + round + " acknowledged only " + roundAcks.size());
                acked.addAll(roundAcks);
            }
            synchronized (checkpointFailures) {
                assertEquals(List.of(), checkpointFailures, "round " + round + ": checkpoints failed");
            }
            verify(acked, round);
        }
    }

    private void verify(Set<Long> acked, int round) {
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(CrashWorker.config(dir.toString())));
             Connection c = inst.connect("BANK", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertTrue(inst.database("BANK").recovery().neededAfterCrash(), "round " + round + ": TT20100");
            // A kill mid-checkpoint leaves that file incomplete, never one that claims to be whole and fails to load.
            assertEquals(List.of(), inst.database("BANK").recovery().rejected(), "round " + round + ": every complete checkpoint file loads");
            Set<Long> journal = new HashSet<>();
            Map<Long, Long> expected = new HashMap<>();
            for (long a = 1; a <= CrashWorker.ACCOUNTS; a++) expected.put(a, CrashWorker.INITIAL);
            for (Object[] r : c.execute("SELECT id, src, dst, amt FROM journal").rows()) {
                journal.add((Long) r[0]);
                expected.merge((Long) r[1], -(Long) r[3], Long::sum);
                expected.merge((Long) r[2], (Long) r[3], Long::sum);
            }
            for (long id : acked) assertTrue(journal.contains(id), "round " + round + ": acknowledged transfer " + id + " lost");
            assertEquals(CrashWorker.ACCOUNTS * CrashWorker.INITIAL,
                    (Long) c.execute("SELECT SUM(bal) FROM acct").rows().get(0)[0], "round " + round + ": money changed");
            for (Object[] r : c.execute("SELECT id, bal FROM acct").rows()) {
                assertEquals(expected.get((Long) r[0]), r[1], "round " + round + ": account " + r[0] + " disagrees with the journal");
            }
        }
    }
}
