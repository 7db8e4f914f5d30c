package io.hourglass.engine.lifecycle;

import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.txn.TransactionManager;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** One loaded database: its catalog, its transactions, its connections and its counters. */
public final class Database {
    private final DatabaseConfig config;
    private final Catalog catalog;
    private final TransactionManager transactions;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final LongAdder statements = new LongAdder();
    private final LongAdder statementErrors = new LongAdder();

    Database(DatabaseConfig config, String adminPasswordHash) {
        this.config = config;
        this.catalog = new Catalog(adminPasswordHash);
        this.transactions = new TransactionManager(new MemoryAccount(config.permSizeMb() * 1024 * 1024));
    }

    public String name() { return config.name(); }

    public DatabaseConfig config() { return config; }

    public Catalog catalog() { return catalog; }

    public TransactionManager transactions() { return transactions; }

    public boolean loaded() { return true; }

    public int connectionCount() { return connections.size(); }

    public Set<Connection> connections() { return Set.copyOf(connections); }

    long nextConnectionId() { return connectionIds.incrementAndGet(); }

    void opened(Connection c) { connections.add(c); }

    void closed(Connection c) { connections.remove(c); }

    void countStatement(boolean ok) {
        statements.increment();
        if (!ok) statementErrors.increment();
    }

    /** Counters for metrics: statements, failed statements, commits, rollbacks, lock waits. */
    public Stats stats() {
        var t = transactions;
        return new Stats(statements.sum(), statementErrors.sum(), t.commits(), t.rollbacks(), t.locks().waits(),
                t.locks().timeouts(), t.locks().deadlocks(), t.memory().used(), t.memory().limit());
    }

    public record Stats(long statements, long statementErrors, long commits, long rollbacks, long lockWaits,
                        long lockTimeouts, long deadlocks, long permInUse, long permSize) {}
}
