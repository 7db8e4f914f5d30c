package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.SqlType;

/** A column of a result set: its label and SQL type. */
public record ResultColumn(String name, SqlType type) {}
