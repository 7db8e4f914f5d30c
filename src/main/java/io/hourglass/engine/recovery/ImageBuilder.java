package io.hourglass.engine.recovery;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.checkpoint.CheckpointFiles;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.store.Block;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.txn.TransactionManager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Rebuilds a database image somewhere other than its own files: from an exported checkpoint
 * image (the stream {@link CheckpointFiles#export} writes, cut into pieces anywhere) and then
 * committed transactions in log order. The Kafka restore drives it; a follower (warm standby)
 * would keep calling {@link #apply} after the restore point.
 *
 * <p>Every record of the image is checked against its checksum, and the transactions must
 * continue each other without a gap (each starts where the one before ended), beginning at
 * or before the image's redo LSN. Not thread-safe.
 */
public final class ImageBuilder {

    private final TransactionManager tm;
    private final Catalog catalog = new Catalog(null); // a restored image is never served from here: no one logs in
    private final long databaseId;
    private long position;       // end LSN of the last transaction applied (or the image's redo LSN)
    private boolean firstApplied;
    private long commitTs;
    private long lastTxnId;
    private long transactions;
    private long changes;
    private long lastCheckpointId;
    // the image stream: bytes of records not yet complete
    private byte[] pending = new byte[1 << 20];
    private int pendingLen;
    private boolean catalogRead;
    private long imageBlocks;
    private long imageRows;
    private long imageBytes;
    private final int[] slots = new int[Block.SLOTS];
    private final byte[][] images = new byte[Block.SLOTS][];

    /**
     * A builder starting from the image of a checkpoint whose header is {@code h} (fed next
     * with {@link #imageBytes}), or from the database's very beginning when {@code h} is null.
     */
    public ImageBuilder(long databaseId, CheckpointFormat.Header h, long permSizeBytes) {
        this.databaseId = databaseId;
        this.tm = new TransactionManager(new MemoryAccount(permSizeBytes), TempSpace.unlimited());
        if (h == null) {
            position = Lsn.pack(0, LogFormat.FILE_HEADER);
            catalogRead = true; // nothing to read: an empty database
        } else {
            position = h.redoLsn();
            commitTs = h.commitTs();
            lastTxnId = h.lastTxnId();
            catalog.restoreTableIds(h.nextTableId());
            lastCheckpointId = h.checkpointId();
        }
    }

    /** Feeds the next piece of the image stream. IOException when a record is damaged. */
    public void imageBytes(byte[] data, int off, int len) throws IOException {
        imageBytes(ByteBuffer.wrap(data, off, len));
    }

    /** Feeds the next piece of the image stream (its remaining bytes). */
    public void imageBytes(ByteBuffer piece) throws IOException {
        int len = piece.remaining();
        if (pendingLen + len > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + len));
        piece.get(pending, pendingLen, len);
        pendingLen += len;
        imageBytes += len;
        ByteBuffer b = ByteBuffer.wrap(pending).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (pendingLen - at >= 8) {
            int recLen = b.getInt(at);
            if (recLen < 8) throw new IOException("image record at byte " + (imageBytes - pendingLen + at) + " has a bad length");
            if (pendingLen - at < recLen) break;
            if (!catalogRead) {
                if (b.getInt(at + 4) != CheckpointFormat.crc(pending, at + 8, recLen - 8)) {
                    throw new IOException("the image's catalog does not match its checksum");
                }
                ByteBuffer section = ByteBuffer.wrap(pending, at + 8, recLen - 8).slice().order(ByteOrder.LITTLE_ENDIAN);
                for (CatalogChange c : CheckpointFiles.parseCatalog(section)) CatalogChanges.apply(catalog, c);
                catalogRead = true;
            } else {
                try {
                    imageRows += CheckpointFiles.installRecord(catalog, pending, at, slots, images);
                } catch (IOException e) {
                    throw new IOException("block record " + imageBlocks + " of the image: " + e.getMessage());
                }
                imageBlocks++;
            }
            at += recLen;
        }
        System.arraycopy(pending, at, pending, 0, pendingLen - at);
        pendingLen -= at;
    }

    /** The image stream has ended: it must have held exactly {@code blocks} blocks and {@code rows} rows. */
    public void imageEnd(long blocks, long rows) throws IOException {
        if (pendingLen != 0 || !catalogRead) throw new IOException("the image ends inside a record");
        if (blocks != imageBlocks || rows != imageRows) {
            throw new IOException("the image holds " + imageBlocks + " blocks and " + imageRows + " rows; its checkpoint says "
                    + blocks + " and " + rows);
        }
    }

    /**
     * Applies one committed transaction. {@code startLsn} is where the transaction's reading
     * began (just after the previous one), {@code endLsn} just after its commit. A transaction
     * that ends at or before the image's redo LSN is in the image already and is skipped.
     * IOException on a gap. {@code records} are its row and DDL records (a trailing COMMIT
     * record, as {@code LogTailer} hands out, is ignored).
     *
     * @return whether it was applied
     */
    public boolean apply(long startLsn, long endLsn, long txnId, List<LogRecord> records) throws IOException {
        if (endLsn <= position) return false;
        if (firstApplied ? startLsn != position : startLsn > position) {
            throw new IOException("the log has a gap: the next transaction starts at " + Lsn.of(startLsn)
                    + ", the one before ended at " + Lsn.of(position));
        }
        for (LogRecord r : records) {
            if (r instanceof LogRecord.Commit) continue; // the call itself is the commit
            Recovery.apply(catalog, r);
        }
        firstApplied = true;
        position = endLsn;
        commitTs++; // one per commit in log order, as recovery counts them
        lastTxnId = Math.max(lastTxnId, txnId);
        transactions++;
        changes += records.size();
        return true;
    }

    /** A checkpoint id the archive has used: the restored database numbers its checkpoints after it. */
    public void checkpointIdUsed(long id) { lastCheckpointId = Math.max(lastCheckpointId, id); }

    /** End LSN of the last transaction applied (the image's redo LSN before any). */
    public long position() { return position; }

    public long transactions() { return transactions; }

    public long changes() { return changes; }

    public long imageBytesRead() { return imageBytes; }

    public long imageRows() { return imageRows; }

    /**
     * The database rebuilt: free lists, indexes, PermSize use. TT0802 when it does not fit the
     * PermSize given.
     */
    public Image finish(int threads) {
        long rows = Recovery.rebuild(catalog, tm.memory(), threads);
        if (tm.memory().used() > tm.memory().limit()) {
            throw new HourglassException(ErrorCode.SPACE_EXHAUSTED, "Database permanent space exhausted: the restored image needs "
                    + (tm.memory().used() >> 20) + " MB, PermSize is " + (tm.memory().limit() >> 20) + " MB");
        }
        tm.restoreCounters(commitTs, lastTxnId);
        return new Image(catalog, tm, databaseId, position, rows, lastCheckpointId);
    }

    /**
     * A database rebuilt in memory, ready to be written as a new database's files.
     *
     * @param endLsn where its log goes on: just after the last transaction it holds
     * @param lastCheckpointId its checkpoints are numbered after this
     */
    public record Image(Catalog catalog, TransactionManager transactions, long databaseId, long endLsn, long rows,
                        long lastCheckpointId) {}
}
