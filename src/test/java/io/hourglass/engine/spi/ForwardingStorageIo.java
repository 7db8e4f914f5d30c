package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Real files through {@link FileStorageIo}, with their promises; a test overrides the calls it intercepts. */
public class ForwardingStorageIo implements StorageIo {
    protected final StorageIo real = FileStorageIo.INSTANCE;

    @Override
    public FileHandle open(Path file, boolean create) throws IOException { return real.open(file, create); }

    @Override
    public boolean exists(Path file) { return real.exists(file); }

    @Override
    public List<Path> list(Path dir, String prefix) throws IOException { return real.list(dir, prefix); }

    @Override
    public void createDirectories(Path dir) throws IOException { real.createDirectories(dir); }

    @Override
    public void delete(Path file) throws IOException { real.delete(file); }

    @Override
    public void rename(Path from, Path to) throws IOException { real.rename(from, to); }

    @Override
    public void syncDirectory(Path dir) throws IOException { real.syncDirectory(dir); }

    /** A file handle that forwards every call to {@code h}; a test overrides the calls it intercepts. */
    public static class ForwardingHandle implements FileHandle {
        protected final FileHandle h;

        public ForwardingHandle(FileHandle h) { this.h = h; }

        @Override
        public void write(long position, java.nio.ByteBuffer src) throws IOException { h.write(position, src); }

        @Override
        public int read(long position, java.nio.ByteBuffer dst) throws IOException { return h.read(position, dst); }

        @Override
        public void sync() throws IOException { h.sync(); }

        @Override
        public long size() throws IOException { return h.size(); }

        @Override
        public void close() throws IOException { h.close(); }
    }
}
