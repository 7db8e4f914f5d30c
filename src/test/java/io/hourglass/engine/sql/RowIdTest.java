package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.Crashable;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.BackupType;
import io.hourglass.engine.backup.Restore;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ROWID pseudocolumn (docs/SQL.md, "ROWID"): a row's ROWID is its for its life, through
 * updates of any column, ALTER TABLE, RENAME, a restart from the log and one from a checkpoint,
 * a backup restored elsewhere;
 * it finds its row, and only its row, by the table's own ROWIDs; writers that find rows by ROWID
 * follow the write rule (no lost update). The SQL around it is pinned by 28_rowid.test.
 */
class RowIdTest {
    private static Connection admin(Instance i, String dsn) { return i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql, Object... params) { return TestInstances.rows(c.execute(sql, params)); }

    @Test
    void aRowKeepsItsRowIdThroughUpdatesAlterTableRenameAndRestartsFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("RID1", dir.resolve("rid1").toString());
        List<String> before;
        Crashable crashable = Crashable.open(cfg);
        try (Connection a = admin(crashable.instance(), "RID1")) {
            a.setDurableCommits(true);
            a.execute("CREATE TABLE first_one (x INTEGER)"); // (so the table below is not the first: its ROWIDs carry its own id)
            a.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, name VARCHAR2(12), bal INTEGER)");
            a.execute("CREATE INDEX acct_name ON acct (name)");
            // 700 rows over three blocks of 256 places, some deleted: their places free
            a.execute("INSERT INTO acct SELECT LEVEL, 'n' || LEVEL, LEVEL * 10 FROM dual CONNECT BY LEVEL <= 700");
            a.execute("DELETE FROM acct WHERE MOD(id, 7) = 0");
            List<String> first = rows(a, "SELECT ROWID || '|' || id FROM acct ORDER BY id");
            // updates of every kind of column (the primary key, an indexed one, a plain one) keep the place
            a.execute("UPDATE acct SET id = id + 10000 WHERE MOD(id, 5) = 0");
            a.execute("UPDATE acct SET name = 'm' || id, bal = bal + 1 WHERE MOD(id, 3) = 0");
            a.execute("ALTER TABLE acct ADD (opened DATE)"); // a new table id, the same ROWIDs
            a.execute("RENAME acct TO account");
            before = rows(a, "SELECT ROWID || '|' || name || '|' || bal FROM account ORDER BY ROWID");
            assertEquals(first.size(), before.size());
            for (String row : first) {
                String rowId = row.substring(0, 18), id = row.substring(19);
                String expectedId = Integer.parseInt(id) % 5 == 0 ? String.valueOf(Integer.parseInt(id) + 10000) : id;
                assertEquals(List.of(expectedId), rows(a, "SELECT id FROM account WHERE ROWID = ?", rowId), "row " + id + " at " + rowId);
            }
            assertEquals(List.of("FULL SCAN ADMIN.FIRST_ONE"), rows(a, "EXPLAIN SELECT * FROM first_one"));
        }
        crashable.kill(); // no checkpoint at the end: the restart replays the log
        for (int round = 0; round < 2; round++) {
            try (Instance i = TestInstances.with(cfg); Connection a = admin(i, "RID1")) { // from the log, then from the checkpoint its close wrote
                assertEquals(round == 1, i.database("RID1").recovery().checkpoint() != null, "round " + round);
                assertEquals(before, rows(a, "SELECT ROWID || '|' || name || '|' || bal FROM account ORDER BY ROWID"), "round " + round);
                for (int k = 0; k < before.size(); k += 37) {
                    String rowId = before.get(k).substring(0, 18), name = before.get(k).split("\\|")[1];
                    assertEquals(List.of(name), rows(a, "SELECT name FROM account WHERE ROWID = ?", rowId));
                    assertEquals(List.of(rowId), rows(a, "SELECT ROWID FROM account WHERE name = ?", name), "through the index on name");
                }
            }
        }
        // and through ttBackup and a restore into another database
        Path backup = dir.resolve("backup");
        try (Instance i = TestInstances.with(cfg)) {
            Backup.run(i.database("RID1"), FileStorageIo.INSTANCE, new Backup.Request(BackupType.FILE_FULL, backup, null, false, null, 0),
                    Backup.Progress.NONE);
        }
        DatabaseConfig copy = DatabaseConfig.defaults("RID1COPY", dir.resolve("copy/rid1copy").toString());
        Restore.fromDirectory(backup, null, copy, FileStorageIo.INSTANCE, Backup.Progress.NONE);
        try (Instance i = TestInstances.with(copy); Connection a = admin(i, "RID1COPY")) {
            assertEquals(before, rows(a, "SELECT ROWID || '|' || name || '|' || bal FROM account ORDER BY ROWID"), "restored");
        }
    }

    @Test
    void aRowIdFindsItsRowOnlyAndATextThatIsNoRowIdIsAnError() {
        try (Instance i = TestInstances.one("RID2"); Connection a = admin(i, "RID2")) {
            a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            a.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)");
            a.execute("INSERT INTO t VALUES (1), (2), (3)");
            a.execute("INSERT INTO u VALUES (1), (2), (3)");
            String t2 = rows(a, "SELECT ROWID FROM t WHERE id = 2").getFirst(), u2 = rows(a, "SELECT ROWID FROM u WHERE id = 2").getFirst();
            assertNotEquals(t2, u2, "two tables' rows at the same place have different ROWIDs");
            assertEquals(t2.substring(8), u2.substring(8), "(the same place)");
            PreparedStatement byRowId = a.prepare("SELECT id FROM t WHERE ROWID = ?");
            assertEquals(List.of("2"), TestInstances.rows(a.execute(byRowId, t2)));
            assertEquals(List.of("2"), TestInstances.rows(a.execute(byRowId, t2.toLowerCase() + "  ")), "any case, blanks after it");
            assertEquals(List.of(), TestInstances.rows(a.execute(byRowId, u2)), "another table's ROWID names none of t's rows");
            assertEquals(List.of(), TestInstances.rows(a.execute(byRowId, (Object) null)));
            assertEquals(List.of(), TestInstances.rows(a.execute(byRowId, t2.substring(0, 8) + "00000FFFFF")), "a place t does not have");
            for (Object bad : new Object[] {"12", t2 + "0", "G" + t2.substring(1), 2L}) {
                HourglassException e = assertThrows(HourglassException.class, () -> a.execute(byRowId, bad));
                assertEquals(90003, e.number(), String.valueOf(bad));
                assertTrue(e.getMessage().contains("is not a ROWID"), e.getMessage());
            }
            assertEquals(List.of("ROWID LOOKUP ON ADMIN.T"), rows(a, "EXPLAIN SELECT id FROM t WHERE ROWID = ?", t2));
            a.execute("DELETE FROM t WHERE ROWID = ?", t2);
            assertEquals(List.of("1", "3"), rows(a, "SELECT id FROM t ORDER BY id"));
            assertEquals(List.of(), TestInstances.rows(a.execute(byRowId, t2)), "a deleted row's ROWID finds nothing");
        }
    }

    /** UPDATE ... WHERE ROWID = ? from many connections: each finds its row by ROWID, locks it, reads it again; nothing is lost. */
    @Test
    void concurrentIncrementsOfRowsFoundByRowIdLoseNothing() throws Exception {
        try (Instance i = TestInstances.one("RID3"); Connection a = admin(i, "RID3")) {
            a.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER)");
            a.execute("INSERT INTO counters VALUES (1, 0), (2, 0)");
            List<String> rowIds = rows(a, "SELECT ROWID FROM counters ORDER BY id");
            int threads = 4, each = 250;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<CompletableFuture<Void>> done = new ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    int worker = w;
                    done.add(CompletableFuture.runAsync(() -> {
                        try (Connection c = admin(i, "RID3")) {
                            PreparedStatement inc = c.prepare("UPDATE counters SET n = n + 1 WHERE ROWID = ?");
                            for (int k = 0; k < each; k++) assertEquals(1, c.execute(inc, rowIds.get((worker + k) % 2)).updateCount());
                        }
                    }, pool));
                }
                CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of("1|500", "2|500"), rows(a, "SELECT id, n FROM counters ORDER BY id"));
        }
    }
}
