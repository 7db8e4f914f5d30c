package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.SqlType;
import java.nio.charset.StandardCharsets;

/**
 * The string functions that count characters: SUBSTR, INSTR, LPAD, RPAD, INITCAP, UPPER, LOWER
 * and CHR; and those that count bytes of the database character set, AL32UTF8: LENGTHB, SUBSTRB
 * and INSTRB. A character is a Unicode code point, as LENGTH and a VARCHAR2's length count it (and
 * as Oracle's AL32UTF8 and PostgreSQL's UTF-8 count it): a character outside the Basic
 * Multilingual Plane, an emoji, is one character, two Java chars, and no position here falls
 * between its two halves. Text without such characters (the usual case) is worked on by chars,
 * which are then its characters.
 */
final class Characters {
    private Characters() {}

    /** Whether {@code s} has a character of two chars (a surrogate pair): positions then need counting. */
    private static boolean hasPairs(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isSurrogate(s.charAt(i))) return true;
        return false;
    }

    /** The char offset of character {@code k} of {@code s} (0-based, at most its character count). */
    private static int offset(String s, boolean pairs, long k) { return pairs ? s.offsetByCodePoints(0, (int) k) : (int) k; }

    private static int count(String s, boolean pairs) { return pairs ? s.codePointCount(0, s.length()) : s.length(); }

    /** SUBSTR(s, start[, len]): from character {@code start} (counted from the end when negative); NULL for no characters. */
    static String substr(String s, long start, Long len) {
        boolean pairs = hasPairs(s);
        int n = count(s, pairs);
        long from = start > 0 ? start - 1 : (start == 0 ? 0 : n + start);
        if (from < 0 || from >= n) return null;
        if (len != null && len < 1) return null;
        long to = len == null || len >= n - from ? n : from + len;
        return s.substring(offset(s, pairs, from), offset(s, pairs, to));
    }

    /** INSTR: the character position of the n-th occurrence, searching from {@code start} (backward when negative); 0 if none. */
    static long instr(String s, String sub, long start, long nth) {
        if (start == 0 || nth < 1) return 0;
        boolean pairs = hasPairs(s);
        int n = count(s, pairs);
        int found = -1;
        if (start > 0) {
            int from = offset(s, pairs, Math.min(start - 1, n));
            for (long k = 0; k < nth; k++) {
                found = s.indexOf(sub, from);
                if (found < 0) return 0;
                from = found + 1; // (the next search may begin inside a pair: no match begins there)
            }
        } else {
            if (n + start < 0) return 0;
            int from = offset(s, pairs, n + start);
            for (long k = 0; k < nth; k++) {
                found = s.lastIndexOf(sub, from);
                if (found < 0) return 0;
                from = found - 1;
            }
        }
        return (pairs ? s.codePointCount(0, found) : found) + 1L;
    }

    /**
     * {@code s} in the database character set, AL32UTF8, one char per byte (ISO 8859-1 reads each
     * byte as the char of its value): SUBSTR and INSTR on it count bytes, as SUBSTRB and INSTRB do.
     */
    private static String bytes(String s) { return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); }

    /** LENGTHB: the bytes of {@code s} in AL32UTF8 (UTF-8). */
    static long lengthb(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return n;
    }

    /**
     * SUBSTRB(s, start[, len]): SUBSTR by bytes of AL32UTF8. A character the cut splits is not
     * returned in part: each of its bytes inside the range is a blank, as in Oracle, so the result
     * has the bytes asked for.
     */
    static String substrb(String s, long start, Long len) {
        String cut = substr(bytes(s), start, len);
        if (cut == null) return null;
        int from = 0, to = cut.length();
        while (from < to && (cut.charAt(from) & 0xC0) == 0x80) from++; // the tail of a character begun before the range
        int lead = to - 1;
        while (lead >= from && (cut.charAt(lead) & 0xC0) == 0x80) lead--;
        if (lead >= from && lead + utf8Length(cut.charAt(lead)) > to) to = lead; // a character the range ends inside
        return " ".repeat(from) + new String(cut.substring(from, to).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                + " ".repeat(cut.length() - to);
    }

    /** The bytes of the UTF-8 sequence a lead byte begins. */
    private static int utf8Length(char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

    /** INSTRB: INSTR with positions in bytes of AL32UTF8 (a match can only begin where a character does). */
    static long instrb(String s, String sub, long start, long nth) { return instr(bytes(s), bytes(sub), start, nth); }

    /** LPAD/RPAD: {@code s} cut or filled with {@code fill} to {@code len} characters; NULL for no characters. */
    static String pad(String s, long len, String fill, boolean left) {
        if (len < 1 || fill.isEmpty()) return null;
        if (len > SqlType.MAX_VARCHAR) throw ErrorCode.VALUE_TOO_LONG.error((left ? "LPAD" : "RPAD") + "'s result", SqlType.MAX_VARCHAR, len);
        boolean pairs = hasPairs(s);
        int n = count(s, pairs);
        if (n >= len) return s.substring(0, offset(s, pairs, len));
        boolean fillPairs = hasPairs(fill);
        int fillCount = count(fill, fillPairs);
        long need = len - n;
        StringBuilder f = new StringBuilder();
        for (long whole = need / fillCount; whole > 0; whole--) f.append(fill);
        f.append(fill, 0, offset(fill, fillPairs, need % fillCount));
        return left ? f + s : s + f;
    }

    /** INITCAP: each word's first letter upper case, the others lower; a word is a run of letters and digits. */
    static String initcap(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            sb.appendCodePoint(start ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
            start = !Character.isLetterOrDigit(cp);
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /**
     * UPPER or LOWER, character by character (Unicode's simple case mapping, as Oracle's UPPER and
     * PostgreSQL's upper map): the result has as many characters as {@code s}. UPPER('große') is
     * GROßE, as in Oracle, not Java's GROSSE, so an upper-cased value still fits its column.
     */
    static String mapCase(String s, boolean upper) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int m = upper ? Character.toUpperCase(cp) : Character.toLowerCase(cp);
            if (m != cp && sb == null) sb = new StringBuilder(s.length()).append(s, 0, i);
            if (sb != null) sb.appendCodePoint(m);
            i += Character.charCount(cp);
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * UNISTR(s), Oracle's and TimesTen's: {@code \xxxx} (four hex digits, a UTF-16 code unit) is
     * that character, a pair of them one past U+FFFF; {@code \\} a backslash. TT90003 for a
     * backslash followed by anything else, or half a pair.
     */
    static String unistr(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\') {
                sb.append(ch);
            } else if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                sb.append('\\');
                i++;
            } else {
                int unit = i + 5 <= s.length() ? hex4(s, i + 1) : -1;
                if (unit < 0) {
                    throw ErrorCode.TYPE_MISMATCH.error("UNISTR: a backslash must be followed by four hexadecimal digits or another backslash,"
                            + " at character " + (s.codePointCount(0, i) + 1) + " of '" + s + "'");
                }
                sb.append((char) unit);
                i += 4;
            }
        }
        String out = sb.toString();
        int lone = loneSurrogate(out);
        if (lone >= 0) throw ErrorCode.TYPE_MISMATCH.error(String.format("UNISTR: \\%04X is half of a surrogate pair without its other half", lone));
        return out;
    }

    /**
     * The text of a national literal {@code N'...'}, TimesTen's: {@code \\uxxxx} (four hex digits)
     * is that UTF-16 code unit, two of them a character past U+FFFF; any other backslash is
     * itself. TT1001 (at {@code pos}) for half a pair.
     */
    static String national(String s, int pos) {
        if (!s.contains("\\u")) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            int unit = ch == '\\' && i + 6 <= s.length() && s.charAt(i + 1) == 'u' ? hex4(s, i + 2) : -1;
            if (unit < 0) {
                sb.append(ch);
            } else {
                sb.append((char) unit);
                i += 5;
            }
        }
        String out = sb.toString();
        int lone = loneSurrogate(out);
        if (lone >= 0) throw ErrorCode.SYNTAX_ERROR.error(pos + 1, String.format("\\u%04X in N'...' is half of a surrogate pair without its other half", lone));
        return out;
    }

    /** The value of the first char of {@code s} that is half of a surrogate pair without its other half (no character), or -1. */
    private static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else if (Character.isSurrogate(ch)) return ch;
        }
        return -1;
    }

    /** The value of the four hex digits at {@code at}, or -1. */
    private static int hex4(String s, int at) {
        int v = 0;
        for (int k = at; k < at + 4; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0) return -1;
            v = v << 4 | d;
        }
        return v;
    }

    /** ASCIISTR(s), Oracle's: each character past ASCII (and the backslash) as {@code \xxxx}, its UTF-16 code units in hex. */
    static String asciistr(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80 && ch != '\\') sb.append(ch);
            else sb.append(String.format("\\%04X", (int) ch));
        }
        return sb.toString();
    }

    /** CHR(n): the character whose code point is n; TT90003 for a number that is not one (a surrogate, say). */
    static String chr(long n) {
        if (n < 0 || n > Character.MAX_CODE_POINT || (n >= Character.MIN_SURROGATE && n <= Character.MAX_SURROGATE)) {
            throw ErrorCode.TYPE_MISMATCH.error("CHR(" + n + "): " + n + " is not the code point of a character");
        }
        return Character.toString((int) n);
    }

    /**
     * SOUNDEX(s), Oracle's (the American Soundex): the first letter, then the digits of the
     * consonants after it (BFPV 1, CGJKQSXZ 2, DT 3, L 4, MN 5, R 6), a run of one digit written
     * once even across H and W (a vowel or Y ends the run), cut or padded with zeros to four.
     * Only the letters A to Z count, in either case; null if there are none.
     */
    static String soundex(String s) {
        StringBuilder out = new StringBuilder(4);
        char last = 0;
        for (int i = 0; i < s.length() && out.length() < 4; i++) {
            char ch = Character.toUpperCase(s.charAt(i));
            if (ch < 'A' || ch > 'Z') continue;
            char code = SOUNDEX_CODES.charAt(ch - 'A');
            if (out.isEmpty()) out.append(ch);
            else if (code == 'h') continue; // (H and W: the run goes on)
            else if (code != '0' && code != last) out.append(code);
            last = code;
        }
        if (out.isEmpty()) return null;
        while (out.length() < 4) out.append('0');
        return out.toString();
    }

    /** Each letter's Soundex digit, A to Z: 0 a vowel or Y, h for H and W. */
    private static final String SOUNDEX_CODES = "0123012h02245501262301h202";

    /** Oracle's character set ids of the sets a client may name, the database's (AL32UTF8) and its national one (AL16UTF16). */
    private static final java.util.Map<String, Long> CHARSETS = java.util.Map.of("US7ASCII", 1L, "WE8ISO8859P1", 31L, "WE8ISO8859P15", 46L,
            "EE8MSWIN1250", 170L, "CL8MSWIN1251", 171L, "WE8MSWIN1252", 178L, "UTF8", 871L, "AL32UTF8", 873L, "AL16UTF16", 2000L);

    /** NLS_CHARSET_ID(name): the set's id; CHAR_CS the database's, NCHAR_CS the national one's; null for a name it does not know. */
    static Long charsetId(String name) {
        String n = name.strip().toUpperCase(java.util.Locale.ROOT);
        return CHARSETS.get(n.equals("CHAR_CS") ? "AL32UTF8" : n.equals("NCHAR_CS") ? "AL16UTF16" : n);
    }

    /** NLS_CHARSET_NAME(id): the set's name; null for an id it does not know. */
    static String charsetName(long id) {
        for (var e : CHARSETS.entrySet()) if (e.getValue() == id) return e.getKey();
        return null;
    }
}
