package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.LogTailer;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.spi.SimulatedDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rebuilding a database from an exported image and the log, as a restore does, without Kafka. */
class ImageBuilderTest {
    @TempDir
    Path dir;

    private record Archive(CheckpointFormat.Header header, byte[] image, List<LogTailer.Committed> log, long rows) {}

    /** A database with a checkpoint taken mid-way; its exported image and the whole log. */
    private Archive archive() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("IMG", dir.resolve("img/img").toString()).withCheckpoints(0, 0, 0);
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("IMG", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            for (int k = 0; k < 2000; k++) c.execute("INSERT INTO t VALUES (?, 'before')", k);
            Database db = i.database("IMG");
            db.checkpointer().checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "test", 0));
            c.execute("UPDATE t SET v = 'after' WHERE id < 500");
            c.execute("ALTER TABLE t ADD w INTEGER DEFAULT 3"); // the rows move to a new table id
            c.execute("UPDATE t SET w = 4 WHERE id < 10");
            c.execute("DELETE FROM t WHERE id >= 1900");
            c.execute("CALL ttDurableCommit()");
            CheckpointFormat.Header h = db.checkpointer().newest();
            ByteArrayOutputStream image = new ByteArrayOutputStream();
            db.checkpointer().files().export(h.fileNo(), h.checkpointId(), image::write);
            List<LogTailer.Committed> log = new ArrayList<>();
            try (LogTailer t = new LogTailer(db.log().files(), io.hourglass.engine.log.Lsn.pack(0, 64))) {
                t.poll(db.log().syncedLsn(), log::add);
            }
            return new Archive(h, image.toByteArray(), log, 1900);
        }
    }

    @Test
    void anExportOverlappingARewriteOfItsFileIsThrownAway() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("EXP", dir.resolve("exp/exp").toString()).withCheckpoints(0, 0, 0);
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("EXP", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            for (int k = 0; k < 3000; k++) c.execute("INSERT INTO t VALUES (?)", k);
            Checkpointer ck = i.database("EXP").checkpointer();
            ck.checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "test", 0));
            CheckpointFormat.Header h = ck.newest();
            boolean[] once = {false};
            IOException e = assertThrows(IOException.class, () -> ck.files().export(h.fileNo(), h.checkpointId(), (d, o, n) -> {
                if (once[0]) return;
                once[0] = true;
                // Two checkpoints later the exported file is written again, under the export's feet.
                for (int k = 0; k < 2; k++) {
                    c.execute("UPDATE t SET id = id WHERE id = ?", k);
                    ck.checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "test", 0));
                }
            }));
            assertTrue(e.getMessage().contains("rewritten"), e.getMessage());
        }
    }

    @Test
    void anExportRefusesADamagedBlockRecordAsALoadWould() throws Exception {
        String base = dir.resolve("dmg/dmg").toString();
        DatabaseConfig cfg = DatabaseConfig.defaults("DMG", base).withCheckpoints(0, 0, 0);
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("DMG", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(100))");
            for (int k = 0; k < 3000; k++) c.execute("INSERT INTO t VALUES (?, 'row')", k);
            c.execute("CALL ttCkptBlocking()");
        }
        io.hourglass.engine.checkpoint.CheckpointFiles files = new io.hourglass.engine.checkpoint.CheckpointFiles(FileStorageIo.INSTANCE, base);
        CheckpointFormat.Header h = java.util.stream.IntStream.of(0, 1).mapToObj(files::readHeader)
                .filter(x -> x != null && x.complete()).max(java.util.Comparator.comparingLong(CheckpointFormat.Header::checkpointId))
                .orElseThrow();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        files.export(h.fileNo(), h.checkpointId(), whole::write);
        assertTrue(whole.size() > 3000 * 10, "the undamaged image exports: " + whole.size() + " bytes");
        // One bit inside the first block record (block records start at the first page).
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(files.path(h.fileNo()).toFile(), "rw")) {
            f.seek(CheckpointFormat.PAGE + 100);
            int b = f.read();
            f.seek(CheckpointFormat.PAGE + 100);
            f.write(b ^ 0x08);
        }
        IOException e = assertThrows(IOException.class, () -> files.export(h.fileNo(), h.checkpointId(), (d, o, n) -> { }));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(files.path(h.fileNo()).toString()), e.getMessage());
    }

    private static ImageBuilder feed(Archive a, byte[] image, int piece) throws IOException {
        ImageBuilder b = new ImageBuilder(a.header().databaseId(), a.header(), 64L << 20);
        for (int at = 0; at < image.length; at += piece) b.imageBytes(image, at, Math.min(piece, image.length - at));
        b.imageEnd(a.header().blocks(), a.header().rows());
        return b;
    }

    @Test
    void anImageCutAnywhereAndTheLogAfterItRebuildTheDatabaseWhichThenLoadsNormally() throws Exception {
        Archive a = archive();
        ImageBuilder b = feed(a, a.image(), 997); // records span pieces
        int skipped = 0;
        for (LogTailer.Committed t : a.log()) if (!b.apply(t.startLsn(), t.endLsn(), t.txnId(), t.records())) skipped++;
        assertTrue(skipped > 2000, "transactions in the image are skipped: " + skipped);
        ImageBuilder.Image img = b.finish(2);
        assertEquals(a.rows(), img.rows());
        DatabaseConfig into = DatabaseConfig.defaults("COPY", dir.resolve("copy/copy").toString());
        Database.create(into, FileStorageIo.INSTANCE, img);
        assertTrue(java.nio.file.Files.exists(Database.restoredMarker(into)), "a finished restore says so to the first load");
        assertTrue(java.nio.file.Files.notExists(Database.createMarker(into)));
        try (Instance i = TestInstances.with(into); Connection c = i.connect("COPY", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertTrue(java.nio.file.Files.notExists(Database.restoredMarker(into)), "the first load took it (cache groups marked restored)");
            assertEquals(500L, ((Number) c.execute("SELECT COUNT(*) FROM t WHERE v = 'after'").rows().getFirst()[0]).longValue());
            assertEquals(1900L, ((Number) c.execute("SELECT COUNT(*) FROM t").rows().getFirst()[0]).longValue());
            assertEquals(1900L * 3 + 10, ((Number) c.execute("SELECT SUM(w) FROM t").rows().getFirst()[0]).longValue());
            assertEquals(0, i.database("COPY").recovery().transactions());
            c.execute("INSERT INTO t VALUES (5000, 'new', 1)"); // the primary key index was rebuilt
            assertThrows(HourglassException.class, () -> c.execute("INSERT INTO t VALUES (1, 'dup', 1)"));
        }
        HourglassException exists = assertThrows(HourglassException.class,
                () -> Database.create(into, FileStorageIo.INSTANCE, feed(a, a.image(), 1 << 20).finish(1)));
        assertEquals(90024, exists.number());
    }

    /**
     * An image of several read spans (10 MB), whose records an incremental checkpoint moved and
     * spread (gaps between them), exports every record once and rebuilds the same rows.
     */
    @Test
    void aLargeImageWithGapsBetweenItsRecordsExportsEveryRecordOnce() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("BIG", dir.resolve("big/big").toString()).withCheckpoints(0, 0, 0);
        List<String> rows;
        CheckpointFormat.Header h;
        byte[] image;
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("BIG", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note VARCHAR2(2000))");
            c.setAutocommit(false);
            for (int k = 0; k < 8000; k++) c.execute("INSERT INTO t VALUES (?, ?)", k, "n" + k + "-".repeat(1200));
            c.commit().toCompletableFuture().join();
            c.setAutocommit(true);
            c.execute("CALL ttCkptBlocking()");
            c.execute("CALL ttCkptBlocking()");
            // Grown rows no longer fit their blocks' extents: those records move to the end of
            // the file and leave holes where they were.
            for (int k = 0; k < 8000; k += 700) c.execute("UPDATE t SET note = ? WHERE id = ?", "grown " + "+".repeat(1900), k);
            c.execute("CALL ttCkptBlocking()");
            rows = new ArrayList<>();
            for (Object[] r : c.execute("SELECT id, note FROM t ORDER BY id").rows()) rows.add(r[0] + "=" + r[1]);
            Database db = i.database("BIG");
            h = db.checkpointer().newest();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            db.checkpointer().files().export(h.fileNo(), h.checkpointId(), out::write);
            image = out.toByteArray();
        }
        assertTrue(image.length > 9 << 20, "an image of " + image.length + " bytes: several spans");
        ImageBuilder b = new ImageBuilder(h.databaseId(), h, 64L << 20);
        b.imageBytes(image, 0, image.length);
        b.imageEnd(h.blocks(), h.rows());
        DatabaseConfig into = DatabaseConfig.defaults("COPY", dir.resolve("bigcopy/copy").toString());
        Database.create(into, FileStorageIo.INSTANCE, b.finish(1));
        try (Instance i = TestInstances.with(into); Connection c = i.connect("COPY", "admin", TestInstances.ADMIN_PASSWORD)) {
            List<String> copied = new ArrayList<>();
            for (Object[] r : c.execute("SELECT id, note FROM t ORDER BY id").rows()) copied.add(r[0] + "=" + r[1]);
            assertEquals(rows, copied);
        }
    }

    /**
     * Writing a restored database can fail (disk full) or be cut short (the process dies). A
     * failure removes what it wrote; a cut leaves a marker that makes a load refuse the files
     * (TT848) and the next restore remove them before it writes anew.
     */
    @Test
    void aRestoreCutShortIsNeverLoadedAndTheNextRestoreStartsClean() throws Exception {
        Archive a = archive();
        DatabaseConfig into = DatabaseConfig.defaults("COPY", dir.resolve("copy/copy").toString()).withLog(8, 1);
        SimulatedDisk full = new SimulatedDisk().capacity((8 << 20) + (8 << 10)); // the log file fits, the image does not
        assertThrows(HourglassException.class, () -> Database.create(into, full, feed(a, a.image(), 1 << 20).finish(1)));
        assertTrue(full.trace().stream().anyMatch(w -> w.contains(".ds")), "it got as far as the checkpoint file");
        assertEquals(0, full.used(), "what the failed restore wrote is gone: " + full.list(dir.resolve("copy"), ""));

        SimulatedDisk disk = new SimulatedDisk();
        disk.crashAtMatching(w -> w.startsWith("write") && w.contains(".ds"), 3);
        assertThrows(HourglassException.class, () -> Database.create(into, disk, feed(a, a.image(), 1 << 20).finish(1)));
        SimulatedDisk restarted = disk.afterPowerLoss(SimulatedDisk.Loss.KEEP_ALL, 1);
        assertTrue(restarted.exists(Database.createMarker(into)));
        HourglassException refused = assertThrows(HourglassException.class,
                () -> new Instance(TestInstances.ADMIN_PASSWORD, List.of(into), restarted).close());
        assertEquals(848, refused.number(), refused.getMessage());
        assertTrue(refused.getMessage().contains("cut short"), refused.getMessage());
        assertEquals(90024, assertThrows(HourglassException.class, () -> Database.refuseIfExists(into, restarted)).number(),
                "the partial files are there");

        assertTrue(Database.prepareRestoreTarget(into, restarted), "the partial files are removed");
        ImageBuilder.Image img = feed(a, a.image(), 1 << 20).finish(1);
        Database.create(into, restarted, img);
        assertTrue(!restarted.exists(Database.createMarker(into)), "a complete restore removes its marker");
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(into), restarted);
             Connection c = i.connect("COPY", "admin", TestInstances.ADMIN_PASSWORD)) {
            assertEquals(img.rows(), ((Number) c.execute("SELECT COUNT(*) FROM t").rows().getFirst()[0]).longValue());
        }
        assertTrue(!Database.prepareRestoreTarget(into, new SimulatedDisk()), "nothing to remove");
        assertEquals(90024, assertThrows(HourglassException.class, () -> Database.prepareRestoreTarget(into, restarted)).number(),
                "a complete database is never removed");
    }

    @Test
    void aDamagedImageAGapOrTooSmallAPermSizeIsRefusedClearly() throws Exception {
        Archive a = archive();
        byte[] damaged = a.image().clone();
        damaged[damaged.length / 2] ^= 0x40;
        IOException bad = assertThrows(IOException.class, () -> feed(a, damaged, 4096));
        assertTrue(bad.getMessage().contains("checksum"), bad.getMessage());
        byte[] cut = java.util.Arrays.copyOf(a.image(), a.image().length - 10);
        assertThrows(IOException.class, () -> feed(a, cut, 4096));

        ImageBuilder b = feed(a, a.image(), 1 << 16);
        List<LogTailer.Committed> after = a.log().stream().filter(t -> t.endLsn() > a.header().redoLsn()).toList();
        b.apply(after.get(0).startLsn(), after.get(0).endLsn(), after.get(0).txnId(), after.get(0).records());
        IOException gap = assertThrows(IOException.class,
                () -> b.apply(after.get(1).startLsn() + 8, after.get(1).endLsn(), after.get(1).txnId(), after.get(1).records()));
        assertTrue(gap.getMessage().contains("gap"), gap.getMessage());

        ImageBuilder small = new ImageBuilder(1, a.header(), 1 << 16);
        small.imageBytes(a.image(), 0, a.image().length);
        HourglassException full = assertThrows(HourglassException.class, () -> small.finish(1));
        assertEquals(802, full.number());
    }
}
