package io.hourglass.archive;

import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.hourglass.archive.KafkaRestoreTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker goes away in the middle of a workload and comes back (its own broker: it is stopped). */
class ArchiveOutageTest {
    private KafkaClusterTestKit kafka;

    @TempDir
    Path dir;

    @BeforeEach
    void broker() throws Exception {
        kafka = KafkaBroker.startEmbedded();
    }

    @AfterEach
    void stop() throws Exception {
        if (kafka != null) kafka.close();
    }

    @Test
    void commitsGoOnThenAreRefusedAtTheHoldLimitAndTheArchiveHasEveryTransactionOnceInOrder() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("OUT", dir.resolve("out").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
        ArchiveTopics t = new ArchiveTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), "outage", "OUT");
        long limit = 8 * 1024 * 1024;
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("OUT", "admin", TestInstances.ADMIN_PASSWORD);
             KafkaLogShipper s = new KafkaLogShipper(i.database("OUT"), t,
                     new KafkaLogShipper.Settings(limit, KafkaLogShipper.HoldPolicy.FAIL_COMMITS))) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad VARCHAR2(2000))");
            s.start();
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Connection w = i.connect("OUT", "admin", TestInstances.ADMIN_PASSWORD)) {
                    for (int k = 0; !stop.get(); k++) {
                        try {
                            w.execute("INSERT INTO t VALUES (?, ?)", k, "p".repeat(1000));
                            committed.incrementAndGet();
                        } catch (HourglassException e) {
                            if (e.number() != 90026) throw e;
                            refused.incrementAndGet();
                            Thread.sleep(5);
                        }
                    }
                } catch (Throwable e) {
                    unexpected.set(e);
                }
            });
            waitFor(() -> s.acknowledgedTransactions() > 200);
            waitFor(() -> s.behindBytes() < limit / 2); // shipping keeps up with the writer
            int atStop = committed.get();
            kafka.brokers().values().iterator().next().shutdown(); // Kafka goes away
            waitFor(() -> refused.get() > 0);
            assertTrue(committed.get() > atStop + 500, "commits went on locally while Kafka was away: " + atStop + " then "
                    + committed.get() + ", " + refused.get() + " refused; " + s.status());
            // Acks for records sent before the shutdown may still trickle in and lift the refusal for a
            // moment (below half the limit); what matters is that it holds once Kafka is silent.
            waitFor(() -> {
                KafkaLogShipper.Status st = s.status();
                return st.refusingCommits() && st.behindBytes() >= limit;
            });
            var holds = c.execute("CALL ttLogHolds()").rows();
            assertTrue(holds.stream().anyMatch(r -> r[2].equals("Archive") && r[3].toString().contains("behind")));

            kafka.brokers().values().iterator().next().startup(); // and comes back
            int refusedBefore = refused.get();
            waitFor(() -> !s.status().refusingCommits());
            int afterReturn = committed.get();
            waitFor(() -> committed.get() > afterReturn + 50);
            stop.set(true);
            writer.join();
            assertNull(unexpected.get());
            assertTrue(refused.get() >= refusedBefore);
            i.database("OUT").transactions().flushDurably().toCompletableFuture().join();
            long synced = i.database("OUT").log().syncedLsn();
            waitFor(() -> s.acknowledgedLsn() >= synced);
        }
        List<LogTransaction> all = new ArrayList<>();
        t.readAll(t.log(), 0, r -> all.add(LogTransaction.parseFrom(r.value())));
        long end = all.getFirst().getStartLsn();
        for (LogTransaction x : all) {
            assertEquals(end, x.getStartLsn(), "no gap, no duplicate");
            end = x.getEndLsn();
        }
        assertEquals(committed.get() + 1, all.size(), "every committed transaction once (and the CREATE TABLE)");
    }
}
