package io.hourglass.engine.catalog;

import java.util.Locale;

/** System privileges (instance-wide in one database) and object privileges (on one table). */
public enum Privilege {
    ADMIN(true), CREATE_SESSION(true), CREATE_TABLE(true), CREATE_ANY_TABLE(true),
    CACHE_MANAGER(true), CREATE_SYNONYM(true), CREATE_ANY_SYNONYM(true), CREATE_PUBLIC_SYNONYM(true), DROP_ANY_SYNONYM(true),
    DROP_PUBLIC_SYNONYM(true),
    SELECT(false), INSERT(false), UPDATE(false), DELETE(false), REFERENCES(false);

    private final boolean system;

    Privilege(boolean system) { this.system = system; }

    public boolean system() { return system; }

    public String sqlName() { return name().replace('_', ' '); }

    /** Parses "CREATE ANY TABLE" or "select"; null when unknown. */
    public static Privilege parse(String words) {
        String n = words.trim().toUpperCase(Locale.ROOT).replaceAll("\\s+", "_");
        for (Privilege p : values()) if (p.name().equals(n)) return p;
        return null;
    }
}
