package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * TimesTen's TIMESTAMPADD and TIMESTAMPDIFF, whose first argument names a unit of time:
 * {@code SQL_TSI_FRAC_SECOND} (a nanosecond), {@code _SECOND}, {@code _MINUTE}, {@code _HOUR},
 * {@code _DAY}, {@code _WEEK}, {@code _MONTH}, {@code _QUARTER}, {@code _YEAR}.
 */
final class TimestampIntervals {
    private TimestampIntervals() {}

    static final List<String> UNITS = List.of("SQL_TSI_FRAC_SECOND", "SQL_TSI_SECOND", "SQL_TSI_MINUTE", "SQL_TSI_HOUR", "SQL_TSI_DAY",
            "SQL_TSI_WEEK", "SQL_TSI_MONTH", "SQL_TSI_QUARTER", "SQL_TSI_YEAR");

    /** The first day of the calendar, a Monday: weeks are counted from it. */
    private static final long FIRST_DAY = LocalDate.of(1, 1, 1).toEpochDay();

    /**
     * TIMESTAMPADD: {@code t} plus {@code n} units (a week is seven days, a quarter three months,
     * a year twelve); months keep the day of the month where it exists, else end on the month's
     * last day (January 31 plus a month is February 28 or 29). TT90004 past the years 1 to 9999.
     */
    static LocalDateTime add(String unit, long n, LocalDateTime t) {
        try {
            LocalDateTime r = switch (unit) {
                case "SQL_TSI_FRAC_SECOND" -> t.plusNanos(n);
                case "SQL_TSI_SECOND" -> t.plusSeconds(n);
                case "SQL_TSI_MINUTE" -> t.plusMinutes(n);
                case "SQL_TSI_HOUR" -> t.plusHours(n);
                case "SQL_TSI_DAY" -> t.plusDays(n);
                case "SQL_TSI_WEEK" -> t.plusDays(Math.multiplyExact(n, 7));
                case "SQL_TSI_MONTH" -> t.plusMonths(n);
                case "SQL_TSI_QUARTER" -> t.plusMonths(Math.multiplyExact(n, 3));
                case "SQL_TSI_YEAR" -> t.plusMonths(Math.multiplyExact(n, 12));
                default -> throw ErrorCode.INTERNAL.error("unknown interval " + unit);
            };
            if (r.getYear() >= 1 && r.getYear() <= 9999) return r;
        } catch (DateTimeException | ArithmeticException e) {
            // past what a date holds: as below
        }
        throw ErrorCode.NUMERIC_OVERFLOW.error("TIMESTAMPADD(" + unit + ", " + n + ", " + io.hourglass.engine.catalog.Values.formatDateTime(t)
                + ") is past the years 1 to 9999");
    }

    /**
     * TIMESTAMPDIFF: {@code b} minus {@code a} in units, counted as TimesTen counts them: each
     * time expressed in whole units of the interval (the smaller units dropped), then subtracted,
     * so it is the number of unit boundaries crossed: from 23:59 to 00:01 is a day, from January
     * 31 to February 1 a month. Weeks begin on Monday (ISO 8601's). TT90004 for a count past
     * TT_BIGINT (nanoseconds over some 292 years).
     */
    static long diff(String unit, LocalDateTime a, LocalDateTime b) {
        try {
            return switch (unit) {
                case "SQL_TSI_FRAC_SECOND" -> Math.addExact(Math.multiplyExact(seconds(b) - seconds(a), 1_000_000_000L),
                        (long) b.getNano() - a.getNano());
                case "SQL_TSI_SECOND" -> seconds(b) - seconds(a);
                case "SQL_TSI_MINUTE" -> Math.floorDiv(seconds(b), 60) - Math.floorDiv(seconds(a), 60);
                case "SQL_TSI_HOUR" -> Math.floorDiv(seconds(b), 3600) - Math.floorDiv(seconds(a), 3600);
                case "SQL_TSI_DAY" -> b.toLocalDate().toEpochDay() - a.toLocalDate().toEpochDay();
                case "SQL_TSI_WEEK" -> Math.floorDiv(b.toLocalDate().toEpochDay() - FIRST_DAY, 7) - Math.floorDiv(a.toLocalDate().toEpochDay() - FIRST_DAY, 7);
                case "SQL_TSI_MONTH" -> months(b) - months(a);
                case "SQL_TSI_QUARTER" -> Math.floorDiv(months(b), 3) - Math.floorDiv(months(a), 3);
                case "SQL_TSI_YEAR" -> (long) b.getYear() - a.getYear();
                default -> throw ErrorCode.INTERNAL.error("unknown interval " + unit);
            };
        } catch (ArithmeticException e) {
            throw ErrorCode.NUMERIC_OVERFLOW.error("TIMESTAMPDIFF(" + unit + ", ...) is past TT_BIGINT's range");
        }
    }

    private static long seconds(LocalDateTime t) { return t.toEpochSecond(ZoneOffset.UTC); }

    private static long months(LocalDateTime t) { return t.getYear() * 12L + t.getMonthValue() - 1; }
}
