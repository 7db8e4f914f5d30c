package io.hourglass.engine.txn;

import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.TempSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * A transaction: its locks and its undo list. Used by one connection at a time; the lock
 * manager reads {@link #waitingFor} under its own monitor, and other transactions add to
 * {@link #heldForIt} (implicit row locks made explicit) only under this object's monitor.
 */
public final class Transaction {
    public enum State { ACTIVE, COMMITTED, ROLLED_BACK }

    /** One change to one row: enough to undo it and to finish it at commit. */
    record Undo(Table table, long rowId, Object previousSlot, boolean freshSlot, List<IndexEntry> addedEntries, long bytes) {}

    record IndexEntry(IndexDef index, Key key) {}

    record Slot(Table table, long rowId) {}

    /** The connection's slot, where fast-path intention locks are recorded; null: none. */
    final SnapshotSlot slot;
    /** Tables on which this transaction asked for S, SIX or X (counted in the lock manager); null: none. */
    java.util.Set<Long> strongTables;
    /** Tables this transaction holds a lock on in the lock table (its own grants); null: none. */
    List<Long> slowTables;
    /** Tables whose fast-path intention a strong request moved to the lock table; null: none. Guarded by {@link #slot}'s monitor. */
    List<Long> movedTables;
    private final long id;
    private final Isolation isolation;
    final long lockTimeoutNanos;
    final List<LockManager.Resource> locks = new ArrayList<>();
    /** Implicit locks of this transaction that others made explicit; guarded by this object's monitor. */
    final List<LockManager.Resource> heldForIt = new ArrayList<>();
    final List<Undo> undo = new ArrayList<>();
    final List<Slot> freedSlots = new ArrayList<>();
    volatile LockManager.Resource waitingFor;
    volatile LockMode waitingMode;
    /** What it holds in TempSize (row locks, undo entries, its commit's records); null until it writes. */
    TempSpace.Budget temp;
    /** Whether some row has more than one undo entry (changed twice): the commit must then merge them. */
    boolean rewrote;
    /** Whether the commit's TempSize was charged ahead of it (TransactionManager.reserveCommit). */
    boolean commitReserved;
    /** The tables whose changes its commit logs with BEFORE records (ASYNCHRONOUS WRITETHROUGH), or null. */
    java.util.function.Predicate<io.hourglass.engine.catalog.Table> writeBehind;
    /** Told where its commit ends once it logged BEFORE records, before the commit is visible. */
    java.util.function.LongConsumer writeBehindLogged;
    /** Whether its commit logs BEFORE records. */
    boolean wroteBehind;
    /**
     * Catalog changes its commit logs first, in its own batch (CREATE TABLE ... AS SELECT: the
     * table and its rows are in the log together or not at all); applied already. Null if none.
     */
    List<io.hourglass.engine.catalog.CatalogChange> catalogChanges;
    /** Takes those changes back if it rolls back (before its locks go); null if none. */
    Runnable catalogUndo;
    /**
     * While a statement runs: the unique keys it found taken by another row, to be judged again at
     * its end (the other row may lose the key later in the statement, as in {@code SET id = id + 1});
     * null outside a statement, where a duplicate fails at once.
     */
    List<TransactionManager.PendingUnique> uniqueChecks;
    State state = State.ACTIVE;
    boolean inGate; // passed the write gate; leaves it when it ends
    boolean ending; // set under this object's monitor when it ends: see LockManager.holdFor

    Transaction(long id, SnapshotSlot slot, Isolation isolation, long lockTimeoutNanos) {
        this.id = id;
        this.slot = slot;
        this.isolation = isolation;
        this.lockTimeoutNanos = lockTimeoutNanos;
    }

    public long id() { return id; }

    public Isolation isolation() { return isolation; }

    public State state() { return state; }

    public boolean hasWrites() { return !undo.isEmpty(); }

    /** A point to roll back to if the current statement fails (statement-level atomicity). */
    public int savepoint() { return undo.size(); }

    /**
     * Its commit logs, for each row it changed in a table {@code tables} accepts, the row's image
     * before it (a BEFORE record), which the write-behind to a backend needs to find the row
     * there. Set before the commit (and before {@link TransactionManager#reserveCommit}). If it
     * does, {@code logged} is told where the commit ends in the log, once it is there and before
     * any statement can see it (under the commit lock: it must be quick).
     */
    public void writeBehind(java.util.function.Predicate<io.hourglass.engine.catalog.Table> tables, java.util.function.LongConsumer logged) {
        this.writeBehind = tables;
        this.writeBehindLogged = logged;
    }

}
