package io.hourglass.service;

import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.Instance;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToDoubleFunction;

/**
 * Per-database metrics, read from the engine's own counters (the engine knows nothing of
 * Micrometer): statements, failed statements, commits, rollbacks, lock waits, lock timeouts,
 * deadlocks, PermSize in use and connections.
 */
@ApplicationScoped
public class EngineMetrics {

    void register(@Observes StartupEvent ev, Instance instance, MeterRegistry registry) {
        for (Database db : instance.databases()) {
            counter(registry, db, "hourglass.statements", "SQL statements executed", d -> d.stats().statements());
            counter(registry, db, "hourglass.statement.errors", "SQL statements that failed", d -> d.stats().statementErrors());
            counter(registry, db, "hourglass.commits", "transactions committed", d -> d.stats().commits());
            counter(registry, db, "hourglass.rollbacks", "transactions rolled back", d -> d.stats().rollbacks());
            counter(registry, db, "hourglass.lock.waits", "lock requests that had to wait", d -> d.stats().lockWaits());
            counter(registry, db, "hourglass.lock.timeouts", "lock waits that ended in TT6003", d -> d.stats().lockTimeouts());
            counter(registry, db, "hourglass.deadlocks", "deadlocks detected (TT6002)", d -> d.stats().deadlocks());
            Gauge.builder("hourglass.perm.in.use", db, d -> d.stats().permInUse()).baseUnit("bytes")
                    .description("PermSize in use").tag("database", db.name()).register(registry);
            Gauge.builder("hourglass.perm.size", db, d -> d.stats().permSize()).baseUnit("bytes")
                    .description("PermSize").tag("database", db.name()).register(registry);
            Gauge.builder("hourglass.connections", db, Database::connectionCount)
                    .description("open connections").tag("database", db.name()).register(registry);
        }
    }

    private static void counter(MeterRegistry r, Database db, String name, String help, ToDoubleFunction<Database> f) {
        FunctionCounter.builder(name, db, f).description(help).tag("database", db.name()).register(r);
    }
}
