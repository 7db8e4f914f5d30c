package io.hourglass.engine.log;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads the log from its first file and hands every valid record, in LSN order, to a consumer.
 * It applies the validity rule of {@link io.hourglass.engine.log}: reading stops at the first
 * invalid record. If that record is in the last file that holds records, it is a torn tail (a
 * crash during a write): reported as TT0744 and ignored. If a later file holds valid records, the
 * log is damaged in the middle and reading fails with TT0848 rather than drop committed work.
 */
public final class LogReader {
    /**
     * What reading found.
     *
     * @param end where appending continues (just after the last valid record)
     * @param databaseId the database id in the files' headers (0 when there is no log)
     * @param tornTail a description of ignored data after the end, or null when the tail is clean
     * @param lastRecordType the type of the last valid record (SHUTDOWN after a clean close), 0 if none
     */
    public record Result(long end, long databaseId, int files, long records, String tornTail, byte lastRecordType) {
        public boolean empty() { return files == 0; }
    }

    private LogReader() {}

    /** Reads the whole log, which must start at its first file (nothing purged). */
    public static Result read(LogFiles files, Consumer<LogRecord> sink) throws IOException {
        return read(files, Lsn.pack(0, LogFormat.FILE_HEADER), sink);
    }

    /**
     * Reads the log from {@code from} (a checkpoint's redo LSN, a record boundary); files before
     * it are not read. With no log file at or after {@code from}, the log is empty and ends there.
     */
    public static Result read(LogFiles files, long from, Consumer<LogRecord> sink) throws IOException {
        Lsn start = Lsn.of(from);
        TreeMap<Integer, Path> list = new TreeMap<>(files.list().tailMap(start.file(), true));
        if (list.isEmpty()) return new Result(from, 0, 0, 0, null, (byte) 0);
        if (list.firstKey() != start.file()) {
            throw ErrorCode.RECOVERY_FAILED.error("log file " + files.path(start.file()) + ", where recovery must start, is missing");
        }
        StorageIo io = files.io();
        long fileSize = files.fileSize();
        byte[] data = new byte[(int) fileSize];
        long databaseId = 0;
        long records = 0;
        byte lastType = 0;
        int expected = list.firstKey();
        for (Map.Entry<Integer, Path> e : list.entrySet()) {
            int fileNo = e.getKey();
            if (fileNo != expected) {
                throw ErrorCode.RECOVERY_FAILED.error("log file " + files.path(expected) + " is missing");
            }
            expected++;
            int n = readFully(io, e.getValue(), data);
            LogFormat.Header h = LogFormat.readFileHeader(data, fileNo);
            if (h == null || n < fileSize) {
                if (fileNo == list.lastKey() && h == null) {
                    // A file whose creation was cut short holds nothing: the log ends before it.
                    return new Result(Math.max(from, Lsn.pack(fileNo, LogFormat.FILE_HEADER)), databaseId, list.size(), records,
                            null, lastType);
                }
                throw ErrorCode.RECOVERY_FAILED.error("log file " + e.getValue() + " has a bad header or size");
            }
            if (databaseId == 0) databaseId = h.databaseId();
            if (h.databaseId() != databaseId) {
                throw ErrorCode.RECOVERY_FAILED.error("log file " + e.getValue() + " belongs to another database");
            }
            long off = fileNo == start.file() ? Math.max(start.offset(), LogFormat.FILE_HEADER) : LogFormat.FILE_HEADER;
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            while (true) {
                if (fileSize - off < LogFormat.RECORD_HEADER) break; // no room for a record: next file
                String invalid = check(b, data, fileNo, off, fileSize);
                if (invalid != null) {
                    boolean zeros = allZero(data, (int) off, (int) fileSize);
                    boolean laterRecords = laterFileHasRecords(files, list, fileNo, data);
                    if (laterRecords) {
                        throw ErrorCode.RECOVERY_FAILED.error("invalid log record at " + Lsn.of(Lsn.pack(fileNo, off))
                                + " (" + invalid + ") with valid records in later files");
                    }
                    String torn = zeros ? null : invalid;
                    return new Result(Lsn.pack(fileNo, off), databaseId, list.size(), records, torn, lastType);
                }
                int len = b.getInt((int) off);
                byte type = data[(int) off + 16];
                if (type == LogRecord.END_OF_FILE) break;
                LogRecord r;
                try {
                    r = decodeAt(b, data, (int) off, Lsn.pack(fileNo, off));
                } catch (IllegalArgumentException ex) {
                    // A record whose CRC matches but whose payload does not parse was written by
                    // a different format: never guess.
                    throw ErrorCode.RECOVERY_FAILED.error("unreadable log record at " + Lsn.of(Lsn.pack(fileNo, off)) + ": " + ex.getMessage());
                }
                sink.accept(r);
                records++;
                lastType = type;
                off += len;
            }
            if (fileNo == list.lastKey()) {
                // The last file was full (or closed by END_OF_FILE): the log continues in a new one.
                return new Result(Lsn.pack(fileNo + 1, LogFormat.FILE_HEADER), databaseId, list.size(), records, null, lastType);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Why the record at {@code off} is invalid, or null if it is valid. */
    private static String check(ByteBuffer b, byte[] data, int fileNo, long off, long fileSize) {
        return check(b, data, (int) off, fileNo, off, fileSize - off);
    }

    /**
     * Why the record at {@code data[at]}, which sits at {@code offset} in log file {@code fileNo}
     * with {@code room} bytes of the file from there on, is invalid; null if it is valid.
     */
    static String check(ByteBuffer b, byte[] data, int at, int fileNo, long offset, long room) {
        int len = b.getInt(at);
        if (len == 0) return "end of the written log";
        if (len < LogFormat.RECORD_HEADER || len > room || at + (long) len > data.length) return "bad length " + len;
        if (b.getInt(at + 8) != fileNo || (b.getInt(at + 12) & 0xFFFF_FFFFL) != offset) return "wrong LSN";
        CRC32C crc = new CRC32C();
        crc.update(data, at + 16, len - 16);
        if (b.getInt(at + 4) != (int) crc.getValue()) return "checksum mismatch";
        return null;
    }

    /** Decodes the valid record at {@code data[at]}; IllegalArgumentException if its payload does not parse. */
    static LogRecord decodeAt(ByteBuffer b, byte[] data, int at, long lsn) {
        int len = b.getInt(at);
        ByteBuffer payload = ByteBuffer.wrap(data, at + LogFormat.RECORD_HEADER, len - LogFormat.RECORD_HEADER)
                .slice().order(ByteOrder.LITTLE_ENDIAN);
        return LogCodec.decode(lsn, data[at + 16], b.getLong(at + 20), payload);
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    /** Whether {@code d[from, to)} is all zero: the rest of a preallocated file after its last record. */
    static boolean allZero(byte[] d, int from, int to) {
        // Arrays.mismatch compares in wide words (vectorised in the JVM and in a native image);
        // a byte loop over a 64 MB file's tail cost a native start about 60 ms.
        for (int i = from; i < to; i += ZEROS.length) {
            int n = Math.min(ZEROS.length, to - i);
            if (Arrays.mismatch(d, i, i + n, ZEROS, 0, n) >= 0) return false;
        }
        return true;
    }

    /** Whether a file after {@code fileNo} holds a valid record; reads them into {@code scratch}, whose contents it replaces. */
    private static boolean laterFileHasRecords(LogFiles files, TreeMap<Integer, Path> list, int fileNo, byte[] scratch) throws IOException {
        byte[] data = scratch;
        for (Map.Entry<Integer, Path> e : list.tailMap(fileNo, false).entrySet()) {
            int n = readFully(files.io(), e.getValue(), data);
            if (n < LogFormat.FILE_HEADER + LogFormat.RECORD_HEADER || LogFormat.readFileHeader(data, e.getKey()) == null) continue;
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            if (check(b, data, e.getKey(), LogFormat.FILE_HEADER, files.fileSize()) == null) return true;
        }
        return false;
    }

    private static int readFully(StorageIo io, Path p, byte[] into) throws IOException {
        try (StorageIo.FileHandle h = io.open(p, false)) {
            return h.readFully(0, ByteBuffer.wrap(into));
        }
    }
}
