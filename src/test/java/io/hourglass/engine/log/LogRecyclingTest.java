package io.hourglass.engine.log;

import io.hourglass.engine.spi.FileStorageIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Purged log files are kept as spares and become later files by a new header, and what they
 * held before is never read as records of what they have become.
 */
class LogRecyclingTest {
    private static final long SIZE = 1 << 20;
    private static final long DB = 7; // TestLogs.fresh's database id

    @TempDir
    Path dir;

    private final FileStorageIo io = new FileStorageIo();

    @Test
    void purgedFilesBecomeTheTwoNewestSparesAndTheRestAreDeleted() throws IOException {
        LogFiles files = new LogFiles(io, dir, "lr", SIZE);
        for (int n = 0; n <= 4; n++) files.create(n, DB);
        assertEquals(5, files.made());
        assertEquals(List.of(0, 1, 2, 3), files.purgeBefore(4, false));
        assertEquals(Set.of(4), files.list().keySet());
        assertEquals(Set.of(2, 3), files.spares().keySet(), "the newest purged files wait as spares");
        assertFalse(Files.exists(dir.resolve("lr.log0")) || Files.exists(dir.resolve("lr.log0.free")), "the others are deleted");

        files.create(5, DB);
        files.create(6, DB);
        assertEquals(2, files.reused());
        assertEquals(5, files.made(), "no zeros written for files 5 and 6");
        assertEquals(SIZE, Files.size(dir.resolve("lr.log5")));
        assertEquals(2, header(5).recycledFrom());
        assertEquals(3, header(6).recycledFrom());
        assertTrue(files.spares().isEmpty());
        files.create(7, DB);
        assertEquals(6, files.made(), "with no spare left, a file is made new");
        assertEquals(-1, header(7).recycledFrom());

        assertEquals(List.of(4, 5, 6), files.purgeBefore(7, true));
        assertTrue(files.spares().isEmpty(), "LogPurge=0 archives, keeps no spares");
        assertTrue(Files.exists(dir.resolve("lr.log5.arch")));
    }

    @Test
    void aSpareIsUsedOnlyForAHigherNumberOfTheSameDatabaseAtTheSameSize() throws IOException {
        LogFiles files = new LogFiles(io, dir, "lr", SIZE);
        for (int n = 0; n <= 5; n++) files.create(n, DB);
        files.purgeBefore(6, false); // spares 4 and 5
        files.create(3, DB); // a lower number (as after a restore that rewound the log)
        assertEquals(0, files.reused());
        assertEquals(-1, header(3).recycledFrom());
        assertTrue(files.spares().isEmpty(), "spares that can never be used are deleted");

        files.create(6, DB);
        files.purgeBefore(6, false); // spare 3
        new LogFiles(io, dir, "lr", SIZE).create(10, DB + 1);
        assertEquals(-1, header(10).recycledFrom(), "another database's spare is not used");
        assertTrue(files.spares().isEmpty());

        files.create(11, DB);
        files.purgeBefore(11, false); // spares 6 and 10
        LogFiles bigger = new LogFiles(io, dir, "lr", 2 * SIZE);
        bigger.create(12, DB);
        assertEquals(0, bigger.reused(), "a spare of another LogFileSize is not used");
        assertEquals(2 * SIZE, Files.size(dir.resolve("lr.log12")));
    }

    /**
     * A log that runs on into recycled files, whose earlier records lie behind their headers:
     * reading returns exactly the records of this life, and ends cleanly where they stop.
     */
    @Test
    void recordsOfARecycledFilesEarlierLifeAreTheCleanEndNotRecords() throws Exception {
        byte[] image = new byte[1000];
        long txn = 0, end;
        List<Long> appendedFrom2 = new ArrayList<>();
        try (TransactionLog log = TestLogs.fresh(io, dir, "lr", SIZE)) {
            end = 0;
            while (Lsn.of(end).file() < 2) end = log.append(commit(++txn, image));
            log.whenDurable(end).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(0, 1), log.purge(false));
            assertEquals(Set.of(0, 1), log.files().spares().keySet());
            // On through files 3 and 4, both made from the spares, and a little into file 4:
            // the rest of it holds file 0's or 1's records from the same offsets on.
            while (Lsn.of(end).file() < 4 || Lsn.of(end).offset() < SIZE / 3) {
                end = log.append(commit(++txn, image));
                appendedFrom2.add(txn);
            }
            log.whenDurable(end).get(10, TimeUnit.SECONDS);
            assertEquals(2, log.files().reused());
        }
        assertTrue(header(3).recycled() && header(4).recycled());

        List<Long> commits = new ArrayList<>();
        LogFiles files = new LogFiles(io, dir, "lr", SIZE);
        LogReader.Result r = LogReader.read(files, Lsn.pack(2, LogFormat.FILE_HEADER), rec -> {
            if (rec instanceof LogRecord.Commit c) commits.add(c.txnId());
        });
        assertEquals(end, r.end(), "the log ends right after the last record of this life");
        assertNull(r.tornTail(), "a recycled file's old records are its clean end, not a torn tail");
        assertTrue(r.staleAfterEnd(), "no SHUTDOWN: appending goes on in the next file");
        assertTrue(commits.containsAll(appendedFrom2));
        assertEquals(txn, commits.getLast());
        for (int i = 1; i < commits.size(); i++) assertEquals(commits.get(i - 1) + 1, commits.get(i), "no record of an earlier life");
        assertTrue(header(4).salt() != header(2).salt() || header(4).salt() != header(3).salt());
    }

    /**
     * Bytes shaped like a valid record (a row's value can hold anything) at the end of a file,
     * with the LSN of that place and a CRC of their content: without the file's salt they are
     * not a record, so a recycled file's leftovers or a forged transaction never extend the log.
     */
    @Test
    void aRecordWithoutTheFilesSaltIsNotARecord() throws Exception {
        long end;
        try (TransactionLog log = TestLogs.fresh(io, dir, "lr", SIZE)) {
            end = 0;
            for (long txn = 1; txn <= 10; txn++) end = log.append(commit(txn, new byte[100]));
            log.whenDurable(end).get(10, TimeUnit.SECONDS);
        }
        LogBatch forged = commit(999, new byte[100]);
        byte[] bytes = new byte[forged.bytes()];
        Lsn at = Lsn.of(end);
        for (int i = 0, pos = 0; i < forged.records(); i++) {
            // As an older file's record would be: the LSN of the place, the plain CRC (salt 0).
            LogFormat.place(forged.buffer(), forged.start(i), forged.length(i), bytes, pos, at.file(), at.offset() + pos, 0);
            pos += forged.length(i);
        }
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("lr.log0"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at.offset());
        }
        List<Long> commits = new ArrayList<>();
        LogReader.Result r = LogReader.read(new LogFiles(io, dir, "lr", SIZE), rec -> {
            if (rec instanceof LogRecord.Commit c) commits.add(c.txnId());
        });
        assertEquals(10, commits.size());
        assertFalse(commits.contains(999L), "the forged transaction is not read");
        assertEquals(end, r.end());
        assertTrue(r.tornTail() != null, "in a file made new, a bad record there is a torn tail");
    }

    /**
     * A log file of format version 1 (before recycling: no salt, plain CRCs) is read as it was
     * written, and a load goes on in it; a version 1 header with a salt is not a version 1 header.
     */
    @Test
    void aVersion1FileIsReadWithoutASaltAndAppendedTo() throws Exception {
        long size = SIZE;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        ByteBuffer file = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        file.put(LogFormat.MAGIC).putInt(1).putInt(0).putLong(DB).putLong(System.currentTimeMillis());
        crc.update(file.array(), 0, 60);
        file.putInt(60, (int) crc.getValue());
        int at = LogFormat.FILE_HEADER;
        for (long txn = 1; txn <= 3; txn++) {
            LogBatch b = commit(txn, new byte[50]);
            for (int i = 0; i < b.records(); i++) {
                LogFormat.place(b.buffer(), b.start(i), b.length(i), file.array(), at, 0, at, 0);
                at += b.length(i);
            }
        }
        Files.write(dir.resolve("lr.log0"), file.array());
        List<Long> commits = new ArrayList<>();
        LogReader.Result r = LogReader.read(new LogFiles(io, dir, "lr", SIZE), rec -> {
            if (rec instanceof LogRecord.Commit c) commits.add(c.txnId());
        });
        assertEquals(List.of(1L, 2L, 3L), commits);
        assertEquals(Lsn.pack(0, at), r.end());
        assertNull(r.tornTail());

        // After a crash (no SHUTDOWN) the log goes on in a new file of version 2; the old one is
        // closed with an END_OF_FILE record written without a salt, as its records were.
        try (TransactionLog log = new TransactionLog(new LogFiles(io, dir, "lr", SIZE), TransactionLog.Settings.defaults(1 << 20),
                DB, r.end(), r.staleAfterEnd(), e -> { })) {
            log.whenDurable(log.append(commit(4, new byte[50]))).get(10, TimeUnit.SECONDS);
        }
        commits.clear();
        LogReader.read(new LogFiles(io, dir, "lr", SIZE), rec -> {
            if (rec instanceof LogRecord.Commit c) commits.add(c.txnId());
        });
        assertEquals(List.of(1L, 2L, 3L, 4L), commits);
        assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(dir.resolve("lr.log1")), 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());

        byte[] salted = java.util.Arrays.copyOf(file.array(), LogFormat.FILE_HEADER);
        ByteBuffer.wrap(salted).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 12345);
        crc.reset();
        crc.update(salted, 0, 60);
        ByteBuffer.wrap(salted).order(ByteOrder.LITTLE_ENDIAN).putInt(60, (int) crc.getValue());
        assertNull(LogFormat.readFileHeader(salted, 0), "version 1 had no salt");
    }

    private static LogBatch commit(long txn, byte[] image) {
        return new LogBatch().rowImage(txn, true, 1, txn, image).commit(txn, System.currentTimeMillis());
    }

    private LogFormat.Header header(int fileNo) throws IOException {
        byte[] h = new byte[LogFormat.FILE_HEADER];
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("lr.log" + fileNo))) {
            ch.read(ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN), 0);
        }
        LogFormat.Header header = LogFormat.readFileHeader(h, fileNo);
        assertTrue(header != null, "log file " + fileNo + " has its own header");
        return header;
    }
}
