package io.hourglass.engine.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed-size block of {@link #SLOTS} row slots. A slot is empty (null), holds a bare row image
 * ({@code byte[]}: committed and visible to every snapshot, the common case, without the cost of
 * a version header), or holds the head of a {@link Version} chain. {@link #changeCount} rises with every committed change to any slot, so a
 * checkpoint can write only the blocks whose count moved since it last wrote them.
 */
public final class Block {
    public static final int SHIFT = 8;
    public static final int SLOTS = 1 << SHIFT;

    final int number;
    final AtomicReferenceArray<Object> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLong changeCount = new AtomicLong();
    /**
     * Each slot's last use, as the store's usage epoch then ({@link RowStore#touch}); null unless
     * the table has LRU aging. Written and read without synchronization: a use seen late, or a
     * race between two readers writing the same epoch, only makes LRU aging's order a little rougher.
     */
    volatile int[] usage;

    Block(int number) { this.number = number; }

    public int number() { return number; }

    public long changeCount() { return changeCount.get(); }

    void markChanged() { changeCount.incrementAndGet(); }

    /** The slot's raw content: null, a row image or a version. */
    public Object slot(int slot) { return slots.get(slot); }
}
