/**
 * Recovery: rebuilds a database in memory from its transaction log at load.
 *
 * <p>Order: read the log from its first record (checkpoints will move the start to their redo
 * LSN); keep each transaction's records until its COMMIT; apply a committed transaction's records
 * in log order (catalog changes through {@link io.hourglass.engine.sql.CatalogChanges}, row
 * images into their original slots); discard transactions without a COMMIT in the valid prefix
 * of the log. Then rebuild every index from the rows (in parallel over RecoveryThreads), the free
 * lists, PermSize use and the commit counters. Nothing is written during replay; the log writer
 * first zeroes a torn tail, so no stale record can later be read as new.
 */
package io.hourglass.engine.recovery;
