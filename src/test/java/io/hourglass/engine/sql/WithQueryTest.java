package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * WITH queries read anew at each reference: their parameters keep their numbers however often
 * the name is used (a recursive one's too), and a view's {@code *} inside a WITH query named twice expands once per use.
 */
class WithQueryTest {
    @Test
    void parametersOfAWithQueryNamedTwiceKeepTheirPlaces() {
        try (Instance i = TestInstances.one("WQ1"); Connection a = i.connect("WQ1", "admin", TestInstances.ADMIN_PASSWORD)) {
            a.execute("CREATE TABLE emp (id INTEGER PRIMARY KEY, pay NUMBER(8,2))");
            a.execute("INSERT INTO emp VALUES (1, 100), (2, 300), (3, 250), (4, 350), (5, 150)");
            String sql = "WITH lo AS (SELECT id, pay FROM emp WHERE pay < ?) SELECT a.id, b.id FROM lo a, lo b"
                    + " WHERE a.id < b.id AND b.pay > ? ORDER BY 1, 2";
            PreparedStatement ps = a.prepare(sql);
            assertEquals(List.of("1|3", "1|5", "3|5"), TestInstances.rows(a.execute(ps, 300, 120)));
            assertEquals(List.of("1|5"), TestInstances.rows(a.execute(ps, 200, 120)));

            // a recursive one: its initial and recursive queries' parameters, the main query's after them
            PreparedStatement steps = a.prepare("WITH RECURSIVE n (i) AS (SELECT ? FROM dual UNION ALL SELECT i + ? FROM n WHERE i < ?)"
                    + " SELECT a.i, b.i FROM n a JOIN n b ON b.i = a.i + ? ORDER BY 1");
            assertEquals(List.of("1|4", "4|7"), TestInstances.rows(a.execute(steps, 1, 3, 7, 3)));
            assertEquals(List.of("10|12", "12|14"), TestInstances.rows(a.execute(steps, 10, 2, 14, 2)));

            a.execute("CREATE VIEW pairs (a, ap, b, bp) AS WITH e AS (SELECT * FROM emp WHERE pay > 200) SELECT * FROM e x, e y WHERE x.id < y.id");
            assertEquals(List.of("2|300|3|250", "2|300|4|350", "3|250|4|350"), TestInstances.rows(a.execute("SELECT * FROM pairs ORDER BY 1, 3")));
            a.execute("ALTER TABLE emp ADD bonus INTEGER DEFAULT 7");
            assertEquals(List.of("2|300|3|250", "2|300|4|350", "3|250|4|350"), TestInstances.rows(a.execute("SELECT * FROM pairs ORDER BY 1, 3")),
                    "the * in the WITH query was expanded when the view was made, as Oracle does");
        }
    }
}
