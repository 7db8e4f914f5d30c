package io.hourglass.archive;

import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restores from the Kafka archive alone, against a real KRaft broker in this JVM. */
class KafkaRestoreTest {
    private static KafkaBroker.Running kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() throws Exception {
        kafka = KafkaBroker.forTest();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
    }

    private static ArchiveTopics topics(String prefix, String db) {
        return new ArchiveTopics(Map.of("bootstrap.servers", kafka.servers()), prefix + "-" + KafkaBroker.RUN, db);
    }

    static void waitFor(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 60 s");
            Thread.sleep(20);
        }
    }

    /** A digest of every table's rows (sorted), and of the table list: equal digests, equal contents. */
    static String checksum(Instance i, String dsn) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Database db = i.database(dsn);
        List<Table> tables = new ArrayList<>(db.catalog().tables());
        tables.sort(Comparator.comparing(t -> t.owner() + "." + t.name()));
        try (Connection c = i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD)) {
            for (Table t : tables) {
                md.update((t.owner() + "." + t.name() + "\n").getBytes(StandardCharsets.UTF_8));
                List<String> rows = new ArrayList<>();
                for (Object[] r : c.execute("SELECT * FROM " + t.owner() + "." + t.name()).rows()) rows.add(Arrays.deepToString(r));
                rows.sort(null);
                for (String r : rows) md.update((r + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long rowCount(Instance i, String dsn, String table) {
        try (Connection c = i.connect(dsn, "admin", TestInstances.ADMIN_PASSWORD)) {
            return ((Number) c.execute("SELECT COUNT(*) FROM " + table).rows().getFirst()[0]).longValue();
        }
    }

    /** Runs both shippers for {@code db} until everything committed and the newest checkpoint are archived. */
    private static final class Archiving implements AutoCloseable {
        final KafkaLogShipper log;
        final KafkaCheckpointShipper ckpt;
        final Database db;

        Archiving(Database db, ArchiveTopics t) {
            this.db = db;
            log = new KafkaLogShipper(db, t, KafkaLogShipper.Settings.defaults());
            ckpt = new KafkaCheckpointShipper(db, t);
            log.start();
            ckpt.start();
        }

        void awaitCaughtUp() throws InterruptedException {
            db.transactions().flushDurably().toCompletableFuture().join();
            long synced = db.log().syncedLsn();
            waitFor(() -> log.acknowledgedLsn() >= synced);
            var newest = db.checkpointer().newest();
            if (newest != null) waitFor(() -> ckpt.archivedCheckpointId() >= newest.checkpointId());
        }

        @Override
        public void close() {
            ckpt.close();
            log.close();
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    @Test
    void roundTripFromKafkaAloneGivesIdenticalContentsAndTheArchiveGoesOn() throws Exception {
        Path src = dir.resolve("node1");
        DatabaseConfig cfg = DatabaseConfig.defaults("SHOP", src.resolve("shop").toString()).withLog(8, 2).withCheckpoints(0, 0, 0);
        ArchiveTopics t = topics("rt", "SHOP");
        String before;
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("SHOP", "admin", TestInstances.ADMIN_PASSWORD);
             Archiving a = new Archiving(i.database("SHOP"), t)) {
            c.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR2(200), qty INTEGER)");
            c.execute("CREATE USER clerk IDENTIFIED BY 'pw'");
            c.execute("GRANT SELECT ON item TO clerk");
            for (int k = 0; k < 3000; k++) c.execute("INSERT INTO item VALUES (?, ?, ?)", k, "item-" + k, k % 17);
            // A fuzzy checkpoint while writers go on: the image is not transaction-consistent.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger(3000);
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Connection w = i.connect("SHOP", "admin", TestInstances.ADMIN_PASSWORD)) {
                    while (!stop.get()) {
                        int k = next.getAndIncrement();
                        w.execute("INSERT INTO item VALUES (?, 'during', 1)", k);
                        w.execute("UPDATE item SET qty = qty + 1 WHERE id = ?", k % 3000);
                    }
                }
            });
            Thread.sleep(50);
            i.database("SHOP").checkpointer().checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "test", 0));
            stop.set(true);
            writer.join();
            // More work after the checkpoint: updates, deletes, DDL, and a transaction split in parts.
            c.execute("DELETE FROM item WHERE id < 100");
            c.execute("UPDATE item SET name = 'renamed' WHERE id BETWEEN 500 AND 600");
            c.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body VARCHAR2(4000))");
            c.execute("CREATE INDEX item_qty ON item (qty)");
            c.setAutocommit(false);
            for (int k = 0; k < 400; k++) c.execute("INSERT INTO note VALUES (?, ?)", k, "x".repeat(3900));
            c.commit(true).toCompletableFuture().join();
            c.setAutocommit(true);
            // CREATE TABLE ... AS SELECT: its CREATE TABLE and its 1.5 MB of rows are one transaction, shipped in parts.
            c.execute("CREATE TABLE note_copy (id PRIMARY KEY, body) AS SELECT id, body FROM note");
            a.awaitCaughtUp();
            before = checksum(i, "SHOP");
            assertTrue(a.ckpt.archivedCheckpointId() >= 1);
        }
        deleteTree(src); // the node's disk is gone

        List<KafkaRestore.Progress> seen = new ArrayList<>();
        KafkaRestore.Result r = KafkaRestore.run(t, cfg, FileStorageIo.INSTANCE, KafkaRestore.Target.end(), 2, seen::add);
        assertTrue(r.checkpointId() >= 1, "started from the archived checkpoint");
        assertTrue(r.snapshotBytes() > 0 && r.transactions() > 0);
        assertFalse(r.newDatabaseId(), "the whole archive: the same database goes on");
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("log")));
        assertEquals("done", seen.getLast().phase());

        try (Instance i = TestInstances.with(cfg)) {
            assertEquals(before, checksum(i, "SHOP"));
            assertEquals(400, rowCount(i, "SHOP", "note_copy"), "the CREATE TABLE ... AS SELECT restored with its rows");
            assertEquals(0, i.database("SHOP").recovery().transactions(), "the restored database loads with no log to replay");
            try (Connection clerk = i.connect("SHOP", "clerk", "pw")) {
                assertTrue(clerk.execute("SELECT COUNT(*) FROM admin.item").rows().size() == 1, "users and grants restored");
            }
            // The archive goes on after the restore: same topic, no gap, no duplicate.
            try (Connection c = i.connect("SHOP", "admin", TestInstances.ADMIN_PASSWORD);
                 Archiving a = new Archiving(i.database("SHOP"), t)) {
                c.execute("INSERT INTO note VALUES (100000, 'after restore')");
                a.awaitCaughtUp();
            }
        }
        List<LogTransaction> all = new ArrayList<>();
        t.readAll(t.log(), 0, rec -> all.add(LogTransaction.parseFrom(rec.value())));
        long end = all.getFirst().getStartLsn();
        for (LogTransaction x : all) {
            assertEquals(end, x.getStartLsn(), "continuity across the restore");
            if (x.getPart() == x.getParts() - 1) end = x.getEndLsn();
        }
    }

    @Test
    void pointInTimeGivesExactlyTheFirstOfTwoTransactionsAndForksWithANewIdentity() throws Exception {
        Path src = dir.resolve("pitr");
        DatabaseConfig cfg = DatabaseConfig.defaults("LEDGER", src.resolve("ledger").toString()).withLog(8, 2).withCheckpoints(0, 0, 0);
        ArchiveTopics t = topics("pitr", "LEDGER");
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("LEDGER", "admin", TestInstances.ADMIN_PASSWORD);
             Archiving a = new Archiving(i.database("LEDGER"), t)) {
            c.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, amount INTEGER)");
            for (int k = 0; k < 50; k++) c.execute("INSERT INTO entry VALUES (?, 10)", k);
            i.database("LEDGER").checkpointer().checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "test", 0));
            c.execute("INSERT INTO entry VALUES (1000, 1)"); // the first
            Thread.sleep(30);
            c.execute("INSERT INTO entry VALUES (1001, 2)"); // the second
            a.awaitCaughtUp();
        }
        List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
        t.readAll(t.log(), 0, recs::add);
        LogTransaction first = LogTransaction.parseFrom(recs.get(recs.size() - 2).value());
        LogTransaction second = LogTransaction.parseFrom(recs.getLast().value());
        assertTrue(second.getCommitTimeMillis() > first.getCommitTimeMillis());
        long between = first.getCommitTimeMillis() + (second.getCommitTimeMillis() - first.getCommitTimeMillis()) / 2;

        // Restores that stop before the topic's end leave the Kafka client nothing to complain
        // about: their fetching thread closes its consumer itself (it used to be interrupted, and
        // the consumer's close logged an ERROR at the end of every such restore).
        java.util.List<java.util.logging.LogRecord> kafkaErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler watch = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord rec) {
                if (rec.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) kafkaErrors.add(rec);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        java.util.logging.Logger kafkaLog = java.util.logging.Logger.getLogger("org.apache.kafka");
        kafkaLog.addHandler(watch);
        DatabaseConfig byTime = DatabaseConfig.defaults("BYTIME", dir.resolve("bytime/bytime").toString());
        DatabaseConfig byLsn = DatabaseConfig.defaults("BYLSN", dir.resolve("bylsn/bylsn").toString());
        try {
            KafkaRestore.Result r = KafkaRestore.run(t, byTime, FileStorageIo.INSTANCE, KafkaRestore.Target.time(between), 1, null);
            assertEquals(first.getEndLsn(), r.endLsn());
            assertTrue(r.newDatabaseId(), "stopping before the archive's end forks the history");
            KafkaRestore.run(t, byLsn, FileStorageIo.INSTANCE, KafkaRestore.Target.lsn(first.getEndLsn()), 1, null);
            for (Thread f : Thread.getAllStackTraces().keySet()) {
                if (f.getName().equals("hourglass-restore-fetch")) f.join(10_000); // its consumer closes as it ends
            }
        } finally {
            kafkaLog.removeHandler(watch);
        }
        assertEquals(List.of(), kafkaErrors.stream().map(java.util.logging.LogRecord::getMessage).toList());
        for (DatabaseConfig d : List.of(byTime, byLsn)) {
            try (Instance i = TestInstances.with(d); Connection c = i.connect(d.name(), "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(51L, rowCount(i, d.name(), "entry"));
                assertEquals(1, c.execute("SELECT id FROM entry WHERE id = 1000").rows().size(), "the first is there");
                assertEquals(0, c.execute("SELECT id FROM entry WHERE id = 1001").rows().size(), "the second is not");
            }
        }
        // A forked database never ships into the archive it came from.
        DatabaseConfig fork = byTime;
        try (Instance i = TestInstances.with(fork)) {
            ArchiveTopics original = topics("pitr", "LEDGER");
            try (KafkaLogShipper s = new KafkaLogShipper(i.database(fork.name()), original, KafkaLogShipper.Settings.defaults())) {
                s.start();
                waitFor(() -> s.status().lastError() != null);
                assertTrue(s.status().lastError().contains("another database"), s.status().lastError());
            }
        }
        // Restoring over an existing database is refused before any work, with a clear error.
        HourglassException e = assertThrows(HourglassException.class,
                () -> KafkaRestore.run(t, byLsn, FileStorageIo.INSTANCE, KafkaRestore.Target.end(), 1, null));
        assertEquals(90024, e.number());
        // A time before anything was archived: nothing to restore from.
        DatabaseConfig early = DatabaseConfig.defaults("EARLY", dir.resolve("early/early").toString());
        KafkaRestore.Result empty = KafkaRestore.run(t, early, FileStorageIo.INSTANCE, KafkaRestore.Target.time(0), 1, null);
        assertEquals(0, empty.transactions());
        assertNotEquals(0, empty.databaseId());
    }
}
