package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation of the engine goes through this port, so a test can make any write or
 * sync fail, tear, or "lose power". Implementations must be thread-safe; one file is written by
 * one thread at a time.
 *
 * <p>Durability promises (what is on stable storage when a method returns):
 * <ul>
 *   <li>{@link FileHandle#write}: nothing; the bytes are in the operating system's cache and
 *       survive a process crash, not a power loss.</li>
 *   <li>{@link FileHandle#sync}: every byte written to the file before the call (data, not
 *       necessarily metadata such as the size: files that must not need metadata syncs are
 *       preallocated).</li>
 *   <li>{@link #syncDirectory}: the directory's entries (files created, renamed or deleted).</li>
 * </ul>
 * A failed sync must never be retried as if the data were safe: the kernel may have dropped
 * the pages it could not write. Callers treat it as fatal for the file.
 */
public interface StorageIo {
    /** Opens a file for reading and writing, creating it (empty) when {@code create}. */
    FileHandle open(Path file, boolean create) throws IOException;

    /**
     * Opens an existing file to read it once, in large pieces, possibly from several threads at
     * once (a checkpoint image at a load), around the operating system's page cache where the
     * file system allows it (O_DIRECT) and the cache does not already hold the whole file. Such
     * a read neither copies the data through the cache nor leaves a second copy of a database
     * that is already in memory in it (where memory limits count the cache, as a container's
     * do, that copy counts against the database).
     * Reads take any position, length and buffer, as {@link FileHandle#read}; writes and syncs
     * through the handle fail. The default opens the file as {@link #open} does.
     */
    default FileHandle openForReading(Path file) throws IOException { return open(file, false); }

    /**
     * Opens a file (creating it, empty, when {@code create}) to write large pieces of it once, a
     * checkpoint image, around the page cache where the file system allows it (O_DIRECT): the
     * bytes are not copied into the cache, leave no dirty pages for the kernel's writeback
     * threads, and no copy of the image stays in the cache afterwards. Writes take any position,
     * length and buffer; reads, syncs and the durability promises are those of {@link #open}.
     * The default opens the file as {@link #open} does.
     */
    default FileHandle openForWriting(Path file, boolean create) throws IOException { return open(file, create); }

    boolean exists(Path file);

    /** The regular files in {@code dir} whose names start with {@code prefix}; empty if no dir. */
    List<Path> list(Path dir, String prefix) throws IOException;

    void createDirectories(Path dir) throws IOException;

    void delete(Path file) throws IOException;

    /** Atomically renames {@code from} to {@code to}, replacing it. */
    void rename(Path from, Path to) throws IOException;

    /** Makes the directory's entries durable. */
    void syncDirectory(Path dir) throws IOException;

    /** An open file. */
    interface FileHandle extends AutoCloseable {
        /** Writes all of {@code src} at {@code position}. Not durable until {@link #sync}. */
        void write(long position, ByteBuffer src) throws IOException;

        /** Reads up to {@code dst.remaining()} bytes at {@code position}; returns the count, -1 at end. */
        int read(long position, ByteBuffer dst) throws IOException;

        /** Reads until {@code dst} is full or the file ends; returns the bytes read. */
        default int readFully(long position, ByteBuffer dst) throws IOException {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = read(position + total, dst);
                if (n < 0) break;
                total += n;
            }
            return total;
        }

        /** Makes every byte written so far durable (fdatasync). */
        void sync() throws IOException;

        long size() throws IOException;

        @Override
        void close() throws IOException;
    }
}
