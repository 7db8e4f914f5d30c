package io.hourglass.engine.checkpoint;

import io.hourglass.engine.ErrorCode;

/**
 * The one slot a database's checkpoint or backup occupies while it runs. A checkpoint started
 * while the slot is taken fails with TT0625, naming what holds it (REFERENCE.md wording); a
 * backup waits for the slot instead.
 */
public final class Activities {
    private static final long PID = ProcessHandle.current().pid();

    private final String database;
    private Ticket running; // guarded by this

    public Activities(String database) { this.database = database; }

    /** A taken slot; closing it frees the slot. */
    public final class Ticket implements AutoCloseable {
        final String kind;
        final long connectionId;

        private Ticket(String kind, long connectionId) {
            this.kind = kind;
            this.connectionId = connectionId;
        }

        @Override
        public void close() {
            synchronized (Activities.this) {
                if (running == this) running = null;
                Activities.this.notifyAll();
            }
        }
    }

    /** Takes the slot for {@code kind} ("Checkpoint", "Backup"), or fails with TT0625 naming its holder. */
    public synchronized Ticket tryBegin(String kind, long connectionId) {
        if (running != null) throw ErrorCode.CHECKPOINT_CONFLICT.error(running.kind, running.connectionId, PID, database);
        running = new Ticket(kind, connectionId);
        return running;
    }

    /** Takes the slot for {@code kind}, waiting while another activity holds it. */
    public synchronized Ticket awaitBegin(String kind, long connectionId) throws InterruptedException {
        while (running != null) wait();
        running = new Ticket(kind, connectionId);
        return running;
    }

    /** What holds the slot now ("Checkpoint", "Backup"), or null. */
    public synchronized String running() { return running == null ? null : running.kind; }
}
