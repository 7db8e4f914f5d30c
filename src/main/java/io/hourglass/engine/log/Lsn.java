package io.hourglass.engine.log;

/**
 * A log sequence number: a position in the log, (log file number, byte offset). Packed in a
 * long as {@code file << 32 | offset} so positions order as longs.
 */
public record Lsn(int file, long offset) implements Comparable<Lsn> {
    public static long pack(int file, long offset) { return ((long) file << 32) | offset; }

    public static Lsn of(long packed) { return new Lsn((int) (packed >>> 32), packed & 0xFFFF_FFFFL); }

    public long packed() { return pack(file, offset); }

    @Override
    public int compareTo(Lsn o) { return Long.compare(packed(), o.packed()); }

    @Override
    public String toString() { return file + "." + offset; }
}
