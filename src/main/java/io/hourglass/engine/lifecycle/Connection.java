package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.sql.PreparedStatement;
import io.hourglass.engine.sql.Session;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.engine.txn.Isolation;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection to one database as one user. Autocommit is on by default (as in ODBC and JDBC):
 * every statement outside COMMIT/ROLLBACK commits on success and rolls back on failure.
 *
 * <p>One caller at a time: methods take the connection's lock, so a connection shared by
 * mistake between threads serialises instead of corrupting its transaction.
 */
public final class Connection implements Session, AutoCloseable {
    private final Database db;
    private final User user;
    private final long id;
    private final SnapshotSlot slot;
    private final ReentrantLock lock = new ReentrantLock();
    private final Procedures procedures;
    private boolean autocommit = true;
    private Isolation isolation;
    private long lockWaitNanos;
    private Transaction txn;
    private volatile boolean closed;

    Connection(Database db, User user, Isolation isolation, double lockWaitSeconds, Procedures procedures) {
        this.db = db;
        this.user = user;
        this.id = db.nextConnectionId();
        this.isolation = isolation;
        this.lockWaitNanos = (long) (lockWaitSeconds * 1e9);
        this.procedures = procedures;
        this.slot = db.transactions().registerSlot();
        db.opened(this);
    }

    public long id() { return id; }

    public Database database() { return db; }

    public boolean autocommit() { return autocommit; }

    /** Turning autocommit on commits an open transaction, as JDBC does. */
    public void setAutocommit(boolean on) {
        locked(() -> {
            if (on && !autocommit && txn != null) commitNow();
            autocommit = on;
            return null;
        });
    }

    public Isolation isolation() { return isolation; }

    public void setIsolation(Isolation iso) {
        locked(() -> {
            if (txn != null) throw ErrorCode.SEMANTIC_ERROR.error("isolation can change only between transactions");
            isolation = iso;
            return null;
        });
    }

    public void setLockWait(double seconds) {
        if (seconds < 0) throw ErrorCode.SEMANTIC_ERROR.error("LockWait must not be negative");
        lockWaitNanos = (long) (seconds * 1e9);
    }

    public double lockWait() { return lockWaitNanos / 1e9; }

    public boolean inTransaction() { return txn != null; }

    public PreparedStatement prepare(String sql) {
        checkOpen();
        return PreparedStatement.prepare(sql);
    }

    /** Parses and runs one statement. */
    public StatementResult execute(String sql, Object... params) {
        return execute(prepare(sql), params);
    }

    /**
     * Runs a prepared statement. In autocommit mode its effects are committed (in memory) when
     * this returns; see {@link #commit()} for what a commit promises.
     */
    public StatementResult execute(PreparedStatement ps, Object... params) {
        return locked(() -> {
            boolean ok = false;
            try {
                StatementResult r = ps.execute(this, params);
                if (autocommit && txn != null && !ps.isTransactionControl()) commitNow();
                ok = true;
                return r;
            } catch (HourglassException e) {
                if (autocommit) rollbackWork();
                throw e;
            } finally {
                db.countStatement(ok);
            }
        });
    }

    /**
     * Commits the current transaction. Its changes are visible to others when this returns; the
     * stage completes when the commit is as durable as DurableCommits promises (until the
     * transaction log exists, that is at once and in memory only).
     */
    public CompletionStage<Void> commit() {
        return locked(this::commitNow);
    }

    public void rollback() {
        locked(() -> {
            rollbackWork();
            return null;
        });
    }

    private CompletionStage<Void> commitNow() {
        checkOpen();
        if (txn == null) return CompletableFuture.completedFuture(null);
        Transaction t = txn;
        txn = null;
        return db.transactions().commit(t);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            if (txn != null) {
                db.transactions().rollback(txn);
                txn = null;
            }
            closed = true;
            db.transactions().unregisterSlot(slot);
            db.closed(this);
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() { return closed; }

    private void checkOpen() {
        if (closed) throw ErrorCode.CONNECTION_CLOSED.error();
    }

    private <T> T locked(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    // ---- Session ------------------------------------------------------------------------------

    @Override
    public Catalog catalog() { return db.catalog(); }

    @Override
    public TransactionManager transactions() { return db.transactions(); }

    @Override
    public User user() { return user; }

    @Override
    public Transaction transaction() {
        if (txn == null) txn = db.transactions().begin(isolation, lockWaitNanos);
        return txn;
    }

    @Override
    public SnapshotSlot snapshotSlot() { return slot; }

    @Override
    public void commitWork() { commitNow(); }

    @Override
    public void rollbackWork() {
        if (txn == null) return;
        Transaction t = txn;
        txn = null;
        db.transactions().rollback(t);
    }

    @Override
    public StatementResult callProcedure(String name, Object[] args) { return procedures.call(this, name, args); }
}
