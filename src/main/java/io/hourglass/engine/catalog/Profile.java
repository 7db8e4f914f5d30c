package io.hourglass.engine.catalog;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A password profile (TimesTen's CREATE PROFILE): limits by password parameter. A parameter
 * missing from {@code limits}, or set to {@code DEFAULT}, takes the DEFAULT profile's value.
 * Values are kept as the text DBA_PROFILES shows: {@code UNLIMITED}, {@code NULL} (the complexity
 * checker), or a number (days for the times, a count for FAILED_LOGIN_ATTEMPTS and
 * PASSWORD_REUSE_MAX).
 */
public record Profile(String name, Map<String, String> limits) {
    public static final String DEFAULT = "DEFAULT";
    public static final String UNLIMITED = "UNLIMITED";
    public static final String FAILED_LOGIN_ATTEMPTS = "FAILED_LOGIN_ATTEMPTS";
    public static final String PASSWORD_LOCK_TIME = "PASSWORD_LOCK_TIME";
    public static final String PASSWORD_COMPLEXITY_CHECKER = "PASSWORD_COMPLEXITY_CHECKER";
    public static final String PASSWORD_LIFE_TIME = "PASSWORD_LIFE_TIME";
    public static final String PASSWORD_GRACE_TIME = "PASSWORD_GRACE_TIME";
    public static final String PASSWORD_REUSE_TIME = "PASSWORD_REUSE_TIME";
    public static final String PASSWORD_REUSE_MAX = "PASSWORD_REUSE_MAX";

    /** The password parameters, in the order TimesTen's DBA_PROFILES lists them. */
    public static final List<String> PARAMETERS = List.of(FAILED_LOGIN_ATTEMPTS, PASSWORD_LIFE_TIME, PASSWORD_REUSE_TIME,
            PASSWORD_REUSE_MAX, PASSWORD_COMPLEXITY_CHECKER, PASSWORD_LOCK_TIME, PASSWORD_GRACE_TIME);

    /** The DEFAULT profile a new database has, TimesTen's: ten failed logins lock an account for about five minutes. */
    public static final Profile BUILT_IN_DEFAULT;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : PARAMETERS) m.put(p, UNLIMITED);
        m.put(FAILED_LOGIN_ATTEMPTS, "10");
        m.put(PASSWORD_COMPLEXITY_CHECKER, "NULL");
        m.put(PASSWORD_LOCK_TIME, ".0034");
        BUILT_IN_DEFAULT = new Profile(DEFAULT, m);
    }

    public Profile {
        limits = Map.copyOf(limits);
    }

    /** This profile's own setting of {@code parameter}: its value, or DEFAULT when it has none. */
    public String limit(String parameter) { return limits.getOrDefault(parameter, DEFAULT); }

    /** Milliseconds in {@code days} (a profile's time limit), at least one. */
    public static long millis(String days) {
        return Math.max(1, new BigDecimal(days).multiply(BigDecimal.valueOf(86_400_000L)).longValue());
    }
}
