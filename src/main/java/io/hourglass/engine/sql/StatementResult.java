package io.hourglass.engine.sql;

import java.util.List;

/**
 * What a statement returns: a result set (columns and rows) for queries and CALLs, or an update
 * count for DML (-1 when the statement counts nothing, such as DDL).
 */
public record StatementResult(List<ResultColumn> columns, List<Object[]> rows, long updateCount) {
    public static StatementResult count(long n) { return new StatementResult(List.of(), List.of(), n); }

    public static StatementResult none() { return new StatementResult(List.of(), List.of(), -1); }

    public boolean isQuery() { return !columns.isEmpty(); }
}
