package io.hourglass.engine;

import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;

import java.util.List;

/** Builds embedded instances for engine tests. */
public final class TestInstances {
    public static final String ADMIN_PASSWORD = "admin-test-pw";

    private TestInstances() {}

    /** A Temporary (memory-only) database. */
    public static Instance one(String dsn) { return new Instance(ADMIN_PASSWORD, List.of(DatabaseConfig.temporary(dsn))); }

    public static Instance with(DatabaseConfig cfg) { return new Instance(ADMIN_PASSWORD, List.of(cfg)); }

    /** A connection to {@code dsn} as the instance administrator. */
    public static io.hourglass.engine.lifecycle.Connection admin(Instance i, String dsn) { return i.connect(dsn, "admin", ADMIN_PASSWORD); }

    /** The query's rows, each as its values' text joined by "|" (NULL as "null", trailing blanks cut). */
    public static List<String> rows(io.hourglass.engine.lifecycle.Connection c, String sql) { return rows(c.execute(sql)); }

    /** A statement's rows, as {@link #rows(io.hourglass.engine.lifecycle.Connection, String)} gives them. */
    public static List<String> rows(io.hourglass.engine.sql.StatementResult result) {
        List<String> out = new java.util.ArrayList<>();
        for (Object[] row : result.rows()) {
            StringBuilder sb = new StringBuilder();
            for (Object v : row) sb.append(sb.isEmpty() ? "" : "|").append(v == null ? "null" : io.hourglass.engine.catalog.Values.toText(v).stripTrailing());
            out.add(sb.toString());
        }
        return out;
    }
}
