package io.hourglass.engine.spi;

import com.sun.nio.file.ExtendedOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DirectReadHandleTest {
    @TempDir
    Path dir;

    /** A file of an odd size (its end mid-block), random content, written through the page cache. */
    private byte[] file(Path p, int size) throws IOException {
        byte[] data = new byte[size];
        new SplittableRandom(size).nextBytes(data);
        Files.write(p, data);
        return data;
    }

    /** The same, written with direct I/O: no page of it is in the page cache afterwards. */
    private byte[] uncachedFile(Path p, int size) throws IOException {
        byte[] data = new byte[size];
        new SplittableRandom(size).nextBytes(data);
        int align = Math.toIntExact(Files.getFileStore(dir).getBlockSize());
        ByteBuffer b = ByteBuffer.allocateDirect((size + align - 1) / align * align + align).alignedSlice(align);
        b.put(data).position(0).limit((size + align - 1) / align * align);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            while (b.hasRemaining()) ch.write(b, b.position());
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
        return data;
    }

    @Test
    void aFileInThePageCacheIsReadThroughItAndOneNotThereDirect() throws IOException {
        // Where the tests run (ext4 on the build machines) direct I/O exists; a tmpfs may refuse it.
        assumeTrue(!"tmpfs".equals(Files.getFileStore(dir).type()), "a tmpfs may refuse direct I/O");
        Path cold = dir.resolve("cold");
        byte[] data = uncachedFile(cold, 300_000);
        assertFalse(DirectReadHandle.inPageCache(cold));
        try (DirectReadHandle h = DirectReadHandle.open(cold)) {
            assertTrue(h.direct(), "O_DIRECT refused on " + Files.getFileStore(cold).type());
            assertEquals(data.length, h.readFully(0, ByteBuffer.allocate(data.length)));
        }
        assertFalse(DirectReadHandle.inPageCache(cold), "a direct read leaves nothing in the cache");
        Path warm = dir.resolve("warm");
        file(warm, 300_000); // just written: all of it in the cache
        assertTrue(DirectReadHandle.inPageCache(warm));
        try (DirectReadHandle h = DirectReadHandle.open(warm)) {
            assertFalse(h.direct(), "read from the cache that holds it");
        }
    }

    @Test
    void anyRangeReadsTheBytesWritten() throws IOException {
        Path p = dir.resolve("f");
        byte[] data = file(p, 3 * DirectReadHandle.MAX_READ / 2 + 12_345);
        for (DirectReadHandle h : new DirectReadHandle[] {DirectReadHandle.direct(p), DirectReadHandle.cached(p)}) {
            try (h) {
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 0; i < 200; i++) {
                    int from = r.nextInt(data.length);
                    int len = r.nextInt(1, i % 10 == 0 ? 2 * DirectReadHandle.MAX_READ : 70_000);
                    int pad = r.nextInt(3); // not at the buffer's start: a heap buffer's array offset
                    ByteBuffer dst = ByteBuffer.allocate(len + pad).position(pad);
                    int got = h.readFully(from, dst);
                    int expect = Math.min(len, data.length - from);
                    assertEquals(expect, got, "read of " + len + " at " + from + " (direct " + h.direct() + ")");
                    assertArrayEquals(Arrays.copyOfRange(data, from, from + expect), Arrays.copyOfRange(dst.array(), pad, pad + got));
                }
                assertEquals(-1, h.read(data.length, ByteBuffer.allocate(10)), "at the end");
                assertEquals(-1, h.read(data.length + 5000, ByteBuffer.allocate(10)), "past the end");
                assertEquals(data.length, h.size());
            }
        }
    }

    @Test
    void concurrentReadsEachGetTheirOwnBytes() throws Exception {
        // The image loader's readers share one handle, to keep two reads in the device's queue.
        Path p = dir.resolve("f");
        byte[] data = uncachedFile(p, 6_000_000);
        try (DirectReadHandle h = DirectReadHandle.direct(p)) {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                for (int t = 0; t < 4; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        SplittableRandom r = new SplittableRandom(seed);
                        for (int i = 0; i < 100; i++) {
                            int from = r.nextInt(data.length - 1);
                            int len = r.nextInt(1, Math.min(1 << 20, data.length - from));
                            ByteBuffer dst = ByteBuffer.allocate(len);
                            assertEquals(len, h.readFully(from, dst));
                            assertArrayEquals(Arrays.copyOfRange(data, from, from + len), dst.array(), "at " + from);
                        }
                        return null;
                    }));
                }
            }
            for (var f : done) f.get();
        }
    }

    @Test
    void aDirectBufferAndAnEmptyFileReadToo() throws IOException {
        Path p = dir.resolve("f");
        byte[] data = file(p, 5000);
        try (DirectReadHandle h = DirectReadHandle.direct(p)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(4000);
            assertEquals(4000, h.readFully(1000, dst));
            byte[] got = new byte[4000];
            dst.flip().get(got);
            assertArrayEquals(Arrays.copyOfRange(data, 1000, 5000), got);
        }
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        try (DirectReadHandle h = DirectReadHandle.direct(empty)) {
            assertEquals(-1, h.read(0, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void writesAreRefusedAndAMissingFileFails() throws IOException {
        Path p = dir.resolve("f");
        file(p, 100);
        try (DirectReadHandle h = DirectReadHandle.direct(p)) {
            assertThrows(IOException.class, () -> h.write(0, ByteBuffer.allocate(1)));
            assertThrows(IOException.class, h::sync);
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> FileStorageIo.INSTANCE.openForReading(dir.resolve("missing")));
    }

    @Test
    void readsFromTheDeviceNotFromThePageCache() throws Exception {
        // The file was just written, so all of it is in the page cache: a cached read takes
        // nothing from the device (/proc/self/io's read_bytes, which counts what the process's
        // reads fetched from storage), a direct one all of it, every time.
        Path io = Path.of("/proc/self/io");
        assumeTrue(Files.isReadable(io), "needs /proc/self/io");
        Path p = dir.resolve("f");
        byte[] data = file(p, 4 << 20);
        try (DirectReadHandle h = DirectReadHandle.direct(p)) {
            assumeTrue(h.direct());
            for (int round = 0; round < 2; round++) {
                long before = readBytes(io);
                assertEquals(data.length, h.readFully(0, ByteBuffer.allocate(data.length)));
                long device = readBytes(io) - before;
                assertTrue(device >= data.length, "round " + round + " read " + device + " bytes from the device");
            }
        }
    }

    private static long readBytes(Path io) throws IOException {
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("read_bytes:")) return Long.parseLong(line.substring(11).trim());
        }
        throw new IllegalStateException("no read_bytes in " + io);
    }
}
