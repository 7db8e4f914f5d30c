package io.hourglass.api.rest;

import java.util.List;

/**
 * The answer to a statement: result columns and rows for a query or CALL, and an update count
 * (rows changed by DML; -1 for queries and DDL).
 */
public record SqlResult(List<Column> columns, List<List<Object>> rows, long updateCount) {
    public record Column(String name, String type) {}
}
