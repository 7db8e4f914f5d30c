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
 * invalid record. That is the clean end of the log when it is a zero length (the rest of a new
 * file) or, in a recycled file, anything but a record of this file's own life (what the file held
 * before, which the file's salt tells apart); a record of its own that fails its check is a torn
 * tail (a crash during a write), reported as TT0744 and ignored. If a later file holds
 * valid records, the log is damaged in the middle and reading fails with TT0848 rather than
 * drop committed work.
 */
public final class LogReader {
    /**
     * What reading found.
     *
     * @param end where appending continues (just after the last valid record)
     * @param databaseId the database id in the files' headers (0 when there is no log)
     * @param tornTail a description of ignored data after the end, or null when the tail is clean
     * @param lastRecordType the type of the last valid record (SHUTDOWN after a clean close), 0 if none
     * @param staleAfterEnd whether the end's file may hold records of its current number after
     *        the end (written before a crash, and not all of them reached the disk): appending
     *        must then not go on there, where new records could line up with them, but in the
     *        next file. False when the end is right after a SHUTDOWN (nothing followed it) or at
     *        the start of a file that does not exist yet.
     */
    public record Result(long end, long databaseId, int files, long records, String tornTail, byte lastRecordType,
                         boolean staleAfterEnd) {
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
        if (list.isEmpty()) return new Result(from, 0, 0, 0, null, (byte) 0, false);
        if (list.firstKey() != start.file()) {
            throw ErrorCode.RECOVERY_FAILED.error("log file " + files.path(start.file()) + ", where recovery must start, is missing");
        }
        long fileSize = files.fileSize();
        Window w = new Window();
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
            try (StorageIo.FileHandle f = files.io().open(e.getValue(), false)) {
                long size = f.size();
                w.open(f, Math.min(size, fileSize));
                int h0 = w.at(0, LogFormat.FILE_HEADER);
                LogFormat.Header h = h0 < 0 ? null : LogFormat.readFileHeader(w.data, fileNo);
                if (h == null || size < fileSize) {
                    if (fileNo == list.lastKey() && h == null) {
                        // A file whose creation was cut short holds nothing: the log ends before it.
                        return new Result(Math.max(from, Lsn.pack(fileNo, LogFormat.FILE_HEADER)), databaseId, list.size(), records,
                                null, lastType, false);
                    }
                    throw ErrorCode.RECOVERY_FAILED.error("log file " + e.getValue() + " has a bad header or size");
                }
                if (databaseId == 0) databaseId = h.databaseId();
                if (h.databaseId() != databaseId) {
                    throw ErrorCode.RECOVERY_FAILED.error("log file " + e.getValue() + " belongs to another database");
                }
                long off = fileNo == start.file() ? Math.max(start.offset(), LogFormat.FILE_HEADER) : LogFormat.FILE_HEADER;
                while (true) {
                    if (fileSize - off < LogFormat.RECORD_HEADER) break; // no room for a record: next file
                    int at = w.at(off, LogFormat.RECORD_HEADER);
                    int len = at < 0 ? 0 : w.b.getInt(at);
                    if (len > LogFormat.RECORD_HEADER && len <= fileSize - off) at = w.at(off, len); // the whole record in view
                    String invalid = at < 0 ? "a short read" : check(w.b, w.data, at, fileNo, off, fileSize - off, h.salt());
                    if (invalid != null) {
                        boolean clean = at >= 0 && (w.b.getInt(at) == 0 || h.recycled() && !ownLsn(w.b, at, fileNo, off));
                        boolean afterShutdown = lastType == LogRecord.SHUTDOWN && clean;
                        String torn = clean ? null : invalid;
                        if (clean && !afterShutdown && !h.recycled() && !w.zerosFrom(off)) {
                            // After a crash, in a file made new (zeros after its last record): bytes
                            // further on are writes from beyond the end that reached the disk when
                            // an earlier one did not. Only reported: appending goes on in the next file.
                            torn = "data after the last valid record";
                        }
                        if (laterFileHasRecords(files, list, fileNo, w)) {
                            throw ErrorCode.RECOVERY_FAILED.error("invalid log record at " + Lsn.of(Lsn.pack(fileNo, off))
                                    + " (" + invalid + ") with valid records in later files");
                        }
                        return new Result(Lsn.pack(fileNo, off), databaseId, list.size(), records, torn, lastType, !afterShutdown);
                    }
                    byte type = w.data[at + 16];
                    if (type == LogRecord.END_OF_FILE) break;
                    LogRecord r;
                    try {
                        r = decodeAt(w.b, w.data, at, Lsn.pack(fileNo, off));
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
            }
            if (fileNo == list.lastKey()) {
                // The last file was full (or closed by END_OF_FILE): the log continues in a new one.
                return new Result(Lsn.pack(fileNo + 1, LogFormat.FILE_HEADER), databaseId, list.size(), records, null, lastType, false);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * A view of one log file through a buffer that slides forward as records are read, so a log
     * file costs what it holds rather than its whole LogFileSize (64 MB by default, most of it
     * zeros at a restart), and no file-sized array is made. A record longer than the buffer
     * grows it. The buffer is reused from file to file.
     */
    static final class Window {
        static final int CHUNK = 1 << 20;

        byte[] data = new byte[CHUNK];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        private StorageIo.FileHandle f;
        private long limit;  // bytes of the file that may be read
        private long start;  // file offset of data[0]
        private int len;     // bytes of data that hold the file from start

        void open(StorageIo.FileHandle f, long limit) {
            this.f = f;
            this.limit = limit;
            this.start = 0;
            this.len = 0;
        }

        /**
         * Brings the file's bytes {@code [off, off + n)} into view, reading from {@code off} on as
         * much as the buffer holds; returns their index in {@link #data}, or -1 if the file ends first.
         */
        int at(long off, int n) throws IOException {
            if (off >= start && off + n <= start + len) return (int) (off - start);
            if (off + n > limit) return -1;
            if (n > data.length) {
                data = new byte[n];
                b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            }
            int want = (int) Math.min(data.length, limit - off);
            int got = f.readFully(off, ByteBuffer.wrap(data, 0, want));
            start = off;
            len = Math.max(0, got);
            return got < n ? -1 : 0;
        }

        /** Whether the file is all zeros from {@code off} to the end of what may be read. */
        boolean zerosFrom(long off) throws IOException {
            for (long pos = off; pos < limit; ) {
                int n = (int) Math.min(CHUNK, limit - pos);
                int at = at(pos, n);
                if (at < 0 || !allZero(data, at, at + n)) return false;
                pos += n;
            }
            return true;
        }
    }

    /**
     * Why the record at {@code data[at]}, which sits at {@code offset} in log file {@code fileNo}
     * with {@code room} bytes of the file from there on, is invalid; null if it is valid.
     */
    static String check(ByteBuffer b, byte[] data, int at, int fileNo, long offset, long room, int salt) {
        int len = b.getInt(at);
        if (len == 0) return "end of the written log";
        if (len < LogFormat.RECORD_HEADER || len > room || at + (long) len > data.length) return "bad length " + len;
        if (!ownLsn(b, at, fileNo, offset)) return "wrong LSN";
        CRC32C crc = new CRC32C();
        crc.update(data, at + 16, len - 16);
        if ((b.getInt(at + 4) ^ salt) != (int) crc.getValue()) return "checksum mismatch";
        return null;
    }

    /** Whether the record header at {@code at} names the place it is read from. */
    private static boolean ownLsn(ByteBuffer b, int at, int fileNo, long offset) {
        return b.getInt(at + 8) == fileNo && (b.getInt(at + 12) & 0xFFFF_FFFFL) == offset;
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

    /** Whether a file after {@code fileNo} holds a valid record at its start; reads through {@code w}. */
    private static boolean laterFileHasRecords(LogFiles files, TreeMap<Integer, Path> list, int fileNo, Window w) throws IOException {
        for (Map.Entry<Integer, Path> e : list.tailMap(fileNo, false).entrySet()) {
            try (StorageIo.FileHandle f = files.io().open(e.getValue(), false)) {
                long room = Math.min(f.size(), files.fileSize());
                w.open(f, room);
                if (w.at(0, LogFormat.FILE_HEADER + LogFormat.RECORD_HEADER) < 0) continue;
                LogFormat.Header h = LogFormat.readFileHeader(w.data, e.getKey());
                if (h == null) continue;
                int len = w.b.getInt(LogFormat.FILE_HEADER);
                int at = len > LogFormat.RECORD_HEADER && len <= room - LogFormat.FILE_HEADER ? w.at(LogFormat.FILE_HEADER, len) : LogFormat.FILE_HEADER;
                if (at >= 0 && check(w.b, w.data, at, e.getKey(), LogFormat.FILE_HEADER, files.fileSize() - LogFormat.FILE_HEADER, h.salt()) == null) return true;
            }
        }
        return false;
    }
}
