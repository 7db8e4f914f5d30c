package io.hourglass.engine.store;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.Values;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Encodes a row as a compact byte image, the unit a block slot holds and a checkpoint will
 * write. Layout (docs/FORMAT.md, "Row image"): a null bitmap of ceil(n/8) bytes (bit i set =
 * column i is NULL), then each non-null column in order:
 * TINYINT 1 byte unsigned, SMALLINT 2, INTEGER 4, BIGINT 8, BINARY_DOUBLE 8 (IEEE bits),
 * DATE 8 (epoch seconds, no zone), TIMESTAMP 8 + 4 (epoch seconds, nanos),
 * NUMBER: 1 byte scale (signed), varint length, unscaled two's-complement big-endian bytes,
 * CHAR/VARCHAR2: varint length, UTF-8 bytes; VARBINARY: varint length, bytes.
 * All multi-byte integers are big-endian. Varints are unsigned LEB128.
 */
public final class RowCodec {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final TypeKind[] kinds;
    private final int bitmapBytes;

    public RowCodec(SqlType[] types) {
        this.kinds = new TypeKind[types.length];
        for (int i = 0; i < types.length; i++) kinds[i] = types[i].kind();
        this.bitmapBytes = (types.length + 7) >>> 3;
    }

    public int columnCount() { return kinds.length; }

    public byte[] encode(Object[] row) {
        Buf out = new Buf(bitmapBytes + 8 * kinds.length);
        out.pos = bitmapBytes;
        for (int i = 0; i < kinds.length; i++) {
            Object v = row[i];
            if (v == null) {
                out.data[i >>> 3] |= (byte) (1 << (i & 7));
                continue;
            }
            switch (kinds[i]) {
                case TINYINT -> out.put((byte) (long) (Long) v);
                case SMALLINT -> { out.ensure(2); SHORT.set(out.data, out.pos, (short) (long) (Long) v); out.pos += 2; }
                case INTEGER -> { out.ensure(4); INT.set(out.data, out.pos, (int) (long) (Long) v); out.pos += 4; }
                case BIGINT -> out.putLong((Long) v);
                case DOUBLE -> out.putLong(Double.doubleToRawLongBits((Double) v));
                case DATE -> out.putLong(((LocalDateTime) v).toEpochSecond(ZoneOffset.UTC));
                case TIMESTAMP -> {
                    LocalDateTime t = (LocalDateTime) v;
                    out.putLong(t.toEpochSecond(ZoneOffset.UTC));
                    out.ensure(4);
                    INT.set(out.data, out.pos, t.getNano());
                    out.pos += 4;
                }
                case NUMBER -> {
                    BigDecimal d = (BigDecimal) v;
                    if (d.scale() > 127 || d.scale() < -128) throw ErrorCode.NUMERIC_OVERFLOW.error("scale of " + d);
                    out.put((byte) d.scale());
                    out.putBytes(d.unscaledValue().toByteArray());
                }
                case CHAR, VARCHAR, ROWID -> out.putBytes(((String) v).getBytes(StandardCharsets.UTF_8));
                case VARBINARY -> out.putBytes(((Bytes) v).data());
                case BOOLEAN -> out.put((byte) ((Boolean) v ? 1 : 0));
            }
        }
        return java.util.Arrays.copyOf(out.data, out.pos);
    }

    public Object[] decode(byte[] img) { return decode(img, null); }

    /**
     * Decodes only the columns {@code wanted} marks (all when null); the others are left null
     * and only skipped over, so no value object is made for them (a commit that needs a row's
     * index keys does not build its strings). Columns after the last wanted one are not read.
     */
    public Object[] decode(byte[] img, boolean[] wanted) { return decode(img, wanted, 0); }

    /** The row's values followed by {@code extra} slots left null, for the caller to fill (a ROWID). */
    public Object[] decode(byte[] img, int extra) { return decode(img, null, extra); }

    private Object[] decode(byte[] img, boolean[] wanted, int extra) {
        Object[] row = new Object[kinds.length + extra];
        int pos = bitmapBytes;
        int end = kinds.length;
        if (wanted != null) while (end > 0 && !wanted[end - 1]) end--;
        for (int i = 0; i < end; i++) {
            if ((img[i >>> 3] & (1 << (i & 7))) != 0) continue;
            if (wanted == null || wanted[i]) row[i] = valueAt(img, pos, kinds[i]);
            pos = skip(img, pos, kinds[i]);
        }
        return row;
    }

    /**
     * The hash {@code new Key(values of columns)} has, for the row image {@code img}, without
     * making a key or, for integer columns, any value: a hash index build over a million rows
     * then allocates nothing per row. {@code wanted} is the mask of {@code columns}
     * ({@code IndexDef.columnMask}), {@code valueHashes} scratch of {@link #columnCount} ints.
     */
    public int keyHash(byte[] img, int[] columns, boolean[] wanted, int[] valueHashes) {
        int pos = bitmapBytes;
        int end = kinds.length;
        while (end > 0 && !wanted[end - 1]) end--;
        for (int i = 0; i < end; i++) {
            if ((img[i >>> 3] & (1 << (i & 7))) != 0) {
                valueHashes[i] = Values.hashOf(null);
                continue;
            }
            if (wanted[i]) {
                valueHashes[i] = switch (kinds[i]) {
                    case TINYINT -> Values.hashOfLong(img[pos] & 0xFF);
                    case SMALLINT -> Values.hashOfLong((short) SHORT.get(img, pos));
                    case INTEGER -> Values.hashOfLong((int) INT.get(img, pos));
                    case BIGINT -> Values.hashOfLong((long) LONG.get(img, pos));
                    default -> Values.hashOf(valueAt(img, pos, kinds[i]));
                };
            }
            pos = skip(img, pos, kinds[i]);
        }
        return Key.hashOfValueHashes(valueHashes, columns);
    }

    /** Whether column {@code column} is NULL in the row image {@code img}. */
    public static boolean isNull(byte[] img, int column) { return (img[column >>> 3] & (1 << (column & 7))) != 0; }

    /** Whether column {@code column} holds integers (TINYINT to BIGINT), which {@link #integerAt} reads. */
    public boolean isInteger(int column) {
        return switch (kinds[column]) {
            case TINYINT, SMALLINT, INTEGER, BIGINT -> true;
            default -> false;
        };
    }

    /** The kind of column {@code column}'s values. */
    public TypeKind kind(int column) { return kinds[column]; }

    /** Whether column {@code column} holds strings (CHAR, VARCHAR2). */
    public boolean isString(int column) { return kinds[column] == TypeKind.CHAR || kinds[column] == TypeKind.VARCHAR; }

    /** The value of integer column {@code column}, not NULL, in the row image {@code img}, without making it. */
    public long integerAt(byte[] img, int column) {
        int pos = bitmapBytes;
        for (int i = 0; i < column; i++) if (!isNull(img, i)) pos = skip(img, pos, kinds[i]);
        return switch (kinds[column]) {
            case TINYINT -> img[pos] & 0xFF;
            case SMALLINT -> (short) SHORT.get(img, pos);
            case INTEGER -> (int) INT.get(img, pos);
            case BIGINT -> (long) LONG.get(img, pos);
            default -> throw new IllegalArgumentException("column " + column + " is not an integer column");
        };
    }

    /** The non-null value of kind {@code k} that starts at {@code pos}. */
    private static Object valueAt(byte[] img, int pos, TypeKind k) {
        return switch (k) {
            case TINYINT -> (long) (img[pos] & 0xFF);
            case SMALLINT -> (long) (short) SHORT.get(img, pos);
            case INTEGER -> (long) (int) INT.get(img, pos);
            case BIGINT -> (long) LONG.get(img, pos);
            case DOUBLE -> Double.longBitsToDouble((long) LONG.get(img, pos));
            case DATE -> LocalDateTime.ofEpochSecond((long) LONG.get(img, pos), 0, ZoneOffset.UTC);
            case TIMESTAMP -> LocalDateTime.ofEpochSecond((long) LONG.get(img, pos), (int) INT.get(img, pos + 8), ZoneOffset.UTC);
            case NUMBER -> {
                long lenAndPos = readVarint(img, pos + 1);
                yield new BigDecimal(new BigInteger(img, (int) lenAndPos, (int) (lenAndPos >>> 32)), img[pos]);
            }
            case CHAR, VARCHAR, ROWID -> {
                long lenAndPos = readVarint(img, pos);
                yield new String(img, (int) lenAndPos, (int) (lenAndPos >>> 32), StandardCharsets.UTF_8);
            }
            case VARBINARY -> {
                long lenAndPos = readVarint(img, pos);
                int at = (int) lenAndPos;
                yield new Bytes(java.util.Arrays.copyOfRange(img, at, at + (int) (lenAndPos >>> 32)));
            }
            case BOOLEAN -> img[pos] != 0;
            case INTERVAL -> throw new IllegalArgumentException("no column holds an interval");
        };
    }

    /** The position after the non-null value of kind {@code k} that starts at {@code pos}. */
    private static int skip(byte[] img, int pos, TypeKind k) {
        return switch (k) {
            case TINYINT, BOOLEAN -> pos + 1;
            case SMALLINT -> pos + 2;
            case INTEGER -> pos + 4;
            case BIGINT, DOUBLE, DATE -> pos + 8;
            case TIMESTAMP -> pos + 12;
            case NUMBER -> {
                long lenAndPos = readVarint(img, pos + 1);
                yield (int) lenAndPos + (int) (lenAndPos >>> 32);
            }
            case CHAR, VARCHAR, VARBINARY, ROWID -> {
                long lenAndPos = readVarint(img, pos);
                yield (int) lenAndPos + (int) (lenAndPos >>> 32);
            }
            case INTERVAL -> throw new IllegalArgumentException("no column holds an interval");
        };
    }

    /** Returns (length << 32) | newPosition. */
    private static long readVarint(byte[] b, int pos) {
        int value = 0, shift = 0;
        while (true) {
            byte x = b[pos++];
            value |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) break;
            shift += 7;
        }
        return ((long) value << 32) | (pos & 0xFFFFFFFFL);
    }

    private static final class Buf {
        byte[] data;
        int pos;

        Buf(int cap) { data = new byte[Math.max(cap, 16)]; }

        void ensure(int n) {
            if (pos + n > data.length) data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, pos + n));
        }

        void put(byte b) { ensure(1); data[pos++] = b; }

        void putLong(long v) { ensure(8); LONG.set(data, pos, v); pos += 8; }

        void putBytes(byte[] b) {
            int len = b.length;
            ensure(5 + len);
            while ((len & ~0x7F) != 0) { data[pos++] = (byte) ((len & 0x7F) | 0x80); len >>>= 7; }
            data[pos++] = (byte) len;
            System.arraycopy(b, 0, data, pos, b.length);
            pos += b.length;
        }
    }

}
