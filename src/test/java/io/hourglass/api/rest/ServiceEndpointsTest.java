package io.hourglass.api.rest;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Health, metrics and the OpenAPI document. */
@QuarkusTest
class ServiceEndpointsTest {

    @Test
    void readinessReportsEveryDatabase() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'databases' }.data.testdb", equalTo("loaded"))
                .body("checks.find { it.name == 'databases' }.data.sampledb", equalTo("loaded"));
    }

    @Test
    void metricsCountStatementsPerDatabase() {
        SqlHttpTest.admin().body(Map.of("sql", "SELECT 1 FROM dual")).post("/v1/databases/testdb/sql").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("hourglass_statements_total{database=\"testdb\"}"))
                .body(containsString("hourglass_commits_total{database=\"testdb\"}"))
                .body(containsString("hourglass_rollbacks_total{database=\"sampledb\"}"))
                .body(containsString("hourglass_lock_waits_total{database=\"testdb\"}"))
                .body(containsString("hourglass_log_files_created_total{database=\"testdb\"}"))
                .body(containsString("hourglass_log_files_recycled_total{database=\"testdb\"}"))
                .body(containsString("hourglass_perm_in_use_bytes{database=\"testdb\"}"))
                .body(containsString("hourglass_temp_in_use_bytes{database=\"testdb\"}"))
                .body(containsString("hourglass_temp_size_bytes{database=\"testdb\"}"))
                .body(containsString("hourglass_commits_durable_total{database=\"testdb\"}"))
                .body(containsString("hourglass_log_syncs_total{database=\"testdb\"}"))
                .body(containsString("hourglass_log_buffer_waits_total{database=\"testdb\"}"))
                .body(containsString("hourglass_checkpoints_total{database=\"testdb\"}"))
                .body(containsString("hourglass_aged_rows_total{database=\"testdb\"}"))
                .body(containsString("hourglass_perm_in_use_high_water_bytes{database=\"testdb\"}"));
    }

    @Test
    void openApiDescribesTheSqlAndTransactionEndpoints() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/databases/{dsn}/sql"))
                .body(containsString("/v1/databases/{dsn}/transactions"))
                .body(containsString("/v1/transactions/{id}/commit"));
    }
}
