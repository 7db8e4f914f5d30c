package io.hourglass.engine.lifecycle;

import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.txn.Isolation;

import java.nio.file.Path;

/**
 * A database's attributes under their TimesTen names (REFERENCE.md). First-connection
 * attributes are fixed while the database is loaded; general attributes (DurableCommits,
 * LockWait, Isolation) are defaults a connection string may override.
 *
 * @param dataStore path prefix of the database's files; its last element names the log files
 * @param logDir directory of the log files; null means the DataStore's directory
 * @param permSizeMb data memory in MB; inserts past it fail with TT0802
 * @param tempSizeMb MB of what statements build while they run (results, sorts, groups) and of
 *                   what transactions hold (row locks, undo, their commit's log records); a
 *                   statement or transaction past it fails with TT0802 (temporary). 0: TimesTen's default,
 *                   derived from PermSize ({@link #tempSizeBytes})
 * @param connections at most this many connections at once; the next one fails with TT0702
 * @param durableCommits 1: commits return once durable; 0: once in the log buffer
 * @param lockWaitSeconds how long a lock request waits before TT6003 (fractions allowed)
 * @param sqlQueryTimeoutMs how long a statement may run before TT6111 (0: no limit), the
 *                          default of SQLQueryTimeout / SQLQueryTimeoutMSec
 * @param temporary true: nothing is written to disk, the database starts empty every time
 * @param ramPolicy the RAM policy until an administrator sets one (which is then stored and
 *                  wins); null means {@link RamPolicy#DEFAULT}
 * @param cache the cache groups' backend (CacheBackendUrl) and, optionally, its cache
 *              administration user; null means none
 */
public record DatabaseConfig(
        String name,
        String dataStore,
        String logDir,
        long permSizeMb,
        long tempSizeMb,
        int connections,
        int durableCommits,
        double lockWaitSeconds,
        long sqlQueryTimeoutMs,
        Isolation isolation,
        int logBufMb,
        int logFileSizeMb,
        int logBufParallelism,
        int ckptFrequency,
        int ckptLogVolume,
        int ckptRate,
        int ckptReadThreads,
        int recoveryThreads,
        int logPurge,
        int backupFailThreshold,
        boolean temporary,
        RamPolicy ramPolicy,
        CacheSettings cache) {

    /**
     * CacheBackendUrl (TimesTen's OracleNetServiceName: where the cache groups' tables are, a
     * {@code jdbc:postgresql://} URL), and the cache administration user and password that
     * ttCacheUidPwdSet would set, so that a restarted service refreshes without a person.
     * The password is never written to the database's files; toString hides it.
     */
    public record CacheSettings(String backendUrl, String uid, String password) {
        public static final CacheSettings NONE = new CacheSettings(null, null, null);

        @Override
        public String toString() {
            return "CacheSettings[backendUrl=" + backendUrl + ", uid=" + uid + (password == null ? "" : ", password hidden") + "]";
        }
    }

    public DatabaseConfig(String name, String dataStore, String logDir, long permSizeMb, long tempSizeMb, int connections,
                          int durableCommits, double lockWaitSeconds, long sqlQueryTimeoutMs, Isolation isolation, int logBufMb,
                          int logFileSizeMb, int logBufParallelism, int ckptFrequency, int ckptLogVolume, int ckptRate,
                          int ckptReadThreads, int recoveryThreads, int logPurge, int backupFailThreshold, boolean temporary,
                          RamPolicy ramPolicy) {
        this(name, dataStore, logDir, permSizeMb, tempSizeMb, connections, durableCommits, lockWaitSeconds, sqlQueryTimeoutMs,
                isolation, logBufMb, logFileSizeMb, logBufParallelism, ckptFrequency, ckptLogVolume, ckptRate, ckptReadThreads,
                recoveryThreads, logPurge, backupFailThreshold, temporary, ramPolicy, CacheSettings.NONE);
    }

    public DatabaseConfig {
        if (ramPolicy == null) ramPolicy = RamPolicy.DEFAULT;
        if (cache == null) cache = CacheSettings.NONE;
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("a DSN name is letters, digits and _, starting with a letter: " + name);
        }
        if (!temporary && (dataStore == null || dataStore.isBlank())) {
            throw new IllegalArgumentException("DataStore is required for " + name + " (or set Temporary)");
        }
        if (permSizeMb < 1) throw new IllegalArgumentException("PermSize must be at least 1 MB for " + name);
        if (tempSizeMb != 0 && tempSizeMb < 32) {
            throw new IllegalArgumentException("TempSize must be at least 32 MB (or 0 for the default) for " + name);
        }
        if (connections < 1 || connections > 32_000) throw new IllegalArgumentException("Connections must be 1 to 32000 for " + name);
        if (durableCommits != 0 && durableCommits != 1) throw new IllegalArgumentException("DurableCommits must be 0 or 1 for " + name);
        if (sqlQueryTimeoutMs < 0) throw new IllegalArgumentException("SQLQueryTimeout must not be negative for " + name);
        if (lockWaitSeconds < 0 || lockWaitSeconds > 1_000_000) throw new IllegalArgumentException("LockWait must be 0 to 1000000 seconds for " + name);
        if (logBufMb < 1) throw new IllegalArgumentException("LogBufMB must be at least 1 for " + name);
        if (logFileSizeMb < 8) throw new IllegalArgumentException("LogFileSize must be at least 8 MB for " + name);
        if (logFileSizeMb < logBufMb) throw new IllegalArgumentException("LogFileSize may not be below LogBufMB for " + name);
        if (logFileSizeMb > 2047) throw new IllegalArgumentException("LogFileSize must be below 2048 MB for " + name);
        if (recoveryThreads < 1) throw new IllegalArgumentException("RecoveryThreads must be at least 1 for " + name);
        if (ckptFrequency < 0 || ckptLogVolume < 0 || ckptRate < 0) {
            throw new IllegalArgumentException("CkptFrequency, CkptLogVolume and CkptRate must not be negative for " + name);
        }
        if (ckptReadThreads < 1) throw new IllegalArgumentException("CkptReadThreads must be at least 1 for " + name);
        if (logPurge != 0 && logPurge != 1) throw new IllegalArgumentException("LogPurge must be 0 or 1 for " + name);
        if (backupFailThreshold < 0) throw new IllegalArgumentException("BackupFailThreshold must not be negative for " + name);
    }

    /** TimesTen's default for Connections. */
    public static final int DEFAULT_CONNECTIONS = 2000;

    /** A persistent database with TimesTen's (and Hourglass's) defaults. */
    public static DatabaseConfig defaults(String name, String dataStore) {
        return new DatabaseConfig(name, dataStore, null, 256, 0, DEFAULT_CONNECTIONS, 0, 10.0, 0, Isolation.READ_COMMITTED,
                64, 64, 4, 600, 64, 0, 1, 1, 1, 0, false, null);
    }

    /** A Temporary database: memory only, nothing on disk. */
    public static DatabaseConfig temporary(String name) {
        return new DatabaseConfig(name, null, null, 256, 0, DEFAULT_CONNECTIONS, 0, 10.0, 0, Isolation.READ_COMMITTED,
                64, 64, 4, 600, 64, 0, 1, 1, 1, 0, true, null);
    }

    /** TempSize in bytes: as given, or TimesTen's default for this PermSize. */
    public long tempSizeBytes() {
        return (tempSizeMb != 0 ? tempSizeMb : TempSpace.defaultSizeMb(permSizeMb)) << 20;
    }

    /** The log directory: LogDir, or the DataStore's directory. */
    public Path logDirectory() {
        if (logDir != null) return Path.of(logDir);
        Path parent = Path.of(dataStore).toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    /** The base name of the database's files (the DataStore's last element). */
    public String fileName() { return Path.of(dataStore).getFileName().toString(); }

    /** LogDir: where the log files go (null: the DataStore's directory). */
    public DatabaseConfig withLogDir(String dir) {
        Copy c = copy();
        c.logDir = dir;
        return c.build();
    }

    public DatabaseConfig withPermSize(long mb) { return copy().permSize(mb).build(); }

    /** TempSize in MB; 0: TimesTen's default, derived from PermSize. */
    public DatabaseConfig withTempSize(long mb) {
        Copy c = copy();
        c.tempSize = mb;
        return c.build();
    }

    /** Connections: how many connections may be open at once. */
    public DatabaseConfig withConnections(int n) {
        Copy c = copy();
        c.connections = n;
        return c.build();
    }

    /** SQLQueryTimeoutMSec: the default time limit of a statement (0: none). */
    public DatabaseConfig withSqlQueryTimeout(long millis) {
        Copy c = copy();
        c.sqlQueryTimeout = millis;
        return c.build();
    }

    public DatabaseConfig withLockWait(double seconds) { return copy().lockWait(seconds).build(); }

    public DatabaseConfig withDurableCommits(int dc) { return copy().durableCommits(dc).build(); }

    /** LogFileSize and LogBufMB, in MB. */
    public DatabaseConfig withLog(int fileSizeMb, int bufMb) { return copy().log(fileSizeMb, bufMb).build(); }

    public DatabaseConfig withRecoveryThreads(int n) { return copy().recoveryThreads(n).build(); }

    /** CkptFrequency (s), CkptLogVolume (MB) and CkptRate (MB/s); 0 turns each off. */
    public DatabaseConfig withCheckpoints(int frequencySeconds, int logVolumeMb, int rateMbPerSecond) {
        Copy c = copy();
        c.ckptFrequency = frequencySeconds;
        c.ckptLogVolume = logVolumeMb;
        c.ckptRate = rateMbPerSecond;
        return c.build();
    }

    /** LogPurge: 1 deletes log files no longer needed, 0 renames them to {@code .arch}. */
    public DatabaseConfig withLogPurge(int logPurge) {
        Copy c = copy();
        c.logPurge = logPurge;
        return c.build();
    }

    public DatabaseConfig withCkptReadThreads(int n) {
        Copy c = copy();
        c.ckptReadThreads = n;
        return c.build();
    }

    public DatabaseConfig withRamPolicy(RamPolicy p) {
        Copy c = copy();
        c.ramPolicy = p;
        return c.build();
    }

    /** BackupFailThreshold: log files a backup may let pile up before a checkpoint goes ahead and fails it (0: never). */
    public DatabaseConfig withBackupFailThreshold(int files) {
        Copy c = copy();
        c.backupFailThreshold = files;
        return c.build();
    }

    /** CacheBackendUrl and the cache administration user (see {@link CacheSettings}). */
    public DatabaseConfig withCache(CacheSettings settings) {
        Copy c = copy();
        c.cache = settings;
        return c.build();
    }

    private Copy copy() { return new Copy(this); }

    /** A mutable copy for the {@code with...} methods; the record's constructor checks the result. */
    private static final class Copy {
        private final DatabaseConfig c;
        private String logDir;
        private long permSize, tempSize, sqlQueryTimeout;
        private double lockWait;
        private int connections, durableCommits, logFileSize, logBuf, recoveryThreads;
        private int ckptFrequency, ckptLogVolume, ckptRate, ckptReadThreads, logPurge, backupFailThreshold;
        private RamPolicy ramPolicy;
        private CacheSettings cache;

        Copy(DatabaseConfig c) {
            this.c = c;
            logDir = c.logDir;
            permSize = c.permSizeMb;
            tempSize = c.tempSizeMb;
            connections = c.connections;
            lockWait = c.lockWaitSeconds;
            sqlQueryTimeout = c.sqlQueryTimeoutMs;
            durableCommits = c.durableCommits;
            logFileSize = c.logFileSizeMb;
            logBuf = c.logBufMb;
            recoveryThreads = c.recoveryThreads;
            ckptFrequency = c.ckptFrequency;
            ckptLogVolume = c.ckptLogVolume;
            ckptRate = c.ckptRate;
            ckptReadThreads = c.ckptReadThreads;
            logPurge = c.logPurge;
            backupFailThreshold = c.backupFailThreshold;
            ramPolicy = c.ramPolicy;
            cache = c.cache;
        }

        Copy permSize(long v) { permSize = v; return this; }

        Copy lockWait(double v) { lockWait = v; return this; }

        Copy durableCommits(int v) { durableCommits = v; return this; }

        Copy log(int fileSize, int buf) { logFileSize = fileSize; logBuf = buf; return this; }

        Copy recoveryThreads(int v) { recoveryThreads = v; return this; }

        DatabaseConfig build() {
            return new DatabaseConfig(c.name, c.dataStore, logDir, permSize, tempSize, connections, durableCommits, lockWait,
                    sqlQueryTimeout, c.isolation, logBuf,
                    logFileSize, c.logBufParallelism, ckptFrequency, ckptLogVolume, ckptRate, ckptReadThreads,
                    recoveryThreads, logPurge, backupFailThreshold, c.temporary, ramPolicy, cache);
        }
    }
}
