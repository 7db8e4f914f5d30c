package io.hourglass.it;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hourglass.api.grpc.v1.ExecuteRequest;
import io.hourglass.api.grpc.v1.ExecuteResponse;
import io.hourglass.api.grpc.v1.SqlGrpc;
import io.hourglass.api.grpc.v1.Value;
import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.v1.LogTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged service (the jar under {@code ./mvnw verify}, the native binary under
 * {@code -Dnative}): SQL over HTTP and gRPC, a checkpoint written to disk, every durable
 * commit shipped to a real Kafka broker.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedService.class)
class ServiceIT {
    private static final String SQL = "/v1/databases/itdb/sql";
    private static ManagedChannel channel;

    /** gRPC shares the HTTP port, which REST Assured knows once the artifact is up. */
    private static synchronized ManagedChannel channel() {
        if (channel == null) channel = Grpc.newChannelBuilder("localhost:" + RestAssured.port, InsecureChannelCredentials.create()).build();
        return channel;
    }

    @AfterAll
    static void close() throws InterruptedException {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", PackagedService.PASSWORD).contentType(ContentType.JSON);
    }

    private static ExecuteResponse grpc(String sql, Value... params) {
        return SqlGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS).execute(ExecuteRequest.newBuilder()
                .setConnectionString("DSN=itdb;UID=admin;PWD=" + PackagedService.PASSWORD).setSql(sql)
                .addAllParams(List.of(params)).setDurable(true).build());
    }

    @Test
    void sqlOverHttpAndGrpcSeeTheSameData() {
        admin().body(Map.of("sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner VARCHAR2(20) NOT NULL, balance NUMBER(12,2))"))
                .post(SQL).then().statusCode(200);
        admin().body(Map.of("sql", "INSERT INTO accounts VALUES (?, ?, ?)", "params", List.of(1, "Ada", "100.50")))
                .post(SQL).then().statusCode(200).body("updateCount", equalTo(1));
        assertEquals(1, grpc("INSERT INTO accounts VALUES (?, ?, 7)", Value.newBuilder().setIntValue(2).build(),
                Value.newBuilder().setStringValue("Grace").build()).getUpdateCount());

        admin().body(Map.of("sql", "SELECT id, owner, balance FROM accounts ORDER BY id")).post(SQL).then().statusCode(200)
                .body("rows[0][1]", equalTo("Ada")).body("rows[1][1]", equalTo("Grace"));
        ExecuteResponse r = grpc("SELECT owner, balance FROM accounts WHERE id = 1");
        assertEquals("Ada", r.getRows(0).getValues(0).getStringValue());
        assertEquals("100.5", r.getRows(0).getValues(1).getDecimalValue().replaceAll("0+$", ""));

        // Errors keep their TimesTen numbers on both.
        admin().body(Map.of("sql", "INSERT INTO accounts VALUES (1, 'Dup', 0)")).post(SQL).then().statusCode(409)
                .body("error.code", equalTo(907));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc("SELEC 1"));
        assertTrue(e.getStatus().getDescription().startsWith("TT"), e.getStatus().toString());
        given().auth().preemptive().basic("admin", "wrong").contentType(ContentType.JSON).body(Map.of("sql", "SELECT 1 FROM dual"))
                .post(SQL).then().statusCode(401);
    }

    @Test
    void aCheckpointReachesTheDiskAndItsHistory() {
        admin().body(Map.of("sql", "CREATE TABLE ckpt (id INTEGER PRIMARY KEY)")).post(SQL).then().statusCode(200);
        admin().body(Map.of("sql", "INSERT INTO ckpt VALUES (1), (2), (3)")).post(SQL).then().statusCode(200);
        admin().body(Map.of("sql", "CALL ttCkptBlocking()")).post(SQL).then().statusCode(200);
        admin().body(Map.of("sql", "CALL ttCkptHistory()")).post(SQL).then().statusCode(200)
                .body("rows[0].toString()", containsString("Completed"));
        assertTrue(Files.exists(PackagedService.DATA.resolve("itdb/itdb.ds0")) || Files.exists(PackagedService.DATA.resolve("itdb/itdb.ds1")),
                "a checkpoint file is on disk");
    }

    /**
     * The checkpoint's writer thread lowers itself to nice 19 (foreign calls to gettid and
     * setpriority); no other thread of the service does. The native binary that this project's
     * machines can build fails it: their native-builder cannot look libc's symbols up
     * (native/README.md); a GraalVM 25 build has the downcalls registered.
     */
    @Test
    void checkpointThreadsRunAtNice19() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "thread priorities are read from Linux's /proc");
        admin().body(Map.of("sql", "CALL ttCkpt()")).post(SQL).then().statusCode(200);
        assertTrue(threadNiceValues(servicePid()).contains(19), "a checkpoint thread of the service runs at nice 19");
    }

    /** The packaged service's process: the one whose command line names this run's data directory. */
    private static long servicePid() {
        String data = PackagedService.DATA.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> {
                    try {
                        return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline"))).contains(data);
                    } catch (java.io.IOException | RuntimeException e) {
                        return false;
                    }
                })
                .mapToLong(ProcessHandle::pid).findFirst().orElseThrow(() -> new AssertionError("no process runs with " + data));
    }

    /** The nice values of a process's live threads (field 19 of /proc/<pid>/task/<tid>/stat). */
    private static Set<Integer> threadNiceValues(long pid) {
        Set<Integer> nice = new HashSet<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException ended) {
                    continue; // the thread ended between the listing and the read
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // after "pid (comm) "
                nice.add(Integer.parseInt(f[16])); // fields from 3 (state) on: nice is field 19
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("reading the threads of process " + pid, e);
        }
        return nice;
    }

    @Test
    void adminStatusBackupAndErrorsOverHttp() {
        admin().get("/v1/admin/status").then().statusCode(200).body("find { it.status.name == 'itdb' }.status.state", equalTo("loaded"));
        admin().body(Map.of("sql", "CREATE TABLE backed (id INTEGER PRIMARY KEY)")).post(SQL).then().statusCode(200);
        admin().body(Map.of("type", "fileFull", "dir", PackagedService.DATA.resolve("backups").toString()))
                .post("/v1/admin/databases/itdb/backups").then().statusCode(200);
        assertTrue(Files.isDirectory(PackagedService.DATA.resolve("backups")), "the backup directory was written");
        // Error bodies are built into responses: they must serialise in the native binary too.
        admin().body("{\"sql\": ").post(SQL).then().statusCode(400).body("error.code", equalTo(90015));
        admin().body(Map.of("sql", "SELECT * FROM nosuch")).post(SQL).then().statusCode(404).body("error.code", equalTo(2206));
        admin().get("/v1/admin/restores/nosuch").then().statusCode(400).body("error.message", containsString("no restore job"));
    }

    /** The transactions of itdb Kafka has acknowledged, as the status shows them. */
    private static long shippedTransactions() {
        Number n = admin().get("/v1/admin/status").then().statusCode(200).extract()
                .path("find { it.status.name == 'itdb' }.archive.acknowledgedTransactions");
        return n == null ? 0 : n.longValue();
    }

    @Test
    void aRestoreFromKafkaRunsAsAJobOverHttp() throws Exception {
        long before = shippedTransactions();
        admin().body(Map.of("sql", "CREATE TABLE kept (id INTEGER PRIMARY KEY)")).post(SQL).then().statusCode(200);
        for (int i = 0; i < 5; i++) grpc("INSERT INTO kept VALUES (?)", Value.newBuilder().setIntValue(i).build());
        // A restore reads what the archive holds: wait until Kafka has these six transactions (the
        // shipper sends synced ones, within milliseconds; a restore begun before found an empty topic).
        long shipped = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (shippedTransactions() < before + 6) {
            assertTrue(System.nanoTime() < shipped, "Kafka acknowledged " + (shippedTransactions() - before) + " of 6 transactions in 30 s");
            Thread.sleep(20);
        }
        String id = admin().body(Map.of("source", "itdb", "target", "itcopy", "dataStore",
                        PackagedService.DATA.resolve("itcopy/itcopy").toString(), "permSizeMb", 64))
                .post("/v1/admin/restores").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state = "running";
        while (state.equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            state = admin().get("/v1/admin/restores/" + id).then().statusCode(200).extract().path("state");
        }
        admin().get("/v1/admin/restores/" + id).then().statusCode(200).body("state", equalTo("done"))
                .body("result.target", equalTo("itcopy"));
        assertTrue(Files.exists(PackagedService.DATA.resolve("itcopy/itcopy.ds0")) || Files.exists(PackagedService.DATA.resolve("itcopy/itcopy.ds1")));
    }

    @Test
    void durableCommitsAreShippedToKafka() throws Exception {
        admin().body(Map.of("sql", "CREATE TABLE shipped (id INTEGER PRIMARY KEY, v VARCHAR2(10))")).post(SQL).then().statusCode(200);
        int n = 20;
        for (int i = 0; i < n; i++) grpc("INSERT INTO shipped VALUES (?, 'x')", Value.newBuilder().setIntValue(i).build());

        ArchiveTopics topics = new ArchiveTopics(Map.of("bootstrap.servers", PackagedService.servers), PackagedService.PREFIX, "itdb");
        Set<Long> txns = new HashSet<>();
        long previousEnd = -1;
        boolean gapFree = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (KafkaConsumer<byte[], byte[]> c = topics.consumer()) {
            c.assign(List.of(ArchiveTopics.partition(topics.log())));
            c.seekToBeginning(c.assignment());
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    LogTransaction t = LogTransaction.parseFrom(rec.value());
                    if (previousEnd >= 0 && t.getPart() == 0 && t.getStartLsn() != previousEnd) gapFree = false;
                    previousEnd = t.getEndLsn();
                    if (t.getChangesCount() == 1 && t.getChanges(0).hasRow()) txns.add(t.getTxnId());
                }
                if (txns.size() >= n) break;
            }
        }
        assertTrue(txns.size() >= n, "the " + n + " single-row commits reached Kafka: " + txns.size());
        assertTrue(gapFree, "each archived transaction starts where the one before ended");
    }
}
