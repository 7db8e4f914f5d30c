package io.hourglass.engine.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The range index filled at once from sorted rows (recovery) behaves as one built insert by insert. */
class RangeIndexTest {
    private static Key k(long v) { return new Key(new Object[] {v}); }

    private static List<Long> scan(Index ix) {
        List<Long> out = new ArrayList<>();
        ix.scanAll(out::add);
        return out;
    }

    private static List<Long> lookup(Index ix, long key) {
        List<Long> out = new ArrayList<>();
        ix.lookup(k(key), out::add);
        return out;
    }

    @Test
    void aFillFromSortedKeysEqualsInsertsOneByOne() {
        // 3,000 rows over 1,000 keys (a non-unique index): equal keys adjacent, in row-id order.
        int n = 3_000;
        Key[] keys = new Key[n];
        long[] ids = new long[n];
        RangeIndex oneByOne = new RangeIndex();
        for (int i = 0; i < n; i++) {
            keys[i] = k(i / 3 * 10);
            ids[i] = 7L * i;
            oneByOne.insert(keys[i], ids[i]);
        }
        RangeIndex filled = new RangeIndex();
        filled.fill(keys, ids, n);
        assertEquals(1_000, filled.keyCount());
        assertEquals(scan(oneByOne), scan(filled), "every entry, in key order");
        assertEquals(List.of(21L * 5, 21L * 5 + 7, 21L * 5 + 14), lookup(filled, 50));
        List<Long> range = new ArrayList<>();
        filled.range(k(20), true, k(40), false, true, range::add);
        assertEquals(List.of(63L, 70L, 77L, 42L, 49L, 56L), range, "[20, 40) descending: key 30, then key 20");
        // The filled index takes changes as any other.
        filled.remove(k(50), 21L * 5 + 7);
        filled.insert(k(55), 1L);
        assertEquals(List.of(21L * 5, 21L * 5 + 14), lookup(filled, 50));
        assertEquals(List.of(1L), lookup(filled, 55));
        assertEquals(1_001, filled.keyCount());
    }

    @Test
    void keysOutOfOrderOrAnIndexInUseAreInsertedOneByOne() {
        Key[] keys = {k(3), k(1), k(2)};
        long[] ids = {30, 10, 20};
        RangeIndex unsorted = new RangeIndex();
        unsorted.fill(keys, ids, 3);
        assertEquals(List.of(10L, 20L, 30L), scan(unsorted), "still in key order");

        RangeIndex inUse = new RangeIndex();
        inUse.insert(k(2), 99);
        inUse.fill(new Key[] {k(1), k(2), k(3)}, new long[] {10, 20, 30}, 3);
        assertEquals(List.of(10L, 99L, 20L, 30L), scan(inUse), "what it held is kept");
        assertEquals(3, inUse.keyCount());
    }
}
