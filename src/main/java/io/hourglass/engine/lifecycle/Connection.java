package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.sql.CacheService;
import io.hourglass.engine.sql.PreparedStatement;
import io.hourglass.engine.sql.ResultSink;
import io.hourglass.engine.sql.Session;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.engine.txn.Isolation;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.ArrayList;
import java.util.List;
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
    private final java.util.Map<io.hourglass.engine.catalog.Sequence, Long> sequenceValues = new java.util.HashMap<>();
    private boolean durableCommits;
    private boolean durableNext; // CALL ttDurableCommit: the current transaction's commit is durable
    private java.util.List<String> joinOrder; // CALL ttOptSetOrder: until the transaction ends
    private Isolation isolation;
    private long lockWaitNanos;
    private long queryTimeoutMillis;   // SQLQueryTimeout(MSec); 0: none
    private long statementDeadline;    // of the statement running now; 0: none
    private volatile String cancelled; // why the running statement must stop: close() sets it first
    private volatile Transaction txn; // (volatile: ttXactAdmin reads it from other threads)
    private final List<Runnable> afterTransaction = new ArrayList<>();
    private volatile boolean closed;
    private boolean cacheWriter; // the cache agent's: may write READONLY cache tables
    private final String agent; // whose background work it does ("cache agent", "aging"), or null: an application's
    private volatile boolean passwordExpired; // its user's password had expired at login: it may only set a new one
    /** Its instances of GLOBAL TEMPORARY tables, by definition; touched under {@link #lock} only. */
    private final java.util.Map<Table, Table> temporaries = new java.util.IdentityHashMap<>();

    Connection(Database db, User user, Isolation isolation, double lockWaitSeconds, Procedures procedures) {
        this(db, user, isolation, lockWaitSeconds, procedures, null);
    }

    /** @param agent the background agent the connection works for ("cache agent", "aging"), or null for an application's */
    Connection(Database db, User user, Isolation isolation, double lockWaitSeconds, Procedures procedures, String agent) {
        this.agent = agent; // (before the database counts it: an agent's never keeps it in use)
        this.db = db;
        this.user = user;
        this.id = db.nextConnectionId();
        this.isolation = isolation;
        this.lockWaitNanos = (long) (lockWaitSeconds * 1e9);
        this.procedures = procedures;
        db.admit();
        try {
            this.slot = db.transactions().registerSlot();
        } catch (RuntimeException | Error e) {
            db.unadmit();
            throw e;
        }
        db.opened(this);
    }

    public long id() { return id; }

    public Database database() { return db; }

    public boolean autocommit() { return autocommit; }

    /** Turning autocommit on commits an open transaction, as JDBC does. */
    public void setAutocommit(boolean on) {
        locked(() -> {
            if (on && !autocommit && txn != null) join(commitNow(false));
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

    @Override
    public void isolationFromNextTransaction(Isolation iso) { isolation = iso; } // (the open transaction, if any, keeps its own)

    /** DurableCommits for this connection: true, every commit returns once durable. */
    public void setDurableCommits(boolean on) { durableCommits = on; }

    public boolean durableCommits() { return durableCommits; }

    /**
     * CALL ttDurableCommit: the current transaction's commit will be durable, and with it every
     * earlier commit; outside a transaction, waits until every commit so far is durable.
     */
    public void durableCommit() {
        locked(() -> {
            if (txn != null) {
                durableNext = true;
            } else {
                db.transactions().flushDurably().toCompletableFuture().join();
            }
            return null;
        });
    }

    private static final long CENTURY_MILLIS = 100L * 365 * 24 * 3600 * 1000;

    /** The longest LockWait, in seconds, as the attribute allows. */
    static final double MAX_LOCK_WAIT = 1_000_000;

    /**
     * CALL ttOptSetOrder: the order in which joins prepared from now to the end of the transaction
     * read their tables, by correlation name (null or empty: the planner chooses again). As in
     * TimesTen it lasts for the transaction, so autocommit must be off (TT90015 otherwise).
     */
    public void setJoinOrder(java.util.List<String> names) {
        if (autocommit && names != null && !names.isEmpty()) {
            throw ErrorCode.SEMANTIC_ERROR.error("ttOptSetOrder lasts until the transaction ends: turn autocommit off first");
        }
        joinOrder = names == null || names.isEmpty() ? null : java.util.List.copyOf(names);
    }

    @Override
    public java.util.List<String> joinOrder() { return joinOrder; }

    public void setLockWait(double seconds) {
        if (!(seconds >= 0 && seconds <= MAX_LOCK_WAIT)) throw ErrorCode.SEMANTIC_ERROR.error("LockWait must be 0 to 1000000 seconds");
        lockWaitNanos = (long) (seconds * 1e9);
    }

    @Override
    public double lockWait() { return lockWaitNanos / 1e9; }

    /** SQLQueryTimeoutMSec: a statement running longer fails with TT6111 and is undone (0: no limit). */
    public void setQueryTimeoutMillis(long millis) {
        if (millis < 0) throw ErrorCode.SEMANTIC_ERROR.error("SQLQueryTimeout must not be negative");
        queryTimeoutMillis = millis;
    }

    @Override
    public long queryTimeoutMillis() { return queryTimeoutMillis; }

    @Override
    public long statementDeadline() { return statementDeadline; }

    @Override
    public String cancelled() { return cancelled; }

    public boolean inTransaction() { return txn != null; }

    /** The connection's open transaction, or null (read from any thread, for ttXactAdmin). */
    public Transaction openTransaction() { return txn; }

    /** Runs {@code action} once the current transaction commits or rolls back (ttCkptBlocking). */
    void afterTransaction(Runnable action) { afterTransaction.add(action); }

    private void runAfterTransaction() {
        if (afterTransaction.isEmpty()) return;
        List<Runnable> todo = List.copyOf(afterTransaction);
        afterTransaction.clear();
        for (Runnable r : todo) r.run();
    }

    public PreparedStatement prepare(String sql) {
        checkOpen();
        db.prepared();
        return PreparedStatement.prepare(sql);
    }

    /** Parses and runs one statement; see {@link #execute(PreparedStatement, Object...)}. */
    public StatementResult execute(String sql, Object... params) {
        return execute(prepare(sql), params);
    }

    /**
     * Runs a prepared statement and, in autocommit mode, commits it. Returns when the statement
     * is done and its commit is as durable as DurableCommits promises (blocking the caller for a
     * durable commit's sync; {@link #executeAsync} does not).
     */
    public StatementResult execute(PreparedStatement ps, Object... params) {
        return join(executeAsync(ps, params));
    }

    /**
     * Runs a prepared statement now (it may wait for row locks) and returns a stage that
     * completes with its result once its autocommit, if any, is as durable as DurableCommits
     * promises. Outside autocommit the stage is complete on return.
     */
    public CompletionStage<StatementResult> executeAsync(PreparedStatement ps, Object... params) {
        return executeAsync(ps, null, params);
    }

    /**
     * Runs a statement as {@link #execute(PreparedStatement, Object...)} does, a query handing its
     * rows to {@code sink} as it makes them (a cursor: see {@link ResultSink}); the result then
     * holds the columns and no rows. A failure after some rows went out undoes the statement all
     * the same.
     */
    public StatementResult execute(PreparedStatement ps, ResultSink sink, Object... params) {
        return join(executeAsync(ps, sink, params));
    }

    /**
     * The user's password had expired when it logged in (PASSWORD EXPIRE, or past its lifetime and
     * grace): until it sets a new one, {@code ALTER USER <itself> IDENTIFIED BY ...} is the only
     * statement this connection runs (TT90063 for the rest).
     */
    public void restrictToPasswordChange() { passwordExpired = true; }

    private volatile String loginWarning;

    /** Its login's warning (a password within its grace period), for the client; null if none. */
    public String loginWarning() { return loginWarning; }

    void loginWarning(String warning) { loginWarning = warning; }

    private CompletionStage<StatementResult> executeAsync(PreparedStatement ps, ResultSink sink, Object... params) {
        if (passwordExpired && !ps.setsOwnPassword(user.name())) {
            db.countStatement(false);
            throw ErrorCode.PASSWORD_EXPIRED.error(user.name(), user.name());
        }
        return locked(() -> {
            boolean ok = false;
            // (a limit past a century is none; | 1 keeps a deadline from reading as 0, "none")
            statementDeadline = queryTimeoutMillis == 0 || queryTimeoutMillis > CENTURY_MILLIS ? 0
                    : (System.nanoTime() + queryTimeoutMillis * 1_000_000L) | 1;
            try {
                StatementResult r = ps.execute(this, sink, params);
                if (passwordExpired && ps.setsOwnPassword(user.name())) passwordExpired = false; // (a new password: not expired)
                CompletionStage<Void> done = autocommit && txn != null && !ps.isTransactionControl()
                        ? commitNow(false) : CompletableFuture.completedFuture(null);
                ok = true;
                return done.thenApply(v -> r);
            } catch (RuntimeException | Error e) {
                // (a failed statement has undone itself; a failed commit has rolled back)
                if (autocommit) rollbackWork();
                throw HourglassException.of(e, "the statement");
            } finally {
                db.countStatement(ok);
            }
        });
    }

    /**
     * LRU aging ({@link io.hourglass.engine.sql.AgeOut}): runs {@code deleteSql} over rows {@code
     * ids} only, each deleted if {@code unused} still says so once locked, and commits without
     * waiting for the disk, as aging's batches do. Returns the rows deleted.
     */
    long ageOut(String deleteSql, long[] ids, java.util.function.LongPredicate unused) {
        return join(locked(() -> {
            try {
                long n = io.hourglass.engine.sql.AgeOut.run(this, deleteSql, ids, unused);
                return commitNow(false).thenApply(v -> n);
            } catch (RuntimeException | Error e) {
                rollbackWork();
                throw HourglassException.of(e, "LRU aging");
            }
        }));
    }

    /** Waits for a stage, rethrowing the engine's error as itself. */
    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof HourglassException he) throw he;
            throw e;
        }
    }

    /**
     * Commits the current transaction. Its changes are visible to others when this returns. The
     * stage completes when the commit is durable if DurableCommits=1 or ttDurableCommit was
     * called in the transaction, else at once (the commit is in the log buffer and reaches disk
     * within the log's flush window).
     */
    public CompletionStage<Void> commit() {
        return locked(() -> commitNow(false));
    }

    /** Commits, durably if {@code durable} (or if the connection's settings say so). */
    public CompletionStage<Void> commit(boolean durable) {
        return locked(() -> commitNow(durable));
    }

    public void rollback() {
        locked(() -> {
            rollbackWork();
            return null;
        });
    }

    private CompletionStage<Void> commitNow(boolean durable) {
        checkOpen();
        boolean d = durable || durableCommits || durableNext;
        durableNext = false;
        joinOrder = null;
        if (txn == null) return d ? db.transactions().flushDurably() : CompletableFuture.completedFuture(null);
        Transaction t = txn;
        txn = null;
        try {
            writeBehind(t);
            writeThrough(t);
            // ON COMMIT DELETE ROWS: the rows of such tables last the transaction; taking its
            // changes back empties them, as nothing of them was committed before.
            if (!temporaries.isEmpty()) db.transactions().discard(t, Connection::deletedOnCommit);
            return db.transactions().commit(t, d);
        } finally {
            runAfterTransaction();
        }
    }

    /**
     * SYNCHRONOUS WRITETHROUGH: the changes {@code t} made to write-through cache tables go to
     * the backend, which commits them first; if it cannot, {@code t} is rolled back and the
     * commit fails with the backend's error. (The cache agent's own writes, LOAD and REFRESH,
     * come from the backend and go nowhere.)
     */
    private void writeThrough(Transaction t) {
        if (cacheWriter || !t.hasWrites()) return;
        Catalog cat = db.catalog();
        if (cat.cacheGroups().stream().noneMatch(CacheGroup::synchronous)) return;
        var changes = db.transactions().changes(t, table -> {
            CacheGroup g = cat.cacheGroupOf(table);
            return g != null && g.synchronous();
        });
        if (changes.isEmpty()) return;
        try {
            // A commit the log would refuse (TT90026: the archive behind) fails here, before the
            // backend has it, not after.
            HourglassException refused = db.log() == null ? null : db.log().commitRefusal();
            if (refused != null) throw refused;
            db.transactions().reserveCommit(t); // and so does one whose records outgrow TempSize (TT0802)
            cache().writeThrough(changes);
        } catch (RuntimeException | Error e) {
            db.transactions().rollback(t);
            throw e;
        }
    }

    /**
     * ASYNCHRONOUS WRITETHROUGH: the commit logs the old images of the rows {@code t} changed in
     * such groups' tables, from which the cache agent applies the changes to the backend after
     * the commit. (The agent's own writes, LOAD and REFRESH, come from the backend: not sent back.)
     */
    private void writeBehind(Transaction t) {
        if (cacheWriter || !t.hasWrites()) return;
        Catalog cat = db.catalog();
        if (cat.cacheGroups().stream().noneMatch(CacheGroup::asynchronous)) return;
        t.writeBehind(table -> {
            CacheGroup g = cat.cacheGroupOf(table);
            return g != null && g.asynchronous();
        }, lsn -> {
            CacheService agent = db.cacheAgent();
            if (agent != null) agent.wroteBehind(lsn);
        });
    }

    @Override
    public void close() {
        // A statement running now (a client that went away mid-query) stops at its next check
        // instead of running to its end with the connection's lock held and its snapshot open.
        cancelled = "its connection is closing";
        lock.lock();
        try {
            if (closed) return;
            if (txn != null) {
                db.transactions().rollback(txn);
                txn = null;
            }
            dropTemporaries();
            closed = true;
            db.transactions().unregisterSlot(slot);
            db.closed(this);
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() { return closed; }

    private static boolean deletedOnCommit(Table t) {
        return t.definition() != null && t.temporary() == Table.OnCommit.DELETE_ROWS;
    }

    @Override
    public Table temporaryInstance(Table definition) {
        Table instance = temporaries.get(definition);
        if (instance != null && instance.instanceCurrent()) return instance;
        // None yet, or its definition changed since (CREATE or DROP INDEX, refused while an instance
        // holds rows: this one is empty); and forget those of tables dropped since.
        temporaries.entrySet().removeIf(e -> {
            boolean gone = e.getKey() == definition || db.catalog().tableById(e.getKey().id()) != e.getKey();
            if (gone) dropTemporary(e.getValue());
            return gone;
        });
        instance = definition.instance(db.catalog().nextInstanceId());
        temporaries.put(definition, instance);
        return instance;
    }

    /** The session ends: its instances' rows go, and what they held in TempSize is given back. */
    private void dropTemporaries() {
        for (Table instance : temporaries.values()) dropTemporary(instance);
        temporaries.clear();
    }

    private void dropTemporary(Table instance) {
        instance.definition().dropInstance(instance);
        db.transactions().account(instance).release(db.transactions().retire(instance));
    }

    void writeCacheTables() { cacheWriter = true; }

    /** The background agent whose connection this is ("cache agent", "aging"), or null for an application's. */
    String agent() { return agent; }

    @Override
    public boolean writesCacheTables() { return cacheWriter; }

    @Override
    public CacheService cacheIfAny() { return db.cacheAgent(); }

    @Override
    public io.hourglass.engine.sql.MonitorStats monitor() { return db.monitor(); }

    @Override
    public void replanned() { db.replanned(); }

    @Override
    public CacheService cache() {
        CacheService agent = db.cacheAgent();
        if (agent == null) throw ErrorCode.CACHE_NOT_CONFIGURED.error("database " + db.name() + " has no cache agent here");
        return agent;
    }

    private void checkOpen() {
        if (closed) throw ErrorCode.CONNECTION_CLOSED.error();
        if (db.invalidation() != null) {
            // TT0994: the database failed; roll back what is open and tell the caller to reconnect.
            if (txn != null) {
                db.transactions().rollback(txn);
                txn = null;
            }
            throw ErrorCode.CONNECTION_TERMINATED.error();
        }
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
        if (txn == null) txn = db.transactions().begin(slot, isolation, lockWaitNanos);
        return txn;
    }

    @Override
    public SnapshotSlot snapshotSlot() { return slot; }

    @Override
    public void commitWork() { join(commitNow(false)); }

    @Override
    public void rollbackWork() {
        durableNext = false;
        joinOrder = null;
        if (txn == null) return;
        Transaction t = txn;
        txn = null;
        db.transactions().rollback(t);
        runAfterTransaction();
    }

    @Override
    public StatementResult callProcedure(String name, Object[] args) { return procedures.call(this, name, args); }

    @Override
    public java.util.Map<io.hourglass.engine.catalog.Sequence, Long> sequenceValues() { return sequenceValues; }
}
