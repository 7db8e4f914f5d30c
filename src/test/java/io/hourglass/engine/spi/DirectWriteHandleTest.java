package io.hourglass.engine.spi;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
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

class DirectWriteHandleTest {
    private static final int PAGE = PageCache.PAGE;

    @TempDir
    Path dir;

    @BeforeEach
    void directIoExists() throws IOException {
        // Where the tests run (ext4 on the build machines) direct I/O exists; a tmpfs may refuse it.
        assumeTrue(!"tmpfs".equals(Files.getFileStore(dir).type()), "a tmpfs may refuse direct I/O");
    }

    /** A direct buffer of {@code size} bytes at a page-aligned address. */
    private static ByteBuffer aligned(int size) {
        return ByteBuffer.allocateDirect((size + PAGE - 1) / PAGE * PAGE + PAGE).alignedSlice(PAGE).limit(size);
    }

    @Test
    void anyWriteLandsWhereItWasAimed() throws IOException {
        Path p = dir.resolve("f");
        byte[] model = new byte[6 << 20];
        int end = 0;
        SplittableRandom r = new SplittableRandom(11);
        try (DirectWriteHandle h = DirectWriteHandle.open(p, true)) {
            assertTrue(h.direct(), "O_DIRECT refused on " + Files.getFileStore(p).type());
            for (int i = 0; i < 300; i++) {
                // Positions and lengths aligned or not, inside the file or extending it, and
                // buffers of every kind: heap, direct at an aligned address, direct off it.
                long pos = r.nextInt(4) == 0 ? (long) r.nextInt(model.length / PAGE - 600) * PAGE : r.nextInt(model.length - (2 << 20));
                int len = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(1, 600) * PAGE;
                    case 1 -> r.nextInt(1, PAGE);
                    default -> r.nextInt(1, 2 << 20);
                };
                byte[] data = new byte[len];
                r.nextBytes(data);
                ByteBuffer src = switch (r.nextInt(3)) {
                    case 0 -> ByteBuffer.wrap(data);
                    case 1 -> aligned(len).put(data).flip();
                    default -> {
                        ByteBuffer b = aligned(len + 3);
                        b.position(3);
                        b.put(data);
                        yield b.flip().position(3);
                    }
                };
                h.write(pos, src);
                assertFalse(src.hasRemaining(), "all of it written");
                System.arraycopy(data, 0, model, (int) pos, len);
                end = Math.max(end, (int) pos + len);
            }
            assertTrue(h.direct(), "still direct: no write was refused");
            h.sync();
            assertEquals(end, h.size());
            ByteBuffer back = ByteBuffer.allocate(end);
            assertEquals(end, h.readFully(0, back), "reads through the handle see every write");
            assertArrayEquals(Arrays.copyOf(model, end), back.array());
        }
        assertArrayEquals(Arrays.copyOf(model, end), Files.readAllBytes(p));
    }

    @Test
    void theAlignedMiddleOfAWriteLeavesNothingInThePageCache() throws IOException {
        Path p = dir.resolve("f");
        byte[] data = new byte[(1 << 20) + 5000];
        new SplittableRandom(3).nextBytes(data);
        long at = 3 * PAGE + 100; // unaligned: a head and a tail go through the cache
        long firstFull = 4 * PAGE, lastFull = (at + data.length) / PAGE * PAGE;
        for (boolean unalignedBuffer : new boolean[] {false, true}) {
            Files.deleteIfExists(p);
            try (DirectWriteHandle h = DirectWriteHandle.open(p, true)) {
                ByteBuffer src;
                if (unalignedBuffer) {
                    src = ByteBuffer.wrap(data); // copied into the handle's own aligned buffer
                } else {
                    // The caller's buffer at the same offset within a page as the file position.
                    ByteBuffer b = aligned((int) (at % PAGE) + data.length);
                    b.position((int) (at % PAGE));
                    src = b.put(data).flip().position((int) (at % PAGE));
                }
                h.write(at, src);
                h.sync();
                assertEquals(unalignedBuffer ? lastFull - firstFull : 0, h.bounced(), "copied only from an unaligned buffer");
            }
            assertEquals(0, PageCache.residentPages(p, firstFull, lastFull), "the middle went direct (buffer unaligned: " + unalignedBuffer + ")");
            assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(p), (int) at, (int) at + data.length));
        }
        // The same write through the ordinary handle leaves every page cached (the check can fail).
        Files.deleteIfExists(p);
        try (StorageIo.FileHandle h = FileStorageIo.INSTANCE.open(p, true)) {
            h.write(at, ByteBuffer.wrap(data));
            h.sync();
        }
        assertEquals((lastFull - firstFull) / PAGE, PageCache.residentPages(p, firstFull, lastFull));
    }

    @Test
    void aFileSystemThatRefusesTheFirstDirectWriteIsWrittenThroughTheCache() throws IOException {
        Path p = dir.resolve("f");
        // A direct channel whose writes fail: the JDK refuses a position off the file system's
        // block, which an alignment of 8 makes this handle ask for, as some file systems accept
        // O_DIRECT at the open and refuse the writes.
        FileChannel cached = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = FileChannel.open(p, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        byte[] data = new byte[100_000];
        new SplittableRandom(5).nextBytes(data);
        try (DirectWriteHandle h = DirectWriteHandle.of(p, new FileStorageIo.Handle(cached), direct, 8)) {
            h.write(8, ByteBuffer.wrap(data));
            assertFalse(h.direct(), "refused once: the cache from then on");
            assertFalse(direct.isOpen());
            h.write(8 + data.length, ByteBuffer.wrap(data));
            h.sync();
        }
        byte[] file = Files.readAllBytes(p);
        assertEquals(8 + 2 * data.length, file.length);
        assertArrayEquals(data, Arrays.copyOfRange(file, 8, 8 + data.length));
        assertArrayEquals(data, Arrays.copyOfRange(file, 8 + data.length, file.length));
    }

    @Test
    void aFirstDirectWriteThatFailsThroughTheCacheTooIsAnErrorNotARefusal() throws IOException {
        // Disk full or a device error at the first direct write: the cached write fails as well,
        // and that failure is thrown, with the direct one attached, instead of being taken for a
        // file system that refuses O_DIRECT.
        Path p = dir.resolve("f");
        FileChannel cached = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = FileChannel.open(p, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        cached.close(); // stands for the file's own failure
        try (DirectWriteHandle h = DirectWriteHandle.of(p, new FileStorageIo.Handle(cached), direct, 8)) {
            ClosedChannelException e = assertThrows(ClosedChannelException.class, () -> h.write(8, ByteBuffer.wrap(new byte[4096])));
            assertEquals(1, e.getSuppressed().length, "the direct write's failure is attached");
            assertFalse(h.direct());
        }
    }

    @Test
    void aDirectWriteThatFailsAfterOneSucceededIsAnError() throws IOException {
        Path p = dir.resolve("f");
        FileChannel cached = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = FileChannel.open(p, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        int align = Math.toIntExact(Files.getFileStore(p).getBlockSize());
        try (DirectWriteHandle h = DirectWriteHandle.of(p, new FileStorageIo.Handle(cached), direct, align)) {
            h.write(0, aligned(4 * align));
            assertTrue(h.direct());
            direct.close(); // stands for a device error on a later write
            assertThrows(ClosedChannelException.class, () -> h.write(4L * align, aligned(4 * align)),
                    "not retried through the cache as if the file system had refused the flag");
        }
    }

    @Test
    void storageIoOpensCheckpointWritesDirectAndFakesKeepTheirOpen() throws IOException {
        Path p = dir.resolve("f");
        try (StorageIo.FileHandle h = FileStorageIo.INSTANCE.openForWriting(p, true)) {
            assertTrue(h instanceof DirectWriteHandle d && d.direct());
        }
        // A test's StorageIo that intercepts open() sees the checkpoint's writes too.
        boolean[] opened = {false};
        StorageIo intercepting = new ForwardingStorageIo() {
            @Override
            public FileHandle open(Path file, boolean create) throws IOException {
                opened[0] = true;
                return super.open(file, create);
            }
        };
        try (StorageIo.FileHandle h = intercepting.openForWriting(p, false)) {
            assertFalse(h instanceof DirectWriteHandle);
        }
        assertTrue(opened[0]);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> FileStorageIo.INSTANCE.openForWriting(dir.resolve("missing"), false));
    }
}
