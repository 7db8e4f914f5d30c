package io.hourglass.engine.lifecycle;

import io.hourglass.engine.txn.Isolation;

/**
 * A database's attributes under their TimesTen names (REFERENCE.md). First-connection
 * attributes are fixed while the database is loaded; general attributes (DurableCommits,
 * LockWait, Isolation) are defaults a connection string may override.
 *
 * @param permSizeMb data memory in MB; inserts past it fail with TT802
 * @param lockWaitSeconds how long a lock request waits before TT6003 (fractions allowed)
 */
public record DatabaseConfig(
        String name,
        String dataStore,
        String logDir,
        long permSizeMb,
        int durableCommits,
        double lockWaitSeconds,
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
        int backupFailThreshold) {

    public DatabaseConfig {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("a DSN name is letters, digits and _, starting with a letter: " + name);
        }
        if (permSizeMb < 1) throw new IllegalArgumentException("PermSize must be at least 1 MB for " + name);
        if (durableCommits != 0 && durableCommits != 1) throw new IllegalArgumentException("DurableCommits must be 0 or 1 for " + name);
        if (lockWaitSeconds < 0 || lockWaitSeconds > 1_000_000) throw new IllegalArgumentException("LockWait must be 0 to 1000000 seconds for " + name);
        if (logFileSizeMb < 8) throw new IllegalArgumentException("LogFileSize must be at least 8 MB for " + name);
        if (logFileSizeMb < logBufMb) throw new IllegalArgumentException("LogFileSize may not be below LogBufMB for " + name);
    }

    /** A configuration with TimesTen's (and Hourglass's) defaults. */
    public static DatabaseConfig defaults(String name, String dataStore) {
        return new DatabaseConfig(name, dataStore, null, 256, 0, 10.0, Isolation.READ_COMMITTED,
                64, 64, 4, 600, 64, 0, 1, 1, 1, 0);
    }

    public DatabaseConfig withPermSize(long mb) {
        return new DatabaseConfig(name, dataStore, logDir, mb, durableCommits, lockWaitSeconds, isolation, logBufMb,
                logFileSizeMb, logBufParallelism, ckptFrequency, ckptLogVolume, ckptRate, ckptReadThreads,
                recoveryThreads, logPurge, backupFailThreshold);
    }

    public DatabaseConfig withLockWait(double seconds) {
        return new DatabaseConfig(name, dataStore, logDir, permSizeMb, durableCommits, seconds, isolation, logBufMb,
                logFileSizeMb, logBufParallelism, ckptFrequency, ckptLogVolume, ckptRate, ckptReadThreads,
                recoveryThreads, logPurge, backupFailThreshold);
    }
}
