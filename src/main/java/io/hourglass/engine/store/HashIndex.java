package io.hourglass.engine.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/** Hash index: equality lookups on the full key only. */
public final class HashIndex implements Index {
    private final ConcurrentHashMap<Key, Object> map = new ConcurrentHashMap<>();

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
    public boolean ordered() { return false; }

    @Override
    public void range(Key low, boolean lowInclusive, Key high, boolean highInclusive, boolean descending, LongConsumer out) {
        throw new UnsupportedOperationException("hash index has no order");
    }
}
