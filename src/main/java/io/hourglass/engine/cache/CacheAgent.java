package io.hourglass.engine.cache;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.spi.CacheBackend;
import io.hourglass.engine.sql.CacheService;
import io.hourglass.engine.sql.PreparedStatement;
import io.hourglass.engine.sql.StatementResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cache agent of one database: it moves rows from the backend into READONLY cache tables,
 * for LOAD and REFRESH statements (on the caller's thread) and for autorefresh (on its own
 * thread, while ttCacheStart has it running); writes SYNCHRONOUS WRITETHROUGH commits to the
 * backend (on the committer's thread); and, while it runs, sends ASYNCHRONOUS WRITETHROUGH
 * groups' committed changes to the backend ({@link WriteBehind}, on a thread of its own).
 *
 * <p>Rows arrive through SQL on connections of the cache table's owner that may write cache
 * tables, so every check a row gets (types, lengths, NOT NULL, unique keys, PermSize) applies,
 * and every change is logged and checkpointed as any other.
 *
 * <p>An incremental refresh takes entries out of the group's change log in an open backend
 * transaction, applies the current backend rows of those keys, commits the cache durably, and
 * only then commits the backend transaction. A crash or failure before that last commit leaves
 * the entries in the change log, and applying a key again is harmless (it copies the row as the
 * backend has it then), so no change is lost and none applied twice does harm.
 */
public final class CacheAgent implements CacheService, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CacheAgent.class.getName());
    /** Change log entries taken per backend transaction. */
    static final int CHANGE_BATCH = 10_000;
    /**
     * A change log with more entries than this (and than the cache table has rows) is not worked
     * through key by key: a full refresh, which reads each row once, is cheaper.
     */
    static final long FULL_REFRESH_BACKLOG = 100_000;
    /** Refreshes ttCacheAutorefreshStatsGet remembers per group. */
    static final int HISTORY = 10;

    /** The backend user and password (ttCacheUidPwdSet, or configured); never written to disk. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() { return "Credentials[" + user + ", password hidden]"; }
    }

    /** One refresh, for ttCacheAutorefreshStatsGet. */
    public record Refresh(long number, long startMillis, long endMillis, boolean full, long rows, String status, String error) {}

    private final String dsn;
    private final Catalog catalog;
    private final CacheBackend backend;
    private final String url;
    private final Supplier<Credentials> credentials;
    private final Function<String, Connection> connector;
    private final Map<String, GroupState> groups = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private long changes; // under wake: counts changed() calls, so a change made while the loop was looking is not slept through
    private Thread thread;
    private volatile boolean running;
    private volatile boolean closed;
    private CacheBackend.Session session; // the autorefresh thread's, kept between refreshes
    private Credentials sessionCredentials; // what it was opened with: ttCacheUidPwdSet since retires it
    private final TransactionLog log;
    private final WriteBehind writeBehind; // null without a log (a Temporary database)
    private volatile Thread writeBehindThread;

    private static final class GroupState {
        final ReentrantLock lock = new ReentrantLock();
        long due;            // when the next autorefresh is due (ms); 0: at once
        // A full refresh is due while fullWanted > fullDone: at the agent's first refresh of the
        // group (a restart or a restore may have left the cache behind its change log), and after
        // ALTERs that leave the change log short (altered). Counters, so a request made during a
        // refresh is not lost when that refresh ends.
        volatile int fullWanted = 1;
        int fullDone;
        long refreshes;
        final Deque<Refresh> history = new ArrayDeque<>();
        List<Statements> dynamicStatements; // the last dynamic load's writer statements, a table's each; under the lock
        String lastWarning;   // the last failure logged, and when: the same failure is logged once a minute
        long lastWarningMillis;
    }

    /**
     * @param url the backend's JDBC URL (CacheBackendUrl)
     * @param connector opens a connection as the named user that may write cache tables
     * @param log the database's log (null for a Temporary database: no ASYNCHRONOUS WRITETHROUGH)
     * @param awtErrors the file where ASYNCHRONOUS WRITETHROUGH writes the transactions the backend refused
     */
    public CacheAgent(String dsn, Catalog catalog, CacheBackend backend, String url, Supplier<Credentials> credentials,
                      Function<String, Connection> connector, TransactionLog log, java.nio.file.Path awtErrors) {
        this.dsn = dsn;
        this.catalog = catalog;
        this.backend = backend;
        this.url = url;
        this.credentials = credentials;
        this.connector = connector;
        this.log = log;
        this.writeBehind = log == null ? null : new WriteBehind(dsn, catalog, log, awtErrors, this::open, credentials);
    }

    // ---- the agent thread ---------------------------------------------------------------------

    /** ttCacheStart: autorefresh runs from now on. */
    public synchronized void start() {
        if (running || closed) return;
        running = true;
        thread = Thread.ofPlatform().daemon().name("hourglass-cache-agent-" + dsn).start(this::loop);
        if (writeBehind != null) writeBehindThread = Thread.ofPlatform().daemon().name("hourglass-awt-" + dsn).start(this::writeBehindLoop);
    }

    /** ttCacheStop: autorefresh stops once a refresh under way ends. */
    public void stop() {
        Thread t, w;
        synchronized (this) {
            if (!running) return;
            running = false;
            t = thread;
            w = writeBehindThread;
            thread = null;
            writeBehindThread = null;
        }
        changed();
        try {
            t.join(60_000);
            if (w != null) {
                java.util.concurrent.locks.LockSupport.unpark(w);
                w.join(60_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * ASYNCHRONOUS WRITETHROUGH, while the agent runs: rounds back to back while there is work,
     * every {@link #WRITE_BEHIND_IDLE_NANOS} when caught up; after a failure, again in 1 s, then
     * up to 5 s apart (the log keeps what waits).
     */
    private void writeBehindLoop() {
        long backoff = 0;
        try {
            while (running) {
                long pause;
                try {
                    pause = writeBehind.round() ? 0 : WRITE_BEHIND_IDLE_NANOS;
                    backoff = 0;
                } catch (RuntimeException | java.io.IOException e) {
                    backoff = Math.min(Math.max(backoff * 2, 1_000_000_000L), 5_000_000_000L);
                    pause = backoff;
                }
                if (pause > 0 && running) java.util.concurrent.locks.LockSupport.parkNanos(pause);
            }
        } finally {
            writeBehind.reset();
        }
    }

    /** How often a caught-up write-behind looks at the log again. */
    static final long WRITE_BEHIND_IDLE_NANOS = 2_000_000;

    public boolean running() { return running; }

    @Override
    public void close() {
        closed = true;
        stop();
        if (writeBehind != null) writeBehind.close();
        for (Kept k; (k = idleWriters.pollFirst()) != null; ) k.session().close();
    }

    private void loop() {
        try {
            while (running) {
                long seen;
                synchronized (wake) {
                    seen = changes;
                }
                long now = System.currentTimeMillis();
                long next = now + 60_000;
                Set<String> live = new HashSet<>();
                for (CacheGroup g : catalog.cacheGroups()) {
                    live.add(key(g));
                    GroupState st = state(g);
                    if (g.state() != CacheGroup.State.ON || g.restored()) continue;
                    if (st.due <= now) {
                        st.due = now + g.intervalMs();
                        autorefresh(g, st);
                        if (!running) return;
                    }
                    next = Math.min(next, st.due);
                }
                groups.keySet().retainAll(live);
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    synchronized (wake) {
                        if (running && changes == seen) wake.wait(wait);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSession();
        }
    }

    private void autorefresh(CacheGroup g, GroupState st) {
        st.lock.lock();
        long start = System.currentTimeMillis();
        int wanted = st.fullWanted;
        boolean full = g.mode() == CacheGroup.Mode.FULL || wanted != st.fullDone;
        try {
            CacheGroup now = catalog.cacheGroup(g.owner(), g.name());
            if (now == null || now.cacheId() != g.cacheId() || now.state() != CacheGroup.State.ON || now.restored()) return;
            if (session != null && !java.util.Objects.equals(sessionCredentials, credentials.get())) closeSession();
            if (session == null) {
                sessionCredentials = credentials.get();
                session = open();
            }
            CacheBackend.Session bs = session;
            boolean incrementalGroup = now.mode() == CacheGroup.Mode.INCREMENTAL;
            if (!full && !changeLogIntact(now, bs)) full = true;
            if (!full && backlogTooLong(now, bs)) full = true;
            long rows;
            if (full) {
                // The change log's entries are covered by the full read that follows, in the same
                // backend transaction: they go only if the refresh commits.
                if (incrementalGroup) {
                    List<CacheGroup.Member> members = now.tables();
                    for (int i = 0; i < members.size(); i++) {
                        String id = now.backendId(i), schema = CacheGroup.backendName(members.get(i).owner());
                        call(() -> { bs.discardChanges(id, schema); return null; });
                    }
                }
                rows = sync(now, bs, 0, true, null);
                call(() -> { bs.commit(); return null; }); // no backend transaction stays open between refreshes
            } else {
                rows = incremental(now, bs);
            }
            if (full) st.fullDone = wanted;
            if (st.lastWarning != null) {
                LOG.info("autorefresh of cache group " + g.qualifiedName() + " of " + dsn + " works again");
                st.lastWarning = null;
            }
            record(st, start, full, rows, "Complete", null);
        } catch (RuntimeException e) {
            String why = e instanceof HourglassException he ? he.getMessage() : String.valueOf(e);
            record(st, start, full, 0, "Failed", why);
            long nowMillis = System.currentTimeMillis();
            if (!why.equals(st.lastWarning) || nowMillis - st.lastWarningMillis >= 60_000) {
                st.lastWarning = why;
                st.lastWarningMillis = nowMillis;
                LOG.log(Level.WARNING, "autorefresh of cache group " + g.qualifiedName() + " of " + dsn + " failed (retried every "
                        + g.intervalMs() + " ms; the same failure is logged once a minute, every one is in"
                        + " ttCacheAutorefreshStatsGet): " + why);
            }
            if (session != null) {
                try {
                    session.rollback();
                } catch (CacheBackend.Failure f) {
                    closeSession();
                }
            }
        } finally {
            st.lock.unlock();
        }
    }

    private void record(GroupState st, long start, boolean full, long rows, String status, String error) {
        synchronized (st.history) {
            st.history.addFirst(new Refresh(++st.refreshes, start, System.currentTimeMillis(), full, rows, status, error));
            while (st.history.size() > HISTORY) st.history.removeLast();
        }
    }

    /** The last refreshes of the group, newest first (ttCacheAutorefreshStatsGet). */
    public List<Refresh> history(CacheGroup g) {
        GroupState st = state(g);
        synchronized (st.history) {
            return List.copyOf(st.history);
        }
    }

    private GroupState state(CacheGroup g) {
        return groups.computeIfAbsent(key(g), k -> new GroupState());
    }

    /** A group's state is its own: a group dropped and created again under the name starts afresh. */
    private static String key(CacheGroup g) { return g.qualifiedName() + "#" + g.backendId(); }

    private void closeSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    /** Connects to the backend once (ttCacheStart): TT5220 or TT90050 if it cannot. */
    public void check() {
        open().close();
    }

    // ---- CacheService -------------------------------------------------------------------------

    @Override
    public void changed() {
        synchronized (wake) {
            changes++;
            wake.notifyAll();
        }
    }

    @Override
    public void prepare(CacheGroup g, List<Shape> tables) {
        List<CacheGroup.Member> members = g.tables();
        try (CacheBackend.Session s = open()) {
            for (int i = 0; i < members.size(); i++) {
                String schema = CacheGroup.backendName(members.get(i).owner()), table = CacheGroup.backendName(members.get(i).name());
                CacheBackend.TableInfo info = call(() -> s.describe(schema, table));
                for (String c : tables.get(i).columns()) {
                    if (!info.columns().contains(CacheGroup.backendName(c))) {
                        throw ErrorCode.SEMANTIC_ERROR.error("the backend table " + schema + "." + table + " has no column "
                                + CacheGroup.backendName(c) + " (it has " + String.join(", ", info.columns()) + ")");
                    }
                }
                List<String> pk = backendNames(tables.get(i).primaryKey());
                if (!new HashSet<>(pk).equals(new HashSet<>(info.primaryKey()))) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the cache table's primary key (" + String.join(", ", pk) + ") must be the backend table's ("
                            + (info.primaryKey().isEmpty() ? "it has none" : String.join(", ", info.primaryKey())) + ")");
                }
                String where = g.condition(i);
                if (where != null) {
                    // The backend reads it now (and finds no row): a column it lacks or a type it refuses fails CREATE, not the first LOAD.
                    try {
                        s.scan(schema, table, pk, "(" + where + ") AND 1 = 0", row -> { });
                    } catch (CacheBackend.Failure f) {
                        if (f.connection()) throw ErrorCode.BACKEND_CONNECT_FAILED.error(f.getMessage());
                        throw ErrorCode.BACKEND_ERROR.error("the WHERE clause of " + schema + "." + table + " (" + where + "): " + f.getMessage());
                    }
                }
            }
            if (g.mode() == CacheGroup.Mode.INCREMENTAL) {
                for (int i = 0; i < members.size(); i++) installChangeLog(g, i, s, backendNames(tables.get(i).primaryKey()));
            }
            if (g.asynchronous()) {
                if (log == null) throw ErrorCode.UNSUPPORTED.error("ASYNCHRONOUS WRITETHROUGH in a Temporary database (its changes go out from the log)");
                String schema = CacheGroup.backendName(g.tableOwner());
                // Nothing of the new tables is in the log before this point.
                long from = log.appendedLsn();
                call(() -> {
                    s.installBookmark(g.backendId(), schema, from, "Hourglass ASYNCHRONOUS WRITETHROUGH bookmark of cache group "
                            + g.qualifiedName() + " of database " + dsn + ": the log position up to which its changes are here");
                    return null;
                });
            }
        }
    }

    /** Installs (again) the change log and triggers of the group's table number {@code i} (0: the root). */
    private void installChangeLog(CacheGroup g, int i, CacheBackend.Session s, List<String> backendKey) {
        CacheGroup.Member m = g.tables().get(i);
        call(() -> {
            s.installChangeLog(g.backendId(i), CacheGroup.backendName(m.owner()), CacheGroup.backendName(m.name()), backendKey,
                    "Hourglass change log of " + (i == 0 ? "" : "table " + m.qualifiedName() + " of ") + "cache group " + g.qualifiedName()
                            + " of database " + dsn);
            return null;
        });
    }

    /**
     * Whether the group's change logs are whole. One that lost its table or a trigger (dropped by
     * hand, or a backend restored from an older backup) has missed changes, and while its table
     * is gone the trigger makes the backend refuse every change to the cached table: it is made
     * again at once, and the caller refreshes in full.
     */
    private boolean changeLogIntact(CacheGroup g, CacheBackend.Session s) {
        List<CacheGroup.Member> members = g.tables();
        boolean intact = true;
        for (int i = 0; i < members.size(); i++) {
            String id = g.backendId(i), schema = CacheGroup.backendName(members.get(i).owner()), table = CacheGroup.backendName(members.get(i).name());
            if (call(() -> s.changeLogIntact(id, schema, table))) continue;
            Table t = catalog.requireTable(members.get(i).owner(), members.get(i).name());
            installChangeLog(g, i, s, backendKey(t));
            LOG.warning("the change log of cache group " + g.qualifiedName() + " of " + dsn + " (hourglass_cl_" + id
                    + " and its triggers on " + schema + "." + table + ") was incomplete: made again; this refresh is a full one");
            intact = false;
        }
        return intact;
    }

    /** Whether a change log holds more entries than a full refresh would read rows of its table. */
    private boolean backlogTooLong(CacheGroup g, CacheBackend.Session s) {
        List<CacheGroup.Member> members = g.tables();
        for (int i = 0; i < members.size(); i++) {
            String id = g.backendId(i), schema = CacheGroup.backendName(members.get(i).owner());
            long backlog = call(() -> s.changeLogBacklog(id, schema));
            long cached = catalog.requireTable(members.get(i).owner(), members.get(i).name()).store().highWater();
            if (backlog <= Math.max(FULL_REFRESH_BACKLOG, cached)) continue;
            LOG.info("cache group " + g.qualifiedName() + " of " + dsn + ": " + backlog + " change-log entries for " + members.get(i).qualifiedName()
                    + ", more than a full refresh reads; refreshing in full");
            return true;
        }
        return false;
    }

    @Override
    public void altered(CacheGroup before, CacheGroup after) {
        boolean nowIncremental = after.mode() == CacheGroup.Mode.INCREMENTAL && before.mode() != after.mode();
        boolean turnedOn = before.state() == CacheGroup.State.OFF && after.state() != CacheGroup.State.OFF;
        if (nowIncremental || turnedOn) {
            GroupState st = state(after);
            synchronized (st) {
                st.fullWanted++;
            }
        }
        if (after.mode() == CacheGroup.Mode.FULL && before.mode() == CacheGroup.Mode.INCREMENTAL) dropChangeLog(after);
    }

    @Override
    public void dropped(CacheGroup g) {
        if (!g.asynchronous()) {
            dropChangeLog(g);
            return;
        }
        String schema = CacheGroup.backendName(g.tableOwner());
        try (CacheBackend.Session s = open()) {
            call(() -> {
                s.dropBookmark(g.backendId(), schema);
                return null;
            });
        } catch (HourglassException e) {
            LOG.warning("the bookmark of cache group " + g.qualifiedName() + " of " + dsn + " is no longer needed, but its backend table "
                    + schema + ".hourglass_bm_" + g.backendId() + " could not be removed: " + e.getMessage());
        }
    }

    /**
     * ASYNCHRONOUS WRITETHROUGH: waits until the backend has every change of such groups
     * committed here so far, or {@code timeoutMillis} passed; returns whether it has them
     * (ttRepSubscriberWait). True at once with no such group.
     */
    public boolean awaitWriteBehind(long timeoutMillis) throws InterruptedException {
        if (writeBehind == null) return true;
        long target = log.appendedLsn();
        return awaitSent(timeoutMillis, () -> {
            // A lost group will never have them: the wait says so rather than run out.
            List<CacheGroup> lost = writeBehind.lostGroups();
            if (!lost.isEmpty()) {
                throw ErrorCode.AWT_CHANGES_LOST.error(String.join(", ", lost.stream().map(CacheGroup::qualifiedName).toList()),
                        catalog.awtThreshold(), "");
            }
            return writeBehind.covers(target);
        }, () -> true);
    }

    /**
     * Whether the backend has every ASYNCHRONOUS WRITETHROUGH change committed so far, waiting
     * for it (as TimesTen's REFRESH does) at most {@code millis} while the agent runs to send them.
     * (Those committed while it waits are not waited for: under a steady stream of commits the
     * backend would never have them all.)
     */
    private boolean awaitAllChanges(long millis) { return awaitChangesUpTo(writeBehind.lastChange(), millis); }

    /** Whether the backend has every change committed for it up to {@code lsn}, waiting as {@link #awaitAllChanges} does. */
    private boolean awaitChangesUpTo(long lsn, long millis) {
        if (writeBehind.hasChangesUpTo(lsn)) return true;
        try {
            return awaitSent(millis, () -> writeBehind.hasChangesUpTo(lsn), () -> running);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Asks for a log sync (the write-behind sends only synced commits) and wakes the write-behind
     * once it is done, rather than at its next idle look; then looks again each time the
     * bookmarks move (at least every 5 ms) until {@code done}, or {@code millis} passed or
     * {@code worthWaiting} turned false.
     */
    private boolean awaitSent(long millis, java.util.function.BooleanSupplier done, java.util.function.BooleanSupplier worthWaiting)
            throws InterruptedException {
        log.whenDurable(log.appendedLsn()).thenRun(() -> {
            Thread w = writeBehindThread;
            if (w != null) java.util.concurrent.locks.LockSupport.unpark(w);
        });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            if (!worthWaiting.getAsBoolean() || System.nanoTime() - deadline >= 0) return false;
            writeBehind.awaitProgress(5);
        }
        return true;
    }

    @Override
    public void wroteBehind(long lsn) {
        if (writeBehind != null) writeBehind.committed(lsn);
    }

    /** ASYNCHRONOUS WRITETHROUGH transactions the backend committed; refused ones (in the error file). */
    public long writeBehindTransactions() { return writeBehind == null ? 0 : writeBehind.transactions.sum(); }

    public long writeBehindErrors() { return writeBehind == null ? 0 : writeBehind.errors.sum(); }

    @Override
    public String writeBehindState(CacheGroup g) { return writeBehind == null ? null : writeBehind.state(g); }

    /** ASYNCHRONOUS WRITETHROUGH groups that lost changes (past ttCacheAWTThresholdSet) and send nothing until reloaded. */
    public int writeBehindLostGroups() { return writeBehind == null ? 0 : writeBehind.lostGroups().size(); }

    /** Synced log the backend has not confirmed yet (-1: not known, the bookmarks are not read). */
    public long writeBehindBytes() { return writeBehind == null ? 0 : writeBehind.behindBytes(); }

    /** Removes the group's change logs and triggers; an unreachable backend is logged, not thrown. */
    private void dropChangeLog(CacheGroup g) {
        List<CacheGroup.Member> members = g.tables();
        try (CacheBackend.Session s = open()) {
            for (int i = members.size() - 1; i >= 0; i--) {
                String id = g.backendId(i), schema = CacheGroup.backendName(members.get(i).owner()), table = CacheGroup.backendName(members.get(i).name());
                call(() -> {
                    s.dropChangeLog(id, schema, table);
                    return null;
                });
            }
        } catch (HourglassException e) {
            LOG.warning("the change log of cache group " + g.qualifiedName() + " of " + dsn + " is no longer needed, but its backend objects (hourglass_cl_"
                    + g.backendId() + ", hourglass_ct_" + g.backendId() + ", hourglass_cx_" + g.backendId() + ", hourglass_cf_"
                    + g.backendId() + (members.size() > 1 ? ", and those of its child tables, with _1, _2 ... after the id" : "")
                    + ") could not be removed: " + e.getMessage());
        }
    }

    /**
     * LOAD and REFRESH. Of an ASYNCHRONOUS WRITETHROUGH group that lost changes (see
     * {@link WriteBehind}), they are the way back: a REFRESH, or a LOAD into the emptied table,
     * makes the cache match the backend, and the group's changes are sent again from the log's
     * end before it read the backend.
     */
    @Override
    public long load(CacheGroup g, long commitEvery, boolean refresh, String where, long waitMillis) {
        GroupState st = state(g);
        st.lock.lock();
        try (CacheBackend.Session s = open()) {
            boolean lost = g.asynchronous() && writeBehind != null && call(() -> writeBehind.lost(g, s));
            long from = lost ? log.appendedLsn() : 0;
            if (lost && !refresh && cachedRows(g) > 0) {
                throw ErrorCode.AWT_CHANGES_LOST.error(g.qualifiedName(), catalog.awtThreshold(),
                        ". LOAD only adds the rows the cache lacks: UNLOAD the group first, or REFRESH it");
            }
            if (!lost && g.asynchronous() && writeBehind != null && !awaitAllChanges(waitMillis)) {
                // Rows read from the backend now would be older than the changes on their way to it.
                throw ErrorCode.AWT_PENDING.error(g.qualifiedName());
            }
            long n = sync(g, s, commitEvery, refresh, where);
            s.commit();
            if (lost) call(() -> { writeBehind.resync(g, s, from); return null; });
            return n;
        } finally {
            st.lock.unlock();
        }
    }

    /**
     * A dynamic load: the keys the cache table lacks (of a group of several tables, their whole
     * cache instances), read from the backend and inserted, in a
     * transaction of the agent's own. It holds the group's lock, as LOAD and the refreshes do, so
     * a refresh never passes over a row a load is about to insert with older values. The commit
     * is not durable: what a crash loses is loaded again when next asked for. A key some user's
     * transaction holds (an uncommitted write-through insert of it) is left alone, at once, not
     * waited for: that transaction may be the one asking.
     *
     * <p>Of an ASYNCHRONOUS WRITETHROUGH group, the keys are read from the backend only once it
     * has every change committed before they were found missing: a row deleted here (or updated,
     * then aged out or unloaded) may still be in the backend as it was, until the write-behind
     * gets there. Commits tell the write-behind before they are visible, so a key found missing
     * was either never changed here or its change is waited for. After that, nothing can change
     * a missing key here but an INSERT of it, which the load's own insert then meets and leaves.
     */
    @Override
    public long dynamicLoad(CacheGroup g, Table table, List<Object[]> keys, long waitMillis) {
        if (g.restored()) return 0; // (a restored group never reads the backend: TT90051 for LOAD; a query reads what is cached)
        dynamicLoadRequests.increment();
        GroupState st = state(g);
        st.lock.lock();
        try (Writer w = new Writer(g, 0, st.dynamicStatements)) {
            // Before its first statement, which begins the transaction that keeps this setting:
            // a load never waits for a lock (the holder may be the statement asking).
            w.c.setLockWait(0);
            st.dynamicStatements = w.tables.stream().map(r -> r.sql).toList();
            Writer.Rows named = w.tables.stream().filter(r -> r.table.id() == table.id()).findFirst().orElse(null);
            if (named == null) return 0; // (the group's tables changed since the statement was planned: it reads what is cached)
            List<Object[]> missing = new ArrayList<>();
            for (Object[] k : keys) if (!named.cached(k)) missing.add(k);
            if (missing.isEmpty()) return 0;
            if (g.asynchronous() && writeBehind != null) {
                long upTo = writeBehind.lastChange(); // (after the keys were found missing: covers the commit that deleted one)
                if (!awaitChangesUpTo(upTo, waitMillis)) throw ErrorCode.AWT_PENDING.error(g.qualifiedName());
            }
            // A child table's rows: their instances' roots, found in the backend a level up at a time.
            for (Writer.Rows r = named; r.parent != null && !missing.isEmpty(); r = r.parent) {
                Writer.Rows level = r;
                List<Object[]> rows = onKeptSession(s -> s.fetchAlone(CacheGroup.backendName(level.table.owner()),
                        CacheGroup.backendName(level.table.name()), level.sql.backendColumns(), level.sql.backendKey(),
                        missing.stream().map(CacheAgent::backendKey).toList(), level.where));
                Map<Key, Object[]> up = new java.util.LinkedHashMap<>();
                for (Object[] raw : rows) {
                    Object[] parentKey = level.parentKey(level.coerce(raw));
                    if (parentKey != null) up.putIfAbsent(new Key(parentKey), parentKey);
                }
                missing.clear();
                for (Object[] k : up.values()) if (!level.parent.cached(k)) missing.add(k); // (an instance cached already is not loaded again)
            }
            if (missing.isEmpty()) return 0;
            List<Object[]> asked = missing.stream().map(CacheAgent::backendKey).toList();
            // Every table's rows of those instances, in one backend read.
            List<CacheBackend.Level> levels = new ArrayList<>();
            for (Writer.Rows r : w.tables) {
                levels.add(new CacheBackend.Level(CacheGroup.backendName(r.table.owner()), CacheGroup.backendName(r.table.name()),
                        r.sql.backendColumns(), r.sql.backendKey(), r.backendUp, w.tables.indexOf(r.parent), r.where));
            }
            List<List<Object[]>> rows = onKeptSession(s -> levels.size() == 1
                    ? List.of(s.fetchAlone(levels.getFirst().schema(), levels.getFirst().table(), levels.getFirst().columns(),
                            levels.getFirst().keyColumns(), asked, levels.getFirst().where()))
                    : s.fetchInstances(levels, asked));
            // Each level's rows under the rows inserted a level up (a root some transaction holds is
            // left, and so is what is below it). A row below a root that some transaction holds
            // (a SERIALIZABLE reader's table lock) would leave that instance part-loaded for good,
            // as a cached root is not loaded again: then nothing is loaded, and the statement reads
            // what is cached, as for a root it cannot have.
            List<Set<Key>> inserted = new ArrayList<>();
            for (int i = 0; i < w.tables.size(); i++) {
                Writer.Rows r = w.tables.get(i);
                List<Object[]> mine = rows.get(i).stream().map(r::coerce).toList();
                if (r.parent != null) {
                    Set<Key> parents = inserted.get(w.tables.indexOf(r.parent));
                    mine = mine.stream().filter(row -> {
                        Object[] up = r.parentKey(row);
                        return up != null && parents.contains(new Key(up));
                    }).toList();
                }
                List<Object[]> in = r.insertUnlessTaken(mine);
                if (r.parent != null && in.size() < mine.size()) return 0; // (closing the writer rolls the load back)
                Set<Key> keysIn = new HashSet<>();
                for (Object[] k : in) keysIn.add(new Key(k));
                inserted.add(keysIn);
            }
            Connection.join(w.c.commit(false));
            dynamicLoads.add(w.changed);
            return w.changed;
        } finally {
            st.lock.unlock();
        }
    }

    /**
     * Runs {@code read} (reads only) on a backend session kept from an earlier call or a
     * write-through commit, and keeps the session again for the next ones; a kept session the
     * backend dropped since is closed and a new one tried. So a dynamic load costs a round trip,
     * not a connection.
     */
    private <T> T onKeptSession(java.util.function.Function<CacheBackend.Session, T> read) {
        Credentials now = credentials.get();
        Kept kept = kept(now);
        if (kept != null) {
            try {
                return readAndKeep(kept.session(), now, read);
            } catch (CacheBackend.Failure f) {
                if (!f.connection()) throw ErrorCode.BACKEND_ERROR.error(f.getMessage());
                LOG.fine("a kept backend session of " + dsn + " was gone; reading on a new one: " + f.getMessage());
            }
        }
        CacheBackend.Session s = open();
        return call(() -> readAndKeep(s, now, read));
    }

    private <T> T readAndKeep(CacheBackend.Session s, Credentials cr, java.util.function.Function<CacheBackend.Session, T> read) {
        boolean done = false;
        try {
            T result = read.apply(s);
            s.commit();
            done = true;
            return result;
        } finally {
            keepOrClose(s, cr, done);
        }
    }

    /** An idle kept session opened with {@code now}'s credentials, or null; those of earlier credentials are closed. */
    private Kept kept(Credentials now) {
        Kept kept = idleWriters.pollFirst();
        while (kept != null && !kept.credentials().equals(now)) { // ttCacheUidPwdSet since: the old user's sessions go
            kept.session().close();
            kept = idleWriters.pollFirst();
        }
        return kept;
    }

    /** Keeps {@code s} for later calls if {@code reusable} and there is room, else closes it. */
    private void keepOrClose(CacheBackend.Session s, Credentials cr, boolean reusable) {
        if (reusable && idleWriters.size() < IDLE_WRITERS && !closed && cr != null) idleWriters.addFirst(new Kept(s, cr));
        else s.close();
    }

    /**
     * Key values as the backend compares them best: a whole NUMBER as a long, so that PostgreSQL
     * compares an integer key column with an integer and uses its index (a numeric would make it
     * read the table).
     */
    private static Object[] backendKey(Object[] key) {
        Object[] k = key.clone();
        for (int i = 0; i < k.length; i++) {
            if (k[i] instanceof java.math.BigDecimal d && (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0)
                    && d.toBigInteger().bitLength() < 63) {
                k[i] = d.longValueExact();
            }
        }
        return k;
    }

    private final java.util.concurrent.atomic.LongAdder dynamicLoads = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder dynamicLoadRequests = new java.util.concurrent.atomic.LongAdder();

    /** Rows dynamic loads brought in since the agent was made. */
    public long dynamicallyLoaded() { return dynamicLoads.sum(); }

    /** Statements that asked for a dynamic load (a key the table lacked) since the agent was made. */
    public long dynamicLoadRequests() { return dynamicLoadRequests.sum(); }

    private long cachedRows(CacheGroup g) {
        try (Connection c = connector.apply(g.tableOwner())) {
            return ((Number) c.execute("SELECT COUNT(*) FROM " + qualified(g.tableOwner(), g.tableName())).rows().getFirst()[0]).longValue();
        }
    }

    @Override
    public long unload(CacheGroup g, String where) {
        GroupState st = state(g);
        st.lock.lock();
        try {
            if (where != null && !g.children().isEmpty()) return unloadInstances(g, where);
            try (Connection c = connector.apply(g.tableOwner())) {
                c.setAutocommit(false);
                long n = 0;
                for (CacheGroup.Member m : g.tables().reversed()) { // (children first; a WHERE is the root's, in a group of one table)
                    n += c.execute("DELETE FROM " + qualified(m.owner(), m.name()) + (where == null ? "" : " WHERE " + where)).updateCount();
                }
                Connection.join(c.commit(true));
                return n;
            }
        } finally {
            st.lock.unlock();
        }
    }

    /** UNLOAD of the cache instances whose root rows {@code where} holds for: each row below them first. */
    private long unloadInstances(CacheGroup g, String where) {
        try (Writer w = new Writer(g, 0)) {
            Writer.Rows root = w.root();
            List<String> key = new ArrayList<>();
            for (int p : root.pk) key.add(quote(root.table.columns().get(p).name()));
            for (Object[] k : w.c.execute("SELECT " + String.join(", ", key) + " FROM " + qualified(g.tableOwner(), g.tableName())
                    + " WHERE " + where).rows()) {
                root.delete(k);
            }
            w.commit();
            return w.changed;
        }
    }

    private static HourglassException flushFailure(CacheBackend.Failure f) {
        return f.connection() ? ErrorCode.BACKEND_CONNECT_FAILED.error(f.getMessage())
                : f.refusedData() ? ErrorCode.BACKEND_REFUSED_CHANGE.error(f.getMessage() + "; nothing was flushed")
                : ErrorCode.BACKEND_ERROR.error(f.getMessage());
    }

    /** Rows a FLUSH sends to the backend per call (one backend transaction for them all). */
    static final int FLUSH_BATCH = 1000;

    /**
     * FLUSH: the rows read in one snapshot on a connection of the table's owner (as UNLOAD runs
     * its WHERE), under the group's lock, streamed to the backend in batches as they are read,
     * in one transaction of a session of their own (so a large table is never held whole).
     */
    @Override
    public long flush(CacheGroup g, String where) {
        GroupState st = state(g);
        st.lock.lock();
        try (Connection c = connector.apply(g.tableOwner()); CacheBackend.Session s = open()) {
            // (closed without its COMMIT, the backend rolls the transaction back: all or nothing)
            long n = 0;
            List<Table> tables = catalog.cacheTables(g);
            if (tables.size() > 1) {
                // One cut of every table: SERIALIZABLE reads hold each table's S lock until the
                // FLUSH ends, parents' first, so no transaction commits a parent with its children
                // between the reads (it waits, as for any SERIALIZABLE reader), and each child read
                // finds its parent read before it.
                c.setIsolation(io.hourglass.engine.txn.Isolation.SERIALIZABLE);
                c.setAutocommit(false);
            }
            try {
                for (int i = 0; i < tables.size(); i++) { // (parents first, as the backend's keys may ask)
                    n += flush(tables.get(i), where == null ? null : instancesOf(tables, i, where), c, s);
                }
                s.commit();
            } catch (CacheBackend.Failure f) {
                throw flushFailure(f);
            }
            return n;
        } finally {
            st.lock.unlock();
        }
    }

    /**
     * A condition on cache table number {@code i} of a group ({@code tables}, the root first) for
     * its rows in the cache instances whose root rows {@code where} holds for: the root's is
     * {@code where}; a child's, that a parent row under that condition exists. Each table is
     * named by its name (a group's tables are of one schema and differ in name), so {@code where}
     * reads the root's columns, the innermost table that has them.
     */
    static String instancesOf(List<Table> tables, int i, String where) {
        if (i == 0) return where;
        Table t = tables.get(i);
        for (io.hourglass.engine.catalog.ForeignKey fk : t.foreignKeys()) {
            int j = 0;
            while (j < i && tables.get(j).id() != fk.parent().id()) j++;
            if (j == i) continue;
            List<String> joins = new ArrayList<>();
            for (int k = 0; k < fk.childColumns().length; k++) {
                joins.add(quote(fk.parent().name()) + "." + quote(fk.parent().columns().get(fk.parentColumns()[k]).name()) + " = "
                        + quote(t.name()) + "." + quote(t.columns().get(fk.childColumns()[k]).name()));
            }
            return "EXISTS (SELECT 1 FROM " + qualified(fk.parent().owner(), fk.parent().name()) + " WHERE " + String.join(" AND ", joins)
                    + " AND (" + instancesOf(tables, j, where) + "))";
        }
        throw new IllegalStateException(t.qualifiedName() + " references no table before it in its cache group");
    }

    /** Streams the rows of cache table {@code t} ({@code where} holds for) to the backend in batches; returns how many. */
    private static long flush(Table t, String where, Connection c, CacheBackend.Session s) {
        String schema = CacheGroup.backendName(t.owner()), table = CacheGroup.backendName(t.name());
        List<String> columns = backendColumns(t), key = backendKey(t);
        List<Object[]> batch = new ArrayList<>();
        long[] n = {0};
        c.execute(c.prepare("SELECT * FROM " + qualified(t.owner(), t.name()) + (where == null ? "" : " WHERE " + where)),
                new io.hourglass.engine.sql.ResultSink() {
                    @Override public void columns(List<io.hourglass.engine.sql.ResultColumn> cols) { }

                    @Override public void row(Object[] row) {
                        batch.add(backendValues(row));
                        if (batch.size() == FLUSH_BATCH) {
                            try {
                                s.upsert(schema, table, columns, key, batch);
                            } catch (CacheBackend.Failure f) {
                                throw flushFailure(f); // (as the engine's error: it stops the query as it is)
                            }
                            n[0] += batch.size();
                            batch.clear();
                        }
                    }
                });
        if (!batch.isEmpty()) s.upsert(schema, table, columns, key, batch);
        return n[0] + batch.size();
    }

    // ---- synchronous writethrough --------------------------------------------------------------

    /** Backend sessions of committed write-throughs, kept for the next ones (at most {@link #IDLE_WRITERS}), with the credentials they opened with. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Kept> idleWriters = new java.util.concurrent.ConcurrentLinkedDeque<>();
    static final int IDLE_WRITERS = 8;

    private record Kept(CacheBackend.Session session, Credentials credentials) {}

    private final java.util.concurrent.atomic.LongAdder writeThroughCommits = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writeThroughFailures = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writeThroughInDoubt = new java.util.concurrent.atomic.LongAdder();

    /** Write-through transactions the backend committed. */
    public long writeThroughCommits() { return writeThroughCommits.sum(); }

    /** Write-through commits that failed at the backend (refused, unreachable, in doubt), rolled back here. */
    public long writeThroughFailures() { return writeThroughFailures.sum(); }

    /** Of those, the ones whose backend COMMIT got no answer: the backend may hold them. */
    public long writeThroughInDoubt() { return writeThroughInDoubt.sum(); }

    /**
     * Writes the changes in one backend transaction, a table's consecutive changes in one call
     * (so the backend sees them in the order the transaction made them: a parent row before its
     * child), and commits it. A failure rolls the backend transaction back and closes its
     * session. A connection lost during the backend's COMMIT leaves its outcome unknown: the
     * error says so (the transaction here is rolled back all the same).
     */
    @Override
    public void writeThrough(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes) {
        if (changes.isEmpty()) return;
        try {
            attempts(ForeignKeyOrder.of(changes));
        } catch (RuntimeException | Error e) {
            writeThroughFailures.increment();
            throw e;
        }
    }

    /** On a kept session, then (if that one was gone) on a new one. */
    private void attempts(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes) {
        Credentials now = credentials.get();
        Kept kept = kept(now);
        if (kept != null) {
            // A kept session may have lost its backend since (a restart, an idle timeout): if it
            // fails before its COMMIT, nothing was committed, and a new session tries once more.
            try {
                writeThrough(changes, kept.session(), now);
                return;
            } catch (Retry r) {
                LOG.fine("a kept backend session of " + dsn + " was gone; writing through on a new one: " + r.getCause().getMessage());
            }
        }
        try {
            writeThrough(changes, open(), now);
        } catch (Retry r) {
            throw r.error;
        }
    }

    /** A connection failure before the backend's COMMIT on a session: nothing was committed, another may try. */
    private static final class Retry extends RuntimeException {
        final HourglassException error;

        Retry(CacheBackend.Failure cause, HourglassException error) {
            super(cause);
            this.error = error;
        }
    }

    /** One attempt on {@code s}, which it keeps for later commits if it succeeds and closes if not. */
    private void writeThrough(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes, CacheBackend.Session s, Credentials cr) {
        boolean committing = false, committed = false;
        try {
            send(changes, s);
            committing = true;
            s.commit();
            committed = true;
            writeThroughCommits.increment();
        } catch (CacheBackend.Failure f) {
            try {
                if (!f.connection()) s.rollback();
            } catch (CacheBackend.Failure ignored) {
                // the session is closed below either way
            }
            s.close();
            s = null;
            boolean inDoubt = committing && f.connection();
            String why = (inDoubt ? "the backend's COMMIT got no answer, so the backend may have committed the changes: " : "")
                    + f.getMessage() + "; the transaction is rolled back";
            if (inDoubt) {
                writeThroughInDoubt.increment();
                LOG.warning("a SYNCHRONOUS WRITETHROUGH commit of " + dsn + " lost the backend during its COMMIT: the backend may hold "
                        + "changes this database rolled back; REFRESH the cache groups of " + tablesOf(changes) + " to make them equal. " + why);
            }
            HourglassException e = f.connection() ? ErrorCode.BACKEND_CONNECT_FAILED.error(why)
                    : f.refusedData() ? ErrorCode.BACKEND_REFUSED_CHANGE.error(why) : ErrorCode.BACKEND_ERROR.error(why);
            if (f.connection() && !committing) throw new Retry(f, e);
            throw e;
        } finally {
            // Only a session whose transaction committed is kept: any other failure (not the
            // backend's) may have left its writes open, and the next commit would carry them.
            if (s != null) keepOrClose(s, cr, committed);
        }
    }

    private static String tablesOf(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes) {
        return String.join(", ", changes.stream().map(c -> c.table().qualifiedName()).distinct().toList());
    }

    /** Writes the changes in the open backend transaction, in order, a table's consecutive ones in one call. */
    static void send(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes, CacheBackend.Session s) {
        int from = 0;
        while (from < changes.size()) {
            Table t = changes.get(from).table();
            int to = from;
            List<CacheBackend.Write> writes = new ArrayList<>();
            while (to < changes.size() && changes.get(to).table() == t) {
                var ch = changes.get(to++);
                writes.add(new CacheBackend.Write(ch.before() == null ? null : backendValues(keyValues(t, ch.before())),
                        ch.after() == null ? null : backendValues(ch.after())));
            }
            s.write(CacheGroup.backendName(t.owner()), CacheGroup.backendName(t.name()), backendColumns(t), backendKey(t), writes);
            from = to;
        }
    }

    /** The primary key's values of a row of {@code t}. */
    static Object[] keyValues(Table t, Object[] row) {
        int[] pk = t.primaryKey();
        Object[] k = new Object[pk.length];
        for (int i = 0; i < pk.length; i++) k[i] = row[pk[i]];
        return k;
    }

    /** The engine's values as the backend's driver takes them (VARBINARY as byte[]). */
    private static Object[] backendValues(Object[] values) {
        Object[] out = values.clone();
        for (int i = 0; i < out.length; i++) if (out[i] instanceof io.hourglass.engine.store.Bytes b) out[i] = b.data();
        return out;
    }

    // ---- moving rows --------------------------------------------------------------------------

    private CacheBackend.Session open() {
        Credentials cr = credentials.get();
        if (url == null || url.isBlank()) {
            throw ErrorCode.CACHE_NOT_CONFIGURED.error("database " + dsn + " has no CacheBackendUrl (hourglass.databases." + dsn
                    + ".cache-backend-url, a jdbc:postgresql:// URL)");
        }
        if (cr == null) {
            throw ErrorCode.CACHE_NOT_CONFIGURED.error("no cache administration user for " + dsn
                    + ": CALL ttCacheUidPwdSet('user', 'password') first (or configure cache-uid and cache-pwd)");
        }
        return call(() -> backend.open(url, cr.user(), cr.password()));
    }

    /** Runs a backend call, its failure as TT5220 (connection) or TT90049. */
    private static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (CacheBackend.Failure f) {
            throw f.connection() ? ErrorCode.BACKEND_CONNECT_FAILED.error(f.getMessage()) : ErrorCode.BACKEND_ERROR.error(f.getMessage());
        }
    }

    /**
     * A writer's statements over the cache table {@code table} (update null for a table of key
     * columns only), and the backend's names of its columns and key. A statement is planned at
     * its first run and kept while the catalog does not change: a dynamic load reuses its
     * group's (under the group's lock, one load at a time) rather than parse and plan four
     * statements per load.
     */
    record Statements(Table table, List<String> backendColumns, List<String> backendKey,
                      PreparedStatement insert, PreparedStatement update, PreparedStatement delete, PreparedStatement exists) {
        static Statements of(Table table) {
            String t = qualified(table.owner(), table.name());
            List<String> cols = new ArrayList<>(), sets = new ArrayList<>(), keys = new ArrayList<>();
            Set<Integer> pkSet = new HashSet<>();
            for (int p : table.primaryKey()) pkSet.add(p);
            for (int i = 0; i < table.columns().size(); i++) {
                String n = table.columns().get(i).name();
                cols.add(quote(n));
                if (!pkSet.contains(i)) sets.add(quote(n) + " = ?");
            }
            for (int p : table.primaryKey()) keys.add(quote(table.columns().get(p).name()) + " = ?");
            String where = " WHERE " + String.join(" AND ", keys);
            return new Statements(table, List.copyOf(CacheAgent.backendColumns(table)), List.copyOf(CacheAgent.backendKey(table)),
                    PreparedStatement.prepare("INSERT INTO " + t + " (" + String.join(", ", cols) + ") VALUES (" + "?, ".repeat(cols.size() - 1) + "?)"),
                    sets.isEmpty() ? null : PreparedStatement.prepare("UPDATE " + t + " SET " + String.join(", ", sets) + where),
                    PreparedStatement.prepare("DELETE FROM " + t + where),
                    PreparedStatement.prepare("SELECT COUNT(*) FROM " + t + where));
        }
    }

    /**
     * The agent's writes to a group's cache tables, on one agent connection (so a child row sees
     * the parent row inserted before it, uncommitted), committed every {@code commitEvery} rows
     * changed (0: when told).
     */
    private final class Writer implements AutoCloseable {
        final CacheGroup group;
        final Connection c;
        /** The group's tables, the root first, each child after its parent. */
        final List<Rows> tables = new ArrayList<>();
        final long commitEvery;
        long sinceCommit, changed;

        Writer(CacheGroup g, long commitEvery) { this(g, commitEvery, null); }

        /**
         * A writer on a new connection; with {@code kept} (a table's each, in the group's order),
         * each table's statements are those if made for that table as it is now (a statement plans
         * again by itself after any DDL).
         */
        Writer(CacheGroup g, long commitEvery, List<Statements> kept) {
            this.group = g;
            this.commitEvery = commitEvery;
            Map<Long, Rows> byId = new HashMap<>();
            for (Table t : catalog.cacheTables(g)) {
                io.hourglass.engine.catalog.ForeignKey up = null;
                for (io.hourglass.engine.catalog.ForeignKey fk : t.foreignKeys()) if (byId.containsKey(fk.parent().id())) up = fk;
                int at = tables.size();
                Rows r = new Rows(t, kept != null && at < kept.size() && kept.get(at).table() == t ? kept.get(at) : Statements.of(t),
                        up == null ? null : byId.get(up.parent().id()), up, g.condition(at));
                if (r.parent != null) r.parent.children.add(r);
                tables.add(r);
                byId.put(t.id(), r);
            }
            this.c = connector.apply(g.tableOwner());
            c.setAutocommit(false);
        }

        Rows root() { return tables.getFirst(); }

        /** One cache table's rows. */
        final class Rows {
            final Table table;
            final int[] pk;
            /** Its statements, and the backend's names of the table's columns and key. */
            final Statements sql;
            /** The table its foreign key references in the group (null: the root). */
            final Rows parent;
            /** Its WHERE clause in the group, in the backend's SQL: every read of its backend rows has it (null: none). */
            final String where;
            /** The foreign key's columns of this table, in the order of the parent's primary key. */
            final int[] up;
            /** The backend's names of {@link #up}. */
            final List<String> backendUp;
            /** SELECT of the keys whose {@link #up} columns are a parent key (null for the root), and of the row with a key. */
            private final String underParentSql, byKeySql;
            /** Parsed when first used: most writers never need them (a dynamic load of one table's rows, say). */
            private PreparedStatement underParent, byKey;
            final List<Rows> children = new ArrayList<>();

            Rows(Table table, Statements sql, Rows parent, io.hourglass.engine.catalog.ForeignKey fk, String where) {
                this.table = table;
                this.pk = table.primaryKey();
                this.sql = sql;
                this.parent = parent;
                this.where = where;
                List<String> keyConditions = new ArrayList<>();
                for (int p : pk) keyConditions.add(quote(table.columns().get(p).name()) + " = ?");
                byKeySql = "SELECT * FROM " + qualified(table.owner(), table.name()) + " WHERE " + String.join(" AND ", keyConditions);
                if (parent == null) {
                    up = null;
                    backendUp = null;
                    underParentSql = null;
                    return;
                }
                up = new int[parent.pk.length];
                for (int i = 0; i < up.length; i++) {
                    for (int j = 0; j < fk.parentColumns().length; j++) if (fk.parentColumns()[j] == parent.pk[i]) up[i] = fk.childColumns()[j];
                }
                List<String> names = new ArrayList<>(), keys = new ArrayList<>(), conditions = new ArrayList<>();
                for (int u : up) {
                    names.add(CacheGroup.backendName(table.columns().get(u).name()));
                    conditions.add(quote(table.columns().get(u).name()) + " = ?");
                }
                for (int p : pk) keys.add(quote(table.columns().get(p).name()));
                backendUp = List.copyOf(names);
                underParentSql = "SELECT " + String.join(", ", keys) + " FROM " + qualified(table.owner(), table.name())
                        + " WHERE " + String.join(" AND ", conditions);
            }

            /** The keys of the cached rows below the parent row with key {@code parentKey}. */
            List<Object[]> keysUnder(Object[] parentKey) {
                if (underParent == null) underParent = PreparedStatement.prepare(underParentSql);
                return c.execute(underParent, parentKey).rows();
            }

            /** The cached row with the key, or null. */
            Object[] row(Object[] key) {
                if (byKey == null) byKey = PreparedStatement.prepare(byKeySql);
                List<Object[]> rows = c.execute(byKey, key).rows();
                return rows.isEmpty() ? null : rows.getFirst();
            }

            /** LOAD inserts a row the cache lacks; REFRESH also writes one over the cached row that differs. */
            void copy(Object[] row, boolean refresh) {
                Object[] old = row(keyOf(row));
                if (old == null) insert(row);
                else if (refresh && !same(old, row)) update(row);
            }

            /**
             * LOAD or REFRESH of the cache instances below rows of this table with keys
             * {@code keys} (those a condition chose): each child table's backend rows that
             * reference them, copied, and theirs in turn. REFRESH also deletes the cached rows
             * below them that the backend no longer has there.
             */
            void copyBelow(List<Object[]> keys, CacheBackend.Session s, boolean refresh) {
                if (keys.isEmpty()) return;
                List<Object[]> asked = keys.stream().map(CacheAgent::backendKey).toList();
                for (Rows child : children) {
                    List<Object[]> rows = call(() -> s.fetch(CacheGroup.backendName(child.table.owner()), CacheGroup.backendName(child.table.name()),
                            child.sql.backendColumns(), child.backendUp, asked, child.where));
                    Set<Key> read = new HashSet<>();
                    List<Object[]> childKeys = new ArrayList<>();
                    for (Object[] raw : rows) {
                        Object[] row = child.coerce(raw);
                        Object[] k = child.keyOf(row);
                        read.add(new Key(k));
                        childKeys.add(k);
                        child.copy(row, refresh);
                    }
                    if (refresh) {
                        for (Object[] parentKey : keys) {
                            for (Object[] k : child.keysUnder(parentKey)) if (!read.contains(new Key(k))) child.delete(k);
                        }
                    }
                    child.copyBelow(childKeys, s, refresh);
                }
            }

            /** A backend row as the cache table's values: each coerced to its column's type. */
            Object[] coerce(Object[] raw) {
                Object[] v = new Object[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    Column col = table.columns().get(i);
                    v[i] = col.type().coerce(Values.fromJava(raw[i]), table.qualifiedName() + "." + col.name());
                }
                return v;
            }

            /** A change log entry's key as the cache table's key values. */
            Object[] coerceKey(Object[] raw) {
                Object[] k = new Object[pk.length];
                for (int i = 0; i < pk.length; i++) {
                    Column col = table.columns().get(pk[i]);
                    k[i] = col.type().coerce(Values.fromJava(raw[i]), table.qualifiedName() + "." + col.name());
                }
                return k;
            }

            Object[] keyOf(Object[] row) { return keyValues(table, row); }

            /** The key of the parent row {@code row} references; null if a column of it is NULL (it references none). */
            Object[] parentKey(Object[] row) {
                Object[] k = new Object[up.length];
                for (int i = 0; i < up.length; i++) if ((k[i] = row[up[i]]) == null) return null;
                return k;
            }

            /** Whether the row belongs to a cache instance here: the root's always; a child's if its parent row is cached. */
            boolean inInstance(Object[] row) {
                if (parent == null) return true;
                Object[] k = parentKey(row);
                return k != null && parent.cached(k);
            }

            /** Whether the cache table has a committed row with primary key values {@code key}. */
            boolean cached(Object[] key) { return ((Number) c.execute(sql.exists(), key).rows().getFirst()[0]).longValue() > 0; }

            void insert(Object[] row) { run(sql.insert(), row); }

            /**
             * Inserts {@code rows} (coerced), leaving each whose key some transaction holds or has
             * (a dynamic load never waits: the holder may be the one asking); returns the keys
             * inserted.
             */
            List<Object[]> insertUnlessTaken(List<Object[]> rows) {
                List<Object[]> inserted = new ArrayList<>();
                for (Object[] row : rows) {
                    try {
                        insert(row);
                        inserted.add(keyOf(row));
                    } catch (HourglassException e) {
                        if (e.code() != ErrorCode.LOCK_TIMEOUT && e.code() != ErrorCode.UNIQUE_VIOLATION) throw e;
                    }
                }
                return inserted;
            }

            /** Writes the row over the cached one with its key, or inserts it; returns whether it inserted. */
            boolean upsert(Object[] row) {
                if (sql.update() != null) {
                    Object[] args = new Object[row.length];
                    int a = 0;
                    Set<Integer> pkSet = new HashSet<>();
                    for (int p : pk) pkSet.add(p);
                    for (int i = 0; i < row.length; i++) if (!pkSet.contains(i)) args[a++] = row[i];
                    for (int p : pk) args[a++] = row[p];
                    if (c.execute(sql.update(), args).updateCount() > 0) {
                        counted();
                        return false;
                    }
                } else if (cached(keyOf(row))) {
                    return false;
                }
                // (a DYNAMIC group's refresh keeps the instances cached current, and brings in no others;
                // a row below a cached root is its instance's, and comes in)
                if (group.dynamic() && parent == null) return false;
                insert(row);
                return true;
            }

            void update(Object[] row) { upsert(row); }

            /** Deletes the row with the key, and first the rows of the group that reference it, and theirs. */
            void delete(Object[] key) {
                for (Rows child : children) {
                    for (Object[] k : child.keysUnder(key)) child.delete(k);
                }
                if (c.execute(sql.delete(), key).updateCount() > 0) counted();
            }

            /**
             * After rows of this table with keys {@code keys} came into the cache: the backend rows
             * of its child tables that reference them, and theirs, come in too (a whole cache
             * instance), inserted or written over the cached ones.
             */
            void loadChildren(List<Object[]> keys, CacheBackend.Session s) {
                if (keys.isEmpty()) return;
                List<Object[]> asked = keys.stream().map(CacheAgent::backendKey).toList();
                for (Rows child : children) {
                    List<Object[]> rows = call(() -> s.fetch(CacheGroup.backendName(child.table.owner()), CacheGroup.backendName(child.table.name()),
                            child.sql.backendColumns(), child.backendUp, asked, child.where));
                    List<Object[]> fresh = new ArrayList<>();
                    for (Object[] raw : rows) {
                        Object[] row = child.coerce(raw);
                        if (child.upsert(row)) fresh.add(child.keyOf(row));
                    }
                    child.loadChildren(fresh, s);
                }
            }
        }

        private void run(PreparedStatement ps, Object[] args) {
            c.execute(ps, args);
            counted();
        }

        private void counted() {
            changed++;
            if (commitEvery > 0 && ++sinceCommit >= commitEvery) commit();
        }

        void commit() {
            Connection.join(c.commit(true));
            sinceCommit = 0;
        }

        @Override
        public void close() { c.close(); } // rolls back what is not committed
    }

    /**
     * LOAD ({@code refresh} false): inserts the backend rows whose keys are not cached.
     * REFRESH / full autorefresh: makes each cache table equal to the backend's rows of cache
     * instances, writing only rows that differ. With {@code where} (backend SQL, on the root)
     * only the rows it holds for are read, with the rows below them, and REFRESH deletes no root
     * row. Returns the rows changed; the cache is committed (durably) at the end.
     */
    private long sync(CacheGroup g, CacheBackend.Session s, long commitEvery, boolean refresh, String where) {
        try (Writer w = new Writer(g, commitEvery)) {
            if (where != null && w.tables.size() > 1) {
                // The instances whose root rows the condition chooses: the root's rows read with
                // it, the rows below them by their foreign keys.
                Writer.Rows root = w.root();
                List<Object[]> keys = new ArrayList<>();
                call(() -> {
                    s.scan(CacheGroup.backendName(root.table.owner()), CacheGroup.backendName(root.table.name()), root.sql.backendColumns(),
                            both(root.where, where), raw -> {
                        Object[] row = root.coerce(raw);
                        keys.add(root.keyOf(row));
                        root.copy(row, refresh);
                    });
                    return null;
                });
                root.copyBelow(keys, s, refresh);
                w.commit();
                return w.changed;
            }
            // Parents before children: a child row comes in only under a parent row the cache
            // keeps (its cache instance's), so each table's keys kept are known before its
            // children are read. What goes, goes after, children first. Every commit on the way
            // (COMMIT EVERY) leaves each child row with its parent.
            Map<Writer.Rows, Set<Key>> kept = new HashMap<>();
            List<Iterable<Key>> gone = new ArrayList<>();
            for (Writer.Rows t : w.tables) {
                Map<Key, Object[]> cached = new HashMap<>();
                for (Object[] row : w.c.execute("SELECT * FROM " + qualified(t.table.owner(), t.table.name())).rows()) {
                    cached.put(new Key(t.keyOf(row)), row);
                }
                Set<Key> parents = t.parent == null ? null : kept.get(t.parent);
                Set<Key> keeps = t.children.isEmpty() ? null : new HashSet<>();
                call(() -> {
                    s.scan(CacheGroup.backendName(t.table.owner()), CacheGroup.backendName(t.table.name()), t.sql.backendColumns(),
                            both(t.where, where), raw -> {
                        Object[] row = t.coerce(raw);
                        if (parents != null) {
                            Object[] up = t.parentKey(row);
                            if (up == null || !parents.contains(new Key(up))) return; // (in no cache instance here: left out, or goes)
                        }
                        Key k = new Key(t.keyOf(row));
                        Object[] old = cached.remove(k);
                        if (old == null) {
                            if (refresh && g.dynamic() && t.parent == null) return; // (a DYNAMIC group's REFRESH brings in no instances)
                            t.insert(row);
                        } else if (refresh && !same(old, row)) {
                            t.update(row);
                        }
                        if (keeps != null) keeps.add(k);
                    });
                    return null;
                });
                // Without a condition, a cached row the backend no longer has goes; with one, a row it
                // did not return may simply not meet it, so none goes. LOAD takes nothing away.
                if (refresh && where == null) {
                    gone.add(cached.keySet());
                } else {
                    if (keeps != null) keeps.addAll(cached.keySet());
                    gone.add(List.of());
                }
                if (keeps != null) kept.put(t, keeps);
            }
            for (int i = w.tables.size() - 1; i >= 0; i--) {
                Writer.Rows t = w.tables.get(i);
                for (Key k : gone.get(i)) t.delete(k.values);
            }
            w.commit();
            return w.changed;
        }
    }

    /** Two conditions in the backend's SQL, either null, that both hold: the table's WHERE clause in its group, then a LOAD's or REFRESH's. */
    private static String both(String group, String statement) {
        return group == null ? statement : statement == null ? group : "(" + group + ") AND (" + statement + ")";
    }

    /**
     * Applies the change logs' entries, a batch per backend transaction, the tables' parents
     * first; a truncate mark turns it into a full refresh. A row that came into the cache brings
     * its cache instance's rows below it (a child's change may have been taken before its
     * parent's row was here to hold it), and a row that goes takes them along.
     */
    private long incremental(CacheGroup g, CacheBackend.Session s) {
        long changed = 0;
        try (Writer w = new Writer(g, 0)) {
            for (int i = 0; i < w.tables.size(); i++) {
                Writer.Rows t = w.tables.get(i);
                String id = g.backendId(i), schema = CacheGroup.backendName(t.table.owner()), table = CacheGroup.backendName(t.table.name());
                while (true) {
                    List<Object[]> entries = call(() -> s.takeChanges(id, schema, t.sql.backendKey(), CHANGE_BATCH));
                    if (entries.isEmpty()) {
                        call(() -> { s.commit(); return null; });
                        break;
                    }
                    boolean mark = false;
                    Map<Key, Object[]> keys = new HashMap<>();
                    for (Object[] e : entries) {
                        boolean allNull = true;
                        for (Object v : e) allNull &= v == null;
                        if (allNull) mark = true;
                        else keys.put(new Key(t.coerceKey(e)), e);
                    }
                    if (mark) {
                        // A table was truncated: read the group whole, in the backend transaction that took the mark.
                        for (int j = 0; j < w.tables.size(); j++) {
                            if (j == i) continue;
                            String other = g.backendId(j), otherSchema = CacheGroup.backendName(w.tables.get(j).table.owner());
                            call(() -> { s.discardChanges(other, otherSchema); return null; });
                        }
                        changed += sync(g, s, 0, true, null);
                        call(() -> { s.commit(); return null; });
                        if (w.tables.size() > 1) return changed; // (the others' entries went with the full read)
                        if (entries.size() < CHANGE_BATCH) return changed;
                        continue;
                    }
                    // (a row its WHERE clause no longer holds for is not read, and goes as a deleted one)
                    List<Object[]> rows = call(() -> s.fetch(schema, table, t.sql.backendColumns(), t.sql.backendKey(), new ArrayList<>(keys.values()),
                            t.where));
                    long before = w.changed;
                    List<Object[]> arrived = new ArrayList<>();
                    for (Object[] raw : rows) {
                        Object[] row = t.coerce(raw);
                        Object[] key = t.keyOf(row);
                        if (!t.inInstance(row)) continue; // (its parent row is not cached: it goes, below, if it was)
                        keys.remove(new Key(key));
                        if (t.upsert(row) && !t.children.isEmpty()) arrived.add(key);
                    }
                    for (Key k : keys.keySet()) t.delete(k.values);
                    t.loadChildren(arrived, s);
                    w.commit(); // durable: only then may the backend forget the entries
                    call(() -> { s.commit(); return null; });
                    changed += w.changed - before;
                    if (entries.size() < CHANGE_BATCH) break;
                }
            }
            return changed;
        }
    }

    static boolean same(Object[] a, Object[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null || b[i] == null) {
                if (a[i] != b[i]) return false;
            } else if (Values.compare(a[i], b[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Key values compared and hashed as SQL compares them (1 = 1.0, 'a' = 'a  '). */
    static final class Key {
        final Object[] values;
        final int hash;

        Key(Object[] values) {
            this.values = values;
            int h = 1;
            for (Object v : values) h = 31 * h + Values.hashOf(v);
            this.hash = h;
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public boolean equals(Object o) { return o instanceof Key k && same(values, k.values); }
    }

    static String quote(String name) { return '"' + name.replace("\"", "\"\"") + '"'; }

    static String qualified(String owner, String name) { return quote(owner) + "." + quote(name); }

    private static List<String> backendNames(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) out.add(CacheGroup.backendName(n));
        return out;
    }

    /** The backend's names of {@code t}'s columns, in the table's order. */
    static List<String> backendColumns(Table t) {
        List<String> out = new ArrayList<>();
        for (Column c : t.columns()) out.add(CacheGroup.backendName(c.name()));
        return out;
    }

    /** The backend's names of {@code t}'s primary key columns, in the key's order. */
    static List<String> backendKey(Table t) {
        List<String> out = new ArrayList<>();
        for (int p : t.primaryKey()) out.add(CacheGroup.backendName(t.columns().get(p).name()));
        return out;
    }
}
