package io.hourglass.service;

import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.KafkaCheckpointShipper;
import io.hourglass.archive.KafkaLogShipper;
import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.spi.FileStorageIo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.Priority;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kafka archive in the service. When {@code hourglass.archive.enabled} is set it starts, for
 * every persistent database, a log shipper and a checkpoint shipper right after the engine has
 * loaded them (each shipper's Archive log hold is in place before any checkpoint could purge),
 * and stops them before the engine closes. Restores from Kafka run here as background jobs whose
 * progress can be polled.
 */
@ApplicationScoped
@Startup
public class ArchiveService {
    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    private final Instance instance;
    private final HourglassConfig config;
    /** The shippers of each loaded image, by database name; an unload or invalidation detaches them. */
    private final Map<String, Attached> attached = new ConcurrentHashMap<>();
    private final Map<String, RestoreJob> restores = new ConcurrentHashMap<>();
    private final Map<String, Object> kafka;
    private String servers;
    private KafkaLogShipper.Settings settings;

    private record Attached(Database db, KafkaLogShipper log, KafkaCheckpointShipper checkpoints) {}

    /**
     * @param kafka every {@code kafka.*} setting (and {@code KAFKA_*} environment variable) without
     *        its prefix, as the Quarkus Kafka extension collects them: bootstrap servers and the
     *        security settings (SASL, TLS) the archive's clients use
     */
    ArchiveService(Instance instance, HourglassConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.instance = instance;
        this.config = config;
        this.kafka = Map.copyOf(kafka);
        if (!config.archive().enabled()) return;
        servers = bootstrapServers().orElseThrow(
                () -> new IllegalStateException("hourglass.archive.enabled needs kafka.bootstrap.servers"));
        settings = holdSettings(config.archive());
        instance.addListener(new Instance.Listener() {
            @Override
            public void loaded(Database db) { attach(db); }

            @Override
            public void unloading(Database db) { detach(db); }
        });
        for (Database db : instance.databases()) attach(db);
    }

    private synchronized void attach(Database db) {
        if (db.config().temporary() || db.invalidation() != null) return;
        String key = db.name().toUpperCase(Locale.ROOT);
        Attached old = attached.get(key);
        if (old != null && old.db() == db) return;
        if (old != null) detach(old.db());
        ArchiveTopics topics = topics(db.name());
        KafkaLogShipper s = new KafkaLogShipper(db, topics, settings);
        s.start();
        KafkaCheckpointShipper c = new KafkaCheckpointShipper(db, topics);
        c.start();
        attached.put(key, new Attached(db, s, c));
        LOG.infof("Database %s is archived to Kafka at %s: topics %s, %s, %s", db.name(), servers, topics.log(),
                topics.checkpoints(), topics.snapshots());
    }

    /** Before an unload: the shippers stop; the next load's shippers resume from Kafka's last record. */
    private synchronized void detach(Database db) {
        String key = db.name().toUpperCase(Locale.ROOT);
        Attached a = attached.get(key);
        if (a == null || a.db() != db) return;
        attached.remove(key);
        a.checkpoints().close();
        a.log().close();
    }

    static KafkaLogShipper.Settings holdSettings(HourglassConfig.Archive a) {
        KafkaLogShipper.HoldPolicy policy = switch (a.onHoldLimit().toLowerCase(Locale.ROOT)) {
            case "fail-commits" -> KafkaLogShipper.HoldPolicy.FAIL_COMMITS;
            case "drop-hold" -> KafkaLogShipper.HoldPolicy.DROP_HOLD;
            default -> throw new IllegalStateException("hourglass.archive.on-hold-limit must be fail-commits or drop-hold, not "
                    + a.onHoldLimit());
        };
        if (a.holdLimitMb() < 0) throw new IllegalStateException("hourglass.archive.hold-limit-mb must not be negative");
        return new KafkaLogShipper.Settings(a.holdLimitMb() << 20, policy);
    }

    private static Optional<String> bootstrapServers() {
        return ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class);
    }

    /** The topics of {@code database}, for clients with every Kafka setting (bootstrap.servers among them). */
    private ArchiveTopics topics(String database) {
        return new ArchiveTopics(kafka, config.archive().topicPrefix(), database);
    }

    /** Archive lag and progress per database, as metrics (bound to the name: images come and go). */
    void metrics(@Observes StartupEvent ev, MeterRegistry registry) {
        if (!config.archive().enabled()) return;
        for (String name : instance.names()) {
            if (instance.config(name).temporary()) continue;
            String key = name.toUpperCase(Locale.ROOT);
            Gauge.builder("hourglass.archive.behind", attached, m -> log(m, key, KafkaLogShipper::behindBytes)).baseUnit("bytes")
                    .description("synced log Kafka has not acknowledged (the Archive hold's size)")
                    .tag("database", name).register(registry);
            Gauge.builder("hourglass.archive.behind.age", attached, m -> log(m, key, x -> x.behindMillis() / 1000.0))
                    .baseUnit("seconds").description("how long the oldest unacknowledged transaction has waited")
                    .tag("database", name).register(registry);
            FunctionCounter.builder("hourglass.archive.transactions", attached, m -> log(m, key, KafkaLogShipper::acknowledgedTransactions))
                    .description("transactions Kafka acknowledged (since the image was loaded)").tag("database", name).register(registry);
            Gauge.builder("hourglass.archive.refusing.commits", attached, m -> log(m, key, x -> x.status().refusingCommits() ? 1 : 0))
                    .description("1 while commits are refused at the hold limit").tag("database", name).register(registry);
            Gauge.builder("hourglass.archive.checkpoint", attached, m -> {
                        Attached a = m.get(key);
                        return a == null ? 0 : a.checkpoints().archivedCheckpointId();
                    })
                    .description("id of the newest checkpoint whose snapshot Kafka holds").tag("database", name)
                    .register(registry);
        }
    }

    private static double log(Map<String, Attached> m, String key, java.util.function.ToDoubleFunction<KafkaLogShipper> f) {
        Attached a = m.get(key);
        return a == null ? 0 : f.applyAsDouble(a.log());
    }

    /** The log shipper of {@code dsn}'s loaded image, or null when it is not archived now. */
    public KafkaLogShipper shipper(String dsn) {
        Attached a = attached(dsn);
        return a == null ? null : a.log();
    }

    /** The checkpoint shipper of {@code dsn}'s loaded image, or null. */
    public KafkaCheckpointShipper checkpointShipper(String dsn) {
        Attached a = attached(dsn);
        return a == null ? null : a.checkpoints();
    }

    private Attached attached(String dsn) { return dsn == null ? null : attached.get(dsn.toUpperCase(Locale.ROOT)); }

    /** The archive state of {@code dsn} now, or null when it is not archived (or not loaded). */
    public DatabaseArchive status(String dsn) {
        Attached a = attached(dsn);
        return a == null ? null : describe(a);
    }

    /** One database's archive, as the admin APIs show it. */
    public record DatabaseArchive(String database, String topic, String state, String acknowledgedLsn, long behindBytes,
                                  long behindMillis, long acknowledgedTransactions, boolean holdDropped,
                                  boolean refusingCommits, String lastError, long archivedCheckpointId) {}

    /** Per database: the log shipper's state and lag, and the newest archived checkpoint. */
    public List<DatabaseArchive> status() {
        List<DatabaseArchive> out = new ArrayList<>();
        for (Attached a : attached.values()) out.add(describe(a));
        return out;
    }

    private static DatabaseArchive describe(Attached a) {
        KafkaLogShipper.Status s = a.log().status();
        return new DatabaseArchive(a.log().database(), s.topic(), s.state(), Lsn.of(s.acknowledgedLsn()).toString(),
                s.behindBytes(), s.behindMillis(), s.acknowledgedTransactions(), s.holdDropped(), s.refusingCommits(),
                s.lastError(), a.checkpoints().archivedCheckpointId());
    }

    // ---- restore jobs ---------------------------------------------------------------------------

    /** A restore running (or done) in the background. */
    public static final class RestoreJob {
        public final String id = UUID.randomUUID().toString();
        public final String source;
        public final String target;
        public volatile String state = "running";
        public volatile KafkaRestore.Progress progress;
        public volatile KafkaRestore.Result result;
        public volatile HourglassException error;

        RestoreJob(String source, String target) {
            this.source = source;
            this.target = target;
        }
    }

    /**
     * Starts restoring {@code source}'s archive into the new database {@code target}. A target
     * this instance has loaded is refused (TT90024); so are existing files, before any work.
     */
    public RestoreJob restore(String source, DatabaseConfig target, KafkaRestore.Target goal) {
        bootstrapServers().orElseThrow(() -> ErrorCode.ARCHIVE_RESTORE_FAILED.error("kafka.bootstrap.servers is not set"));
        if (instance.has(target.name())) {
            instance.refuseRestoreOver(target.name()); // a defined database: only when destroyed (or never created)
            if (!instance.config(target.name()).dataStore().equals(target.dataStore())) {
                throw ErrorCode.SEMANTIC_ERROR.error("database " + target.name() + " is defined with DataStore "
                        + instance.config(target.name()).dataStore() + "; restore it there");
            }
        }
        Database.prepareRestoreTarget(target, FileStorageIo.INSTANCE); // a restore cut short is removed, a database refused
        RestoreJob job = new RestoreJob(source, target.name());
        restores.put(job.id, job);
        Thread.ofPlatform().daemon().name("hourglass-restore-" + target.name()).start(() -> {
            try {
                job.result = KafkaRestore.run(topics(source), target, FileStorageIo.INSTANCE, goal,
                        Math.max(1, Runtime.getRuntime().availableProcessors()), p -> job.progress = p);
                job.state = "done";
                LOG.infof("Restored %s from Kafka into %s: %s", source, target.name(), job.result);
                if (instance.has(target.name())) instance.restored(target.name());
            } catch (HourglassException e) {
                job.error = e;
                job.state = "failed";
                LOG.warnf("Restoring %s from Kafka into %s failed: %s", source, target.name(), e.getMessage());
            } catch (RuntimeException e) {
                job.error = ErrorCode.ARCHIVE_RESTORE_FAILED.error(String.valueOf(e));
                job.state = "failed";
                LOG.error("restore failed", e);
            }
        });
        return job;
    }

    /**
     * A restore as the admin APIs ask for it: {@code target} defaults to {@code source},
     * {@code dataStore} is required, the rest may be null; {@code toLsn} ("file.offset") or
     * {@code toTime} (ISO-8601) or neither (the archive's end).
     */
    public RestoreJob restore(String source, String target, String dataStore, String logDir, Long permSizeMb,
                              String toLsn, String toTime) {
        if (source == null || source.isBlank() || dataStore == null || dataStore.isBlank()) {
            throw ErrorCode.SEMANTIC_ERROR.error("a restore needs a source and a dataStore");
        }
        KafkaRestore.Target goal = KafkaRestore.Target.parse(blankToNull(toLsn), blankToNull(toTime));
        DatabaseConfig cfg;
        try {
            cfg = DatabaseConfig.defaults(blankToNull(target) != null ? target : source, dataStore).withLogDir(blankToNull(logDir));
            if (permSizeMb != null && permSizeMb > 0) cfg = cfg.withPermSize(permSizeMb);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.SEMANTIC_ERROR.error(e.getMessage());
        }
        return restore(source, cfg, goal);
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    public RestoreJob restoreJob(String id) {
        RestoreJob j = id == null ? null : restores.get(id);
        if (j == null) throw ErrorCode.SEMANTIC_ERROR.error("no restore job " + id);
        return j;
    }

    void stop(@Observes @Priority(1) ShutdownEvent ev) {
        for (Attached a : List.copyOf(attached.values())) detach(a.db());
    }
}
