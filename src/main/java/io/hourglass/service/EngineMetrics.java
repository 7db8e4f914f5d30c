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
 * deadlocks, log files created and recycled, PermSize in use and connections.
 */
@ApplicationScoped
public class EngineMetrics {

    void register(@Observes StartupEvent ev, Instance instance, MeterRegistry registry) {
        // Bound to the name, not to one image: a database unloaded, reloaded or recovered after
        // an invalidation goes on under the same meters (counters restart with each image).
        for (String name : instance.names()) {
            counter(registry, instance, name, "hourglass.statements", "SQL statements executed", d -> d.stats().statements());
            counter(registry, instance, name, "hourglass.statement.errors", "SQL statements that failed", d -> d.stats().statementErrors());
            counter(registry, instance, name, "hourglass.commits", "transactions committed", d -> d.stats().commits());
            counter(registry, instance, name, "hourglass.commits.durable", "commits that returned once durable",
                    d -> d.transactions().durableCommits());
            counter(registry, instance, name, "hourglass.rollbacks", "transactions rolled back", d -> d.stats().rollbacks());
            counter(registry, instance, name, "hourglass.log.syncs", "syncs of the log files (SYS.MONITOR's LOG_FORCES)",
                    d -> d.log() == null ? 0 : d.log().forces());
            counter(registry, instance, name, "hourglass.log.buffer.waits", "commits that waited for room in the log buffer (raise LogBufMB)",
                    d -> d.log() == null ? 0 : d.log().bufferWaits());
            counter(registry, instance, name, "hourglass.checkpoints", "checkpoints completed",
                    d -> d.checkpointer() == null ? 0 : d.checkpointer().totals().completed());
            counter(registry, instance, name, "hourglass.lock.waits", "lock requests that had to wait", d -> d.stats().lockWaits());
            counter(registry, instance, name, "hourglass.lock.timeouts", "lock waits that ended in TT6003", d -> d.stats().lockTimeouts());
            counter(registry, instance, name, "hourglass.deadlocks", "deadlocks detected (TT6002)", d -> d.stats().deadlocks());
            counter(registry, instance, name, "hourglass.aged.rows", "rows time-based aging deleted", Database::agedRows);
            counter(registry, instance, name, "hourglass.log.files.created", "log files made new (LogFileSize of zeros written)",
                    d -> d.log() == null ? 0 : d.log().files().made());
            counter(registry, instance, name, "hourglass.log.files.recycled", "log files made from a purged file kept as a spare",
                    d -> d.log() == null ? 0 : d.log().files().reused());
            counter(registry, instance, name, "hourglass.cache.writethrough.commits", "SYNCHRONOUS WRITETHROUGH transactions the backend committed",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeThroughCommits());
            counter(registry, instance, name, "hourglass.cache.writethrough.failures",
                    "SYNCHRONOUS WRITETHROUGH commits the backend refused or did not answer, rolled back here",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeThroughFailures());
            counter(registry, instance, name, "hourglass.cache.writethrough.in.doubt",
                    "SYNCHRONOUS WRITETHROUGH commits whose backend COMMIT got no answer: REFRESH their groups",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeThroughInDoubt());
            counter(registry, instance, name, "hourglass.cache.dynamic.loads",
                    "statements that had a DYNAMIC cache group load keys the cache lacked",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().dynamicLoadRequests());
            counter(registry, instance, name, "hourglass.cache.dynamic.rows", "rows dynamic loads brought in from the backend",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().dynamicallyLoaded());
            counter(registry, instance, name, "hourglass.cache.awt.transactions",
                    "ASYNCHRONOUS WRITETHROUGH transactions applied to the backend",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeBehindTransactions());
            counter(registry, instance, name, "hourglass.cache.awt.errors",
                    "ASYNCHRONOUS WRITETHROUGH transactions the backend refused, skipped and written to the .awterrs file",
                    d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeBehindErrors());
            Gauge.builder("hourglass.cache.awt.behind", instance, i -> of(i, name, d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeBehindBytes()))
                    .baseUnit("bytes").description("synced log whose ASYNCHRONOUS WRITETHROUGH changes the backend has not confirmed (-1: not known yet)")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.cache.awt.lost", instance, i -> of(i, name, d -> d.cacheAgent() == null ? 0 : d.cacheAgent().writeBehindLostGroups()))
                    .description("ASYNCHRONOUS WRITETHROUGH cache groups that lost changes past ttCacheAWTThresholdSet and send nothing until"
                            + " UNLOAD and LOAD (or REFRESH) of them")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.perm.in.use", instance, i -> i.memoryUsed(name)).baseUnit("bytes")
                    .description("PermSize in use, an invalidated image still held by connections included")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.perm.in.use.high.water", instance, i -> of(i, name, d -> d.transactions().memory().highWater()))
                    .baseUnit("bytes").description("the most PermSize in use at once since the database was loaded (or ttMonitorHighWaterReset)")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.perm.size", instance, i -> i.config(name).permSizeMb() << 20).baseUnit("bytes")
                    .description("PermSize").tag("database", name).register(registry);
            Gauge.builder("hourglass.temp.in.use", instance, i -> of(i, name, d -> d.transactions().temp().used())).baseUnit("bytes")
                    .description("TempSize drawn now by running statements (results, sorts, groups being built) and open transactions (row locks, undo)")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.temp.in.use.high.water", instance, i -> of(i, name, d -> d.transactions().temp().highWater()))
                    .baseUnit("bytes").description("the most TempSize in use at once since the database was loaded")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.temp.size", instance, i -> i.config(name).tempSizeBytes()).baseUnit("bytes")
                    .description("TempSize").tag("database", name).register(registry);
            Gauge.builder("hourglass.connections", instance, i -> of(i, name, Database::connectionCount))
                    .description("open connections").tag("database", name).register(registry);
            Gauge.builder("hourglass.loaded", instance, i -> of(i, name, d -> d.invalidation() == null ? 1 : 0))
                    .description("1 while the database is loaded and valid").tag("database", name).register(registry);
        }
    }

    private static double of(Instance i, String name, ToDoubleFunction<Database> f) {
        Database d = i.loaded(name);
        return d == null ? 0 : f.applyAsDouble(d);
    }

    private static void counter(MeterRegistry r, Instance i, String name, String metric, String help, ToDoubleFunction<Database> f) {
        FunctionCounter.builder(metric, i, x -> of(x, name, f)).description(help).tag("database", name).register(r);
    }
}
