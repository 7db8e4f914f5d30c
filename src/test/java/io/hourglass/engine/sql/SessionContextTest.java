package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * SYS_CONTEXT('USERENV', 'SID') is the id of the connection the statement runs on, as ttStatus
 * shows it, wherever in the statement it is read.
 */
class SessionContextTest {
    @Test
    void theSidIsTheConnectionsId() {
        try (Instance inst = TestInstances.one("SIDS")) {
            Connection a = inst.connect("SIDS", "admin", TestInstances.ADMIN_PASSWORD);
            Connection b = inst.connect("SIDS", "admin", TestInstances.ADMIN_PASSWORD);
            String sql = "SELECT SYS_CONTEXT('USERENV', 'SID') FROM dual";
            assertEquals(Long.toString(a.id()), a.execute(sql).rows().getFirst()[0]);
            assertEquals(Long.toString(b.id()), b.execute(sql).rows().getFirst()[0]);
            assertNotEquals(a.id(), b.id());
            // wherever the expression is evaluated: a subquery, a view, a grouped query, a window, an UPDATE
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER, who VARCHAR2(20))");
            a.execute("INSERT INTO t VALUES (1, 1, NULL), (2, 1, NULL), (3, 2, NULL)");
            a.execute("CREATE VIEW v AS SELECT id, SYS_CONTEXT('USERENV', 'SID') sid FROM t");
            String id = Long.toString(b.id());
            for (String q : new String[] {
                    "SELECT (SELECT SYS_CONTEXT('USERENV', 'SID') FROM dual) FROM t",
                    "SELECT sid FROM v",
                    "SELECT MAX(SYS_CONTEXT('USERENV', 'SID')) FROM t GROUP BY g",
                    "SELECT SYS_CONTEXT('USERENV', 'SID') FROM t GROUP BY g",
                    "SELECT MIN(SYS_CONTEXT('USERENV', 'SID')) OVER (PARTITION BY g) FROM t",
                    "SELECT x FROM (SELECT SYS_CONTEXT('USERENV', 'SID') x FROM t ORDER BY id) WHERE ROWNUM <= 2",
                    "SELECT id FROM t WHERE id IN (SELECT id FROM t WHERE SYS_CONTEXT('USERENV', 'SID') = '" + id + "') AND "
                            + "SYS_CONTEXT('USERENV', 'SID') = '" + id + "'"}) {
                for (Object[] row : b.execute(q).rows()) assertEquals(q.startsWith("SELECT id ") ? row[0] : id, row[0], q);
                assertNotEquals(0, b.execute(q).rows().size(), q);
            }
            assertEquals(3L, b.execute("UPDATE t SET who = SYS_CONTEXT('USERENV', 'SID') || '/' || SYS_CONTEXT('USERENV', 'SESSION_USER')").updateCount());
            assertEquals(id + "/ADMIN", a.execute("SELECT DISTINCT who FROM t").rows().getFirst()[0]);
            a.close();
            b.close();
        }
    }
}
