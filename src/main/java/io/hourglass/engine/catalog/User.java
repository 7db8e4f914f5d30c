package io.hourglass.engine.catalog;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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

    User(String name, String passwordHash, boolean instanceAdmin) {
        this.name = name;
        this.passwordHash = passwordHash;
        this.instanceAdmin = instanceAdmin;
    }

    public String name() { return name; }

    public boolean instanceAdmin() { return instanceAdmin; }
}
