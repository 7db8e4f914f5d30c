package io.hourglass.engine.spi;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A file written in large pieces with direct I/O (O_DIRECT): the bytes go from the writer's
 * buffer to the device, without a copy into the page cache, without dirty pages for the
 * kernel's writeback threads to write later (at normal priority, whatever the writer's), and
 * without leaving a copy of the written file in the cache, where a container's memory limit
 * would count it.
 *
 * <p>Direct I/O wants the position, the length and the buffer's address aligned to the file
 * system's block size. A write takes any of them: its aligned middle goes direct (from the
 * caller's buffer when its address is aligned the same way as the position, else through an
 * aligned buffer of the handle's own), and the unaligned ends, each shorter than a block, go
 * through the page cache on a second descriptor of the same file. The two never share a page,
 * and the kernel keeps the cache coherent with direct writes, so reads see every write.
 *
 * <p>{@link #sync} is fdatasync, which covers the whole file whichever descriptor wrote it: the
 * cached pages, and a cache flush of the device for what the direct writes left in its cache.
 * Where the file system refuses direct I/O (at the open, or at the first direct write, which
 * some accept the flag for and then refuse), the file is written through the cache: correct,
 * only without the saving, and said once at INFO. A direct write that fails after the first
 * one succeeded is an I/O error like any other.
 *
 * <p>One thread writes at a time (the {@link StorageIo} contract).
 */
final class DirectWriteHandle implements StorageIo.FileHandle {
    private static final Logger LOG = Logger.getLogger(DirectWriteHandle.class.getName());
    private static final AtomicBoolean REFUSAL_LOGGED = new AtomicBoolean(); // said once a process

    // The largest copy into the handle's own buffer at once, for callers' unaligned buffers.
    static final int BOUNCE = 1 << 20;

    private final Path file;
    private final StorageIo.FileHandle cached; // the same file through the page cache
    private FileChannel direct;   // null: every write goes through the cache
    private final int alignment;
    private boolean proven;       // a direct write has succeeded on this handle
    private ByteBuffer bounce;    // aligned, made at the first unaligned buffer
    private long bounced;         // bytes copied through it

    private DirectWriteHandle(Path file, StorageIo.FileHandle cached, FileChannel direct, int alignment) {
        this.file = file;
        this.cached = cached;
        this.direct = direct;
        this.alignment = alignment;
    }

    /** Opens {@code file} for reading and writing (creating it when {@code create}), direct where the file system allows. */
    static DirectWriteHandle open(Path file, boolean create) throws IOException {
        StorageIo.FileHandle cached = FileStorageIo.INSTANCE.open(file, create);
        try {
            int alignment = Math.toIntExact(Files.getFileStore(file).getBlockSize());
            FileChannel direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            return of(file, cached, direct, alignment);
        } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
            refused(file, e);
            return new DirectWriteHandle(file, cached, null, 0);
        } catch (RuntimeException | Error e) {
            cached.close();
            throw e;
        }
    }

    /** A handle over channels already open (tests give it a direct channel that refuses). */
    static DirectWriteHandle of(Path file, StorageIo.FileHandle cached, FileChannel direct, int alignment) {
        return new DirectWriteHandle(file, cached, direct, alignment);
    }

    private static void refused(Path file, Exception why) {
        if (REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.info("direct I/O refused for " + file + " (" + why + "): large writes go through the page cache");
        }
    }

    /** Bytes written direct through the handle's own buffer, the caller's being unaligned (for tests). */
    long bounced() { return bounced; }

    /** Whether writes bypass the page cache (false once direct I/O was refused). */
    boolean direct() { return direct != null; }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        if (direct == null) {
            cached.write(position, src);
            return;
        }
        int head = (int) Math.min(src.remaining(), (alignment - position % alignment) % alignment);
        int middle = (src.remaining() - head) / alignment * alignment;
        if (middle == 0) {
            cached.write(position, src);
            return;
        }
        int start = src.position();
        if (head > 0) cached.write(position, src.slice(start, head));
        ByteBuffer mid = src.slice(start + head, middle);
        IOException refusal = writeDirect(position + head, mid);
        if (refusal != null) {
            // Nothing was written direct. Through the cache: if that fails too, the direct write
            // failed for a reason of the file's, not the flag's, and that failure is the one to give.
            try {
                cached.write(position + head, src.slice(start + head, middle));
            } catch (IOException e) {
                e.addSuppressed(refusal);
                throw e;
            }
            refused(file, refusal);
        }
        src.position(start + head + middle);
        if (src.hasRemaining()) cached.write(position + head + middle, src);
    }

    /**
     * Writes {@code src} (aligned position and length) direct; returns null, or the failure of
     * this handle's first direct write, after which the handle writes through the cache only.
     */
    private IOException writeDirect(long position, ByteBuffer src) throws IOException {
        try {
            if (src.isDirect() && Integer.bitCount(alignment) == 1 && src.alignmentOffset(src.position(), alignment) == 0) {
                FileStorageIo.Handle.writeFully(direct, position, src);
                proven = true;
            } else {
                if (bounce == null) bounce = ByteBuffer.allocateDirect(BOUNCE + alignment).alignedSlice(alignment);
                long pos = position;
                while (src.hasRemaining()) {
                    int n = Math.min(src.remaining(), BOUNCE);
                    bounce.clear().put(0, src, src.position(), n).limit(n);
                    bounced += n;
                    FileStorageIo.Handle.writeFully(direct, pos, bounce);
                    proven = true;
                    src.position(src.position() + n);
                    pos += n;
                }
            }
            return null;
        } catch (IOException e) {
            if (proven) throw e;
            // The flag was taken at the open and the first write refused: the cache from now on.
            direct.close();
            direct = null;
            return e;
        }
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException { return cached.read(position, dst); }

    @Override
    public void sync() throws IOException {
        // fdatasync on the cached descriptor: the inode's dirty pages from either descriptor, the
        // metadata needed to read them back (a grown size), and a flush of the device's cache.
        cached.sync();
    }

    @Override
    public long size() throws IOException { return cached.size(); }

    @Override
    public void close() throws IOException {
        try {
            if (direct != null) direct.close();
        } finally {
            cached.close();
        }
    }
}
