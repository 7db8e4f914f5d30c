/**
 * The transaction log: what makes a commit survive a crash.
 *
 * <p>Format (docs/FORMAT.md, "Transaction log"): files {@code <name>.log<N>} of LogFileSize
 * bytes, preallocated with zeros; a 64-byte file header; then records, each with a 28-byte
 * header carrying its length, a CRC32C, its own LSN and its transaction id. A record never spans
 * files. A transaction's changes are written at commit as one contiguous batch, its row
 * after-images then its COMMIT record, in commit-timestamp order; nothing of a transaction that
 * rolls back reaches the log (redo-only logging: recovery never undoes).
 *
 * <p>Validity: a record at (file, offset) is valid if and only if its length is at least the
 * header and fits the file, its stored LSN is (file, offset), and its CRC32C matches. The log is
 * the valid records from the first file's first record up to the first invalid one; a
 * transaction counts only if its COMMIT record is in that prefix.
 *
 * <p>Sync order: (1) a new log file is fully preallocated, its header written, the file synced
 * and then its directory synced, before any record goes into it; (2) records are written in LSN
 * order; (3) a file is synced before the first write to the next file, so an earlier file is
 * always complete when a later one holds anything; (4) a durable commit is acknowledged only
 * after a sync that covers its COMMIT record. A failed sync is never retried: the database is
 * invalidated (TT0994), since the kernel may have dropped the pages it could not write.
 *
 * <p>Recovery rebuilds the catalog, every row, and (from the rows) every index by replaying the
 * committed batches in order; a torn or corrupt tail is reported (TT0744) and ignored.
 */
package io.hourglass.engine.log;
