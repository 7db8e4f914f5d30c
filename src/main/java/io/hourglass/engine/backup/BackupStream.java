package io.hourglass.engine.backup;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The streamFull layout (docs/FORMAT.md, "Backups"): the files of a directory backup, one
 * after the other, each framed with its name, length and CRC32C, the manifest last, then an
 * end mark. Big-endian (Java's DataOutput).
 *
 * <pre>
 * "HGBKSTRM" u32 version(1)
 * per file:  u8 1, u16 name length, name (UTF-8), u64 length, bytes, u32 CRC32C of the bytes
 * end:       u8 0
 * </pre>
 */
final class BackupStream {
    static final byte[] MAGIC = "HGBKSTRM".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private BackupStream() {}

    static void header(DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
    }

    static void fileHeader(DataOutputStream out, String name, long length) throws IOException {
        out.writeByte(1);
        out.writeUTF(name);
        out.writeLong(length);
    }

    static void end(DataOutputStream out) throws IOException {
        out.writeByte(0);
        out.flush();
    }

    /** Reads the stream's header; TT90030 if it is not a backup stream of this version. */
    static void readHeader(DataInputStream in) throws IOException {
        byte[] m = new byte[MAGIC.length];
        try {
            in.readFully(m);
        } catch (EOFException e) {
            throw BackupManifest.unusable("the stream", "it is empty or cut short");
        }
        if (!Arrays.equals(m, MAGIC)) throw BackupManifest.unusable("the stream", "it is not an Hourglass backup stream");
        int v = in.readInt();
        if (v != VERSION) throw BackupManifest.unusable("the stream", "stream version " + v + "; this Hourglass reads " + VERSION);
    }

    /** The next file's name and length, or null at the end mark. */
    static Entry next(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        if (kind == 0) return null;
        if (kind != 1) throw BackupManifest.unusable("the stream", "unexpected entry kind " + kind);
        String name = in.readUTF();
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw BackupManifest.unusable("the stream", "a file name that is not a plain name: " + name);
        }
        return new Entry(name, in.readLong());
    }

    record Entry(String name, long length) {}
}
