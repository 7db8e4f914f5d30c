package io.hourglass.engine.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed-size block of {@link #SLOTS} row slots. Each slot holds the head of a version chain or
 * null when free. {@link #changeCount} rises with every committed change to any slot, so a
 * checkpoint can write only the blocks whose count moved since it last wrote them.
 */
public final class Block {
    public static final int SHIFT = 8;
    public static final int SLOTS = 1 << SHIFT;

    final int number;
    final AtomicReferenceArray<Version> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLong changeCount = new AtomicLong();

    Block(int number) { this.number = number; }

    public int number() { return number; }

    public long changeCount() { return changeCount.get(); }

    void markChanged() { changeCount.incrementAndGet(); }

    public Version head(int slot) { return slots.get(slot); }
}
