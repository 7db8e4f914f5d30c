package io.hourglass.engine.sql;

import java.util.List;

/**
 * Where a query's rows go as the statement makes them, instead of into a list it returns: a
 * cursor. A plain query (no ORDER BY, GROUP BY, DISTINCT or set operation) keeps none of its rows,
 * so its result may be larger than TempSize and the first rows leave before the last are read; a
 * query that must see every row before its first (a sort, groups) builds them within TempSize as
 * always, then hands them out.
 *
 * <p>Called on the thread running the statement, with the connection's lock held and the
 * statement's snapshot open: a sink that waits (a client reading slowly) keeps both until it
 * returns. Throwing stops the statement, which is undone as any failed statement.
 */
public interface ResultSink {
    /** The result's columns, once, before its first row. */
    void columns(List<ResultColumn> columns);

    /** The next row (its array is the sink's to keep). */
    void row(Object[] row);

    /** Hands out a result already built whole, and returns it without its rows. */
    static StatementResult handOut(StatementResult r, ResultSink sink) {
        if (!r.isQuery()) return r;
        sink.columns(r.columns());
        for (Object[] row : r.rows()) sink.row(row);
        return new StatementResult(r.columns(), List.of(), r.updateCount());
    }
}
