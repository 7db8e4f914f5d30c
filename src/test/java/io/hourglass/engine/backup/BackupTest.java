package io.hourglass.engine.backup;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.checkpoint.Activities;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ttBackup and ttRestore: consistency under load, conflicts, incremental chains, streams, refusals. */
class BackupTest {
    private static final FileStorageIo IO = FileStorageIo.INSTANCE;
    /** A thread per task: the common pool has one thread on a 2-core machine, and these tasks block on each other. */
    private static final java.util.concurrent.ExecutorService THREADS =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());

    @TempDir
    Path dir;

    private DatabaseConfig source() { return DatabaseConfig.defaults("SRC", dir.resolve("src/src").toString()).withLog(8, 4); }

    private DatabaseConfig copy(String name) { return DatabaseConfig.defaults(name, dir.resolve(name.toLowerCase() + "/" + name.toLowerCase()).toString()).withLog(8, 4); }

    private static Connection admin(Instance i, String dsn) { return i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD); }

    private static long scalar(Connection c, String sql) { return ((Number) c.execute(sql).rows().getFirst()[0]).longValue(); }

    private static int number(Runnable r) { return assertThrows(HourglassException.class, r::run).number(); }

    /** ttBackupStatus's STATUS, DESTINATION and ERROR, from one of {@link TestInstances#rows}' rows. */
    private static String statusDestinationError(String row) {
        String[] f = row.split("\\|");
        return f[0] + "|" + f[1] + "|" + f[7];
    }

    private static Backup.Request file(BackupType t, Path d) { return new Backup.Request(t, d, null, false, null, 0); }

    private static void seed(Connection c) {
        c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal BIGINT NOT NULL)");
        c.execute("CREATE TABLE seq (n BIGINT PRIMARY KEY)");
        for (int i = 0; i < 50; i++) c.execute("INSERT INTO acct VALUES (?, 1000)", i);
    }

    @Test
    void aBackupUnderLoadRestoresExactlyTheStateAtItsStart() throws Exception {
        Path bdir = dir.resolve("backup");
        long before, after;
        try (Instance inst = TestInstances.with(source())) {
            try (Connection c = admin(inst, "SRC")) {
                seed(c);
            }
            AtomicBoolean stop = new AtomicBoolean();
            // Rows 0..inserted-1 are committed; rows up to attempted-1 may be: an insert commits before
            // the counter says so, and the backup can begin and end in between.
            AtomicLong inserted = new AtomicLong(), attempted = new AtomicLong();
            List<CompletableFuture<Void>> load = new ArrayList<>();
            load.add(CompletableFuture.runAsync(() -> {
                try (Connection c = admin(inst, "SRC")) {
                    for (long n = 0; !stop.get(); n++) {
                        attempted.set(n + 1);
                        c.execute("INSERT INTO seq VALUES (?)", n);
                        inserted.set(n + 1);
                    }
                }
            }, THREADS));
            for (int w = 0; w < 2; w++) {
                int seedW = w;
                load.add(CompletableFuture.runAsync(() -> {
                    java.util.Random r = new java.util.Random(seedW);
                    try (Connection c = admin(inst, "SRC")) {
                        c.setAutocommit(false);
                        while (!stop.get()) {
                            int a = r.nextInt(50), b = r.nextInt(50), amt = r.nextInt(100);
                            try {
                                c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", amt, a);
                                c.execute("UPDATE acct SET bal = bal + ? WHERE id = ?", amt, b);
                                Connection.join(c.commit());
                            } catch (HourglassException e) {
                                c.rollback(); // a deadlock or lock timeout between the two writers
                            }
                        }
                    }
                }, THREADS));
            }
            while (inserted.get() < 500) Thread.onSpinWait();
            try (Connection c = admin(inst, "SRC")) {
                c.execute("CALL ttCkpt()"); // the backup then holds a fuzzy checkpoint plus the log after it
                while (inserted.get() < 1000) Thread.onSpinWait();
                before = inserted.get();
                Backup.Result r = Backup.run(inst.database("SRC"), IO, file(BackupType.FILE_FULL, bdir), Backup.Progress.NONE);
                after = attempted.get();
                assertEquals(BackupType.FILE_FULL, r.type());
            }
            stop.set(true);
            CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(bdir.resolve("SRC.manifest")));
        DatabaseConfig target = copy("DST").withLogDir(dir.resolve("elsewhere").toString()); // LogDir may move
        Restore.fromDirectory(bdir, null, target, IO, Backup.Progress.NONE);
        assertTrue(Files.exists(dir.resolve("elsewhere/dst.log0")) || Files.list(dir.resolve("elsewhere")).findAny().isPresent());
        try (Instance inst = TestInstances.with(target); Connection c = admin(inst, "DST")) {
            long n = scalar(c, "SELECT COUNT(*) FROM seq");
            assertTrue(n >= before && n <= after, "the rows committed when the backup began: " + before + " <= " + n + " <= " + after);
            assertEquals(n - 1, scalar(c, "SELECT MAX(n) FROM seq"), "a prefix of the inserts, no gap");
            assertEquals(50_000L, scalar(c, "SELECT SUM(bal) FROM acct"), "no transfer half there");
        }
    }

    @Test
    void aCheckpointDuringABackupGetsTT625AndABackupWaitsForARunningCheckpoint() throws Exception {
        try (Instance inst = TestInstances.with(source()); Connection c = admin(inst, "SRC")) {
            seed(c);
            Database db = inst.database("SRC");
            // A streamFull into a pipe nobody reads yet keeps the backup running.
            PipedInputStream in = new PipedInputStream(1024);
            PipedOutputStream out = new PipedOutputStream(in);
            CompletableFuture<Backup.Result> running = CompletableFuture.supplyAsync(() ->
                    Backup.run(db, IO, new Backup.Request(BackupType.STREAM_FULL, null, null, false, out, 7), Backup.Progress.NONE), THREADS);
            while (!"Backup".equals(db.activities().running())) Thread.onSpinWait();
            HourglassException e = assertThrows(HourglassException.class, () -> c.execute("CALL ttCkpt()"));
            assertEquals(625, e.number());
            assertTrue(e.getMessage().contains("Backup started by connection id 7"), e.getMessage());
            assertTrue(c.execute("CALL ttLogHolds()").rows().stream().anyMatch(r -> r[2].equals("Backup")), "a Backup hold while it runs");
            Object[] status = c.execute("CALL ttBackupStatus()").rows().getFirst();
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !status[0].equals(1L) && System.nanoTime() < end; ) {
                status = c.execute("CALL ttBackupStatus()").rows().getFirst(); // (shown a moment after it took the activity slot)
            }
            assertEquals(java.util.Arrays.asList(1L, 1L, null), java.util.Arrays.asList(status[0], status[1], status[4]),
                    "running, to a stream, no end time yet");
            CompletableFuture<DatabaseConfig> restored = CompletableFuture.supplyAsync(() -> {
                Restore.fromStream(in, copy("PIPE"), IO, Backup.Progress.NONE);
                return copy("PIPE");
            }, THREADS);
            running.get(30, TimeUnit.SECONDS);
            restored.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(2L, 1L, 1L), java.util.Arrays.asList(c.execute("CALL ttBackupStatus()").rows().getFirst()).subList(0, 3),
                    "completed, a stream, full");
            assertFalse(c.execute("CALL ttLogHolds()").rows().stream().anyMatch(r -> r[2].equals("Backup")), "released after");
            c.execute("CALL ttCkpt()");

            // The other way round: a running checkpoint (its slot taken here) makes the backup wait.
            Activities.Ticket ckpt = db.activities().tryBegin("Checkpoint", 1);
            CompletableFuture<Backup.Result> waiting = CompletableFuture.supplyAsync(() ->
                    Backup.run(db, IO, file(BackupType.FILE_FULL, dir.resolve("waited")), Backup.Progress.NONE), THREADS);
            Thread.sleep(300);
            assertFalse(waiting.isDone(), "the backup waits for the checkpoint");
            assertEquals(List.of(2L, 1L), java.util.Arrays.asList(c.execute("CALL ttBackupStatus()").rows().getFirst()).subList(0, 2),
                    "a backup still waiting to start does not hide the last one");
            ckpt.close();
            assertEquals(BackupType.FILE_FULL, waiting.get(30, TimeUnit.SECONDS).type());
            assertEquals(List.of(2L, 0L), java.util.Arrays.asList(c.execute("CALL ttBackupStatus()").rows().getFirst()).subList(0, 2));
        }
        try (Instance inst = TestInstances.with(copy("PIPE")); Connection c = admin(inst, "PIPE")) {
            assertEquals(50_000L, scalar(c, "SELECT SUM(bal) FROM acct"), "streamFull through a pipe restores");
        }
    }

    @Test
    void anIncrementalChainRestoresToItsLastBackupAndItsHoldOutlivesARestart() {
        Path bdir = dir.resolve("incr");
        try (Instance inst = TestInstances.with(source()); Connection c = admin(inst, "SRC")) {
            seed(c);
            Database db = inst.database("SRC");
            assertEquals(List.of("0|null|null|null|null|null|null|null"), TestInstances.rows(c, "CALL ttBackupStatus()"), "none yet");
            assertEquals(651, number(() -> Backup.run(db, IO, file(BackupType.FILE_INCREMENTAL, bdir), Backup.Progress.NONE)),
                    "no enabled backup there yet");
            assertEquals(List.of("3|0|651"), TestInstances.rows(c, "CALL ttBackupStatus()").stream().map(BackupTest::statusDestinationError).toList(),
                    "failed, into a directory, with TT0651");
            Backup.run(db, IO, file(BackupType.FILE_FULL_ENABLE, bdir), Backup.Progress.NONE);
            BackupManifest enabled = Backup.readManifest(IO, bdir, "SRC");
            Object[] status = c.execute("CALL ttBackupStatus()").rows().getFirst();
            assertEquals(List.of(2L, 0L, 1L), List.of(status[0], status[1], status[2]), "completed, into a directory, full");
            assertEquals(enabled.endLsn(), io.hourglass.engine.log.Lsn.pack(((Long) status[5]).intValue(), (Long) status[6]),
                    "BACKUPLFN and BACKUPLFO: the backup point");
            assertTrue(!((java.time.LocalDateTime) status[4]).isBefore((java.time.LocalDateTime) status[3]));
            assertTrue(c.execute("CALL ttLogHolds()").rows().stream().anyMatch(r -> r[2].equals("Backup")),
                    "an enabled directory holds the log for the next incremental");
            for (int i = 0; i < 100; i++) c.execute("INSERT INTO seq VALUES (?)", i);
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()"); // both checkpoint files past the backup: only the hold keeps its log
            Backup.Result r = Backup.run(db, IO, file(BackupType.FILE_INCR_OR_FULL, bdir), Backup.Progress.NONE);
            assertEquals(BackupType.FILE_INCREMENTAL, r.type());
            assertEquals(0L, c.execute("CALL ttBackupStatus()").rows().getFirst()[2], "incremental");
        }
        try (Instance inst = TestInstances.with(source()); Connection c = admin(inst, "SRC")) {
            for (int i = 100; i < 250; i++) c.execute("INSERT INTO seq VALUES (?)", i);
            c.execute("CALL ttCkpt()");
            c.execute("CALL ttCkpt()");
            Backup.run(inst.database("SRC"), IO, file(BackupType.FILE_INCREMENTAL, bdir), Backup.Progress.NONE);
            c.execute("INSERT INTO seq VALUES (999)"); // after the last backup: not restored
            BackupManifest m = Backup.readManifest(IO, bdir, "SRC");
            assertEquals(List.of("fileFullEnable", "fileIncremental", "fileIncremental"), m.backups().stream().map(BackupManifest.Backup::type).toList());
            Backup.run(inst.database("SRC"), IO, file(BackupType.INCREMENTAL_STOP, bdir), Backup.Progress.NONE);
            assertFalse(c.execute("CALL ttLogHolds()").rows().stream().anyMatch(r -> r[2].equals("Backup")), "incrementalStop releases it");
            assertEquals(651, number(() -> Backup.run(inst.database("SRC"), IO, file(BackupType.FILE_INCREMENTAL, bdir), Backup.Progress.NONE)));
        }
        Restore.fromDirectory(bdir, "SRC", copy("INC"), IO, Backup.Progress.NONE);
        try (Instance inst = TestInstances.with(copy("INC")); Connection c = admin(inst, "INC")) {
            assertEquals(250L, scalar(c, "SELECT COUNT(*) FROM seq"));
            assertEquals(249L, scalar(c, "SELECT MAX(n) FROM seq"));
        }
    }

    @Test
    void aRestoreRefusesAnExistingDatabaseAndSaysWhyABackupCannotBeUsed() throws Exception {
        Path bdir = dir.resolve("b");
        try (Instance inst = TestInstances.with(source()); Connection c = admin(inst, "SRC")) {
            seed(c);
            Backup.run(inst.database("SRC"), IO, file(BackupType.FILE_FULL, bdir), Backup.Progress.NONE);
            assertEquals(90031, number(() -> Backup.run(inst.database("SRC"), IO, file(BackupType.FILE_FULL, bdir), Backup.Progress.NONE)),
                    "a second full backup of that name needs -force");
            List<String> firstFiles = Backup.readManifest(IO, bdir, "SRC").files();
            Backup.run(inst.database("SRC"), IO, new Backup.Request(BackupType.FILE_FULL, bdir, null, true, null, 0), Backup.Progress.NONE);
            for (String f : firstFiles) assertFalse(Files.exists(bdir.resolve(f)), "-force replaced " + f);
            // -fname names files in -dir: a path there would write (and -force remove) files elsewhere.
            for (String fname : List.of("../escaped", "sub/name", "..")) {
                assertEquals(90015, number(() -> Backup.run(inst.database("SRC"), IO,
                        new Backup.Request(BackupType.FILE_FULL, bdir, fname, true, null, 0), Backup.Progress.NONE)), fname);
                assertEquals(90015, number(() -> Restore.fromDirectory(bdir, fname, copy("P"), IO, Backup.Progress.NONE)), fname);
            }
            assertFalse(Files.exists(dir.resolve("escaped.manifest")), "nothing written outside -dir");
            // A -dir that cannot be made says why, not only where.
            Path aFile = Files.writeString(dir.resolve("a-file"), "x");
            HourglassException bad = assertThrows(HourglassException.class, () -> Backup.run(inst.database("SRC"), IO,
                    file(BackupType.FILE_FULL, aFile.resolve("sub")), Backup.Progress.NONE));
            assertEquals(90029, bad.number());
            assertTrue(bad.getMessage().contains("already exists: " + aFile) || bad.getMessage().contains("Not a directory"), bad.getMessage());
        }
        assertEquals("no such file or directory: /x/y", io.hourglass.engine.IoErrors.describe(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("permission denied: /x", io.hourglass.engine.IoErrors.describe(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("/x: Read-only file system", io.hourglass.engine.IoErrors.describe(new java.nio.file.FileSystemException("/x", null, "Read-only file system")));
        assertEquals(90024, number(() -> Restore.fromDirectory(bdir, null, source(), IO, Backup.Progress.NONE)), "never over a database");

        BackupManifest m = Backup.readManifest(IO, bdir, "SRC");
        // Wrong version: a manifest written by another release.
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        for (String f : m.files()) Files.copy(bdir.resolve(f), other.resolve(f));
        BackupManifest old = new BackupManifest("Hourglass 0.0.9", m.database(), m.databaseId(), m.logFileSize(), m.enabled(),
                m.backups(), m.checkpoint(), m.pieces());
        Files.write(other.resolve("SRC.manifest"), old.format());
        HourglassException e = assertThrows(HourglassException.class, () -> Restore.fromDirectory(other, null, copy("V"), IO, Backup.Progress.NONE));
        assertEquals(90030, e.number());
        assertTrue(e.getMessage().contains("Hourglass 0.0.9"), e.getMessage());
        // A damaged manifest.
        Files.write(other.resolve("SRC.manifest"), new String(m.format(), StandardCharsets.UTF_8).replace("enabled=false", "enabled=true ")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(message(other, "V").contains("checksum"));
        // A missing file.
        Files.write(other.resolve("SRC.manifest"), m.format());
        Files.delete(other.resolve(m.pieces().getLast().name()));
        assertTrue(message(other, "V").contains("missing"));
        // A file whose bytes changed.
        Files.copy(bdir.resolve(m.pieces().getLast().name()), other.resolve(m.pieces().getLast().name()));
        try (var ch = java.nio.channels.FileChannel.open(other.resolve(m.pieces().getFirst().name()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x55}), 100);
        }
        assertTrue(message(other, "V").contains("damaged"));
        assertFalse(Files.exists(dir.resolve("v/v.ds0")) || Files.exists(dir.resolve("v/v.ds1")), "a failed restore leaves no files");
        assertFalse(Files.exists(Database.createMarker(copy("V"))), "nor its marker");
        // What a restore cut short left (its marker, half a checkpoint file) is removed by the next one.
        Files.createDirectories(dir.resolve("w"));
        Files.write(dir.resolve("w/w.ds0"), new byte[] {1, 2, 3});
        Files.write(Database.createMarker(copy("W")), new byte[0]);
        // The good one restores, also with another LogFileSize refused clearly.
        assertTrue(assertThrows(HourglassException.class, () -> Restore.fromDirectory(bdir, null, copy("W").withLog(16, 4), IO,
                Backup.Progress.NONE)).getMessage().contains("LogFileSize=8"));
        Restore.fromDirectory(bdir, null, copy("W"), IO, Backup.Progress.NONE);
        assertFalse(Files.exists(Database.createMarker(copy("W"))), "a complete restore removes its marker");
        try (Instance inst = TestInstances.with(copy("W")); Connection c = admin(inst, "W")) {
            assertEquals(50_000L, scalar(c, "SELECT SUM(bal) FROM acct"));
        }
    }

    private String message(Path d, String dsn) {
        HourglassException e = assertThrows(HourglassException.class, () -> Restore.fromDirectory(d, null, copy(dsn), IO, Backup.Progress.NONE));
        assertEquals(90030, e.number(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void backupFailThresholdFailsALongBackupSoCheckpointsCanGoAhead() throws Exception {
        try (Instance inst = TestInstances.with(source().withBackupFailThreshold(1)); Connection c = admin(inst, "SRC")) {
            seed(c);
            Database db = inst.database("SRC");
            CountDownLatch blocked = new CountDownLatch(1), go = new CountDownLatch(1);
            OutputStream slow = new OutputStream() {
                @Override
                public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    blocked.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            };
            String pad = "x".repeat(3000);
            c.execute("CREATE TABLE pad (id INTEGER PRIMARY KEY, v VARCHAR2(4000))");
            for (int i = 0; i < 1000; i++) c.execute("INSERT INTO pad VALUES (?, ?)", i, pad); // 3 MB to copy: it takes a while
            CompletableFuture<Backup.Result> running = CompletableFuture.supplyAsync(() ->
                    Backup.run(db, IO, new Backup.Request(BackupType.STREAM_FULL, null, null, false, slow, 0), Backup.Progress.NONE), THREADS);
            assertTrue(blocked.await(30, TimeUnit.SECONDS));
            for (int i = 1000; i < 4500; i++) c.execute("INSERT INTO pad VALUES (?, ?)", i, pad); // > one 8 MB log file
            go.countDown();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
            assertEquals(90029, ((HourglassException) e.getCause()).number());
            assertTrue(e.getCause().getMessage().contains("BackupFailThreshold"), e.getCause().getMessage());
            c.execute("CALL ttCkpt()"); // the slot is free again
        }
    }
}
