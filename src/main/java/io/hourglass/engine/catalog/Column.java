package io.hourglass.engine.catalog;

import java.util.function.Supplier;

/**
 * A table column. {@code defaultSql} is the DEFAULT clause as written (null when none) and
 * {@code defaultValue} evaluates it at insert time (SYSDATE is evaluated per statement).
 */
public record Column(String name, SqlType type, boolean notNull, String defaultSql, Supplier<Object> defaultValue) {
    public Object defaultOrNull() { return defaultValue == null ? null : defaultValue.get(); }
}
