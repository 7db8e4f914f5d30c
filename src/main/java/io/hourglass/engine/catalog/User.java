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
}
