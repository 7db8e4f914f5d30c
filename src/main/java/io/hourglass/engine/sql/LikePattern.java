package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;

/**
 * A LIKE pattern, compiled: {@code %} matches any run of characters (none included), {@code _}
 * exactly one, the ESCAPE character makes the character after it literal. Matching walks the
 * text once, going back only to the last {@code %} seen when what followed it fails to match,
 * so a match takes at most (text length x pattern length) steps whatever the pattern (a regular
 * expression backtracks exponentially on {@code '%a%a%a%a%a%a%b'} against a run of a's: one
 * such query could hold a thread for hours). Characters are UTF-16 units, except that
 * {@code _} takes a surrogate pair whole.
 */
final class LikePattern {
    private static final byte LITERAL = 0, ONE = 1, RUN = 2;

    private final char[] chars;
    private final byte[] kinds;

    private LikePattern(char[] chars, byte[] kinds) {
        this.chars = chars;
        this.kinds = kinds;
    }

    /** {@code esc}: null, or the one-character ESCAPE string (TT90015 otherwise). */
    static LikePattern compile(String p, String esc) {
        if (esc != null && esc.length() != 1) throw ErrorCode.SEMANTIC_ERROR.error("ESCAPE must be one character");
        char[] chars = new char[p.length()];
        byte[] kinds = new byte[p.length()];
        int n = 0;
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            byte kind;
            if (esc != null && ch == esc.charAt(0) && i + 1 < p.length()) {
                ch = p.charAt(++i);
                kind = LITERAL;
            } else if (ch == '%') {
                if (n > 0 && kinds[n - 1] == RUN) continue; // %% is %
                kind = RUN;
            } else if (ch == '_') {
                kind = ONE;
            } else {
                kind = LITERAL;
            }
            chars[n] = ch;
            kinds[n++] = kind;
        }
        return new LikePattern(java.util.Arrays.copyOf(chars, n), java.util.Arrays.copyOf(kinds, n));
    }

    boolean matches(String s) {
        int n = s.length(), m = kinds.length;
        int si = 0, pi = 0;
        int run = -1, resume = 0; // the last % seen, and where in s what follows it is tried next
        while (si < n) {
            if (pi < m && kinds[pi] == ONE) {
                si += width(s, si);
                pi++;
            } else if (pi < m && kinds[pi] == LITERAL && chars[pi] == s.charAt(si)) {
                si++;
                pi++;
            } else if (pi < m && kinds[pi] == RUN) {
                run = pi++;
                resume = si;
            } else if (run >= 0) {
                // What followed the last % failed here: let that % take one more character.
                resume += width(s, resume);
                si = resume;
                pi = run + 1;
            } else {
                return false;
            }
        }
        while (pi < m && kinds[pi] == RUN) pi++;
        return pi == m;
    }

    /** 2 at a surrogate pair (one character to {@code _}), else 1. */
    private static int width(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)) ? 2 : 1;
    }
}
