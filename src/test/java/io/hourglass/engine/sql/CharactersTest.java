package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The limits on a result's characters count characters (code points), not Java chars: text of
 * emoji, two chars each, reaches the same number of characters as text of letters.
 */
class CharactersTest {
    private static final String EMOJI = "\uD83D\uDE00";

    @Test
    void listaggCountsCharacters() {
        try (Instance inst = TestInstances.one("CHARS")) {
            Connection c = inst.connect("CHARS", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v VARCHAR2(4194304))");
            int half = 4_194_304 / 2;
            c.execute("INSERT INTO big VALUES (1, RPAD(?, ?, ?)), (2, RPAD(?, ?, ?))", EMOJI, half, EMOJI, EMOJI, half - 1, EMOJI);
            // 2,097,152 + 2,097,151 + one separator: exactly a VARCHAR2's most
            Object[] row = c.execute("SELECT LISTAGG(v, ',') WITHIN GROUP (ORDER BY id), LENGTH(LISTAGG(v, ',') WITHIN GROUP (ORDER BY id)) FROM big").rows().getFirst();
            assertEquals(4_194_304L, row[1]);
            assertEquals(4_194_304 * 2 - 1, ((String) row[0]).length());
            HourglassException e = assertThrows(HourglassException.class,
                    () -> c.execute("SELECT LISTAGG(v, ',,') WITHIN GROUP (ORDER BY id) FROM big"));
            assertEquals(90002, e.number(), e.getMessage());
            c.close();
        }
    }

    @Test
    void aConnectByPathCountsCharacters() {
        try (Instance inst = TestInstances.one("PATHS")) {
            Connection c = inst.connect("PATHS", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE tree (id INTEGER PRIMARY KEY, parent INTEGER, v VARCHAR2(2000))");
            c.execute("INSERT INTO tree VALUES (1, NULL, RPAD(?, 1999, ?)), (2, 1, RPAD(?, 1999, ?))", EMOJI, EMOJI, EMOJI, EMOJI);
            // two levels of '/' and 1,999 characters: 4,000, SYS_CONNECT_BY_PATH's most
            Object[] row = c.execute("SELECT LENGTH(SYS_CONNECT_BY_PATH(v, '/')) FROM tree WHERE id = 2 START WITH id = 1 CONNECT BY PRIOR id = parent")
                    .rows().getFirst();
            assertEquals(4_000L, row[0]);
            HourglassException e = assertThrows(HourglassException.class, () -> c.execute(
                    "SELECT SYS_CONNECT_BY_PATH(v, '//') FROM tree START WITH id = 1 CONNECT BY PRIOR id = parent"));
            assertEquals(90002, e.number(), e.getMessage());
            c.close();
        }
    }
}
