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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service with the archive on: a commit over HTTP reaches the database's log topic. */
@QuarkusTest
@WithTestResource(KafkaBroker.class)
class ArchiveServiceTest {
    @Inject
    ArchiveService archive;

    @Inject
    Instance instance;

    @io.quarkus.grpc.GrpcClient("hourglass")
    io.hourglass.api.grpc.v1.Admin grpcAdmin;

    @Test
    void aCommitOverHttpIsArchivedInKafka() throws Exception {
        assertNull(archive.shipper("sampledb"), "the temporary database is not archived");
        KafkaLogShipper s = archive.shipper("testdb");
        assertTrue(s.topic().startsWith("svc-test-") && s.topic().endsWith(".testdb.log"), s.topic());
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

    @Test
    void theAdminApiShowsTheArchiveAndRestoresIntoANewDatabaseButNeverOverALoadedOne() throws Exception {
        var admin = given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON);
        admin.body(Map.of("sql", "DROP TABLE restored_here")).post("/v1/databases/testdb/sql");
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "CREATE TABLE restored_here (id INTEGER PRIMARY KEY, v VARCHAR2(20))"))
                .post("/v1/databases/testdb/sql").then().statusCode(200);
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "INSERT INTO restored_here VALUES (1, 'one')")).post("/v1/databases/testdb/sql")
                .then().statusCode(200);
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "CALL ttCkpt()")).post("/v1/databases/testdb/sql").then().statusCode(200);
        KafkaCheckpointShipper ckpt = archive.checkpointShipper("testdb");
        long newest = instance.database("testdb").checkpointer().newest().checkpointId();
        KafkaRestoreTest.waitFor(() -> ckpt.archivedCheckpointId() >= newest);
        long target = instance.database("testdb").log().appendedLsn();
        KafkaRestoreTest.waitFor(() -> archive.shipper("testdb").acknowledgedLsn() >= target);

        given().auth().preemptive().basic("admin", "test-admin-password").get("/v1/admin/archive").then().statusCode(200)
                .body("[0].database", org.hamcrest.Matchers.equalToIgnoringCase("testdb"))
                .body("[0].archivedCheckpointId", org.hamcrest.Matchers.greaterThanOrEqualTo((int) newest));
        given().auth().preemptive().basic("admin", "wrong").get("/v1/admin/archive").then().statusCode(401);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("hourglass_archive_behind_bytes{database=\"TESTDB\"}")
                || metrics.contains("hourglass_archive_behind_bytes{database=\"testdb\"}"), "archive lag is a metric");

        // Over the loaded database: refused before any work.
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("source", "testdb", "target", "testdb", "dataStore", "target/test-data/testdb/testdb"))
                .post("/v1/admin/restores").then().statusCode(409).body("error.code", org.hamcrest.Matchers.equalTo(90024));

        java.nio.file.Path into = java.nio.file.Files.createTempDirectory("hg-restore").resolve("copy");
        String id = given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("source", "testdb", "target", "COPY", "dataStore", into.toString(), "permSizeMb", 64))
                .post("/v1/admin/restores").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + 60_000_000_000L;
        String state;
        do {
            assertTrue(System.nanoTime() < deadline, "restored within 60 s");
            Thread.sleep(50);
            state = given().auth().preemptive().basic("admin", "test-admin-password").get("/v1/admin/restores/" + id)
                    .then().statusCode(200).extract().path("state");
        } while (state.equals("running"));
        var done = given().auth().preemptive().basic("admin", "test-admin-password").get("/v1/admin/restores/" + id)
                .then().extract().jsonPath();
        assertEquals("done", state, String.valueOf(done.getMap("error")));
        assertEquals("done", done.getString("progress.phase"));
        assertTrue(done.getLong("result.checkpointId") >= newest);
        var cfg = io.hourglass.engine.lifecycle.DatabaseConfig.defaults("COPY", into.toString()).withPermSize(64);
        try (Instance copy = new Instance("another-password", List.of(cfg));
             var c = copy.connect("COPY", "admin", "another-password")) {
            var rows = c.execute("SELECT v FROM restored_here WHERE id = 1").rows();
            assertEquals("one", rows.getFirst()[0]);
        }
    }

    @Test
    void theAdminGrpcServiceRestoresWithStreamedProgressAndRefusesOthers() throws Exception {
        var creds = io.hourglass.api.grpc.v1.AdminCredentials.newBuilder().setUser("admin").setPassword("test-admin-password").build();
        given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON)
                .body(Map.of("sql", "CALL ttCkpt()")).post("/v1/databases/testdb/sql").then().statusCode(200);
        long newest = instance.database("testdb").checkpointer().newest().checkpointId();
        KafkaRestoreTest.waitFor(() -> archive.checkpointShipper("testdb").archivedCheckpointId() >= newest);
        long target = instance.database("testdb").log().appendedLsn();
        KafkaRestoreTest.waitFor(() -> archive.shipper("testdb").acknowledgedLsn() >= target);

        var status = grpcAdmin.archiveStatus(creds).await().atMost(Duration.ofSeconds(30));
        var testdb = status.getDatabasesList().stream().filter(d -> d.getDatabase().equals("testdb")).findFirst().orElseThrow();
        assertTrue(testdb.getArchivedCheckpointId() >= newest);
        var wrong = creds.toBuilder().setPassword("nope").build();
        var denied = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> grpcAdmin.archiveStatus(wrong).await().atMost(Duration.ofSeconds(30)));
        assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, denied.getStatus().getCode());

        java.nio.file.Path into = java.nio.file.Files.createTempDirectory("hg-grpc-restore").resolve("gcopy");
        var req = io.hourglass.api.grpc.v1.RestoreRequest.newBuilder().setCredentials(creds).setSource("testdb")
                .setTarget("GCOPY").setDataStore(into.toString()).setPermSizeMb(64).build();
        List<io.hourglass.api.grpc.v1.RestoreProgress> seen = grpcAdmin.restore(req).collect().asList()
                .await().atMost(Duration.ofSeconds(120));
        var last = seen.getLast();
        assertTrue(last.hasResult(), last.toString());
        assertEquals("done", last.getPhase());
        assertTrue(last.getResult().getCheckpointId() >= newest);
        assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(into + ".ds0")));

        var again = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> grpcAdmin.restore(req).collect().asList().await().atMost(Duration.ofSeconds(60)));
        assertEquals(io.grpc.Status.Code.ABORTED, again.getStatus().getCode());
        assertTrue(again.getStatus().getDescription().contains("TT90024"), again.getStatus().getDescription());
    }
}
