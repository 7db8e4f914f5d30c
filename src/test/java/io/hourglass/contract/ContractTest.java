package io.hourglass.contract;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.KafkaBroker;
import io.hourglass.archive.KafkaCheckpointShipper;
import io.hourglass.archive.KafkaLogShipper;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .proto files are the contract: a consumer written from them alone reads every topic. */
class ContractTest {
    @TempDir
    Path dir;

    @Test
    void theContractConsumerUsesNothingOfHourglassButTheGeneratedClasses() {
        classes().that().haveSimpleName("ArchiveContractConsumer").or().haveNameMatching(".*ArchiveContractConsumer\\$.*")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.hourglass.archive.v1..", "io.hourglass.contract..",
                        "org.apache.kafka..", "com.google.protobuf..", "java..")
                .check(new ClassFileImporter().importClasses(ArchiveContractConsumer.class, ArchiveContractConsumer.Summary.class));
    }

    private static void waitFor(BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 60 s");
            Thread.sleep(20);
        }
    }

    @Test
    void aConsumerWrittenFromTheProtoFilesReadsTheLogCheckpointAndSnapshotTopics() throws Exception {
        try (KafkaBroker.Running kafka = KafkaBroker.forTest()) {
            String prefix = "contract-" + KafkaBroker.RUN;
            ArchiveTopics t = new ArchiveTopics(Map.of("bootstrap.servers", kafka.servers()), prefix, "PUB");
            DatabaseConfig cfg = DatabaseConfig.defaults("PUB", dir.resolve("pub").toString()).withCheckpoints(0, 0, 0);
            try (Instance i = TestInstances.with(cfg); Connection c = i.connect("PUB", "admin", TestInstances.ADMIN_PASSWORD);
                 KafkaLogShipper log = new KafkaLogShipper(i.database("PUB"), t, KafkaLogShipper.Settings.defaults());
                 KafkaCheckpointShipper ckpt = new KafkaCheckpointShipper(i.database("PUB"), t)) {
                log.start();
                ckpt.start();
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(4000))");
                for (int k = 0; k < 600; k++) c.execute("INSERT INTO t VALUES (?, ?)", k, "v".repeat(3000)); // ~1.8 MB image
                Database db = i.database("PUB");
                db.checkpointer().checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "contract", 0));
                c.execute("DELETE FROM t WHERE id < 10");
                c.execute("CALL ttDurableCommit()");
                long synced = db.log().syncedLsn();
                waitFor(() -> log.acknowledgedLsn() >= synced && ckpt.archivedCheckpointId() >= 1);
            }
            ArchiveContractConsumer.Summary s = new ArchiveContractConsumer(kafka.servers()).read(prefix, "PUB");
            assertEquals(1 + 600 + 1, s.transactions());
            assertEquals(1 + 600 + 10, s.changes());
            assertEquals(1, s.catalogChanges());
            assertEquals(0, s.duplicatesDropped());
            assertTrue(s.checkpointEvents().containsAll(java.util.List.of("1 In Progress", "1 Completed", "1 Archived")),
                    s.checkpointEvents().toString());
            assertTrue(s.checkpointEvents().indexOf("1 Completed") < s.checkpointEvents().indexOf("1 Archived"),
                    "a checkpoint is archived after its completion is published: " + s.checkpointEvents());
            assertTrue(s.snapshotChunks() >= 2 && s.snapshotBytes() > 1_800_000, s.toString());
        }
    }
}
