package io.hourglass.engine.txn;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.log.LogBatch;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.RowStore;
import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.store.Version;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Transactions of one database: row writes with their undo, commit, rollback, snapshots and the
 * collection of versions no snapshot can see any more.
 *
 * <p>Visibility: a commit takes the next commit timestamp under {@link #commitLock}, stamps
 * every version it wrote, and only then publishes the timestamp in {@link #lastCommitTs}. A
 * statement reads as of the published timestamp at its start, so it sees a transaction's
 * changes all or none (no dirty reads, no fractured reads), and never waits for a writer.
 *
 * <p>Writes: a writer holds the row's exclusive lock, replaces the slot head with its own
 * uncommitted version (whose {@code prev} is the newest committed version) and adds index
 * entries for new keys at once, so uniqueness is checked against concurrent writers. Old keys
 * and tombstones are removed by the collector once no snapshot can reach them.
 */
public final class TransactionManager {
    private final List<SnapshotSlot> slots = new CopyOnWriteArrayList<>();
    private final LockManager locks = new LockManager(slots);
    private final WriteGate gate = new WriteGate();
    private final MemoryAccount memory;
    private final TempSpace temp;
    private final Object commitLock = new Object();
    private volatile long lastCommitTs; // written under commitLock
    private final AtomicLong txnIds = new AtomicLong();
    private final ArrayDeque<Garbage> garbage = new ArrayDeque<>(); // guarded by commitLock
    private long knownOldest; // a lower bound of every snapshot from now on (see collectAfterCommit); guarded by commitLock
    private final LongAdder commits = new LongAdder();
    private final LongAdder rollbacks = new LongAdder();
    private final LongAdder durableCommits = new LongAdder();
    private final LongAdder begins = new LongAdder();
    private volatile TransactionLog log; // null for a Temporary database

    /** Work the collector does once every snapshot is at or past {@code ts}. */
    private record Garbage(long ts, Table table, long rowId, List<Transaction.IndexEntry> staleEntries) {}

    // What a transaction holds in TempSize, per row, by estimate (compressed references). TimesTen
    // keeps its lock table in the temporary region too; here it bounds what one transaction can
    // take from the heap, so a million-row UPDATE meets TT0802, not an OutOfMemoryError.
    /** An undo entry and its list slot. */
    static final long UNDO_ENTRY = 64;
    /** An index entry an undo entry remembers, with its share of the list. */
    static final long UNDO_INDEX_ENTRY = 48;
    /** An explicit row lock: its key, its node in the lock table, its state, its slot in the transaction's list. */
    static final long ROW_LOCK = 144;
    /** At commit, per changed row: its finish, later its garbage entry (the log records are counted as built). */
    static final long COMMIT_ROW = 96;
    /** At commit, per undo entry, when rows were changed more than once: the maps that merge their entries. */
    static final long COMMIT_ROW_MERGED = 320;
    /** A thread keeps its commit buffer for the next commit only up to this size. */
    private static final int BATCH_KEPT = 1 << 20;

    /** {@code memory}: PermSize; {@code temp}: TempSize, what statements build while they run. */
    public TransactionManager(MemoryAccount memory, TempSpace temp) {
        this.memory = memory;
        this.temp = temp;
    }

    public LockManager locks() { return locks; }

    /** The door writers pass; a blocking checkpoint closes it. */
    public WriteGate writeGate() { return gate; }

    /**
     * Where a checkpoint starts: the log position and commit timestamp such that every commit
     * at or below the timestamp has all its records before the position and every later commit
     * after it. With {@code snapshot} non-null, also publishes a snapshot at that timestamp in it
     * (under the commit lock, so the collector keeps every version the snapshot can see).
     */
    public CheckpointPoint checkpointPoint(SnapshotSlot snapshot) {
        synchronized (commitLock) {
            long ts = lastCommitTs;
            if (snapshot != null) snapshot.snapshot = ts;
            TransactionLog lg = log;
            return new CheckpointPoint(lg == null ? 0 : lg.appendedLsn(), ts, txnIds.get());
        }
    }

    /** See {@link #checkpointPoint}. */
    public record CheckpointPoint(long lsn, long commitTs, long lastTxnId) {}

    /** Starts logging commits to {@code log} (after recovery). */
    public void attachLog(TransactionLog log) { this.log = log; }

    private volatile java.util.function.Consumer<HourglassException> onBroken = e -> {};

    /**
     * Who hears of a broken invariant (memory and log no longer agree): the database, which
     * invalidates itself (TT0994) rather than go on serving a state its log does not describe.
     */
    public void onBroken(java.util.function.Consumer<HourglassException> handler) { this.onBroken = handler; }

    public TransactionLog log() { return log; }

    /** Recovery: continue commit timestamps and transaction ids after those in the log. */
    public void restoreCounters(long lastTs, long lastTxnId) {
        synchronized (commitLock) {
            lastCommitTs = Math.max(lastCommitTs, lastTs);
        }
        txnIds.accumulateAndGet(lastTxnId, Math::max);
    }

    public MemoryAccount memory() { return memory; }

    public TempSpace temp() { return temp; }

    /**
     * Where {@code table}'s row versions and index entries are counted: PermSize, or TempSize
     * for a session's instance of a GLOBAL TEMPORARY table.
     */
    public io.hourglass.engine.store.SpaceAccount account(Table table) {
        return table.definition() != null ? temp.temporaryRows() : memory;
    }

    public long lastCommitTs() { return lastCommitTs; }

    public long commits() { return commits.sum(); }

    public long rollbacks() { return rollbacks.sum(); }

    /** Commits that returned only once durable (DurableCommits=1, ttDurableCommit, the durable flag). */
    public long durableCommits() { return durableCommits.sum(); }

    /** Connections' transactions begun. */
    public long begins() { return begins.sum(); }

    /** A transaction of no connection (DDL's own): its table locks always go to the lock table. */
    public Transaction begin(Isolation isolation, long lockTimeoutNanos) {
        return new Transaction(txnIds.incrementAndGet(), null, isolation, lockTimeoutNanos);
    }

    /** A connection's transaction; {@code slot} is the connection's (intention locks go there). */
    public Transaction begin(SnapshotSlot slot, Isolation isolation, long lockTimeoutNanos) {
        begins.increment();
        return new Transaction(txnIds.incrementAndGet(), slot, isolation, lockTimeoutNanos);
    }

    // ---- snapshots ----------------------------------------------------------------------------

    public SnapshotSlot registerSlot() {
        SnapshotSlot s = new SnapshotSlot();
        slots.add(s);
        return s;
    }

    public void unregisterSlot(SnapshotSlot s) { slots.remove(s); }

    /**
     * Publishes and returns the snapshot for a statement. The re-check loop makes sure the
     * collector, which reads the slots after any commit it races with, sees this snapshot
     * before it could drop a version the snapshot needs.
     */
    public long openSnapshot(SnapshotSlot slot) {
        while (true) {
            long s = lastCommitTs;
            slot.snapshot = s;
            if (lastCommitTs == s) return s;
        }
    }

    public void closeSnapshot(SnapshotSlot slot) { slot.snapshot = SnapshotSlot.IDLE; }

    private long oldestSnapshot() {
        long oldest = lastCommitTs;
        for (SnapshotSlot s : slots) oldest = Math.min(oldest, s.snapshot);
        return oldest;
    }

    // ---- locks --------------------------------------------------------------------------------

    public void lockTable(Transaction t, Table table, LockMode mode) { lockTable(t, table.id(), mode); }

    /**
     * Takes the lock of the table {@code tableId}, which need not be in the catalog yet: CREATE
     * TABLE ... AS SELECT locks its table before the catalog shows it to anyone.
     */
    public void lockTable(Transaction t, long tableId, LockMode mode) {
        if (!t.inGate && mode != LockMode.S && mode != LockMode.IS) {
            gate.enter(t.lockTimeoutNanos); // a writer: queue behind a blocking checkpoint
            t.inGate = true;
        }
        locks.lock(t, new LockManager.TableLock(tableId), mode, t.lockTimeoutNanos);
    }

    /**
     * Takes the row's exclusive lock for {@code t}. A row another transaction inserted and has
     * not finished is locked implicitly by its uncommitted version (an insert does not visit the
     * lock manager: its slot is new, so no one else can be using it); such a lock is made
     * explicit for its owner here, the moment someone has to wait for it.
     */
    public void lockRow(Transaction t, Table table, long rowId) { lockRow(t, table, rowId, LockMode.X); }

    /**
     * Takes the row's lock in {@code mode} for {@code t}: X to change it, S to keep it as it is
     * (a foreign key's parent row while the child that references it is uncommitted).
     */
    public void lockRow(Transaction t, Table table, long rowId, LockMode mode) { takeRowLock(t, table, rowId, mode, Math.max(0, t.lockTimeoutNanos)); }

    /**
     * Takes a row lock, awaiting it at most {@code timeoutNanos}; if that is negative, only if no
     * other transaction holds or awaits it (SELECT ... FOR UPDATE SKIP LOCKED), else returns false.
     */
    private boolean takeRowLock(Transaction t, Table table, long rowId, LockMode mode, long timeoutNanos) {
        // A session's rows of a GLOBAL TEMPORARY table: only its one transaction at a time reaches
        // them, so a lock would guard against no one (and cost TempSize and the lock table).
        if (table.definition() != null) return true;
        LockManager.RowLock r = new LockManager.RowLock(table.id(), rowId);
        // An uncommitted writer's lock on its row is implicit until someone else asks for the row.
        if (table.store().slot(rowId) instanceof Version h && h.writer() instanceof Transaction owner && owner != t) {
            locks.holdFor(owner, r);
        }
        int held = t.locks.size();
        if (timeoutNanos >= 0) {
            locks.lock(t, r, mode, timeoutNanos);
        } else if (!locks.tryLock(t, r, mode)) {
            return false;
        }
        if (t.locks.size() > held) holdTemp(t, ROW_LOCK);
        return true;
    }

    /**
     * Takes the row's X lock for {@code t} as a statement that found the row and means to change
     * or lock it (awaited at most {@code waitNanos}, or LockWait when negative; not awaited at all
     * under {@code skipLocked}), then reads it as {@link #currentImage}: null when SKIP LOCKED left
     * it or it is gone. A lock taken here for a row the wait showed deleted is given back at once
     * (as Oracle and PostgreSQL keep no lock on a row their statement did not find), so others
     * queued for the dead row do not wait on until {@code t} ends.
     */
    public byte[] lockAndRead(Transaction t, Table table, long rowId, boolean skipLocked, long waitNanos) {
        int held = t.locks.size();
        long wait = skipLocked ? -1 : Math.max(0, waitNanos >= 0 ? waitNanos : t.lockTimeoutNanos);
        if (!takeRowLock(t, table, rowId, LockMode.X, wait)) return null;
        byte[] img = currentImage(t, table, rowId);
        if (img == null && t.locks.size() > held) {
            locks.releaseLast(t, new LockManager.RowLock(table.id(), rowId));
            t.temp.release(ROW_LOCK);
        }
        return img;
    }

    /** Whether the row's newest version is another transaction's, not yet committed (it holds the row's lock). */
    public boolean writtenByOther(Transaction t, Table table, long rowId) {
        return table.store().slot(rowId) instanceof Version h && !h.isCommitted() && h.ownerTxn != t.id();
    }

    /** Counts {@code bytes} more held by {@code t} until it ends; TT0802 past TempSize. */
    private void holdTemp(Transaction t, long bytes) {
        TempSpace.Budget b = t.temp;
        if (b == null) b = t.temp = temp.transactionBudget();
        b.charge(bytes);
    }

    /**
     * The row as the writer {@code t} must see it once it holds the row lock: its own
     * uncommitted version, else the newest committed one. Null when the row is gone.
     */
    public byte[] currentImage(Transaction t, Table table, long rowId) {
        Object slot = table.store().slot(rowId);
        if (slot == null || slot instanceof byte[]) return (byte[]) slot;
        Version h = (Version) slot;
        if (!h.isCommitted()) {
            if (h.ownerTxn == t.id()) return h.image;
            h = Version.latestCommitted(h);
            return h == null ? null : h.image;
        }
        return h.image;
    }

    // ---- writes -------------------------------------------------------------------------------

    /** Inserts a row (values already coerced and checked) and returns its row id. */
    public long insert(Transaction t, Table table, Object[] row) {
        holdTemp(t, UNDO_ENTRY + table.indexes().size() * UNDO_INDEX_ENTRY);
        byte[] img = table.codec().encode(row);
        long bytes = img.length + MemoryAccount.VERSION_OVERHEAD
                + (long) table.indexes().size() * MemoryAccount.INDEX_ENTRY_OVERHEAD;
        io.hourglass.engine.store.SpaceAccount account = account(table);
        account.reserve(bytes);
        RowStore store = table.store();
        long rowId;
        try {
            rowId = store.allocate();
        } catch (RuntimeException | Error e) {
            account.release(bytes);
            throw e;
        }
        // Undo first: whatever fails from here on (an index, the heap), the undo finds the slot.
        List<Transaction.IndexEntry> added = entryList(table.indexes());
        t.undo.add(new Transaction.Undo(table, rowId, null, true, added, bytes));
        // A fresh slot: the uncommitted version naming t is the row's lock (see lockRow).
        store.setHead(rowId, new Version(img, t.id(), null, t));
        addIndexEntries(t, table, table.indexes(), row, rowId, added);
        return rowId;
    }

    /**
     * Replaces the row {@code rowId}, whose lock {@code t} holds and whose current image is
     * {@code oldRow}, by {@code newRow} (coerced and checked).
     */
    public void update(Transaction t, Table table, long rowId, Object[] oldRow, Object[] newRow) {
        byte[] img = table.codec().encode(newRow);
        long bytes = img.length + MemoryAccount.VERSION_OVERHEAD;
        List<IndexDef> changed = new ArrayList<>();
        for (IndexDef ix : table.indexes()) {
            if (!ix.keyOf(oldRow).equals(ix.keyOf(newRow))) changed.add(ix);
        }
        bytes += (long) changed.size() * MemoryAccount.INDEX_ENTRY_OVERHEAD;
        holdTemp(t, UNDO_ENTRY + changed.size() * UNDO_INDEX_ENTRY);
        account(table).reserve(bytes);
        replaceHead(t, table, rowId, img, bytes, changed, newRow);
    }

    /** Deletes the row {@code rowId}, whose lock {@code t} holds. */
    public void delete(Transaction t, Table table, long rowId) {
        holdTemp(t, UNDO_ENTRY);
        account(table).charge(MemoryAccount.VERSION_OVERHEAD);
        replaceHead(t, table, rowId, null, MemoryAccount.VERSION_OVERHEAD, List.of(), null);
    }

    private void replaceHead(Transaction t, Table table, long rowId, byte[] img, long bytes,
                             List<IndexDef> changedIndexes, Object[] newRow) {
        RowStore store = table.store();
        Object previous = store.slot(rowId);
        Version head = Version.of(previous);
        boolean own = head != null && !head.isCommitted();
        Version committedBase = own ? head.prev() : head;
        if (own) t.rewrote = true; // t holds the row's lock: an uncommitted head is its own
        List<Transaction.IndexEntry> added = entryList(changedIndexes);
        t.undo.add(new Transaction.Undo(table, rowId, previous, false, added, bytes));
        store.setHead(rowId, new Version(img, t.id(), committedBase));
        addIndexEntries(t, table, changedIndexes, newRow, rowId, added);
    }

    /** The list an undo entry keeps its index entries in: none when no index changes (the usual UPDATE). */
    private static List<Transaction.IndexEntry> entryList(List<IndexDef> indexes) {
        return indexes.isEmpty() ? List.of() : new ArrayList<>(indexes.size());
    }

    /**
     * Adds {@code row}'s entries in {@code indexes} to them and to {@code added}, the undo
     * entry's list. Each is recorded there before it goes into its index, so a failure at any
     * point (a unique violation, or the heap running out) leaves nothing in an index that the
     * undo would not take out.
     */
    private void addIndexEntries(Transaction t, Table table, List<IndexDef> indexes, Object[] row, long rowId,
                                 List<Transaction.IndexEntry> added) {
        for (IndexDef ix : indexes) {
            Transaction.IndexEntry e = new Transaction.IndexEntry(ix, ix.keyOf(row));
            added.add(e);
            ix.index().insert(e.key(), rowId);
            if (ix.unique()) checkUnique(t, table, ix, e.key(), rowId);
        }
    }

    /**
     * Fails with TT907 if another row carries {@code key} in unique index {@code ix}. A row
     * another transaction is writing is waited for (its lock), then judged on what committed.
     */
    private void checkUnique(Transaction t, Table table, IndexDef ix, Key key, long self) {
        if (key.hasNull()) return; // NULLs never collide, as in Oracle
        List<Long> candidates = new ArrayList<>(2);
        ix.index().lookup(key, candidates::add);
        for (long other : candidates) {
            if (other == self) continue;
            if (writtenByOther(t, table, other)) lockRow(t, table, other); // wait for the writer to finish
            byte[] img = currentImage(t, table, other);
            if (img != null && ix.keyOf(table.codec().decode(img)).equals(key)) {
                if (t.uniqueChecks != null) {
                    holdTemp(t, UNDO_INDEX_ENTRY);
                    t.uniqueChecks.add(new PendingUnique(table, ix, key, self));
                    return;
                }
                throw ErrorCode.UNIQUE_VIOLATION.error(ix.qualifiedName() + " on " + table.qualifiedName() + " key " + key);
            }
        }
    }

    /** A key row {@code self} took in unique index {@code ix} while another row still had it. */
    record PendingUnique(Table table, IndexDef ix, Key key, long self) {}

    /**
     * Starts a statement's unique checks: a key another row has is judged at the statement's end
     * ({@link #finishUniqueChecks}), as Oracle judges its constraints, so {@code UPDATE t SET id
     * = id + 1} passes whatever order it meets the rows in. Another transaction's row is still
     * waited for at once.
     */
    public void deferUniqueChecks(Transaction t) { t.uniqueChecks = new ArrayList<>(); }

    /** Judges the keys the statement found taken: TT0907 if a row still has one that {@code self} still has too. */
    public void finishUniqueChecks(Transaction t) {
        List<PendingUnique> pending = t.uniqueChecks;
        t.uniqueChecks = null;
        if (pending == null) return;
        for (PendingUnique p : pending) {
            byte[] img = currentImage(t, p.table(), p.self());
            if (img == null || !p.ix().keyOf(p.table().codec().decode(img)).equals(p.key())) continue; // it gave the key up
            checkUnique(t, p.table(), p.ix(), p.key(), p.self());
        }
    }

    /** Ends a statement's unique checks without judging them (it failed and is undone). */
    public void dropUniqueChecks(Transaction t) { t.uniqueChecks = null; }

    // ---- end of transaction -------------------------------------------------------------------

    /** A row a transaction changed: its values before the transaction and now, null where it does not exist. */
    public record RowChange(Table table, Object[] before, Object[] after) {}

    /**
     * The rows {@code t} changed in the tables {@code which} accepts, each once however often it
     * was changed, in the order {@code t} first changed them; a row it inserted and deleted
     * again is left out. For a SYNCHRONOUS WRITETHROUGH commit, before the commit, while
     * {@code t} still holds the rows' locks.
     */
    public List<RowChange> changes(Transaction t, java.util.function.Predicate<Table> which) {
        Map<Transaction.Slot, Transaction.Undo> first = new LinkedHashMap<>();
        for (Transaction.Undo u : t.undo) {
            if (which.test(u.table())) first.putIfAbsent(new Transaction.Slot(u.table(), u.rowId()), u);
        }
        List<RowChange> out = new ArrayList<>(first.size());
        for (Transaction.Undo u : first.values()) {
            Table table = u.table();
            // t's first change found the row's committed version (t has held its lock since)
            Version before = u.freshSlot() ? null : Version.latestCommitted(Version.of(u.previousSlot()));
            Version now = Version.of(table.store().slot(u.rowId()));
            byte[] was = before == null ? null : before.image;
            byte[] is = now == null || now.isCommitted() ? null : now.image;
            if (was == null && is == null) continue;
            out.add(new RowChange(table, was == null ? null : table.codec().decode(was), is == null ? null : table.codec().decode(is)));
        }
        return out;
    }

    /**
     * Commits {@code t}: its changes are visible to statements that start after this returns.
     * The stage completes when the commit is durable: at once for a non-durable commit (its log
     * records are in the log buffer, on disk within the flusher's window), after the sync that
     * covers its COMMIT record for a durable one. For a read-only transaction a durable commit
     * waits for every earlier commit to be durable (ttDurableCommit). If the log refuses the
     * batch (disk full), the transaction is rolled back, nothing of it was visible, and the
     * refusal is thrown.
     */
    public CompletionStage<Void> commit(Transaction t, boolean durable) {
        if (t.state != Transaction.State.ACTIVE) throw ErrorCode.INTERNAL.error("transaction " + t.id() + " is " + t.state);
        boolean hadWrites = !t.undo.isEmpty() || t.catalogChanges != null;
        TransactionLog lg = log;
        long endLsn = -1;
        if (hadWrites) {
            // Everything that does not need the commit order is done before taking the commit
            // lock: log records built and checksummed, stale index entries found. Under the lock:
            // the timestamp, the append (a copy), the stamping, the publication.
            LogBatch entries;
            List<Finish> finishes;
            try {
                boolean logged = lg != null && logs(t);
                long bytes = chargeCommit(t, logged);
                entries = logged ? logEntries(t, bytes).commit(t.id(), System.currentTimeMillis()) : null;
                finishes = finishes(t);
            } catch (RuntimeException | Error e) {
                // TT0802 (a transaction too large for TempSize), or the heap gone: nothing of it is
                // in the log or visible yet, so it is undone whole and its locks released.
                dropLargeBatch();
                rollback(t);
                throw HourglassException.of(e, "the transaction");
            }
            HourglassException refused = null;
            synchronized (commitLock) {
                long ts = lastCommitTs + 1;
                if (entries != null) {
                    try {
                        endLsn = lg.append(entries); // log order = commit order
                        // (before it is visible: a dynamic load that misses a row this commit
                        // deleted knows the backend may still have it)
                        if (t.wroteBehind && t.writeBehindLogged != null) t.writeBehindLogged.accept(endLsn);
                    } catch (HourglassException e) {
                        refused = e; // nothing of the batch was appended
                    } catch (RuntimeException | Error e) {
                        throw broken(e); // whether the batch is in the log cannot be told
                    }
                }
                if (refused == null) {
                    try {
                        for (Finish f : finishes) {
                            f.head().markCommitted(ts);
                            f.table().store().markChanged(f.rowId());
                            // Once every snapshot sees this version, the collector turns it into a
                            // bare image (or frees the slot of a deletion) and drops stale entries.
                            garbage.add(new Garbage(ts, f.table(), f.rowId(), f.stale()));
                        }
                    } catch (RuntimeException | Error e) {
                        throw broken(e); // the commit is in the log but only partly in memory
                    }
                    lastCommitTs = ts; // publish: from here on new statements see the whole transaction
                }
            }
            dropLargeBatch();
            if (refused != null) {
                rollback(t);
                throw refused;
            }
        }
        t.state = Transaction.State.COMMITTED;
        if (t.rewrote) releaseReplaced(t);
        end(t);
        commits.increment();
        if (hadWrites) collectAfterCommit(t.undo.size()); // a read-only commit creates no garbage
        if (!durable || lg == null) return CompletableFuture.completedFuture(null);
        durableCommits.increment();
        return lg.whenDurable(endLsn >= 0 ? endLsn : lg.appendedLsn()); // (nothing logged: as ttDurableCommit)
    }

    /**
     * A row {@code t} changed more than once keeps only its last version: each change replaced
     * the transaction's own version before it (cut out of the chain, never committed, kept only
     * by the undo for a rollback). What those held (in PermSize, or TempSize: see {@link
     * #account}) is given back once the commit is certain; a rollback gives it back through the
     * undo. (It was never given back: every row
     * inserted then updated or deleted in one transaction, or updated twice, kept its earlier
     * images' bytes in use for good, until PermSize filled up.)
     */
    private void releaseReplaced(Transaction t) {
        for (Transaction.Undo u : t.undo) {
            if (u.previousSlot() instanceof Version own && !own.isCommitted()) {
                account(u.table()).release((own.image == null ? 0 : own.image.length) + MemoryAccount.VERSION_OVERHEAD);
            }
        }
    }

    /**
     * A commit failed after its log records may have reached the log: memory and log may no
     * longer agree, and no later state can be trusted. The database invalidates itself (TT0994).
     */
    private HourglassException broken(Throwable cause) {
        HourglassException e = ErrorCode.CONNECTION_TERMINATED.error();
        e.initCause(cause);
        onBroken.accept(e);
        return e;
    }

    /** A stage that completes when every commit so far is durable (ttDurableCommit outside a transaction). */
    public CompletionStage<Void> flushDurably() {
        TransactionLog lg = log;
        return lg == null ? CompletableFuture.completedFuture(null) : lg.whenDurable(lg.appendedLsn());
    }

    /** Each committing thread reuses one batch buffer. */
    private static final ThreadLocal<LogBatch> BATCH = ThreadLocal.withInitial(LogBatch::new);

    /** A large transaction's buffer is not kept for the thread's next commit (it was counted in TempSize only while it committed). */
    private static void dropLargeBatch() {
        if (BATCH.get().capacity() > BATCH_KEPT) BATCH.remove();
    }

    /** About the bytes of {@code t}'s commit records: each changed row's (and its BEFORE record's), and the COMMIT's. */
    private static long recordBytes(Transaction t) {
        long bytes = LogBatch.rowRecordBytes(8); // the COMMIT record, about
        if (t.catalogChanges != null) for (CatalogChange c : t.catalogChanges) bytes += LogBatch.ddlRecordBytes(c);
        for (Transaction.Undo u : t.undo) {
            if (u.table().definition() != null) continue; // (a GLOBAL TEMPORARY table's rows: not logged)
            if (u.table().store().slot(u.rowId()) instanceof Version head && !head.isCommitted()) {
                bytes += LogBatch.rowRecordBytes(head.image == null ? -1 : head.image.length);
                if (t.writeBehind != null && t.writeBehind.test(u.table())) {
                    Version before = Version.latestCommitted(head.prev());
                    bytes += LogBatch.beforeRecordBytes(before == null || before.image == null ? -1 : before.image.length);
                }
            }
        }
        return bytes;
    }

    /**
     * Charges now the TempSize that {@code t}'s commit will charge (its rows' finish, and its log
     * records, counted twice), which the commit then does not charge again: a commit that does
     * not fit fails here (TT0802), before something outside the engine (a write-through to the
     * backend) has happened. For the moment just before the commit, with no statement between.
     */
    public void reserveCommit(Transaction t) {
        if (!t.commitReserved && !t.undo.isEmpty()) chargeCommit(t, log != null && logs(t));
    }

    /**
     * Whether {@code t}'s commit has something to log: a catalog change, or a row of a table
     * that is not a session's instance of a GLOBAL TEMPORARY table (whose rows are never logged).
     */
    private static boolean logs(Transaction t) {
        if (t.catalogChanges != null) return true;
        for (Transaction.Undo u : t.undo) if (u.table().definition() == null) return true;
        return false;
    }

    /**
     * Charges the TempSize of {@code t}'s commit unless {@link #reserveCommit} already did: its
     * rows' finish and, if {@code logged}, its log records counted twice (the batch, and its copy
     * in the log buffer until the flusher has written it). Returns the records' bytes (0 if not logged).
     */
    private long chargeCommit(Transaction t, boolean logged) {
        long bytes = logged ? recordBytes(t) : 0;
        if (!t.commitReserved) {
            holdTemp(t, t.undo.size() * (t.rewrote ? COMMIT_ROW_MERGED : COMMIT_ROW));
            if (logged) holdTemp(t, 2 * bytes + 4L * t.undo.size());
            t.commitReserved = true;
        }
        return bytes;
    }

    /**
     * The commit's log records: each row it changed, once, with its final image ({@code bytes}
     * of them, charged to TempSize by {@link #chargeCommit} before they are built).
     */
    private LogBatch logEntries(Transaction t, long bytes) {
        int ddl = t.catalogChanges == null ? 0 : t.catalogChanges.size();
        LogBatch out = BATCH.get().clear().reserve(bytes, (t.writeBehind == null ? 1 : 2) * t.undo.size() + ddl + 1);
        for (int i = 0; i < ddl; i++) out.ddl(t.id(), t.catalogChanges.get(i)); // first: replay makes the table, then its rows
        java.util.Set<LockManager.RowLock> seen = t.rewrote ? new java.util.HashSet<>() : null;
        for (Transaction.Undo u : t.undo) {
            if (u.table().definition() != null) continue; // (a GLOBAL TEMPORARY table's rows: not logged)
            if (seen != null && !seen.add(new LockManager.RowLock(u.table().id(), u.rowId()))) continue;
            if (!(u.table().store().slot(u.rowId()) instanceof Version head) || head.isCommitted()) continue;
            boolean existedBefore = head.prev() != null;
            if (t.writeBehind != null && t.writeBehind.test(u.table())) {
                Version before = Version.latestCommitted(head.prev());
                byte[] was = before == null ? null : before.image;
                if (was != null || head.image != null) {
                    out.rowBefore(t.id(), u.table().id(), u.rowId(), was);
                    t.wroteBehind = true;
                }
            }
            if (head.image == null) {
                if (existedBefore) out.rowDelete(t.id(), u.table().id(), u.rowId());
            } else {
                out.rowImage(t.id(), !existedBefore, u.table().id(), u.rowId(), head.image);
            }
        }
        return out;
    }

    /**
     * Logs {@code change}, which the caller has applied, at the head of {@code t}'s commit batch
     * instead of on its own: recovery and the archive then see it with the transaction's rows, or,
     * if the transaction does not commit, not at all (CREATE TABLE ... AS SELECT). If {@code t}
     * rolls back (its commit refused too), {@code undo} takes the change back, after its rows and
     * before its locks go: a writer waiting for a table the change made must not get it, as its
     * commit would log rows of a table the log never made. The change is exactly as durable as
     * {@code t}'s commit: a caller that promises DDL durability waits for that (flushDurably
     * after a non-durable commit). The caller holds the catalog's DDL lock until {@code t} ends,
     * so no checkpoint starts in between.
     */
    public void logWithCommit(Transaction t, CatalogChange change, Runnable undo) {
        if (t.state != Transaction.State.ACTIVE) throw ErrorCode.INTERNAL.error("transaction " + t.id() + " is " + t.state);
        if (t.catalogChanges == null) t.catalogChanges = new ArrayList<>();
        t.catalogChanges.add(change);
        Runnable earlier = t.catalogUndo;
        t.catalogUndo = earlier == null ? undo : () -> {
            undo.run();
            earlier.run();
        };
    }

    /**
     * Logs a catalog change as its own committed batch and returns once it is durable: a DDL
     * statement that returned survives a crash. The caller applies the change after this, under
     * the catalog's DDL lock, so every later commit that depends on it comes after it in the log.
     */
    public void logCatalogChange(CatalogChange change) { logCatalogChanges(List.of(change)); }

    /**
     * Logs {@code changes} as one transaction, durably: recovery applies all of them or none
     * (a user's CREATE SESSION and its ACCOUNT LOCK, say, never one without the other).
     */
    public void logCatalogChanges(List<CatalogChange> changes) {
        TransactionLog lg = log;
        if (lg == null) return;
        long end;
        synchronized (commitLock) {
            long id = txnIds.incrementAndGet();
            long ts = lastCommitTs + 1;
            LogBatch batch = new LogBatch();
            for (CatalogChange c : changes) batch.ddl(id, c);
            end = lg.append(batch.commit(id, System.currentTimeMillis()));
            lastCommitTs = ts;
        }
        try {
            lg.whenDurable(end).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof HourglassException he ? he : ErrorCode.INTERNAL.error(String.valueOf(e.getCause()));
        }
    }

    /** One row a commit finishes: its uncommitted head, and index entries that become stale. */
    private record Finish(Table table, long rowId, Version head, List<Transaction.IndexEntry> stale) {}

    /**
     * For each row the transaction changed, once: its head and the index entries the committed
     * version no longer carries (the old version's keys, and keys this transaction added and
     * then changed again). Needs no lock: only the committer touches its own versions.
     */
    private static List<Finish> finishes(Transaction t) {
        if (!t.rewrote) {
            // Each row has one undo entry (the usual case, and every bulk statement's): no merging.
            if (t.undo.size() == 1) {
                Finish f = finish(t.undo.getFirst());
                return f == null ? List.of() : List.of(f);
            }
            List<Finish> out = new ArrayList<>(t.undo.size());
            for (Transaction.Undo u : t.undo) {
                Finish f = finish(u);
                if (f != null) out.add(f);
            }
            return out;
        }
        Map<LockManager.RowLock, Transaction.Undo> first = new LinkedHashMap<>();
        Map<LockManager.RowLock, List<Transaction.IndexEntry>> added = new LinkedHashMap<>();
        for (Transaction.Undo u : t.undo) {
            LockManager.RowLock k = new LockManager.RowLock(u.table().id(), u.rowId());
            first.putIfAbsent(k, u);
            added.computeIfAbsent(k, x -> new ArrayList<>()).addAll(u.addedEntries());
        }
        List<Finish> out = new ArrayList<>(first.size());
        for (Map.Entry<LockManager.RowLock, Transaction.Undo> e : first.entrySet()) {
            Finish f = finish(e.getValue().table(), e.getValue().rowId(), added.get(e.getKey()));
            if (f != null) out.add(f);
        }
        return out;
    }

    /** The finish of a row that has only the undo entry {@code u}. */
    private static Finish finish(Transaction.Undo u) {
        if (u.freshSlot()) {
            // An insert not changed since: every entry it added carries the final image's key, none is stale.
            return u.table().store().slot(u.rowId()) instanceof Version head && !head.isCommitted()
                    ? new Finish(u.table(), u.rowId(), head, List.of()) : null;
        }
        return finish(u.table(), u.rowId(), u.addedEntries());
    }

    private static Finish finish(Table table, long rowId, List<Transaction.IndexEntry> addedByTxn) {
        if (!(table.store().slot(rowId) instanceof Version head) || head.isCommitted()) return null;
        Version base = head.prev();
        boolean[] keyColumns = keyColumns(table, table.indexes()); // only the index keys are compared: no other value is decoded
        Object[] newRow = head.image == null ? null : table.codec().decode(head.image, keyColumns);
        List<Transaction.IndexEntry> candidates = new ArrayList<>(addedByTxn);
        if (base != null && base.image != null) {
            Object[] oldRow = table.codec().decode(base.image, keyColumns);
            for (IndexDef ix : table.indexes()) candidates.add(new Transaction.IndexEntry(ix, ix.keyOf(oldRow)));
        }
        List<Transaction.IndexEntry> stale = List.of(); // the usual UPDATE leaves none
        for (Transaction.IndexEntry e : candidates) {
            if ((newRow == null || !e.key().equals(e.index().keyOf(newRow))) && !stale.contains(e)) {
                if (stale.isEmpty()) stale = new ArrayList<>(2);
                stale.add(e);
            }
        }
        return new Finish(table, rowId, head, stale);
    }

    /** Undoes every change of {@code t} and ends it. */
    public void rollback(Transaction t) {
        if (t.state != Transaction.State.ACTIVE) return;
        rollbackTo(t, 0);
        t.state = Transaction.State.ROLLED_BACK;
        try {
            if (t.catalogUndo != null) t.catalogUndo.run(); // (see logWithCommit)
        } finally {
            end(t);
            rollbacks.increment();
        }
    }

    /** Undoes the changes made after {@code savepoint}; the transaction stays active. */
    public void rollbackTo(Transaction t, int savepoint) {
        long undone = 0;
        for (int i = t.undo.size() - 1; i >= savepoint; i--) undone += undo(t, t.undo.remove(i));
        if (t.temp != null) t.temp.release(undone);
    }

    /**
     * Undoes the changes of {@code t} to the tables {@code which} accepts, newest first; the
     * transaction stays active with its other changes. For tables no other transaction writes
     * (a session's instances of ON COMMIT DELETE ROWS tables, emptied as its commit begins).
     */
    public void discard(Transaction t, java.util.function.Predicate<Table> which) {
        long undone = 0;
        boolean any = false;
        for (int i = t.undo.size() - 1; i >= 0; i--) {
            Transaction.Undo u = t.undo.get(i);
            if (!which.test(u.table())) continue;
            undone += undo(t, u);
            any = true;
        }
        if (!any) return;
        t.undo.removeIf(u -> which.test(u.table()));
        if (t.temp != null) t.temp.release(undone);
    }

    /** Undoes one change (taken out of the undo list by the caller); returns the TempSize it held. */
    private long undo(Transaction t, Transaction.Undo u) {
        RowStore store = u.table().store();
        store.setHead(u.rowId(), u.previousSlot());
        for (Transaction.IndexEntry e : u.addedEntries()) removeIfUnused(u.table(), u.rowId(), e);
        // The slot's row lock stays held until the transaction ends; free it only then, so
        // no other inserter gets a slot it would have to wait for.
        if (u.freshSlot()) t.freedSlots.add(new Transaction.Slot(u.table(), u.rowId()));
        account(u.table()).release(u.bytes());
        return UNDO_ENTRY + u.addedEntries().size() * UNDO_INDEX_ENTRY;
    }

    private void end(Transaction t) {
        locks.ending(t); // from here on no implicit lock of t is made explicit
        if (t.inGate) {
            t.inGate = false;
            gate.exit();
        }
        locks.releaseAll(t);
        for (Transaction.Slot s : t.freedSlots) s.table().store().release(s.rowId());
        t.freedSlots.clear();
        if (t.temp != null) {
            t.temp.close();
            t.temp = null;
        }
    }

    /** The columns of {@code table} that one of {@code indexes} keys on. */
    private static boolean[] keyColumns(Table table, List<IndexDef> indexes) {
        boolean[] k = new boolean[table.codec().columnCount()];
        for (IndexDef ix : indexes) for (int c : ix.columns()) k[c] = true;
        return k;
    }

    /**
     * Removes an index entry unless some version still in the row's chain carries the key, the
     * two as one step against a writer putting such a version there meanwhile (see {@link
     * io.hourglass.engine.store.Index#removeUnless}; writers install a version before its entries).
     */
    private static void removeIfUnused(Table table, long rowId, Transaction.IndexEntry e) {
        e.index().index().removeUnless(e.key(), rowId, () -> carries(table, rowId, e));
    }

    /** Whether a version in the row's chain carries {@code e}'s key. */
    private static boolean carries(Table table, long rowId, Transaction.IndexEntry e) {
        boolean[] keyColumns = null;
        for (Version v = table.store().head(rowId); v != null; v = v.prev()) {
            if (v.image == null) continue;
            if (keyColumns == null) keyColumns = keyColumns(table, List.of(e.index()));
            if (e.index().index().sameEntry(e.index().keyOf(table.codec().decode(v.image, keyColumns)), e.key())) return true;
        }
        return false;
    }

    // ---- garbage ------------------------------------------------------------------------------

    /** Drops versions, index entries and tombstones that no snapshot can reach any more. */
    public void collectGarbage() { collectUpTo(oldestSnapshot(), Long.MAX_VALUE); }

    /**
     * The collection a commit does. Scanning every connection's slot costs a cache miss per
     * connection, too much for every commit of many connections; but snapshots only move forward
     * (a new one is the newest commit at its start, see {@link #openSnapshot}), so the oldest a
     * scan found stays a lower bound of every snapshot from then on. A commit collects up to that
     * bound and scans again only once a quarter as many entries as there are connections wait:
     * the scan's cost per commit stays constant, and what waits is bounded by the connections.
     */
    private void collectAfterCommit(int rowsChanged) {
        boolean scan;
        synchronized (commitLock) {
            if (garbage.isEmpty()) return;
            scan = garbage.peek().ts() > knownOldest && garbage.size() >= Math.max(1, slots.size() / 4);
        }
        // About as much as the commit made, and a batch more: a small commit does not collect
        // what a large one left (the large one does, after its own commit), yet garbage that
        // waited for an old snapshot still drains faster than commits add to it.
        collectUpTo(scan ? oldestSnapshot() : Long.MIN_VALUE, (long) rowsChanged + COLLECT_BATCH);
    }

    /**
     * Collects, up to {@code atMost} entries, what every snapshot at or past {@code oldestSnapshot} no longer needs, in batches
     * of {@link #COLLECT_BATCH} entries under the commit lock, which other commits may take
     * between batches: after a commit of half a million rows, collecting its garbage at once
     * held every other commit for 100 to 300 ms. (An entry collected a batch later is collected
     * as if the collection had come later, which is always safe: snapshots only move forward.)
     */
    private void collectUpTo(long oldestSnapshot, long atMost) {
        long done = 0;
        while (done < atMost) {
            synchronized (commitLock) {
                long oldest = knownOldest = Math.max(knownOldest, oldestSnapshot);
                Garbage g;
                int n = 0;
                while (n < COLLECT_BATCH && done + n < atMost && (g = garbage.peek()) != null && g.ts() <= oldest) {
                    garbage.poll();
                    collect(g, oldest);
                    n++;
                }
                if (n < COLLECT_BATCH) return;
                done += n;
            }
        }
    }

    /** Garbage entries collected per hold of the commit lock. */
    static final int COLLECT_BATCH = 1024;

    /**
     * Takes a dropped table out of the collector's hands and returns the PermSize its row
     * versions and index entries hold, for the dropper to give back once: from here on the
     * collector gives back nothing of it (it did so for the garbage an open snapshot had held
     * back, a second time). Call once the table is out of the catalog and no one writes it.
     */
    public long retire(Table table) {
        synchronized (commitLock) {
            table.retire();
        }
        return held(table);
    }

    /** The PermSize {@code table}'s row versions and index entries hold (no one may be writing it). */
    public long held(Table table) { return measure(table).totalBytes(); }

    /**
     * ttComputeTabSizes: the PermSize {@code table}'s row versions and index entries hold now, and
     * its slots, read while others may write it (so as exact as a moment's reading can be).
     */
    public io.hourglass.engine.catalog.TableSizes measure(Table table) {
        long[] n = {0, 0}; // bytes, slots in use
        table.store().forEachHead((id, slot) -> {
            n[1]++;
            for (Version v = Version.of(slot); v != null; v = v.prev()) {
                n[0] += (v.image == null ? 0 : v.image.length) + MemoryAccount.VERSION_OVERHEAD;
            }
            return true;
        });
        long index = 0;
        for (IndexDef ix : table.indexes()) index += ix.index().entryCount() * MemoryAccount.INDEX_ENTRY_OVERHEAD;
        long slots = (long) table.store().blocks().length * io.hourglass.engine.store.Block.SLOTS;
        return new io.hourglass.engine.catalog.TableSizes(n[0], n[1], Math.max(0, slots - n[1]), index, java.time.LocalDateTime.now());
    }

    /** As {@link #retire(Table)} for a dropped index (out of its table's list): the PermSize its entries hold. */
    public long retire(IndexDef ix) {
        synchronized (commitLock) {
            ix.retire();
        }
        return ix.index().entryCount() * MemoryAccount.INDEX_ENTRY_OVERHEAD;
    }

    private void collect(Garbage g, long oldest) {
        if (g.table().retired()) return; // given back whole by its DROP (see retire)
        RowStore store = g.table().store();
        Object slot = store.slot(g.rowId());
        if (slot instanceof Version head) {
            // Keep the newest version every snapshot may need; cut everything behind it.
            for (Version v = head; v != null; v = v.prev()) {
                if (v.isCommitted() && v.commitTs() <= oldest) {
                    Version cut = v.prev();
                    v.cutPrev();
                    for (Version c = cut; c != null; c = c.prev()) {
                        account(g.table()).release((c.image == null ? 0 : c.image.length) + MemoryAccount.VERSION_OVERHEAD);
                    }
                    break;
                }
            }
        }
        for (Transaction.IndexEntry e : g.staleEntries()) {
            if (e.index().retired()) continue;
            removeIfUnused(g.table(), g.rowId(), e);
            account(g.table()).release(MemoryAccount.INDEX_ENTRY_OVERHEAD);
        }
        // A lone committed version every snapshot sees: keep just its image, or free the slot of
        // a deletion. Compare-and-set, so a writer that replaced the head meanwhile wins. A
        // deletion's slot is freed by the deletion's own entry, whose stale index entries are
        // out by now: freed by an older change's entry (collected in the same pass, the deletion
        // being as old), a new row could take the slot while the deletion's entries still named
        // it, and their removal race the new row's entries under the same keys.
        if (store.slot(g.rowId()) instanceof Version head && head.isCommitted() && head.commitTs() <= oldest
                && head.prev() == null) {
            if (head.image != null) {
                store.replaceIf(g.rowId(), head, head.image);
            } else if (head.commitTs() == g.ts() && !locks.isLocked(new LockManager.RowLock(g.table().id(), g.rowId()))
                    && store.releaseIf(g.rowId(), head)) {
                account(g.table()).release(MemoryAccount.VERSION_OVERHEAD);
            }
        }
    }

    /** Garbage entries waiting for old snapshots to finish (diagnostics). */
    public int pendingGarbage() {
        synchronized (commitLock) {
            return garbage.size();
        }
    }
}
