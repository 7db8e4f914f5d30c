package io.hourglass.engine.catalog;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Wrong passwords sent at once are checked one at a time: a flood of them takes one core at most. */
class PasswordChecksTest {

    @Test
    void slowPasswordChecksRunOneAtATime() throws Exception {
        try (Instance inst = TestInstances.one("PW")) {
            try (Connection a = inst.connect("PW", "admin", TestInstances.ADMIN_PASSWORD)) {
                a.execute("CREATE USER guesser IDENTIFIED BY right_one");
            }
            int n = 6;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> tries = new ArrayList<>();
            List<Integer> codes = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < n; i++) {
                String guess = "wrong" + i;
                tries.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        inst.connect("PW", "guesser", guess).close();
                        codes.add(0);
                    } catch (HourglassException e) {
                        codes.add(e.number());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : tries) t.join();
            assertEquals(java.util.Collections.nCopies(n, 7001), codes);
            assertEquals(1, Catalog.slowChecksMostAtOnce(), "the checks ran one at a time");
            // Six connections with the right password at once (a pool after a restart): one check answers for all.
            long before = Catalog.slowChecksDone();
            List<Thread> pool = new ArrayList<>();
            List<String> users = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch again = new CountDownLatch(1);
            for (int i = 0; i < n; i++) {
                pool.add(Thread.ofPlatform().start(() -> {
                    try {
                        again.await();
                        try (Connection ok = inst.connect("PW", "guesser", "right_one")) {
                            users.add(ok.user().name());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            again.countDown();
            for (Thread t : pool) t.join();
            assertEquals(java.util.Collections.nCopies(n, "GUESSER"), users);
            assertEquals(1, Catalog.slowChecksDone() - before, "the first check answered for the others");
        }
    }
}
