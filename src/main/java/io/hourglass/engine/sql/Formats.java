package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Oracle's format models, for TO_CHAR, TO_DATE and TO_TIMESTAMP: datetime elements (YYYY, MM,
 * MON, DD, HH24, MI, SS, FF, AM ...) and number elements (9, 0, comma, period, $, S, MI, FM).
 * A model is read once into elements; names follow the case the model writes them in (MON, Mon,
 * mon), as Oracle's do.
 */
final class Formats {
    private Formats() {}

    // ---- datetime -----------------------------------------------------------------------------

    /** One element of a datetime model: a field ({@code code}), or literal text. */
    private record Element(String code, String literal, int letterCase) {
        static final int UPPER = 0, CAPITAL = 1, LOWER = 2;
    }

    /** Elements, longest first where one is a prefix of another. */
    private static final String[] CODES = {"SSSSS", "YYYY", "RRRR", "MONTH", "HH24", "HH12", "A.M.", "P.M.", "YYY", "MON", "DAY",
            "DDD", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FF7", "FF8", "FF9", "YY", "RR", "MM", "DD", "DY", "HH", "MI", "SS",
            "FF", "AM", "PM", "IW", "WW", "FM", "FX", "Y", "Q", "D"};

    private static List<Element> datetimeModel(String fmt) {
        List<Element> out = new ArrayList<>();
        int i = 0;
        while (i < fmt.length()) {
            char ch = fmt.charAt(i);
            if (ch == '"') {
                int end = fmt.indexOf('"', i + 1);
                if (end < 0) throw badModel(fmt, "an unterminated quoted text");
                out.add(new Element(null, fmt.substring(i + 1, end), 0));
                i = end + 1;
                continue;
            }
            if (!Character.isLetter(ch)) {
                out.add(new Element(null, String.valueOf(ch), 0));
                i++;
                continue;
            }
            String rest = fmt.substring(i).toUpperCase(Locale.ROOT);
            String code = null;
            for (String c : CODES) {
                if (rest.startsWith(c)) {
                    code = c;
                    break;
                }
            }
            if (code == null) throw badModel(fmt, "'" + fmt.substring(i) + "'");
            int letterCase = Character.isLowerCase(ch) ? Element.LOWER
                    : code.length() > 1 && Character.isLowerCase(fmt.charAt(i + 1)) ? Element.CAPITAL : Element.UPPER;
            out.add(new Element(code, null, letterCase));
            i += code.length();
        }
        return out;
    }

    private static HourglassException badModel(String fmt, String what) {
        return ErrorCode.TYPE_MISMATCH.error("the format model '" + fmt + "' has " + what + ", which is no datetime format element");
    }

    private static String cased(String name, int letterCase) {
        return switch (letterCase) {
            case Element.LOWER -> name.toLowerCase(Locale.ROOT);
            case Element.CAPITAL -> name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
            default -> name.toUpperCase(Locale.ROOT);
        };
    }

    /** TO_CHAR(datetime, model). */
    static String formatDateTime(LocalDateTime t, String fmt) {
        StringBuilder sb = new StringBuilder();
        boolean fm = false; // fill mode: no padding of names and numbers
        for (Element e : datetimeModel(fmt)) {
            if (e.code() == null) {
                sb.append(e.literal());
                continue;
            }
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            switch (e.code()) {
                case "FM" -> fm = !fm;
                case "FX" -> { }
                case "YYYY", "RRRR" -> sb.append(pad(t.getYear(), 4, fm));
                case "YYY" -> sb.append(pad(t.getYear() % 1000, 3, fm));
                case "YY", "RR" -> sb.append(pad(t.getYear() % 100, 2, fm));
                case "Y" -> sb.append(t.getYear() % 10);
                case "Q" -> sb.append((t.getMonthValue() + 2) / 3);
                case "MM" -> sb.append(pad(t.getMonthValue(), 2, fm));
                case "MON" -> sb.append(cased(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH), e.letterCase()));
                case "MONTH" -> sb.append(name(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH), e.letterCase(), fm));
                case "DD" -> sb.append(pad(t.getDayOfMonth(), 2, fm));
                case "DDD" -> sb.append(pad(t.getDayOfYear(), 3, fm));
                case "D" -> sb.append(t.getDayOfWeek().getValue() % 7 + 1); // Sunday is 1, as Oracle's AMERICA territory
                case "DY" -> sb.append(cased(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH), e.letterCase()));
                case "DAY" -> sb.append(name(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH), e.letterCase(), fm));
                case "WW" -> sb.append(pad((t.getDayOfYear() - 1) / 7 + 1, 2, fm));
                case "IW" -> sb.append(pad(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, fm));
                case "HH", "HH12" -> sb.append(pad(hour12, 2, fm));
                case "HH24" -> sb.append(pad(t.getHour(), 2, fm));
                case "MI" -> sb.append(pad(t.getMinute(), 2, fm));
                case "SS" -> sb.append(pad(t.getSecond(), 2, fm));
                case "SSSSS" -> sb.append(pad(t.toLocalTime().toSecondOfDay(), 5, fm));
                case "AM", "PM" -> sb.append(cased(t.getHour() < 12 ? "AM" : "PM", e.letterCase()));
                case "A.M.", "P.M." -> sb.append(cased(t.getHour() < 12 ? "A.M." : "P.M.", e.letterCase()));
                default -> { // FF, FF1 .. FF9
                    int digits = e.code().length() == 2 ? 9 : e.code().charAt(2) - '0';
                    sb.append(String.format("%09d", t.getNano()), 0, digits);
                }
            }
        }
        return sb.toString();
    }

    private static String pad(int v, int width, boolean fm) {
        String s = Integer.toString(v);
        return fm || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /** A month or day name, blank-padded to the longest (9) unless in fill mode. */
    private static String name(String n, int letterCase, boolean fm) {
        String s = cased(n, letterCase);
        return fm ? s : s + " ".repeat(Math.max(0, 9 - s.length()));
    }

    /**
     * TO_DATE(text, model) and TO_TIMESTAMP: the fields the model names, read in its order;
     * numbers may have fewer digits than their element (a separator ends them); a punctuation
     * mark of the model matches any one of the text's. Fields the model does not name: the
     * current year and month, day 1, midnight (as Oracle).
     */
    static LocalDateTime parseDateTime(String text, String fmt, LocalDateTime now) {
        int year = now.getYear(), month = now.getMonthValue(), day = 1, hour = 0, minute = 0, second = 0, nano = 0;
        int dayOfYear = -1;
        Boolean pm = null;
        boolean hour12 = false;
        Reader r = new Reader(text, fmt);
        for (Element e : datetimeModel(fmt)) {
            if (e.code() == null) {
                r.literal(e.literal());
                continue;
            }
            if (!e.code().equals("FM")) r.skipBlanks();
            switch (e.code()) {
                case "FM", "FX" -> { }
                case "YYYY", "RRRR", "YYY", "Y" -> year = r.number(e.code().length());
                case "YY", "RR" -> {
                    // YY: a year of this century. RR: 00-49 and 50-99 fall in the half centuries
                    // around this year, as Oracle's; four digits are the year itself.
                    int start = r.at, yy = r.number(e.code().equals("RR") ? 4 : 2), century = now.getYear() / 100 * 100;
                    boolean early = now.getYear() % 100 < 50;
                    if (r.at - start > 2) year = yy;
                    else if (e.code().equals("YY")) year = century + yy;
                    else if (yy < 50) year = (early ? century : century + 100) + yy;
                    else year = (early ? century - 100 : century) + yy;
                }
                case "MM" -> month = r.number(2);
                case "MON", "MONTH" -> month = r.name(12, i -> Month.of(i + 1).getDisplayName(TextStyle.FULL, Locale.ENGLISH)) + 1;
                case "DD" -> day = r.number(2);
                case "DDD" -> dayOfYear = r.number(3);
                case "DY", "DAY" -> r.name(7, i -> DayOfWeek.of(i + 1).getDisplayName(TextStyle.FULL, Locale.ENGLISH)); // read, not used
                case "D", "Q", "WW", "IW" -> r.number(2); // read, not used to build the date
                case "HH", "HH12", "HH24" -> {
                    hour = r.number(2);
                    hour12 |= !e.code().equals("HH24");
                }
                case "MI" -> minute = r.number(2);
                case "SS" -> second = r.number(2);
                case "SSSSS" -> {
                    int v = r.number(5);
                    hour = v / 3600;
                    minute = v / 60 % 60;
                    second = v % 60;
                }
                case "AM", "PM", "A.M.", "P.M." -> pm = r.meridian();
                default -> { // FF, FF1 .. FF9
                    int start = r.at, v = r.number(e.code().length() == 2 ? 9 : e.code().charAt(2) - '0');
                    nano = v * (int) Math.pow(10, 9 - (r.at - start));
                }
            }
        }
        r.end();
        if (hour12) {
            if (hour < 1 || hour > 12) throw ErrorCode.TYPE_MISMATCH.error("hour " + hour + " must be between 1 and 12 in '" + text + "'");
            if (pm != null) hour = hour % 12 + (pm ? 12 : 0);
        } else if (pm != null && hour < 12 && pm) {
            hour += 12;
        }
        try {
            LocalDateTime t = dayOfYear > 0 ? LocalDateTime.of(year, 1, 1, hour, minute, second, nano).withDayOfYear(dayOfYear)
                    : LocalDateTime.of(year, month, day, hour, minute, second, nano);
            if (t.getYear() < 1 || t.getYear() > 9999) throw ErrorCode.NUMERIC_OVERFLOW.error("the year of '" + text + "' is outside 1 to 9999");
            return t;
        } catch (DateTimeException ex) {
            throw ErrorCode.TYPE_MISMATCH.error("'" + text + "' is no valid date for the format '" + fmt + "': " + ex.getMessage());
        }
    }

    /** Reads a text against a datetime model, left to right. */
    private static final class Reader {
        private final String text, fmt;
        int at;

        Reader(String text, String fmt) {
            this.text = text;
            this.fmt = fmt;
        }

        void skipBlanks() { while (at < text.length() && text.charAt(at) == ' ') at++; }

        /** The model's literal: blanks match any run of blanks, a punctuation mark any one. */
        void literal(String lit) {
            if (lit.isBlank()) {
                skipBlanks();
            } else if (text.startsWith(lit, at)) {
                at += lit.length();
            } else if (lit.length() == 1 && at < text.length() && !Character.isLetterOrDigit(text.charAt(at))) {
                at++;
            } else {
                throw noMatch(text, fmt);
            }
        }

        /** Up to {@code max} digits (at least one). */
        int number(int max) {
            int start = at, v = 0;
            while (at < text.length() && at - start < max && Character.isDigit(text.charAt(at))) v = v * 10 + (text.charAt(at++) - '0');
            if (at == start) throw noMatch(text, fmt);
            return v;
        }

        /** Which of {@code n} names (full, or their first three letters) is here, any case. */
        int name(int n, java.util.function.IntFunction<String> names) {
            for (int i = 0; i < n; i++) {
                String full = names.apply(i);
                if (text.regionMatches(true, at, full, 0, full.length())) { at += full.length(); return i; }
                if (text.regionMatches(true, at, full, 0, 3)) { at += 3; return i; }
            }
            throw noMatch(text, fmt);
        }

        /** AM or PM (with or without periods): whether PM. */
        boolean meridian() {
            String rest = text.substring(at).toUpperCase(Locale.ROOT);
            int len = rest.startsWith("A.M.") || rest.startsWith("P.M.") ? 4 : rest.startsWith("AM") || rest.startsWith("PM") ? 2 : 0;
            if (len == 0) throw noMatch(text, fmt);
            at += len;
            return rest.charAt(0) == 'P';
        }

        /** Nothing but blanks may be left. */
        void end() { if (!text.substring(at).isBlank()) throw noMatch(text, fmt); }
    }

    private static HourglassException noMatch(String text, String fmt) {
        return ErrorCode.TYPE_MISMATCH.error("'" + text + "' does not match the format '" + fmt + "'");
    }

    /** TRUNC(datetime[, unit]) and ROUND: to the year, quarter, month, day, hour or minute. */
    static LocalDateTime truncDateTime(LocalDateTime t, String unit, boolean round) {
        String u = unit == null ? "DD" : unit.trim().toUpperCase(Locale.ROOT);
        LocalDateTime start, next;
        switch (u) {
            case "YYYY", "YYY", "YY", "Y", "YEAR", "SYYYY", "RRRR", "RR" -> {
                start = LocalDateTime.of(t.getYear(), 1, 1, 0, 0);
                next = start.plusYears(1);
            }
            case "Q" -> {
                start = LocalDateTime.of(t.getYear(), (t.getMonthValue() - 1) / 3 * 3 + 1, 1, 0, 0);
                next = start.plusMonths(3);
            }
            case "MM", "MON", "MONTH", "RM" -> {
                start = LocalDateTime.of(t.getYear(), t.getMonthValue(), 1, 0, 0);
                next = start.plusMonths(1);
            }
            case "DD", "DDD", "J" -> {
                start = t.toLocalDate().atStartOfDay();
                next = start.plusDays(1);
            }
            case "HH", "HH12", "HH24" -> {
                start = t.withMinute(0).withSecond(0).withNano(0);
                next = start.plusHours(1);
            }
            case "MI" -> {
                start = t.withSecond(0).withNano(0);
                next = start.plusMinutes(1);
            }
            default -> throw ErrorCode.TYPE_MISMATCH.error("'" + unit + "' is no unit TRUNC or ROUND of a date knows (YYYY, Q, MM, DD, HH, MI)");
        }
        if (!round) return start;
        // Half way or more to the next unit rounds up (for a year: from July 1; a month: the 16th).
        long whole = java.time.Duration.between(start, next).toNanos(), part = java.time.Duration.between(start, t).toNanos();
        boolean up = switch (u) {
            case "YYYY", "YYY", "YY", "Y", "YEAR", "SYYYY", "RRRR", "RR" -> t.getMonthValue() >= 7;
            case "MM", "MON", "MONTH", "RM" -> t.getDayOfMonth() >= 16;
            case "Q" -> t.getMonthValue() - start.getMonthValue() > 1 || (t.getMonthValue() - start.getMonthValue() == 1 && t.getDayOfMonth() >= 16);
            default -> part * 2 >= whole;
        };
        return up ? next : start;
    }

    // ---- numbers ------------------------------------------------------------------------------

    /**
     * TO_CHAR(number, model): digits {@code 9} (a blank where the number has none) and {@code 0}
     * (a zero; from the first 0 rightward every position shows one), group {@code ,} or {@code G}
     * and decimal {@code .} or {@code D} separators, {@code $}, a sign {@code S} at either end or
     * {@code MI} at the end (else a leading blank or minus), and {@code FM} (no blanks, and no
     * trailing zeros from 9s). A number with more integer digits than the model has is {@code #}s.
     */
    static String formatNumber(BigDecimal n, String fmt) {
        String f = fmt.toUpperCase(Locale.ROOT);
        boolean fm = false, dollar = false, leadingS = false, trailingS = false, trailingMi = false;
        if (f.startsWith("FM")) { fm = true; f = f.substring(2); }
        if (f.startsWith("S")) { leadingS = true; f = f.substring(1); }
        if (f.startsWith("$")) { dollar = true; f = f.substring(1); }
        if (f.endsWith("MI")) { trailingMi = true; f = f.substring(0, f.length() - 2); }
        else if (f.endsWith("S") && !leadingS) { trailingS = true; f = f.substring(0, f.length() - 1); }
        if (f.startsWith("$") && !dollar) { dollar = true; f = f.substring(1); }
        f = f.replace('G', ',').replace('D', '.');
        int point = f.indexOf('.');
        String intPart = point < 0 ? f : f.substring(0, point), fracPart = point < 0 ? "" : f.substring(point + 1);
        if (!intPart.matches("[90,]*") || !fracPart.matches("[90]*") || f.indexOf('.') != f.lastIndexOf('.') || f.isEmpty()) {
            throw ErrorCode.TYPE_MISMATCH.error("the number format model '" + fmt + "' has an element TO_CHAR does not know "
                    + "(it knows 9 0 , . G D $ S MI FM)");
        }
        BigDecimal v = n.setScale(fracPart.length(), RoundingMode.HALF_UP);
        boolean negative = v.signum() < 0;
        String digits = v.abs().toPlainString();
        String whole = digits.contains(".") ? digits.substring(0, digits.indexOf('.')) : digits;
        String frac = digits.contains(".") ? digits.substring(digits.indexOf('.') + 1) : "";
        if (whole.equals("0")) whole = "";
        int slots = intPart.replace(",", "").length();
        StringBuilder out = new StringBuilder();
        if (whole.length() > slots) {
            int width = f.length() + (dollar ? 1 : 0) + 1;
            return "#".repeat(width);
        }
        // The integer part, right to left over the model's positions.
        int zeroFrom = intPart.indexOf('0'); // from here rightward every digit position shows
        StringBuilder ip = new StringBuilder();
        int d = whole.length() - 1;
        boolean any = false;
        for (int i = intPart.length() - 1; i >= 0; i--) {
            char c = intPart.charAt(i);
            if (c == ',') {
                ip.append(d >= 0 || (zeroFrom >= 0 && i > zeroFrom) ? ',' : ' ');
                continue;
            }
            if (d >= 0) {
                ip.append(whole.charAt(d--));
                any = true;
            } else if (zeroFrom >= 0 && i >= zeroFrom) {
                ip.append('0');
                any = true;
            } else {
                ip.append(' ');
            }
        }
        String intText = ip.reverse().toString();
        if (!any && fracPart.isEmpty()) intText = intText.substring(0, intText.length() - 1) + "0"; // 0 with '9' shows 0
        String fracText = frac;
        if (fm) {
            // 9s after the point drop their trailing zeros in fill mode; 0s keep them.
            int keep = fracPart.lastIndexOf('0') + 1;
            int end = fracText.length();
            while (end > keep && fracText.charAt(end - 1) == '0') end--;
            fracText = fracText.substring(0, end);
        }
        String body = (dollar ? "$" : "") + intText.stripLeading() + (point >= 0 ? "." + fracText : "");
        int lead = intText.length() - intText.stripLeading().length();
        String sign;
        if (leadingS) sign = negative ? "-" : "+";
        else if (trailingS || trailingMi) sign = "";
        else sign = negative ? "-" : (fm ? "" : " ");
        out.append(fm ? "" : " ".repeat(lead)).append(sign).append(body);
        if (trailingS) out.append(negative ? '-' : '+');
        if (trailingMi) out.append(negative ? "-" : (fm ? "" : " "));
        return out.toString();
    }

    /** The datetime field EXTRACT names. */
    static long extract(String field, LocalDateTime t) {
        return switch (field) {
            case "YEAR" -> t.getYear();
            case "MONTH" -> t.getMonthValue();
            case "DAY" -> t.getDayOfMonth();
            case "HOUR" -> t.getHour();
            case "MINUTE" -> t.getMinute();
            case "SECOND" -> t.getSecond();
            default -> throw ErrorCode.SEMANTIC_ERROR.error("EXTRACT knows YEAR, MONTH, DAY, HOUR, MINUTE and SECOND, not " + field);
        };
    }
}
