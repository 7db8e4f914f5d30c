package io.hourglass.engine.store;

import java.util.Arrays;

/**
 * The rows of one table, in blocks of {@link Block#SLOTS} slots addressed by a row id
 * {@code (blockNumber << Block.SHIFT) | slot}. Row ids are stable for the life of the row.
 *
 * <p>Concurrency: slots are read without locks (acquire semantics through the atomic
 * array). A head is replaced only by the transaction holding the row's exclusive lock, by the
 * committer, or by the garbage collector (with compare-and-set) collapsing a version every
 * snapshot sees into a bare image or freeing a tombstone no snapshot can see. The block
 * array and the free list are guarded by {@code this}.
 */
public final class RowStore {
    private volatile Block[] blocks = new Block[0];
    private long nextFresh; // next never-used row id; guarded by this
    private long[] free = new long[16]; // free row ids, used as a stack; guarded by this
    private int freeCount;              // guarded by this

    /**
     * Reserves a slot for a new row; the caller installs its version with {@link #setHead}. The
     * slot counts as used now, so LRU aging, which checks a row's use again once it holds the
     * row's lock, never takes a new row that reuses the slot of one it chose.
     */
    public synchronized long allocate() {
        long rowId = freeCount > 0 ? free[--freeCount] : fresh();
        touch(rowId);
        return rowId;
    }

    private long fresh() {
        long rowId = nextFresh++;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= blocks.length) {
            Block[] grown = Arrays.copyOf(blocks, Math.max(4, blocks.length * 2));
            for (int i = blocks.length; i < grown.length; i++) grown[i] = newBlock(i);
            blocks = grown;
        }
        return rowId;
    }

    /** Recovery: puts a committed row image at {@code rowId}, growing the store as needed. */
    public synchronized void installAt(long rowId, byte[] image) {
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= blocks.length) {
            Block[] grown = Arrays.copyOf(blocks, Math.max(blockNo + 1, blocks.length * 2));
            for (int i = blocks.length; i < grown.length; i++) grown[i] = newBlock(i);
            blocks = grown;
        }
        nextFresh = Math.max(nextFresh, rowId + 1);
        setHead(rowId, image);
        blocks[blockNo].markChanged();
    }

    /**
     * Loading a checkpoint: puts {@code count} committed row images into block {@code blockNo}
     * (slot numbers in {@code slots}), growing the store as needed.
     */
    public synchronized void installBlock(int blockNo, int count, int[] slots, byte[][] images) {
        if (blockNo >= blocks.length) {
            Block[] grown = Arrays.copyOf(blocks, Math.max(blockNo + 1, blocks.length * 2));
            for (int i = blocks.length; i < grown.length; i++) grown[i] = newBlock(i);
            blocks = grown;
        }
        Block b = blocks[blockNo];
        for (int i = 0; i < count; i++) {
            b.slots.set(slots[i], images[i]);
            nextFresh = Math.max(nextFresh, ((long) blockNo << Block.SHIFT) + slots[i] + 1);
        }
        b.markChanged();
    }

    /** Recovery: empties the slot at {@code rowId} (a replayed delete). */
    public synchronized void clearAt(long rowId) {
        if ((rowId >>> Block.SHIFT) < blocks.length) {
            setHead(rowId, null);
            blocks[(int) (rowId >>> Block.SHIFT)].markChanged();
        }
    }

    /** Recovery, at the end: every empty slot below the high-water mark becomes free. */
    public synchronized void rebuildFreeList() {
        freeCount = 0;
        for (long rowId = nextFresh - 1; rowId >= 0; rowId--) {
            if (slot(rowId) == null) {
                if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
                free[freeCount++] = rowId;
            }
        }
    }

    /** Returns a slot to the free list; its head must already be null. */
    public synchronized void release(long rowId) {
        setHead(rowId, null);
        if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = rowId;
    }

    /** The slot's raw content: null, a bare row image (byte[]) or a {@link Version} chain head. */
    public Object slot(long rowId) {
        Block[] b = blocks;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= b.length) return null;
        return b[blockNo].slots.get((int) (rowId & (Block.SLOTS - 1)));
    }

    /** The slot as a version chain (a bare image is presented as a version committed at 0). */
    public Version head(long rowId) { return Version.of(slot(rowId)); }

    /** Sets the slot; only the holder of the row's exclusive lock (or its rollback) does this. */
    public void setHead(long rowId, Object content) {
        blocks[(int) (rowId >>> Block.SHIFT)].slots.set((int) (rowId & (Block.SLOTS - 1)), content);
    }

    /** Replaces the slot's content only if it is still {@code expected} (the collector's move). */
    public boolean replaceIf(long rowId, Object expected, Object content) {
        return blocks[(int) (rowId >>> Block.SHIFT)].slots.compareAndSet((int) (rowId & (Block.SLOTS - 1)), expected, content);
    }

    /** Frees the slot if it still holds {@code expected}; returns whether it did. */
    public synchronized boolean releaseIf(long rowId, Object expected) {
        if (!replaceIf(rowId, expected, null)) return false;
        if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = rowId;
        return true;
    }

    private Block newBlock(int number) {
        Block b = new Block(number);
        if (tracking) b.usage = new int[Block.SLOTS];
        return b;
    }

    // ---- row use, for LRU aging -----------------------------------------------------------------

    /**
     * The usage clock: a use is recorded with its value then, and LRU aging advances it at each
     * cycle ({@link #advanceEpoch}), so a row used since a cycle began has a usage at least the
     * value that cycle advanced it to. One clock for the process: every table's uses compare, and
     * each database's agent keeps the value its own last cycle began with.
     */
    private static final java.util.concurrent.atomic.AtomicInteger EPOCH = new java.util.concurrent.atomic.AtomicInteger(1);

    private volatile boolean tracking;

    /**
     * Starts or stops recording each row's last use (a table has LRU aging). Uses live in memory
     * only, never in the log or a checkpoint: the rows there when it starts, as those a load
     * brings back, were last used in epoch 0, before any cycle.
     */
    public synchronized void trackUsage(boolean on) {
        if (on == tracking) return;
        tracking = on;
        for (Block b : blocks) b.usage = on ? new int[Block.SLOTS] : null;
    }

    public boolean tracksUsage() { return tracking; }

    /** Records that a statement used row {@code rowId} (read it into a result, or is changing it); nothing unless usage is tracked. */
    public void touch(long rowId) {
        if (!tracking) return;
        Block[] b = blocks;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= b.length) return;
        int[] u = b[blockNo].usage;
        if (u == null) return;
        int slot = (int) (rowId & (Block.SLOTS - 1)), e = EPOCH.get();
        // (no write, and no cache line made dirty, for a row already marked; and a reader that
        // took the clock just before a cycle advanced it never lowers a newer mark)
        if (u[slot] < e) u[slot] = e;
    }

    /** Advances the usage clock (LRU aging begins a cycle); returns its new value, which uses from now on are recorded with. */
    public static int advanceEpoch() { return EPOCH.incrementAndGet(); }

    /** The usage clock's value now. */
    public static int epoch() { return EPOCH.get(); }

    /** The epoch row {@code rowId} was last used in; 0 if never, or if usage is not tracked. */
    public int usage(long rowId) {
        Block[] b = blocks;
        int blockNo = (int) (rowId >>> Block.SHIFT);
        if (blockNo >= b.length) return 0;
        int[] u = b[blockNo].usage;
        return u == null ? 0 : u[(int) (rowId & (Block.SLOTS - 1))];
    }

    /** Block {@code blockNo}'s change count ({@link Block#changeCount}); the block must exist. */
    public long changeCount(int blockNo) { return blocks[blockNo].changeCount(); }

    /** Records a committed change in the row's block (dirty tracking for checkpoints). */
    public void markChanged(long rowId) {
        blocks[(int) (rowId >>> Block.SHIFT)].markChanged();
    }

    /** Upper bound (exclusive) of row ids handed out so far; scans iterate up to it. */
    public synchronized long highWater() { return nextFresh; }

    /** The blocks in use: those below the high-water mark. */
    public Block[] blocks() {
        long limit = highWater();
        Block[] b = blocks;
        int n = (int) Math.min(b.length, (limit + Block.SLOTS - 1) >>> Block.SHIFT);
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    /** Calls {@code visitor} for every occupied slot in row-id order. */
    public void forEachHead(HeadVisitor visitor) { forEachHead(0, Long.MAX_VALUE, visitor); }

    /** Calls {@code visitor} for every occupied slot with {@code from <= rowId < to}, in row-id order. */
    public void forEachHead(long from, long to, HeadVisitor visitor) {
        long limit = Math.min(to, highWater());
        Block[] b = blocks;
        for (long rowId = Math.max(0, from); rowId < limit; rowId++) {
            Object v = b[(int) (rowId >>> Block.SHIFT)].slots.get((int) (rowId & (Block.SLOTS - 1)));
            if (v != null && !visitor.visit(rowId, v)) return;
        }
    }

    @FunctionalInterface
    public interface HeadVisitor {
        /** Returns false to stop the scan. {@code slot} is a row image or a version (see {@link #slot}). */
        boolean visit(long rowId, Object slot);
    }
}
