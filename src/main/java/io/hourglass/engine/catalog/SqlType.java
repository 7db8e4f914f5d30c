package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.store.Bytes;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * A column or expression type: a kind plus its length (CHAR, VARCHAR, VARBINARY) or precision
 * and scale (NUMBER; precision 0 means "NUMBER" without precision, a floating decimal).
 */
public record SqlType(TypeKind kind, int length, int precision, int scale) {
    public static final int MAX_CHAR = 8300;
    public static final int MAX_VARCHAR = 4_194_304;
    public static final int MAX_NUMBER_PRECISION = 38;
    /** Scale value meaning "not fixed" for a NUMBER without precision. */
    public static final int FLOATING = Integer.MIN_VALUE;

    public static final SqlType TINYINT = new SqlType(TypeKind.TINYINT, 0, 0, 0);
    public static final SqlType SMALLINT = new SqlType(TypeKind.SMALLINT, 0, 0, 0);
    public static final SqlType INTEGER = new SqlType(TypeKind.INTEGER, 0, 0, 0);
    public static final SqlType BIGINT = new SqlType(TypeKind.BIGINT, 0, 0, 0);
    public static final SqlType NUMBER = new SqlType(TypeKind.NUMBER, 0, 0, FLOATING);
    public static final SqlType DOUBLE = new SqlType(TypeKind.DOUBLE, 0, 0, 0);
    public static final SqlType DATE = new SqlType(TypeKind.DATE, 0, 0, 0);
    public static final SqlType TIMESTAMP = new SqlType(TypeKind.TIMESTAMP, 0, 0, 6);
    public static final SqlType BOOLEAN = new SqlType(TypeKind.BOOLEAN, 0, 0, 0);
    public static final SqlType ROWID = new SqlType(TypeKind.ROWID, RowIds.LENGTH, 0, 0);
    public static final SqlType INTERVAL = new SqlType(TypeKind.INTERVAL, 0, 0, 0);
    public static final SqlType VARCHAR_ANY = new SqlType(TypeKind.VARCHAR, MAX_VARCHAR, 0, 0);
    public static final SqlType VARBINARY_ANY = new SqlType(TypeKind.VARBINARY, MAX_VARCHAR, 0, 0);

    public static SqlType charType(int n) { return new SqlType(TypeKind.CHAR, n, 0, 0); }

    public static SqlType varchar(int n) { return new SqlType(TypeKind.VARCHAR, n, 0, 0); }

    public static SqlType varbinary(int n) { return new SqlType(TypeKind.VARBINARY, n, 0, 0); }

    public static SqlType number(int precision, int scale) { return new SqlType(TypeKind.NUMBER, 0, precision, scale); }

    /** The type as SQL would spell it, e.g. {@code NUMBER(10,2)} or {@code VARCHAR2(20)}. */
    public String sqlName() {
        return switch (kind) {
            case CHAR, VARCHAR, VARBINARY -> kind.sqlName() + "(" + length + ")";
            case NUMBER -> precision == 0 ? (scale == FLOATING ? "NUMBER" : "NUMBER(*," + scale + ")")
                    : "NUMBER(" + precision + "," + scale + ")";
            case TIMESTAMP -> "TIMESTAMP(" + scale + ")";
            default -> kind.sqlName();
        };
    }

    @Override
    public String toString() { return sqlName(); }

    /**
     * Whether every value a column of this type holds is, as it is stored, a value of type
     * {@code to} too: the same kind and at least the room (a longer VARCHAR2 or VARBINARY, a
     * NUMBER with more digits and the same scale, a TIMESTAMP with more fractional digits). Then
     * ALTER TABLE MODIFY changes the definition without touching the rows. A CHAR's length pads
     * its values, so only the same CHAR qualifies.
     */
    public boolean sameImage(SqlType to) {
        if (equals(to)) return true;
        if (kind != to.kind) return false;
        return switch (kind) {
            case VARCHAR, VARBINARY -> to.length >= length;
            case NUMBER -> scale != FLOATING && to.scale == scale
                    && (to.precision == 0 ? MAX_NUMBER_PRECISION : to.precision) >= (precision == 0 ? MAX_NUMBER_PRECISION : precision);
            case TIMESTAMP -> to.scale >= scale;
            default -> false;
        };
    }

    /**
     * Converts a value to this type for storage in column {@code column}: checks range, length,
     * NUMBER precision, and pads CHAR. NULL stays NULL (NOT NULL is checked by the caller).
     */
    public Object coerce(Object v, String column) {
        if (v == null) return null;
        return switch (kind) {
            case TINYINT -> checkRange(toLong(v, column), 0, 255, column);
            case SMALLINT -> checkRange(toLong(v, column), Short.MIN_VALUE, Short.MAX_VALUE, column);
            case INTEGER -> checkRange(toLong(v, column), Integer.MIN_VALUE, Integer.MAX_VALUE, column);
            case BIGINT -> toLong(v, column);
            case NUMBER -> toNumber(v, column);
            case DOUBLE -> toDouble(v, column);
            case CHAR -> pad(checkLength(toText(v, column), column), length);
            case VARCHAR -> checkLength(toText(v, column), column);
            case VARBINARY -> checkBinaryLength(toBytes(v, column), column);
            case DATE -> toDateTime(v, column).truncatedTo(ChronoUnit.SECONDS);
            case TIMESTAMP -> toDateTime(v, column);
            case BOOLEAN -> toBoolean(v, column);
            case ROWID -> RowIds.of(v, column);
            case INTERVAL -> throw ErrorCode.TYPE_MISMATCH.error("an interval is not a value of its own (" + column + ")");
        };
    }

    private static Long checkRange(long v, long min, long max, String column) {
        if (v < min || v > max) throw ErrorCode.NUMERIC_OVERFLOW.error("value " + v + " out of range for " + column);
        return v;
    }

    private static long toLong(Object v, String column) {
        if (v instanceof Long l) return l;
        if (v instanceof Integer i) return i;
        if (v instanceof Short s) return s;
        if (v instanceof Byte b) return b;
        try {
            BigDecimal d = switch (v) {
                case BigDecimal bd -> Values.number(bd);
                case Double dd -> {
                    if (dd.isNaN() || dd.isInfinite()) throw ErrorCode.NUMERIC_OVERFLOW.error(dd + " for " + column);
                    yield BigDecimal.valueOf(dd);
                }
                case String s -> Values.parseDecimal(s);
                default -> throw mismatch(v, "an integer", column);
            };
            // TimesTen rounds an exact value stored into an integer column.
            return d.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (NumberFormatException e) {
            throw mismatch(v, "an integer", column);
        } catch (ArithmeticException e) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("value " + v + " out of range for " + column);
        }
    }

    private BigDecimal toNumber(Object v, String column) {
        BigDecimal d;
        try {
            d = switch (v) {
                case BigDecimal bd -> Values.number(bd);
                case Long l -> BigDecimal.valueOf(l);
                case Integer i -> BigDecimal.valueOf(i);
                case Double dd -> {
                    if (dd.isNaN() || dd.isInfinite()) throw ErrorCode.NUMERIC_OVERFLOW.error(dd + " for " + column);
                    yield Values.number(new BigDecimal(Double.toString(dd)));
                }
                case String s -> Values.parseDecimal(s);
                default -> throw mismatch(v, "a number", column);
            };
        } catch (NumberFormatException e) {
            throw mismatch(v, "a number", column);
        }
        if (scale != FLOATING) {
            d = d.setScale(scale, RoundingMode.HALF_UP);
        } else {
            d = d.round(new java.math.MathContext(MAX_NUMBER_PRECISION, RoundingMode.HALF_UP));
        }
        int p = precision == 0 ? MAX_NUMBER_PRECISION : precision;
        // Digits before the decimal point may not exceed precision - scale.
        int s = scale == FLOATING ? Math.max(d.scale(), 0) : scale;
        BigInteger unscaledInt = d.setScale(0, RoundingMode.DOWN).unscaledValue().abs();
        int intDigits = unscaledInt.signum() == 0 ? 0 : unscaledInt.toString().length();
        if (precision != 0 && intDigits > p - s) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("value " + v + " does not fit " + sqlName() + " of " + column);
        }
        if (precision == 0 && intDigits > MAX_NUMBER_PRECISION) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("value " + v + " does not fit NUMBER of " + column);
        }
        return scale == FLOATING ? Values.normalize(d) : d;
    }

    private static Double toDouble(Object v, String column) {
        return switch (v) {
            case Double d -> d;
            case Long l -> (double) l;
            case Integer i -> (double) i;
            case BigDecimal bd -> bd.doubleValue();
            case String s -> {
                try {
                    yield Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw mismatch(v, "a number", column);
                }
            }
            default -> throw mismatch(v, "a number", column);
        };
    }

    private static String toText(Object v, String column) {
        return switch (v) {
            case String s -> s;
            case Long l -> Long.toString(l);
            case BigDecimal bd -> bd.toPlainString();
            case Double d -> Values.formatDouble(d);
            case LocalDateTime t -> Values.formatDateTime(t);
            case Boolean b -> b ? "TRUE" : "FALSE";
            default -> throw mismatch(v, "a string", column);
        };
    }

    private String checkLength(String s, String column) {
        // Lengths are in characters for CHAR and VARCHAR2, as with TimesTen's NLS_LENGTH_SEMANTICS=CHAR.
        int n = characters(s, column);
        if (n > length) {
            if (kind == TypeKind.CHAR && s.stripTrailing().codePointCount(0, s.stripTrailing().length()) <= length) {
                return s.stripTrailing();
            }
            throw ErrorCode.VALUE_TOO_LONG.error(column, length, n);
        }
        return s;
    }

    /**
     * The characters (code points) of {@code s}; TT90003 for a surrogate without its pair, which
     * is no character: UTF-8 cannot hold it, and stored it would come back as '?'.
     */
    private static int characters(String s, String column) {
        int n = s.length(), count = n;
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (!Character.isSurrogate(ch)) continue;
            if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                count--;
            } else {
                throw ErrorCode.TYPE_MISMATCH.error(String.format("the text for %s is not valid Unicode: a lone surrogate \\u%04X after %d characters",
                        column, (int) ch, s.codePointCount(0, i)));
            }
        }
        return count;
    }

    private static String pad(String s, int n) {
        int len = s.codePointCount(0, s.length());
        return len >= n ? s : s + " ".repeat(n - len);
    }

    private static Bytes toBytes(Object v, String column) {
        return switch (v) {
            case Bytes b -> b;
            case byte[] b -> new Bytes(b);
            case String s -> Bytes.fromHex(s, column);
            default -> throw mismatch(v, "binary data", column);
        };
    }

    private Bytes checkBinaryLength(Bytes b, String column) {
        if (b.length() > length) throw ErrorCode.VALUE_TOO_LONG.error(column, length, b.length());
        return b;
    }

    private static LocalDateTime toDateTime(Object v, String column) {
        if (v instanceof LocalDateTime t) return t;
        if (v instanceof String s) {
            String t = s.trim();
            try {
                if (t.length() == 10) return LocalDate.parse(t).atStartOfDay();
                return LocalDateTime.parse(t.replace(' ', 'T'));
            } catch (DateTimeParseException e) {
                throw mismatch(v, "a date in the form YYYY-MM-DD[ HH:MI:SS[.fffffffff]]", column);
            }
        }
        throw mismatch(v, "a date", column);
    }

    private static Boolean toBoolean(Object v, String column) {
        if (v instanceof Boolean b) return b;
        throw mismatch(v, "a boolean", column);
    }

    private static HourglassException mismatch(Object v, String expected, String column) {
        return ErrorCode.TYPE_MISMATCH.error("cannot convert " + Values.describe(v) + " to " + expected + " for " + column);
    }

    /** Bytes a value of this type takes in a row image, used for PermSize accounting of fixed types. */
    public int fixedWidth() {
        return switch (kind) {
            case TINYINT -> 1;
            case SMALLINT -> 2;
            case INTEGER -> 4;
            case BIGINT, DOUBLE, DATE -> 8;
            case TIMESTAMP -> 12;
            default -> -1;
        };
    }

    /** UTF-8 length helper shared by the row codec. */
    public static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
