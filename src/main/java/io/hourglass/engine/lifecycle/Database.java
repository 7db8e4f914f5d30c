package io.hourglass.engine.lifecycle;

import io.hourglass.engine.IoErrors;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.cache.CacheAgent;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.InstanceSecret;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.checkpoint.Activities;
import io.hourglass.engine.checkpoint.CheckpointFiles;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.log.LogBatch;
import io.hourglass.engine.log.LogFiles;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.log.TransactionLog;
import io.hourglass.engine.recovery.ImageBuilder;
import io.hourglass.engine.recovery.Recovery;
import io.hourglass.engine.spi.StorageIo;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.sql.MonitorStats;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.txn.Isolation;
import io.hourglass.engine.txn.TransactionManager;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One loaded database: its catalog, its transactions and log, its connections and counters.
 * Opening a persistent database recovers it from its log; closing it logs a clean shutdown.
 */
public final class Database {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    private final DatabaseConfig config;
    private final Catalog catalog;
    private final TransactionManager transactions;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
    private final LongAdder statements = new LongAdder();
    private final LongAdder statementErrors = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder prepares = new LongAdder();
    private final LongAdder reprepares = new LongAdder();
    private volatile String firstConnect; // SYS.MONITOR's TIME_OF_1ST_CONNECT
    private final TransactionLog log;
    private final Recovery.Report recovery;
    private final Activities activities;
    private final Checkpointer checkpointer;
    private volatile CacheAgent cacheAgent;
    private volatile AgingAgent agingAgent;
    private volatile HourglassException invalidated;
    private final ManagedDatabase home; // null for a database written by create()

    Database(DatabaseConfig config, InstanceSecret instanceAdmin, StorageIo io, ManagedDatabase home) {
        this.config = config;
        this.home = home;
        this.transactions = new TransactionManager(new MemoryAccount(config.permSizeMb() * 1024 * 1024),
                new TempSpace(config.tempSizeBytes()));
        this.activities = new Activities(config.name());
        if (config.temporary()) {
            this.catalog = new Catalog(instanceAdmin);
            this.log = null;
            this.recovery = null;
            this.checkpointer = null;
            transactions.onBroken(this::invalidate);
            return;
        }
        LogFiles files = new LogFiles(io, config.logDirectory(), config.fileName(), config.logFileSizeMb() * 1024L * 1024L);
        CheckpointFiles ckptFiles = new CheckpointFiles(io, config.dataStore());
        if (io.exists(createMarker(config))) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + "'s files are a restore that was cut short (" + createMarker(config)
                    + " is still there); restore it again, which removes them first");
        }
        try {
            this.recovery = Recovery.run(files, ckptFiles, () -> new Catalog(instanceAdmin), transactions,
                    config.recoveryThreads(), config.ckptReadThreads());
            this.catalog = recovery.catalog();
            if (recovery.log().tornTail() != null) {
                LOG.warning(ErrorCode.TORN_LOG_TAIL.error(Lsn.of(recovery.log().end()),
                        recovery.log().tornTail()).getMessage());
            }
            if (recovery.neededAfterCrash()) {
                LOG.warning("TT20100: Database " + config.name() + " was not shut down cleanly; recovered "
                        + recovery.transactions() + " transaction(s) from the log");
            }
            long databaseId = recovery.databaseId() != 0 ? recovery.databaseId() : new SecureRandom().nextLong() | 1;
            TransactionLog.Settings settings = TransactionLog.Settings.defaults(config.logBufMb() * 1024L * 1024L);
            this.log = new TransactionLog(files, settings, databaseId, recovery.log().end(),
                    recovery.log().staleAfterEnd(), this::invalidate);
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": " + IoErrors.describe(e));
        }
        transactions.attachLog(log);
        transactions.onBroken(this::invalidate);
        this.checkpointer = new Checkpointer(config.name(), ckptFiles, catalog, transactions, log, recovery.checkpoints(),
                this::checkpointSettings, config.logPurge() == 0, activities);
        checkpointer.start(recovery.neededAfterCrash() && recovery.transactions() > 0
                ? "recovery (" + recovery.transactions() + " transaction(s) replayed after a crash)" : null);
    }

    /** A new database's files around an image rebuilt elsewhere (see {@link #create}). */
    private Database(DatabaseConfig config, StorageIo io, ImageBuilder.Image image, LogFiles files) throws IOException {
        this.config = config;
        this.home = null;
        this.transactions = image.transactions();
        this.activities = new Activities(config.name());
        this.catalog = image.catalog();
        this.recovery = null;
        Lsn end = Lsn.of(image.endLsn());
        // The log goes on right after the image's last transaction, so its LSNs continue the
        // archived ones; a smaller LogFileSize than the source's starts the next file instead.
        long start = end.offset() < files.fileSize() ? image.endLsn() : Lsn.pack(end.file() + 1, LogFormat.FILE_HEADER);
        this.log = new TransactionLog(files, TransactionLog.Settings.defaults(config.logBufMb() * 1024L * 1024L),
                image.databaseId(), start, false, this::invalidate);
        transactions.attachLog(log);
        this.checkpointer = new Checkpointer(config.name(), new CheckpointFiles(io, config.dataStore()), catalog, transactions,
                log, new CheckpointFiles.State(), this::checkpointSettings, config.logPurge() == 0, activities);
        checkpointer.continueIdsAfter(image.lastCheckpointId());
    }

    /** TT90024 when {@code config}'s database has checkpoint or log files already; TT90019 for a Temporary one. */
    public static void refuseIfExists(DatabaseConfig config, StorageIo io) {
        if (config.temporary()) throw ErrorCode.UNSUPPORTED.error("restoring into a Temporary database");
        LogFiles files = logFiles(config, io);
        CheckpointFiles ckpt = new CheckpointFiles(io, config.dataStore());
        for (int n = 0; n < 2; n++) {
            if (io.exists(ckpt.path(n))) throw ErrorCode.DATABASE_EXISTS.error(config.name(), ckpt.path(n));
        }
        try {
            if (io.exists(files.dir()) && !files.list().isEmpty()) {
                throw ErrorCode.DATABASE_EXISTS.error(config.name(), "log files in " + files.dir());
            }
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": " + IoErrors.describe(e));
        }
    }

    private static LogFiles logFiles(DatabaseConfig config, StorageIo io) {
        return new LogFiles(io, config.logDirectory(), config.fileName(), config.logFileSizeMb() * 1024L * 1024L);
    }

    /**
     * Writes {@code image} as the files of the new database {@code config} describes: a
     * blocking checkpoint of it and a log that goes on after its last transaction, so the
     * database then loads normally and replays nothing. Durable on return: the checkpoint file,
     * its header, the log file (and its directory entry) and a shutdown record are all synced.
     * TT90024 when the database already has files (a restore never overwrites).
     *
     * <p>A marker ({@link #createMarker}) is written and synced before anything else and removed
     * last. If writing fails, what was written is removed again; if the process dies meanwhile,
     * the marker stays: a load then refuses the files (TT848) and the next restore into the
     * same database removes them first ({@link #prepareRestoreTarget}).
     */
    public static void create(DatabaseConfig config, StorageIo io, ImageBuilder.Image image) {
        refuseIfExists(config, io);
        LogFiles files = logFiles(config, io);
        try {
            io.createDirectories(files.dir());
            beginRestore(config, io);
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": writing the restored database: " + IoErrors.describe(e));
        }
        try {
            Database db = new Database(config, io, image, files);
            try {
                // Must succeed: without a checkpoint the log (which starts late) cannot be loaded.
                db.checkpointer.checkpoint(new Checkpointer.Request(Checkpointer.Type.BLOCKING, Checkpointer.Initiator.SUBDAEMON,
                        "restore", 0, false, 0, 0));
            } finally {
                db.close();
            }
            endRestore(config, io);
        } catch (IOException | RuntimeException e) {
            try {
                removeInterruptedCreate(config, io);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof HourglassException he) throw he;
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": writing the restored database: " + e.getMessage());
        }
    }

    /**
     * Writes and syncs the marker of a restore under way, before its first file: until
     * {@link #endRestore}, a load refuses the database's files and a restore removes them.
     */
    public static void beginRestore(DatabaseConfig config, StorageIo io) throws IOException {
        CheckpointFiles ckpt = new CheckpointFiles(io, config.dataStore());
        io.createDirectories(ckpt.directory());
        try (StorageIo.FileHandle h = io.open(createMarker(config), true)) {
            h.sync();
        }
        io.syncDirectory(ckpt.directory());
    }

    /**
     * The restore's files are all durable: its marker becomes the {@link #restoredMarker} in one
     * rename (durable too), which the first load consumes.
     */
    public static void endRestore(DatabaseConfig config, StorageIo io) throws IOException {
        io.rename(createMarker(config), restoredMarker(config));
        io.syncDirectory(new CheckpointFiles(io, config.dataStore()).directory());
    }

    /** Left by a finished restore until the first load has marked the cache groups restored ({@link #adoptRestore}). */
    public static java.nio.file.Path restoredMarker(DatabaseConfig config) {
        return java.nio.file.Path.of(config.dataStore() + ".restored");
    }

    /**
     * At the first load after a restore (its marker is there): the cache agent is stopped and
     * every cache group marked restored, durably, and then the marker goes. Such groups are
     * stale, and their backend change logs may be gone or still in use by the database the
     * backup came from: they must not take entries from it, nor drop it. Returns whether this
     * image is such a first load. A crash before the marker goes repeats it, harmlessly.
     */
    boolean adoptRestore(StorageIo io) {
        if (config.temporary() || !io.exists(restoredMarker(config))) return false;
        if (catalog.cacheAgentRunning()) {
            CatalogChanges.logAndApply(catalog, transactions, new CatalogChange.CacheAgent(false));
        }
        if (catalog.cacheGroups().stream().anyMatch(g -> !g.restored())) {
            CatalogChanges.logAndApply(catalog, transactions, new CatalogChange.RestoredCacheGroups());
            LOG.warning("Database " + config.name() + " was restored: its cache groups are marked restored (stale, never refreshed;"
                    + " DROP CACHE GROUP leaves the backend alone) and its cache agent is stopped; drop and create them again");
        }
        try {
            io.delete(restoredMarker(config));
            io.syncDirectory(new CheckpointFiles(io, config.dataStore()).directory());
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": removing " + restoredMarker(config) + ": " + IoErrors.describe(e));
        }
        return true;
    }

    /** The file a restore writes first and removes last: while it exists, the database's files are incomplete. */
    public static java.nio.file.Path createMarker(DatabaseConfig config) {
        return java.nio.file.Path.of(config.dataStore() + ".restoring");
    }

    /**
     * Removes what a restore cut short left behind (its marker says so): the checkpoint files,
     * the log files, then the marker. Returns whether there was any. Files of a database without
     * the marker are never touched. Durable on return: both directories are synced after the
     * deletions, the marker's last, so a crash part-way leaves the marker and a retry finishes.
     */
    public static boolean removeInterruptedCreate(DatabaseConfig config, StorageIo io) throws IOException {
        java.nio.file.Path marker = createMarker(config);
        if (!io.exists(marker)) return false;
        CheckpointFiles ckpt = new CheckpointFiles(io, config.dataStore());
        for (int n = 0; n < 2; n++) {
            if (io.exists(ckpt.path(n))) io.delete(ckpt.path(n));
        }
        LogFiles files = logFiles(config, io);
        var logs = files.list().values(); // none when the log directory was never made
        for (java.nio.file.Path p : logs) io.delete(p);
        if (!logs.isEmpty()) io.syncDirectory(files.dir());
        io.syncDirectory(ckpt.directory()); // the files' removal is durable before the marker's
        io.delete(marker);
        io.syncDirectory(ckpt.directory());
        return true;
    }

    /**
     * Makes {@code config}'s database ready to be restored into: removes the files of a restore
     * that was cut short, if any (returns true then), and refuses (TT90024) if real files remain.
     */
    public static boolean prepareRestoreTarget(DatabaseConfig config, StorageIo io) {
        boolean removed;
        try {
            removed = removeInterruptedCreate(config, io);
        } catch (IOException e) {
            throw ErrorCode.RECOVERY_FAILED.error(config.name() + ": removing the files of a restore cut short: " + IoErrors.describe(e));
        }
        refuseIfExists(config, io);
        return removed;
    }

    /** The checkpoint settings in force: ttCkptConfig's stored values, else the configured attributes. */
    public Checkpointer.Settings checkpointSettings() {
        var stored = catalog.checkpointSettings();
        return new Checkpointer.Settings(
                stored.frequencySeconds() != null ? stored.frequencySeconds() : config.ckptFrequency(),
                stored.logVolumeMb() != null ? stored.logVolumeMb() : config.ckptLogVolume(),
                stored.rateMbPerSecond() != null ? stored.rateMbPerSecond() : config.ckptRate());
    }

    /** The checkpoint writer, or null for a Temporary database. */
    public Checkpointer checkpointer() { return checkpointer; }

    /** The cache agent; it runs now if ttCacheStart left it running. */
    void attachCache(CacheAgent agent) {
        cacheAgent = agent;
        if (catalog.cacheAgentRunning()) agent.start();
    }

    /** The cache agent of this image, or null. */
    public CacheAgent cacheAgent() { return cacheAgent; }

    /** Starts aging on this image: ttAgingScheduleNow, and every policy that is ON, time-based and LRU. */
    void startAging(Procedures procedures) {
        agingAgent = new AgingAgent(config.name(), catalog, transactions, () -> {
            User u = catalog.user(Catalog.INSTANCE_ADMIN);
            Connection c = new Connection(this, u, Isolation.READ_COMMITTED, config.lockWaitSeconds(), procedures, "aging");
            c.writeCacheTables(); // (a cache table's aged rows go here only, as UNLOAD's)
            return c;
        });
    }

    /** The aging agent of this image, or null before it starts. */
    AgingAgent agingAgent() { return agingAgent; }

    /** LRU aging cycles done since the load (each one ttAgingScheduleNow asks for counts once done). */
    public long lruCycles() {
        AgingAgent a = agingAgent;
        return a == null ? 0 : a.lruCycles();
    }

    /** Rows aging (time-based and LRU) deleted since the load. */
    public long agedRows() {
        AgingAgent a = agingAgent;
        return a == null ? 0 : a.agedRows();
    }

    /** A connection of the cache agent as {@code user}: it may write READONLY cache tables. */
    Connection agentConnection(String user, Procedures procedures) {
        User u = catalog.user(user);
        if (u == null) throw ErrorCode.USER_NOT_FOUND.error(user);
        Connection c = new Connection(this, u, config.isolation(), config.lockWaitSeconds(), procedures, "cache agent");
        c.writeCacheTables();
        return c;
    }

    /** Stops the image's background agents, which work through connections: the cache agent, aging. */
    private void stopAgents() {
        CacheAgent a = cacheAgent;
        if (a != null) a.close();
        AgingAgent g = agingAgent;
        if (g != null) g.close();
    }

    /** The slot a checkpoint or backup holds while it runs. */
    public Activities activities() { return activities; }

    public String name() { return config.name(); }

    public DatabaseConfig config() { return config; }

    public Catalog catalog() { return catalog; }

    public TransactionManager transactions() { return transactions; }

    /** The recovery this load ran, or null for a Temporary database. */
    public Recovery.Report recovery() { return recovery; }

    /** The log writer, or null for a Temporary database. */
    public TransactionLog log() { return log; }

    public boolean loaded() { return invalidated == null; }

    /** Why the database was invalidated, or null while it is valid. */
    public HourglassException invalidation() { return invalidated; }

    /**
     * Marks the database invalid after a fatal error (a failed log write or sync): every
     * connection gets TT0994 on its next call. The in-memory image is kept until its
     * connections are gone; nothing of it is trusted to be durable.
     */
    synchronized void invalidate(HourglassException cause) {
        if (invalidated != null) return;
        invalidated = cause;
        LOG.log(Level.SEVERE, "Database " + config.name() + " invalidated", cause.getCause() != null ? cause.getCause() : cause);
        // Nothing more of this image may reach disk: a checkpoint of it would make lost commits
        // durable. A failed log is failed already; for any other cause, fail it now.
        if (log != null && !log.failed()) log.fail(cause);
    }

    /**
     * Lets go of the files of an invalidated image (its checkpointer stops, its failed log
     * closes), so a reload can open them; its connections keep the image until they close.
     */
    void release() {
        stopAgents();
        if (checkpointer != null) checkpointer.close();
        if (log != null) log.close();
    }

    /** Closes every connection (their transactions roll back). */
    void closeConnections() {
        for (Connection c : connections()) c.close();
    }

    /** Destroy: connections closed, background work stopped, no checkpoint (the files go next). */
    void abandon() {
        stopAgents();
        closeConnections();
        release();
    }

    /**
     * The open connections of applications. A background agent's own (the cache agent's, aging's)
     * are not counted: the agents stop before an unload closes the other connections, so theirs
     * never keep a database in use, nor hold up ramUnload, destroy or the inUse grace.
     */
    public int connectionCount() {
        int n = 0;
        for (Connection c : connections) if (c.agent() == null) n++;
        return n;
    }

    public Set<Connection> connections() { return Set.copyOf(connections); }

    long nextConnectionId() { return connectionIds.incrementAndGet(); }

    /** Counts a connection about to open; TT0702 past the Connections attribute. */
    void admit() {
        if (admitted.incrementAndGet() > config.connections()) {
            admitted.decrementAndGet();
            throw ErrorCode.TOO_MANY_CONNECTIONS.error(config.connections());
        }
    }

    /** Gives back what {@link #admit} counted, for a connection that did not open after all. */
    void unadmit() { admitted.decrementAndGet(); }

    void opened(Connection c) {
        connections.add(c);
        if (c.agent() != null) return; // (SYS.MONITOR counts applications' connections, as connectionCount does)
        connects.increment();
        if (firstConnect == null) {
            synchronized (this) {
                if (firstConnect == null) firstConnect = FIRST_CONNECT.format(LocalDateTime.now());
            }
        }
    }

    void closed(Connection c) {
        if (connections.remove(c)) {
            admitted.decrementAndGet();
            if (c.agent() == null) disconnects.increment();
        }
        // (an agent's connection closing never calls in: an unload holding the database's monitor
        // may be waiting for that agent to stop)
        if (home != null && c.agent() == null && connectionCount() == 0) home.idle(this);
    }

    /**
     * Records where the next incremental backup into {@code dir} starts (null: releases it); the
     * Backup log hold keeps that log until then, across restarts.
     */
    public void setBackupHold(String dir, Long lsn) {
        if (home == null || log == null) throw ErrorCode.UNSUPPORTED.error("incremental backups of " + config.name());
        home.setBackupHold(this, dir, lsn);
    }

    /** The incremental backup directories and the LSN each needs next. */
    public java.util.Map<String, Long> backupHolds() {
        return home == null ? java.util.Map.of() : home.settings().backupHolds();
    }

    void countStatement(boolean ok) {
        statements.increment();
        if (!ok) statementErrors.increment();
    }

    /**
     * Closes the database: rolls back open transactions, logs a clean shutdown and makes the
     * whole log durable. Returns once all committed work is on disk (unless the log had failed).
     */
    void close() {
        stopAgents();
        closeConnections();
        if (checkpointer != null) {
            // The unload checkpoint: the next load starts from it and replays no log.
            if (invalidated == null) checkpointer.unload(config.lockWaitSeconds());
            else checkpointer.close();
        }
        if (log != null) {
            if (invalidated == null) {
                try {
                    long end = log.append(new LogBatch().shutdown());
                    log.whenDurable(end).join();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not log a clean shutdown of " + config.name(), e);
                }
            }
            log.close();
        }
    }

    /** The oldest log file kept (the one being written if none is on disk yet); the database must have a log. */
    int firstLogFile() {
        try {
            var files = log.files().list();
            return files.isEmpty() ? Lsn.of(log.appendedLsn()).file() : files.firstKey();
        } catch (IOException e) {
            throw ErrorCode.INTERNAL.error("listing log files: " + IoErrors.describe(e));
        }
    }

    /** The holds on the log, lowest first, as ttLogHolds shows them: one below the oldest file kept holds that file. */
    /**
     * TimesTen's replication bookmark: the oldest log position the Replication hold (ASYNCHRONOUS
     * WRITETHROUGH) keeps, as ttLogHolds shows it; null if nothing holds it or there is no log.
     */
    Lsn replicationHold() {
        if (log == null) return null;
        return shownHolds().stream().filter(h -> h.type().equals(LogHolds.REPLICATION)).map(h -> Lsn.of(h.lsn()))
                .min(Lsn::compareTo).orElse(null);
    }

    List<LogHolds.Hold> shownHolds() {
        long first = Lsn.pack(firstLogFile(), LogFormat.FILE_HEADER);
        return log.holds().holds().stream().map(h -> h.lsn() >= first ? h : new LogHolds.Hold(first, h.type(), h.description())).toList();
    }

    /**
     * ttBackupStatus: the backup running now, or the last one since the load.
     *
     * @param state 1 running, 2 completed, 3 failed (TimesTen's codes; 0, none yet, is no record)
     * @param stream true for a streamFull backup, false for one into a directory
     * @param full null until known (running), then whether it was full (not incremental)
     * @param lsn the backup point, once completed
     * @param error the failure's TT number
     */
    public record BackupStatus(int state, boolean stream, Boolean full, LocalDateTime start, LocalDateTime end, Long lsn, Integer error) {
        public static BackupStatus running(boolean stream) { return new BackupStatus(1, stream, null, LocalDateTime.now(), null, null, null); }

        public BackupStatus completed(boolean wasFull, long at) { return new BackupStatus(2, stream, wasFull, start, LocalDateTime.now(), at, null); }

        public BackupStatus failed(int number) { return new BackupStatus(3, stream, full, start, LocalDateTime.now(), null, number); }
    }

    private volatile BackupStatus backupStatus;

    /** The backup running now, or the last one since the load; null if none. */
    public BackupStatus backupStatus() { return backupStatus; }

    public void backupStatus(BackupStatus s) { backupStatus = s; }

    /** A statement prepared (SYS.MONITOR's CMD_PREPARES). */
    void prepared() { prepares.increment(); }

    /** A prepared statement planned again: DDL, a grant, a table grown fourfold, ttOptUpdateStats (CMD_REPREPARES). */
    void replanned() { reprepares.increment(); }

    /** TimesTen's TIME_OF_1ST_CONNECT, as C's ctime writes a time: {@code Thu Sep  5 00:48:03 2024}. */
    private static final DateTimeFormatter FIRST_CONNECT = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    /** SYS.MONITOR: the counters since the load and the memory in use now. */
    public MonitorStats monitor() {
        var t = transactions;
        var ck = checkpointer == null ? new Checkpointer.Totals(0, 0, 0) : checkpointer.totals();
        Long last = null, first = null, holdFile = null, holdOffset = null;
        if (log != null) {
            last = (long) Lsn.of(log.appendedLsn()).file();
            first = (long) firstLogFile();
            Lsn hold = replicationHold();
            holdFile = hold == null ? -1L : hold.file();
            holdOffset = hold == null ? -1L : hold.offset();
        }
        return new MonitorStats(firstConnect, connects.sum(), disconnects.sum(), ck.completed(), ck.fuzzy(),
                t.memory().limit() >> 10, t.memory().used() >> 10, t.memory().highWater() >> 10,
                t.temp().limit() >> 10, t.temp().used() >> 10, t.temp().highWater() >> 10,
                t.begins(), t.commits(), t.durableCommits(), t.rollbacks(), log == null ? 0 : log.forces(),
                t.locks().deadlocks(), t.locks().timeouts(), t.locks().grantsAfterWait(), prepares.sum(), reprepares.sum(),
                last, holdFile, holdOffset, first, log == null ? 0 : log.bytesToBuffer(), log == null ? 0 : log.fileWrites(),
                log == null ? 0 : log.bufferWaits(), ck.bytesWritten(), recovery != null && recovery.neededAfterCrash());
    }

    /** Counters for metrics: statements, failed statements, commits, rollbacks, lock waits. */
    public Stats stats() {
        var t = transactions;
        return new Stats(statements.sum(), statementErrors.sum(), t.commits(), t.rollbacks(), t.locks().waits(),
                t.locks().timeouts(), t.locks().deadlocks(), t.memory().used(), t.memory().limit());
    }

    public record Stats(long statements, long statementErrors, long commits, long rollbacks, long lockWaits,
                        long lockTimeouts, long deadlocks, long permInUse, long permSize) {}
}
