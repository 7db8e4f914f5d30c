package io.hourglass.engine.lifecycle;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Aging;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Time-based aging, TimesTen's aging thread: it wakes every second and ages each table whose
 * policy is ON once its cycle has come round since the last aging (at once for a table it has
 * not aged yet in this image, so a reload does not wait a whole cycle), and each table
 * ttAgingScheduleNow named, ON or OFF (whose cycle then starts again from that aging).
 *
 * <p>A table is aged by ordinary DELETE statements on a connection of the instance
 * administrator, each of at most {@link #BATCH} rows and committed on its own (so the locks,
 * undo and log of a large backlog stay small and users' transactions interleave): the rows whose
 * timestamp column is older than now minus the lifetime. They are logged, checkpointed, recovered
 * and archived as any DELETE, each batch committed without waiting for the disk (whatever
 * DurableCommits says): a crash may lose the last batches, never part of one, and the first aging
 * after recovery deletes those rows again. A foreign key ON DELETE CASCADE (or SET NULL) takes its child rows
 * with them. A parent row that a child still references through a foreign key without CASCADE is
 * left until that child is gone (TimesTen deletes the children too; Hourglass deletes only what a
 * DELETE of the parent may). An aging that fails (a lock wait past LockWait, TT0702 at the
 * Connections limit) is logged and tried again at the next cycle: what it committed stays.
 */
final class AgingAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AgingAgent.class.getName());

    /** The most rows one aging DELETE takes, and commits. */
    static final int BATCH = 1024;

    private final String dsn;
    private final Catalog catalog;
    private final Supplier<Connection> connector;
    /** When each table was last aged (System.nanoTime), by qualified name; the agent's thread only. */
    private final Map<String, Long> lastAged = new HashMap<>();
    /** Tables ttAgingScheduleNow asked for, by qualified name. */
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final AtomicLong agedRows = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /** @param connector opens a connection of the instance administrator */
    AgingAgent(String dsn, Catalog catalog, Supplier<Connection> connector) {
        this.dsn = dsn;
        this.catalog = catalog;
        this.connector = connector;
        this.thread = Thread.ofPlatform().daemon().name("hourglass-aging-" + dsn).start(this::loop);
    }

    /** ttAgingScheduleNow: ages {@code t} (ON or OFF) at the agent's next wake, within a second. */
    void scheduleNow(Table t) {
        requested.add(t.qualifiedName());
        synchronized (this) {
            notifyAll();
        }
    }

    /** Rows aging deleted since the load. */
    long agedRows() { return agedRows.get(); }

    private void loop() {
        while (!closed) {
            try {
                Set<String> live = new HashSet<>();
                for (Table t : catalog.tables()) {
                    Aging a = t.aging();
                    if (closed || a == null) continue;
                    String name = t.qualifiedName();
                    live.add(name);
                    Long last = lastAged.get(name);
                    long now = System.nanoTime();
                    boolean due = a.on() && (last == null || now - last >= TimeUnit.MILLISECONDS.toNanos(a.cycleMillis()));
                    if (requested.remove(name) || due) {
                        lastAged.put(name, now);
                        age(t, a);
                    }
                }
                lastAged.keySet().retainAll(live); // dropped, renamed, or aging dropped: forget it
                synchronized (this) {
                    if (requested.isEmpty() && !closed) wait(1000);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "aging of " + dsn + " failed; it goes on at its next wake", e);
            }
        }
    }

    /** Deletes {@code t}'s rows older than {@code a}'s lifetime, a batch per transaction. */
    private void age(Table t, Aging a) {
        int p = t.columnIndex(a.column());
        if (p < 0) return; // (DDL keeps the column while the policy names it)
        LocalDateTime cutoff = LocalDateTime.now().minus(Duration.ofMillis(a.lifetimeMillis()));
        // A DATE holds whole seconds: a cutoff rounded down never takes a row younger than its lifetime.
        if (t.columns().get(p).type().kind() == TypeKind.DATE) cutoff = cutoff.truncatedTo(ChronoUnit.SECONDS);
        String sql = deleteSql(t, a);
        long total = 0;
        try (Connection c = connector.get()) {
            long n;
            do {
                n = c.execute(sql, cutoff).updateCount();
                total += n;
                agedRows.addAndGet(n);
            } while (n == BATCH && !closed);
        } catch (HourglassException e) {
            LOG.warning("TT" + e.number() + ": aging of " + t.qualifiedName() + " in " + dsn + " stopped after " + total
                    + " row(s) and goes on at its next cycle: " + e.getMessage());
            return;
        }
        if (total > 0) LOG.fine(() -> "aging deleted rows of " + t.qualifiedName() + " in " + dsn);
    }

    /**
     * {@code DELETE FROM t WHERE ts < ? AND ROWNUM <= BATCH}, and for each foreign key that
     * references t without CASCADE or SET NULL, {@code AND NOT EXISTS} a child row of it.
     */
    static String deleteSql(Table t, Aging a) {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(quote(t.owner())).append('.').append(quote(t.name()))
                .append(" aged WHERE aged.").append(quote(a.column())).append(" < ?");
        int n = 0;
        for (ForeignKey fk : t.referencedBy()) {
            if (fk.onDelete() != ForeignKey.OnDelete.NO_ACTION) continue;
            String child = "child" + n++;
            sql.append(" AND NOT EXISTS (SELECT 1 FROM ").append(quote(fk.child().owner())).append('.').append(quote(fk.child().name()))
                    .append(' ').append(child).append(" WHERE ");
            for (int i = 0; i < fk.childColumns().length; i++) {
                if (i > 0) sql.append(" AND ");
                sql.append(child).append('.').append(quote(fk.child().columns().get(fk.childColumns()[i]).name())).append(" = aged.")
                        .append(quote(t.columns().get(fk.parentColumns()[i]).name()));
            }
            sql.append(')');
        }
        return sql.append(" AND ROWNUM <= ").append(BATCH).toString();
    }

    private static String quote(String name) { return '"' + name + '"'; }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
