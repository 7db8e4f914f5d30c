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
            sql("SELECT a.s, b.s FROM wide a, wide b").statusCode(507)
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
        sql("DROP USER reader").statusCode(200);
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
}
