package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The real file system, through NIO file channels. */
public final class FileStorageIo implements StorageIo {
    public static final FileStorageIo INSTANCE = new FileStorageIo();

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Handle(ch);
    }

    @Override
    public FileHandle openForReading(Path file) throws IOException { return DirectReadHandle.open(file); }

    @Override
    public FileHandle openForWriting(Path file, boolean create) throws IOException { return DirectWriteHandle.open(file, create); }

    @Override
    public boolean exists(Path file) { return Files.exists(file); }

    @Override
    public List<Path> list(Path dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith(prefix)).forEach(out::add);
        }
        return out;
    }

    @Override
    public void createDirectories(Path dir) throws IOException { Files.createDirectories(dir); }

    @Override
    public void delete(Path file) throws IOException { Files.deleteIfExists(file); }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename atomically: " + from + " -> " + to, e);
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // Opening a directory for reading and forcing it is how the JDK fsyncs a directory on
        // Linux; the entries of files just created or renamed are durable afterwards.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** A file through one channel: what {@link #open} gives, and the cached side of a {@link DirectWriteHandle}. */
    record Handle(FileChannel ch) implements FileHandle {
        @Override
        public void write(long position, ByteBuffer src) throws IOException { writeFully(ch, position, src); }

        /** Writes all of {@code src} at {@code position} ({@link FileChannel#write} may write less). */
        static void writeFully(FileChannel ch, long position, ByteBuffer src) throws IOException {
            long pos = position;
            while (src.hasRemaining()) pos += ch.write(src, pos);
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException { return ch.read(dst, position); }

        @Override
        public void sync() throws IOException {
            // force(false) is fdatasync: the data, and the metadata needed to read it back.
            ch.force(false);
        }

        @Override
        public long size() throws IOException { return ch.size(); }

        @Override
        public void close() throws IOException { ch.close(); }
    }
}
