package io.hourglass.engine.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Byte layout of log files and records (docs/FORMAT.md, "Transaction log"). All integers are
 * little-endian.
 *
 * <pre>
 * File header, 64 bytes at offset 0:
 *   0  8  magic "HGLOG001"
 *   8  4  format version (2; 1 is read too)
 *  12  4  file number N
 *  16  8  database id (random, the same in every file of one database)
 *  24  8  creation time, ms since the epoch
 *  32  4  0 for a file zero-filled at its creation; K + 1 for a file recycled from log file K
 *         (what follows its last record may then be what it held in its earlier lives)
 *  36  4  salt: random, new with every life of the file (0 in files of older versions)
 *  40 20  zero
 *  60  4  CRC32C of bytes 0..59
 * Record, from offset 64:
 *   0  4  length L of the whole record, header included (28 <= L <= file size - offset)
 *   4  4  CRC32C of bytes 16..L-1, XOR the file's salt (the LSN is checked against the
 *         record's position instead; the salt makes a record written in an earlier life of a
 *         recycled file, or bytes shaped like a record inside a row's value, invalid here)
 *   8  4  file number of this record
 *  12  4  offset of this record in its file
 *  16  1  type
 *  17  3  zero
 *  20  8  transaction id
 *  28  L-28 payload (by type, see LogRecord)
 * </pre>
 */
public final class LogFormat {
    public static final byte[] MAGIC = "HGLOG001".getBytes(StandardCharsets.US_ASCII);
    /**
     * The format written: 2 since log files are recycled (a salt in the header, salted record
     * CRCs, OPENED records). Version 1 files (no salt, never recycled) are still read, with a
     * salt of 0; a reader of version 1 only refuses version 2 files at their header instead of
     * taking their salted records for a torn tail.
     */
    public static final int VERSION = 2;
    static final int OLDEST_READABLE = 1;
    public static final int FILE_HEADER = 64;
    public static final int RECORD_HEADER = 28;

    private static final java.lang.invoke.VarHandle INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private LogFormat() {}

    public static ByteBuffer le(int capacity) { return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN); }

    /** The header of log file {@code fileNo}; {@code recycledFrom} is the file's earlier number, or -1 if it is new. */
    static byte[] fileHeader(int fileNo, long databaseId, long createdMillis, int recycledFrom, int salt) {
        ByteBuffer b = le(FILE_HEADER);
        b.put(MAGIC).putInt(VERSION).putInt(fileNo).putLong(databaseId).putLong(createdMillis).putInt(recycledFrom + 1).putInt(salt);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 60);
        b.putInt(60, (int) crc.getValue());
        return b.array();
    }

    /** The header's fields if it is valid for file {@code fileNo}, else null. */
    static Header readFileHeader(byte[] h, int fileNo) {
        if (h.length < FILE_HEADER) return null;
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) if (h[i] != MAGIC[i]) return null;
        CRC32C crc = new CRC32C();
        crc.update(h, 0, 60);
        if (b.getInt(60) != (int) crc.getValue()) return null;
        int version = b.getInt(8);
        if (version < OLDEST_READABLE || version > VERSION || b.getInt(12) != fileNo) return null;
        if (version == 1 && (b.getInt(32) != 0 || b.getInt(36) != 0)) return null; // version 1 had zeros there
        return new Header(b.getInt(12), b.getLong(16), b.getLong(24), b.getInt(32) - 1, b.getInt(36));
    }

    /**
     * @param recycledFrom the number the file had before it was recycled, -1 for a file made new
     * @param salt what every record's stored CRC of this file is XORed with
     */
    record Header(int fileNo, long databaseId, long createdMillis, int recycledFrom, int salt) {
        boolean recycled() { return recycledFrom >= 0; }
    }

    /** A complete record with its CRC and zero LSN fields; {@link #place} puts it at its LSN. */
    static byte[] record(byte type, long txnId, byte[] payload) {
        int len = RECORD_HEADER + payload.length;
        byte[] r = new byte[len];
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(len).putInt(0).putInt(0).putInt(0).put(type).put((byte) 0).putShort((short) 0).putLong(txnId);
        System.arraycopy(payload, 0, r, RECORD_HEADER, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(r, 16, len - 16);
        b.putInt(4, (int) crc.getValue());
        return r;
    }

    /**
     * Copies a record (built with a zero LSN and its plain CRC) to {@code dst} at {@code at}, with
     * its LSN, and its CRC XORed with the salt of the file it goes to.
     */
    static void place(byte[] src, int from, int length, byte[] dst, int at, int fileNo, long offset, int salt) {
        System.arraycopy(src, from, dst, at, length);
        INT.set(dst, at + 4, (int) INT.get(dst, at + 4) ^ salt);
        INT.set(dst, at + 8, fileNo);
        INT.set(dst, at + 12, (int) offset);
    }
}
