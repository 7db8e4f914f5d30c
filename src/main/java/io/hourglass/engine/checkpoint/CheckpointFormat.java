package io.hourglass.engine.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Byte layout of a checkpoint file {@code <DataStore>.ds0} / {@code .ds1} (docs/FORMAT.md,
 * "Checkpoint files"). All integers little-endian.
 *
 * <pre>
 * page 0 (4096 bytes): the header, {@link #HEADER_BYTES} used, CRC32C over [0, 144) at 144
 * then extents, each starting at a multiple of {@link #ALIGN}:
 *   block record: len u32 | crc u32 (CRC32C of [8, len)) | tableId u64 | blockNo u32 | rows u32
 *                 | rows x (slot u8 | imageLen u32 | image)
 *   catalog:      count u32 | count x (len u32 | catalog change as in a DDL log record)
 *   directory:    count u32 | count x (tableId u64 | blockNo u32 | offset u64 | len u32 | capacity u32 | crc u32)
 * </pre>
 * A file is usable only if its header is intact (magic, version, CRC), says
 * {@link #STATE_COMPLETE}, and the catalog, directory and every block match their checksums.
 */
public final class CheckpointFormat {
    public static final long MAGIC = 0x5450_4B43_534C_4748L; // "HGLSCKPT" read as little-endian bytes
    public static final int VERSION = 1;
    public static final int PAGE = 4096;
    public static final int HEADER_BYTES = 148;
    public static final int ALIGN = 512;
    public static final int BLOCK_HEADER = 24;
    public static final int DIRECTORY_ENTRY = 32;
    public static final int STATE_WRITING = 1;
    public static final int STATE_COMPLETE = 2;
    /** Header flag: the image is the database exactly as of {@link Header#commitTs} (a blocking checkpoint, or a fuzzy one nothing committed during). */
    public static final int FLAG_CONSISTENT = 1;

    private CheckpointFormat() {}

    /**
     * The header of a checkpoint file.
     *
     * @param checkpointId rises by one with every checkpoint of the database, across both files
     * @param redoLsn recovery replays the log from here
     * @param commitTs the commit timestamp at the redo LSN
     * @param nextTableId the last table id handed out (ids are never reused)
     */
    public record Header(int fileNo, int state, int flags, long checkpointId, long databaseId, long redoLsn, long commitTs,
                         long lastTxnId, long nextTableId, long startMillis, long endMillis,
                         long catalogOffset, int catalogLength, int catalogCrc,
                         long directoryOffset, int directoryLength, int directoryCrc,
                         long blocks, long rows, long bytesInUse) {

        public boolean complete() { return state == STATE_COMPLETE; }

        public boolean consistent() { return (flags & FLAG_CONSISTENT) != 0; }

        public Header withState(int newState) {
            return new Header(fileNo, newState, flags, checkpointId, databaseId, redoLsn, commitTs, lastTxnId, nextTableId,
                    startMillis, endMillis, catalogOffset, catalogLength, catalogCrc, directoryOffset, directoryLength,
                    directoryCrc, blocks, rows, bytesInUse);
        }

        /** The header page. */
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(MAGIC).putInt(VERSION).putInt(fileNo).putInt(state).putInt(flags).putLong(checkpointId)
                    .putLong(databaseId).putLong(redoLsn).putLong(commitTs).putLong(lastTxnId).putLong(nextTableId)
                    .putLong(startMillis).putLong(endMillis).putLong(catalogOffset).putInt(catalogLength).putInt(catalogCrc)
                    .putLong(directoryOffset).putInt(directoryLength).putInt(directoryCrc).putLong(blocks).putLong(rows)
                    .putLong(bytesInUse);
            b.putInt(HEADER_BYTES - 4, crc(b.array(), 0, HEADER_BYTES - 4));
            return b.array();
        }

        /** Decodes a header page; null when it is not an intact header of this version. */
        public static Header decode(byte[] page, int expectedFileNo) {
            if (page.length < HEADER_BYTES) return null;
            ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION) return null;
            if (b.getInt(HEADER_BYTES - 4) != crc(page, 0, HEADER_BYTES - 4)) return null;
            b.position(12);
            Header h = new Header(b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                    b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getLong(),
                    b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong());
            return h.fileNo() == expectedFileNo ? h : null;
        }
    }

    public static int crc(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /** Extent capacity for a record of {@code len} bytes: aligned, with room to grow a little in place. */
    static int capacityFor(int len) {
        return (len + ALIGN - 1) / ALIGN * ALIGN + ALIGN;
    }
}
