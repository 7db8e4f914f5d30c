package io.hourglass.engine.checkpoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one checkpoint file holds, as far as the writer knows it: where each table block's record
 * lies, its checksum, and the block's change count when it was written (so the next checkpoint of
 * this file writes only blocks whose count moved). Free extents are reused, best fit.
 *
 * <p>A layout is trusted only while it matches the file: after a failed checkpoint the writer
 * drops it and the next checkpoint of that file rewrites everything.
 */
final class FileLayout {
    /** Where one block's record is. {@code count} is the block's change count it was written at. */
    static final class Entry {
        long offset;
        int length;
        int capacity;
        int crc;
        long count;
        int rows;
    }

    /** Per table id: entries by block number (null where the block has no record). */
    final Map<Long, List<Entry>> tables = new HashMap<>();
    /** Block change counts known to be written even though the block was empty (no record). */
    final Map<Long, Map<Integer, Long>> emptyCounts = new HashMap<>();
    private final TreeMap<Integer, ArrayDeque<Long>> free = new TreeMap<>();
    long end = CheckpointFormat.PAGE;
    long catalogOffset = -1;
    int catalogCapacity;
    long directoryOffset = -1;
    int directoryCapacity;

    Entry entry(long tableId, int block) {
        List<Entry> l = tables.get(tableId);
        return l == null || block >= l.size() ? null : l.get(block);
    }

    void put(long tableId, int block, Entry e) {
        List<Entry> l = tables.computeIfAbsent(tableId, k -> new ArrayList<>());
        while (l.size() <= block) l.add(null);
        l.set(block, e);
    }

    /** The count a block was written at, or -1 when this file may not hold its current content. */
    long writtenCount(long tableId, int block) {
        Entry e = entry(tableId, block);
        if (e != null) return e.count;
        Map<Integer, Long> m = emptyCounts.get(tableId);
        Long c = m == null ? null : m.get(block);
        return c == null ? -1 : c;
    }

    /** Records that {@code block} had no rows at change count {@code count}; frees its old record. */
    void markEmpty(long tableId, int block, long count) {
        Entry e = entry(tableId, block);
        if (e != null) {
            release(e.offset, e.capacity);
            tables.get(tableId).set(block, null);
        }
        emptyCounts.computeIfAbsent(tableId, k -> new HashMap<>()).put(block, count);
    }

    /** Frees every record of tables not in {@code live}. */
    void retainTables(java.util.Set<Long> live) {
        for (Iterator<Map.Entry<Long, List<Entry>>> it = tables.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, List<Entry>> t = it.next();
            if (live.contains(t.getKey())) continue;
            for (Entry e : t.getValue()) if (e != null) release(e.offset, e.capacity);
            it.remove();
        }
        emptyCounts.keySet().retainAll(live);
    }

    record Extent(long offset, int capacity) {}

    /** An extent of at least {@code capacity} bytes: a free one if one fits well, else at the end. */
    Extent allocate(int capacity) {
        Map.Entry<Integer, ArrayDeque<Long>> fit = free.ceilingEntry(capacity);
        if (fit != null && fit.getKey() <= capacity * 2L) {
            long off = fit.getValue().poll();
            if (fit.getValue().isEmpty()) free.remove(fit.getKey());
            return new Extent(off, fit.getKey());
        }
        long off = end;
        end += capacity;
        return new Extent(off, capacity);
    }

    void release(long offset, int capacity) {
        if (offset + capacity == end) {
            end = offset; // the last extent: shrink instead
            return;
        }
        free.computeIfAbsent(capacity, k -> new ArrayDeque<>()).add(offset);
    }

    /** Rebuilds the free list from the extents in use (after loading a file's directory). */
    void rebuildFree() {
        TreeMap<Long, Integer> used = new TreeMap<>();
        for (List<Entry> l : tables.values()) for (Entry e : l) if (e != null) used.put(e.offset, e.capacity);
        if (catalogOffset >= 0) used.put(catalogOffset, catalogCapacity);
        if (directoryOffset >= 0) used.put(directoryOffset, directoryCapacity);
        free.clear();
        long pos = CheckpointFormat.PAGE;
        for (Map.Entry<Long, Integer> u : used.entrySet()) {
            if (u.getKey() > pos && u.getKey() - pos <= Integer.MAX_VALUE) free.computeIfAbsent((int) (u.getKey() - pos), k -> new ArrayDeque<>()).add(pos);
            pos = Math.max(pos, u.getKey() + u.getValue());
        }
        end = pos;
    }
}
