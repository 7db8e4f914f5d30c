package io.hourglass.engine.store;

import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;

/** Range index (TimesTen's default index kind): ordered, answers equality, prefix and ranges. */
public final class RangeIndex implements Index {
    private final ConcurrentSkipListMap<Key, Object> map = new ConcurrentSkipListMap<>();

    @Override
    public void insert(Key key, long rowId) { map.compute(key, (k, v) -> Index.addPosting(v, rowId)); }

    @Override
    public void remove(Key key, long rowId) { map.computeIfPresent(key, (k, v) -> Index.removePosting(v, rowId)); }

    @Override
    public void lookup(Key key, LongConsumer out) { Index.emit(map.get(key), out); }

    @Override
    public long keyCount() { return map.size(); }

    @Override
    public void scanAll(LongConsumer out) { map.values().forEach(v -> Index.emit(v, out)); }

    @Override
    public boolean ordered() { return true; }

    @Override
    public void range(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, LongConsumer out) {
        NavigableMap<Key, Object> m = map;
        if (low != null) m = m.tailMap(low, lowInclusive);
        if (high != null) m = m.headMap(high, highInclusive);
        (descending ? m.descendingMap() : m).values().forEach(v -> Index.emit(v, out));
    }
}
