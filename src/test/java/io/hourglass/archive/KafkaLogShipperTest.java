package io.hourglass.archive;

import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.Lsn;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log archive against a real KRaft broker in this JVM. */
class KafkaLogShipperTest {
    private static KafkaBroker.Running kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() throws Exception {
        kafka = KafkaBroker.forTest();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
    }

    private static Map<String, Object> client() { return Map.of("bootstrap.servers", kafka.servers()); }

    private static List<LogTransaction> archived(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<LogTransaction> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(client(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) out.add(LogTransaction.parseFrom(r.value()));
            }
        }
        return out;
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void shipsEveryCommittedTransactionOnceInOrderHoldsTheLogAndResumesAfterARestart() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("ARC", dir.resolve("arc").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
        int commits = 0;
        String topic;
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("ARC", "admin", TestInstances.ADMIN_PASSWORD)) {
            var log = i.database("ARC").log();
            try (KafkaLogShipper s = new KafkaLogShipper(i.database("ARC"), new ArchiveTopics(client(), "hg-test-" + KafkaBroker.RUN, "ARC"), KafkaLogShipper.Settings.defaults())) {
                topic = s.topic();
                s.start();
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(4000))");
                commits++;
                for (int k = 0; k < 300; k++, commits++) c.execute("INSERT INTO t VALUES (?, ?, 'n')", k, k);
                c.setAutocommit(false);
                String big = "b".repeat(3900);
                for (int k = 1000; k < 1400; k++) c.execute("INSERT INTO t VALUES (?, 0, ?)", k, big); // ~1.6 MB: split in parts
                c.commit(true).toCompletableFuture().join();
                commits++;
                c.setAutocommit(true);
                waitFor(() -> s.acknowledgedLsn() >= log.syncedLsn());
                assertEquals(commits, s.acknowledgedTransactions());
                var holds = c.execute("CALL ttLogHolds()").rows();
                assertTrue(holds.stream().anyMatch(r -> r[2].equals("Archive")), "the Archive hold is listed");
            }
            // Shipping stopped (Kafka away, or a restart): commits go on.
            for (int k = 300; k < 350; k++, commits++) c.execute("INSERT INTO t VALUES (?, ?, 'later')", k, k);
            c.execute("CALL ttDurableCommit()");
            try (KafkaLogShipper s = new KafkaLogShipper(i.database("ARC"), new ArchiveTopics(client(), "hg-test-" + KafkaBroker.RUN, "ARC"), KafkaLogShipper.Settings.defaults())) {
                s.start();
                waitFor(() -> s.acknowledgedLsn() >= log.syncedLsn());
                assertEquals(50, s.acknowledgedTransactions(), "resumed after the last archived transaction");
            }
        }
        List<LogTransaction> all = archived(topic);
        // Continuity: every transaction's start is the previous one's end; parts share their LSNs.
        long end = Lsn.pack(0, 64);
        int whole = 0, parts = 0;
        for (LogTransaction t : all) {
            assertEquals(end, t.getStartLsn(), "no gap, no duplicate at transaction " + whole);
            if (t.getPart() == t.getParts() - 1) {
                end = t.getEndLsn();
                whole++;
            }
            if (t.getParts() > 1) parts++;
        }
        assertEquals(commits, whole);
        assertTrue(parts >= 2, "the large transaction went in " + parts + " parts");
        assertTrue(all.getFirst().getChanges(0).hasCatalogChange());
        assertEquals("ARC", all.getLast().getDatabase());
    }
}
