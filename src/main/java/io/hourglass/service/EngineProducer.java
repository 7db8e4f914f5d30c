package io.hourglass.service;

import io.hourglass.cache.PostgresBackend;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.lifecycle.RamPolicy;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.txn.Isolation;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the engine instance from configuration at start-up and closes it at shutdown. */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    @Startup
    Instance instance(HourglassConfig config) {
        String password = config.admin().password()
                .orElseThrow(() -> new IllegalStateException("No instance administrator password: set "
                        + "HOURGLASS_ADMIN_PASSWORD (or hourglass.admin.password) before starting Hourglass"));
        List<DatabaseConfig> dbs = new ArrayList<>();
        for (Map.Entry<String, HourglassConfig.DatabaseAttributes> e : config.databases().entrySet()) {
            dbs.add(toEngine(e.getKey(), e.getValue()));
        }
        Instance instance = new Instance(password, dbs, FileStorageIo.INSTANCE, new PostgresBackend());
        instance.allowFaultInjection(config.admin().faultInjection());
        if (config.admin().faultInjection()) LOG.warn("Fault injection is on (hourglass.admin.fault-injection): for tests only");
        for (var db : instance.databases()) {
            DatabaseConfig d = db.config();
            if (d.temporary()) {
                LOG.infof("Database %s loaded, Temporary: memory only (PermSize %d MB)", d.name(), d.permSizeMb());
            } else {
                var r = db.recovery();
                LOG.infof("Database %s loaded (PermSize %d MB, DataStore %s, log in %s): %d row(s), recovered %d transaction(s)"
                                + " in %d ms (checkpoint image %d ms, log %d ms, indexes %d ms)",
                        d.name(), d.permSizeMb(), d.dataStore(), d.logDirectory(), r.rows(), r.transactions(),
                        r.nanos() / 1_000_000, r.imageNanos() / 1_000_000, r.logNanos() / 1_000_000, r.rebuildNanos() / 1_000_000);
            }
        }
        for (DatabaseConfig d : dbs) {
            if (instance.loaded(d.name()) == null) {
                LOG.infof("Database %s defined, not loaded (RAM policy %s)", d.name(), instance.ramPolicy(d.name()));
            }
        }
        return instance;
    }

    static DatabaseConfig toEngine(String dsn, HourglassConfig.DatabaseAttributes a) {
        try {
            return new DatabaseConfig(dsn, a.dataStore().orElse(null), a.logDir().orElse(null), a.permSize(), a.tempSize(),
                    a.connections(), a.durableCommits(), a.lockWait(), a.sqlQueryTimeoutMsec(), Isolation.parse(a.isolation()),
                    a.logBufMb(), a.logFileSize(), a.logBufParallelism(),
                    a.ckptFrequency(), a.ckptLogVolume(), a.ckptRate(), a.ckptReadThreads(), a.recoveryThreads(),
                    a.logPurge(), a.backupFailThreshold(), a.temporary(),
                    new RamPolicy(RamPolicy.Kind.parse(a.ramPolicy()), a.ramGrace(), a.autoreload()),
                    new DatabaseConfig.CacheSettings(a.cacheBackendUrl().orElse(null), a.cacheUid().orElse(null),
                            a.cachePwd().orElse(null)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("hourglass.databases." + dsn + ": " + e.getMessage(), e);
        }
    }

    void close(@Observes ShutdownEvent ev, Instance instance) {
        instance.close();
    }
}
