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
}
