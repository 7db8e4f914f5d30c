package io.hourglass.engine.txn;

import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.store.Key;

import java.util.ArrayList;
import java.util.List;

/**
 * A transaction: its locks and its undo list. Used by one connection at a time; the lock
 * manager reads {@link #waitingFor} under its own monitor.
 */
public final class Transaction {
    public enum State { ACTIVE, COMMITTED, ROLLED_BACK }

    /** One change to one row: enough to undo it and to finish it at commit. */
    record Undo(Table table, long rowId, Object previousSlot, boolean freshSlot, List<IndexEntry> addedEntries, long bytes) {}

    record IndexEntry(IndexDef index, Key key) {}

    record Slot(Table table, long rowId) {}

    private final long id;
    private final Isolation isolation;
    final long lockTimeoutNanos;
    final List<LockManager.Resource> locks = new ArrayList<>();
    final List<Undo> undo = new ArrayList<>();
    final List<Slot> freedSlots = new ArrayList<>();
    volatile LockManager.Resource waitingFor;
    volatile LockMode waitingMode;
    State state = State.ACTIVE;
    boolean inGate; // passed the write gate; leaves it when it ends

    Transaction(long id, Isolation isolation, long lockTimeoutNanos) {
        this.id = id;
        this.isolation = isolation;
        this.lockTimeoutNanos = lockTimeoutNanos;
    }

    public long id() { return id; }

    public Isolation isolation() { return isolation; }

    public State state() { return state; }

    public boolean hasWrites() { return !undo.isEmpty(); }

    /** A point to roll back to if the current statement fails (statement-level atomicity). */
    public int savepoint() { return undo.size(); }
}
