package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits SQL text into tokens. Unquoted identifiers and keywords are upper-cased. */
final class Lexer {
    /**
     * OTHER: a character no statement of Hourglass's SQL has (every use of one is a syntax error),
     * which a condition in the backend's SQL, taken as written, may have ({@code %}, {@code ::}, {@code ~}).
     */
    enum T { IDENT, QUOTED, STRING, NUMBER, PARAM, OP, OTHER, EOF }

    record Token(T type, String text, int pos) {
        boolean is(String keywordOrOp) {
            return (type == T.IDENT || type == T.OP) && text.equals(keywordOrOp);
        }
    }

    static List<Token> lex(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0, n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) throw ErrorCode.SYNTAX_ERROR.error(i + 1, "unterminated comment");
                i = end + 2;
                continue;
            }
            int start = i;
            boolean national = (c == 'N' || c == 'n') && i + 1 < n && sql.charAt(i + 1) == '\'';
            if (national) c = sql.charAt(++i); // N'...': TimesTen's national string literal
            if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$' || sql.charAt(i) == '#')) i++;
                out.add(new Token(T.IDENT, sql.substring(start, i).toUpperCase(Locale.ROOT), start));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                while (i < n && Character.isDigit(sql.charAt(i))) i++;
                if (i < n && sql.charAt(i) == '.') {
                    i++;
                    while (i < n && Character.isDigit(sql.charAt(i))) i++;
                }
                if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
                    int save = i;
                    i++;
                    if (i < n && (sql.charAt(i) == '+' || sql.charAt(i) == '-')) i++;
                    if (i < n && Character.isDigit(sql.charAt(i))) {
                        while (i < n && Character.isDigit(sql.charAt(i))) i++;
                    } else {
                        i = save;
                    }
                }
                out.add(new Token(T.NUMBER, sql.substring(start, i), start));
            } else if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) throw ErrorCode.SYNTAX_ERROR.error(start + 1, "unterminated string literal");
                    char d = sql.charAt(i);
                    if (d == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') { sb.append('\''); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(T.STRING, national ? Characters.national(sb.toString(), start) : sb.toString(), start));
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                if (end < 0) throw ErrorCode.SYNTAX_ERROR.error(start + 1, "unterminated quoted identifier");
                out.add(new Token(T.QUOTED, sql.substring(i + 1, end), start));
                i = end + 1;
            } else if (c == '?') {
                out.add(new Token(T.PARAM, "?", start));
                i++;
            } else if (c == ':' && i + 1 < n && (Character.isLetterOrDigit(sql.charAt(i + 1)))) {
                i++;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) i++;
                out.add(new Token(T.PARAM, sql.substring(start, i), start));
            } else {
                String two = i + 1 < n ? sql.substring(i, i + 2) : "";
                if (two.equals("<=") || two.equals(">=") || two.equals("<>") || two.equals("!=") || two.equals("||")) {
                    out.add(new Token(T.OP, two.equals("!=") ? "<>" : two, start));
                    i += 2;
                } else if ("(),.;*+-/=<>".indexOf(c) >= 0) {
                    out.add(new Token(T.OP, String.valueOf(c), start));
                    i++;
                } else {
                    int end = i + Character.charCount(sql.codePointAt(i));
                    out.add(new Token(T.OTHER, sql.substring(i, end), start));
                    i = end;
                }
            }
        }
        out.add(new Token(T.EOF, "", n));
        return out;
    }
}
