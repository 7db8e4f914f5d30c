package io.hourglass.engine.recovery;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sequence never gives a value twice, across crashes (the restart point it logs durably before
 * each CACHE values), checkpoints (which store the restart point) and clean restarts; a crash
 * skips at most the cached values. Real files; the crash is {@link Crashable#kill}.
 */
class SequenceRecoveryTest {
    @TempDir
    Path dir;

    private DatabaseConfig config() {
        return DatabaseConfig.defaults("SEQ", dir.resolve("seq").toString()).withLog(8, 1);
    }

    private static Connection admin(Instance i) { return i.connect("SEQ", "admin", TestInstances.ADMIN_PASSWORD); }

    private static long next(Connection c, String seq) {
        return ((Number) c.execute("SELECT " + seq + ".NEXTVAL FROM dual").rows().get(0)[0]).longValue();
    }

    /** ttCkptBlocking, once the checkpoint a recovery starts has ended (TT625 meanwhile). */
    private static void blockingCheckpoint(Connection c) {
        for (int attempt = 0; ; attempt++) {
            try {
                c.execute("CALL ttCkptBlocking()");
                return;
            } catch (HourglassException e) {
                if (e.number() != 625 || attempt == 200) throw e;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    throw new AssertionError(ie);
                }
            }
        }
    }

    @Test
    void aCrashSkipsAtMostTheCachedValuesAndNeverRepeatsOne() {
        Set<Long> given = new HashSet<>();
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        c.execute("CREATE SEQUENCE q CACHE 5");
        c.execute("CREATE SEQUENCE gone");
        c.execute("DROP SEQUENCE gone");
        for (int k = 0; k < 7; k++) assertTrue(given.add(next(c, "q")));
        assertEquals(7L, given.stream().mapToLong(Long::longValue).max().orElseThrow());
        dying.kill();

        // Restart points were logged at 1 (for 1..5) and at 6 (for 6..10): 8, 9, 10 are skipped.
        Crashable second = Crashable.open(config());
        Connection d = admin(second.instance());
        assertEquals(11L, next(d, "q"));
        assertEquals(90041, assertThrows(HourglassException.class, () -> next(d, "gone")).number(), "the DROP survived");
        // A checkpoint stores the restart point; the log after it adds more.
        for (int k = 0; k < 3; k++) next(d, "q"); // 12, 13, 14: 11 logged the restart point 16
        blockingCheckpoint(d); // stores 16
        for (int k = 0; k < 4; k++) assertEquals(15L + k, next(d, "q")); // 16 logs the restart point 21
        second.kill();

        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config())); Connection e = admin(i)) {
            assertEquals(21L, next(e, "q")); // logs 26
        }
        // A clean restart resumes where the last restart point says, as after a crash.
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config())); Connection e = admin(i)) {
            assertEquals(26L, next(e, "q"));
        }
    }

    @Test
    void concurrentSessionsGetDistinctValues() throws Exception {
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config()))) {
            try (Connection c = admin(i)) {
                c.execute("CREATE SEQUENCE q CACHE 7");
            }
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Connection c = admin(i)) {
                        for (int k = 0; k < 300; k++) {
                            long v = next(c, "q");
                            if (!seen.add(v)) throw new AssertionError("given twice: " + v);
                            assertEquals(v, ((Number) c.execute("SELECT q.CURRVAL FROM dual").rows().get(0)[0]).longValue());
                        }
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertEquals(1200, seen.size());
            assertEquals(1200L, seen.stream().mapToLong(Long::longValue).max().orElseThrow(), "no value skipped without a restart");
        }
    }
}
