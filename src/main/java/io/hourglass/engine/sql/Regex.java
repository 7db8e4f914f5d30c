package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.SqlType;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * TimesTen's (Oracle's) regular expression functions, REGEXP_LIKE, REGEXP_INSTR, REGEXP_SUBSTR
 * and REGEXP_REPLACE, on Java's engine: Oracle's POSIX classes ({@code [[:digit:]]}) are
 * translated, its match parameters ({@code i c n m x}) become flags, positions count characters
 * (code points), as INSTR's do. A match reads its text through the statement's tick, so a
 * pattern that backtracks without end still stops at SQLQueryTimeout or a cancel.
 */
final class Regex {
    private Regex() {}

    private static final Map<String, String> POSIX = Map.ofEntries(Map.entry("alpha", "\\p{IsAlphabetic}"),
            Map.entry("digit", "\\p{IsDigit}"), Map.entry("alnum", "\\p{IsAlphabetic}\\p{IsDigit}"), Map.entry("upper", "\\p{IsUppercase}"),
            Map.entry("lower", "\\p{IsLowercase}"), Map.entry("space", "\\p{IsWhite_Space}"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("punct", "\\p{IsPunctuation}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\P{Cntrl}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("xdigit", "\\p{XDigit}"));

    /** The pattern compiled with the match parameter's flags, once per evaluation for each text (memo of {@code owner}). */
    static Pattern pattern(Expr owner, Expr.Ctx c, String pattern, String match) {
        Map<String, Pattern> compiled = c.memo(owner, HashMap::new);
        return compiled.computeIfAbsent(match + "\u0000" + pattern, k -> compile(pattern, match));
    }

    static Pattern compile(String pattern, String match) {
        int flags = Pattern.UNICODE_CASE;
        boolean ignoreCase = false;
        for (char f : match.toCharArray()) {
            switch (f) {
                case 'i' -> ignoreCase = true;
                case 'c' -> ignoreCase = false; // (the last of i and c wins, as Oracle's)
                case 'n' -> flags |= Pattern.DOTALL;
                case 'm' -> flags |= Pattern.MULTILINE;
                case 'x' -> flags |= Pattern.COMMENTS;
                default -> throw ErrorCode.SEMANTIC_ERROR.error("a regular expression's match parameter is made of i, c, n, m and x, not '" + match + "'");
            }
        }
        if (ignoreCase) flags |= Pattern.CASE_INSENSITIVE;
        try {
            return Pattern.compile(posix(pattern), flags);
        } catch (PatternSyntaxException e) {
            throw ErrorCode.SEMANTIC_ERROR.error("invalid regular expression '" + pattern + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near position " + (e.getIndex() + 1) : ""));
        }
    }

    /** {@code [:name:]} inside brackets as Java's class of the same characters. */
    private static String posix(String pattern) {
        if (!pattern.contains("[:")) return pattern;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            int open = pattern.indexOf("[:", i);
            if (open < 0) break;
            int close = pattern.indexOf(":]", open + 2);
            String cls = close < 0 ? null : POSIX.get(pattern.substring(open + 2, close));
            if (cls == null) {
                out.append(pattern, i, open + 2);
                i = open + 2;
                continue;
            }
            out.append(pattern, i, open).append(cls);
            i = close + 2;
        }
        return out.append(pattern.substring(i)).toString();
    }

    /** {@code s} as a matcher reads it, each read ticking the statement's clock. */
    static CharSequence ticking(String s, Expr.Ctx c) {
        return new CharSequence() {
            public int length() { return s.length(); }

            public char charAt(int index) {
                c.tick();
                return s.charAt(index);
            }

            public CharSequence subSequence(int start, int end) { return ticking(s.substring(start, end), c); }

            @Override
            public String toString() { return s; }
        };
    }

    /** A matcher of {@code p} on {@code s} from character {@code position} (1-based; ORA's argument-out-of-range if below 1). */
    private static Matcher from(Pattern p, String s, long position, Expr.Ctx c, String function) {
        if (position < 1) throw ErrorCode.SEMANTIC_ERROR.error(function + "'s position must be 1 or more, got " + position);
        Matcher m = p.matcher(ticking(s, c)).useAnchoringBounds(false).useTransparentBounds(true); // (^ is the text's start, not the position's)
        int chars = s.codePointCount(0, s.length());
        m.region(position > chars ? s.length() : s.offsetByCodePoints(0, (int) position - 1), s.length());
        return m;
    }

    /** Moves {@code m} to its {@code occurrence}-th match; false if there are fewer. */
    private static boolean find(Matcher m, long occurrence, String function) {
        if (occurrence < 1) throw ErrorCode.SEMANTIC_ERROR.error(function + "'s occurrence must be 1 or more, got " + occurrence);
        for (long k = 0; k < occurrence; k++) if (!m.find()) return false;
        return true;
    }

    private static int group(Matcher m, long subexpression, String function) {
        if (subexpression < 0 || subexpression > 9) {
            throw ErrorCode.SEMANTIC_ERROR.error(function + "'s subexpression must be 0 to 9, got " + subexpression);
        }
        return subexpression > m.groupCount() ? -1 : (int) subexpression;
    }

    static Boolean like(Pattern p, String s, Expr.Ctx c) { return p.matcher(ticking(s, c)).find(); }

    /** REGEXP_INSTR: where the occurrence (or its group) starts, or ends + 1 with {@code after}; 0 if none. */
    static long instr(Pattern p, String s, long position, long occurrence, boolean after, long subexpression, Expr.Ctx c) {
        Matcher m = from(p, s, position, c, "REGEXP_INSTR");
        if (!find(m, occurrence, "REGEXP_INSTR")) return 0;
        int g = group(m, subexpression, "REGEXP_INSTR");
        if (g < 0 || m.start(g) < 0) return 0;
        int at = after ? m.end(g) : m.start(g);
        return s.codePointCount(0, at) + 1;
    }

    /** REGEXP_SUBSTR: the occurrence (or its group), or NULL if none. */
    static String substr(Pattern p, String s, long position, long occurrence, long subexpression, Expr.Ctx c) {
        Matcher m = from(p, s, position, c, "REGEXP_SUBSTR");
        if (!find(m, occurrence, "REGEXP_SUBSTR")) return null;
        int g = group(m, subexpression, "REGEXP_SUBSTR");
        return g < 0 ? null : m.group(g);
    }

    /**
     * REGEXP_REPLACE: the occurrence-th match from {@code position} (0: every one) replaced by
     * {@code with}, in which {@code \1} to {@code \9} stand for the match's groups and {@code \\}
     * for a backslash.
     */
    static String replace(Pattern p, String s, String with, long position, long occurrence, Expr.Ctx c) {
        if (occurrence < 0) throw ErrorCode.SEMANTIC_ERROR.error("REGEXP_REPLACE's occurrence must be 0 or more, got " + occurrence);
        Matcher m = from(p, s, position, c, "REGEXP_REPLACE");
        StringBuilder out = new StringBuilder(s.length());
        int copied = 0;
        long seen = 0;
        while (m.find()) {
            seen++;
            if (occurrence != 0 && seen < occurrence) continue;
            out.append(s, copied, m.start());
            substitute(with, m, out);
            copied = m.end();
            if (out.length() > SqlType.MAX_VARCHAR) throw ErrorCode.VALUE_TOO_LONG.error("REGEXP_REPLACE's result", SqlType.MAX_VARCHAR, out.length());
            if (occurrence != 0) break;
        }
        String r = out.append(s, copied, s.length()).toString();
        if (r.length() > SqlType.MAX_VARCHAR) throw ErrorCode.VALUE_TOO_LONG.error("REGEXP_REPLACE's result", SqlType.MAX_VARCHAR, r.length());
        return r;
    }

    private static void substitute(String with, Matcher m, StringBuilder out) {
        for (int i = 0; i < with.length(); i++) {
            char ch = with.charAt(i);
            if (ch == '\\' && i + 1 < with.length()) {
                char next = with.charAt(i + 1);
                if (next >= '1' && next <= '9') {
                    int g = next - '0';
                    if (g <= m.groupCount() && m.group(g) != null) out.append(m.group(g));
                    i++;
                    continue;
                }
                if (next == '\\') {
                    out.append('\\');
                    i++;
                    continue;
                }
            }
            out.append(ch);
        }
    }
}
