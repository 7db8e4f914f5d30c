package io.hourglass.engine.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * A range index's posting for a key many rows share: a set changed in place, so an insert or a
 * delete costs O(1) instead of a copy of every row id with the key ({@link Index#addPosting}).
 *
 * <p>The skip list holds it as the key's value and changes it inside {@code compute}, which may
 * run concurrently for other row ids. The value the skip list compares stays this object while
 * it has row ids, so a change to it cannot be lost by a replacement. The delete that empties it
 * seals it and drops it from the map; an insert that finds it sealed makes a new posting
 * instead, and the map's compare-and-set orders that with the drop. Changes are serialised on
 * the set's monitor; readers iterate without it (weakly consistent, as every index read is a
 * hint the reader re-checks).
 */
final class RowIdSet {
    private final Set<Long> ids;
    private boolean sealed; // guarded by this

    RowIdSet(int expected) { ids = ConcurrentHashMap.newKeySet(expected); }

    /** Adds {@code rowId}; false if the set is sealed (the caller makes a new posting). */
    synchronized boolean add(long rowId) {
        if (sealed) return false;
        ids.add(rowId);
        return true;
    }

    /** Removes {@code rowId}; true if that emptied the set, which is then sealed for good. */
    synchronized boolean removeAndSealIfEmpty(long rowId) {
        ids.remove(rowId);
        if (ids.isEmpty()) sealed = true;
        return sealed;
    }

    void forEach(LongConsumer out) {
        for (Long id : ids) out.accept(id);
    }

    int size() { return ids.size(); }
}
