package io.hourglass.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The shell's words after a statement, as ttIsql's. */
class SqlShellTest {
    @Test
    void saysWhatAStatementChangedAsTtIsqlDoes() {
        assertEquals("1 row inserted.", SqlShell.affected("insert into t values (1)", 1));
        assertEquals("3 rows updated.", SqlShell.affected("  UPDATE t SET a = 1", 3));
        assertEquals("0 rows deleted.", SqlShell.affected("DELETE FROM t", 0));
        assertEquals("2 cache instances affected.", SqlShell.affected("LOAD CACHE GROUP readcache COMMIT EVERY 256 ROWS", 2));
        assertEquals("1 cache instance affected.", SqlShell.affected("refresh cache group g commit every 0 rows", 1));
        assertEquals("5 cache instances affected.", SqlShell.affected("UNLOAD CACHE GROUP g", 5));
        assertNull(SqlShell.affected("CREATE TABLE t (a NUMBER)", -1));
        assertEquals("3 rows inserted.", SqlShell.affected("CREATE TABLE t AS SELECT * FROM s", 3));
        assertNull(SqlShell.affected("INSERT INTO t VALUES (1)", -1));
    }
}
