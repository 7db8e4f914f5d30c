package io.hourglass.engine.cache;

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
import java.util.concurrent.TimeUnit;
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

    private CacheBackend.Session session;
    private LogTailer tailer;
    /** The groups' bookmarks as read from or written to the backend (by cache id); null until read. */
    private Map<Long, Long> marks;
    private long lastMarkMillis;
    /** How far the log is read: after the last transaction, or what carried nothing after it (the bookmarks may be behind it). */
    private long readUpTo;
    /** The lowest bookmark of the groups: the log needed from here on (-1: not known, hold the whole log). */
    private volatile long confirmed = -1;
    private volatile String lastError;
    /**
     * Just after the last commit with changes for the backend: as far as the log went at load if
     * such groups existed then (what the log holds past the bookmarks is not known before they are read).
     */
    private final java.util.concurrent.atomic.AtomicLong lastChange = new java.util.concurrent.atomic.AtomicLong();
    private String lastWarning;
    private long lastWarningMillis;
    private long syncAsked;
    final LongAdder transactions = new LongAdder();
    final LongAdder errors = new LongAdder();

    WriteBehind(String dsn, Catalog catalog, TransactionLog log, Path errorFile, Supplier<CacheBackend.Session> opener) {
        this.dsn = dsn;
        this.catalog = catalog;
        this.log = log;
        this.errorFile = errorFile;
        this.opener = opener;
        if (!groups().isEmpty()) lastChange.set(log.appendedLsn());
        log.holds().register("awt", this::hold);
    }

    /** The groups whose changes go to the backend from the log. */
    private List<CacheGroup> groups() {
        return catalog.cacheGroups().stream().filter(g -> g.asynchronous() && !g.restored()).toList();
    }

    private LogHolds.Hold hold() {
        if (groups().isEmpty()) return null;
        long at = confirmed;
        if (at < 0) {
            return new LogHolds.Hold(Lsn.pack(0, LogFormat.FILE_HEADER), "Replication",
                    "ASYNCHRONOUS WRITETHROUGH cache groups: the backend's bookmarks are not read yet (the cache agent is not running"
                            + " or cannot reach the backend), so the whole log is kept");
        }
        long behind = behindBytes();
        return new LogHolds.Hold(at, "Replication", "ASYNCHRONOUS WRITETHROUGH cache groups: the backend has every change up to "
                + Lsn.of(at) + (behind == 0 ? "" : "; " + (behind >> 10) + " KB of log behind"));
    }

    /** Synced log bytes the backend has not confirmed (0 when caught up or with no such group; -1 when not known). */
    long behindBytes() {
        long at = confirmed;
        if (groups().isEmpty()) return 0;
        if (at < 0) return -1;
        return log.bytesBetween(at, log.syncedLsn());
    }

    /** The lowest bookmark, or -1. */
    long confirmed() { return confirmed; }

    String lastError() { return lastError; }

    /**
     * One round on the agent's thread: reads what the log has (synced) and applies it. Returns
     * whether it did something (the caller then comes back at once). A backend failure is
     * thrown after the session is dropped; the next round starts again from the bookmarks.
     */
    boolean round() throws IOException {
        List<CacheGroup> groups = groups();
        if (groups.isEmpty()) {
            reset();
            confirmed = -1;
            return false;
        }
        try {
            if (session == null) session = opener.get();
            if (marks == null || !marks.keySet().equals(ids(groups))) readMarks(groups);
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

    /** Non-durable commits reach the disk within the flusher's window; asking for a sync sends them sooner. */
    private void askForSync() {
        long now = System.nanoTime();
        long appended = log.appendedLsn();
        if (appended > log.syncedLsn() && now - syncAsked > TimeUnit.MILLISECONDS.toNanos(10)) {
            syncAsked = now;
            log.whenDurable(appended);
        }
    }

    private static java.util.Set<Long> ids(List<CacheGroup> groups) {
        java.util.Set<Long> out = new java.util.HashSet<>();
        for (CacheGroup g : groups) out.add(g.cacheId());
        return out;
    }

    /** Reads every group's bookmark and follows the log from the lowest. */
    private void readMarks(List<CacheGroup> groups) throws IOException {
        Map<Long, Long> read = new HashMap<>();
        try {
            for (CacheGroup g : groups) {
                long m = session.bookmark(g.backendId(), CacheGroup.backendName(g.tableOwner()));
                if (m < 0) {
                    throw new CacheBackend.Failure(false, "the bookmark of cache group " + g.qualifiedName() + " (table "
                            + CacheGroup.backendName(g.tableOwner()) + ".hourglass_bm_" + g.backendId()
                            + ") is gone from the backend: where its changes stopped is not known; drop and create the group", null);
                }
                read.put(g.cacheId(), m);
            }
            session.commit();
        } catch (CacheBackend.Failure f) {
            rollbackQuietly();
            throw f;
        }
        long from = read.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        if (tailer != null) tailer.close();
        tailer = new LogTailer(log.files(), from);
        marks = read;
        confirmed = from;
        readUpTo = from;
        lastMarkMillis = System.currentTimeMillis();
    }

    /**
     * Applies the batch in one backend transaction with the bookmarks moved to its end. If the
     * backend refuses something, the batch is rolled back and applied one transaction at a time,
     * the refused one going to the error file.
     */
    private void apply(List<CacheGroup> groups, List<LogTailer.Committed> batch) {
        Map<Long, CacheGroup> byTable = new HashMap<>();
        for (CacheGroup g : groups) {
            Table t = catalog.table(g.tableOwner(), g.tableName());
            if (t != null) byTable.put(t.id(), g);
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
        return out;
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

    /** Whether the backend has every change committed for it so far. */
    boolean hasAllChanges() {
        long last = lastChange.get();
        return last == 0 || confirmed >= last;
    }

    /** Whether the backend has every change of these groups committed up to {@code lsn} (true with no such group). */
    boolean covers(long lsn) {
        return groups().isEmpty() || confirmed >= lsn;
    }
}
