package io.hourglass.engine.lifecycle;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Aging;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.RowStore;
import io.hourglass.engine.store.Version;
import io.hourglass.engine.txn.TransactionManager;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TimesTen's aging thread. Time-based aging: it wakes every second and ages each table whose
 * policy is ON once its cycle has come round since the last aging (at once for a table it has
 * not aged yet in this image, so a reload does not wait a whole cycle), and each table
 * ttAgingScheduleNow named, ON or OFF (whose cycle then starts again from that aging).
 * LRU aging: see {@link #lruCycle}.
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
    private final TransactionManager transactions;
    private final Supplier<Connection> connector;
    /** When LRU aging last began a cycle (System.nanoTime). */
    private volatile long lruLast = System.nanoTime();
    /** The usage clock's value when this agent started. */
    private final int lruStart = RowStore.advanceEpoch();
    /** The usage clock's value when this agent's last LRU cycle began (or it started): a row used since has a usage of at least this. */
    private int lruSince = lruStart;
    private final AtomicLong lruCycles = new AtomicLong();
    private final Object lruLock = new Object();
    /**
     * When each table was last aged (System.nanoTime), by qualified name: the start of its cycle.
     * The agent's thread keeps it, but ttAgingTableLRUConfig restarts a table's cycle from its call.
     */
    private final Map<String, Long> lastAged = new ConcurrentHashMap<>();
    /** Tables ttAgingScheduleNow asked for, by qualified name. */
    private final Map<String, Table> requested = new ConcurrentHashMap<>();
    private final AtomicLong agedRows = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param transactions the database's, whose PermSize in use LRU aging watches
     * @param connector    opens a connection of the instance administrator that writes cache tables
     *                     (aging deletes a cache table's rows here only, as UNLOAD does)
     */
    AgingAgent(String dsn, Catalog catalog, TransactionManager transactions, Supplier<Connection> connector) {
        this.dsn = dsn;
        this.catalog = catalog;
        this.transactions = transactions;
        this.connector = connector;
        this.thread = Thread.ofPlatform().daemon().name("hourglass-aging-" + dsn).start(this::loop);
    }

    /** ttAgingScheduleNow: ages {@code t} (ON or OFF) at the agent's next wake, within a second. */
    void scheduleNow(Table t) {
        requested.put(t.qualifiedName(), t);
        synchronized (this) {
            notifyAll();
        }
    }

    /** ttAgingLRUConfig changed the cycle: the next one is a whole new cycle from now. */
    void lruCycleChanged() { lruLast = System.nanoTime(); }

    /** For tests: when the current LRU cycle (PermSize thresholds) began counting (System.nanoTime). */
    long lruCycleFrom() { return lruLast; }

    /** ttAgingTableLRUConfig changed {@code t}'s cycle: its next one is a whole new cycle from now, as for ttAgingLRUConfig. */
    void rowsCycleChanged(Table t) { lastAged.put(t.qualifiedName(), System.nanoTime()); }

    /** For tests: when {@code t}'s current cycle began counting (System.nanoTime), or null before the agent first saw its policy. */
    Long cycleFrom(Table t) { return lastAged.get(t.qualifiedName()); }

    /** Rows aging deleted since the load, time-based and LRU. */
    long agedRows() { return agedRows.get(); }

    /** LRU aging cycles done since the load. */
    long lruCycles() { return lruCycles.get(); }

    private void loop() {
        while (!closed) {
            try {
                Set<String> live = new HashSet<>();
                List<Table> lruAsked = new ArrayList<>();
                for (Table t : catalog.tables()) {
                    Aging a = t.aging();
                    if (closed || a == null) continue;
                    String name = t.qualifiedName();
                    if (a.isLru() && a.rows() == null) {
                        if (requested.remove(name) != null) lruAsked.add(t);
                        continue;
                    }
                    live.add(name);
                    long now = System.nanoTime();
                    // (row thresholds' first cycle comes a whole cycle after the agent first sees them)
                    Long last = a.isLru() ? lastAged.computeIfAbsent(name, n -> now) : lastAged.get(name);
                    long cycleMillis = a.isLru() ? TimeUnit.MINUTES.toMillis(a.rows().cycleMinutes()) : a.cycleMillis();
                    boolean due = a.on() && (last == null || now - last >= TimeUnit.MILLISECONDS.toNanos(cycleMillis));
                    if (requested.remove(name) != null || due) {
                        lastAged.put(name, now);
                        if (a.isLru()) {
                            rowsCycle(t);
                        } else {
                            age(t, a);
                        }
                    }
                }
                lastAged.keySet().retainAll(live); // dropped, renamed, or aging dropped: forget it
                rowsSince.keySet().retainAll(live);
                // A request for a table dropped, or whose policy was dropped, since the call: never
                // to be met (kept, it would keep the agent from sleeping).
                requested.values().removeIf(t -> t.retired() || t.aging() == null);
                long cycle = TimeUnit.MINUTES.toNanos(catalog.lruAgingSettings().cycleMinutes());
                if (!closed && (!lruAsked.isEmpty() || System.nanoTime() - lruLast >= cycle)) {
                    lruLast = System.nanoTime();
                    lruCycle(lruAsked);
                }
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
     * One cycle of LRU aging (TimesTen's usage-based aging), every ttAgingLRUConfig cycle and when
     * ttAgingScheduleNow names a table with LRU aging ({@code asked}, aged even if OFF). It
     * advances the usage clock and keeps the value it began with: a row used since the last cycle
     * began is not aged in this one. Then, if PermSize in use is past the high threshold, the rows not used since,
     * least recently used first across the tables whose policy is ON (and those asked), are
     * deleted until what they take adds up to what brings PermSize in use down to the low
     * threshold. Only rows every snapshot sees as they are (no change pending, no old version
     * kept) are chosen; each goes only if still unused once locked, a locked row is passed over.
     * What a row takes is estimated as the database charges it (image, version and index
     * entries); the space comes back once no snapshot can see the rows.
     */
    void lruCycle(List<Table> asked) {
        synchronized (lruLock) { // (the agent's thread, or a test's; not this object's monitor, which ttAgingScheduleNow takes)
            try {
                lruAge(asked);
            } finally {
                lruCycles.incrementAndGet();
            }
        }
    }

    private void lruAge(List<Table> asked) {
        int bound = lruSince; // a row used since the last cycle began has a usage of at least this: it stays
        lruSince = RowStore.advanceEpoch();
        List<Table> tables = new ArrayList<>();
        for (Table t : catalog.tables()) {
            Aging a = t.aging();
            if (a != null && a.isLru() && a.rows() == null && t.store().tracksUsage() && (a.on() || asked.contains(t))) tables.add(t);
        }
        if (tables.isEmpty()) return;
        CatalogChange.LruAgingSettings s = catalog.lruAgingSettings();
        // (versions every snapshot sees become bare rows, the candidates; deleted ones give their space back)
        transactions.collectGarbage();
        MemoryAccount memory = transactions.memory();
        long used = memory.used(), limit = memory.limit();
        if (used <= s.highUsage() * limit) return;
        ageLeastRecentlyUsed(tables, bound, used - (long) (s.lowUsage() * limit), AgingAgent::rowBytes);
    }

    /** Rows of LRU tables with row thresholds: the value of the usage clock each one's last cycle began with. */
    private final Map<String, Integer> rowsSince = new HashMap<>();

    /**
     * One cycle of an LRU table with row thresholds (ttAgingTableLRUConfig), every one of their
     * cycles and when ttAgingScheduleNow names it: a new usage epoch for it, then, if it holds more
     * committed rows than the high threshold, its rows not used since its last cycle, least
     * recently used first, until the low threshold is left (or no such row is).
     */
    void rowsCycle(Table t) {
        synchronized (lruLock) {
            Aging a = t.aging();
            if (a != null && a.isLru() && a.rows() != null) ageByRows(t, a.rows());
        }
    }

    private void ageByRows(Table t, Aging.RowThresholds rows) {
        int bound = rowsSince.getOrDefault(t.qualifiedName(), lruStart);
        rowsSince.put(t.qualifiedName(), RowStore.advanceEpoch());
        if (!t.store().tracksUsage()) return;
        transactions.collectGarbage();
        long[] count = {0};
        t.store().forEachHead((id, slot) -> {
            if (Version.visible(slot, Long.MAX_VALUE, Long.MIN_VALUE) != null) count[0]++; // (committed, not deleted)
            return true;
        });
        if (count[0] > rows.high()) ageLeastRecentlyUsed(List.of(t), bound, count[0] - rows.low(), (table, img) -> 1);
    }

    /**
     * Deletes rows of {@code tables} not used since {@code bound}, oldest last use first, until
     * their {@code weight} (PermSize, or one each) adds up to {@code target}; every chosen row is
     * bare (committed, no older version kept) and goes only if still unused once locked.
     */
    private void ageLeastRecentlyUsed(List<Table> tables, int bound, long target, java.util.function.ToLongBiFunction<Table, byte[]> weight) {
        if (target <= 0) return;
        // What the rows last used in each epoch weigh, over every table: the oldest epochs go first.
        TreeMap<Integer, Long> byEpoch = new TreeMap<>();
        Map<Table, Set<Long>> keptBelow = new HashMap<>(); // (rows unused themselves whose CASCADE rows were used: not chosen)
        for (Table t : tables) {
            Set<Long> kept = keptBelow.computeIfAbsent(t, x -> new HashSet<>());
            t.store().forEachHead((id, slot) -> {
                int use = t.store().usage(id);
                if (!(slot instanceof byte[] img) || use >= bound) return !closed;
                if (usedBelow(t, img, bound, 0)) kept.add(id);
                else byEpoch.merge(use, weight.applyAsLong(t, img), Long::sum);
                return !closed;
            });
        }
        long sum = 0;
        int cutoff = -1; // the newest epoch whose rows go (some of them, if the target is met within it)
        for (var e : byEpoch.entrySet()) {
            cutoff = e.getKey();
            sum += e.getValue();
            if (sum >= target) break;
        }
        if (cutoff < 0) return;
        // what the cutoff epoch's rows may give: what the older epochs' left of the target, or all if short of it
        long[] fromCutoff = {sum >= target ? target - (sum - byEpoch.get(cutoff)) : Long.MAX_VALUE};
        try (Connection c = connector.get()) {
            for (Table t : tables) {
                if (closed) return;
                ageLru(c, t, bound, cutoff, fromCutoff, weight, keptBelow.get(t));
            }
            transactions.collectGarbage();
        } catch (HourglassException e) {
            LOG.warning("TT" + e.number() + ": LRU aging in " + dsn + " stopped and goes on at its next cycle: " + e.getMessage());
        }
    }

    /** Deletes {@code t}'s rows last used before {@code cutoff}, and its cutoff epoch's while {@code fromCutoff} remains, but not those in {@code keptBelow}. */
    private void ageLru(Connection c, Table t, int bound, int cutoff, long[] fromCutoff, java.util.function.ToLongBiFunction<Table, byte[]> weight,
                        Set<Long> keptBelow) {
        RowStore store = t.store();
        String sql = deleteSql(t, null);
        long[] batch = new long[BATCH];
        int[] n = {0};
        java.util.function.LongPredicate unused = x -> store.usage(x) < bound && !(store.slot(x) instanceof byte[] img && usedBelow(t, img, bound, 0));
        store.forEachHead((id, slot) -> {
            int use = store.usage(id);
            if (!(slot instanceof byte[] img) || use > cutoff || use >= bound || keptBelow.contains(id)) return true;
            if (use == cutoff) {
                if (fromCutoff[0] <= 0) return true;
                fromCutoff[0] -= weight.applyAsLong(t, img);
            }
            batch[n[0]++] = id;
            if (n[0] == BATCH) {
                agedRows.addAndGet(c.ageOut(sql, batch.clone(), unused));
                n[0] = 0;
            }
            return !closed;
        });
        if (n[0] > 0) agedRows.addAndGet(c.ageOut(sql, Arrays.copyOf(batch, n[0]), unused));
    }

    /** How deep {@link #usedBelow} follows ON DELETE CASCADE foreign keys (a chain of tables, or a table that references itself). */
    private static final int CASCADE_DEPTH = 8;

    /**
     * Whether a row that ON DELETE CASCADE would delete with the row of {@code t} whose committed
     * image is {@code image} (a child table's row that references it, or one of theirs, down to
     * {@link #CASCADE_DEPTH} levels) was used since {@code bound}: aging the row would take that
     * one, so it counts as used. Its child rows are found by each foreign key's index.
     */
    private static boolean usedBelow(Table t, byte[] image, int bound, int depth) {
        if (depth >= CASCADE_DEPTH) return false;
        Object[] row = null;
        for (ForeignKey fk : t.referencedBy()) {
            if (fk.dropped() || fk.onDelete() != ForeignKey.OnDelete.CASCADE) continue;
            if (row == null) row = t.codec().decode(image);
            Key k = fk.referencedKey(row);
            if (k.hasNull()) continue;
            Table child = fk.child();
            List<Long> ids = new ArrayList<>(4);
            fk.childIndex().index().lookup(k, ids::add);
            for (long id : ids) {
                if (!(child.store().slot(id) instanceof byte[] img)) {
                    if (child.store().usage(id) >= bound) return true; // (a row being changed was used; its image is not settled)
                    continue;
                }
                if (!fk.childKey(child.codec().decode(img)).equals(k)) continue; // (an index entry of an older key)
                if (child.store().usage(id) >= bound || usedBelow(child, img, bound, depth + 1)) return true;
            }
        }
        return false;
    }

    /** What a committed row takes in PermSize, as the database charges it: its image, its version and its index entries. */
    private static long rowBytes(Table t, byte[] image) {
        return image.length + MemoryAccount.VERSION_OVERHEAD + (long) t.indexes().size() * MemoryAccount.INDEX_ENTRY_OVERHEAD;
    }

    /**
     * {@code DELETE FROM t WHERE ts < ? AND ROWNUM <= BATCH} (with {@code a} null, LRU aging's
     * {@code DELETE FROM t}, run over the rows it chose), and for each foreign key that references
     * t without CASCADE or SET NULL, {@code AND NOT EXISTS} a child row of it.
     */
    static String deleteSql(Table t, Aging a) {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(quote(t.owner())).append('.').append(quote(t.name()))
                .append(" aged WHERE ").append(a == null ? "1 = 1" : "aged." + quote(a.column()) + " < ?");
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
        return a == null ? sql.toString() : sql.append(" AND ROWNUM <= ").append(BATCH).toString();
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
