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
        int h = 1;
        for (Object v : values) h = 31 * h + Values.hashOf(v);
        this.hash = h;
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

    @Override
    public int compareTo(Key o) {
        int n = Math.min(values.length, o.values.length);
        for (int i = 0; i < n; i++) {
            int c = Values.compare(values[i], o.values[i]);
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
