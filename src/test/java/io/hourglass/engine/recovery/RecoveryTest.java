package io.hourglass.engine.recovery;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.LogFiles;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogReader;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.sql.StatementResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery from real log files: what committed comes back, with its schema, users and indexes. */
class RecoveryTest {
    @TempDir
    Path dir;

    private DatabaseConfig config() {
        return DatabaseConfig.defaults("REC", dir.resolve("rec").toString()).withLog(8, 1);
    }

    private Instance open() { return new Instance(TestInstances.ADMIN_PASSWORD, List.of(config())); }

    private static Connection admin(Instance i) { return i.connect("REC", "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql) {
        List<String> out = new ArrayList<>();
        StatementResult r = c.execute(sql);
        for (Object[] row : r.rows()) {
            StringBuilder sb = new StringBuilder();
            for (Object v : row) sb.append(sb.isEmpty() ? "" : "|").append(io.hourglass.engine.catalog.Values.toText(v).stripTrailing());
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void everyKindOfChangeSurvivesARestart() {
        try (Instance i = open(); Connection c = admin(i)) {
            assertTrue(Files.exists(dir.resolve("rec.log0")), "log file <name>.log0 in the DataStore's directory");
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(10) DEFAULT 'dflt', n NUMBER(6,2), d DATE)");
            c.execute("CREATE HASH INDEX t_v ON t (v)");
            c.execute("INSERT INTO t VALUES (1, 'a', 1.5, DATE '2024-01-01'), (2, 'b', 2.5, NULL), (3, 'c', NULL, NULL)");
            c.execute("INSERT INTO t (id) VALUES (4)");
            c.execute("UPDATE t SET v = 'bb', n = n * 2 WHERE id = 2");
            c.execute("DELETE FROM t WHERE id = 3");
            c.setAutocommit(false);
            c.execute("INSERT INTO t VALUES (9, 'rolled', 0, NULL)");
            c.rollback();
            c.execute("INSERT INTO t VALUES (5, 'e', 5, NULL)");
            c.execute("DELETE FROM t WHERE id = 5");
            c.execute("INSERT INTO t VALUES (5, 'e2', 5, NULL)");
            c.commit();
            c.setAutocommit(true);
            c.execute("CREATE USER u IDENTIFIED BY upw");
            c.execute("GRANT SELECT ON t TO u");
            c.execute("CREATE TABLE gone (x INTEGER)");
            c.execute("INSERT INTO gone VALUES (1)");
            c.execute("DROP TABLE gone");
            c.execute("CREATE TABLE gone (y VARCHAR2(3))");
            c.execute("INSERT INTO gone VALUES ('new')");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            var report = i.database("REC").recovery();
            assertFalse(report.neededAfterCrash(), "closed cleanly: no TT20100");
            assertEquals(List.of("1|a|1.5|2024-01-01 00:00:00", "2|bb|5|NULL", "4|dflt|NULL|NULL", "5|e2|5|NULL"),
                    rows(c, "SELECT id, v, n, d FROM t ORDER BY id"));
            assertEquals(List.of("HASH INDEX LOOKUP ADMIN.T_V ON ADMIN.T"), rows(c, "EXPLAIN SELECT id FROM t WHERE v = 'bb'"));
            assertEquals(List.of("2"), rows(c, "SELECT id FROM t WHERE v = 'bb'"), "the index was rebuilt");
            assertEquals(List.of("new"), rows(c, "SELECT y FROM gone"));
            assertEquals(907, assertThrows(HourglassException.class, () -> c.execute("INSERT INTO t (id) VALUES (1)")).number());
            try (Connection u = i.connect("REC", "u", "upw")) {
                assertEquals(4, u.execute("SELECT * FROM admin.t").rows().size());
            }
            // New work after recovery continues the log and the row ids.
            c.execute("INSERT INTO t VALUES (6, 'f', 6, NULL)");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("1", "2", "4", "5", "6"), rows(c, "SELECT id FROM t ORDER BY id"));
        }
    }

    /**
     * A view is in the log (replayed after a crash, a replaced one with its last definition) and in a checkpoint (loaded
     * from it), with its column names and grants.
     */
    @Test
    void viewsComeBackFromTheLogAndFromACheckpoint() {
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
        c.execute("CREATE VIEW big (id, value) AS SELECT id, v FROM t WHERE v > 25");
        c.execute("CREATE OR REPLACE VIEW big (id, value) AS SELECT id, v FROM t WHERE v > 15"); // replayed as a replace
        c.execute("CREATE VIEW gone AS SELECT id FROM t");
        c.execute("DROP VIEW gone");
        c.execute("CREATE USER reader IDENTIFIED BY readerpw");
        c.execute("GRANT SELECT ON big TO reader");
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(List.of("2|20", "3|30"), rows(d, "SELECT id, value FROM big ORDER BY id"));
            assertEquals(2206, assertThrows(HourglassException.class, () -> d.execute("SELECT * FROM gone")).number());
            d.execute("CREATE VIEW later AS SELECT COUNT(*) AS n FROM big");
        } // a clean close: its unload checkpoint holds the views, and the next load starts from it
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(List.of("2"), rows(d, "SELECT n FROM later"));
            assertEquals(List.of("2|20", "3|30"), rows(d, "SELECT id, value FROM big ORDER BY id"));
            try (Connection r = i.connect("REC", "reader", "readerpw")) {
                assertEquals(List.of("2"), rows(r, "SELECT COUNT(*) FROM admin.big"), "the grant on the view came back too");
            }
        }
    }

    /**
     * Foreign keys (and CHECK constraints) are in the log (replayed after a crash: declared with the table, added and
     * dropped by ALTER TABLE) and in a checkpoint, where a child made before its parent must
     * still load; once back, they are enforced, cascades included, and their indexes serve.
     */
    @Test
    void foreignKeysAndChecksComeBackFromTheLogAndFromACheckpoint() {
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        c.execute("CREATE TABLE early (id INTEGER PRIMARY KEY, late_id INTEGER)"); // its parent comes later
        c.execute("CREATE TABLE late (id INTEGER PRIMARY KEY, up INTEGER REFERENCES late ON DELETE CASCADE)");
        c.execute("INSERT INTO late VALUES (1, NULL), (2, 1), (3, 2)");
        c.execute("INSERT INTO early VALUES (10, 3)");
        c.execute("ALTER TABLE early ADD CONSTRAINT early_late FOREIGN KEY (late_id) REFERENCES late");
        c.execute("CREATE TABLE other (x INTEGER REFERENCES late)");
        c.execute("ALTER TABLE other DROP CONSTRAINT other_fk1");
        c.execute("INSERT INTO other VALUES (99)");
        c.execute("CREATE TABLE chk (x INTEGER CONSTRAINT positive CHECK (x > 0), y INTEGER, CHECK (y IS NULL OR y < x))");
        c.execute("ALTER TABLE chk ADD CONSTRAINT small CHECK (x < 100)");
        c.execute("ALTER TABLE chk DROP CONSTRAINT positive");
        c.execute("CREATE TABLE p3 (id INTEGER PRIMARY KEY)");
        c.execute("CREATE TABLE c3 (pid INTEGER REFERENCES p3)");
        c.execute("DROP TABLE p3 CASCADE CONSTRAINTS");
        c.execute("CREATE TABLE sn (id INTEGER PRIMARY KEY, lid INTEGER REFERENCES late ON DELETE SET NULL)");
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            assertForeignKeysHold(d);
        } // a clean close: the unload checkpoint holds them, and the next load starts from it
        try (Instance i = open(); Connection d = admin(i)) {
            assertForeignKeysHold(d);
            d.execute("DELETE FROM early");
            d.execute("DELETE FROM late WHERE id = 2"); // cascades to 3
            assertEquals(List.of("1"), rows(d, "SELECT id FROM late"));
        }
    }

    private static void assertForeignKeysHold(Connection d) {
        assertEquals(3001, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO early VALUES (11, 7)")).number());
        assertEquals(3001, assertThrows(HourglassException.class, () -> d.execute("DELETE FROM late WHERE id = 3")).number());
        assertEquals(3001, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO late VALUES (4, 8)")).number());
        assertEquals(3003, assertThrows(HourglassException.class, () -> d.execute("DROP TABLE late")).number());
        d.execute("INSERT INTO other VALUES (100)"); // its constraint was dropped
        assertEquals(List.of("RANGE INDEX LOOKUP ADMIN.EARLY_LATE ON ADMIN.EARLY"), rows(d, "EXPLAIN SELECT id FROM early WHERE late_id = 3"));
        assertEquals(List.of("10"), rows(d, "SELECT id FROM early WHERE late_id = 3"), "the constraint's index was rebuilt");
        d.execute("DELETE FROM other WHERE x = 100");
        assertEquals(90045, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO chk VALUES (200, NULL)")).number());
        assertEquals(90045, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO chk VALUES (5, 7)")).number());
        d.execute("INSERT INTO chk VALUES (0, NULL)"); // its constraint was dropped
        d.execute("INSERT INTO c3 VALUES (5)"); // its parent was dropped with CASCADE CONSTRAINTS
        assertEquals(List.of("SN_FK1|SET NULL"), rows(d, "SELECT constraint_name, delete_rule FROM all_constraints"
                + " WHERE table_name = 'SN' AND constraint_type = 'R'"));
        assertEquals(List.of("SMALL|x < 100", "CHK_CK1|y IS NULL OR y < x"),
                rows(d, "SELECT constraint_name, search_condition FROM all_constraints WHERE table_name = 'CHK' ORDER BY 2"));
    }

    /** Every row of the two tables the ALTER tests change, as text, and the PermSize in use once the garbage is collected. */
    private static List<String> alteredState(Instance i, Connection c) {
        List<String> out = new ArrayList<>(rows(c, "SELECT * FROM p ORDER BY id"));
        out.addAll(rows(c, "SELECT * FROM ch ORDER BY id"));
        out.addAll(rows(c, "SELECT * FROM tr ORDER BY id"));
        out.addAll(rows(c, "SELECT column_name, data_length, data_precision, data_scale, data_default FROM all_tab_columns"
                + " WHERE table_name IN ('P', 'CH') ORDER BY table_name, column_id"));
        i.database("REC").transactions().collectGarbage();
        out.add("PermSize in use " + i.database("REC").transactions().memory().used());
        return out;
    }

    /** A parent and a child changed before, by and after ALTER TABLE ADD and DROP COLUMN. */
    private static void alterTables(Connection c, int fromId) {
        c.execute("UPDATE p SET name = 'renamed ' || id WHERE id < " + (fromId + 50)); // log records of the old table
        c.execute("ALTER TABLE p ADD (score NUMBER(6,1) DEFAULT 2.5, note VARCHAR2(10))");
        c.execute("UPDATE p SET note = 'n' || id, score = score + id WHERE MOD(id, 3) = 0"); // of the new one
        c.execute("DELETE FROM p WHERE id = " + (fromId + 7)); // cascades into ch
        c.execute("ALTER TABLE p DROP COLUMN gone");
        c.execute("INSERT INTO p (id, name) VALUES (" + (fromId + 1000) + ", 'late')");
        c.execute("ALTER TABLE ch ADD y INTEGER DEFAULT 1");
        c.execute("UPDATE ch SET y = y + x WHERE MOD(id, 2) = 0");
        c.execute("TRUNCATE TABLE tr");
        c.execute("INSERT INTO tr VALUES (7, 'after the truncate')");
        c.execute("ALTER TABLE p MODIFY (name VARCHAR2(40) DEFAULT 'anon', score NUMBER(8,2))");
        c.execute("INSERT INTO p (id) VALUES (" + (fromId + 2000) + ")"); // takes the new DEFAULT
        c.execute("UPDATE p SET score = 123456.25 WHERE id = " + (fromId + 3)); // fits only the new type
        c.execute("ALTER TABLE p MODIFY (name VARCHAR2(60) NOT NULL, score NUMBER(12,2))"); // in place: the rows meet it as they are
        c.execute("UPDATE p SET name = RPAD('wide', 55, '.') WHERE id = " + (fromId + 4)); // fits only the new length
    }

    private static void createAlteredTables(Connection c) {
        c.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR2(30), gone INTEGER)");
        c.execute("CREATE TABLE ch (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p ON DELETE CASCADE, x INTEGER CHECK (x > 0))");
        c.execute("CREATE INDEX p_name ON p (name)");
        c.execute("CREATE TABLE tr (id INTEGER PRIMARY KEY, s VARCHAR2(30))");
        c.setAutocommit(false);
        for (int k = 0; k < 200; k++) {
            c.execute("INSERT INTO tr VALUES (?, 'before')", k);
            c.execute("INSERT INTO p VALUES (?, ?, ?)", k, "name " + k, k * 3);
            c.execute("INSERT INTO ch VALUES (?, ?, ?)", k, k, k + 1);
        }
        c.commit().toCompletableFuture().join();
        c.setAutocommit(true);
        c.setDurableCommits(true); // what a crash must not lose
    }

    private static void assertAlteredTablesWork(Connection d) {
        assertEquals(3001, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO ch (id, pid, x) VALUES (900, 9999, 1)")).number());
        assertEquals(90045, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO ch (id, pid, x) VALUES (900, 1, 0)")).number());
        assertEquals(List.of("RANGE INDEX LOOKUP ADMIN.P_NAME ON ADMIN.P"), rows(d, "EXPLAIN SELECT id FROM p WHERE name = 'late'"));
        assertEquals(List.of("1000"), rows(d, "SELECT id FROM p WHERE name = 'late'"));
        assertEquals(List.of("VARCHAR2|60|N", "NUMBER|12|Y"), rows(d, "SELECT data_type, COALESCE(data_length, data_precision), nullable"
                + " FROM all_tab_columns WHERE table_name = 'P' AND column_name IN ('NAME', 'SCORE') ORDER BY column_id"));
        assertEquals(90001, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO p (id, name) VALUES (-5, NULL)")).number());
        assertEquals(907, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO tr VALUES (7, 'dup')")).number());
        d.execute("DELETE FROM p WHERE id = 1");
        assertEquals(List.of("0"), rows(d, "SELECT COUNT(*) FROM ch WHERE pid = 1"), "the cascade still runs");
    }

    @Test
    void alteredTablesComeBackFromTheLogAndFromACheckpoint() {
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        createAlteredTables(c);
        alterTables(c, 0);
        List<String> expected = alteredState(dying.instance(), c);
        assertTrue(expected.contains("9|renamed 9|11.5|n9"), expected.toString());
        assertTrue(expected.contains("8|8|9|10"), expected.toString());
        assertTrue(expected.contains("2000|anon|2.5|NULL") && expected.contains("3|renamed 3|123456.25|n3")
                && expected.contains("SCORE|NULL|12|2|2.5") && expected.contains("NAME|60|NULL|NULL|'anon'"), expected.toString());
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(expected, alteredState(i, d), "from the log");
        } // a clean close: the unload checkpoint holds the new tables
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(expected, alteredState(i, d), "from the checkpoint");
            assertAlteredTablesWork(d);
        }
    }

    /**
     * A fuzzy checkpoint fixes its catalog and tables, then the ALTERs run while it writes the
     * old tables' blocks: recovery loads the old tables from it and replays the ALTERs and what
     * followed them from the log.
     */
    @Test
    void aFuzzyCheckpointWritingWhileTheTablesAreAlteredRecoversTheNewTables() throws Exception {
        Crashable dying = Crashable.open(config().withCheckpoints(0, 0, 0));
        Connection c = admin(dying.instance());
        Connection other = admin(dying.instance());
        createAlteredTables(c);
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        dying.io().beforeSync = file -> {
            // the "writing" header's sync: the catalog and tables are fixed, no block is read yet
            if (file.getFileName().toString().matches(".*\\.ds[01]") && held.compareAndSet(false, true)) {
                writing.countDown();
                try {
                    go.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        java.util.concurrent.CompletableFuture<Void> ckpt = java.util.concurrent.CompletableFuture.runAsync(
                () -> other.execute("CALL ttCkpt()"), java.util.concurrent.Executors.newSingleThreadExecutor());
        assertTrue(writing.await(30, java.util.concurrent.TimeUnit.SECONDS));
        alterTables(c, 0);
        go.countDown();
        ckpt.get(30, java.util.concurrent.TimeUnit.SECONDS);
        c.execute("UPDATE p SET score = -1 WHERE id = 3");
        List<String> expected = alteredState(dying.instance(), c);
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(1, i.database("REC").recovery().checkpoint().checkpointId(), "recovery started from that checkpoint");
            assertEquals(expected, alteredState(i, d));
            assertAlteredTablesWork(d);
        }
    }

    @Test
    void aCrashWithoutCloseRecoversDurableCommitsAndSaysSo() {
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setDurableCommits(true);
        for (int k = 0; k < 50; k++) c.execute("INSERT INTO t VALUES (?, ?)", k, k * k);
        c.setAutocommit(false);
        c.execute("UPDATE t SET v = -1"); // never committed
        dying.kill(); // no close: the instance dies as a crash would leave it
        try (Instance i = open(); Connection d = admin(i)) {
            assertTrue(i.database("REC").recovery().neededAfterCrash(), "TT20100: not shut down cleanly");
            assertEquals(List.of("50|40425"), rows(d, "SELECT COUNT(*), SUM(v) FROM t"));
        }
    }

    @Test
    void ttDurableCommitWaitsAndTheLogIsHeldUntilACheckpointExists() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER)");
            c.setAutocommit(false);
            c.execute("INSERT INTO t VALUES (1)");
            c.execute("CALL ttDurableCommit()");
            c.commit().toCompletableFuture().join();
            assertTrue(i.database("REC").log().syncedLsn() >= i.database("REC").log().appendedLsn());
            assertEquals(List.of("0|64|Checkpoint|no complete checkpoint yet: recovery may need the log from its start"),
                    rows(c, "CALL ttLogHolds()"));
        }
    }

    @Test
    void theLogSpansFilesAndRecoversAcrossThem() {
        String pad = "p".repeat(2000);
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, pad VARCHAR2(2000))");
            for (int k = 0; k < 9000; k++) c.execute("INSERT INTO big VALUES (?, ?)", k, pad);
            c.execute("UPDATE big SET pad = 'short' WHERE id < 100");
        }
        assertTrue(Files.exists(dir.resolve("rec.log2")), "18 MB of records in 8 MB files");
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("9000|100"), rows(c, "SELECT COUNT(*), SUM(CASE WHEN pad = 'short' THEN 1 ELSE 0 END) FROM big"));
        }
    }

    @Test
    void recordsAcrossTheReadersChunksAndOneLongerThanAChunkAreRecovered() {
        String big = "x".repeat(3 << 20) + "end"; // one record of 3 MB: longer than the 1 MB the reader reads at once
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad VARCHAR2(4000000))");
        c.setDurableCommits(true);
        for (int k = 0; k < 1500; k++) c.execute("INSERT INTO t VALUES (?, ?)", k, "p".repeat(1000 + k)); // 3.7 MB of records
        c.execute("INSERT INTO t VALUES (?, ?)", 5000, big);
        c.execute("INSERT INTO t VALUES (?, ?)", 5001, "after");
        dying.kill(); // recovery replays the log (no checkpoint), read chunk by chunk
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(null, i.database("REC").recovery().log().tornTail());
            assertEquals(List.of("1502"), rows(d, "SELECT COUNT(*) FROM t"));
            assertEquals(List.of("1999"), rows(d, "SELECT LENGTH(pad) FROM t WHERE id = 999"));
            assertEquals(List.of(String.valueOf(big.length())), rows(d, "SELECT LENGTH(pad) FROM t WHERE id = 5000"));
            assertEquals(big, d.execute("SELECT pad FROM t WHERE id = 5000").rows().getFirst()[0]);
            assertEquals(List.of("after"), rows(d, "SELECT pad FROM t WHERE id = 5001"));
        }
    }

    @Test
    void bytesFarPastTheLogsEndAreATornTail() throws Exception {
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
        c.setDurableCommits(true);
        for (int k = 0; k < 10; k++) c.execute("INSERT INTO t VALUES (?)", k);
        dying.kill();
        // A write from beyond the end (later pages reached the disk, an earlier one did not),
        // megabytes past the last record: the reader must still look there.
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("rec.log0"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 6L << 20);
        }
        try (Instance i = open(); Connection d = admin(i)) {
            assertTrue(i.database("REC").recovery().log().tornTail() != null, "data after the end is reported (TT0744)");
            assertEquals(List.of("10"), rows(d, "SELECT COUNT(*) FROM t"));
        }
    }

    @Test
    void afterACrashTheLogGoesOnInTheNextFileAndAfterACleanCloseRightAfterIt() {
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setDurableCommits(true);
        for (int k = 0; k < 10; k++) c.execute("INSERT INTO t VALUES (?, 0)", k);
        assertEquals(0, Lsn.of(dying.instance().database("REC").log().appendedLsn()).file());
        dying.kill();
        long cleanEnd;
        try (Instance i = open(); Connection d = admin(i)) {
            assertTrue(i.database("REC").recovery().log().staleAfterEnd());
            // Log file 0 may hold writes of the crashed run past its end: it is closed there with
            // an END_OF_FILE record, and the log goes on in file 1.
            assertEquals(Lsn.pack(1, LogFormat.FILE_HEADER), i.database("REC").log().appendedLsn());
            for (int k = 10; k < 20; k++) d.execute("INSERT INTO t VALUES (?, 1)", k);
            cleanEnd = i.database("REC").log().appendedLsn();
        }
        try (Instance i = open(); Connection d = admin(i)) {
            assertFalse(i.database("REC").recovery().log().staleAfterEnd(), "nothing followed the SHUTDOWN");
            long at = i.database("REC").log().appendedLsn();
            assertEquals(1, Lsn.of(at).file(), "after a clean close the log goes on where it was");
            assertTrue(at > cleanEnd && at - cleanEnd <= 2 * 64, "after the SHUTDOWN (and its checkpoint's records) and an OPENED record");
            assertEquals(List.of("20|10"), rows(d, "SELECT COUNT(*), SUM(v) FROM t"));
        }
    }

    /**
     * A crash can leave records of the end's file past the end (later writes reached the disk, an
     * earlier one did not). New records must never be written where they could line up with
     * those and make them look valid: here the next run's only transaction is exactly as long as
     * the lost one, so in place, the crashed run's later transactions would follow it.
     */
    @Test
    void recordsPastTheEndOfACrashedRunNeverComeBackAfterTheNextRunsRecords() throws Exception {
        Crashable first = Crashable.open(config());
        Connection c = admin(first.instance());
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setDurableCommits(true);
        for (int k = 0; k < 10; k++) c.execute("INSERT INTO t VALUES (?, 0)", k);
        first.kill();
        // The write of the sixth row's transaction "never reached the disk": its length is zero.
        LogFiles files = new LogFiles(new FileStorageIo(), dir, "rec", 8L << 20);
        List<Long> inserts = new ArrayList<>();
        LogReader.read(files, r -> {
            if (r instanceof LogRecord.RowImage ri && ri.insert()) inserts.add(r.lsn());
        });
        Lsn lost = Lsn.of(inserts.get(5));
        try (var ch = java.nio.channels.FileChannel.open(files.path(lost.file()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(4), lost.offset());
        }

        Crashable second = Crashable.open(config());
        Connection d = admin(second.instance());
        assertTrue(second.instance().database("REC").recovery().log().tornTail() != null, "the records after the gap are reported");
        assertEquals(List.of("5"), rows(d, "SELECT COUNT(*) FROM t"));
        d.setDurableCommits(true);
        d.execute("INSERT INTO t VALUES (100, 0)"); // as long as the lost transaction
        second.kill();

        try (Instance i = open(); Connection e = admin(i)) {
            assertEquals(List.of("0", "1", "2", "3", "4", "100"), rows(e, "SELECT id FROM t ORDER BY id"));
        }
    }

    /** Checkpoints purge log files into spares, later files are made from them, and a crash recovers across them. */
    @Test
    void aLogRunningThroughRecycledFilesRecoversAfterACrash() {
        Crashable dying = Crashable.open(config());
        Connection c = admin(dying.instance());
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, pad VARCHAR2(2000))");
        for (int k = 0; k < 1000; k++) c.execute("INSERT INTO t VALUES (?, 0, ?)", k, "p".repeat(2000));
        var update = c.prepare("UPDATE t SET n = n + 1 WHERE id = ?");
        var log = dying.instance().database("REC").log();
        int rounds = 0;
        while (log.files().reused() < 2 && rounds < 40) { // about 2 MB of log a round, 8 MB log files
            for (int k = 0; k < 1000; k++) c.execute(update, k);
            c.execute("CALL ttCkpt()"); // purges what both checkpoint files hold
            rounds++;
        }
        assertTrue(log.files().reused() >= 2, "log files made from spares: " + log.files().reused() + " in " + rounds + " rounds, "
                + log.files().made() + " made new; " + java.util.Arrays.toString(dir.toFile().list()));
        c.setDurableCommits(true);
        c.execute("UPDATE t SET n = n + 1000 WHERE id = 7");
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(null, i.database("REC").recovery().log().tornTail(), "the recycled files' old records are no torn tail");
            assertEquals(List.of("1000|" + (1000L * rounds + 1000)), rows(d, "SELECT COUNT(*), SUM(n) FROM t"));
            assertEquals(List.of(String.valueOf(rounds + 1000)), rows(d, "SELECT n FROM t WHERE id = 7"));
        }
    }

    @Test
    void oneLargeIndexIsRebuiltInPartsByTheRecoveryThreads() {
        int n = 200_000; // split into three parts of about 67,000 row ids
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        // A hash primary key is built in parts; the range index t_w in one sorted pass.
        c.execute("CREATE TABLE t (id INTEGER NOT NULL, v VARCHAR2(20), w INTEGER, PRIMARY KEY (id)) UNIQUE HASH ON (id) PAGES = 800");
        c.execute("CREATE INDEX t_w ON t (w)");
        c.setAutocommit(false);
        var ins = c.prepare("INSERT INTO t VALUES (?, ?, ?)");
        for (int k = 0; k < n; k++) {
            c.execute(ins, k, "v" + k, k % 1000);
            if (k % 20_000 == 19_999) c.commit();
        }
        c.commit();
        c.setAutocommit(true);
        c.setDurableCommits(true); // its sync covers the commits before it: the log holds them all before the "crash"
        c.execute("DELETE FROM t WHERE id BETWEEN 66000 AND 68000"); // holes around a part's boundary
        dying.kill();
        DatabaseConfig three = config().withRecoveryThreads(3);
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(three)); Connection d = admin(i)) {
            var t = i.database("REC").catalog().tables().stream().filter(x -> x.name().equals("T")).findFirst().orElseThrow();
            var pk = t.indexes().stream().filter(x -> x.constraint()).findFirst().orElseThrow();
            assertEquals(n - 2001, pk.index().keyCount(), "the primary key holds every row");
            for (int k : new int[] {0, 1, 65_999, 68_001, 133_332, 133_333, 133_334, n - 1}) {
                assertEquals(List.of("v" + k), rows(d, "SELECT v FROM t WHERE id = " + k), "row " + k + " by its key");
            }
            assertEquals(List.of("198"), rows(d, "SELECT COUNT(*) FROM t WHERE w = 7"));
        }
    }

    @Test
    void rangeIndexesComeBackInKeyOrderWhateverOrderTheirRowsWereWritten() {
        int n = 5_000;
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, g INTEGER, note VARCHAR2(10))");
            c.execute("CREATE INDEX r_g ON r (g)");
            c.setAutocommit(false);
            for (int k = 0; k < n; k++) c.execute("INSERT INTO r VALUES (?, ?, ?)", k * 7919 % n, k % 7, "n" + k); // ids out of row order
            c.commit();
            c.setAutocommit(true);
            c.execute("CALL ttCkptBlocking()"); // most rows come from the image, the rest from the log
            c.execute("DELETE FROM r WHERE id BETWEEN 100 AND 104");
            c.execute("UPDATE r SET g = 99 WHERE id = 4000");
            c.execute("INSERT INTO r VALUES (-1, 3, 'last')");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("RANGE INDEX SCAN ADMIN.R_G ON ADMIN.R (0 equal, low bound, high bound)"), rows(c, "EXPLAIN SELECT id FROM r WHERE g BETWEEN 2 AND 3"));
            assertEquals(List.of("-1", "0", "1", "2"), rows(c, "SELECT id FROM r WHERE id < 3 ORDER BY id"));
            assertEquals(List.of("98", "99", "105", "106"), rows(c, "SELECT id FROM r WHERE id BETWEEN 98 AND 106 ORDER BY id"));
            assertEquals(List.of(String.valueOf(n - 5 + 1)), rows(c, "SELECT COUNT(*) FROM r"));
            // g = 3: the rows k % 7 == 3, less those deleted or moved to 99, plus the row -1.
            long threes = 1 + java.util.stream.IntStream.range(0, n)
                    .filter(k -> k % 7 == 3 && !(k * 7919 % n >= 100 && k * 7919 % n <= 104) && k * 7919 % n != 4000).count();
            assertEquals(List.of(String.valueOf(threes)), rows(c, "SELECT COUNT(*) FROM r WHERE g = 3"), "through the non-unique range index");
            assertEquals(List.of("4000"), rows(c, "SELECT id FROM r WHERE g = 99"));
            assertEquals(907, assertThrows(HourglassException.class, () -> c.execute("INSERT INTO r VALUES (42, 0, 'dup')")).number());
            c.execute("INSERT INTO r VALUES (102, 5, 'again')"); // a deleted key is free again
            assertEquals(List.of("102|again"), rows(c, "SELECT id, note FROM r WHERE id BETWEEN 101 AND 103 ORDER BY id"));
        }
    }

    @Test
    void theOrderOfSeveralIntegerColumnsIsTheKeysOrderNullsFirstAndStable() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int n : new int[] {0, 1, 2, 33, 2000}) {
            long[][] values = new long[2][n];
            boolean[][] nulls = new boolean[2][n];
            io.hourglass.engine.store.Key[] keys = new io.hourglass.engine.store.Key[n];
            for (int i = 0; i < n; i++) {
                Object[] v = new Object[2];
                for (int c = 0; c < 2; c++) {
                    if (r.nextInt(5) == 0) {
                        nulls[c][i] = true;
                    } else {
                        values[c][i] = r.nextInt(-3, 3);
                        v[c] = values[c][i];
                    }
                }
                keys[i] = new io.hourglass.engine.store.Key(v);
            }
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) expected[i] = i;
            java.util.Arrays.sort(expected, (x, y) -> keys[x].compareTo(keys[y])); // stable
            int[] order = Recovery.sortedOrder(values, nulls, n);
            for (int i = 0; i < n; i++) assertEquals((int) expected[i], order[i], "n=" + n + " at " + i);
        }
    }

    @Test
    void theStringKeyOrderIsTheComparisonsOrderStable() {
        // Shared prefixes longer and shorter than the sort words, prefixes of one another,
        // trailing blanks (ignored by comparisons), empty strings, U+0000 (which a sort word
        // cannot tell from a string's end), units past Latin-1 and surrogates, duplicates, and
        // values that differ only past the sort words ("mixed": a varying start, then a long
        // shared middle): the order must be a stable sort by Values.compare.
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        String[] prefixes = {"", "a", "account ", "account 12", "mixed"};
        char[] alphabet = {' ', 'a', 'b', 'z', '0', '9', '\u0000', '\u00e9', '\u20ac', '\uffff', '\ud83d', '\ude00'};
        for (int n : new int[] {0, 1, 2, 33, 2000}) {
            for (String prefix : prefixes) {
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    if (i > 0 && r.nextInt(6) == 0) {
                        values[i] = values[r.nextInt(i)] + (r.nextBoolean() ? "" : "  "); // equal, maybe with more blanks
                        continue;
                    }
                    StringBuilder b = new StringBuilder(!prefix.equals("mixed") ? prefix
                            : (r.nextBoolean() ? "a" : "b") + (r.nextBoolean() ? "0123456789ab" : ""));
                    int len = r.nextInt(10);
                    for (int k = 0; k < len; k++) b.append(alphabet[r.nextInt(alphabet.length)]);
                    values[i] = b.toString();
                }
                Integer[] expected = new Integer[n];
                for (int i = 0; i < n; i++) expected[i] = i;
                java.util.Arrays.sort(expected, (x, y) -> io.hourglass.engine.catalog.Values.compare(values[x], values[y])); // stable
                int[] order = Recovery.stringOrder(values, n);
                for (int i = 0; i < n; i++) {
                    assertEquals((int) expected[i], order[i], "prefix '" + prefix + "' n=" + n + " at " + i + ": "
                            + values[expected[i]] + " / " + values[order[i]]);
                }
                // Out of order only past the sort words of the one pair that is: no one pass.
                assertEquals(List.of(0, 2, 1), java.util.Arrays.stream(Recovery.stringOrder(
                        new String[] {"a", "a0123456789abZ", "a0123456789abY"}, 3)).boxed().toList());
                // Already in order (the one-pass case): every position stays where it is.
                String[] inOrder = new String[n];
                for (int i = 0; i < n; i++) inOrder[i] = values[expected[i]];
                int[] same = Recovery.stringOrder(inOrder, n);
                for (int i = 0; i < n; i++) assertEquals(i, same[i], "in order, n=" + n + " at " + i);
            }
        }
    }

    @Test
    void theKeyOrderOfAnyColumnKindsIsTheKeysOrderNullsFirstAndStable() {
        // Values whose sort words tie while the values differ: NUMBERs one double apart or
        // equal at another scale, timestamps within a second, strings past their words, bytes
        // past eight; and -0.0 against 0.0, years 9999 and -4712, NULLs, duplicates.
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        TypeKind[] kinds = {TypeKind.VARCHAR, TypeKind.NUMBER, TypeKind.DOUBLE, TypeKind.TIMESTAMP, TypeKind.VARBINARY, TypeKind.INTEGER};
        java.util.function.Supplier<Object>[] make = new java.util.function.Supplier[] {
            // (Strings tied on their first word that differ in the second, at its first unit and
            // against the next one's order, and at its top unit past 0x7FFF.)
            () -> new String[] {"", "a", "ab", "ab ", "ab\u0000", "abcdefgh", "abcdefghij", "abcdefghik", "\u20ac", "\uffff",
                    "abcdZa", "abcdAb", "abcd\uffff", "abcd\u20acz"}[r.nextInt(14)],
            () -> new java.math.BigDecimal[] {new java.math.BigDecimal("0.1"), new java.math.BigDecimal("0.10000000000000001"),
                    new java.math.BigDecimal("1.0"), new java.math.BigDecimal("1.00"), new java.math.BigDecimal("-5"),
                    new java.math.BigDecimal("1e400"), new java.math.BigDecimal("2e400")}[r.nextInt(7)],
            () -> new Double[] {-0.0, 0.0, 1.5, -1.5, 1e300, -1e300, 1e-300}[r.nextInt(7)],
            () -> java.time.LocalDateTime.of(new int[] {-4712, 1970, 9999}[r.nextInt(3)], 1, 1, 0, 0, r.nextInt(2), r.nextInt(3) * 100),
            () -> new io.hourglass.engine.store.Bytes(new byte[][] {{}, {0}, {1}, {1, 0}, {(byte) 0xFF}, {1, 2, 3, 4, 5, 6, 7, 8, 9},
                    {1, 2, 3, 4, 5, 6, 7, 8, 10}}[r.nextInt(7)]),
            () -> (long) r.nextInt(-2, 3),
        };
        for (int n : new int[] {0, 1, 2, 33, 2000}) {
            for (int[] cols : new int[][] {{0}, {1}, {2}, {3}, {4}, {0, 1}, {3, 5}, {5, 0, 4}, {1, 2}}) {
                Object[][] values = new Object[cols.length][n];
                TypeKind[] colKinds = new TypeKind[cols.length];
                io.hourglass.engine.store.Key[] keys = new io.hourglass.engine.store.Key[n];
                for (int c = 0; c < cols.length; c++) colKinds[c] = kinds[cols[c]];
                for (int i = 0; i < n; i++) {
                    Object[] v = new Object[cols.length];
                    for (int c = 0; c < cols.length; c++) v[c] = values[c][i] = r.nextInt(6) == 0 ? null : make[cols[c]].get();
                    keys[i] = new io.hourglass.engine.store.Key(v);
                }
                Integer[] expected = new Integer[n];
                for (int i = 0; i < n; i++) expected[i] = i;
                java.util.Arrays.sort(expected, (x, y) -> keys[x].compareTo(keys[y])); // stable
                int[] order = Recovery.keyOrder(values, colKinds, n);
                for (int i = 0; i < n; i++) {
                    assertEquals((int) expected[i], order[i], java.util.Arrays.toString(colKinds) + " n=" + n + " at " + i + ": "
                            + keys[expected[i]] + " / " + keys[order[i]]);
                }
            }
        }
    }

    @Test
    void rangeIndexesOfOtherKindsComeBackWhole() {
        int n = 2_000;
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE m (region VARCHAR2(10), amount NUMBER(12,2), at TIMESTAMP, id INTEGER PRIMARY KEY)");
            c.execute("CREATE INDEX m_ra ON m (region, amount)");
            c.execute("CREATE INDEX m_at ON m (at)");
            c.setAutocommit(false);
            for (int k = 0; k < n; k++) {
                c.execute("INSERT INTO m VALUES (?, ?, ?, ?)", k % 9 == 0 ? null : "r" + k % 5,
                        new java.math.BigDecimal((k * 7919 % n) + "." + k % 100), k % 11 == 0 ? null
                                : java.time.LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(k * 7919L % n).plusNanos(k % 3 * 1000), k);
            }
            c.commit();
            c.setAutocommit(true);
            c.execute("CALL ttCkptBlocking()");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of("RANGE INDEX SCAN ADMIN.M_RA ON ADMIN.M (1 equal, low bound, high bound)"),
                    rows(c, "EXPLAIN SELECT id FROM m WHERE region = 'r1' AND amount BETWEEN 10 AND 20"));
            long expected = java.util.stream.IntStream.range(0, n)
                    .filter(k -> k % 9 != 0 && k % 5 == 1 && k * 7919 % n >= 10 && (k * 7919 % n < 20 || (k * 7919 % n == 20 && k % 100 == 0)))
                    .count();
            assertEquals(List.of(String.valueOf(expected)), rows(c, "SELECT COUNT(*) FROM m WHERE region = 'r1' AND amount BETWEEN 10 AND 20"));
            assertEveryIndexHoldsEachRowOnce(i, "M", n);
        }
    }

    /** Each index of table {@code table} (of database REC) scans {@code rows} distinct rows: every row once, the NULLs too. */
    private static void assertEveryIndexHoldsEachRowOnce(Instance i, String table, int rows) {
        var t = i.database("REC").catalog().tables().stream().filter(x -> x.name().equals(table)).findFirst().orElseThrow();
        for (var ix : t.indexes()) {
            java.util.Set<Long> ids = new java.util.HashSet<>();
            ix.index().scanAll(ids::add);
            assertEquals(rows, ids.size(), ix.name() + " holds every row once, the NULLs too");
        }
    }

    @Test
    void rangeIndexesOnStringColumnsComeBackInKeyOrder() {
        int n = 3_000;
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE s (code VARCHAR2(20) PRIMARY KEY, grp CHAR(6), v INTEGER)");
            c.execute("CREATE INDEX s_grp ON s (grp)");
            c.setAutocommit(false);
            for (int k = 0; k < n; k++) {
                c.execute("INSERT INTO s VALUES (?, ?, ?)", "acct-" + (k * 7919 % n), k % 5 == 0 ? null : "g" + k % 7, k);
            }
            c.commit();
            c.setAutocommit(true);
            c.execute("CALL ttCkptBlocking()");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            List<String> codes = new java.util.ArrayList<>();
            for (int k = 0; k < n; k++) codes.add("acct-" + k);
            java.util.Collections.sort(codes);
            assertEquals(List.of("RANGE INDEX SCAN ADMIN.S ON ADMIN.S (0 equal, low bound, high bound)"),
                    rows(c, "EXPLAIN SELECT code FROM s WHERE code BETWEEN 'acct-' AND 'acct-:'"));
            List<String> scanned = rows(c, "SELECT code FROM s WHERE code BETWEEN 'acct-' AND 'acct-:'"); // ':' follows '9'
            int firstDiff = 0;
            while (firstDiff < Math.min(codes.size(), scanned.size()) && codes.get(firstDiff).equals(scanned.get(firstDiff))) firstDiff++;
            assertTrue(codes.equals(scanned), "the index scans in key order: " + scanned.size() + " rows, first difference at " + firstDiff);
            assertEquals(codes.subList(0, 5), rows(c, "SELECT code FROM s WHERE code < 'acct-1001' ORDER BY code"));
            assertEquals(List.of("acct-999"), rows(c, "SELECT code FROM s WHERE code > 'acct-998' ORDER BY code"), "the last key");
            assertEquals(List.of("RANGE INDEX SCAN ADMIN.S_GRP ON ADMIN.S (0 equal, low bound, high bound)"),
                    rows(c, "EXPLAIN SELECT v FROM s WHERE grp BETWEEN 'g2' AND 'g3'"));
            long twos = java.util.stream.IntStream.range(0, n).filter(k -> k % 5 != 0 && k % 7 == 2).count();
            assertEquals(List.of(String.valueOf(twos)), rows(c, "SELECT COUNT(*) FROM s WHERE grp = 'g2'"), "a padded CHAR through its index");
            assertEquals(List.of(String.valueOf(n / 5)), rows(c, "SELECT COUNT(*) FROM s WHERE grp IS NULL"));
            for (int k : new int[] {0, 1, 1234, n - 1}) {
                assertEquals(List.of(String.valueOf(k)), rows(c, "SELECT v FROM s WHERE code = 'acct-" + (k * 7919 % n) + "'"));
            }
            assertEquals(907, assertThrows(HourglassException.class, () -> c.execute("INSERT INTO s VALUES ('acct-42', 'x', 0)")).number());
            assertEveryIndexHoldsEachRowOnce(i, "S", n);
        }
    }

    @Test
    void theIntegerKeySortIsAStableSortOfValuesWithTheirRowIds() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int n : new int[] {0, 1, 2, 3, 17, 1000, 4097}) {
            for (String shape : List.of("random", "sorted", "reversed", "few values")) {
                long[] v = new long[n], ids = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (shape) {
                        case "sorted" -> i / 3;
                        case "reversed" -> n - i / 2;
                        case "few values" -> r.nextInt(4);
                        default -> r.nextLong();
                    };
                    ids[i] = 10L * i; // increasing, as a scan in row-id order gives them
                }
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) order[i] = i;
                long[] orig = v.clone();
                java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> orig[i])); // stable
                Recovery.sortByValue(v, ids, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(orig[order[i]], v[i], shape + " n=" + n + " at " + i);
                    assertEquals(10L * order[i], ids[i], shape + " n=" + n + " at " + i + ": row ids follow, equal values in row-id order");
                }
            }
        }
    }

    /**
     * Range indexes on one integer column are rebuilt from values read off the row images and
     * sorted as primitives: keys out of row order, duplicates and NULLs must come back as an index
     * that scans in key order and finds every row by its key.
     */
    @Test
    void aRangeIndexOnAnIntegerColumnIsRebuiltWholeAndInKeyOrder() throws Exception {
        int n = 5000;
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int k = 0; k < n; k++) ids.add(k * 7 - 9000);
        java.util.Collections.shuffle(ids, new java.util.Random(5));
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        java.util.Map<Integer, Long> vOf = new java.util.HashMap<>();
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v SMALLINT, note VARCHAR2(20), w BIGINT)"); // range primary key
            c.execute("CREATE INDEX t_v ON t (v)");
            c.execute("CREATE INDEX t_wv ON t (w, v)"); // two columns, the second past a string
            c.setAutocommit(false);
            for (int id : ids) {
                Long v = r.nextInt(10) == 0 ? null : (long) r.nextInt(-40, 40);
                Long w = r.nextInt(8) == 0 ? null : (r.nextBoolean() ? r.nextLong() : (long) r.nextInt(-3, 3));
                vOf.put(id, v);
                c.execute("INSERT INTO t VALUES (?, ?, ?, ?)", id, v, "n" + id, w);
            }
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
        } // closed with a blocking checkpoint: the load rebuilds every index from the image
        try (Instance i = open(); Connection d = admin(i)) {
            var t = i.database("REC").catalog().tables().stream().filter(x -> x.name().equals("T")).findFirst().orElseThrow();
            assertEquals(3, t.indexes().size());
            for (var ix : t.indexes()) {
                List<Long> rowIds = new ArrayList<>();
                ix.index().scanAll(rowIds::add);
                assertEquals(n, rowIds.size(), ix.name() + ": every row once");
                assertEquals(n, new java.util.HashSet<>(rowIds).size(), ix.name() + ": every row once");
                io.hourglass.engine.store.Key prev = null;
                for (long rowId : rowIds) {
                    var key = io.hourglass.engine.store.Key.of(t.codec().decode((byte[]) t.store().slot(rowId)), ix.columns());
                    assertTrue(prev == null || prev.compareTo(key) <= 0, ix.name() + ": " + prev + " then " + key);
                    prev = key;
                    List<Long> found = new ArrayList<>();
                    ix.index().lookup(key, found::add);
                    assertTrue(found.contains(rowId), ix.name() + ": row " + rowId + " found by its key " + key);
                }
            }
            for (int id : ids.subList(0, 200)) {
                assertEquals(List.of("n" + id), rows(d, "SELECT note FROM t WHERE id = " + id));
            }
            long between = vOf.values().stream().filter(v -> v != null && v >= -5 && v <= 5).count();
            assertEquals(List.of(String.valueOf(between)), rows(d, "SELECT COUNT(*) FROM t WHERE v BETWEEN -5 AND 5"));
        }
    }
}
