package io.hourglass.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The service's configuration, under {@code hourglass.*}. Database attributes keep their
 * TimesTen names in kebab case (docs/OPERATIONS.md lists them with their defaults).
 */
@ConfigMapping(prefix = "hourglass")
public interface HourglassConfig {
    Admin admin();

    /** Databases by DSN name. */
    Map<String, DatabaseAttributes> databases();

    Http http();

    Archive archive();

    /**
     * How long a statement's result may wait for its client to read more (a gRPC session whose
     * client's HTTP/2 window stays full, an HTTP response nobody reads) before the statement is
     * stopped (TT90036, undone) and the stream or response closed: a client that stalls would
     * otherwise hold its statement's snapshot, and with it the garbage of every later change.
     */
    @WithDefault("PT5M")
    Duration resultStallTimeout();

    /** The Kafka archive (docs/ARCHIVE.md). */
    interface Archive {
        /** Ship every persistent database's committed transactions to Kafka. */
        @WithDefault("false")
        boolean enabled();

        /** Topics are {@code <prefix>.<database>.log} (and .checkpoints, .snapshots). */
        @WithDefault("hourglass")
        String topicPrefix();

        /**
         * How far (MB of log) the archive may fall behind while Kafka is away before
         * {@link #onHoldLimit()} applies; 0: no limit (the log may fill the disk).
         */
        @WithDefault("4096")
        long holdLimitMb();

        /**
         * fail-commits (default: commits get TT90026 until Kafka catches up; the archive stays
         * whole) or drop-hold (commits go on, the log may be purged, the archive gets a gap).
         */
        @WithDefault("fail-commits")
        String onHoldLimit();
    }

    interface Admin {
        /** The instance administrator's password; also read from HOURGLASS_ADMIN_PASSWORD. */
        Optional<String> password();

        /**
         * Allows {@code CALL ttHourglassInvalidate}, which invalidates a database on purpose
         * (tests of invalidation and reload). Never on in production.
         */
        @WithDefault("false")
        boolean faultInjection();
    }

    interface Http {
        /** Idle time after which an HTTP transaction is rolled back and forgotten. */
        @WithDefault("PT2M")
        Duration transactionTimeout();

        /** Open HTTP transactions allowed at once, to bound what abandoned clients can hold. */
        @WithDefault("1000")
        int maxTransactions();
    }

    interface DatabaseAttributes {
        /** Path prefix of the database's files; required unless the database is temporary. */
        @WithName("data-store")
        Optional<String> dataStore();

        /** TimesTen's Temporary: memory only, nothing written, empty at every start. */
        @WithDefault("false")
        boolean temporary();

        Optional<String> logDir();

        /**
         * CacheBackendUrl: the PostgreSQL database whose tables the cache groups cache, as a
         * {@code jdbc:postgresql://host:port/database} URL.
         */
        Optional<String> cacheBackendUrl();

        /**
         * The cache administration user in the backend, so that a restarted service refreshes its
         * cache groups without a person calling ttCacheUidPwdSet (which overrides it).
         */
        Optional<String> cacheUid();

        /** That user's password (better given as an environment variable or a Kubernetes secret). */
        Optional<String> cachePwd();

        @WithDefault("256")
        long permSize();

        /** MB for what statements build while they run; 0: TimesTen's default from PermSize. */
        @WithDefault("0")
        long tempSize();

        /** TimesTen's Connections: how many may be open at once (gRPC sessions, HTTP transactions, requests). */
        @WithDefault("2000")
        int connections();

        @WithDefault("0")
        int durableCommits();

        @WithDefault("10")
        double lockWait();

        /** TimesTen's SQLQueryTimeoutMSec: how long a statement may run before TT6111 (0: no limit). */
        @WithName("sql-query-timeout-msec")
        @WithDefault("0")
        long sqlQueryTimeoutMsec();

        @WithDefault("READ_COMMITTED")
        String isolation();

        @WithName("log-buf-mb")
        @WithDefault("64")
        int logBufMb();

        @WithDefault("64")
        int logFileSize();

        @WithDefault("4")
        int logBufParallelism();

        @WithDefault("600")
        int ckptFrequency();

        @WithDefault("64")
        int ckptLogVolume();

        @WithDefault("0")
        int ckptRate();

        @WithDefault("1")
        int ckptReadThreads();

        @WithDefault("1")
        int recoveryThreads();

        @WithDefault("1")
        int logPurge();

        @WithDefault("0")
        int backupFailThreshold();

        /**
         * always (default: loaded at start and kept), manual (ramLoad / ramUnload) or inUse
         * (loaded at the first connect, unloaded ram-grace seconds after the last). What an
         * administrator sets later (hourglass admin -ramPolicy) is stored and wins.
         */
        @WithDefault("always")
        String ramPolicy();

        @WithDefault("0")
        int ramGrace();

        /** Reload a database invalidated by a fatal error at the next connect. */
        @WithDefault("true")
        boolean autoreload();
    }
}
