package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

/** What the executor needs from the connection that runs a statement. */
public interface Session {
    Catalog catalog();

    TransactionManager transactions();

    User user();

    /** The connection's id, as ttStatus and SYS_CONTEXT('USERENV', 'SID') show it. */
    default long id() { return 0; }

    /** The current transaction, begun if none is active. */
    Transaction transaction();

    SnapshotSlot snapshotSlot();

    /** The running statement's deadline ({@link System#nanoTime}), 0 when it has none (SQLQueryTimeout). */
    default long statementDeadline() { return 0; }

    /** LockWait in seconds: how long a statement of this session waits for what others hold. */
    default double lockWait() { return 10; }

    /** SQLQueryTimeout in milliseconds, for the TT6111 message; 0: none. */
    default long queryTimeoutMillis() { return 0; }

    /** Why the running statement must stop (the connection is closing), or null. */
    default String cancelled() { return null; }

    /**
     * The join order set for the current transaction by {@code CALL ttOptSetOrder}: correlation
     * names (aliases, or table names), first read first; null when the planner chooses.
     */
    default java.util.List<String> joinOrder() { return null; }

    /** COMMIT statement and the implicit commit around DDL. */
    void commitWork();

    /** ROLLBACK statement, and the rollback of a deadlock victim. */
    void rollbackWork();

    /** The last value NEXTVAL gave this session, per sequence (CURRVAL). */
    java.util.Map<io.hourglass.engine.catalog.Sequence, Long> sequenceValues();

    /** Runs a built-in procedure (CALL name(args)). */
    StatementResult callProcedure(String name, Object[] args);

    /** The cache agent's side of cache group statements; TT90050 where the database has none. */
    default CacheService cache() {
        throw ErrorCode.CACHE_NOT_CONFIGURED.error("this database has no cache agent");
    }

    /** The cache agent, or null where the database has none. */
    default CacheService cacheIfAny() { return null; }

    /** ALTER SESSION SET ISOLATION_LEVEL: the isolation of the transactions this session begins from now on. */
    default void isolationFromNextTransaction(io.hourglass.engine.txn.Isolation isolation) {
        throw ErrorCode.UNSUPPORTED.error("ALTER SESSION outside a database connection");
    }

    /** A prepared statement was planned again (SYS.MONITOR's CMD_REPREPARES). */
    default void replanned() {}

    /** SYS.MONITOR: the database's counters now. */
    default MonitorStats monitor() {
        throw ErrorCode.UNSUPPORTED.error("SYS.MONITOR outside a database connection");
    }

    /**
     * This session's instance of GLOBAL TEMPORARY table {@code definition}: where its statements
     * read and write that table's rows, which no other session sees. Made the first time, and
     * again once DDL changed the definition (CREATE or DROP INDEX, while no instance held rows).
     */
    default io.hourglass.engine.catalog.Table temporaryInstance(io.hourglass.engine.catalog.Table definition) {
        throw ErrorCode.UNSUPPORTED.error("GLOBAL TEMPORARY table " + definition.qualifiedName() + " outside a database connection");
    }

    /** Whether this session may change READONLY cache tables: only the cache agent's own. */
    default boolean writesCacheTables() { return false; }
}
