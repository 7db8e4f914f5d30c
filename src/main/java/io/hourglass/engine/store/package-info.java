/**
 * Where rows live: per table a {@link io.hourglass.engine.store.RowStore} of fixed-size
 * {@link io.hourglass.engine.store.Block}s of 256 slots, addressed by row id
 * {@code block << 8 | slot}.
 *
 * <p>Format: a row is a byte image (see {@link io.hourglass.engine.store.RowCodec} and
 * docs/FORMAT.md, "Row image"). A slot is empty, holds a bare image (committed and visible to
 * every snapshot), or the head of a {@link io.hourglass.engine.store.Version} chain, newest first.
 *
 * <p>Validity: a version is visible to a snapshot s if it is committed with timestamp <= s, or
 * uncommitted and written by the reader's own transaction; a reader takes the first visible
 * version of the chain. A null image is a deletion.
 *
 * <p>Dirty tracking: each block counts committed changes to its slots; a checkpoint writes the
 * blocks whose count moved since that checkpoint file last took them.
 *
 * <p>Nothing here is durable: this package holds memory only. The transaction log makes commits
 * durable; recovery rebuilds these structures (and every index, from the rows) at load.
 */
package io.hourglass.engine.store;
