package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An interval, as TimesTen has them: a literal ({@code INTERVAL '5' MINUTE}) or NUMTODSINTERVAL /
 * NUMTOYMINTERVAL, added to or subtracted from a DATE or TIMESTAMP, never a value of its own (not
 * a result, not stored). Year-month intervals count {@code months}; day-second ones {@code nanos}.
 */
public record Interval(long months, long nanos) {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final List<String> FIELDS = List.of("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND");
    /** Per field: months (YEAR, MONTH) or nanoseconds (DAY ... SECOND) in one. */
    private static final long[] UNIT = {12, 1, 86_400 * NANOS_PER_SECOND, 3_600 * NANOS_PER_SECOND, 60 * NANOS_PER_SECOND, NANOS_PER_SECOND};
    /** Per field after the first of a range: its largest value (MONTH 11, HOUR 23, MINUTE and SECOND 59). */
    private static final long[] MAX = {0, 11, 0, 23, 59, 59};
    /** The separator before each field in a range's text ({@code '1-6'}, {@code '2 10:30:00'}). */
    private static final String[] SEPARATOR = {"", "-", "", " ", ":", ":"};

    /** Whether {@code field} (upper case) is one of an interval qualifier's fields. */
    public static boolean isField(String field) { return FIELDS.contains(field); }

    /**
     * The literal {@code INTERVAL [-] 'text' from [TO to]} ({@code to} null for one field):
     * the text's fields as the qualifier names them, a leading one of any number of digits, the
     * others within their ranges, seconds with up to 9 fractional digits. Null if the text does
     * not match (the caller reports it), TT90004 if it is too large to add to any date.
     */
    public static Interval parse(boolean negative, String text, String from, String to) {
        int first = FIELDS.indexOf(from), last = to == null ? first : FIELDS.indexOf(to);
        if (first < 0 || last < first || (first <= 1) != (last <= 1)) return null; // (YEAR TO MONTH, or within DAY ... SECOND)
        StringBuilder re = new StringBuilder("\\s*([+-])?(\\d+)");
        for (int f = first + 1; f <= last; f++) re.append(Pattern.quote(SEPARATOR[f])).append("(\\d{1,2})");
        if (last == 5) re.append("(?:\\.(\\d{1,9}))?");
        Matcher m = Pattern.compile(re.append("\\s*").toString()).matcher(text);
        if (!m.matches()) return null;
        boolean minus = negative != "-".equals(m.group(1));
        long total = 0;
        try {
            for (int f = first, g = 2; f <= last; f++, g++) {
                long v = Long.parseLong(m.group(g));
                if (f > first && v > MAX[f]) return null;
                total = Math.addExact(total, Math.multiplyExact(v, UNIT[f]));
            }
            if (last == 5 && m.group(last - first + 3) != null) {
                String frac = m.group(last - first + 3);
                total = Math.addExact(total, Long.parseLong(frac) * (long) Math.pow(10, 9 - frac.length()));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("INTERVAL '" + text + "' " + from + (to == null ? "" : " TO " + to) + " is too large");
        }
        if (minus) total = -total;
        return first <= 1 ? new Interval(total, 0) : new Interval(0, total);
    }

    /** NUMTODSINTERVAL(n, unit) (DAY, HOUR, MINUTE, SECOND) or NUMTOYMINTERVAL(n, unit) (YEAR, MONTH): n of the unit. */
    public static Interval of(Object n, String unit, boolean yearMonth, String function) {
        String u = unit.strip().toUpperCase(Locale.ROOT);
        int f = FIELDS.indexOf(u);
        if (f < 0 || (f <= 1) != yearMonth) {
            throw ErrorCode.TYPE_MISMATCH.error(function + " takes " + (yearMonth ? "YEAR or MONTH" : "DAY, HOUR, MINUTE or SECOND") + ", not '" + unit + "'");
        }
        BigDecimal amount = Values.toDecimal(n).multiply(BigDecimal.valueOf(UNIT[f]));
        try {
            long v = amount.setScale(0, yearMonth ? RoundingMode.DOWN : RoundingMode.HALF_UP).longValueExact();
            return yearMonth ? new Interval(v, 0) : new Interval(0, v);
        } catch (ArithmeticException e) {
            throw ErrorCode.NUMERIC_OVERFLOW.error(function + "(" + Values.toText(n) + ", '" + unit + "') is too large");
        }
    }

    /**
     * {@code t} plus ({@code sign} 1) or minus (-1) this interval. Months move the date to the
     * same day of the target month, as Oracle's do: a day that month lacks (January 31 plus one
     * month) is TT90003 (ADD_MONTHS keeps a month's last day instead). Past the years 1 to 9999,
     * TT90004.
     */
    public LocalDateTime addTo(LocalDateTime t, int sign) {
        LocalDateTime r;
        try {
            r = t;
            if (months != 0) {
                r = r.plusMonths(Math.multiplyExact(months, sign));
                if (r.getDayOfMonth() != t.getDayOfMonth()) {
                    throw ErrorCode.TYPE_MISMATCH.error(Values.toText(t) + (sign > 0 ? " + " : " - ") + this + " is not a date: the month "
                            + "has no day " + t.getDayOfMonth() + " (ADD_MONTHS keeps a month's last day)");
                }
            }
            r = r.plusNanos(Math.multiplyExact(nanos, sign));
        } catch (ArithmeticException | java.time.DateTimeException e) {
            r = null;
        }
        if (r == null || r.getYear() < 1 || r.getYear() > 9999) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("a date must fall in the years 1 to 9999: " + Values.toText(t) + (sign > 0 ? " + " : " - ") + this);
        }
        return r;
    }

    /** As Oracle prints one: {@code INTERVAL '+1-06' YEAR TO MONTH}, {@code INTERVAL '-2 03:04:05.5' DAY TO SECOND}. */
    @Override
    public String toString() {
        if (nanos == 0 && months != 0) {
            long m = Math.abs(months);
            return "INTERVAL '" + (months < 0 ? "-" : "+") + m / 12 + "-" + String.format("%02d", m % 12) + "' YEAR TO MONTH";
        }
        long n = Math.abs(nanos), s = n / NANOS_PER_SECOND, frac = n % NANOS_PER_SECOND;
        String f = frac == 0 ? "" : ("." + String.format("%09d", frac)).replaceAll("0+$", "");
        return "INTERVAL '" + (nanos < 0 ? "-" : "+") + s / 86_400 + " " + String.format("%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60) + f
                + "' DAY TO SECOND";
    }
}
