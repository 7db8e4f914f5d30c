package io.hourglass.cache;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The service's side of cache groups: a database configured with cache-backend-url, cache-uid and
 * cache-pwd caches a real PostgreSQL table, over the HTTP SQL endpoint, with numbered errors.
 */
@QuarkusTest
@WithTestResource(PostgresServer.class)
public class CacheServiceTest {
    private static ValidatableResponse sql(String user, String password, String sql) {
        return given().auth().preemptive().basic(user, password).contentType(ContentType.JSON)
                .body(Map.of("sql", sql)).post("/v1/databases/cachedb/sql").then();
    }

    /** The instance administrator's password the service runs with. */
    protected String adminPassword() { return "test-admin-password"; }

    private ValidatableResponse admin(String sql) { return sql("admin", adminPassword(), sql); }

    @Test
    public void aConfiguredDatabaseCachesABackendTableOverHttp() throws InterruptedException {
        admin("CREATE USER sales IDENTIFIED BY salespw").statusCode(200);
        admin("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 100 MILLISECONDS FROM sales.readtab"
                + " (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))").statusCode(200);
        admin("LOAD CACHE GROUP readcache").statusCode(400).body("error.code", equalTo(8290));
        admin("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS").statusCode(200).body("updateCount", equalTo(2));
        admin("CALL ttCacheStart()").statusCode(200); // the configured credentials: no ttCacheUidPwdSet needed
        admin("CALL ttCacheStart()").statusCode(409).body("error.code", equalTo(12026));
        admin("DELETE FROM sales.readtab").statusCode(403).body("error.code", equalTo(8225));

        PostgresServer.run("INSERT INTO sales.readtab VALUES (3, 'three')");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            List<?> rows = admin("SELECT keyval FROM sales.readtab ORDER BY keyval").statusCode(200).extract().path("rows");
            if (rows.size() == 3) break;
            if (System.nanoTime() > deadline) fail("autorefresh did not bring row 3 within 30 s: " + rows);
            Thread.sleep(20);
        }
        // A refresh's record follows the commits that made its rows visible: wait for it too.
        while (true) {
            List<?> stats = admin("CALL ttCacheAutorefreshStatsGet('ADMIN', 'READCACHE')").statusCode(200).extract().path("rows");
            if (stats.stream().anyMatch(r -> r.toString().contains("Complete"))) break;
            if (System.nanoTime() > deadline) fail("no completed refresh in ttCacheAutorefreshStatsGet: " + stats);
            Thread.sleep(20);
        }
        admin("CALL ttCacheStop()").statusCode(200);
        admin("DROP CACHE GROUP readcache").statusCode(200);
    }

    /** A DYNAMIC group over HTTP: a read by key loads the row, a key the backend lacks loads nothing; both count. */
    @Test
    public void aDynamicGroupLoadsARowAReadByKeyAsksFor() {
        PostgresServer.run("CREATE SCHEMA dyn", "CREATE TABLE dyn.customer (id integer PRIMARY KEY, name varchar(20))",
                "INSERT INTO dyn.customer VALUES (1, 'Ada'), (2, 'Grace')");
        admin("CREATE USER dyn IDENTIFIED BY dynpw").statusCode(200);
        admin("CREATE DYNAMIC READONLY CACHE GROUP customers FROM dyn.customer (id NUMBER NOT NULL PRIMARY KEY, name VARCHAR2(20))")
                .statusCode(200);
        admin("SELECT COUNT(*) FROM dyn.customer").statusCode(200).body("rows", equalTo(List.of(List.of(0))));
        given().auth().preemptive().basic("admin", adminPassword()).contentType(ContentType.JSON)
                .body(Map.of("sql", "SELECT name FROM dyn.customer WHERE id = ?", "params", List.of(2)))
                .post("/v1/databases/cachedb/sql").then().statusCode(200).body("rows", equalTo(List.of(List.of("Grace"))));
        admin("SELECT name FROM dyn.customer WHERE id = 3").statusCode(200).body("rows", equalTo(List.of()));
        admin("SELECT name FROM dyn.customer WHERE id = 2").statusCode(200).body("rows", equalTo(List.of(List.of("Grace"))));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_dynamic_loads_total{database=\"cachedb\"} 2.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_dynamic_rows_total{database=\"cachedb\"} 1.0"));
        admin("DROP CACHE GROUP customers").statusCode(200);
    }

    /** A SYNCHRONOUS WRITETHROUGH group over HTTP: a commit reaches PostgreSQL; one it refuses is a 409 with TT90052. */
    /**
     * The shell's cachegroups (ttIsql's): a group's type, autorefresh and aging, then its tables, each with its WHERE clause and
     * type; and describe of a cached table names its group and its place in it.
     */
    @Test
    public void theShellDescribesACacheGroupAndItsTables() {
        PostgresServer.run("CREATE SCHEMA crm", "CREATE TABLE crm.customer (id integer PRIMARY KEY, region varchar(8))",
                "CREATE TABLE crm.orders (id integer PRIMARY KEY, cust integer, amount numeric(8,2))");
        admin("CREATE USER crm IDENTIFIED BY crmpw").statusCode(200);
        admin("CREATE DYNAMIC READONLY CACHE GROUP crmcache AUTOREFRESH INTERVAL 30 SECONDS FROM crm.customer (id NUMBER NOT NULL"
                + " PRIMARY KEY, region VARCHAR2(8)) WHERE region = 'EU', crm.orders (id NUMBER NOT NULL PRIMARY KEY, cust NUMBER,"
                + " amount NUMBER(8,2), FOREIGN KEY (cust) REFERENCES crm.customer (id) ON DELETE CASCADE)").statusCode(200);
        String out = io.hourglass.cli.Shell.run("cachedb", adminPassword(), "cachegroups admin.crmcache\ncachegroup nosuch\ncachegroups a.b.c\n"
                + "describe crm.orders\n");
        org.junit.jupiter.api.Assertions.assertTrue(out.contains("""
                Command> cachegroups admin.crmcache

                Cache Group ADMIN.CRMCACHE:

                  Cache Group Type: Read Only (Dynamic)
                  Autorefresh: Yes
                  Autorefresh Mode: Incremental
                  Autorefresh State: Paused
                  Autorefresh Interval: 30 Seconds
                  Aging: LRU on

                  Root Table: CRM.CUSTOMER
                  Where Clause: region = 'EU'
                  Table Type: Read Only

                  Child Table: CRM.ORDERS
                  Where Clause: (none)
                  Table Type: Read Only

                1 cache group found.
                Command> cachegroup nosuch

                0 cache groups found.
                Command> cachegroups a.b.c
                cachegroups takes a cache group's name: [OWNER.]NAME
                """), out);
        org.junit.jupiter.api.Assertions.assertTrue(out.contains("3 rows found.\n"
                + "Cache group of CRM.ORDERS: ADMIN.CRMCACHE, a child of CRM.CUSTOMER (Read Only)\n"), out);
        admin("DROP CACHE GROUP crmcache").statusCode(200);
        admin("CREATE USERMANAGED CACHE GROUP crmum FROM crm.customer (id NUMBER NOT NULL PRIMARY KEY, region VARCHAR2(8), PROPAGATE)")
                .statusCode(200);
        String um = io.hourglass.cli.Shell.run("cachedb", adminPassword(), "cachegroups crmum\ndescribe crm.customer\n");
        org.junit.jupiter.api.Assertions.assertTrue(um.contains("Cache group of CRM.CUSTOMER: ADMIN.CRMUM, its root table (Propagate)\n"), um);
        org.junit.jupiter.api.Assertions.assertTrue(um.contains("""
                Cache Group ADMIN.CRMUM:

                  Cache Group Type: User Managed
                  Autorefresh: No
                  Aging: No aging defined

                  Root Table: CRM.CUSTOMER
                  Where Clause: (none)
                  Table Type: Propagate

                1 cache group found.
                """));
        admin("DROP CACHE GROUP crmum").statusCode(200);
    }

    @Test
    public void aWritethroughCommitReachesTheBackendAndARefusedOneIsAConflict() throws java.sql.SQLException {
        PostgresServer.run("CREATE SCHEMA shop", "CREATE TABLE shop.orders (id integer PRIMARY KEY, amount numeric(8,2) CHECK (amount >= 0))");
        admin("CREATE USER shop IDENTIFIED BY shoppw").statusCode(200);
        admin("CREATE SYNCHRONOUS WRITETHROUGH CACHE GROUP orders FROM shop.orders (id NUMBER NOT NULL PRIMARY KEY, amount NUMBER(8,2))")
                .statusCode(200);
        admin("INSERT INTO shop.orders VALUES (1, 9.5)").statusCode(200).body("updateCount", equalTo(1));
        admin("INSERT INTO shop.orders VALUES (2, -1)").statusCode(409).body("error.code", equalTo(90052));
        admin("SELECT id FROM shop.orders").statusCode(200).body("rows", equalTo(List.of(List.of(1))));
        try (var c = java.sql.DriverManager.getConnection(PostgresServer.url, "postgres", "postgres");
             var rs = c.createStatement().executeQuery("SELECT id, amount FROM shop.orders")) {
            rs.next();
            org.junit.jupiter.api.Assertions.assertEquals("1 9.50", rs.getInt(1) + " " + rs.getBigDecimal(2));
            org.junit.jupiter.api.Assertions.assertFalse(rs.next(), "the refused row is in neither database");
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_writethrough_commits_total{database=\"cachedb\"} 1.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_writethrough_failures_total{database=\"cachedb\"} 1.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_writethrough_in_doubt_total{database=\"cachedb\"} 0.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_awt_transactions_total{database=\"cachedb\"} 0.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_awt_behind_bytes{database=\"cachedb\"} 0.0"))
                .body(org.hamcrest.Matchers.containsString("hourglass_cache_awt_lost{database=\"cachedb\"} 0.0"));

        admin("DROP CACHE GROUP orders").statusCode(200);
        // A Temporary database has no log for the write-behind to send from.
        admin("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP later FROM shop.orders (id NUMBER NOT NULL PRIMARY KEY, amount NUMBER(8,2))")
                .statusCode(org.hamcrest.Matchers.not(200)).body("error.code", equalTo(90019));
    }
}
