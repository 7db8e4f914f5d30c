/**
 * Transactions: row writes with their undo, commit timestamps, snapshots, locks and the
 * collection of versions no snapshot needs.
 *
 * <p>Commit order: a committer takes the commit lock, takes the next timestamp, stamps every
 * version it wrote, and publishes the timestamp last. A statement's snapshot is the published
 * timestamp when it starts; it therefore sees every transaction whole or not at all. A commit is
 * visible when {@code commit} returns; it is durable only once the transaction log (next issue)
 * has synced its commit record, which the returned completion stage will signal.
 *
 * <p>Locks: strict two-phase for writers (row X, table IX/SIX), shared table locks for
 * SERIALIZABLE readers, none for READ COMMITTED readers. LockWait bounds waits (TT6003); a wait
 * that closes a cycle fails at once (TT6002) and rolls the requester's transaction back.
 */
package io.hourglass.engine.txn;
