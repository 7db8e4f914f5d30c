package io.hourglass.engine.sql;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Synonyms beyond what 41_synonyms.test shows: they outlive a restart, replayed from the log and
 * read from a checkpoint (public and private, dropped and replaced ones too); and a statement
 * prepared before a synonym was made, replaced or dropped plans again and reads what the name
 * stands for now.
 */
class SynonymTest {
    private static final String SYNONYMS = "SELECT owner || '.' || synonym_name || '=' || table_owner || '.' || table_name FROM all_synonyms"
            + " ORDER BY owner, synonym_name";

    @Test
    void synonymsOutliveARestartFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("SYN1", dir.resolve("syn1").toString());
        List<String> synonyms = List.of("ADMIN.ORDERS=ADMIN.ORDERS_2026", "ADMIN.TICKET=ADMIN.TICKETS", "CLERK.MINE=ADMIN.ORDERS",
                "PUBLIC.ORDERS=ADMIN.ORDERS_2025");
        Crashable first = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(first.instance(), "SYN1")) {
            a.setDurableCommits(true);
            a.execute("CREATE TABLE orders_2025 (id INTEGER PRIMARY KEY)");
            a.execute("CREATE TABLE orders_2026 (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO orders_2025 VALUES (1)");
            a.execute("CREATE SEQUENCE tickets");
            a.execute("CREATE USER clerk IDENTIFIED BY pw");
            a.execute("GRANT SELECT ON orders_2025 TO clerk");
            a.execute("GRANT SELECT ON orders_2026 TO clerk");
            a.execute("CREATE SYNONYM orders FOR orders_2025");
            a.execute("CREATE OR REPLACE SYNONYM orders FOR orders_2026"); // the year turned
            a.execute("CREATE PUBLIC SYNONYM orders FOR admin.orders_2025");
            a.execute("CREATE SYNONYM ticket FOR tickets");
            a.execute("CREATE SYNONYM clerk.mine FOR admin.orders");
            a.execute("CREATE SYNONYM dropped FOR orders_2025");
            a.execute("DROP SYNONYM dropped");
            a.execute("INSERT INTO orders VALUES (ticket.NEXTVAL)");
            assertEquals(synonyms, rows(a, SYNONYMS));
        }
        first.kill(); // no checkpoint at the end: the restart replays the log
        List<String> after = List.of("ADMIN.ORDERS=ADMIN.ORDERS_2026", "ADMIN.TICKET=ADMIN.TICKETS", "CLERK.MINE=ADMIN.ORDERS",
                "PUBLIC.ORDERS=ADMIN.ORDERS_2026");
        Crashable.threeLoads(cfg, (round, i, a) -> {
            try (Connection clerk = i.connect("SYN1", "clerk", "pw")) {
                assertEquals(round < 2 ? synonyms : after, rows(a, SYNONYMS), "round " + round);
                assertEquals(List.of("1"), rows(a, "SELECT id FROM orders"), "round " + round + ": ADMIN's own synonym");
                assertEquals(List.of("1"), rows(clerk, "SELECT id FROM orders"), "round " + round + ": the public synonym");
                assertEquals(List.of("1"), rows(clerk, "SELECT id FROM mine"), "round " + round + ": a chain of two");
                assertEquals(round < 2 ? List.of("1") : List.of("21"), rows(a, "SELECT id FROM orders_2025"), "round " + round);
            }
            if (round == 1) {
                a.setDurableCommits(true);
                a.execute("DROP PUBLIC SYNONYM orders");
                a.execute("CREATE PUBLIC SYNONYM orders FOR admin.orders_2026");
                a.execute("INSERT INTO orders_2025 VALUES (ticket.NEXTVAL)"); // through the synonym: 21, where the sequence resumes after a restart (CACHE 20)
                a.execute("DELETE FROM orders_2025 WHERE id = 1");
            }
        });
    }

    /** A synonym changes what a name means: statements prepared on the name plan again, as after any DDL. */
    @Test
    void aPreparedStatementFollowsTheSynonymAsItIsNow() {
        try (Instance i = TestInstances.one("SYN2"); Connection a = TestInstances.admin(i, "SYN2")) {
            a.execute("CREATE TABLE t1 (v VARCHAR2(5))");
            a.execute("CREATE TABLE t2 (v VARCHAR2(5))");
            a.execute("INSERT INTO t1 VALUES ('one')");
            a.execute("INSERT INTO t2 VALUES ('two')");
            a.execute("CREATE USER u IDENTIFIED BY pw");
            a.execute("GRANT SELECT ON t1 TO u");
            a.execute("GRANT SELECT ON t2 TO u");
            try (Connection u = i.connect("SYN2", "u", "pw")) {
                PreparedStatement read = u.prepare("SELECT v FROM cur");
                assertEquals(2206, assertThrows(HourglassException.class, () -> u.execute(read)).number());
                a.execute("CREATE PUBLIC SYNONYM cur FOR admin.t1");
                assertEquals(List.of("one"), TestInstances.rows(u.execute(read)));
                a.execute("CREATE OR REPLACE PUBLIC SYNONYM cur FOR admin.t2");
                assertEquals(List.of("two"), TestInstances.rows(u.execute(read)));
                a.execute("CREATE SYNONYM u.cur FOR admin.t1"); // u's own comes before the public one
                assertEquals(List.of("one"), TestInstances.rows(u.execute(read)));
                a.execute("DROP SYNONYM u.cur");
                assertEquals(List.of("two"), TestInstances.rows(u.execute(read)));
                a.execute("DROP PUBLIC SYNONYM cur");
                assertEquals(2206, assertThrows(HourglassException.class, () -> u.execute(read)).number());
            }
        }
    }
}
