package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.InstanceSecret;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.spi.CacheBackend;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.spi.StorageIo;
import io.hourglass.engine.txn.Isolation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The Hourglass instance: the databases it defines, loaded or not, and their instance
 * administrator. This is the engine's entry point; the service and the embedded API both start
 * here. Each database follows its RAM policy (see {@link ManagedDatabase}); databases with the
 * {@code always} policy (the default) are loaded, and recovered, by the constructor.
 */
public final class Instance implements AutoCloseable {
    public static final String VERSION = "Hourglass 0.1.0";

    /** Hears of loads and unloads (the Kafka archive attaches its shippers to each loaded image). */
    public interface Listener {
        /** {@code db} was loaded (recovered) and is about to take connections. */
        void loaded(Database db);

        /** {@code db} is about to be unloaded, destroyed, or left after an invalidation. */
        void unloading(Database db);
    }

    private final Map<String, ManagedDatabase> databases = new LinkedHashMap<>();
    private final InstanceSecret admin;
    private final StorageIo io;
    private final CacheBackend cacheBackend;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("hourglass-ram-policy").unstarted(r));
    private volatile boolean faultInjection;

    /** An instance on the real file system. */
    public Instance(String adminPassword, Collection<DatabaseConfig> configs) {
        this(adminPassword, configs, FileStorageIo.INSTANCE);
    }

    /**
     * Defines every database and loads those whose RAM policy is {@code always}, recovering
     * persistent ones from their files.
     *
     * @param adminPassword the instance administrator's password; required, never defaulted
     * @param io where every file operation goes (tests inject faults here)
     */
    public Instance(String adminPassword, Collection<DatabaseConfig> configs, StorageIo io) {
        this(adminPassword, configs, io, CacheBackend.NONE);
    }

    /**
     * As {@link #Instance(String, Collection, StorageIo)}, with the backend database of cache
     * groups ({@code io.hourglass.cache.PostgresBackend} in the service).
     */
    public Instance(String adminPassword, Collection<DatabaseConfig> configs, StorageIo io, CacheBackend cacheBackend) {
        this.cacheBackend = cacheBackend;
        if (adminPassword == null || adminPassword.isBlank()) {
            throw new IllegalArgumentException("the instance administrator needs a password "
                    + "(hourglass.admin.password or HOURGLASS_ADMIN_PASSWORD)");
        }
        this.admin = new InstanceSecret(adminPassword); // ADMIN of every database
        this.io = io;
        for (DatabaseConfig c : configs) {
            String key = c.name().toUpperCase(Locale.ROOT);
            if (databases.containsKey(key)) throw new IllegalArgumentException("database " + c.name() + " is defined twice");
            Procedures procs = new Procedures(VERSION);
            ManagedDatabase m = new ManagedDatabase(this, c, procs);
            RamProcedures.register(procs, this, m);
            CacheProcedures.register(procs, m);
            databases.put(key, m);
        }
        try {
            for (ManagedDatabase m : databases.values()) {
                if (m.policy().kind() == RamPolicy.Kind.ALWAYS) m.load();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    InstanceSecret admin() { return admin; }

    StorageIo io() { return io; }

    CacheBackend cacheBackend() { return cacheBackend; }

    ScheduledExecutorService scheduler() { return scheduler; }

    public void addListener(Listener l) { listeners.add(l); }

    public void removeListener(Listener l) { listeners.remove(l); }

    void fireLoaded(Database db) { for (Listener l : listeners) l.loaded(db); }

    void fireUnloading(Database db) {
        for (Listener l : listeners) {
            try {
                l.unloading(db);
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(Instance.class.getName())
                        .log(java.util.logging.Level.WARNING, "a listener failed on the unload of " + db.name(), e);
            }
        }
    }

    /**
     * Allows the admin-only fault switch ({@code CALL ttHourglassInvalidate}) that invalidates a
     * database on purpose; off unless configured (tests of invalidation and reload use it).
     */
    public void allowFaultInjection(boolean on) { faultInjection = on; }

    boolean faultInjectionAllowed() { return faultInjection; }

    /** The databases loaded now (valid or invalidated), in definition order. */
    public Collection<Database> databases() {
        List<Database> out = new ArrayList<>();
        for (ManagedDatabase m : databases.values()) {
            Database d = m.current();
            if (d != null) out.add(d);
        }
        return out;
    }

    /** The names of every database this instance defines, loaded or not. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (ManagedDatabase m : databases.values()) out.add(m.config.name());
        return out;
    }

    /** Whether {@code dsn} is one of this instance's databases (loaded or not). */
    public boolean has(String dsn) { return dsn != null && databases.containsKey(dsn.toUpperCase(Locale.ROOT)); }

    /** The definition of {@code dsn}; TT90011 if the instance has none. */
    public DatabaseConfig config(String dsn) { return managed(dsn).config; }

    /**
     * Checks the instance administrator's credentials (restore and destroy are theirs alone):
     * TT7001 for any other user or a wrong password.
     */
    public void authenticateAdmin(String user, String password) {
        if (user == null || password == null || !Catalog.INSTANCE_ADMIN.equalsIgnoreCase(user)
                || !admin.verify(password)) {
            throw ErrorCode.AUTHENTICATION_FAILED.error();
        }
    }

    /** The image of {@code dsn} loaded now; TT90033 when it is not loaded. */
    public Database database(String dsn) {
        ManagedDatabase m = managed(dsn);
        Database d = m.current();
        if (d == null) throw ErrorCode.DATABASE_NOT_LOADED.error(m.config.name(), m.policy().kind().label);
        return d;
    }

    /** The image of {@code dsn} loaded now, or null. */
    public Database loaded(String dsn) { return managed(dsn).current(); }

    private ManagedDatabase managed(String dsn) {
        ManagedDatabase m = dsn == null ? null : databases.get(dsn.toUpperCase(Locale.ROOT));
        if (m == null) throw ErrorCode.DATABASE_NOT_FOUND.error(dsn);
        return m;
    }

    public Procedures procedures(String dsn) { return managed(dsn).procedures; }

    // ---- administration (ttAdmin, ttDestroy); the caller has checked the instance administrator ----

    public RamPolicy ramPolicy(String dsn) { return managed(dsn).policy(); }

    /** ttAdmin -ramPolicy / -ramGrace / -autoreload / -noautoreload: stored, then applied. */
    public void setRamPolicy(String dsn, RamPolicy p) { managed(dsn).setPolicy(p); }

    /** ttAdmin -ramLoad: loads (or reloads after an invalidation, or creates after a destroy). */
    public void ramLoad(String dsn) { managed(dsn).load(); }

    /** ttAdmin -ramUnload: manual policy only, no connections; takes the unload checkpoint. */
    public void ramUnload(String dsn) { managed(dsn).unload(); }

    /** ttDestroy: see {@link ManagedDatabase#destroy}. */
    public void destroy(String dsn, double waitSeconds, boolean force) { managed(dsn).destroy(waitSeconds, force); }

    /** Before writing a restored database: TT90024 unless {@code dsn} is unloaded and has no files. */
    public void refuseRestoreOver(String dsn) { managed(dsn).refuseIfPresent(); }

    /** After a restore wrote {@code dsn}'s files: it loads as its policy says. */
    public void restored(String dsn) { managed(dsn).restored(); }

    /** Memory in use by {@code dsn}'s images, an invalidated one still held by connections included. */
    public long memoryUsed(String dsn) { return managed(dsn).memoryUsed(); }

    /** ttStatus for {@code dsn}. */
    public DatabaseStatus status(String dsn) { return DatabaseStatus.of(managed(dsn)); }

    /** ttStatus for every database. */
    public List<DatabaseStatus> status() {
        List<DatabaseStatus> out = new ArrayList<>();
        for (ManagedDatabase m : databases.values()) out.add(DatabaseStatus.of(m));
        return out;
    }

    /** Connects with a TimesTen connection string ({@code DSN=..;UID=..;PWD=..}). */
    public Connection connect(String connectionString) {
        ConnectionString cs = ConnectionString.parse(connectionString);
        if (cs.dsn() == null) throw ErrorCode.INVALID_ATTRIBUTE.error("DSN is required");
        if (cs.uid() == null) throw ErrorCode.INVALID_ATTRIBUTE.error("UID is required");
        DatabaseConfig cfg = config(cs.dsn());
        Isolation iso = cfg.isolation();
        double lockWait = cfg.lockWaitSeconds();
        int durable = cfg.durableCommits();
        long queryTimeout = cfg.sqlQueryTimeoutMs();
        try {
            // SQLQueryTimeout (seconds) and SQLQueryTimeoutMSec map to one value, as in TimesTen; MSec wins.
            if (cs.get("SQLQueryTimeout") != null) queryTimeout = Math.multiplyExact(Long.parseLong(cs.get("SQLQueryTimeout").trim()), 1000L);
            if (cs.get("SQLQueryTimeoutMSec") != null) queryTimeout = Long.parseLong(cs.get("SQLQueryTimeoutMSec").trim());
            if (cs.get("Isolation") != null) iso = Isolation.parse(cs.get("Isolation"));
            if (cs.get("LockWait") != null) lockWait = Double.parseDouble(cs.get("LockWait"));
            if (cs.get("DurableCommits") != null) durable = Integer.parseInt(cs.get("DurableCommits"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ErrorCode.INVALID_ATTRIBUTE.error(e.getMessage());
        }
        if (queryTimeout < 0) throw ErrorCode.INVALID_ATTRIBUTE.error("SQLQueryTimeout must not be negative");
        if (!(lockWait >= 0 && lockWait <= Connection.MAX_LOCK_WAIT)) throw ErrorCode.INVALID_ATTRIBUTE.error("LockWait must be 0 to 1000000 seconds");
        if (durable != 0 && durable != 1) throw ErrorCode.INVALID_ATTRIBUTE.error("DurableCommits must be 0 or 1");
        Connection c = open(managed(cs.dsn()), cs.uid(), cs.pwd(), iso, lockWait);
        c.setDurableCommits(durable == 1);
        c.setQueryTimeoutMillis(queryTimeout);
        return c;
    }

    /** Connects to {@code dsn} as {@code user} with the database's default attributes. */
    public Connection connect(String dsn, String user, String password) {
        ManagedDatabase m = managed(dsn);
        return open(m, user, password, m.config.isolation(), m.config.lockWaitSeconds());
    }

    private Connection open(ManagedDatabase m, String uid, String pwd, Isolation iso, double lockWait) {
        Database db = m.acquire(); // loads the database if its policy says so
        boolean ok = false;
        try {
            if (db.invalidation() != null) throw ErrorCode.CONNECTION_TERMINATED.error();
            String name = uid.toUpperCase(Locale.ROOT);
            Catalog cat = db.catalog();
            User u = cat.authenticate(name, pwd);
            if (!cat.has(u, Privilege.CREATE_SESSION)) throw ErrorCode.PRIVILEGE_REQUIRED.error(name, "CREATE SESSION");
            Connection c = new Connection(db, u, iso, lockWait, m.procedures);
            switch (cat.loginPasswordStatus(u)) {
                case EXPIRED -> c.restrictToPasswordChange();
                case GRACE -> c.loginWarning(cat.graceWarning(u));
                case OPEN -> { }
            }
            c.setDurableCommits(db.config().durableCommits() == 1);
            c.setQueryTimeoutMillis(db.config().sqlQueryTimeoutMs());
            ok = true;
            return c;
        } finally {
            m.connected(db, ok);
        }
    }

    /**
     * Unloads every database: open transactions roll back, each loaded image takes its unload
     * checkpoint and logs a clean shutdown, so the next load replays nothing.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        for (ManagedDatabase m : databases.values()) m.shutdown();
    }
}
