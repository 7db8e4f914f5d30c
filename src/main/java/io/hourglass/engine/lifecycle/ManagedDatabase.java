package io.hourglass.engine.lifecycle;

import io.hourglass.engine.IoErrors;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.cache.CacheAgent;
import io.hourglass.engine.checkpoint.CheckpointFiles;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One database the instance defines, loaded or not: its RAM policy, the image loaded now, the
 * invalidated images its connections still hold, and every transition between them
 * (REFERENCE.md, "RAM policy, invalidation, reload"). All transitions run under this object's
 * monitor, so a load, an unload and a destroy never overlap; a reload after an invalidation
 * runs outside it, and connects meanwhile get TT0704.
 */
final class ManagedDatabase {
    private static final Logger LOG = Logger.getLogger(ManagedDatabase.class.getName());

    /** Where the database is in its life. */
    enum State {
        UNLOADED("unloaded"), LOADING("loading"), LOADED("loaded"), RECOVERING("recovering after invalidation"),
        DESTROYED("destroyed");

        final String label;

        State(String label) { this.label = label; }
    }

    private final Instance instance;
    final DatabaseConfig config;
    final Procedures procedures;
    private StoredSettings settings;
    private State state = State.UNLOADED;
    private Database current;
    private boolean afterInvalidation; // the last image was invalidated and none is loaded since
    private final List<Database> invalid = new CopyOnWriteArrayList<>();
    private int connecting; // connects between acquire() and connected()
    private ScheduledFuture<?> unloadTimer;

    /** The cache administration user (ttCacheUidPwdSet, or configured): held in memory only. */
    private volatile CacheAgent.Credentials cacheCredentials;

    ManagedDatabase(Instance instance, DatabaseConfig config, Procedures procedures) {
        this.instance = instance;
        if (config.cache().uid() != null) {
            cacheCredentials = new CacheAgent.Credentials(config.cache().uid(), config.cache().password());
        }
        this.config = config;
        this.procedures = procedures;
        this.settings = config.temporary() ? new StoredSettings(config.ramPolicy(), Map.of())
                : StoredSettings.read(instance.io(), StoredSettings.path(config), config.ramPolicy());
    }

    void setCacheCredentials(CacheAgent.Credentials c) { cacheCredentials = c; }

    CacheAgent.Credentials cacheCredentials() { return cacheCredentials; }

    synchronized RamPolicy policy() { return settings.policy(); }

    synchronized StoredSettings settings() { return settings; }

    synchronized State state() { return state; }

    /** The image loaded now (valid or invalidated), or null. */
    synchronized Database current() { return current; }

    List<Database> invalidImages() { return List.copyOf(invalid); }

    /** The loaded image for a new connection, loading it if the policy allows; pair with {@link #connected}. */
    Database acquire() {
        State loadAs;
        synchronized (this) {
            while (true) {
                retireIfInvalid();
                if (state == State.LOADED) {
                    cancelUnload();
                    connecting++;
                    return current;
                }
                if (state == State.LOADING) {
                    waitForChange();
                    continue;
                }
                if (state == State.RECOVERING) throw ErrorCode.DATA_STORE_RECOVERING.error(config.name());
                if (state == State.DESTROYED) throw ErrorCode.DATABASE_DESTROYED.error(config.name());
                // UNLOADED
                if (afterInvalidation ? !settings.policy().autoreload() : settings.policy().kind() == RamPolicy.Kind.MANUAL) {
                    throw ErrorCode.MANUALLY_UNLOADED.error();
                }
                break;
            }
            loadAs = afterInvalidation ? State.RECOVERING : State.LOADING;
            state = loadAs;
        }
        return load(loadAs, true);
    }

    /** Ends a connect {@link #acquire} began; a failed one may leave the database idle. */
    synchronized void connected(Database db, boolean ok) {
        connecting--;
        if (!ok) idle(db);
    }

    /** The last connection of {@code db} closed. */
    synchronized void idle(Database db) {
        if (db.connectionCount() > 0) return;
        if (invalid.remove(db)) {
            LOG.info("The invalidated image of " + config.name() + " lost its last connection and is freed");
            return;
        }
        if (db == current && state == State.LOADED && connecting == 0 && settings.policy().kind() == RamPolicy.Kind.IN_USE) {
            scheduleUnload();
        }
    }

    /**
     * ramLoad, or any admin load: loads the database if it is not loaded, reloading an
     * invalidated one whatever autoreload says, creating an empty one after a destroy.
     */
    void load() {
        State loadAs;
        synchronized (this) {
            while (true) {
                retireIfInvalid();
                if (state == State.LOADED) return;
                if (state == State.LOADING || state == State.RECOVERING) {
                    waitForChange();
                    continue;
                }
                break;
            }
            loadAs = afterInvalidation ? State.RECOVERING : State.LOADING;
            state = loadAs;
        }
        load(loadAs, false);
    }

    /** Builds a new image (recovering from the files) outside the monitor; state is LOADING or RECOVERING. */
    private Database load(State loadAs, boolean forConnect) {
        Database db = null;
        try {
            db = new Database(config, instance.admin(), instance.io(), this);
            Database image = db;
            db.adoptRestore(instance.io());
            db.attachCache(new CacheAgent(config.name(), db.catalog(), instance.cacheBackend(),
                    config.cache().backendUrl(), this::cacheCredentials, user -> image.agentConnection(user, procedures), db.log(),
                    java.nio.file.Path.of(config.dataStore() + ".awterrs")));
            db.startAging(procedures);
        } catch (RuntimeException e) {
            if (db != null) db.release(); // recovered, but not usable: its log and checkpointer stop
            synchronized (this) {
                state = State.UNLOADED;
                notifyAll();
            }
            throw e;
        }
        try {
            for (Map.Entry<String, Long> h : settings().backupHolds().entrySet()) registerBackupHold(db, h.getKey(), h.getValue());
            instance.fireLoaded(db);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a listener failed on the load of " + config.name(), e);
        }
        synchronized (this) {
            current = db;
            state = State.LOADED;
            afterInvalidation = false;
            if (forConnect) connecting++;
            notifyAll();
            if (loadAs == State.RECOVERING) LOG.info("Database " + config.name() + " reloaded and recovered after its invalidation");
            if (!forConnect) idle(db); // inUse with no connection: the grace period starts now
            return db;
        }
    }

    /**
     * ramUnload: only under the manual policy, only without connections. Takes the unload
     * checkpoint (blocking), so the next load replays no log.
     */
    synchronized void unload() {
        retireIfInvalid();
        if (settings.policy().kind() != RamPolicy.Kind.MANUAL) {
            throw ErrorCode.RAM_POLICY_REFUSED.error("ramUnload needs the manual RAM policy; " + config.name()
                    + "'s is " + settings.policy().kind().label);
        }
        if (state != State.LOADED) return;
        int n = current.connectionCount() + connecting;
        if (n > 0) throw ErrorCode.DATABASE_IN_USE.error(config.name(), n, "; ramUnload needs none");
        unloadNow("ramUnload");
    }

    /** The policy (or grace, or autoreload) changes: stored first, then applied. */
    void setPolicy(RamPolicy p) {
        boolean loadNow;
        synchronized (this) {
            StoredSettings next = settings.withPolicy(p);
            persist(next);
            settings = next;
            LOG.info("RAM policy of " + config.name() + ": " + p);
            retireIfInvalid();
            // An admin command changing the policy reloads an invalidated database (REFERENCE.md);
            // always loads a database that is not loaded.
            loadNow = state == State.UNLOADED && (afterInvalidation || p.kind() == RamPolicy.Kind.ALWAYS);
            if (state == State.LOADED && p.kind() == RamPolicy.Kind.IN_USE) idle(current);
            else cancelUnload();
        }
        if (loadNow) load();
    }

    /**
     * ttDestroy: removes the checkpoint files, the log files and the stored settings. With
     * connections open: waits up to {@code waitSeconds} for them to close, then refuses with
     * TT90027, or with {@code force} closes them (their transactions roll back).
     */
    synchronized void destroy(double waitSeconds, boolean force) {
        retireIfInvalid();
        long deadline = System.nanoTime() + (long) (waitSeconds * 1e9);
        while (state == State.LOADING || state == State.RECOVERING
                || (state == State.LOADED && current.connectionCount() + connecting > 0 && System.nanoTime() < deadline)) {
            waitForChange();
            retireIfInvalid();
        }
        if (state == State.LOADED) {
            int n = current.connectionCount() + connecting;
            if (n > 0 && !force) throw ErrorCode.DATABASE_IN_USE.error(config.name(), n, "; destroy with -force closes them");
            Database db = current;
            instance.fireUnloading(db);
            db.abandon();
            current = null;
        }
        cancelUnload();
        if (!config.temporary()) {
            try {
                removeFiles();
            } catch (IOException e) {
                state = State.UNLOADED;
                notifyAll();
                throw ErrorCode.INTERNAL.error("destroying " + config.name() + ": " + IoErrors.describe(e)
                        + " (some files may remain; remove them by hand)");
            }
            settings = new StoredSettings(config.ramPolicy(), Map.of());
        }
        state = State.DESTROYED;
        afterInvalidation = false;
        notifyAll();
        LOG.info("Database " + config.name() + " destroyed");
    }

    /** After a restore wrote the files of a destroyed (or never created) database: load it as the policy says. */
    void restored() {
        synchronized (this) {
            if (state == State.DESTROYED) state = State.UNLOADED;
            settings = StoredSettings.read(instance.io(), StoredSettings.path(config), config.ramPolicy());
            if (state != State.UNLOADED || settings.policy().kind() != RamPolicy.Kind.ALWAYS) return;
        }
        load();
    }

    /** For a restore: TT90024 unless the database is neither loaded nor has files. */
    synchronized void refuseIfPresent() {
        retireIfInvalid();
        if (state != State.UNLOADED && state != State.DESTROYED) {
            throw ErrorCode.DATABASE_EXISTS.error(config.name(), "it is " + state.label + " in this instance; destroy it first");
        }
        Database.refuseIfExists(config, instance.io());
    }

    /** Service shutdown: unload checkpoints for the loaded image, the invalid ones just go. */
    synchronized void shutdown() {
        cancelUnload();
        for (Database d : invalid) d.closeConnections();
        invalid.clear();
        if (current == null) return;
        if (current.invalidation() != null) {
            instance.fireUnloading(current);
            current.release();
            current.closeConnections();
        } else {
            unloadNow("shutdown");
        }
        current = null;
        state = State.UNLOADED;
    }

    /** Records (or with null lsn, releases) the Backup hold of an incremental backup directory. */
    synchronized void setBackupHold(Database db, String dir, Long lsn) {
        StoredSettings next = settings.withBackupHold(dir, lsn);
        persist(next);
        settings = next;
        if (lsn == null) db.log().holds().unregister("backup:" + dir);
        else registerBackupHold(db, dir, lsn);
    }

    private static void registerBackupHold(Database db, String dir, long lsn) {
        if (db.log() == null) return;
        LogHolds.Hold hold = new LogHolds.Hold(lsn, "Backup", "incremental backups in " + dir + " from " + Lsn.of(lsn));
        db.log().holds().register("backup:" + dir, () -> hold);
    }

    long memoryUsed() {
        long sum = 0;
        Database d = current();
        if (d != null) sum += d.transactions().memory().used();
        for (Database i : invalid) sum += i.transactions().memory().used();
        return sum;
    }

    // ---- under the monitor --------------------------------------------------------------------

    /** An invalidated current image leaves: its files are released, its connections keep it until they close. */
    private void retireIfInvalid() {
        if (current == null || current.invalidation() == null) return;
        Database db = current;
        instance.fireUnloading(db);
        db.release();
        if (db.connectionCount() > 0) invalid.add(db);
        current = null;
        state = State.UNLOADED;
        afterInvalidation = true;
        cancelUnload();
    }

    private void unloadNow(String why) {
        Database db = current;
        instance.fireUnloading(db);
        db.close();
        current = null;
        state = State.UNLOADED;
        afterInvalidation = false;
        notifyAll();
        LOG.info("Database " + config.name() + " unloaded (" + why + ")");
    }

    private void scheduleUnload() {
        cancelUnload();
        int grace = settings.policy().graceSeconds();
        unloadTimer = instance.scheduler().schedule(this::graceOver, grace, TimeUnit.SECONDS);
    }

    private synchronized void graceOver() {
        if (state != State.LOADED || settings.policy().kind() != RamPolicy.Kind.IN_USE) return;
        if (current.connectionCount() + connecting > 0) return;
        unloadNow("inUse, ramGrace " + settings.policy().graceSeconds() + " s after the last connection");
    }

    private void cancelUnload() {
        if (unloadTimer != null) {
            unloadTimer.cancel(false);
            unloadTimer = null;
        }
    }

    private void waitForChange() {
        try {
            wait(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ErrorCode.INTERNAL.error("interrupted while " + config.name() + " was " + state.label);
        }
    }

    private void persist(StoredSettings next) {
        if (config.temporary()) return;
        try {
            next.write(instance.io(), StoredSettings.path(config));
        } catch (IOException e) {
            throw ErrorCode.INTERNAL.error("cannot store the settings of " + config.name() + ": " + IoErrors.describe(e));
        }
    }

    private void removeFiles() throws IOException {
        var io = instance.io();
        CheckpointFiles ckpt = new CheckpointFiles(io, config.dataStore());
        for (int n = 0; n < 2; n++) if (io.exists(ckpt.path(n))) io.delete(ckpt.path(n));
        Path logDir = config.logDirectory();
        for (Path p : io.list(logDir, config.fileName() + ".log")) io.delete(p);
        if (io.exists(StoredSettings.path(config))) io.delete(StoredSettings.path(config));
        if (io.exists(Database.restoredMarker(config))) io.delete(Database.restoredMarker(config));
        io.syncDirectory(ckpt.directory());
        if (io.exists(logDir)) io.syncDirectory(logDir);
    }

    /** Why a state is what it is, for status. */
    synchronized String stateLabel() {
        if (state == State.LOADED && current.invalidation() != null) return "invalid";
        if (state == State.UNLOADED && afterInvalidation) return "invalid, not reloaded" + (settings.policy().autoreload() ? "" : " (noautoreload)");
        return state.label;
    }
}
