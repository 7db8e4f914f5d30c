package io.hourglass.engine.store;

import io.hourglass.engine.ErrorCode;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable binary value (VARBINARY), compared as unsigned bytes. */
public record Bytes(byte[] data) implements Comparable<Bytes> {
    public Bytes {
        data = data.clone();
    }

    public int length() { return data.length; }

    public byte[] toArray() { return data.clone(); }

    public static Bytes fromHex(String hex, String column) {
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        try {
            return new Bytes(HexFormat.of().parseHex(h));
        } catch (IllegalArgumentException e) {
            throw ErrorCode.TYPE_MISMATCH.error("'" + hex + "' is not hexadecimal binary data for " + column);
        }
    }

    public String toHex() { return HexFormat.of().withUpperCase().formatHex(data); }

    @Override
    public boolean equals(Object o) { return o instanceof Bytes b && Arrays.equals(data, b.data); }

    @Override
    public int hashCode() { return Arrays.hashCode(data); }

    @Override
    public int compareTo(Bytes o) { return Arrays.compareUnsigned(data, o.data); }

    @Override
    public String toString() { return toHex(); }
}
