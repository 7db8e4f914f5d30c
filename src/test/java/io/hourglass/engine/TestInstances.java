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

    /**
     * The database of {@code cfg} on its files, recovered; every checkpoint file there must load
     * (see {@link #everyCheckpointLoaded}). A test that damages one on purpose opens it with
     * {@link #withDamage}.
     */
    public static Instance with(DatabaseConfig cfg) { return everyCheckpointLoaded(new Instance(ADMIN_PASSWORD, List.of(cfg)), cfg); }

    /** {@link #with}, for a test that damaged a checkpoint file: recovery may reject it and fall back. */
    public static Instance withDamage(DatabaseConfig cfg) { return new Instance(ADMIN_PASSWORD, List.of(cfg)); }

    /**
     * {@code instance}, once each of {@code configs}' databases loaded every complete checkpoint
     * file it found: recovery falls back to the other file, or to the log, when one is rejected,
     * which would let a test pass over a checkpoint that cannot be read back. Closes the instance
     * and fails otherwise.
     */
    public static Instance everyCheckpointLoaded(Instance instance, DatabaseConfig... configs) {
        for (DatabaseConfig cfg : configs) {
            io.hourglass.engine.recovery.Recovery.Report report;
            try {
                report = instance.database(cfg.name()).recovery();
            } catch (HourglassException notLoaded) {
                continue; // (a database its RAM policy leaves unloaded was not recovered)
            }
            List<String> rejected = report == null ? List.of() : report.rejected(); // (none: a Temporary database has no files)
            if (!rejected.isEmpty()) {
                instance.close();
                throw new AssertionError(cfg.name() + ": a checkpoint file was rejected at load: " + rejected);
            }
        }
        return instance;
    }

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
