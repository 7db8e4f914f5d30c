package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.PasswordHasher;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.spi.StorageIo;
import io.hourglass.engine.txn.Isolation;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Hourglass instance: the databases it serves and their instance administrator. This is
 * the engine's entry point; the service and the embedded API both start here.
 */
public final class Instance implements AutoCloseable {
    public static final String VERSION = "Hourglass 0.1.0";

    private final Map<String, Database> databases = new LinkedHashMap<>();
    private final Map<String, Procedures> procedures = new LinkedHashMap<>();
    private final String adminHash;

    /** An instance on the real file system. */
    public Instance(String adminPassword, Collection<DatabaseConfig> configs) {
        this(adminPassword, configs, FileStorageIo.INSTANCE);
    }

    /**
     * Loads every database, recovering persistent ones from their logs.
     *
     * @param adminPassword the instance administrator's password; required, never defaulted
     * @param io where every file operation goes (tests inject faults here)
     */
    public Instance(String adminPassword, Collection<DatabaseConfig> configs, StorageIo io) {
        if (adminPassword == null || adminPassword.isBlank()) {
            throw new IllegalArgumentException("the instance administrator needs a password "
                    + "(hourglass.admin.password or HOURGLASS_ADMIN_PASSWORD)");
        }
        // One slow hash, shared by every database's ADMIN user.
        String hash = PasswordHasher.hash(adminPassword);
        this.adminHash = hash;
        for (DatabaseConfig c : configs) {
            String key = c.name().toUpperCase(Locale.ROOT);
            if (databases.containsKey(key)) throw new IllegalArgumentException("database " + c.name() + " is defined twice");
            databases.put(key, new Database(c, hash, io));
            procedures.put(key, new Procedures(VERSION));
        }
    }

    public Collection<Database> databases() { return databases.values(); }

    /** Whether {@code dsn} is one of this instance's databases (loaded). */
    public boolean has(String dsn) { return dsn != null && databases.containsKey(dsn.toUpperCase(Locale.ROOT)); }

    /**
     * Checks the instance administrator's credentials (restore and destroy are theirs alone):
     * TT7001 for any other user or a wrong password.
     */
    public void authenticateAdmin(String user, String password) {
        if (user == null || password == null || !Catalog.INSTANCE_ADMIN.equalsIgnoreCase(user)
                || !PasswordHasher.verify(password, adminHash)) {
            throw ErrorCode.AUTHENTICATION_FAILED.error();
        }
    }

    public Database database(String dsn) {
        Database d = dsn == null ? null : databases.get(dsn.toUpperCase(Locale.ROOT));
        if (d == null) throw ErrorCode.DATABASE_NOT_FOUND.error(dsn);
        return d;
    }

    public Procedures procedures(String dsn) {
        database(dsn);
        return procedures.get(dsn.toUpperCase(Locale.ROOT));
    }

    /** Connects with a TimesTen connection string ({@code DSN=..;UID=..;PWD=..}). */
    public Connection connect(String connectionString) {
        ConnectionString cs = ConnectionString.parse(connectionString);
        if (cs.dsn() == null) throw ErrorCode.INVALID_ATTRIBUTE.error("DSN is required");
        if (cs.uid() == null) throw ErrorCode.INVALID_ATTRIBUTE.error("UID is required");
        Database db = database(cs.dsn());
        Isolation iso = db.config().isolation();
        double lockWait = db.config().lockWaitSeconds();
        int durable = db.config().durableCommits();
        try {
            if (cs.get("Isolation") != null) iso = Isolation.parse(cs.get("Isolation"));
            if (cs.get("LockWait") != null) lockWait = Double.parseDouble(cs.get("LockWait"));
            if (cs.get("DurableCommits") != null) durable = Integer.parseInt(cs.get("DurableCommits"));
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_ATTRIBUTE.error(e.getMessage());
        }
        if (lockWait < 0) throw ErrorCode.INVALID_ATTRIBUTE.error("LockWait must not be negative");
        if (durable != 0 && durable != 1) throw ErrorCode.INVALID_ATTRIBUTE.error("DurableCommits must be 0 or 1");
        Connection c = open(db, cs.uid(), cs.pwd(), iso, lockWait);
        c.setDurableCommits(durable == 1);
        return c;
    }

    /** Connects to {@code dsn} as {@code user} with the database's default attributes. */
    public Connection connect(String dsn, String user, String password) {
        Database db = database(dsn);
        return open(db, user, password, db.config().isolation(), db.config().lockWaitSeconds());
    }

    private Connection open(Database db, String uid, String pwd, Isolation iso, double lockWait) {
        if (db.invalidation() != null) throw ErrorCode.CONNECTION_TERMINATED.error();
        String name = uid.toUpperCase(Locale.ROOT);
        Catalog cat = db.catalog();
        User u = cat.authenticate(name, pwd);
        if (!cat.has(u, Privilege.CREATE_SESSION)) throw ErrorCode.PRIVILEGE_REQUIRED.error(name, "CREATE SESSION");
        Connection c = new Connection(db, u, iso, lockWait, procedures.get(db.name().toUpperCase(Locale.ROOT)));
        c.setDurableCommits(db.config().durableCommits() == 1);
        return c;
    }

    /** Closes every database: open transactions roll back, committed work is made durable. */
    @Override
    public void close() {
        for (Database d : databases.values()) d.close();
    }
}
