package io.hourglass.cli;

import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.KafkaBroker;
import io.hourglass.archive.KafkaLogShipper;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hourglass restore} in-process against a real broker: output, progress and exit codes. */
class HourglassCliTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = new HourglassCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void restoresFromKafkaIntoANewDatabaseAndSaysSoWithExitCodes() throws Exception {
        try (KafkaBroker.Running kafka = KafkaBroker.forTest()) {
            String servers = kafka.servers();
            String prefix = "cli-" + KafkaBroker.RUN;
            DatabaseConfig cfg = DatabaseConfig.defaults("CLIDB", dir.resolve("src/clidb").toString()).withCheckpoints(0, 0, 0);
            try (Instance i = TestInstances.with(cfg); Connection c = i.connect("CLIDB", "admin", TestInstances.ADMIN_PASSWORD);
                 KafkaLogShipper s = new KafkaLogShipper(i.database("CLIDB"),
                         new ArchiveTopics(Map.of("bootstrap.servers", servers), prefix, "CLIDB"), KafkaLogShipper.Settings.defaults())) {
                s.start();
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
                for (int k = 0; k < 100; k++) c.execute("INSERT INTO t VALUES (?, 'v')", k);
                c.execute("CALL ttDurableCommit()");
                long synced = i.database("CLIDB").log().syncedLsn();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (s.acknowledgedLsn() < synced) {
                    assertTrue(System.nanoTime() < deadline);
                    Thread.sleep(20);
                }
            }
            String into = dir.resolve("copy/copy").toString();
            Run ok = cli("restore", "--from-kafka", "clidb", "--into", "COPY", "--data-store", into, "--perm-size", "32",
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().contains("Restored clidb into COPY: from the database's start, 101 transaction(s)"), ok.out());
            assertTrue(ok.err().contains("log "), "progress is shown: " + ok.err());
            try (Instance i = TestInstances.with(DatabaseConfig.defaults("COPY", into).withPermSize(32));
                 Connection c = i.connect("COPY", "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(100L, ((Number) c.execute("SELECT COUNT(*) FROM t").rows().getFirst()[0]).longValue());
            }

            Run again = cli("restore", "--from-kafka", "clidb", "--into", "COPY", "--data-store", into,
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(1, again.code());
            assertTrue(again.err().contains("TT90024"), again.err());
            assertTrue(Files.exists(Path.of(into + ".ds0")), "the existing database is untouched");

            Run bad = cli("restore", "--from-kafka", "clidb", "--to-time", "yesterday", "--data-store", dir.resolve("x/x").toString(),
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("TT90015"), bad.err());
            assertEquals(2, cli("restore", "--bogus", "1").code());
            assertEquals(2, cli("frobnicate").code());

            // --if-empty, as a pod's init container runs it: an empty volume with an archive is restored ...
            String pod = dir.resolve("pod/clidb").toString();
            Run restored = cli("restore", "--from-kafka", "clidb", "--if-empty", "--data-store", pod, "--perm-size", "32",
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(0, restored.code(), restored.err());
            assertTrue(restored.out().contains("101 transaction(s)"), restored.out());
            long size = Files.size(Path.of(pod + ".ds0"));
            // ... a volume with files is left alone, whatever the archive holds ...
            Run kept = cli("restore", "--from-kafka", "clidb", "--if-empty", "--data-store", pod,
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(0, kept.code(), kept.err());
            assertTrue(kept.out().contains("has files already"), kept.out());
            assertEquals(size, Files.size(Path.of(pod + ".ds0")));
            // ... a volume holding a restore that was cut short (its marker and a partial image) is restored anew ...
            String cut = dir.resolve("cut/clidb").toString();
            Files.createDirectories(dir.resolve("cut"));
            Files.write(Path.of(cut + ".ds0"), new byte[] {1, 2, 3});
            Files.write(Path.of(cut + ".restoring"), new byte[0]);
            Run redone = cli("restore", "--from-kafka", "clidb", "--if-empty", "--data-store", cut, "--perm-size", "32",
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(0, redone.code(), redone.err());
            assertTrue(redone.out().contains("cut short; restoring again") && redone.out().contains("101 transaction(s)"), redone.out());
            assertTrue(!Files.exists(Path.of(cut + ".restoring")));
            try (Instance i = TestInstances.with(DatabaseConfig.defaults("CLIDB", cut).withPermSize(32));
                 Connection c = i.connect("CLIDB", "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(100L, ((Number) c.execute("SELECT COUNT(*) FROM t").rows().getFirst()[0]).longValue());
            }
            // ... nothing archived (a new pod of a new cluster): nothing is written, the service starts it empty ...
            String fresh = dir.resolve("fresh/newdb").toString();
            Run none = cli("restore", "--from-kafka", "newdb", "--if-empty", "--data-store", fresh,
                    "--bootstrap-servers", servers, "--topic-prefix", prefix);
            assertEquals(0, none.code(), none.err());
            assertTrue(none.out().contains("Nothing is archived in " + prefix + ".newdb.log"), none.out());
            assertTrue(!Files.exists(Path.of(fresh + ".ds0")) && !Files.exists(Path.of(fresh + ".ds1")));
        }
        // ... and a Kafka that does not answer is a failure, never "nothing archived".
        try (var unused = new java.net.ServerSocket(0)) {
            String nowhere = "localhost:" + unused.getLocalPort();
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code = new HourglassCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Map.of("KAFKA_REQUEST_TIMEOUT_MS", "2000", "KAFKA_DEFAULT_API_TIMEOUT_MS", "3000"))
                    .run(new String[] {"restore", "--from-kafka", "clidb", "--if-empty", "--data-store", dir.resolve("down/clidb").toString(),
                            "--bootstrap-servers", nowhere});
            assertEquals(1, code, out + " / " + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("TT90025"), err.toString(StandardCharsets.UTF_8));
            assertTrue(!Files.exists(dir.resolve("down")) || Files.list(dir.resolve("down")).findAny().isEmpty());
        }
    }
}
