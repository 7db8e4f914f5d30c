package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.store.Bytes;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Value semantics shared by predicates, indexes and sorting. Strings compare with PAD SPACE
 * semantics (trailing blanks are not significant), so a CHAR(10) column equals the literal
 * 'abc'; {@link #hashOf} normalises the same way so hash indexes agree with comparisons.
 * Numbers compare by value across Long, BigDecimal and Double.
 */
public final class Values {
    public static final MathContext DIVISION = new MathContext(38, RoundingMode.HALF_UP);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Values() {}

    /** Total order for non-null values of comparable kinds; NULLs sort first. */
    public static int compare(Object a, Object b) {
        if (a == b) return 0;
        if (a == null) return -1;
        if (b == null) return 1;
        if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
        if (a instanceof String x && b instanceof String y) return comparePadSpace(x, y);
        if (isNumber(a) && isNumber(b)) return compareNumbers(a, b);
        if (a instanceof LocalDateTime x && b instanceof LocalDateTime y) return x.compareTo(y);
        if (a instanceof Bytes x && b instanceof Bytes y) return x.compareTo(y);
        if (a instanceof Boolean x && b instanceof Boolean y) return Boolean.compare(x, y);
        // Comparing a string with a number or a date converts the string, as Oracle does.
        if (a instanceof String s && (isNumber(b) || b instanceof LocalDateTime)) return compare(convertLike(s, b), b);
        if (b instanceof String s && (isNumber(a) || a instanceof LocalDateTime)) return compare(a, convertLike(s, a));
        throw ErrorCode.TYPE_MISMATCH.error("cannot compare " + describe(a) + " with " + describe(b));
    }

    private static Object convertLike(String s, Object model) {
        if (model instanceof LocalDateTime) return SqlType.TIMESTAMP.coerce(s, "comparison");
        try {
            return parseDecimal(s);
        } catch (NumberFormatException e) {
            throw ErrorCode.TYPE_MISMATCH.error("cannot compare '" + s + "' with a number");
        }
    }

    private static final MathContext NUMBER_DIGITS = new MathContext(SqlType.MAX_NUMBER_PRECISION, RoundingMode.HALF_UP);

    /**
     * A decimal as Oracle's NUMBER keeps it: rounded to 38 significant digits, 0 below a
     * magnitude of 1E-130, TT90004 (numeric overflow) from 1E126 up. Every decimal that enters
     * the engine (literals, parameters, strings converted) or comes out of its arithmetic passes
     * here, so none can grow to millions of digits ('1E999999999' would otherwise be a number
     * whose first use takes the heap).
     */
    public static BigDecimal number(BigDecimal d) {
        if (d.signum() == 0) return d;
        if (d.precision() > SqlType.MAX_NUMBER_PRECISION) d = d.round(NUMBER_DIGITS);
        long exponent = (long) d.precision() - d.scale() - 1; // of the leading digit
        if (exponent >= 126) throw ErrorCode.NUMERIC_OVERFLOW.error("a NUMBER must be below 1E126 in magnitude");
        if (exponent < -130) return BigDecimal.ZERO;
        return d;
    }

    /** Text to a NUMBER ({@link #number}); NumberFormatException when it is not a number. */
    public static BigDecimal parseDecimal(String s) { return number(new BigDecimal(s.trim())); }

    /**
     * Strings in the order of their characters' code points (the order of their UTF-8 bytes, as
     * Oracle's BINARY sort and PostgreSQL's C collation have it), trailing blanks ignored.
     */
    static int comparePadSpace(String x, String y) {
        int lx = trailingTrimmedLength(x), ly = trailingTrimmedLength(y);
        int n = Math.min(lx, ly);
        for (int i = 0; i < n; i++) {
            char cx = x.charAt(i), cy = y.charAt(i);
            if (cx != cy) return codeUnitRank(cx) - codeUnitRank(cy);
        }
        return lx - ly;
    }

    /**
     * A char's rank (0 to 0xFFFF) such that the first differing chars of two strings order them
     * as their code points would: the chars of a surrogate pair (a character past U+FFFF) rank
     * above every char from U+E000 up, where plain char order puts them below. What orders
     * strings anywhere else (the sort of an index's keys at load) ranks chars by this.
     */
    public static int codeUnitRank(char c) {
        if (c < Character.MIN_SURROGATE) return c;
        return c <= Character.MAX_SURROGATE ? c + 0x2000 : c - 0x800;
    }

    private static int trailingTrimmedLength(String s) {
        int n = s.length();
        while (n > 0 && s.charAt(n - 1) == ' ') n--;
        return n;
    }

    public static boolean isNumber(Object v) { return v instanceof Long || v instanceof BigDecimal || v instanceof Double; }

    private static int compareNumbers(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            return Double.compare(toDouble(a), toDouble(b));
        }
        return toDecimal(a).compareTo(toDecimal(b));
    }

    public static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case BigDecimal d -> d.doubleValue();
            case Double d -> d;
            default -> throw ErrorCode.TYPE_MISMATCH.error(describe(v) + " is not a number");
        };
    }

    public static BigDecimal toDecimal(Object v) {
        return switch (v) {
            case Long l -> BigDecimal.valueOf(l);
            case BigDecimal d -> d;
            case Double d -> new BigDecimal(Double.toString(d));
            case String s -> {
                try {
                    yield parseDecimal(s);
                } catch (NumberFormatException e) {
                    throw ErrorCode.TYPE_MISMATCH.error("'" + s + "' is not a number");
                }
            }
            default -> throw ErrorCode.TYPE_MISMATCH.error(describe(v) + " is not a number");
        };
    }

    /**
     * The hash of a whole number, whichever type holds it: itself when it fits an int (distinct
     * ints never collide), else its halves folded. {@link Long#hashCode} alone folds -1 onto 0,
     * -2 onto 1 and so on, so a hash index of keys on both sides of zero had every lookup meet a
     * second row.
     */
    public static int hashOfLong(long l) { return l == (int) l ? (int) l : Long.hashCode(l); }

    /** Hash consistent with {@link #compare}: equal values hash alike across numeric kinds. */
    public static int hashOf(Object v) {
        return switch (v) {
            case null -> 0;
            case Long l -> hashOfLong(l);
            case String s -> s.substring(0, trailingTrimmedLength(s)).hashCode();
            case BigDecimal d -> {
                BigDecimal n = normalize(d);
                yield n.scale() <= 0 && n.unscaledValue().bitLength() < 63 ? hashOfLong(n.longValueExact()) : n.hashCode();
            }
            case Double d -> d == Math.rint(d) && Math.abs(d) < 9.0e18 ? hashOfLong(d.longValue())
                    : Double.isFinite(d) ? hashOf(new BigDecimal(Double.toString(d)))
                    : d.hashCode(); // an infinity or NaN: there is no BigDecimal of it to hash
            default -> v.hashCode();
        };
    }

    /** A BigDecimal without trailing zeros, and scale 0 for integral values. */
    public static BigDecimal normalize(BigDecimal d) {
        if (d.signum() == 0) return BigDecimal.ZERO;
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /**
     * Converts a parameter from a Java caller to the engine's representation: integral boxes
     * to Long, Float to Double, BigInteger to BigDecimal, byte[] to Bytes, LocalDate and
     * java.sql times to LocalDateTime. Other types are refused (TT90003).
     */
    public static Object fromJava(Object v) {
        return switch (v) {
            case null -> null;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal d -> number(d);
            case java.math.BigInteger b -> number(new BigDecimal(b));
            case String s -> s;
            case Character c -> String.valueOf(c);
            case Boolean b -> b;
            case Bytes b -> b;
            case byte[] b -> new Bytes(b);
            case LocalDateTime t -> t;
            case java.time.LocalDate d -> d.atStartOfDay();
            case java.time.Instant i -> LocalDateTime.ofInstant(i, java.time.ZoneOffset.UTC);
            default -> throw ErrorCode.TYPE_MISMATCH.error("unsupported parameter type " + v.getClass().getName());
        };
    }

    // ---- arithmetic ------------------------------------------------------------------------

    public static Object add(Object a, Object b) {
        if (a == null || b == null) return null;
        if (a instanceof Interval || b instanceof Interval) return withInterval(a, b, 1);
        if (a instanceof LocalDateTime t) return plusDays(t, b);
        if (b instanceof LocalDateTime t) return plusDays(t, a);
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.addExact(x, y);
            } catch (ArithmeticException e) {
                return BigDecimal.valueOf(x).add(BigDecimal.valueOf(y)); // within 38 digits
            }
        }
        if (a instanceof Double || b instanceof Double) return toDouble(a) + toDouble(b);
        return number(toDecimal(a).add(toDecimal(b)));
    }

    public static Object subtract(Object a, Object b) {
        if (a == null || b == null) return null;
        if (a instanceof Interval || b instanceof Interval) return withInterval(a, b, -1);
        if (a instanceof LocalDateTime x && b instanceof LocalDateTime y) {
            BigDecimal secs = BigDecimal.valueOf(java.time.Duration.between(y, x).toNanos()).movePointLeft(9);
            return normalize(secs.divide(BigDecimal.valueOf(86400), DIVISION));
        }
        if (a instanceof LocalDateTime t) return plusDays(t, negate(b));
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.subtractExact(x, y);
            } catch (ArithmeticException e) {
                return BigDecimal.valueOf(x).subtract(BigDecimal.valueOf(y));
            }
        }
        if (a instanceof Double || b instanceof Double) return toDouble(a) - toDouble(b);
        return number(toDecimal(a).subtract(toDecimal(b)));
    }

    public static Object multiply(Object a, Object b) {
        if (a == null || b == null) return null;
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.multiplyExact(x, y);
            } catch (ArithmeticException e) {
                return BigDecimal.valueOf(x).multiply(BigDecimal.valueOf(y));
            }
        }
        if (a instanceof Double || b instanceof Double) return toDouble(a) * toDouble(b);
        return number(toDecimal(a).multiply(toDecimal(b)));
    }

    /** Division is exact decimal division (7/2 = 3.5), as Oracle's NUMBER arithmetic. */
    public static Object divide(Object a, Object b) {
        if (a == null || b == null) return null;
        if (a instanceof Double || b instanceof Double) {
            double d = toDouble(b);
            if (d == 0) throw ErrorCode.DIVISION_BY_ZERO.error();
            return toDouble(a) / d;
        }
        BigDecimal divisor = toDecimal(b);
        if (divisor.signum() == 0) throw ErrorCode.DIVISION_BY_ZERO.error();
        BigDecimal q = normalize(number(toDecimal(a).divide(divisor, DIVISION)));
        return integralOrDecimal(q);
    }

    public static Object mod(Object a, Object b) {
        if (a == null || b == null) return null;
        if (a instanceof Long x && b instanceof Long y) return y == 0 ? x : x % y;
        BigDecimal divisor = toDecimal(b);
        if (divisor.signum() == 0) return a;
        return integralOrDecimal(normalize(toDecimal(a).remainder(divisor)));
    }

    public static Object negate(Object a) {
        return switch (a) {
            case null -> null;
            case Long l when l != Long.MIN_VALUE -> -l;
            case Long l -> BigDecimal.valueOf(l).negate();
            case BigDecimal d -> d.negate();
            case Double d -> -d;
            default -> throw ErrorCode.TYPE_MISMATCH.error("cannot negate " + describe(a));
        };
    }

    /** Returns a Long when the decimal is integral and fits, so integer results stay integers. */
    public static Object integralOrDecimal(BigDecimal d) {
        if (d.scale() <= 0 && d.setScale(0).unscaledValue().bitLength() < 63) return d.longValue();
        return d;
    }

    private static final LocalDateTime FIRST_DATE = LocalDateTime.of(1, 1, 1, 0, 0);
    private static final LocalDateTime AFTER_LAST_DATE = LocalDateTime.of(10_000, 1, 1, 0, 0);

    /**
     * A date plus or minus ({@code sign} -1) an interval, or an interval plus a date; a text on the
     * date's side (a parameter, as the HTTP and gRPC APIs send dates) is read as a TIMESTAMP.
     * TT90003 for anything else.
     */
    private static LocalDateTime withInterval(Object a, Object b, int sign) {
        if (a instanceof String text && b instanceof Interval) a = SqlType.TIMESTAMP.coerce(text, "the date an interval is added to");
        if (b instanceof String text && a instanceof Interval && sign > 0) b = SqlType.TIMESTAMP.coerce(text, "the date an interval is added to");
        if (a instanceof LocalDateTime t && b instanceof Interval i) return i.addTo(t, sign);
        if (sign > 0 && a instanceof Interval i && b instanceof LocalDateTime t) return i.addTo(t, 1);
        throw ErrorCode.TYPE_MISMATCH.error("an interval is added to or subtracted from a DATE or TIMESTAMP, not " + describe(a)
                + (sign > 0 ? " + " : " - ") + describe(b));
    }

    /** {@code t} plus a number of days; TT90004 outside the years 1 to 9999, as Oracle's dates. */
    private static LocalDateTime plusDays(LocalDateTime t, Object days) {
        BigDecimal nanos = toDecimal(days).multiply(BigDecimal.valueOf(86_400_000_000_000L));
        LocalDateTime r;
        try {
            r = t.plusNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException | java.time.DateTimeException e) {
            r = null;
        }
        if (r == null || r.isBefore(FIRST_DATE) || !r.isBefore(AFTER_LAST_DATE)) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("a date must fall in the years 1 to 9999: " + toText(t) + " + " + toText(days) + " days");
        }
        return r;
    }

    /**
     * {@code t} as a DATE holds it after date arithmetic: to the nearest second, as Oracle's date
     * arithmetic rounds (DATE '2024-01-01' + 1/7 is 03:25:43), so a computed DATE compares equal
     * to the same DATE stored. TT90004 if that passes the year 9999.
     */
    public static LocalDateTime toNearestSecond(LocalDateTime t) {
        LocalDateTime r = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (t.getNano() < 500_000_000) return r;
        r = r.plusSeconds(1);
        if (!r.isBefore(AFTER_LAST_DATE)) throw ErrorCode.NUMERIC_OVERFLOW.error("a date must fall in the years 1 to 9999: " + toText(t));
        return r;
    }

    // ---- text ------------------------------------------------------------------------------

    public static String formatDouble(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return Double.toString(d);
    }

    public static String formatDateTime(LocalDateTime t) {
        String s = DATE_TIME.format(t);
        if (t.getNano() == 0) return s;
        String frac = String.format("%09d", t.getNano());
        int end = frac.length();
        while (end > 1 && frac.charAt(end - 1) == '0') end--;
        return s + "." + frac.substring(0, end);
    }

    /** How a value appears in text output (the shell, the conformance suite, error messages). */
    public static String toText(Object v) {
        return switch (v) {
            case null -> "NULL";
            case BigDecimal d -> normalize(d).toPlainString();
            case Double d -> formatDouble(d);
            case LocalDateTime t -> formatDateTime(t);
            case Bytes b -> b.toHex();
            default -> v.toString();
        };
    }

    public static String describe(Object v) {
        if (v == null) return "NULL";
        if (v instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        return toText(v);
    }
}
