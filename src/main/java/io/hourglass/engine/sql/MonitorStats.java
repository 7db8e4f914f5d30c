package io.hourglass.engine.sql;

/**
 * One reading of SYS.MONITOR, TimesTen's one-row table of a database's counters: what happened
 * since the database was loaded (connections, checkpoints, transactions, locks, the log), and the
 * memory it uses now. Sizes are in KB, as TimesTen gives them. The log's file numbers are null for
 * a Temporary database, which has no log; the replication hold's are -1 when nothing holds it.
 * Counters are read one by one, without stopping the database, so a reading taken under load need
 * not add up exactly (TimesTen says the same of its own).
 *
 * @param firstConnect when the first connection since the load opened, as TimesTen writes it ({@code Thu Sep  5 00:48:03 2024})
 * @param repHoldLogFile where the ASYNCHRONOUS WRITETHROUGH cache groups' hold on the log is (TimesTen's replication hold)
 * @param requiredRecovery whether the load had to recover the database from its log after a crash
 */
public record MonitorStats(String firstConnect, long connects, long disconnects, long checkpoints, long fuzzyCheckpoints,
                           long permAllocatedKb, long permInUseKb, long permHighWaterKb,
                           long tempAllocatedKb, long tempInUseKb, long tempHighWaterKb,
                           long transactionsBegun, long commits, long durableCommits, long rollbacks, long logForces,
                           long deadlocks, long lockTimeouts, long lockGrantsAfterWait, long prepares, long reprepares,
                           Long lastLogFile, Long repHoldLogFile, Long repHoldLogOffset, Long firstLogFile,
                           long logBytesToBuffer, long logFileWrites, long logBufferWaits, long checkpointBytesWritten,
                           boolean requiredRecovery) {

    /** The row, in the order of {@link SystemViews}' MONITOR columns (TimesTen's order). */
    Object[] row() {
        return new Object[] {firstConnect, connects, disconnects, checkpoints, fuzzyCheckpoints, permAllocatedKb, permInUseKb,
                permHighWaterKb, tempAllocatedKb, tempInUseKb, tempHighWaterKb, transactionsBegun, commits, durableCommits,
                rollbacks, logForces, deadlocks, lockTimeouts, lockGrantsAfterWait, prepares, reprepares, lastLogFile, repHoldLogFile,
                repHoldLogOffset, firstLogFile, logBytesToBuffer, logFileWrites, logBufferWaits, checkpointBytesWritten,
                requiredRecovery ? 1L : 0L};
    }
}
