package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An interval added to a parameter (docs/SQL.md, "Intervals"): a DATE or TIMESTAMP value, or a
 * text as the HTTP and gRPC APIs send dates; anything else is TT90003 when it comes. The SQL
 * around intervals is pinned by 29_intervals.test.
 */
class IntervalTest {
    @Test
    void anIntervalAddsToADateParameterOrItsTextAndRefusesAnythingElse() {
        try (Instance i = TestInstances.one("IVL1"); Connection a = i.connect("IVL1", "admin", TestInstances.ADMIN_PASSWORD)) {
            for (String ddl : List.of("CREATE TABLE ev (id INTEGER PRIMARY KEY, at TIMESTAMP)",
                    "INSERT INTO ev VALUES (1, TIMESTAMP '2024-03-01 00:00:00'), (2, TIMESTAMP '2024-03-02 12:00:00')")) {
                a.execute(ddl);
            }
            PreparedStatement since = a.prepare("SELECT id FROM ev WHERE at >= ? - INTERVAL '1' DAY ORDER BY id");
            assertEquals(List.of("1", "2"), TestInstances.rows(a.execute(since, LocalDateTime.of(2024, 3, 2, 0, 0))));
            assertEquals(List.of("2"), TestInstances.rows(a.execute(since, "2024-03-02 12:00:00")), "a date as text");
            assertEquals(List.of("2024-03-31 00:00:00"), TestInstances.rows(a.execute("SELECT INTERVAL '30' DAY + ? FROM dual", "2024-03-01")));
            for (Object bad : new Object[] {7L, "tomorrow"}) {
                HourglassException e = assertThrows(HourglassException.class, () -> a.execute(since, bad));
                assertEquals(90003, e.number(), String.valueOf(bad));
            }
        }
    }
}
