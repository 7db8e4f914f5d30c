package io.hourglass.engine.log;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.CatalogChange;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The records of one commit, encoded back to back in one reusable buffer, each complete with
 * header and CRC (docs/FORMAT.md) except its LSN, which {@link TransactionLog#append} fills in
 * when it copies the records into the log buffer. Building a batch needs no lock; one batch is
 * used by one thread at a time and may be cleared and reused for the next commit, which spares
 * the commit path nearly all its allocation.
 */
public final class LogBatch {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The most one batch holds: one array, and an append copies it into the log buffer under the commit lock. */
    static final int MAX_BYTES = 1 << 30;

    private byte[] buf = new byte[1024];
    private int len;
    private int[] starts = new int[8];
    private int count;
    private boolean commits;
    private final CRC32C crc = new CRC32C();

    public LogBatch clear() {
        commits = false;
        len = 0;
        count = 0;
        return this;
    }

    public int records() { return count; }

    public int bytes() { return len; }

    /** The buffer's size: what the batch keeps allocated when cleared. */
    public int capacity() { return buf.length; }

    int start(int i) { return starts[i]; }

    int length(int i) { return (int) INT.get(buf, starts[i]); }

    byte[] buffer() { return buf; }

    /** The bytes a row record takes: INSERT or UPDATE with an image of {@code imageBytes}, or DELETE (-1). */
    public static int rowRecordBytes(int imageBytes) {
        return LogFormat.RECORD_HEADER + (imageBytes < 0 ? 16 : 20 + imageBytes);
    }

    /**
     * Makes room for {@code bytes} more in {@code records} more records at once, so a large
     * commit's batch is one allocation of its size, not a run of doublings; TT0802 past
     * {@link #MAX_BYTES}.
     */
    public LogBatch reserve(long bytes, int records) {
        if (len + bytes > MAX_BYTES) throw tooLarge();
        if (len + bytes > buf.length) buf = Arrays.copyOf(buf, (int) (len + bytes));
        if (count + records > starts.length) starts = Arrays.copyOf(starts, count + records);
        return this;
    }

    private static HourglassException tooLarge() {
        return ErrorCode.SPACE_EXHAUSTED.error("temporary", String.format(
                ": a commit's log records are limited to %d MB; commit in smaller transactions", MAX_BYTES >> 20));
    }

    /** INSERT or UPDATE: the row's complete new image. */
    public LogBatch rowImage(long txnId, boolean insert, long tableId, long rowId, byte[] image) {
        int at = begin(insert ? LogRecord.INSERT : LogRecord.UPDATE, txnId, 20 + image.length);
        LONG.set(buf, at, tableId);
        LONG.set(buf, at + 8, rowId);
        INT.set(buf, at + 16, image.length);
        System.arraycopy(image, 0, buf, at + 20, image.length);
        return end();
    }

    /** BEFORE: the row's committed image before the transaction, null if it is new. */
    public LogBatch rowBefore(long txnId, long tableId, long rowId, byte[] image) {
        int n = image == null ? 0 : image.length;
        int at = begin(LogRecord.BEFORE, txnId, 20 + n);
        LONG.set(buf, at, tableId);
        LONG.set(buf, at + 8, rowId);
        INT.set(buf, at + 16, image == null ? -1 : n);
        if (image != null) System.arraycopy(image, 0, buf, at + 20, n);
        return end();
    }

    /** The bytes a BEFORE record takes with an image of {@code imageBytes} (-1: none). */
    public static int beforeRecordBytes(int imageBytes) {
        return LogFormat.RECORD_HEADER + 20 + Math.max(imageBytes, 0);
    }

    public LogBatch rowDelete(long txnId, long tableId, long rowId) {
        int at = begin(LogRecord.DELETE, txnId, 16);
        LONG.set(buf, at, tableId);
        LONG.set(buf, at + 8, rowId);
        return end();
    }

    /** Whether the batch commits a transaction (holds a COMMIT record). */
    public boolean commits() { return commits; }

    public LogBatch commit(long txnId, long commitMillis) {
        commits = true;
        int at = begin(LogRecord.COMMIT, txnId, 8); // first: begin may replace buf
        LONG.set(buf, at, commitMillis);
        return end();
    }

    /** The bytes of {@code change}'s DDL record. */
    public static int ddlRecordBytes(CatalogChange change) { return LogFormat.RECORD_HEADER + LogCodec.ddlPayload(change).length; }

    public LogBatch ddl(long txnId, CatalogChange change) {
        byte[] payload = LogCodec.ddlPayload(change);
        int at = begin(LogRecord.DDL, txnId, payload.length); // first: begin may replace buf
        System.arraycopy(payload, 0, buf, at, payload.length);
        return end();
    }

    public LogBatch shutdown() {
        begin(LogRecord.SHUTDOWN, 0, 0);
        return end();
    }

    /** Writes a record header for a payload of {@code payload} bytes; returns the payload's offset. */
    private int begin(byte type, long txnId, int payload) {
        int size = LogFormat.RECORD_HEADER + payload;
        if (len + size > buf.length) {
            if (len + (long) size > MAX_BYTES) throw tooLarge();
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_BYTES, Math.max(buf.length * 2L, len + size)));
        }
        if (count == starts.length) starts = Arrays.copyOf(starts, count * 2);
        starts[count++] = len;
        int at = len;
        INT.set(buf, at, size);
        INT.set(buf, at + 4, 0);
        LONG.set(buf, at + 8, 0L); // LSN: filled in at append
        buf[at + 16] = type;
        buf[at + 17] = 0;
        buf[at + 18] = 0;
        buf[at + 19] = 0;
        LONG.set(buf, at + 20, txnId);
        len += size;
        return at + LogFormat.RECORD_HEADER;
    }

    /** Computes the CRC32C of the record just written, over bytes 16..L-1. */
    private LogBatch end() {
        int at = starts[count - 1];
        int size = (int) INT.get(buf, at);
        crc.reset();
        crc.update(buf, at + 16, size - 16);
        INT.set(buf, at + 4, (int) crc.getValue());
        return this;
    }
}
