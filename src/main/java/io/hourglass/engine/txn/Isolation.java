package io.hourglass.engine.txn;

import java.util.Locale;

/**
 * READ_COMMITTED (default): each statement reads the newest committed data as of its start and
 * never waits for writers. SERIALIZABLE: reads take shared table locks held to commit, so the
 * transaction sees no change by others to any table it has read.
 */
public enum Isolation {
    READ_COMMITTED, SERIALIZABLE;

    /** Parses "READ_COMMITTED", "SERIALIZABLE", or TimesTen's numeric 1 / 0. */
    public static Isolation parse(String s) {
        String v = s.trim().toUpperCase(Locale.ROOT).replace(' ', '_');
        return switch (v) {
            case "READ_COMMITTED", "1" -> READ_COMMITTED;
            case "SERIALIZABLE", "0" -> SERIALIZABLE;
            default -> throw new IllegalArgumentException("Isolation must be READ_COMMITTED or SERIALIZABLE, not " + s);
        };
    }
}
