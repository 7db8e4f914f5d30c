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
}
