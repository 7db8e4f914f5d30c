package io.hourglass.engine.checkpoint;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.spi.CheckpointListener;
import io.hourglass.engine.spi.DirectReadsIo;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.spi.ForwardingStorageIo;
import io.hourglass.engine.spi.PageCache;
import io.hourglass.engine.spi.StorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints on real files: what they write, what recovery makes of them, and how they are run. */
class CheckpointTest {
    @TempDir
    Path dir;

    private DatabaseConfig config() {
        return DatabaseConfig.defaults("CK", dir.resolve("ck").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
    }

    private Instance open(DatabaseConfig cfg) { return TestInstances.with(cfg); }

    private Instance open() { return open(config()); }

    private static Connection admin(Instance i) { return i.connect("CK", "admin", TestInstances.ADMIN_PASSWORD); }

    private static List<String> rows(Connection c, String sql, Object... params) {
        List<String> out = new ArrayList<>();
        for (Object[] row : c.execute(sql, params).rows()) {
            StringBuilder sb = new StringBuilder();
            for (Object v : row) sb.append(sb.isEmpty() ? "" : "|").append(v == null ? "null" : Values.toText(v).stripTrailing());
            out.add(sb.toString());
        }
        return out;
    }

    private static String one(Connection c, String sql, Object... params) { return rows(c, sql, params).getFirst(); }

    private static List<CheckpointHistory.Entry> history(Instance i) {
        return i.database("CK").checkpointer().history().entries();
    }

    private static void fill(Connection c, int from, int to) {
        c.setAutocommit(false);
        for (int k = from; k < to; k++) c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k * 2, "row " + k);
        c.commit().toCompletableFuture().join();
        c.setAutocommit(true);
    }

    private Path ds(int n) { return dir.resolve("ck.ds" + n); }

    /** The log files (not the spares a purge keeps, {@code .log<N>.free}). */
    private List<String> logFiles() throws IOException { return files("\\.log\\d+"); }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.matches("ck" + suffix)).sorted().toList();
        }
    }

    @Test
    void recoveryStartsFromTheCheckpointAndReplaysOnlyTheLogAfterIt() {
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
        c.execute("CREATE USER app IDENTIFIED BY 'app-pw-1'");
        c.execute("GRANT SELECT ON t TO app");
        c.execute("CREATE TABLE open_to_all (id INTEGER PRIMARY KEY)");
        c.execute("GRANT SELECT ON open_to_all TO PUBLIC"); // in the checkpoint's catalog
        fill(c, 0, 1000);
        c.execute("CALL ttCkpt()");
        c.setDurableCommits(true);
        c.execute("GRANT INSERT ON open_to_all TO PUBLIC"); // in the log after it
        c.execute("UPDATE t SET v = -1 WHERE id = 7");
        c.execute("DELETE FROM t WHERE id = 8");
        c.execute("INSERT INTO t VALUES (5000, 1, 'after')");
        dying.kill();
        try (Instance i = open(); Connection d = admin(i)) {
            var report = i.database("CK").recovery();
            assertNotNull(report.checkpoint(), "recovery started from the checkpoint");
            assertEquals(4, report.transactions(), "only the grant and the three commits after the checkpoint are replayed");
            assertTrue(report.neededAfterCrash());
            assertEquals("1000|504492", one(d, "SELECT COUNT(*), SUM(id) FROM t"));
            assertEquals("-1", one(d, "SELECT v FROM t WHERE id = 7"));
            assertEquals(List.of(), rows(d, "SELECT * FROM t WHERE id = 8"));
            assertEquals("after", one(d, "SELECT note FROM t WHERE id = 5000"));
            // Users, grants and indexes came back from the checkpoint's catalog.
            try (Connection app = i.connect("CK", "app", "app-pw-1")) {
                assertEquals("1", one(app, "SELECT COUNT(*) FROM admin.t WHERE id = 5000"));
                app.execute("INSERT INTO admin.open_to_all VALUES (1)"); // PUBLIC's grants, from the checkpoint and the log
                assertEquals("1", one(app, "SELECT COUNT(*) FROM admin.open_to_all"));
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("DELETE FROM admin.open_to_all")).number());
            }
            assertTrue(one(d, "EXPLAIN SELECT * FROM t WHERE id = 3").contains("INDEX"));
            d.execute("INSERT INTO t VALUES (6000, 1, 'new')"); // ids, free slots and the log go on
            assertEquals(907, assertThrows(HourglassException.class, () -> d.execute("INSERT INTO t VALUES (7, 0, 'dup')")).number());
        }
    }

    /** The recovery checkpoint in {@code i}'s history once it has completed (waits up to 20 s), or fails. */
    private static CheckpointHistory.Entry recoveryCheckpoint(Instance i) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (CheckpointHistory.Entry e : history(i)) {
                if (e.reason().startsWith("recovery") && e.status().equals("Completed")) return e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no recovery checkpoint completed: " + history(i));
    }

    private static boolean anyRecoveryCheckpoint(Instance i) {
        return history(i).stream().anyMatch(e -> e.reason().startsWith("recovery"));
    }

    @Test
    void aLoadThatReplayedTheLogAfterACrashTakesARecoveryCheckpointSoTheNextCrashReplaysNothingOfIt() throws Exception {
        DatabaseConfig cfg = config().withCheckpoints(3600, 0, 0); // automatic checkpoints on, none due
        Crashable first = Crashable.open(cfg);
        Connection c = admin(first.instance());
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
        c.setDurableCommits(true);
        for (int k = 0; k < 20; k++) c.execute("INSERT INTO t VALUES (?, ?, 'before')", k, k);
        first.kill();

        Crashable second = Crashable.open(cfg);
        var report = second.instance().database("CK").recovery();
        assertTrue(report.neededAfterCrash());
        assertEquals(21, report.transactions(), "the table and 20 rows, all from the log");
        CheckpointHistory.Entry e = recoveryCheckpoint(second.instance());
        assertEquals("Fuzzy", e.type());
        assertEquals("Subdaemon", e.initiator());
        assertTrue(e.reason().contains("21 transaction(s) replayed"), e.reason());
        Connection d = admin(second.instance());
        d.setDurableCommits(true);
        d.execute("INSERT INTO t VALUES (100, 0, 'after')");
        second.kill(); // a crash again: one transaction since the recovery checkpoint

        try (Instance third = open(cfg); Connection x = admin(third)) {
            var again = third.database("CK").recovery();
            assertNotNull(again.checkpoint(), "recovered from the recovery checkpoint");
            assertEquals(1, again.transactions(), "only what came after the recovery checkpoint is replayed");
            assertEquals("21|1|190", one(x, "SELECT COUNT(*), SUM(CASE WHEN note = 'after' THEN 1 ELSE 0 END), SUM(v) FROM t"));
            recoveryCheckpoint(third); // it replayed a transaction after a crash: a recovery checkpoint again
        }
    }

    @Test
    void noRecoveryCheckpointAfterACleanCloseOrWithAutomaticCheckpointsOff() throws Exception {
        DatabaseConfig on = config().withCheckpoints(3600, 0, 0);
        try (Instance i = open(on); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 10);
        }
        try (Instance i = open(on)) {
            Thread.sleep(500); // the background checkpointer looks at once, then every 100 ms
            assertFalse(anyRecoveryCheckpoint(i), "a clean close left nothing to replay: " + history(i));
        }
        Crashable dying = Crashable.open(config()); // CkptFrequency and CkptLogVolume 0: off
        Connection c = admin(dying.instance());
        c.setDurableCommits(true);
        c.execute("INSERT INTO t VALUES (50, 0, 'x')");
        dying.kill();
        try (Instance i = open(config())) {
            assertEquals(1, i.database("CK").recovery().transactions());
            Thread.sleep(500);
            assertFalse(anyRecoveryCheckpoint(i), "automatic checkpoints off: " + history(i));
        }
    }

    @Test
    void afterARestartAnIncrementalCheckpointStillCountsTheRowsOfTheBlocksItLeavesAlone() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 1000); // four blocks
            c.execute("CALL ttCkpt()");
        } // the unload checkpoint writes the other file: both hold every block
        for (int round = 0; round < 2; round++) {
            try (Instance i = open(); Connection c = admin(i)) {
                assertEquals(List.of(), i.database("CK").recovery().rejected(), "both files pass every check");
                c.execute("UPDATE t SET v = -1 WHERE id = ?", round); // one block changes, three stay
                c.execute("CALL ttCkpt()");
                var newest = i.database("CK").checkpointer().newest();
                assertEquals(1000, newest.rows(), "the header counts the rows of the blocks left alone too");
            }
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals(List.of(), i.database("CK").recovery().rejected());
            assertEquals("1000", one(c, "SELECT COUNT(*) FROM t"));
        }
    }

    @Test
    void aCleanUnloadTakesABlockingCheckpointSoTheNextLoadReplaysNothing() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 300);
        }
        try (Instance i = open(); Connection c = admin(i)) {
            var report = i.database("CK").recovery();
            assertEquals(0, report.transactions());
            assertFalse(report.neededAfterCrash());
            assertTrue(report.checkpoint().consistent(), "the unload checkpoint is transaction-consistent");
            assertEquals("300", one(c, "SELECT COUNT(*) FROM t"));
            // Both files are not current yet (the older one predates the rows): a blocking
            // checkpoint writes it; then both are current and the next one does nothing.
            c.execute("CALL ttCkptBlocking()");
            int n = history(i).size();
            c.execute("CALL ttCkptBlocking()");
            assertEquals(n, history(i).size(), "nothing to do when both files are current");
            c.execute("INSERT INTO t VALUES (300, 0, 'x')");
            c.execute("CALL ttCkptBlocking()");
            assertEquals(n + 1, history(i).size());
        }
    }

    @Test
    void checkpointsAlternateFilesAndWriteOnlyTheBlocksThatChanged() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 20_000);
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()");
            c.execute("UPDATE t SET v = 0 WHERE id = 12345");
            c.execute("CALL ttCkpt()");
            List<CheckpointHistory.Entry> h = history(i); // newest first
            assertEquals(List.of(0, 1, 0), List.of(h.get(2).ckptFileNum(), h.get(1).ckptFileNum(), h.get(0).ckptFileNum()));
            CheckpointHistory.Entry full = h.get(2), incremental = h.get(0);
            assertTrue(full.blksInUse() >= 70, "20,000 rows fill " + full.blksInUse() + " blocks");
            long perBlock = full.bytesInUse() / full.blksInUse();
            // One changed block, plus the catalog and the directory, each in aligned extents.
            assertTrue(incremental.bytesWritten() < perBlock + 8 * 1024,
                    "incremental checkpoint wrote " + incremental.bytesWritten() + " bytes; a block is " + perBlock);
            assertTrue(full.bytesWritten() >= full.bytesInUse());
            assertEquals("Completed", incremental.status());
            assertEquals("Fuzzy", incremental.type());
            assertEquals("User", incremental.initiator());
        }
        // The incremental file holds the whole database, read by several threads.
        try (Instance i = open(config().withCkptReadThreads(4)); Connection c = admin(i)) {
            assertEquals("20000|0|199990000", one(c, "SELECT COUNT(*), MIN(v), SUM(id) FROM t"));
            assertEquals("row 12345", one(c, "SELECT note FROM t WHERE id = 12345"));
        }
    }

    @Test
    void aDamagedNewestFileFallsBackToTheOtherOneAndTheLog() throws IOException {
        // "catalog": a catalog whose checksums hold but which cannot be applied (every change in
        // it twice: the table exists when it comes again); the loader's readers are already
        // reading blocks then, and must be stopped before the file is closed.
        for (String damage : List.of("flip", "truncate", "header", "catalog")) {
            Path sub = dir.resolve(damage);
            DatabaseConfig cfg = DatabaseConfig.defaults("CK", sub.resolve("ck").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
            Crashable dying = Crashable.open(cfg);
            Instance crashed = dying.instance();
            Connection c = admin(crashed);
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 2000);
            c.execute("CALL ttCkpt()"); // file 0
            c.execute("UPDATE t SET v = v + 1 WHERE id < 1000");
            c.execute("CALL ttCkpt()"); // file 1, the newest
            c.execute("UPDATE t SET v = v + 1 WHERE id < 10");
            c.setDurableCommits(true);
            c.execute("INSERT INTO t VALUES (9999, 0, 'last')");
            dying.kill();
            Path newest = sub.resolve("ck.ds1");
            try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
                switch (damage) {
                    case "flip" -> {
                        f.seek(CheckpointFormat.PAGE + 100);
                        int b = f.read();
                        f.seek(CheckpointFormat.PAGE + 100);
                        f.write(b ^ 0x40);
                    }
                    case "truncate" -> f.setLength(f.length() / 2);
                    case "catalog" -> {
                        byte[] page = new byte[CheckpointFormat.PAGE];
                        f.readFully(page);
                        CheckpointFormat.Header h = CheckpointFormat.Header.decode(page, 1);
                        byte[] cat = new byte[h.catalogLength()];
                        f.seek(h.catalogOffset());
                        f.readFully(cat);
                        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(cat).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        int count = in.getInt();
                        java.nio.ByteBuffer twice = java.nio.ByteBuffer.allocate(4 + 2 * (cat.length - 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        twice.putInt(2 * count).put(cat, 4, cat.length - 4).put(cat, 4, cat.length - 4);
                        long at = (f.length() + 511) / 512 * 512;
                        f.seek(at);
                        f.write(twice.array());
                        CheckpointFormat.Header bad = new CheckpointFormat.Header(h.fileNo(), h.state(), h.flags(), h.checkpointId(),
                                h.databaseId(), h.redoLsn(), h.commitTs(), h.lastTxnId(), h.nextTableId(), h.startMillis(), h.endMillis(),
                                at, twice.capacity(), CheckpointFormat.crc(twice.array(), 0, twice.capacity()),
                                h.directoryOffset(), h.directoryLength(), h.directoryCrc(), h.blocks(), h.rows(), h.bytesInUse());
                        f.seek(0);
                        f.write(bad.encode());
                    }
                    default -> {
                        f.seek(30);
                        f.write(0x55);
                    }
                }
            }
            try (Instance i = TestInstances.withDamage(cfg); Connection d = admin(i)) {
                var report = i.database("CK").recovery();
                assertEquals(0, report.checkpoint().fileNo(), damage + ": recovered from the older file");
                assertEquals(damage.equals("header") ? 0 : 1, report.rejected().size(), damage + ": " + report.rejected());
                if (damage.equals("catalog")) {
                    String why = report.rejected().getFirst();
                    assertTrue(why.contains("TT0848") && why.contains("catalog cannot be rebuilt") && why.contains("TT2207"), why);
                }
                assertEquals("2001|" + (2000L * 1999 + 1000 + 10 + 2 * 0), one(d, "SELECT COUNT(*), SUM(v) FROM t"), damage);
                // The damaged file is written next.
                d.execute("CALL ttCkpt()");
                assertEquals(1, history(i).getFirst().ckptFileNum());
            }
        }
    }

    @Test
    void aDamagedBlockFarIntoALargeImageFailsItsLoadCleanlyWhateverTheReaderCount() throws Exception {
        // Installers 1 and 3; the second round reads with direct I/O (four readers, several spans
        // in flight), as a load after a machine's restart does, where the first reads the files
        // the test has just written through the page cache that holds them.
        assertTrue(DirectReadsIo.supported(dir), "the test directory takes direct reads");
        for (int readers : new int[] {1, 3}) {
            StorageIo reading = readers == 1 ? FileStorageIo.INSTANCE : new DirectReadsIo();
            Path sub = dir.resolve("readers" + readers);
            DatabaseConfig cfg = DatabaseConfig.defaults("CK", sub.resolve("ck").toString()).withLog(8, 1).withCheckpoints(0, 0, 0)
                    .withCkptReadThreads(readers);
            Crashable dying = Crashable.open(cfg);
            Instance crashed = dying.instance();
            Connection c = admin(crashed);
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            for (int k = 0; k < 8000; k++) c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, String.format("note-%05d-", k) + "n".repeat(1200));
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
            c.execute("CALL ttCkpt()"); // file 0
            c.execute("UPDATE t SET v = v + 1");
            c.execute("CALL ttCkpt()"); // file 1, the newest: 10 MB, read in five spans
            c.setDurableCommits(true);
            c.execute("INSERT INTO t VALUES (99999, 0, 'last')");
            dying.kill();
            // Damage one row of a block in the last span, while the reader is ahead of the installers.
            byte[] file = Files.readAllBytes(sub.resolve("ck.ds1"));
            int at = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("note-07000-");
            assertTrue(at > 8 << 20, "the row sits in a later span: " + at);
            try (RandomAccessFile f = new RandomAccessFile(sub.resolve("ck.ds1").toFile(), "rw")) {
                f.seek(at + 20);
                f.write('X');
            }
            try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), reading); Connection d = admin(i)) {
                var report = i.database("CK").recovery();
                assertEquals(0, report.checkpoint().fileNo(), readers + " reader(s): the older file and the log");
                assertEquals(1, report.rejected().size(), report.rejected().toString());
                assertTrue(report.rejected().getFirst().contains("checksum"), report.rejected().getFirst());
                assertEquals("8001|" + (8000L * 7999 / 2 + 8000), one(d, "SELECT COUNT(*), SUM(v) FROM t"));
                assertEquals("note-07000-", one(d, "SELECT SUBSTR(note, 1, 11) FROM t WHERE id = 7000"));
            }
        }
    }

    @Test
    void checkpointsReuseTheirDirectWriteBuffersInsteadOfLeavingThemToTheCollector() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            for (int k = 0; k < 3000; k++) c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, "n".repeat(1500)); // 4.5 MB
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
            c.execute("CALL ttCkpt()");
            long first = i.database("CK").checkpointer().writeBufferBytes() >> 20;
            assertTrue(first >= 1 && first <= 4, "a 4.5 MB checkpoint used " + first + " of at most 4 buffers");
            for (int n = 0; n < 10; n++) {
                c.execute("UPDATE t SET v = v + 1");
                c.execute("CALL ttCkpt()");
            }
            long made = i.database("CK").checkpointer().writeBufferBytes() >> 20;
            assertTrue(made <= 4, "eleven checkpoints made " + made + " direct buffers of 1 MB");
        }
    }

    @Test
    void logFilesArePurgedExactlyWhenBothCheckpointFilesHoldTheirChangesAndNoOtherwise() throws IOException {
        String pad = "p".repeat(1900);
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            for (int k = 0; k < 9000; k++) {
                c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, pad);
                if (k % 100 == 99) c.commit().toCompletableFuture().join();
            }
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
            assertTrue(logFiles().size() >= 3, "the rows span log files: " + logFiles());
            c.execute("CALL ttCkpt()");
            // One complete checkpoint file: recovery may still need the log from its start.
            assertTrue(logFiles().contains("ck.log0"), "nothing purged after the first checkpoint: " + logFiles());
            assertEquals(List.of("0|64|Checkpoint|only one complete checkpoint file: recovery may need the log from its start"),
                    rows(c, "CALL ttLogHolds()"));
            long firstRedo = Lsn.pack((int) history(i).getFirst().ckptLfn(), history(i).getFirst().ckptLfo());
            for (int k = 0; k < 3000; k++) c.execute("UPDATE t SET v = v + 1 WHERE id = ?", k);
            c.execute("CALL ttCkpt()");
            // Both files complete: the log before the older checkpoint's redo LSN goes, not one file more.
            int keepFrom = Lsn.of(firstRedo).file();
            List<String> expected = new ArrayList<>();
            for (String f : logFiles()) expected.add(f);
            for (String f : expected) {
                int n = Integer.parseInt(f.substring("ck.log".length()));
                assertTrue(n >= keepFrom, "purged up to " + keepFrom + ": " + expected);
            }
            assertTrue(expected.contains("ck.log" + keepFrom), expected.toString());
            // The purged files: the two newest kept as spares for later log files, the rest deleted.
            List<String> spares = new ArrayList<>();
            for (int n = Math.max(0, keepFrom - 2); n < keepFrom; n++) spares.add("ck.log" + n + ".free");
            assertEquals(spares, files("\\.log\\d+\\.free"));
            assertEquals(List.of(keepFrom + "|" + Lsn.of(firstRedo).offset() + "|Checkpoint|ck.ds0 (checkpoint 1)"),
                    rows(c, "CALL ttLogHolds()"));
            assertTrue(keepFrom >= 1, "the first checkpoint came after log file 0 was full");
        }
        // Both checkpoint files damaged and the log's start purged: nothing can recover it.
        for (int n = 0; n < 2; n++) {
            try (RandomAccessFile f = new RandomAccessFile(ds(n).toFile(), "rw")) {
                f.seek(CheckpointFormat.PAGE + 64);
                f.write(0xFF);
                f.write(0x00);
                f.write(0x13);
            }
        }
        HourglassException e = assertThrows(HourglassException.class, this::open);
        assertEquals(848, e.number());
        assertTrue(e.getMessage().contains("no checkpoint file can be used"), e.getMessage());
    }

    @Test
    void aPurgeLeavesALogFileBeingCreatedAloneAndTheNextLoadRemovesLeftovers() throws IOException {
        Path inCreation = dir.resolve("ck.log9.tmp");
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            Files.write(inCreation, new byte[64]); // as the flusher leaves it while it makes the next file
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()"); // both files complete: a purge runs
            assertTrue(Files.exists(inCreation), "a purge must not remove a log file being created");
        }
        try (Instance i = open()) {
            assertFalse(Files.exists(inCreation), "at load, before the log writer starts, it is a leftover of a crash");
        }
    }

    @Test
    void withLogPurgeZeroPurgedLogFilesAreKeptAsArch() throws IOException {
        String pad = "p".repeat(1900);
        try (Instance i = open(config().withLogPurge(0)); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            for (int k = 0; k < 6000; k++) {
                c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, pad);
                if (k % 100 == 99) c.commit().toCompletableFuture().join();
            }
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()");
            assertTrue(files("\\.log\\d+\\.arch").contains("ck.log0.arch"), files(".*").toString());
            assertFalse(logFiles().contains("ck.log0"), logFiles().toString());
            assertEquals(List.of(), files("\\.log\\d+\\.free"), "LogPurge=0 keeps every purged file as .arch, none as a spare");
        }
        try (Instance i = open(); Connection c = admin(i)) {
            assertEquals("6000", one(c, "SELECT COUNT(*) FROM t"));
        }
    }

    /**
     * A full image of two tables over many blocks, then incremental ones whose changed blocks are
     * far apart (one of them emptied), must read back row for row with no log at all.
     */
    @Test
    void fullThenSparseIncrementalImagesReadBackExactlyWithoutTheLog() throws Exception {
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection c = admin(crashed);
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
        c.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, w VARCHAR2(100))");
        fill(c, 0, 20_000); // 79 blocks
        c.setAutocommit(false);
        for (int k = 0; k < 6_000; k++) c.execute("INSERT INTO u VALUES (?, ?)", k, "u" + k + "-".repeat(k % 50));
        c.commit().toCompletableFuture().join();
        c.setAutocommit(true);
        c.execute("CALL ttCkptBlocking()");
        // The image went to the disk around the page cache: of its pages only the header and the
        // unaligned ends of its 1 MB writes passed through the cache.
        Path image = dir.resolve("ck.ds0");
        long pages = (Files.size(image) + PageCache.PAGE - 1) / PageCache.PAGE;
        assertTrue(pages > 150, "an image of " + pages + " pages");
        int cached = PageCache.residentPages(image, 0, Files.size(image));
        assertTrue(cached <= 8, cached + " of the image's " + pages + " pages in the page cache");
        c.execute("DELETE FROM t WHERE id BETWEEN 256 AND 700"); // a block or more emptied
        for (int k = 0; k < 20_000; k += 997) c.execute("UPDATE t SET note = ? WHERE id = ?", "changed " + k, k);
        c.execute("UPDATE u SET w = 'last' WHERE id = 5999");
        c.execute("CALL ttCkptBlocking()");
        c.execute("CALL ttCkptBlocking()"); // both files now hold the incremental changes
        List<String> t = rows(c, "SELECT * FROM t ORDER BY id"), u = rows(c, "SELECT * FROM u ORDER BY id");
        dying.kill();
        for (String f : logFiles()) Files.delete(dir.resolve(f));
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(0, i.database("CK").recovery().transactions(), "nothing replayed: the image alone");
            assertEquals(20_000 - 445, t.size());
            assertEquals(t, rows(d, "SELECT * FROM t ORDER BY id"));
            assertEquals(u, rows(d, "SELECT * FROM u ORDER BY id"));
            assertEquals("changed 19940", one(d, "SELECT note FROM t WHERE id = 19940"));
        }
    }

    /**
     * The checkpointer's write buffers hold each write's bytes at the place within a page that
     * the file offset has, so the direct writes take them without a copy (a handle copies an
     * unaligned buffer into one of its own first).
     */
    @Test
    void theImageIsHandedToItsDirectWritesFromBuffersAlignedAsTheFileOffsets() throws Exception {
        List<String> misplaced = new ArrayList<>();
        long[] pageWrites = {0};
        StorageIo watching = new ForwardingStorageIo() {
            @Override
            public FileHandle openForWriting(Path file, boolean create) throws IOException {
                FileHandle h = real.openForWriting(file, create);
                return new ForwardingHandle(h) {
                    @Override
                    public void write(long position, java.nio.ByteBuffer src) throws IOException {
                        if (position >= PageCache.PAGE && src.remaining() >= PageCache.PAGE) { // not the header page
                            pageWrites[0]++;
                            if (!src.isDirect() || src.alignmentOffset(src.position(), PageCache.PAGE) != position % PageCache.PAGE) {
                                misplaced.add(src.remaining() + " bytes at " + position + " (direct " + src.isDirect() + ")");
                            }
                        }
                        h.write(position, src);
                    }
                };
            }
        };
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config()), watching); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 60_000); // a few MB: several 1 MB writes
            c.execute("CALL ttCkpt()");
            for (int k = 0; k < 60_000; k += 2_000) c.execute("UPDATE t SET note = 'moved' WHERE id = ?", k);
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()"); // incremental: writes far apart, starting anywhere in a page
        }
        assertTrue(pageWrites[0] > 10, pageWrites[0] + " writes of a page or more");
        assertEquals(List.of(), misplaced);
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals("moved", one(d, "SELECT note FROM t WHERE id = 58000"));
            assertEquals("row 58001", one(d, "SELECT note FROM t WHERE id = 58001"));
        }
    }

    @Test
    void aBlockingCheckpointWaitsForOpenWritersQueuesNewOnesAndItsImageNeedsNoLog() throws Exception {
        Crashable dying = Crashable.open(config());
        Instance crashed = dying.instance();
        Connection a = admin(crashed);
        a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
        fill(a, 0, 100);
        Connection longRunning = admin(crashed);
        longRunning.setAutocommit(false);
        longRunning.execute("INSERT INTO t VALUES (1000, 0, 'long')");
        // Times out as asked: TT6003, the failure in the history, and writers go on afterwards.
        HourglassException timeout = assertThrows(HourglassException.class, () -> a.execute("CALL ttCkptBlocking(0.2, 1)"));
        assertEquals(6003, timeout.number());
        assertEquals("Failed", history(crashed).getFirst().status());
        assertEquals("Blocking", history(crashed).getFirst().type());
        a.execute("INSERT INTO t VALUES (1001, 0, 'after timeout')");

        CompletableFuture<Void> ckpt = CompletableFuture.runAsync(() -> a.execute("CALL ttCkptBlocking(30)"));
        waitFor(() -> !history(crashed).isEmpty() && history(crashed).getFirst().status().equals("In Progress"));
        Connection newcomer = admin(crashed);
        CompletableFuture<Void> queued = CompletableFuture.runAsync(() -> newcomer.execute("INSERT INTO t VALUES (1002, 0, 'queued')"));
        Thread.sleep(300);
        assertFalse(queued.isDone(), "a new writer queues behind the blocking checkpoint");
        assertFalse(ckpt.isDone(), "the checkpoint waits for the open write transaction");
        // A reader is not held up.
        assertEquals("101", one(admin(crashed), "SELECT COUNT(*) FROM t"));
        longRunning.commit().toCompletableFuture().join();
        ckpt.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);
        CheckpointHistory.Entry done = history(crashed).getFirst();
        assertEquals("Completed", done.status());

        a.execute("CALL ttCkptBlocking()");
        // Crash, and lose the whole log: the blocking image alone is the database.
        dying.kill();
        for (String f : logFiles()) Files.delete(dir.resolve(f));
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals(List.of("1000|long", "1001|after timeout", "1002|queued"),
                    rows(d, "SELECT id, note FROM t WHERE id >= 1000 ORDER BY id"));
            assertEquals("103", one(d, "SELECT COUNT(*) FROM t"));
            d.execute("INSERT INTO t VALUES (2000, 0, 'new log')");
        }
        try (Instance i = open(); Connection d = admin(i)) {
            assertEquals("104", one(d, "SELECT COUNT(*) FROM t"));
        }
    }

    @Test
    void ttCkptBlockingInsideATransactionRunsWhenItEnds() {
        try (Instance i = open(); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            c.setAutocommit(false);
            c.execute("INSERT INTO t VALUES (1, 1, 'x')");
            c.execute("CALL ttCkptBlocking()");
            assertTrue(history(i).isEmpty(), "deferred until the transaction ends");
            c.commit().toCompletableFuture().join();
            assertEquals("Completed", history(i).getFirst().status());
            assertEquals("Blocking", history(i).getFirst().type());
        }
    }

    @Test
    void aCheckpointWhileOneRunsFailsWithTT625InTimesTensWords() throws Exception {
        try (Instance i = open(); Connection c = admin(i); Connection other = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            i.database("CK").checkpointer().addListener(new CheckpointListener() {
                @Override
                public void started(Event e) {
                    inside.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> c.execute("CALL ttCkpt()"));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            for (String call : List.of("CALL ttCkpt()", "CALL ttCkptBlocking()")) {
                HourglassException e = assertThrows(HourglassException.class, () -> other.execute(call));
                assertEquals(625, e.number());
                assertEquals("TT0625: Checkpoint cannot proceed because the following conflicting operation is in progress: "
                        + "Checkpoint started by connection id " + c.id() + " (pid " + ProcessHandle.current().pid()
                        + "; name 'CK')", e.getMessage());
            }
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            other.execute("CALL ttCkpt()"); // free again
        }
    }

    /** The calling thread's nice value, from /proc (Linux). */
    private static int niceOfThisThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // field 19 of stat; fields here start at field 3
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onlyTheBulkOfACheckpointRunsAtLoweredPriorityNotTheStepsThatTakeLocksTransactionsWaitFor() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "thread priorities are read from Linux's /proc");
        java.util.Map<String, java.util.Set<Integer>> nice = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Consumer<String> note = what -> nice.computeIfAbsent(what, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                .add(niceOfThisThread());
        io.hourglass.engine.spi.StorageIo io = new io.hourglass.engine.spi.ForwardingStorageIo() {
            @Override
            public FileHandle open(Path file, boolean create) throws IOException {
                FileHandle h = super.open(file, create);
                if (!file.getFileName().toString().contains(".ds")) return h;
                return new ForwardingHandle(h) {
                    @Override
                    public void write(long position, java.nio.ByteBuffer src) throws IOException {
                        note.accept(position == 0 ? "header" : "blocks");
                        h.write(position, src);
                    }
                };
            }
        };
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config()), io); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 5000);
            // The listeners run where the redo point is taken under the commit lock and the log is
            // synced: a nice-19 thread preempted there would hold every committer up behind it.
            i.database("CK").checkpointer().addListener(new CheckpointListener() {
                @Override public void started(Event e) { note.accept("started"); }

                @Override public void completed(Event e) { note.accept("completed"); }
            });
            c.execute("CALL ttCkpt()");
        }
        assertEquals(java.util.Set.of(0), nice.get("started"), "the checkpoint's own thread keeps normal priority");
        assertEquals(java.util.Set.of(0), nice.get("completed"));
        assertEquals(java.util.Set.of(0), nice.get("header"));
        assertEquals(java.util.Set.of(19), nice.get("blocks"), "the block images are written at nice 19");
    }

    @Test
    void listenersHearStartCompletionAndFailureWithTheHistoryFields() {
        try (Instance i = open(); Connection c = admin(i)) {
            List<CheckpointListener.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            i.database("CK").checkpointer().addListener(new CheckpointListener() {
                @Override public void started(Event e) { events.add(e); }
                @Override public void completed(Event e) { events.add(e); }
                @Override public void failed(Event e) { events.add(e); }
            });
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 500);
            c.execute("CALL ttCkpt()");
            Connection open = admin(i);
            open.setAutocommit(false);
            open.execute("INSERT INTO t VALUES (9000, 1, 'open')");
            assertThrows(HourglassException.class, () -> c.execute("CALL ttCkptBlocking(0.1)"));
            assertEquals(List.of("In Progress", "Completed", "In Progress", "Failed"), events.stream().map(CheckpointListener.Event::status).toList());
            CheckpointListener.Event done = events.get(1);
            CheckpointHistory.Entry h = history(i).get(1);
            assertEquals(h.checkpointId(), done.checkpointId());
            assertEquals(h.ckptLfn(), done.redoLsnFile());
            assertEquals(h.ckptLfo(), done.redoLsnOffset());
            assertEquals(500, done.rows());
            assertEquals(h.bytesWritten(), done.bytesWritten());
            assertEquals("CK", done.database());
            assertTrue(done.directoryCrc() != 0);
            assertEquals(ds(0), done.file());
            assertNotNull(events.get(3).error());
            open.rollback();
        }
    }

    @Test
    void ttCkptConfigReadsForEveryoneChangesForAdminAndPersists() {
        try (Instance i = open(config().withCheckpoints(600, 64, 0)); Connection c = admin(i)) {
            c.execute("CREATE USER app IDENTIFIED BY 'app-pw-1'");
            try (Connection app = i.connect("CK", "app", "app-pw-1")) {
                assertEquals("600|64|0", one(app, "CALL ttCkptConfig()"));
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttCkptConfig(30, 16, 5)")).number());
                assertEquals(90006, assertThrows(HourglassException.class, () -> app.execute("CALL ttCkpt()")).number());
            }
            assertEquals("30|16|5", one(c, "CALL ttCkptConfig(30, 16, 5)"));
            assertEquals("30|8|5", one(c, "CALL ttCkptConfig(NULL, 8, NULL)"));
            assertEquals(90015, assertThrows(HourglassException.class, () -> c.execute("CALL ttCkptConfig(-1)")).number());
            // Whole numbers only: 0.5 seconds would have been taken as 0, which turns checkpoints off.
            for (String bad : List.of("CALL ttCkptConfig(0.5, NULL, NULL)", "CALL ttCkptConfig(99999999999, NULL, NULL)",
                    "CALL ttCkptBlocking(10, 1.5)")) {
                assertEquals(90015, assertThrows(HourglassException.class, () -> c.execute(bad)).number(), bad);
            }
            assertEquals("30|8|5", one(c, "CALL ttCkptConfig()"), "the refused calls changed nothing");
        }
        try (Instance i = open(config().withCheckpoints(600, 64, 0)); Connection c = admin(i)) {
            assertEquals("30|8|5", one(c, "CALL ttCkptConfig()"), "kept across a restart, over the configured values");
            assertEquals(new Checkpointer.Settings(30, 8, 5), i.database("CK").checkpointSettings());
        }
    }

    @Test
    void theCheckpointerRunsByLogVolumeAndByFrequency() throws Exception {
        try (Instance i = open(config().withCheckpoints(0, 1, 0)); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            String pad = "v".repeat(1500);
            for (int k = 0; k < 800; k++) c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, pad); // > 1 MB of log
            c.commit().toCompletableFuture().join();
            waitFor(() -> history(i).stream().anyMatch(e -> e.reason().startsWith("CkptLogVolume") && e.status().equals("Completed")));
            CheckpointHistory.Entry e = history(i).getFirst();
            assertEquals("Checkpointer", e.initiator());
            assertEquals("Fuzzy", e.type());
            int before = history(i).size();
            Thread.sleep(500);
            assertEquals(before, history(i).size(), "no more log, no more checkpoints");
            c.setAutocommit(true);
            c.execute("CALL ttCkptConfig(1, 0, 0)");
            waitFor(() -> history(i).stream().anyMatch(x -> x.reason().startsWith("CkptFrequency")));
        }
    }

    @Test
    void ckptRateThrottlesAndAChangeAppliesToTheRunningCheckpoint() throws Exception {
        try (Instance i = open(config().withCheckpoints(0, 0, 1)); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(2000))");
            c.setAutocommit(false);
            String pad = "r".repeat(1000);
            for (int k = 0; k < 10_000; k++) {
                c.execute("INSERT INTO t VALUES (?, ?, ?)", k, k, pad); // ~10 MB: 10 s at 1 MB/s
                if (k % 1000 == 999) c.commit().toCompletableFuture().join();
            }
            c.setAutocommit(true);
            long t0 = System.nanoTime();
            CompletableFuture<Void> ckpt = CompletableFuture.runAsync(() -> c.execute("CALL ttCkpt()"));
            Thread.sleep(1000);
            assertFalse(ckpt.isDone(), "at 1 MB/s the checkpoint is still writing");
            try (Connection d = admin(i)) {
                d.execute("CALL ttCkptConfig(NULL, NULL, 0)");
            }
            ckpt.get(30, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(seconds < 8, "the running checkpoint sped up when CkptRate went to 0 (took " + seconds + " s)");
            assertTrue(history(i).getFirst().bytesWritten() > 9_000_000);
        }
    }

    @Test
    void aFailedCheckpointIsReportedLeavesTheDatabaseRunningAndIsRetriedByTheCheckpointer() throws Exception {
        io.hourglass.engine.spi.SimulatedDisk disk = new io.hourglass.engine.spi.SimulatedDisk();
        DatabaseConfig cfg = DatabaseConfig.defaults("CK", "/sim/ck").withLog(8, 1).withCheckpoints(0, 0, 0);
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), disk); Connection c = admin(i)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(40))");
            fill(c, 0, 3000);
            // The checkpointer retries a failed checkpoint after its retry interval (30 s; shortened here).
            i.database("CK").checkpointer().setRetryInterval(TimeUnit.MILLISECONDS.toNanos(200));
            disk.capacity(disk.used() + 8192); // room for the header, not for the image
            HourglassException e = assertThrows(HourglassException.class, () -> c.execute("CALL ttCkpt()"));
            assertEquals(615, e.number());
            CheckpointHistory.Entry failed = history(i).getFirst();
            assertEquals("Failed", failed.status());
            assertTrue(failed.error().startsWith("TT0615: Checkpoint failure"), failed.error());
            c.execute("INSERT INTO t VALUES (5000, 1, 'still running')");
            c.execute("CALL ttCkptConfig(3600, 0, 0)"); // the checkpointer is on, not due for an hour
            waitFor(() -> history(i).size() >= 2); // a retry that fails again
            assertEquals("Checkpointer", history(i).getFirst().initiator());
            assertEquals("retry after a failed checkpoint", history(i).getFirst().reason());
            disk.capacity(Long.MAX_VALUE); // space is back
            waitFor(() -> history(i).getFirst().status().equals("Completed"));
        }
    }

    @Test
    void aCheckpointOfATemporaryDatabaseIsRefusedClearly() {
        try (Instance i = TestInstances.one("TMP"); Connection c = i.connect("TMP", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertEquals(90019, assertThrows(HourglassException.class, () -> c.execute("CALL ttCkpt()")).number());
            Database db = i.database("TMP");
            assertNull(db.checkpointer());
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 20 s");
            Thread.sleep(20);
        }
    }
}
