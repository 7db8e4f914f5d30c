package io.hourglass.api.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/** The HTTP/JSON API end to end, against the running service. */
@QuarkusTest
class SqlHttpTest {
    static final String ADMIN_PW = "test-admin-password";

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", ADMIN_PW).contentType(ContentType.JSON);
    }

    static ValidatableResponse sql(String sql, Object... params) {
        return admin().body(Map.of("sql", sql, "params", List.of(params))).post("/v1/databases/testdb/sql").then();
    }

    @BeforeEach
    void clean() {
        admin().body(Map.of("sql", "DROP TABLE items")).post("/v1/databases/testdb/sql");
        sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR2(20) NOT NULL, price NUMBER(8,2), added DATE)")
                .statusCode(200).body("updateCount", equalTo(-1));
    }

    @Test
    void insertAndQueryWithParameters() {
        sql("INSERT INTO items VALUES (?, ?, ?, ?), (2, 'pear', 0.5, NULL)", 1, "apple", 1.25, "2024-05-01")
                .statusCode(200).body("updateCount", equalTo(2));
        sql("SELECT id, name, price, added FROM items ORDER BY id")
                .statusCode(200)
                .body("columns[0].name", equalTo("ID"))
                .body("columns[0].type", equalTo("TT_INTEGER"))
                .body("columns[2].type", equalTo("NUMBER(8,2)"))
                .body("rows", hasSize(2))
                .body("rows[0][1]", equalTo("apple"))
                .body("rows[0][2]", equalTo(1.25f))
                .body("rows[0][3]", equalTo("2024-05-01 00:00:00"))
                .body("rows[1][3]", equalTo(null))
                .body("updateCount", equalTo(-1));
        sql("UPDATE items SET price = price * 2 WHERE id = ?", 2).statusCode(200).body("updateCount", equalTo(1));
        sql("SELECT price FROM items WHERE id = 2").body("rows[0][0]", equalTo(1));
        // DML RETURNING: the changed rows' values and the count, in one answer
        sql("UPDATE items SET price = price + ? WHERE id = ? RETURNING id, price AS new_price", 1, 2).statusCode(200)
                .body("columns[1].name", equalTo("NEW_PRICE"))
                .body("rows", equalTo(List.of(List.of(2, 2))))
                .body("updateCount", equalTo(1));
        // characters past U+FFFF, in and out as they are, counted as characters
        sql("INSERT INTO items VALUES (3, ?, 1, NULL)", "\uD83D\uDE00 grape \uD83C\uDF47").statusCode(200);
        sql("SELECT name, LENGTH(name), SUBSTR(name, 2, 5) FROM items WHERE id = 3")
                .body("rows[0]", equalTo(List.of("\uD83D\uDE00 grape \uD83C\uDF47", 9, " grap")));
    }

    @jakarta.inject.Inject
    io.hourglass.engine.lifecycle.Instance instance;

    @Test
    void aRequestWithoutSqlFailsAndLeavesNoConnectionOpen() {
        int before = instance.database("testdb").connectionCount();
        admin().body(Map.of("params", List.of(1))).post("/v1/databases/testdb/sql")
                .then().statusCode(400).body("error.code", equalTo(1001));
        admin().body("{}").post("/v1/databases/testdb/sql").then().statusCode(400).body("error.code", equalTo(1001));
        org.junit.jupiter.api.Assertions.assertEquals(before, instance.database("testdb").connectionCount());
    }

    @Test
    void aQueryPastTempSizeGetsTT0802AndTheServiceGoesOn() {
        // testdb: PermSize 64 MB, so TempSize 48 MB; six 1 MB strings joined with themselves build 72 MB.
        sql("DROP TABLE wide");
        sql("CREATE TABLE wide (id INTEGER PRIMARY KEY, s VARCHAR2(1048576))").statusCode(200);
        try {
            for (int i = 0; i < 6; i++) sql("INSERT INTO wide VALUES (?, ?)", i, "w".repeat(1 << 20)).statusCode(200);
            // Sorted (by a column of the second table, which no index orders), the join must be built
            // whole; plain, or in an index's order, it streams (see aLargeResultStreamsAtTheClientsPace).
            sql("SELECT a.s, b.s FROM wide a, wide b ORDER BY b.id, a.id").statusCode(507)
                    .body("error.code", equalTo(802))
                    .body("error.message", containsString("temporary space exhausted"));
            sql("SELECT COUNT(*) FROM wide a, wide b").statusCode(200).body("rows[0][0]", equalTo(36));
            org.junit.jupiter.api.Assertions.assertEquals(0, instance.database("testdb").transactions().temp().used());
        } finally {
            sql("DROP TABLE wide");
        }
    }

    @Test
    void aMalformedBodyGetsANumberedErrorThatSaysWhy() {
        for (String body : List.of("{not json", "[]", "{\"sql\": \"SELECT 1 FROM dual\", \"params\": \"notalist\"}")) {
            admin().body(body).post("/v1/databases/testdb/sql").then().statusCode(400)
                    .body("error.code", equalTo(90015))
                    .body("error.message", containsString("malformed JSON request"));
        }
        admin().body("{\"sql\": \"SELECT ? FROM dual\", \"params\": [1e400]}").post("/v1/databases/testdb/sql").then()
                .statusCode(400).body("error.code", equalTo(90004));
    }

    @Test
    void builtInsAnswerLikeQueries() {
        sql("CALL ttConfiguration('LockWait')").statusCode(200)
                .body("columns[0].name", equalTo("PARAMNAME"))
                .body("rows[0]", equalTo(List.of("LockWait", "1")));
    }

    @Test
    void checkpointsByHandAndTheirHistoryOverHttp() {
        sql("CALL ttCkpt()").statusCode(200);
        sql("CALL ttCkptHistory()").statusCode(200)
                .body("columns[0].name", equalTo("STARTTIME"))
                .body("rows[0][2]", equalTo("Fuzzy"))
                .body("rows[0][3]", equalTo("Completed"))
                .body("rows[0][4]", equalTo("User"))
                .body("rows[0][0]", notNullValue());
        sql("CALL ttCkptConfig()").statusCode(200).body("columns[0].name", equalTo("CKPTFREQUENCY"));
    }

    @Test
    void errorsCarryTheirNumber() {
        sql("SELEC 1").statusCode(400).body("error.code", equalTo(1001)).body("error.message", containsString("position 1"));
        sql("SELECT * FROM nosuch").statusCode(404).body("error.code", equalTo(2206));
        sql("SELECT nosuch FROM items").statusCode(400).body("error.code", equalTo(2211));
        sql("INSERT INTO items VALUES (1, 'a', 1, NULL)").statusCode(200);
        sql("INSERT INTO items VALUES (1, 'b', 1, NULL)").statusCode(409).body("error.code", equalTo(907));
        sql("INSERT INTO items VALUES (3, NULL, 1, NULL)").statusCode(400).body("error.code", equalTo(90001));
        sql("INSERT INTO items VALUES (3, ?, 1, NULL)", "x".repeat(21)).statusCode(400).body("error.code", equalTo(90002));
        sql("INSERT INTO items VALUES ('three', 'c', 1, NULL)").statusCode(400).body("error.code", equalTo(90003));
        // JSON may carry half of a surrogate pair, which is no character: refused, not stored as '?'
        admin().body("{\"sql\": \"INSERT INTO items VALUES (4, ?, 1, NULL)\", \"params\": [\"a\\ud83d\"]}").post("/v1/databases/testdb/sql")
                .then().statusCode(400).body("error.code", equalTo(90003)).body("error.message", containsString("lone surrogate \\uD83D after 1 characters"));
        given().contentType(ContentType.JSON).body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/nosuchdb/sql")
                .then().statusCode(401);
        admin().body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/nosuchdb/sql")
                .then().statusCode(404).body("error.code", equalTo(90011));
        admin().body("{not json").post("/v1/databases/testdb/sql").then().statusCode(400).body("error.code", notNullValue());
        sql("SELECT COUNT(*) FROM items").body("rows[0][0]", equalTo(1));
    }

    @Test
    void authenticationAndPrivileges() {
        given().contentType(ContentType.JSON).body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql")
                .then().statusCode(401).header("WWW-Authenticate", containsString("Basic")).body("error.code", equalTo(7001));
        given().auth().preemptive().basic("admin", "wrong").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql")
                .then().statusCode(401).body("error.code", equalTo(7001));
        admin().body(Map.of("sql", "DROP USER reader")).post("/v1/databases/testdb/sql");
        sql("CREATE USER reader IDENTIFIED BY readerpw").statusCode(200);
        RequestSpecification reader = given().auth().preemptive().basic("reader", "readerpw").contentType(ContentType.JSON);
        reader.body(Map.of("sql", "SELECT * FROM admin.items")).post("/v1/databases/testdb/sql")
                .then().statusCode(403).body("error.code", equalTo(90006));
        sql("GRANT SELECT ON items TO reader").statusCode(200);
        given().auth().preemptive().basic("reader", "readerpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT COUNT(*) FROM admin.items")).post("/v1/databases/testdb/sql")
                .then().statusCode(200).body("rows[0][0]", equalTo(0));
        // a locked account is refused whatever the password, as 403: who it is was understood
        sql("ALTER USER reader ACCOUNT LOCK").statusCode(200);
        for (String pw : List.of("readerpw", "wrong")) {
            given().auth().preemptive().basic("reader", pw).contentType(ContentType.JSON)
                    .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql")
                    .then().statusCode(403).body("error.code", equalTo(90059)).body("error.message", containsString("ACCOUNT UNLOCK"));
        }
        sql("ALTER USER reader ACCOUNT UNLOCK").statusCode(200);
        given().auth().preemptive().basic("reader", "readerpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql").then().statusCode(200);
        sql("DROP USER reader").statusCode(200);
    }

    @Test
    void anExpiredPasswordOnlyLetsItsUserSetANewOne() {
        admin().body(Map.of("sql", "DROP USER lapsed")).post("/v1/databases/testdb/sql");
        sql("CREATE USER lapsed IDENTIFIED BY oldpw PASSWORD EXPIRE").statusCode(200);
        RequestSpecification lapsed = given().auth().preemptive().basic("lapsed", "oldpw").contentType(ContentType.JSON);
        lapsed.body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql")
                .then().statusCode(403).body("error.code", equalTo(90063)).body("error.message", containsString("ALTER USER LAPSED IDENTIFIED BY"));
        given().auth().preemptive().basic("lapsed", "oldpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "ALTER USER lapsed IDENTIFIED BY newpw")).post("/v1/databases/testdb/sql").then().statusCode(200);
        given().auth().preemptive().basic("lapsed", "newpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT account_status FROM user_users")).post("/v1/databases/testdb/sql")
                .then().statusCode(200).body("rows[0][0]", equalTo("OPEN"));
        // an HTTP transaction logs in at each request: once the password expires, its next request is held to it
        String id = given().auth().preemptive().basic("lapsed", "newpw").contentType(ContentType.JSON).post("/v1/databases/testdb/transactions")
                .then().statusCode(200).extract().path("id");
        sql("ALTER USER lapsed PASSWORD EXPIRE").statusCode(200);
        given().auth().preemptive().basic("lapsed", "newpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(403).body("error.code", equalTo(90063));
        given().auth().preemptive().basic("lapsed", "newpw").contentType(ContentType.JSON).post("/v1/transactions/" + id + "/rollback")
                .then().statusCode(200);
        sql("DROP USER lapsed").statusCode(200);
    }

    @Test
    void aPasswordInItsGracePeriodLogsInWithAWarningHeader() throws Exception {
        admin().body(Map.of("sql", "DROP USER graced")).post("/v1/databases/testdb/sql");
        admin().body(Map.of("sql", "DROP PROFILE oneSecond CASCADE")).post("/v1/databases/testdb/sql");
        sql("CREATE PROFILE oneSecond LIMIT PASSWORD_LIFE_TIME .0000116 PASSWORD_GRACE_TIME UNLIMITED").statusCode(200);
        sql("CREATE USER graced IDENTIFIED BY gracepw PROFILE oneSecond").statusCode(200);
        given().auth().preemptive().basic("graced", "gracepw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql")
                .then().statusCode(200).header("Warning", org.hamcrest.Matchers.nullValue());
        Thread.sleep(1_100); // (one second of lifetime: the smallest there is)
        given().auth().preemptive().basic("graced", "gracepw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT account_status FROM user_users")).post("/v1/databases/testdb/sql")
                .then().statusCode(200).body("rows[0][0]", equalTo("EXPIRED(GRACE)"))
                .header("Warning", containsString("299 hourglass \"The password of user GRACED expired at"))
                .header("Warning", containsString("ALTER USER GRACED IDENTIFIED BY"));
        String id = given().auth().preemptive().basic("graced", "gracepw").contentType(ContentType.JSON).post("/v1/databases/testdb/transactions")
                .then().statusCode(200).header("Warning", containsString("PASSWORD_GRACE_TIME")).extract().path("id");
        given().auth().preemptive().basic("graced", "gracepw").contentType(ContentType.JSON).post("/v1/transactions/" + id + "/rollback")
                .then().statusCode(200);
        sql("DROP USER graced").statusCode(200);
        sql("DROP PROFILE oneSecond").statusCode(200);
    }

    @Test
    void transactionsCommitAndRollBack() {
        String id = admin().post("/v1/databases/testdb/transactions").then().statusCode(200).extract().path("id");
        admin().body(Map.of("sql", "INSERT INTO items VALUES (10, 'ten', 10, NULL)")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(200).body("updateCount", equalTo(1));
        admin().body(Map.of("sql", "SELECT name FROM items WHERE id = 10")).post("/v1/transactions/" + id + "/sql")
                .then().body("rows[0][0]", equalTo("ten"));
        sql("SELECT COUNT(*) FROM items").body("rows[0][0]", equalTo(0)); // not committed yet
        admin().body(Map.of("durable", true)).post("/v1/transactions/" + id + "/commit").then().statusCode(200)
                .body("outcome", equalTo("committed"));
        sql("SELECT COUNT(*) FROM items").body("rows[0][0]", equalTo(1));
        admin().body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(404).body("error.code", equalTo(90018));

        String id2 = admin().post("/v1/databases/testdb/transactions").then().extract().path("id");
        admin().body(Map.of("sql", "DELETE FROM items")).post("/v1/transactions/" + id2 + "/sql").then().statusCode(200);
        admin().post("/v1/transactions/" + id2 + "/rollback").then().statusCode(200).body("outcome", equalTo("rolled back"));
        sql("SELECT COUNT(*) FROM items").body("rows[0][0]", equalTo(1));
    }

    /** A GLOBAL TEMPORARY table over HTTP: a transaction is a session, with rows of its own; a one-shot statement is one too. */
    @Test
    void temporaryRowsAreTheirSessionsOwn() {
        admin().body(Map.of("sql", "DROP TABLE picks")).post("/v1/databases/testdb/sql");
        sql("CREATE GLOBAL TEMPORARY TABLE picks (id INTEGER PRIMARY KEY) ON COMMIT PRESERVE ROWS").statusCode(200);
        sql("INSERT INTO picks VALUES (1), (2)").statusCode(200).body("updateCount", equalTo(2));
        sql("SELECT COUNT(*) FROM picks").body("rows[0][0]", equalTo(0)); // another request, another session
        String id = admin().post("/v1/databases/testdb/transactions").then().statusCode(200).extract().path("id");
        admin().body(Map.of("sql", "INSERT INTO picks VALUES (3)")).post("/v1/transactions/" + id + "/sql").then().statusCode(200);
        admin().body(Map.of("sql", "INSERT INTO items SELECT id, 'pick', 1, NULL FROM picks")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(200).body("updateCount", equalTo(1));
        admin().post("/v1/transactions/" + id + "/commit").then().statusCode(200);
        sql("SELECT id FROM items").body("rows[0][0]", equalTo(3)).body("rows.size()", equalTo(1));
        sql("SELECT COUNT(*) FROM picks").body("rows[0][0]", equalTo(0));
        sql("DROP TABLE picks").statusCode(200); // every session that held rows is gone
    }

    @Test
    void aTransactionBelongsToItsUser() {
        admin().body(Map.of("sql", "DROP USER other")).post("/v1/databases/testdb/sql");
        sql("CREATE USER other IDENTIFIED BY otherpw").statusCode(200);
        String id = admin().post("/v1/databases/testdb/transactions").then().extract().path("id");
        given().auth().preemptive().basic("other", "otherpw").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(404).body("error.code", equalTo(90018));
        given().auth().preemptive().basic("admin", "wrong").contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(401);
        admin().post("/v1/transactions/" + id + "/rollback").then().statusCode(200);
        sql("DROP USER other").statusCode(200);
    }

    @Test
    void abandonedTransactionsExpireAndReleaseTheirLocks() throws Exception {
        sql("INSERT INTO items VALUES (1, 'one', 1, NULL)").statusCode(200);
        String id = admin().post("/v1/databases/testdb/transactions").then().extract().path("id");
        admin().body(Map.of("sql", "UPDATE items SET name = 'held' WHERE id = 1")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(200);
        // testdb has LockWait=1: a writer gives up while the transaction holds the row.
        sql("UPDATE items SET name = 'other' WHERE id = 1").statusCode(409).body("error.code", equalTo(6003));
        // The test profile expires idle transactions after 2 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int status;
        do {
            Thread.sleep(250);
            status = admin().body(Map.of("sql", "UPDATE items SET name = 'other' WHERE id = 1"))
                    .post("/v1/databases/testdb/sql").then().extract().statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        sql("SELECT name FROM items WHERE id = 1").body("rows[0][0]", equalTo("other"));
        admin().body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/transactions/" + id + "/sql")
                .then().statusCode(404).body("error.code", equalTo(90018));
    }

    @Test
    void concurrentRequestsWaitingOnLocksAllAnswer() throws Exception {
        sql("INSERT INTO items VALUES (1, 'one', 1, NULL)").statusCode(200);
        String id = admin().post("/v1/databases/testdb/transactions").then().extract().path("id");
        admin().body(Map.of("sql", "UPDATE items SET price = 0 WHERE id = 1")).post("/v1/transactions/" + id + "/sql");
        List<CompletableFuture<Integer>> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> sql("UPDATE items SET price = price + 1 WHERE id = 1")
                    .extract().statusCode()));
        }
        // While 40 requests wait on the lock, the service still answers others.
        sql("SELECT COUNT(*) FROM items").statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        admin().post("/v1/transactions/" + id + "/commit").then().statusCode(200);
        int ok = 0;
        for (CompletableFuture<Integer> f : waiting) {
            int s = f.get(30, TimeUnit.SECONDS);
            if (s == 200) ok++;
            else org.junit.jupiter.api.Assertions.assertEquals(409, s);
        }
        sql("SELECT price FROM items WHERE id = 1").body("rows[0][0]", equalTo(ok));
    }

    // ---- results streamed as the statement makes them --------------------------------------------

    @io.quarkus.test.common.http.TestHTTPResource("/v1/databases/testdb/sql")
    java.net.URI sqlUri;

    /** Posts a statement with java.net.http, whose body stream asks for more only as it is read. */
    private java.net.http.HttpResponse<java.io.InputStream> post(String sql) throws Exception {
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("sql", sql));
        String basic = java.util.Base64.getEncoder().encodeToString(("admin:" + ADMIN_PW).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(sqlUri).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + basic).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        return java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The database's open connections: a test compares its own against those open before it (others may close meanwhile). */
    private java.util.Set<io.hourglass.engine.lifecycle.Connection> connections() { return instance.database("testdb").connections(); }

    /** How many connections are open that were not in {@code before}. */
    private int opened(java.util.Set<io.hourglass.engine.lifecycle.Connection> before) {
        int n = 0;
        for (var c : connections()) if (!before.contains(c)) n++;
        return n;
    }

    private void awaitOpened(java.util.Set<io.hourglass.engine.lifecycle.Connection> before, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (opened(before) != n) {
            org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() < deadline, opened(before) + " new connections stayed open, expected " + n);
            Thread.sleep(20);
        }
    }

    /** Six 1 MB rows joined with themselves: 36 rows, 72 MB, more than testdb's TempSize (48 MB) as a whole. */
    private void wideTable() {
        sql("DROP TABLE wide");
        sql("CREATE TABLE wide (id INTEGER PRIMARY KEY, s VARCHAR2(1048576))").statusCode(200);
        for (int i = 0; i < 6; i++) sql("INSERT INTO wide VALUES (?, ?)", i, Character.toString('a' + i).repeat(1 << 20)).statusCode(200);
    }

    /**
     * A plain query larger than TempSize streams with status 200; a client that stops reading
     * holds the statement back (its connection stays open) instead of having the rest queued in
     * the server; once it reads, the whole result arrives, in the usual shape.
     */
    @Test
    void aLargeResultStreamsAtTheClientsPace() throws Exception {
        wideTable();
        try {
            var before = connections();
            var resp = post("SELECT a.id, b.id, a.s, b.s FROM wide a, wide b");
            org.junit.jupiter.api.Assertions.assertEquals(200, resp.statusCode());
            try (java.io.InputStream in = resp.body()) {
                org.junit.jupiter.api.Assertions.assertEquals('{', in.read());
                Thread.sleep(1500);
                org.junit.jupiter.api.Assertions.assertEquals(1, opened(before), "the statement waits for its reader");
                var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                        new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(new byte[] {'{'}), in));
                org.junit.jupiter.api.Assertions.assertEquals("ID", tree.get("columns").get(0).get("name").asText());
                org.junit.jupiter.api.Assertions.assertEquals(36, tree.get("rows").size());
                java.util.Set<String> pairs = new java.util.HashSet<>();
                for (var row : tree.get("rows")) {
                    org.junit.jupiter.api.Assertions.assertEquals(1 << 20, row.get(3).asText().length());
                    org.junit.jupiter.api.Assertions.assertEquals((char) ('a' + row.get(1).asInt()), row.get(3).asText().charAt(0));
                    pairs.add(row.get(0).asInt() + "," + row.get(1).asInt());
                }
                org.junit.jupiter.api.Assertions.assertEquals(36, pairs.size());
                org.junit.jupiter.api.Assertions.assertEquals(-1, tree.get("updateCount").asInt());
                org.junit.jupiter.api.Assertions.assertNull(tree.get("error"));
            }
            awaitOpened(before, 0);
        } finally {
            sql("DROP TABLE wide");
        }
    }

    /** A client that leaves mid-result stops its statement: the connection closes without the rest being made. */
    @Test
    void aClientThatLeavesMidResultStopsTheStatement() throws Exception {
        wideTable();
        try {
            var before = connections();
            var resp = post("SELECT a.s, b.s FROM wide a, wide b");
            resp.body().read();
            awaitOpened(before, 1);
            resp.body().close();
            awaitOpened(before, 0);
        } finally {
            sql("DROP TABLE wide");
        }
    }

    /**
     * A client that reads nothing for the stall timeout (4 s under test) is cut off: the
     * statement stops and its connection closes, and the response ends short (reset).
     */
    @Test
    void aClientThatStopsReadingIsCutOffAfterTheStallTimeout() throws Exception {
        wideTable();
        try {
            var before = connections();
            var resp = post("SELECT a.s, b.s FROM wide a, wide b");
            try (java.io.InputStream in = resp.body()) {
                org.junit.jupiter.api.Assertions.assertEquals('{', in.read());
                long read = System.nanoTime();
                awaitOpened(before, 1);
                // The server's stall clock starts after this first read; a loaded machine may take a
                // while to show the connection, so the check keeps a second clear of the 4 s timeout.
                Thread.sleep(Math.max(0, Math.min(1000, 2500 - (System.nanoTime() - read) / 1_000_000)));
                if ((System.nanoTime() - read) / 1_000_000 < 3000) {
                    org.junit.jupiter.api.Assertions.assertEquals(1, opened(before), "within the stall timeout the statement waits");
                }
                awaitOpened(before, 0);
                org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(new byte[] {'{'}), in)),
                        "the body ends short");
            }
        } finally {
            sql("DROP TABLE wide");
        }
    }

    /**
     * A streamed result arrives whole: its first chunk, the full ones after it and the rows of
     * its last, partial chunk (2,500 rows: 1,000 + 1,000 + 500).
     */
    @Test
    void aStreamedResultArrivesWhole() throws Exception {
        sql("DROP TABLE many");
        sql("CREATE TABLE many (id INTEGER PRIMARY KEY)").statusCode(200);
        StringBuilder values = new StringBuilder("INSERT INTO many VALUES ");
        for (int i = 1; i <= 2500; i++) values.append(i > 1 ? ", " : "").append("(").append(i).append(")");
        sql(values.toString()).statusCode(200).body("updateCount", equalTo(2500));
        try {
            var resp = post("SELECT id FROM many");
            org.junit.jupiter.api.Assertions.assertEquals(200, resp.statusCode());
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body());
            java.util.Set<Integer> ids = new java.util.HashSet<>();
            for (var row : tree.get("rows")) ids.add(row.get(0).asInt());
            org.junit.jupiter.api.Assertions.assertEquals(2500, tree.get("rows").size());
            org.junit.jupiter.api.Assertions.assertEquals(2500, ids.size());
            org.junit.jupiter.api.Assertions.assertTrue(ids.contains(1) && ids.contains(2500));
            org.junit.jupiter.api.Assertions.assertNull(tree.get("error"));
        } finally {
            sql("DROP TABLE many");
        }
    }

    /**
     * An error before the first chunk is sent keeps its status; one after rows were sent (a
     * division by zero at row 1,500) ends the 200 body with an "error" after those rows.
     */
    @Test
    void aFailureAfterRowsWereSentEndsTheBodyWithTheError() throws Exception {
        StringBuilder values = new StringBuilder("INSERT INTO items (id, name) VALUES ");
        for (int i = 1; i <= 3000; i++) values.append(i > 1 ? ", " : "").append("(").append(i).append(", 'n')");
        sql(values.toString()).statusCode(200).body("updateCount", equalTo(3000));
        sql("SELECT 100 / (id - 10) FROM items").statusCode(400).body("error.code", notNullValue());
        var resp = post("SELECT id, 100 / (id - 1500) FROM items");
        org.junit.jupiter.api.Assertions.assertEquals(200, resp.statusCode());
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body());
        org.junit.jupiter.api.Assertions.assertTrue(tree.get("rows").size() >= 1000 && tree.get("rows").size() < 1500,
                "the rows sent before the failure: " + tree.get("rows").size());
        org.junit.jupiter.api.Assertions.assertTrue(tree.get("error").get("message").asText().startsWith("TT"), tree.toString().substring(0, 100));
        org.junit.jupiter.api.Assertions.assertEquals(sql("SELECT 1 / 0 FROM dual").extract().path("error.code"),
                (Object) tree.get("error").get("code").asInt(), "the same error a small result gets");
    }
}
