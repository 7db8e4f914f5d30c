package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Semi-joins: {@code col IN (uncorrelated subquery)} and {@code EXISTS (subquery whose
 * equalities name col)} read the table through an index on col, probed with the subquery's
 * distinct keys, instead of scanning it. The same questions asked so that no index can serve
 * ({@code col + 0}) are the reference: a scan that checks every row.
 *
 * <p>That the probe really reads only the keyed rows is shown by a condition that fails on a
 * row no key names ({@code 1 / (id - 2500)}): a scan would evaluate it there (TT90005), the
 * probe never reaches that row.
 */
class SemiJoinTest {
    private static final int ROWS = 5_000;

    private static Connection open(Instance inst) {
        Connection c = inst.connect("SJ", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, k INTEGER, v VARCHAR2(10))");
        c.execute("CREATE INDEX big_k ON big (k)");
        c.setAutocommit(false);
        var ins = c.prepare("INSERT INTO big VALUES (?, ?, ?)");
        for (int i = 0; i < ROWS; i++) c.execute(ins, i, i % 100, "v" + i);
        c.execute("COMMIT");
        c.setAutocommit(true);
        // Keys with a duplicate, a NULL, one no row has, and one that is not an INTEGER's.
        c.execute("CREATE TABLE small (k NUMBER, z INTEGER)");
        c.execute("INSERT INTO small VALUES (7, 1), (7, 2), (42, 1), (NULL, 1), (99999, 1), (4999, 3), (12.5, 1)");
        return c;
    }

    private static List<String> ids(Connection c, String sql) {
        return TestInstances.rows(c, sql).stream().sorted().toList();
    }

    private static String plan(Connection c, String sql) { return String.join("\n", TestInstances.rows(c, "EXPLAIN " + sql)); }

    @Test
    void anInSubqueryProbesTheIndexWithItsDistinctKeys() {
        try (Instance inst = TestInstances.one("SJ")) {
            Connection c = open(inst);
            String in = "SELECT id FROM big WHERE id IN (SELECT k FROM small)";
            assertTrue(plan(c, in).startsWith("SEMI-JOIN RANGE INDEX LOOKUP ADMIN.BIG ON ADMIN.BIG (1 of 1 columns, keys from the subquery"),
                    plan(c, in));
            assertEquals(List.of("42", "4999", "7"), ids(c, in));
            assertEquals(ids(c, "SELECT id FROM big WHERE id + 0 IN (SELECT k FROM small)"), ids(c, in));
            // = ANY is IN; a non-unique index gives every row of each key
            assertEquals(ids(c, "SELECT id FROM big WHERE k + 0 = ANY (SELECT k FROM small)"),
                    ids(c, "SELECT id FROM big WHERE k = ANY (SELECT k FROM small)"));
            assertEquals(100, ids(c, "SELECT id FROM big WHERE k = ANY (SELECT k FROM small)").size()); // 7 and 42, 50 each

            // Only the keyed rows are read: the scan meets id 2500, the probe does not.
            String guarded = "SELECT id FROM big WHERE 1 / (id - 2500) <> 0 AND id IN (SELECT k FROM small)";
            assertEquals(List.of("42", "4999", "7"), ids(c, guarded));
            assertEquals(90005, assertThrows(HourglassException.class,
                    () -> c.execute("SELECT id FROM big WHERE 1 / (id - 2500) <> 0 AND id + 0 IN (SELECT k FROM small)")).number());

            // More keys than the table has rows: the table is scanned instead (and meets its row 2).
            c.execute("CREATE TABLE tiny (id INTEGER PRIMARY KEY)");
            c.execute("INSERT INTO tiny VALUES (1), (2), (3)");
            String many = "SELECT id FROM tiny WHERE 1 / (id - 2) <> 0 AND id IN (SELECT id FROM big WHERE id <> 2)";
            assertTrue(plan(c, many).startsWith("SEMI-JOIN"), plan(c, many));
            assertEquals(90005, assertThrows(HourglassException.class, () -> c.execute(many)).number());
            assertEquals(List.of("1", "3"), ids(c, "SELECT id FROM tiny WHERE 1 / (id - 2) <> 0 AND id IN (SELECT id FROM big WHERE id < 2 OR id = 3)"));

            // Read once per row of an earlier source, with an equality no index answers: a
            // temporary hash index finds each read's rows at once, where the probe would try every key.
            String join = "SELECT s.z, b.id FROM small s, big b WHERE b.v = 'v' || s.k AND b.id IN (SELECT k FROM small)";
            assertTrue(plan(c, join).contains("\nTEMPORARY HASH INDEX LOOKUP ON ADMIN.BIG"), plan(c, join));
            assertEquals(List.of("1|42", "1|7", "2|7", "3|4999"), ids(c, join.replace("s.z, b.id", "s.z || '|' || b.id")));

            // NOT IN is no semi-join, nor is an IN whose rows depend on the row asking
            assertTrue(plan(c, "SELECT id FROM big WHERE id NOT IN (SELECT k FROM small)").startsWith("FULL SCAN"));
            String correlated = "SELECT b.id FROM big b WHERE b.id IN (SELECT s.k FROM small s WHERE s.z = b.k - 5)";
            assertTrue(plan(c, correlated).startsWith("FULL SCAN"), plan(c, correlated));
            assertEquals(List.of("7"), ids(c, correlated));
        }
    }

    @Test
    void anExistsProbesWithTheValuesItsEqualitiesCompare() {
        try (Instance inst = TestInstances.one("SJ")) {
            Connection c = open(inst);
            String exists = "SELECT b.id FROM big b WHERE EXISTS (SELECT 1 FROM small s WHERE s.k = b.id AND s.z <= b.id)";
            assertTrue(plan(c, exists).startsWith("SEMI-JOIN RANGE INDEX LOOKUP ADMIN.BIG ON ADMIN.BIG (1 of 1 columns, keys from the EXISTS"),
                    plan(c, exists));
            assertEquals(List.of("42", "4999", "7"), ids(c, exists));
            assertEquals(ids(c, exists.replace("s.k = b.id", "s.k = b.id + 0")), ids(c, exists));
            // The condition reading the enclosing row is checked by the EXISTS itself, not by the keys.
            assertEquals(List.of("4999"), ids(c, exists.replace("s.z <= b.id", "s.z * 100 <= b.id")));
            assertEquals(List.of("42", "4999", "7"), ids(c, "SELECT b.id FROM big b WHERE 1 / (b.id - 2500) <> 0 AND " + exists.substring(exists.indexOf("EXISTS"))));

            // A condition failing on a row no enclosing row would ask about: the keys cannot be
            // made, and the table is scanned (the EXISTS never evaluates it, and neither does the statement).
            c.execute("INSERT INTO small VALUES (-1, 0)");
            String risky = "SELECT b.id FROM big b WHERE EXISTS (SELECT 1 FROM small s WHERE s.k = b.id AND 10 / s.z > 1)";
            assertTrue(plan(c, risky).startsWith("SEMI-JOIN"), plan(c, risky));
            assertEquals(List.of("42", "4999", "7"), ids(c, risky));

            // Two equalities key a two-column index, one its prefix.
            c.execute("CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
            c.execute("INSERT INTO pair VALUES (1, 1), (1, 2), (2, 1), (2, 2), (3, 3)");
            c.execute("CREATE TABLE want (x INTEGER, y INTEGER)");
            c.execute("INSERT INTO want VALUES (1, 2), (2, 2), (3, 1)");
            String both = "SELECT p.a || '/' || p.b FROM pair p WHERE EXISTS (SELECT 1 FROM want w WHERE w.x = p.a AND w.y = p.b)";
            assertTrue(plan(c, both).contains("(2 of 2 columns"), plan(c, both));
            assertEquals(List.of("1/2", "2/2"), ids(c, both));
            String prefix = "SELECT p.a || '/' || p.b FROM pair p WHERE EXISTS (SELECT 1 FROM want w WHERE w.x = p.a AND w.y > 1)";
            assertTrue(plan(c, prefix).contains("(1 of 2 columns"), plan(c, prefix));
            assertEquals(List.of("1/1", "1/2", "2/1", "2/2"), ids(c, prefix));
            // A hash index answers whole keys only.
            c.execute("CREATE TABLE hpair (a INTEGER, b INTEGER)");
            c.execute("CREATE HASH INDEX hpair_ab ON hpair (a, b)");
            c.execute("INSERT INTO hpair SELECT a, b FROM pair");
            String hashPrefix = prefix.replace("pair p", "hpair p");
            assertTrue(plan(c, hashPrefix).startsWith("FULL SCAN"), plan(c, hashPrefix));
            assertEquals(List.of("1/1", "1/2", "2/1", "2/2"), ids(c, hashPrefix));
            assertTrue(plan(c, both.replace("pair p", "hpair p")).startsWith("SEMI-JOIN HASH INDEX LOOKUP"));
            assertEquals(List.of("1/2", "2/2"), ids(c, both.replace("pair p", "hpair p")));
            // In a join, only the equalities naming the source read are its keys.
            c.execute("INSERT INTO small VALUES (2, 5)");
            String join = "SELECT w.x || '/' || p.a FROM want w, pair p WHERE p.b = w.y AND EXISTS (SELECT 1 FROM small s WHERE s.k = w.x AND s.z = 5)";
            assertEquals(List.of("2/1", "2/2"), ids(c, join));

            // NOT EXISTS is no semi-join; a grouped subquery gives no keys
            assertTrue(plan(c, exists.replace("EXISTS", "NOT EXISTS")).startsWith("FULL SCAN"));
            assertTrue(plan(c, "SELECT b.id FROM big b WHERE EXISTS (SELECT 1 FROM small s WHERE s.k = b.id GROUP BY s.k)").startsWith("FULL SCAN"));
        }
    }

    @Test
    void updateDeleteAndMergeFindTheirRowsThroughTheSemiJoin() {
        try (Instance inst = TestInstances.one("SJ")) {
            Connection c = open(inst);
            assertTrue(plan(c, "UPDATE big SET v = 'in' WHERE id IN (SELECT k FROM small)").startsWith("UPDATE SEMI-JOIN"));
            assertEquals(3, c.execute("UPDATE big SET v = 'in' WHERE 1 / (id - 2500) <> 0 AND id IN (SELECT k FROM small)").updateCount());
            assertEquals(List.of("42", "4999", "7"), ids(c, "SELECT id FROM big WHERE v = 'in'"));
            assertEquals(2, c.execute("DELETE FROM big b WHERE 1 / (b.id - 2500) <> 0"
                    + " AND EXISTS (SELECT 1 FROM small s WHERE s.k = b.id AND s.z = 1)").updateCount());
            assertEquals(List.of("4999"), ids(c, "SELECT id FROM big WHERE v = 'in'"));

            // MERGE's UPDATE probes the target with the source's keys, from a table or a query.
            c.execute("CREATE TABLE delivery (id INTEGER PRIMARY KEY, v VARCHAR2(10))");
            c.execute("INSERT INTO delivery VALUES (10, 'd10'), (4999, 'd4999'), (6000, 'd6000')");
            String merge = "MERGE INTO big t USING %s d ON (t.id = d.id) WHEN MATCHED THEN UPDATE SET t.v = d.v"
                    + " WHEN NOT MATCHED THEN INSERT (id, k, v) VALUES (d.id, 0, d.v)";
            String fromTable = merge.formatted("delivery"), fromQuery = merge.formatted("(SELECT id, v FROM delivery WHERE id > 10)");
            assertTrue(plan(c, fromTable).startsWith("UPDATE SEMI-JOIN RANGE INDEX LOOKUP ADMIN.BIG"), plan(c, fromTable));
            assertTrue(plan(c, fromQuery).startsWith("UPDATE SEMI-JOIN RANGE INDEX LOOKUP ADMIN.BIG"), plan(c, fromQuery));
            assertEquals(3, c.execute(fromTable).updateCount());
            assertEquals(List.of("10|d10", "4999|d4999", "6000|d6000"),
                    ids(c, "SELECT id || '|' || v FROM big WHERE id IN (10, 4999, 6000)"));
            c.execute("UPDATE delivery SET v = 'e' || id");
            assertEquals(2, c.execute(fromQuery).updateCount());
            assertEquals(List.of("10|d10", "4999|e4999", "6000|e6000"),
                    ids(c, "SELECT id || '|' || v FROM big WHERE id IN (10, 4999, 6000)"));
        }
    }

    @Test
    void aRowInSubqueryProbesACompositeKeyWhateverTheOrderOfTheRowsValues() {
        try (Instance inst = TestInstances.one("SJ")) {
            Connection c = inst.connect("SJ", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE pairs (a INTEGER, b INTEGER, v VARCHAR2(10), PRIMARY KEY (a, b))");
            c.setAutocommit(false);
            var ins = c.prepare("INSERT INTO pairs VALUES (?, ?, ?)");
            for (int i = 0; i < ROWS; i++) c.execute(ins, i / 100, i % 100, "v" + i);
            c.execute("COMMIT");
            c.setAutocommit(true);
            // Pairs with a duplicate, a NULL, one no row has, and one that is not an INTEGER's.
            c.execute("CREATE TABLE want (x NUMBER, y INTEGER)");
            c.execute("INSERT INTO want VALUES (7, 3), (7, 3), (42, 99), (NULL, 5), (5, 999), (12.5, 1), (0, 0)");

            String in = "SELECT a, b FROM pairs WHERE (b, a) IN (SELECT y, x FROM want)";
            assertTrue(plan(c, in).startsWith("SEMI-JOIN RANGE INDEX LOOKUP ADMIN.PAIRS ON ADMIN.PAIRS (2 of 2 columns, keys from the subquery"),
                    plan(c, in));
            assertEquals(List.of("0|0", "42|99", "7|3"), ids(c, in));
            assertEquals(ids(c, "SELECT a, b FROM pairs WHERE (b, a + 0) IN (SELECT y, x FROM want)"), ids(c, in));
            // Only the keyed rows are read: the scan meets (25, 0), the probe does not.
            String guarded = "SELECT a, b FROM pairs WHERE 1 / (a * 100 + b - 2500) <> 0 AND ";
            assertEquals(List.of("0|0", "42|99", "7|3"), ids(c, guarded + "(b, a) IN (SELECT y, x FROM want)"));
            assertEquals(90005, assertThrows(HourglassException.class,
                    () -> c.execute(guarded + "(b, a + 0) IN (SELECT y, x FROM want)")).number());

            // A row naming the key's first column only probes by it, and checks the rest on the rows found.
            String prefix = "(v, a) IN (SELECT 'v' || (x * 100 + y), x FROM want)";
            assertTrue(plan(c, guarded + prefix).startsWith("SEMI-JOIN RANGE INDEX LOOKUP ADMIN.PAIRS ON ADMIN.PAIRS (1 of 2 columns"),
                    plan(c, guarded + prefix));
            assertEquals(List.of("0|0", "42|99", "7|3"), ids(c, guarded + prefix));
            // NOT IN is no semi-join: it reads the table
            assertTrue(plan(c, "SELECT a FROM pairs WHERE (b, a) NOT IN (SELECT y, x FROM want)").startsWith("FULL SCAN"));
        }
    }

    /** Random tables with NULLs and duplicates: every semi-join form answers as the scan of its unindexed twin. */
    @Test
    void semiJoinsAnswerAsScansOverRandomRows() {
        try (Instance inst = TestInstances.one("SJ")) {
            Connection c = inst.connect("SJ", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            c.execute("CREATE HASH INDEX a_k ON a (k)");
            c.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER)");
            Random r = new Random(20261123);
            for (String t : List.of("a", "b")) {
                for (int i = 0; i < 400; i++) {
                    c.execute("INSERT INTO " + t + " VALUES (?, ?, ?)", i, r.nextInt(8) == 0 ? null : r.nextInt(60),
                            r.nextInt(8) == 0 ? null : r.nextInt(100));
                }
            }
            List<String> forms = List.of(
                    "a.k IN (SELECT b.k FROM b WHERE b.v > %d)",
                    "a.id IN (SELECT b.k * 7 FROM b WHERE b.v < %d)",
                    "a.k = ANY (SELECT b.id FROM b WHERE b.v = %d)",
                    "EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.v < a.v + %d)",
                    "EXISTS (SELECT 1 FROM b WHERE b.id = a.k AND b.v > %d)",
                    "EXISTS (SELECT 1 FROM b, b b2 WHERE b2.id = b.k AND b2.v = a.id AND b.id = a.id AND b.v > %d)",
                    "a.v > 50 AND a.id IN (SELECT b.id + %d FROM b)",
                    "(a.k, a.v) IN (SELECT b.k, b.v FROM b WHERE b.id > %d)",
                    "(a.v, a.id) IN (SELECT b.v, b.id + %d FROM b)");
            int probed = 0;
            for (String form : forms) {
                for (int x : new int[] {0, 30, 70, 120}) {
                    String where = form.formatted(x);
                    String sql = "SELECT a.id FROM a WHERE " + where;
                    String twin = "SELECT a.id FROM a WHERE " + where.replace("= a.k", "= a.k + 0").replace("= a.id", "= a.id + 0")
                            .replace("a.k IN", "a.k + 0 IN").replace("a.id IN", "a.id + 0 IN").replace("a.k = ANY", "a.k + 0 = ANY")
                            .replace("(a.k, a.v)", "(a.k + 0, a.v)").replace("(a.v, a.id)", "(a.v, a.id + 0)");
                    if (plan(c, sql).startsWith("SEMI-JOIN")) probed++;
                    assertTrue(plan(c, twin).startsWith("FULL SCAN"), twin);
                    assertEquals(ids(c, twin), ids(c, sql), sql);
                }
            }
            assertEquals(forms.size() * 4, probed);
        }
    }
}
