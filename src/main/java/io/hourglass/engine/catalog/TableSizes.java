package io.hourglass.engine.catalog;

import java.time.LocalDateTime;

/**
 * What ttComputeTabSizes found a table to hold, for SYS.ALL_TAB_SIZES: the PermSize its row
 * versions and index entries are charged (the same bytes PERM_IN_USE_SIZE counts), and its
 * row slots.
 *
 * @param rowBytes the row versions' images and their per-version overhead (TimesTen's INLINE_ALLOC_BYTES)
 * @param usedRows slots holding a row, committed or not, or a deletion no snapshot has let go of yet
 * @param freeRows slots of the table's blocks free for new rows
 * @param indexBytes the index entries
 */
public record TableSizes(long rowBytes, long usedRows, long freeRows, long indexBytes, LocalDateTime computed) {
    public long totalBytes() { return rowBytes + indexBytes; }

    /** Bytes a row takes on average, its share of the index entries included; null without rows. */
    public Long averageRowBytes() { return usedRows == 0 ? null : totalBytes() / usedRows; }
}
