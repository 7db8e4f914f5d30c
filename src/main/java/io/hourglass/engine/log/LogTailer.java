package io.hourglass.engine.log;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the log files from a position and hands out whole committed transactions, in log
 * order: what the Kafka archive ships, and what a follower would apply. It reads only what its
 * caller says is safe (up to the synced LSN), from the files, so it never slows a commit and
 * can resume anywhere the files still cover (the caller's log hold keeps them).
 *
 * <p>Not thread-safe: one follower, one thread.
 */
public final class LogTailer implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    /**
     * One committed transaction.
     *
     * @param startLsn where reading for it began: just after the previous transaction
     * @param endLsn just after its COMMIT record: where the next transaction starts
     * @param records its row and DDL records, then its COMMIT
     */
    public record Committed(long startLsn, long endLsn, long txnId, long commitMillis, List<LogRecord> records) {}

    private final LogFiles files;
    private long position;                  // where reading resumes: a transaction boundary
    private long lastEnd;                   // just after the last transaction handed out
    private int openFile = -1;
    private StorageIo.FileHandle handle;
    private byte[] chunk = new byte[CHUNK];

    /** Follows from {@code from}, the start of a transaction (or of the log). */
    public LogTailer(LogFiles files, long from) {
        this.files = files;
        this.position = from;
        this.lastEnd = from;
    }

    /** Just after the last transaction handed out. */
    public long position() { return lastEnd; }

    /**
     * Where the next poll reads from: {@link #position()}, or past what followed it that
     * carries nothing (a SHUTDOWN, an OPENED, the end of a file). A follower may resume here.
     */
    public long readPosition() { return position; }

    /**
     * Hands out, in order, every transaction whose COMMIT record ends at or before
     * {@code upTo}, and returns how many. Records of a transaction not complete by then are
     * read again by the next poll. Rolled-back and shutdown records carry nothing to ship.
     */
    public int poll(long upTo, Consumer<Committed> sink) throws IOException { return poll(upTo, sink, Integer.MAX_VALUE); }

    /** As {@link #poll(long, Consumer)}, handing out at most {@code most} transactions (the next poll goes on after them). */
    public int poll(long upTo, Consumer<Committed> sink, int most) throws IOException {
        int handed = 0;
        long at = position;           // where reading goes on
        long txnStart = lastEnd;      // a shutdown record between two transactions does not part them
        List<LogRecord> pending = new ArrayList<>();
        while (at < upTo) {
            Lsn p = Lsn.of(at);
            long fileSize = files.fileSize();
            if (fileSize - p.offset() < LogFormat.RECORD_HEADER) {
                at = Lsn.pack(p.file() + 1, LogFormat.FILE_HEADER);
                continue;
            }
            // Read from here to the end of what may be read in this file.
            Lsn limit = Lsn.of(upTo);
            long end = limit.file() == p.file() ? limit.offset() : fileSize;
            int n = (int) Math.min(Math.max(end - p.offset(), 0), Integer.MAX_VALUE - 16);
            if (n < LogFormat.RECORD_HEADER) break;
            if (chunk.length < Math.min(n, CHUNK)) chunk = new byte[Math.min(n, CHUNK)];
            int len = read(p.file(), p.offset(), Math.min(n, chunk.length));
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, len).order(ByteOrder.LITTLE_ENDIAN);
            int salt = files.salt(p.file());
            int i = 0;
            boolean nextFile = false;
            while (len - i >= LogFormat.RECORD_HEADER) {
                int rlen = b.getInt(i);
                if (rlen > len - i) {
                    if (i == 0 && rlen <= fileSize - p.offset()) {
                        chunk = new byte[rlen]; // a record larger than the chunk: read it whole
                        len = read(p.file(), p.offset(), rlen);
                        b = ByteBuffer.wrap(chunk, 0, len).order(ByteOrder.LITTLE_ENDIAN);
                        if (len < rlen) break;
                    } else {
                        break;
                    }
                }
                long off = p.offset() + i;
                String invalid = LogReader.check(b, chunk, i, p.file(), off, fileSize - off, salt);
                if (invalid != null) {
                    throw ErrorCode.RECOVERY_FAILED.error("log record at " + Lsn.of(Lsn.pack(p.file(), off))
                            + " below the synced end is invalid (" + invalid + ")");
                }
                byte type = chunk[i + 16];
                i += rlen;
                if (type == LogRecord.END_OF_FILE) {
                    nextFile = true;
                    break;
                }
                LogRecord r = LogReader.decodeAt(b, chunk, i - rlen, Lsn.pack(p.file(), off));
                long after = Lsn.pack(p.file(), off + rlen);
                switch (r) {
                    case LogRecord.Commit c -> {
                        pending.add(c);
                        sink.accept(new Committed(txnStart, after, c.txnId(), c.commitMillis(), List.copyOf(pending)));
                        handed++;
                        pending.clear();
                        position = after;
                        lastEnd = after;
                        txnStart = after;
                        if (handed >= most) return handed;
                    }
                    case LogRecord.Shutdown s -> {
                        if (pending.isEmpty()) position = after;
                    }
                    case LogRecord.Opened o -> {
                        if (pending.isEmpty()) position = after;
                    }
                    case LogRecord.Rollback rb -> pending.removeIf(x -> x.txnId() == rb.txnId());
                    default -> pending.add(r);
                }
            }
            at = nextFile ? Lsn.pack(p.file() + 1, LogFormat.FILE_HEADER) : Lsn.pack(p.file(), p.offset() + i);
            if (nextFile && pending.isEmpty()) position = at;
            if (!nextFile && i == 0) break; // nothing whole to read before upTo
        }
        return handed;
    }

    private int read(int file, long offset, int n) throws IOException {
        if (file != openFile) {
            closeHandle();
            handle = files.io().open(files.path(file), false);
            openFile = file;
        }
        return handle.readFully(offset, ByteBuffer.wrap(chunk, 0, n));
    }

    private void closeHandle() throws IOException {
        if (handle != null) handle.close();
        handle = null;
        openFile = -1;
    }

    @Override
    public void close() throws IOException { closeHandle(); }
}
