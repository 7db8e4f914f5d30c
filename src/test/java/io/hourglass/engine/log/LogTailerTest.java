package io.hourglass.engine.log;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Following the log: whole transactions, in order, across files, resumable anywhere. */
class LogTailerTest {
    @TempDir
    Path dir;

    @Test
    void handsOutEveryCommittedTransactionOnceInOrderAcrossFilesAndResumes() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("TL", dir.resolve("tl").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
        String pad = "x".repeat(3000);
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("TL", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note VARCHAR2(4000))");
            c.setAutocommit(false);
            for (int k = 0; k < 4000; k++) { // about 12 MB: two log files
                c.execute("INSERT INTO t VALUES (?, ?)", k, pad);
                if (k % 3 == 2) c.commit().toCompletableFuture().join();
            }
            c.execute("UPDATE t SET note = 'u' WHERE id < 10");
            c.execute("DELETE FROM t WHERE id = 11");
            c.rollback(); // a rollback writes nothing
            c.execute("DELETE FROM t WHERE id = 12");
            c.commit(true).toCompletableFuture().join();
            TransactionLog log = i.database("TL").log();
            long synced = log.syncedLsn();
            assertTrue(Lsn.of(synced).file() >= 1, "the workload spans log files");

            List<LogTailer.Committed> all = new ArrayList<>();
            try (LogTailer t = new LogTailer(log.files(), Lsn.pack(0, LogFormat.FILE_HEADER))) {
                // A bound in the middle hands out only what is complete before it.
                long middle = Lsn.pack(0, log.files().fileSize() / 2);
                int first = t.poll(middle, all::add);
                assertTrue(first > 0 && all.getLast().endLsn() <= middle);
                t.poll(synced, all::add);
                assertEquals(synced, t.position());
                assertEquals(0, t.poll(synced, all::add), "nothing twice");
            }
            assertEquals(1 + 1333 + 1, all.size()); // CREATE TABLE, 1333 insert commits (the rollback took row 3999), the delete
            assertTrue(all.getFirst().records().getFirst() instanceof LogRecord.Ddl);
            int rows = 0;
            for (int k = 0; k < all.size(); k++) {
                LogTailer.Committed x = all.get(k);
                if (k > 0) assertEquals(all.get(k - 1).endLsn(), x.startLsn(), "contiguous");
                assertTrue(x.records().getLast() instanceof LogRecord.Commit);
                for (LogRecord r : x.records()) {
                    assertEquals(x.txnId(), r.txnId());
                    if (r instanceof LogRecord.RowImage ri && ri.insert()) rows++;
                }
            }
            assertEquals(3999, rows);
            LogTailer.Committed last = all.getLast();
            assertEquals(2, last.records().size());
            assertTrue(last.records().getFirst() instanceof LogRecord.RowDelete d && d.rowId() >= 0);

            // Resuming from any transaction's end hands out exactly the rest.
            LogTailer.Committed mid = all.get(700);
            List<LogTailer.Committed> rest = new ArrayList<>();
            try (LogTailer t = new LogTailer(log.files(), mid.endLsn())) {
                t.poll(synced, rest::add);
            }
            assertEquals(all.subList(701, all.size()).stream().map(LogTailer.Committed::endLsn).toList(),
                    rest.stream().map(LogTailer.Committed::endLsn).toList());
        }
    }

    /**
     * After a crash the log goes on in the next file, behind an END_OF_FILE record written where
     * the crashed run's log ended: a tailer resuming there (as the Kafka archive does) or reading
     * from the start follows it, and hands out every transaction once, in order.
     */
    @Test
    void theTailerFollowsTheLogIntoTheNextFileAfterACrash() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("CR", dir.resolve("cr").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
        io.hourglass.engine.Crashable dying = io.hourglass.engine.Crashable.open(cfg);
        long crashEnd;
        try (Connection c = dying.instance().connect("CR", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            c.setDurableCommits(true);
            for (int k = 0; k < 5; k++) c.execute("INSERT INTO t VALUES (?)", k);
            crashEnd = dying.instance().database("CR").log().syncedLsn();
        }
        dying.kill();
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("CR", "admin", TestInstances.ADMIN_PASSWORD)) {
            for (int k = 5; k < 8; k++) c.execute("INSERT INTO t VALUES (?)", k);
            c.execute("CALL ttDurableCommit()");
            TransactionLog log = i.database("CR").log();
            assertEquals(1, Lsn.of(log.syncedLsn()).file(), "the log went on in file 1");
            List<LogTailer.Committed> all = new ArrayList<>(), rest = new ArrayList<>();
            try (LogTailer t = new LogTailer(log.files(), Lsn.pack(0, LogFormat.FILE_HEADER))) {
                t.poll(log.syncedLsn(), all::add);
            }
            try (LogTailer t = new LogTailer(log.files(), crashEnd)) {
                t.poll(log.syncedLsn(), rest::add);
            }
            assertEquals(1 + 8, all.size(), "CREATE TABLE and eight inserts");
            assertEquals(all.subList(6, 9).stream().map(LogTailer.Committed::endLsn).toList(),
                    rest.stream().map(LogTailer.Committed::endLsn).toList(), "resumed at the crash's end: the three after it");
            assertTrue(Lsn.of(rest.getFirst().records().getFirst().lsn()).file() == 1);
        }
    }

    @Test
    void shutdownAndOpenedRecordsBetweenTwoTransactionsDoNotPartThem() throws Exception {
        DatabaseConfig cfg = DatabaseConfig.defaults("SD", dir.resolve("sd").toString()).withLog(8, 1).withCheckpoints(0, 0, 0);
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("SD", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            c.execute("INSERT INTO t VALUES (1)");
        } // a clean shutdown: a SHUTDOWN record, and the unload checkpoint
        try (Instance i = TestInstances.with(cfg); Connection c = i.connect("SD", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("INSERT INTO t VALUES (2)");
            c.execute("CALL ttDurableCommit()");
            TransactionLog log = i.database("SD").log();
            List<LogTailer.Committed> all = new ArrayList<>();
            try (LogTailer t = new LogTailer(log.files(), Lsn.pack(0, LogFormat.FILE_HEADER))) {
                t.poll(log.syncedLsn(), all::add);
            }
            assertEquals(3, all.size());
            assertTrue(all.get(2).startLsn() == all.get(1).endLsn(), "the next transaction starts where the last ended");
            assertTrue(all.get(2).records().getFirst().lsn() > all.get(1).endLsn(), "with the shutdown record between them");
            // The load went on after the SHUTDOWN with an OPENED record: no part of a transaction either.
            assertEquals(List.of(LogRecord.RowImage.class, LogRecord.Commit.class),
                    all.get(2).records().stream().map(Object::getClass).toList());
        }
    }
}
