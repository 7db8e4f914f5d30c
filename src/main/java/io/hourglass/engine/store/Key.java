package io.hourglass.engine.store;

import io.hourglass.engine.catalog.Values;

import java.util.Arrays;

/**
 * An index key: the values of the index columns, compared component by component with
 * {@link Values#compare}. A shorter key compares equal to every key it is a prefix of, which
 * is how a range index answers prefix and range bounds.
 */
public final class Key implements Comparable<Key> {
    final Object[] values;
    private final int hash;

    public Key(Object[] values) {
        this.values = values;
        this.hash = mix(values);
    }

    /** A key with a given hash, for tests of hash-index corner cases. */
    Key(Object[] values, int hash) {
        this.values = values;
        this.hash = hash;
    }

    /**
     * A well-spread 32-bit hash of the values (MurmurHash3's 32-bit mixing over each value's
     * {@link Values#hashOf}). It matters: the hash index keeps only this hash, so keys that
     * collide cost the reader a row decode each; {@code 31 * h + v} would give TPTBM's
     * (vpn_id, vpn_nb) keys some 32,000 distinct hashes for a million keys.
     */
    static int mix(Object[] values) {
        int h = MIX_START;
        for (Object v : values) h = mixIn(h, Values.hashOf(v));
        return mixEnd(h, values.length);
    }

    /**
     * The hash of a key whose values hash (each {@link Values#hashOf}) to {@code valueHashes[c]}
     * for each {@code c} of {@code columns}, in that order: what {@code new Key(values)} gets,
     * for a caller that hashed the values without making them ({@link RowCodec#keyHash}).
     */
    public static int hashOfValueHashes(int[] valueHashes, int[] columns) {
        int h = MIX_START;
        for (int c : columns) h = mixIn(h, valueHashes[c]);
        return mixEnd(h, columns.length);
    }

    private static final int MIX_START = 0x9747B28C;

    private static int mixIn(int h, int valueHash) {
        int k = valueHash * 0xCC9E2D51;
        k = Integer.rotateLeft(k, 15) * 0x1B873593;
        return Integer.rotateLeft(h ^ k, 13) * 5 + 0xE6546B64;
    }

    private static int mixEnd(int h, int count) {
        h ^= count;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    public static Key of(Object[] row, int[] columns) {
        Object[] v = new Object[columns.length];
        for (int i = 0; i < columns.length; i++) v[i] = row[columns[i]];
        return new Key(v);
    }

    public int size() { return values.length; }

    public Object get(int i) { return values[i]; }

    public boolean hasNull() {
        for (Object v : values) if (v == null) return true;
        return false;
    }

    /**
     * A bound's last value that sorts after every value: {@code (p, TOP)} comes after every key
     * that begins with {@code p}, where {@code (p)} compares equal to them all. A descending walk
     * from an inclusive prefix bound starts there: the skip list, asked for the greatest key not
     * above {@code (p)}, would answer with the first of those equal keys, not the last.
     */
    public static final Object TOP = new Object() {
        @Override
        public String toString() { return "TOP"; }
    };

    /** {@code key} followed by {@link #TOP}. */
    public static Key upTo(Key key) {
        Object[] v = Arrays.copyOf(key.values, key.values.length + 1);
        v[key.values.length] = TOP;
        return new Key(v);
    }

    @Override
    public int compareTo(Key o) {
        int n = Math.min(values.length, o.values.length);
        for (int i = 0; i < n; i++) {
            Object a = values[i], b = o.values[i];
            if (a == TOP || b == TOP) {
                if (a != b) return a == TOP ? 1 : -1;
                continue;
            }
            int c = Values.compare(a, b);
            if (c != 0) return c;
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && k.hash == hash && k.values.length == values.length && compareTo(k) == 0;
    }

    @Override
    public int hashCode() { return hash; }

    @Override
    public String toString() { return Arrays.toString(values); }
}
