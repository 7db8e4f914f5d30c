package io.hourglass.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGKILL of the packaged service (the artifact this build made, jar or native binary, as
 * {@code target/quarkus-artifact.properties} names it) during concurrent durable bank transfers
 * over HTTP, then a restart: every acknowledged transfer is there, none is there in part, the
 * money is all there. {@code @QuarkusIntegrationTest} starts an artifact once and stops it
 * gently, so this test launches and kills the same artifact itself.
 */
class CrashRecoveryIT {
    private static final String PASSWORD = "crash-admin-password";
    private static final int ACCOUNTS = 10, START = 1000, WORKERS = 4, ROUNDS = 3;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ROW = Pattern.compile("\\[(-?\\d+),(-?\\d+)(?:,(-?\\d+))?]");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
    private final Path data = Path.of("target", "it-data", "crash-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
    private Process service;
    private int port;

    @AfterEach
    void stop() {
        if (service != null) service.destroyForcibly();
    }

    @Test
    void everyAcknowledgedDurableTransferSurvivesSigkill() throws Exception {
        port = freePort();
        start(0);
        sql("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
        sql("CREATE TABLE transfers (id INTEGER PRIMARY KEY, src INTEGER NOT NULL, dst INTEGER NOT NULL)");
        for (int a = 0; a < ACCOUNTS; a++) sql("INSERT INTO accounts VALUES (" + a + ", " + START + ")");
        sql("CALL ttDurableCommit()");

        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong ids = new AtomicLong();
        for (int round = 1; round <= ROUNDS; round++) {
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) workers.add(Thread.ofPlatform().start(() -> transfers(ids, acknowledged)));
            Thread.sleep(ThreadLocalRandom.current().nextLong(700, 2000));
            service.destroyForcibly(); // SIGKILL: no shutdown hook, no unload checkpoint
            service.waitFor();
            for (Thread t : workers) t.join();
            start(round);
            check(acknowledged, round);
        }
        assertTrue(acknowledged.size() > 20, "the workload ran: " + acknowledged.size() + " acknowledged transfers");
    }

    private void transfers(AtomicLong ids, Set<Long> acknowledged) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            long id = ids.incrementAndGet();
            int a = r.nextInt(ACCOUNTS), b = (a + 1 + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            try {
                HttpResponse<String> begin = post("/v1/databases/itdb/transactions", "{}");
                Matcher m = ID.matcher(begin.body());
                if (begin.statusCode() != 200 || !m.find()) continue;
                String tx = "/v1/transactions/" + m.group(1);
                boolean ok = post(tx + "/sql", json("UPDATE accounts SET balance = balance - 1 WHERE id = " + a)).statusCode() == 200
                        && post(tx + "/sql", json("UPDATE accounts SET balance = balance + 1 WHERE id = " + b)).statusCode() == 200
                        && post(tx + "/sql", json("INSERT INTO transfers VALUES (" + id + ", " + a + ", " + b + ")")).statusCode() == 200;
                if (!ok) {
                    post(tx + "/rollback", "{}");
                    continue;
                }
                if (post(tx + "/commit", "{\"durable\": true}").statusCode() == 200) acknowledged.add(id);
            } catch (IOException e) {
                return; // the service is gone
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void check(Set<Long> acknowledged, int round) throws Exception {
        Map<Long, long[]> transfers = new HashMap<>();
        for (long[] row : rows(sql("SELECT id, src, dst FROM transfers"))) transfers.put(row[0], row);
        for (long id : acknowledged) {
            if (!transfers.containsKey(id)) fail("round " + round + ": acknowledged durable transfer " + id + " is lost");
        }
        long[] expected = new long[ACCOUNTS];
        java.util.Arrays.fill(expected, START);
        for (long[] t : transfers.values()) {
            expected[(int) t[1]]--;
            expected[(int) t[2]]++;
        }
        long total = 0;
        for (long[] row : rows(sql("SELECT id, balance FROM accounts"))) {
            assertEquals(expected[(int) row[0]], row[1], "round " + round + ": account " + row[0]
                    + " disagrees with the recovered transfers (a partial transaction)");
            total += row[1];
        }
        assertEquals((long) ACCOUNTS * START, total, "round " + round + ": money was created or lost");
    }

    // ---- the packaged artifact ------------------------------------------------------------------

    private void start(int round) throws Exception {
        Properties artifact = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("target", "quarkus-artifact.properties"))) {
            artifact.load(in);
        }
        Path path = Path.of("target").resolve(artifact.getProperty("path")).toAbsolutePath();
        List<String> cmd = new ArrayList<>();
        if ("jar".equals(artifact.getProperty("type"))) {
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
            cmd.addAll(settings());
            cmd.addAll(List.of("-jar", path.toString()));
        } else {
            cmd.add(path.toString());
            cmd.addAll(settings());
        }
        Files.createDirectories(data);
        Path log = data.resolve("service-" + round + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HOURGLASS_ADMIN_PASSWORD", PASSWORD);
        service = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) fail("the service exited with " + service.exitValue() + ": " + Files.readString(log));
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("the service was not ready in 90 s: " + Files.readString(log));
    }

    private List<String> settings() {
        return List.of("-Dquarkus.http.port=" + port,
                "-Dhourglass.databases.sampledb.temporary=true",
                "-Dhourglass.databases.itdb.data-store=" + data.resolve("itdb/itdb"),
                "-Dhourglass.databases.itdb.perm-size=32",
                "-Dhourglass.databases.itdb.log-file-size=8",
                "-Dhourglass.databases.itdb.log-buf-mb=4",
                "-Dhourglass.databases.itdb.durable-commits=1");
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String sql(String statement) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/v1/databases/itdb/sql", json(statement));
        assertEquals(200, r.statusCode(), statement + ": " + r.body());
        return r.body();
    }

    private static String json(String sql) {
        return "{\"sql\": \"" + sql.replace("\"", "\\\"") + "\"}";
    }

    /** The integer rows of a result: {"rows":[[1,2,3],...]}. */
    private static List<long[]> rows(String body) {
        List<long[]> out = new ArrayList<>();
        Matcher m = ROW.matcher(body.substring(body.indexOf("\"rows\"")));
        while (m.find()) {
            out.add(m.group(3) == null ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))}
                    : new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
