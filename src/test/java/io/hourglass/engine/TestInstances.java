package io.hourglass.engine;

import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;

import java.util.List;

/** Builds embedded instances for engine tests. */
public final class TestInstances {
    public static final String ADMIN_PASSWORD = "admin-test-pw";

    private TestInstances() {}

    public static Instance one(String dsn) { return new Instance(ADMIN_PASSWORD, List.of(DatabaseConfig.defaults(dsn, "/tmp/" + dsn))); }

    public static Instance with(DatabaseConfig cfg) { return new Instance(ADMIN_PASSWORD, List.of(cfg)); }
}
