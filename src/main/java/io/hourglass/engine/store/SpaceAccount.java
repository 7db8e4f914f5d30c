package io.hourglass.engine.store;

/**
 * Where a table's row versions and index entries are counted: PermSize ({@link MemoryAccount})
 * for a table's own rows, TempSize ({@link TempSpace#temporaryRows}) for a session's rows of a
 * GLOBAL TEMPORARY table.
 */
public interface SpaceAccount {
    /** Counts {@code bytes} more, or fails with TT0802 and counts nothing if they do not fit. */
    void reserve(long bytes);

    /** Counts {@code bytes} more without the limit check (a DELETE's tombstone: deleting must never be refused). */
    void charge(long bytes);

    /** Counts {@code bytes} fewer. */
    void release(long bytes);
}
