package io.hourglass.engine.sql;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LIKE matching: the same answers as a regular expression, without its exponential cases. */
class LikePatternTest {

    /** The reference: LIKE as a regular expression (what the engine used before LikePattern). */
    private static boolean regex(String p, String esc, String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            if (esc != null && ch == esc.charAt(0) && i + 1 < p.length()) sb.append(Pattern.quote(String.valueOf(p.charAt(++i))));
            else if (ch == '%') sb.append(".*");
            else if (ch == '_') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(sb.toString(), Pattern.DOTALL).matcher(s).matches();
    }

    private static String random(Random r, String alphabet, int maxLen) {
        int n = r.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }

    @Test
    void answersAsARegularExpressionDoesOnRandomPatterns() {
        Random r = new Random(20261122);
        for (int k = 0; k < 200_000; k++) {
            String esc = r.nextInt(3) == 0 ? "!" : null;
            String p = random(r, "ab%_!", 8);
            String s = random(r, "ab%_!", 10);
            assertEquals(regex(p, esc, s), LikePattern.compile(p, esc).matches(s),
                    () -> "'" + s + "' LIKE '" + p + "'" + (esc == null ? "" : " ESCAPE '" + esc + "'"));
        }
    }

    @Test
    void wildcardsEscapesAndSurrogatePairs() {
        assertTrue(LikePattern.compile("a%", null).matches("a"));
        assertTrue(LikePattern.compile("%", null).matches(""));
        assertFalse(LikePattern.compile("_", null).matches(""));
        assertTrue(LikePattern.compile("%%b%%", null).matches("ab"));
        assertTrue(LikePattern.compile("10!%", "!").matches("10%"));
        assertFalse(LikePattern.compile("10!%", "!").matches("100"));
        assertTrue(LikePattern.compile("a!_c", "!").matches("a_c"));
        assertFalse(LikePattern.compile("a!_c", "!").matches("abc"));
        String emoji = "x\uD83D\uDE00y"; // x, one character outside the BMP, y
        assertTrue(LikePattern.compile("x_y", null).matches(emoji));
        assertFalse(LikePattern.compile("x__y", null).matches(emoji));
        assertTrue(LikePattern.compile("%\uD83D\uDE00%", null).matches(emoji));
    }

    @Test
    void aPatternThatBacktracksExponentiallyAsARegularExpressionMatchesInLinearishTime() {
        // 12 runs of "%a" and a final b against 5,000 a's: a regular expression tries on the order
        // of 5,000^12 ways before failing. The timeout only catches a hang; this takes microseconds.
        String text = "a".repeat(5_000);
        String pattern = "%a".repeat(12) + "%b";
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertFalse(LikePattern.compile(pattern, null).matches(text));
            assertTrue(LikePattern.compile(pattern, null).matches(text + "b"));
        });
    }
}
