package io.hourglass.engine.spi;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A file opened only for reading, with direct I/O (O_DIRECT): the device writes the data into
 * this handle's own buffers, and no page of the file enters the page cache. Direct I/O wants the
 * position, the length and the buffer's address aligned to the file system's block size; this
 * handle reads the aligned range around what is asked into an aligned buffer of its own and
 * copies the part asked for, so its callers read like anyone else. Reads may run concurrently
 * (each takes a buffer of its own), which is how a reader keeps more than one request in the
 * device's queue: a direct read has no readahead.
 *
 * <p>A file that is in the page cache already, all of it (just written, or read a moment ago),
 * is read through the cache: that costs no device read at all, and no memory the cache does not
 * hold already. Where the file system refuses direct I/O (at the open, or at a first read of
 * the file's first block, which some accept the flag for and then refuse), the file is read
 * through the cache too: correct, only without the saving.
 */
final class DirectReadHandle implements StorageIo.FileHandle {
    private static final Logger LOG = Logger.getLogger(DirectReadHandle.class.getName());
    private static final AtomicBoolean REFUSAL_LOGGED = new AtomicBoolean(); // said once a process

    // The largest read done at once; a larger request is served in pieces (read may return less).
    static final int MAX_READ = 8 << 20;

    private final FileChannel ch;
    private final int alignment; // 0: the channel reads through the page cache
    // Buffers of finished reads, for the next ones; at most as many as reads ran at once.
    private final ConcurrentLinkedQueue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private DirectReadHandle(FileChannel ch, int alignment) {
        this.ch = ch;
        this.alignment = alignment;
    }

    /** Opens {@code file} for reading: through the cache if all of it is there, else direct. */
    static DirectReadHandle open(Path file) throws IOException {
        return inPageCache(file) ? cached(file) : direct(file);
    }

    /** Opens {@code file} for direct reads, whatever the cache holds (through the cache if refused). */
    static DirectReadHandle direct(Path file) throws IOException {
        FileChannel direct;
        int alignment;
        try {
            alignment = Math.toIntExact(Files.getFileStore(file).getBlockSize());
            direct = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
            return refused(file, e); // a missing file fails there as it would have
        }
        DirectReadHandle h = new DirectReadHandle(direct, alignment);
        try {
            h.read(0, ByteBuffer.allocate(1));
            return h;
        } catch (IOException e) {
            direct.close();
            return refused(file, e);
        }
    }

    private static DirectReadHandle refused(Path file, Exception why) throws IOException {
        DirectReadHandle h = cached(file);
        if (REFUSAL_LOGGED.compareAndSet(false, true)) {
            LOG.info("direct I/O refused for " + file + " (" + why + "): large reads go through the page cache");
        }
        return h;
    }

    /** The same file read through the page cache (direct I/O refused, or for tests). */
    static DirectReadHandle cached(Path file) throws IOException {
        return new DirectReadHandle(FileChannel.open(file, StandardOpenOption.READ), 0);
    }

    /**
     * Whether every page of the file is in the page cache: mincore(2) through a mapping of it,
     * which reads nothing. False when that cannot be told.
     */
    static boolean inPageCache(Path file) {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = c.size();
            return size > 0 && c.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).isLoaded();
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            // A runtime without mapped segments (a native image's UnsupportedFeatureError is an
            // Error): this probe must never fail a load, only leave it to direct reads.
            return false;
        }
    }

    /** Whether reads bypass the page cache. */
    boolean direct() { return alignment > 0; }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (alignment == 0) return ch.read(dst, position);
        if (!dst.hasRemaining()) return 0;
        long start = position - position % alignment;
        int skip = (int) (position - start);
        int want = (int) Math.min((long) skip + dst.remaining(), MAX_READ);
        int len = (want + alignment - 1) / alignment * alignment;
        ByteBuffer buf = buffers.poll();
        if (buf == null || buf.capacity() < len) buf = ByteBuffer.allocateDirect(len + alignment).alignedSlice(alignment);
        try {
            buf.clear().limit(len);
            int got = 0;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, start + got);
                if (n <= 0) break; // end of file
                got += n;
                if (got % alignment != 0) break; // the end of the file, mid-block
            }
            if (got <= skip) return -1;
            int n = Math.min(got, want) - skip;
            dst.put(dst.position(), buf, skip, n);
            dst.position(dst.position() + n);
            return n;
        } finally {
            if (!closed) buffers.add(buf);
        }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        throw new IOException("opened for reading only");
    }

    @Override
    public void sync() throws IOException {
        throw new IOException("opened for reading only");
    }

    @Override
    public long size() throws IOException { return ch.size(); }

    @Override
    public void close() throws IOException {
        closed = true;
        ch.close();
        buffers.clear();
    }
}
