package io.hourglass.engine.cache;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.log.LogTailer;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.spi.CacheBackend;
import io.hourglass.engine.txn.TransactionManager.RowChange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The write-behind of ASYNCHRONOUS WRITETHROUGH cache groups: it follows the log
 * ({@link LogTailer}, synced transactions only) and applies each committed transaction's changes
 * of such groups' tables to the backend, in commit order, on the cache agent's own thread.
 *
 * <p>Exactly once: every backend transaction it commits also moves the bookmarks of the groups
 * (one row per group in the backend, next to the cached table) to the log position it covers.
 * After a restart, a lost connection or a crash on either side, it reads the bookmarks and goes
 * on from the lowest; a transaction at or below a group's bookmark is not applied to that group
 * again. A Replication log hold keeps the log from the lowest bookmark on (the whole log until the
 * bookmarks are read), so nothing it still has to send is purged.
 *
 * <p>The row a change is made to is found in the backend by its key as it was: commits log,
 * for rows of these tables, their image before the transaction (BEFORE records), written only
 * for transactions of users (the agent's LOAD, REFRESH and UNLOAD are not sent back).
 *
 * <p>A transaction the backend refuses (a constraint, a value its column cannot hold, a row it
 * no longer has) is written to the error file ({@code <DataStore>.awterrs}, as TimesTen) and
 * skipped, so the ones after it still go; an unreachable backend is retried, nothing skipped.
 *
 * <p>ttCacheAWTThresholdSet bounds the hold: past that many log files it is dropped, and if a
 * purge then takes log the backend never got, the groups whose bookmark is before the log's first
 * file are lost ({@link #lost}): nothing more is sent to them until a LOAD or REFRESH puts the
 * cache back in line with the backend and moves the bookmark ({@link #resync}).
 */
final class WriteBehind {
    private static final Logger LOG = Logger.getLogger(WriteBehind.class.getName());
    /** Transactions read from the log per backend transaction, and changes at most (a larger transaction goes alone). */
    static final int BATCH_TRANSACTIONS = 256, BATCH_CHANGES = 10_000;
    /** How long the bookmarks may stay behind the log when none of the transactions read changed a group's table. */
    static final long IDLE_BOOKMARK_MILLIS = 1_000;

    private final String dsn;
    private final Catalog catalog;
    private final TransactionLog log;
    private final Path errorFile;
    private final Supplier<CacheBackend.Session> opener;
    private final Supplier<?> credentials;

    private CacheBackend.Session session;
    private Object sessionCredentials; // what the session was opened with: ttCacheUidPwdSet since retires it
    private LogTailer tailer;
    /** The groups' bookmarks as read from or written to the backend (by cache id); null until read. */
    private Map<Long, Long> marks;
    private long lastMarkMillis;
    /** How far the log is read: after the last transaction, or what carried nothing after it (the bookmarks may be behind it). */
    private long readUpTo;
    /**
     * The lowest bookmark of the groups read (-1: not known, hold the whole log; Long.MAX_VALUE:
     * every group is lost). {@link #from()} adds the bookmarks reloads moved since.
     */
    private volatile long confirmed = -1;
    /** The groups (cache ids) whose bookmarks {@link #confirmed} covers. */
    private volatile java.util.Set<Long> covered = java.util.Set.of();
    private volatile String lastError;
    /** Groups (cache ids) whose bookmark is before the log's first file: changes they never got were purged. */
    private final java.util.Set<Long> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Bookmarks a LOAD or REFRESH of a lost group moved (cache id to LSN), held until the next read of the bookmarks sees them. */
    private final Map<Long, Long> resynced = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean reread;
    /** Whether the hold is dropped now for ttCacheAWTThresholdSet (logged when it changes). */
    private final java.util.concurrent.atomic.AtomicBoolean overThreshold = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Just after the last commit with changes for the backend: as far as the log went at load if
     * such groups existed then (what the log holds past the bookmarks is not known before they are read).
     */
    private final java.util.concurrent.atomic.AtomicLong lastChange = new java.util.concurrent.atomic.AtomicLong();
    private String lastWarning;
    private long lastWarningMillis;
    private java.util.concurrent.CompletableFuture<Void> syncAsked;
    final LongAdder transactions = new LongAdder();
    final LongAdder errors = new LongAdder();

    /** @param credentials the backend credentials now: a session opened with others is replaced */
    WriteBehind(String dsn, Catalog catalog, TransactionLog log, Path errorFile, Supplier<CacheBackend.Session> opener,
                Supplier<?> credentials) {
        this.dsn = dsn;
        this.catalog = catalog;
        this.log = log;
        this.errorFile = errorFile;
        this.opener = opener;
        this.credentials = credentials;
        if (!awtGroups().isEmpty()) lastChange.set(log.appendedLsn());
        log.holds().register("awt", this::hold);
    }

    /** The ASYNCHRONOUS WRITETHROUGH groups (a restored one is stale and sends nothing). */
    private List<CacheGroup> awtGroups() {
        return catalog.cacheGroups().stream().filter(g -> g.asynchronous() && !g.restored()).toList();
    }

    /** Where the backend's changes stop: the log needed from here on (-1: not known; Long.MAX_VALUE: none needed). */
    private long from() { return from(true); }

    /**
     * The lowest bookmark of the groups not lost, and of those reloaded since the bookmarks were
     * read; -1 if not known. With {@code strict}, a group made since the bookmarks were read
     * makes it unknown (its bookmark may be lower).
     */
    private long from(boolean strict) {
        // (covered before confirmed: readMarks writes them the other way round, so a new covered
        // set is never read with an old position; see there)
        java.util.Set<Long> covers = covered;
        long at = confirmed;
        List<CacheGroup> all = awtGroups();
        if (at < 0) return all.isEmpty() ? Long.MAX_VALUE : -1;
        for (CacheGroup g : all) {
            Long r = resynced.get(g.cacheId());
            if (r != null) at = Math.min(at, r);
            else if (strict && !lost.contains(g.cacheId()) && !covers.contains(g.cacheId())) return -1;
        }
        return at;
    }

    private LogHolds.Hold hold() {
        long at = from();
        if (at == Long.MAX_VALUE || overThreshold(at)) return null;
        if (at < 0) {
            return new LogHolds.Hold(Lsn.pack(0, LogFormat.FILE_HEADER), LogHolds.REPLICATION,
                    "ASYNCHRONOUS WRITETHROUGH cache groups: the backend's bookmarks are not read yet (the cache agent is not running"
                            + " or cannot reach the backend), so the whole log is kept");
        }
        long behind = behindBytes();
        return new LogHolds.Hold(at, LogHolds.REPLICATION, "ASYNCHRONOUS WRITETHROUGH cache groups: the backend has every change up to "
                + Lsn.of(at) + (behind <= 0 ? "" : "; " + (behind >> 10) + " KB of log behind"));
    }

    /**
     * Whether a hold at {@code at} (-1: not known, counted from the log's first file) would keep
     * more log files than ttCacheAWTThresholdSet allows; says so in the server log when that changes.
     */
    private boolean overThreshold(long at) {
        int threshold = catalog.awtThreshold();
        int files = 0;
        if (threshold > 0) {
            int from;
            try {
                from = at >= 0 ? Lsn.of(at).file() : Lsn.of(logStart()).file();
            } catch (IOException e) {
                from = Lsn.of(log.appendedLsn()).file(); // not known: the hold stays
            }
            files = Lsn.of(log.appendedLsn()).file() - from + 1;
        }
        boolean over = threshold > 0 && files > threshold;
        if (overThreshold.compareAndSet(!over, over)) {
            if (over) {
                LOG.severe("ASYNCHRONOUS WRITETHROUGH of " + dsn + " keeps " + files + " log files for the backend, more than"
                        + " ttCacheAWTThresholdSet's " + threshold + ": its log hold is DROPPED. A purge may now take changes the backend"
                        + " has not received; a group that loses some stops sending until UNLOAD and LOAD (or REFRESH) of it");
            } else {
                LOG.info("ASYNCHRONOUS WRITETHROUGH of " + dsn + " is within ttCacheAWTThresholdSet's log files again: its log hold is back");
            }
        }
        return over;
    }

    /** The first LSN the log files still hold. */
    private long logStart() throws IOException {
        var files = log.files().list();
        return Lsn.pack(files.isEmpty() ? Lsn.of(log.appendedLsn()).file() : files.firstKey(), LogFormat.FILE_HEADER);
    }

    /** Synced log bytes the backend has not confirmed (0 when caught up or with no such group; -1 when not known). */
    long behindBytes() {
        long at = from();
        if (at == Long.MAX_VALUE) return 0;
        if (at < 0) return -1;
        return log.bytesBetween(at, log.syncedLsn());
    }

    String lastError() { return lastError; }

    /**
     * One round on the agent's thread: reads what the log has (synced) and applies it. Returns
     * whether it did something (the caller then comes back at once). A backend failure is
     * thrown after the session is dropped; the next round starts again from the bookmarks.
     */
    boolean round() throws IOException {
        List<CacheGroup> all = awtGroups();
        if (all.isEmpty()) {
            reset();
            confirmed = -1;
            lost.clear();
            resynced.clear();
            return false;
        }
        try {
            if (session != null && !java.util.Objects.equals(sessionCredentials, credentials.get())) reset();
            if (session == null) {
                sessionCredentials = credentials.get();
                session = opener.get();
            }
            if (marks == null || reread || !known(all)) readMarks(all);
            // The groups whose bookmarks were read (a lost group reloaded since joins at the next read).
            List<CacheGroup> groups = all.stream().filter(g -> marks.containsKey(g.cacheId())).toList();
            if (groups.isEmpty()) return false; // every group lost: nothing is sent until one is loaded again
            List<LogTailer.Committed> batch = new ArrayList<>();
            int[] changes = {0};
            long upTo = log.syncedLsn();
            while (batch.size() < BATCH_TRANSACTIONS && changes[0] < BATCH_CHANGES) {
                int n = tailer.poll(upTo, tx -> {
                    batch.add(tx);
                    changes[0] += tx.records().size();
                }, 1);
                if (n == 0) break;
            }
            if (batch.isEmpty()) {
                readUpTo = Math.max(readUpTo, tailer.readPosition());
                // Transactions that changed none of the groups' tables move the bookmarks too, a
                // while later (so the log hold moves on without a backend transaction per commit).
                if (readUpTo > confirmed && System.currentTimeMillis() - lastMarkMillis >= IDLE_BOOKMARK_MILLIS) {
                    commitMarks(groups, readUpTo);
                }
                askForSync();
                lastError = null;
                return false;
            }
            apply(groups, batch);
            readUpTo = batch.getLast().endLsn();
            lastError = null;
            return true;
        } catch (RuntimeException e) {
            lastError = String.valueOf(e.getMessage());
            warn(e);
            reset();
            throw e;
        }
    }

    /**
     * Non-durable commits reach the disk within the flusher's window (100 ms); asking for a sync
     * sends them sooner. One request at a time: the next one goes when that sync is done, so the
     * syncs this adds follow the disk's pace and each takes every commit made meanwhile.
     */
    private void askForSync() {
        long appended = log.appendedLsn();
        if (appended > log.syncedLsn() && (syncAsked == null || syncAsked.isDone())) syncAsked = log.whenDurable(appended);
    }

    /** Whether every group's bookmark was read (it is in {@link #marks}, or the group is lost). */
    private boolean known(List<CacheGroup> all) {
        if (marks.size() + lost.size() != all.size()) return false;
        for (CacheGroup g : all) if (!marks.containsKey(g.cacheId()) && !lost.contains(g.cacheId())) return false;
        return true;
    }

    /** The group's bookmark in the backend; a Failure if it is gone. */
    private static long bookmark(CacheBackend.Session s, CacheGroup g) {
        long m = s.bookmark(g.backendId(), CacheGroup.backendName(g.tableOwner()));
        if (m < 0) {
            throw new CacheBackend.Failure(false, "the bookmark of cache group " + g.qualifiedName() + " (table "
                    + CacheGroup.backendName(g.tableOwner()) + ".hourglass_bm_" + g.backendId()
                    + ") is gone from the backend: where its changes stopped is not known; drop and create the group", null);
        }
        return m;
    }

    /**
     * Reads every group's bookmark and follows the log from the lowest. A group whose bookmark is
     * before the log's first file is lost: the log it still needed was purged.
     */
    private void readMarks(List<CacheGroup> all) throws IOException {
        reread = false;
        long start = logStart();
        Map<Long, Long> read = new HashMap<>();
        Map<Long, Long> settled = new HashMap<>(); // resync points the bookmarks have reached
        java.util.Set<Long> behind = new java.util.HashSet<>();
        try {
            for (CacheGroup g : all) {
                long m = bookmark(session, g);
                if (m < start) behind.add(g.cacheId());
                else read.put(g.cacheId(), m);
                Long moved = resynced.get(g.cacheId());
                if (moved != null && m >= moved) settled.put(g.cacheId(), moved);
            }
            session.commit();
        } catch (CacheBackend.Failure f) {
            rollbackQuietly();
            throw f;
        }
        if (tailer != null) tailer.close();
        tailer = null;
        marks = read;
        lastMarkMillis = System.currentTimeMillis();
        long from = read.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE); // (none: all lost, none needs the log)
        if (!read.isEmpty()) {
            tailer = new LogTailer(log.files(), from);
            readUpTo = from;
        }
        // Other threads read these (from(): ttRepSubscriberWait, the log hold), so they change in
        // an order that never has a group counted as covered by a confirmed position past its
        // bookmark: the new position first, then the groups it covers, the lost ones, and last
        // the resync points the bookmarks replace. (Covered first, with the old position still
        // there, told ttRepSubscriberWait a reloaded group's changes were sent, and let the log
        // they need go, until the position followed.)
        confirmed = from;
        covered = java.util.Set.copyOf(read.keySet());
        for (CacheGroup g : all) {
            if (behind.contains(g.cacheId()) && lost.add(g.cacheId())) {
                LOG.severe(ErrorCode.AWT_CHANGES_LOST.error(g.qualifiedName(), catalog.awtThreshold(), " (database " + dsn
                        + ": its bookmark in the backend is before " + Lsn.of(start) + ", the log's first file)").getMessage());
            }
        }
        lost.retainAll(behind);
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (CacheGroup g : all) ids.add(g.cacheId());
        resynced.keySet().retainAll(ids); // groups dropped since
        settled.forEach(resynced::remove);
        progressed();
    }

    /**
     * Applies the batch in one backend transaction with the bookmarks moved to its end. If the
     * backend refuses something, the batch is rolled back and applied one transaction at a time,
     * the refused one going to the error file.
     */
    private void apply(List<CacheGroup> groups, List<LogTailer.Committed> batch) {
        Map<Long, CacheGroup> byTable = new HashMap<>();
        for (CacheGroup g : groups) {
            for (CacheGroup.Member m : g.tables()) {
                Table t = catalog.table(m.owner(), m.name());
                if (t != null) byTable.put(t.id(), g);
            }
        }
        List<List<RowChange>> all = new ArrayList<>(batch.size());
        int with = 0;
        for (LogTailer.Committed tx : batch) {
            List<RowChange> ch = changes(tx, byTable);
            all.add(ch);
            if (!ch.isEmpty()) with++;
        }
        if (with == 0 && System.currentTimeMillis() - lastMarkMillis < IDLE_BOOKMARK_MILLIS) {
            return; // nothing for the backend: the bookmarks move later, with the next change or after a while
        }
        try {
            // One list: a run of changes of one kind to one table goes as one JDBC batch across transactions.
            List<RowChange> together = new ArrayList<>();
            for (List<RowChange> ch : all) together.addAll(ch);
            CacheAgent.send(together, session);
            commitMarks(groups, batch.getLast().endLsn());
            transactions.add(with);
            return;
        } catch (CacheBackend.Failure f) {
            rollbackQuietly();
            // Unreachable, or refused for a reason that is not in the data (a privilege, a table
            // gone): nothing is skipped; the next round starts again from the bookmarks.
            if (!f.refusedData()) throw f;
        }
        for (int i = 0; i < batch.size(); i++) {
            LogTailer.Committed tx = batch.get(i);
            List<RowChange> ch = all.get(i);
            try {
                CacheAgent.send(ch, session);
                commitMarks(groups, tx.endLsn());
                if (!ch.isEmpty()) transactions.increment();
            } catch (CacheBackend.Failure f) {
                rollbackQuietly();
                if (!f.refusedData()) throw f;
                refused(tx, ch, f);
                commitMarks(groups, tx.endLsn());
                errors.increment();
            }
        }
    }

    /** Moves every group's bookmark to {@code lsn} (those already past it stay) and commits. */
    private void commitMarks(List<CacheGroup> groups, long lsn) {
        for (CacheGroup g : groups) {
            if (marks.get(g.cacheId()) < lsn) session.setBookmark(g.backendId(), CacheGroup.backendName(g.tableOwner()), lsn);
        }
        session.commit();
        for (CacheGroup g : groups) marks.merge(g.cacheId(), lsn, Math::max);
        confirmed = marks.values().stream().mapToLong(Long::longValue).min().orElse(lsn);
        lastMarkMillis = System.currentTimeMillis();
        progressed();
    }

    private final Object progress = new Object();

    /** Wakes the threads in {@link #awaitProgress}: the bookmarks moved. */
    private void progressed() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Waits until the bookmarks move, or {@code millis} pass (a move just before the call is not seen: callers look again). */
    void awaitProgress(long millis) throws InterruptedException {
        synchronized (progress) {
            progress.wait(millis);
        }
    }

    /**
     * The transaction's changes of the groups' tables that the backend has not got yet (past
     * their group's bookmark), in the order the commit logged them (the order it first changed
     * the rows): the row before (from the BEFORE record, null if new) and after (null if deleted).
     */
    private List<RowChange> changes(LogTailer.Committed tx, Map<Long, CacheGroup> byTable) {
        List<RowChange> out = new ArrayList<>();
        List<LogRecord> records = tx.records();
        for (int i = 0; i < records.size(); i++) {
            if (!(records.get(i) instanceof LogRecord.RowBefore b)) continue;
            CacheGroup g = byTable.get(b.tableId());
            if (g == null || tx.endLsn() <= marks.get(g.cacheId())) continue;
            Table t = catalog.tableById(b.tableId());
            if (t == null) continue; // its group was dropped since
            // The commit writes a row's BEFORE record right before the row's own: its INSERT or
            // UPDATE (the image after), or its DELETE.
            byte[] after = i + 1 < records.size() && records.get(i + 1) instanceof LogRecord.RowImage ri && ri.tableId() == b.tableId()
                    && ri.rowId() == b.rowId() ? ri.image() : null;
            if (b.image() == null && after == null) continue;
            out.add(new RowChange(t, b.image() == null ? null : t.codec().decode(b.image()), after == null ? null : t.codec().decode(after)));
        }
        return ForeignKeyOrder.of(out);
    }

    /**
     * A refused transaction: into the error file, with what it changed, and a warning. The entry
     * is on disk (DSYNC) before the caller moves the bookmark past the transaction, so a crash
     * cannot skip a transaction without its record; refusals are rare, so the sync costs little.
     */
    private void refused(LogTailer.Committed tx, List<RowChange> changes, CacheBackend.Failure f) {
        StringBuilder b = new StringBuilder();
        b.append(Instant.now()).append(" database ").append(dsn).append(": transaction ").append(tx.txnId()).append(" committed at ")
                .append(Instant.ofEpochMilli(tx.commitMillis())).append(" (log ").append(Lsn.of(tx.startLsn())).append(" to ")
                .append(Lsn.of(tx.endLsn())).append(") was not applied to the backend, which refused it: ").append(f.getMessage())
                .append('\n');
        for (RowChange c : changes) {
            String op = c.before() == null ? "INSERT" : c.after() == null ? "DELETE" : "UPDATE";
            b.append("  ").append(op).append(' ').append(c.table().qualifiedName());
            if (c.before() != null) b.append(" key ").append(Arrays.toString(CacheAgent.keyValues(c.table(), c.before())));
            if (c.after() != null) b.append(" row ").append(Arrays.toString(c.after()));
            b.append('\n');
        }
        try {
            Files.writeString(errorFile, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot write the ASYNCHRONOUS WRITETHROUGH error file " + errorFile + "; the refused transaction was:\n" + b, e);
        }
        LOG.warning("ASYNCHRONOUS WRITETHROUGH of " + dsn + ": the backend refused transaction " + tx.txnId() + "; it is skipped and written to "
                + errorFile + ": " + f.getMessage());
    }

    private void warn(Exception e) {
        String why = String.valueOf(e.getMessage());
        long now = System.currentTimeMillis();
        if (!why.equals(lastWarning) || now - lastWarningMillis >= 60_000) {
            lastWarning = why;
            lastWarningMillis = now;
            LOG.warning("ASYNCHRONOUS WRITETHROUGH of " + dsn + " cannot apply changes to the backend now (retried; the log keeps them, "
                    + "the same failure is logged once a minute): " + why);
        }
    }

    private void rollbackQuietly() {
        try {
            if (session != null) session.rollback();
        } catch (CacheBackend.Failure ignored) {
            // the session is dropped by the caller's failure handling
        }
    }

    /** Drops the session and the log position: the next round starts from the bookmarks. */
    void reset() {
        if (session != null) session.close();
        session = null;
        marks = null;
        if (tailer != null) {
            try {
                tailer.close();
            } catch (IOException ignored) {
                // a read handle
            }
        }
        tailer = null;
    }

    /** Stops using the log: the hold goes (the database is closing). */
    void close() {
        reset();
        log.holds().unregister("awt");
    }

    /** A transaction with changes for the backend committed, ending at {@code lsn}. */
    void committed(long lsn) { lastChange.accumulateAndGet(lsn, Math::max); }

    /** Where the last transaction with changes for the backend ends in the log (0: none since the agent began). */
    long lastChange() { return lastChange.get(); }

    /** Whether the backend has every change committed for it up to {@code lsn} (lost groups aside). */
    boolean hasChangesUpTo(long lsn) {
        // (a group made since the bookmarks were read has no change before it was made)
        return lsn == 0 || from(false) >= lsn;
    }

    /** See {@link io.hourglass.engine.sql.CacheService#writeBehindState}. */
    String state(CacheGroup g) {
        if (!g.asynchronous() || g.restored()) return null;
        if (lost.contains(g.cacheId())) return "LOST";
        return confirmed >= 0 && (covered.contains(g.cacheId()) || resynced.containsKey(g.cacheId())) ? "SENDING" : "NOT READ";
    }

    /** The groups known to be lost (see {@link #lost}). */
    List<CacheGroup> lostGroups() {
        return awtGroups().stream().filter(g -> lost.contains(g.cacheId())).toList();
    }

    /** Whether the group is lost, by its bookmark read now on {@code s} (the write-behind need not run). */
    boolean lost(CacheGroup g, CacheBackend.Session s) {
        long start;
        try {
            start = logStart();
        } catch (IOException e) {
            throw ErrorCode.INTERNAL.error("listing the log files: " + e.getMessage());
        }
        return bookmark(s, g) < start;
    }

    /**
     * A LOAD or REFRESH made a lost group's cache match the backend as of after {@code from} (the
     * log's end before it read the backend): its bookmark moves there, on {@code s}, and its
     * changes are sent again from there on.
     */
    void resync(CacheGroup g, CacheBackend.Session s, long from) {
        resynced.put(g.cacheId(), from); // held from here before the bookmark says so
        s.setBookmark(g.backendId(), CacheGroup.backendName(g.tableOwner()), from);
        s.commit();
        lost.remove(g.cacheId());
        reread = true;
        LOG.info("ASYNCHRONOUS WRITETHROUGH of " + dsn + ": cache group " + g.qualifiedName() + " matches the backend again; its"
                + " changes from " + Lsn.of(from) + " on are sent");
    }

    /** Whether the backend has every change of these groups committed up to {@code lsn} (true with no such group; lost ones aside). */
    boolean covers(long lsn) {
        return from() >= lsn;
    }
}
