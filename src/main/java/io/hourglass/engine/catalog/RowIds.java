package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;

/**
 * The text of a ROWID, {@link #LENGTH} upper-case hexadecimal digits: 8 of its table's
 * {@link Table#rowIdTag} (the id it was created with), then 10 of the row's place in it (its row
 * id, {@code (block << 8) | slot}), zero-padded, so that a table's ROWIDs sort as its rows lie.
 * The place is the row's for its life: through updates, checkpoints, recovery, backup and
 * restore, ALTER TABLE and RENAME; a deleted row's place may be given to a later row. A ROWID
 * names no row of another table (unless 2^32 tables were created in between).
 */
public final class RowIds {
    /** Characters in a ROWID, as in Oracle's and TimesTen's. */
    public static final int LENGTH = 18;
    private static final int TAG_DIGITS = 8;
    /** Row ids up to 2^40 (a trillion places; PermSize runs out long before). */
    private static final long MAX_ROW_ID = (1L << 40) - 1;

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    private RowIds() {}

    /** The ROWID of the row at {@code rowId} of the table whose ROWIDs carry {@code tag}. */
    public static String text(long tag, long rowId) {
        if (rowId < 0 || rowId > MAX_ROW_ID) throw new IllegalArgumentException("row id " + rowId + " has no ROWID");
        char[] out = new char[LENGTH];
        long v = rowId;
        for (int i = LENGTH - 1; i >= TAG_DIGITS; i--, v >>>= 4) out[i] = DIGITS[(int) (v & 15)];
        v = tag;
        for (int i = TAG_DIGITS - 1; i >= 0; i--, v >>>= 4) out[i] = DIGITS[(int) (v & 15)];
        return new String(out);
    }

    /** The row id {@code s} names in the table whose ROWIDs carry {@code tag}; -1 if it is not one of that table's. */
    public static long rowId(String s, long tag) {
        long[] parts = parse(s);
        return parts == null || parts[0] != (tag & 0xFFFF_FFFFL) ? -1 : parts[1];
    }

    /** {tag, row id} of the ROWID {@code s} (trailing blanks aside, either case), or null if it is not one. */
    private static long[] parse(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') end--;
        if (end != LENGTH) return null;
        long tag = 0, row = 0;
        for (int i = 0; i < LENGTH; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return null;
            if (i < TAG_DIGITS) tag = tag << 4 | d;
            else row = row << 4 | d;
        }
        return new long[] {tag, row};
    }

    /** {@code v} as a ROWID's text, upper case (NULL stays NULL); TT90003 if it is not one. */
    public static String of(Object v, String what) {
        if (v == null) return null;
        String s = v instanceof String x ? x : Values.toText(v);
        long[] parts = parse(s);
        if (parts == null) throw ErrorCode.TYPE_MISMATCH.error("'" + s + "' is not a ROWID (" + LENGTH + " hexadecimal digits) for " + what);
        return text(parts[0], parts[1]);
    }
}
