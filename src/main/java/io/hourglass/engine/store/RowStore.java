package io.hourglass.engine.store;

import java.util.Arrays;

/**
 * The rows of one table, in blocks of {@link Block#SLOTS} slots addressed by a row id
 * {@code (blockNumber << Block.SHIFT) | slot}. Row ids are stable for the life of the row.
 *
 * <p>Concurrency: slot heads are read without locks (acquire semantics through the atomic
 * array). A head is replaced only by the transaction holding the row's exclusive lock, by the
 * committer, or by the garbage collector freeing a tombstone no snapshot can see. The block
 * array and the free list are guarded by {@code this}.
 */
public final class RowStore {
    private volatile Block[] blocks = new Block[0];
    private int nextFresh; // next never-used row id; guarded by this
    private long[] free = new long[16]; // free row ids, used as a stack; guarded by this
    private int freeCount;              // guarded by this

    /** Reserves a slot for a new row; the caller installs its version with {@link #setHead}. */
    public synchronized long allocate() {
        if (freeCount > 0) return free[--freeCount];
        long rowId = nextFresh++;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= blocks.length) {
            Block[] grown = Arrays.copyOf(blocks, Math.max(4, blocks.length * 2));
            for (int i = blocks.length; i < grown.length; i++) grown[i] = new Block(i);
            blocks = grown;
        }
        return rowId;
    }

    /** Returns a slot to the free list; its head must already be null. */
    public synchronized void release(long rowId) {
        setHead(rowId, null);
        if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = rowId;
    }

    public Version head(long rowId) {
        Block[] b = blocks;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= b.length) return null;
        return b[blockNo].slots.get((int) (rowId & (Block.SLOTS - 1)));
    }

    public void setHead(long rowId, Version v) {
        blocks[(int) (rowId >>> Block.SHIFT)].slots.set((int) (rowId & (Block.SLOTS - 1)), v);
    }

    /** Records a committed change in the row's block (dirty tracking for checkpoints). */
    public void markChanged(long rowId) {
        blocks[(int) (rowId >>> Block.SHIFT)].markChanged();
    }

    /** Upper bound (exclusive) of row ids handed out so far; scans iterate up to it. */
    public synchronized long highWater() { return nextFresh; }

    public Block[] blocks() { return blocks; }

    /** Calls {@code visitor} for every occupied slot in row-id order. */
    public void forEachHead(HeadVisitor visitor) {
        long limit = highWater();
        Block[] b = blocks;
        for (long rowId = 0; rowId < limit; rowId++) {
            Version v = b[(int) (rowId >>> Block.SHIFT)].slots.get((int) (rowId & (Block.SLOTS - 1)));
            if (v != null && !visitor.visit(rowId, v)) return;
        }
    }

    @FunctionalInterface
    public interface HeadVisitor {
        /** Returns false to stop the scan. */
        boolean visit(long rowId, Version head);
    }
}
