package io.hourglass.engine.catalog;

import java.util.function.Function;

/**
 * A table column. {@code defaultSql} is the DEFAULT clause as written (null when none) and
 * {@code defaultValue} evaluates it at insert time for the user inserting (SYSDATE is evaluated
 * per statement, USER is that user's name).
 */
public record Column(String name, SqlType type, boolean notNull, String defaultSql, Function<String, Object> defaultValue) {
    /** The DEFAULT's value for a row {@code user} inserts; null if the column has none. */
    public Object defaultOrNull(String user) { return defaultValue == null ? null : defaultValue.apply(user); }
}
