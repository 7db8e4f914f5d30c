package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.Crashable;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COMMENT ON TABLE and COLUMN beyond what 40_comments.test shows: comments outlive a restart,
 * replayed from the log and read from a checkpoint, with the renames, drops and replacements
 * that moved or removed them; and a comment is at most 4000 bytes, counted in UTF-8.
 */
class CommentTest {
    private static final String TABLES = "SELECT table_name || '=' || NVL(comments, '-') FROM user_tab_comments ORDER BY table_name";
    private static final String COLUMNS = "SELECT table_name || '.' || column_name || '=' || comments FROM user_col_comments"
            + " WHERE comments IS NOT NULL ORDER BY table_name, column_name";

    @Test
    void commentsOutliveARestartFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("CMT1", dir.resolve("cmt1").toString());
        List<String> before = List.of("ACCOUNT=Accounts", "ACCT=-", "GONE=-", "LEDGER=-", "RICH=-", "V2=A view");
        List<String> columns = List.of("ACCOUNT.BALANCE=Euros", "ACCOUNT.ID=Account number", "V2.K=its key");
        Crashable first = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(first.instance(), "CMT1")) {
            a.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal NUMBER, note VARCHAR2(10))");
            a.execute("CREATE TABLE ledger (k INTEGER)");
            a.execute("CREATE TABLE gone (k INTEGER)");
            a.execute("CREATE VIEW rich AS SELECT id FROM acct WHERE bal > 10");
            a.execute("COMMENT ON TABLE acct IS 'Accounts'");
            a.execute("COMMENT ON COLUMN acct.id IS 'Account number'");
            a.execute("COMMENT ON COLUMN acct.bal IS 'Euros'");
            a.execute("COMMENT ON COLUMN acct.note IS 'dropped with its column'");
            a.execute("COMMENT ON TABLE ledger IS 'removed again'");
            a.execute("COMMENT ON TABLE ledger IS ''");
            a.execute("COMMENT ON TABLE gone IS 'dropped with its table'");
            a.execute("COMMENT ON TABLE rich IS 'lost when the view is replaced'");
            a.execute("CREATE VIEW gone_view AS SELECT k FROM gone");
            a.execute("COMMENT ON COLUMN gone_view.k IS 'dropped with its view'");
            a.execute("RENAME acct TO account");
            a.execute("ALTER TABLE account RENAME COLUMN bal TO balance");
            a.execute("ALTER TABLE account DROP (note)");
            a.execute("DROP VIEW gone_view");
            a.execute("DROP TABLE gone");
            a.execute("CREATE TABLE gone (k INTEGER)");
            a.execute("CREATE TABLE acct (id INTEGER)"); // the renamed table's old name: no comments stayed behind
            a.execute("CREATE OR REPLACE VIEW rich AS SELECT id FROM account");
            a.execute("CREATE VIEW v2 AS SELECT k FROM ledger");
            a.execute("COMMENT ON TABLE v2 IS 'A view'");
            a.execute("COMMENT ON COLUMN v2.k IS 'its key'");
            assertEquals(before, rows(a, TABLES));
            assertEquals(columns, rows(a, COLUMNS));
        }
        first.kill(); // no checkpoint at the end: the restart replays the log
        Crashable.threeLoads(cfg, (round, i, a) -> {
            List<String> tables = round < 2 ? before : List.of("ACCOUNTS=Accounts", "ACCT=-", "GONE=-", "LEDGER=after the checkpoint", "RICH=-",
                    "V2=A view");
            assertEquals(tables, rows(a, TABLES), "round " + round);
            assertEquals(round < 2 ? columns : List.of("ACCOUNTS.BALANCE=Euros", "ACCOUNTS.ID=Account number"), rows(a, COLUMNS), "round " + round);
            if (round == 1) {
                a.execute("COMMENT ON TABLE ledger IS 'after the checkpoint'");
                a.execute("COMMENT ON COLUMN v2.k IS ''");
                a.execute("RENAME account TO accounts");
            }
        });
    }

    @Test
    void aCommentIsAtMost4000BytesInUtf8() {
        try (Instance i = TestInstances.one("CMT2"); Connection a = TestInstances.admin(i, "CMT2")) {
            a.execute("CREATE TABLE t (k INTEGER)");
            String full = "€".repeat(1333) + "a"; // 3 * 1333 + 1 = 4000 bytes
            a.execute("COMMENT ON TABLE t IS '" + full + "'");
            assertEquals(List.of(full), rows(a, "SELECT comments FROM user_tab_comments"));
            HourglassException tooLong = assertThrows(HourglassException.class, () -> a.execute("COMMENT ON COLUMN t.k IS '" + full + "b'"));
            assertEquals(90002, tooLong.number());
            assertTrue(tooLong.getMessage().contains("4001"), tooLong.getMessage());
            assertEquals(90002, assertThrows(HourglassException.class,
                    () -> a.execute("COMMENT ON TABLE t IS '" + "€".repeat(1334) + "'")).number(), "1334 characters, 4002 bytes");
            assertEquals(List.of(full), rows(a, "SELECT comments FROM user_tab_comments"), "the refused comment changed nothing");
            assertEquals(List.of("null"), rows(a, "SELECT comments FROM user_col_comments"), "nor did the column's");
        }
    }
}
