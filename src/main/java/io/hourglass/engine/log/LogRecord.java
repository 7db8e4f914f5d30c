package io.hourglass.engine.log;

import io.hourglass.engine.catalog.CatalogChange;

/**
 * A decoded log record. Payloads (little-endian; a "string" is a u32 length and UTF-8 bytes,
 * "bytes" a u32 length and the bytes):
 * <pre>
 * INSERT, UPDATE  u64 table id, u64 row id, bytes row image (docs/FORMAT.md, "Row image")
 * DELETE          u64 table id, u64 row id
 * DDL             a catalog change (LogCodec)
 * COMMIT          u64 commit time in ms since the epoch (commit order is log order)
 * ROLLBACK        empty (reserved: transactions are logged at commit, so none is written yet)
 * SHUTDOWN        empty: the database was closed cleanly after the record before it
 * END_OF_FILE     empty: the log goes on at the next file's first record
 * OPENED          empty: a load went on appending here, right after a SHUTDOWN (synced before
 *                 anything after it is written, so a SHUTDOWN last in the log means nothing followed)
 * BEFORE          u64 table id, u64 row id, i32 length (-1: the row is new) and the row's image as
 *                 committed before the transaction: for the changes an ASYNCHRONOUS WRITETHROUGH
 *                 cache group sends to the backend, which finds the row by its old key
 * </pre>
 */
public sealed interface LogRecord {
    byte INSERT = 1, UPDATE = 2, DELETE = 3, DDL = 4, COMMIT = 5, ROLLBACK = 6, SHUTDOWN = 7, END_OF_FILE = 8, OPENED = 9, BEFORE = 10;

    long lsn();

    long txnId();

    record RowImage(long lsn, long txnId, boolean insert, long tableId, long rowId, byte[] image) implements LogRecord {}

    record RowDelete(long lsn, long txnId, long tableId, long rowId) implements LogRecord {}

    record Ddl(long lsn, long txnId, CatalogChange change) implements LogRecord {}

    /** The committed image (null: none) of a row the transaction changes, for write-behind to the backend. */
    record RowBefore(long lsn, long txnId, long tableId, long rowId, byte[] image) implements LogRecord {}

    record Commit(long lsn, long txnId, long commitMillis) implements LogRecord {}

    record Rollback(long lsn, long txnId) implements LogRecord {}

    record Shutdown(long lsn, long txnId) implements LogRecord {}

    record Opened(long lsn, long txnId) implements LogRecord {}
}
