package io.hourglass.engine.catalog;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A database user. The instance administrator has every privilege implicitly. Object
 * privileges are keyed by the table's qualified name. Mutated only under the catalog's lock;
 * read through {@link Catalog#has}.
 */
public final class User {
    private final String name;
    private final boolean instanceAdmin;
    volatile String passwordHash;
    final Set<Privilege> system = EnumSet.noneOf(Privilege.class);
    final Map<String, Set<Privilege>> objects = new HashMap<>();
    /** Its password profile (ALTER USER ... PROFILE); null: the DEFAULT profile. */
    volatile String profile;
    /** When ACCOUNT LOCK locked it (epoch milliseconds); null: not locked by hand. */
    volatile Long lockedAt;
    // Failed logins since the last good one, and when they locked the account (LOCKED(TIMED)):
    // System.nanoTime() and epoch milliseconds, 0 when not locked. Kept in memory only.
    final AtomicInteger failedLogins = new AtomicInteger();
    volatile long timedLockNanos, timedLockMillis;
    /**
     * When its password was set (epoch milliseconds, the catalog's clock): PASSWORD_LIFE_TIME counts
     * from here. A user read from a log older than this record has the time it was loaded.
     */
    volatile long passwordSetAt;
    /** When PASSWORD EXPIRE expired its password (epoch milliseconds), until a new one is set; 0: not by hand. */
    volatile long passwordExpiredAt;
    /** The password (its set time) whose grace period a login was last warned of; kept in memory only. */
    volatile long graceWarnedFor = Long.MIN_VALUE;
    /** The passwords it had that PASSWORD_REUSE_TIME and PASSWORD_REUSE_MAX keep from coming back, newest first. */
    volatile java.util.List<OldPassword> passwordHistory = java.util.List.of();

    User(String name, String passwordHash, boolean instanceAdmin) {
        this.name = name;
        this.passwordHash = passwordHash;
        this.instanceAdmin = instanceAdmin;
    }

    public String name() { return name; }

    public boolean instanceAdmin() { return instanceAdmin; }

    /** Its password profile's name (DEFAULT when none was given). */
    public String profile() { String p = profile; return p == null ? Profile.DEFAULT : p; }

    /** When ACCOUNT LOCK locked it (epoch milliseconds), or null. */
    public Long lockedAt() { return lockedAt; }

    /** When its password was set (epoch milliseconds). */
    public long passwordSetAt() { return passwordSetAt; }

    /** When PASSWORD EXPIRE expired its password (epoch milliseconds), or 0. */
    public long passwordExpiredAt() { return passwordExpiredAt; }

    /** Its earlier passwords that may not be reused yet, newest first. */
    public java.util.List<OldPassword> passwordHistory() { return passwordHistory; }

    /**
     * A password a user had: its hash, when it was set and when another replaced it (epoch
     * milliseconds). Kept while its profile's reuse limits forbid it.
     */
    public record OldPassword(String hash, long setAt, long replacedAt) {}
}
