package io.hourglass.archive;

import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.service.ArchiveService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service with the archive on: a commit over HTTP reaches the database's log topic. */
@QuarkusTest
@WithTestResource(KafkaBroker.class)
class ArchiveServiceTest {
    @Inject
    ArchiveService archive;

    @Inject
    Instance instance;

    @Test
    void aCommitOverHttpIsArchivedInKafka() throws Exception {
        assertEquals(1, archive.shippers().size(), "the persistent test database is archived, the temporary one is not");
        KafkaLogShipper s = archive.shippers().getFirst();
        assertEquals("svc-test.testdb.log", s.topic());
        // testdb keeps its files between runs: start from a known state.
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "DROP TABLE archived")).post("/v1/databases/testdb/sql");
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "CREATE TABLE archived (id INTEGER PRIMARY KEY)")).post("/v1/databases/testdb/sql")
                .then().statusCode(200);
        var log = instance.database("testdb").log();
        long target = log.appendedLsn();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (s.acknowledgedLsn() < target) {
            assertTrue(System.nanoTime() < deadline, "archived within 30 s");
            Thread.sleep(20);
        }
        // Read at run time: other test classes' applications have no broker configured.
        String servers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        TopicPartition tp = new TopicPartition(s.topic(), 0);
        boolean found = false;
        try (var c = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", servers), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    LogTransaction t = LogTransaction.parseFrom(r.value());
                    if (t.getEndLsn() == target && t.getChanges(0).hasCatalogChange()) found = true;
                }
            }
        }
        assertTrue(found, "the CREATE TABLE is the archive's last transaction");
    }
}
