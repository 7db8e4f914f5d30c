package io.hourglass.engine.store;

import io.hourglass.engine.catalog.SqlType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The row image format of docs/FORMAT.md: every type survives a round trip, NULLs cost a bit. */
class RowCodecTest {
    private static final SqlType[] TYPES = {
        SqlType.TINYINT, SqlType.SMALLINT, SqlType.INTEGER, SqlType.BIGINT, SqlType.number(10, 2), SqlType.NUMBER,
        SqlType.DOUBLE, SqlType.charType(5), SqlType.varchar(300), SqlType.varbinary(10), SqlType.DATE, SqlType.TIMESTAMP,
    };

    @Test
    void everyTypeRoundTrips() {
        RowCodec codec = new RowCodec(TYPES);
        Object[] row = {255L, -32768L, Integer.MIN_VALUE * 1L, Long.MAX_VALUE, new BigDecimal("-12345678.90"),
            new BigDecimal("1E+40"), -0.0, "ab   ", "é€😀".repeat(50), new Bytes(new byte[] {0, -1, 127}),
            LocalDateTime.of(1969, 12, 31, 23, 59, 59), LocalDateTime.of(2262, 4, 11, 23, 47, 16, 854_775_807)};
        Object[] back = codec.decode(codec.encode(row));
        assertArrayEquals(row, back);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) back[6]));
    }

    @Test
    void aPartialDecodeGivesTheWantedColumnsAndSkipsTheOthersExactly() {
        RowCodec codec = new RowCodec(TYPES);
        Object[] row = {7L, -2L, 42L, -9L, new BigDecimal("-12345678.90"), new BigDecimal("1E+40"), 2.5, "ab   ",
            "é€😀".repeat(50), new Bytes(new byte[] {0, -1, 127}), LocalDateTime.of(1969, 12, 31, 23, 59, 59),
            LocalDateTime.of(2262, 4, 11, 23, 47, 16, 854_775_807)};
        row[5] = null; // a NULL among skipped columns takes no bytes to skip
        byte[] img = codec.encode(row);
        // Every single column alone (all the others skipped before and after it), then every other one.
        for (int want = 0; want < TYPES.length; want++) {
            boolean[] mask = new boolean[TYPES.length];
            mask[want] = true;
            Object[] back = codec.decode(img, mask);
            for (int i = 0; i < TYPES.length; i++) assertEquals(i == want ? row[i] : null, back[i], "column " + i + " wanting " + want);
        }
        boolean[] odd = new boolean[TYPES.length];
        for (int i = 1; i < odd.length; i += 2) odd[i] = true;
        Object[] back = codec.decode(img, odd);
        for (int i = 0; i < TYPES.length; i++) assertEquals(odd[i] ? row[i] : null, back[i], "column " + i);
        // Nothing after the last wanted column is read: an image cut right after column 2 (the
        // 2-byte bitmap, then 1 + 2 + 4 bytes) still gives columns 0 to 2.
        boolean[] firstThree = new boolean[TYPES.length];
        firstThree[0] = firstThree[2] = true;
        Object[] head = codec.decode(java.util.Arrays.copyOf(img, 9), firstThree);
        assertEquals(7L, head[0]);
        assertEquals(42L, head[2]);
    }

    /**
     * A hash index build takes each row's key hash from its image (RowCodec.keyHash) instead of
     * a Key made from decoded values; the two must agree for every kind, NULLs, trailing blanks
     * and any column order, or the rebuilt index misses rows that lookups then look for.
     */
    @Test
    void aKeyHashFromTheImageIsTheHashOfTheKeyOfItsDecodedValues() {
        SqlType[] types = java.util.Arrays.copyOf(TYPES, TYPES.length + 2);
        types[TYPES.length] = SqlType.BOOLEAN;
        types[TYPES.length + 1] = SqlType.ROWID;
        RowCodec codec = new RowCodec(types);
        java.util.SplittableRandom r = new java.util.SplittableRandom(17);
        int[] scratch = new int[types.length];
        for (int round = 0; round < 2000; round++) {
            Object[] row = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                if (r.nextInt(6) == 0) continue; // NULL
                long n = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(-300, 300);
                row[i] = switch (types[i].kind()) {
                    case TINYINT -> n & 0xFF;
                    case SMALLINT -> (long) (short) n;
                    case INTEGER -> (long) (int) n;
                    case BIGINT -> n;
                    case NUMBER -> BigDecimal.valueOf(n, r.nextInt(-2, 3));
                    case DOUBLE -> r.nextBoolean() ? (double) (n % 1000) : n / 7.0;
                    case CHAR, VARCHAR -> "k" + (n % 50) + " ".repeat(r.nextInt(3));
                    case VARBINARY -> new Bytes(new byte[] {(byte) n, (byte) (n >> 8)});
                    case DATE -> LocalDateTime.ofEpochSecond(n % 4_000_000_000L, 0, java.time.ZoneOffset.UTC);
                    case TIMESTAMP -> LocalDateTime.ofEpochSecond(n % 4_000_000_000L, r.nextInt(1_000_000_000), java.time.ZoneOffset.UTC);
                    case BOOLEAN -> n % 2 == 0;
                    case ROWID -> io.hourglass.engine.catalog.RowIds.text(n >>> 40, n & 0xFF_FFFF_FFFFL);
                    case INTERVAL -> throw new AssertionError("no column holds an interval");
                };
            }
            byte[] img = codec.encode(row);
            int[] columns = r.ints(r.nextInt(1, 4), 0, types.length).distinct().toArray();
            boolean[] mask = new boolean[types.length];
            for (int c : columns) mask[c] = true;
            Key key = Key.of(codec.decode(img), columns);
            assertEquals(key.hashCode(), codec.keyHash(img, columns, mask, scratch), "key " + key + " of columns " + java.util.Arrays.toString(columns));
        }
    }

    @Test
    void nullsTakeOnlyTheirBitmapBit() {
        RowCodec codec = new RowCodec(TYPES);
        Object[] nulls = new Object[TYPES.length];
        byte[] img = codec.encode(nulls);
        assertEquals(2, img.length, "12 columns: a 2-byte null bitmap and nothing else");
        assertArrayEquals(nulls, codec.decode(img));
    }

    @Test
    void tptbmRowIsCompact() {
        RowCodec codec = new RowCodec(new SqlType[] {SqlType.INTEGER, SqlType.INTEGER, SqlType.charType(10),
            SqlType.charType(10), SqlType.charType(100)});
        byte[] img = codec.encode(new Object[] {1L, 2L, "0123456789", "0123456789", "x".repeat(100)});
        assertTrue(img.length <= 1 + 4 + 4 + 11 + 11 + 101, "image of " + img.length + " bytes");
    }
}
