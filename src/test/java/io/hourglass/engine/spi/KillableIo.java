package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Real files until {@link #kill()}; from then on nothing more reaches them, as after a SIGKILL:
 * every write, sync, create, delete and rename fails. Reads still work (they change nothing).
 */
public final class KillableIo extends ForwardingStorageIo {
    private volatile boolean killed;
    /** Called before each sync with the file's path, while alive: a test holds a writer there. */
    public volatile java.util.function.Consumer<Path> beforeSync = p -> { };

    public void kill() { killed = true; }

    private void alive() throws IOException {
        if (killed) throw new IOException("the process was killed");
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        if (create && !real.exists(file)) alive();
        return killable(file, real.open(file, create));
    }

    /** The real process writes its checkpoint images direct: so does this one, until killed. */
    @Override
    public FileHandle openForWriting(Path file, boolean create) throws IOException {
        if (create && !real.exists(file)) alive();
        return killable(file, real.openForWriting(file, create));
    }

    private FileHandle killable(Path file, FileHandle h) {
        return new ForwardingHandle(h) {
            @Override
            public void write(long position, ByteBuffer src) throws IOException {
                alive();
                h.write(position, src);
            }

            @Override
            public void sync() throws IOException {
                alive();
                beforeSync.accept(file);
                h.sync();
            }
        };
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        alive();
        real.createDirectories(dir);
    }

    @Override
    public void delete(Path file) throws IOException {
        alive();
        real.delete(file);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        alive();
        real.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        alive();
        real.syncDirectory(dir);
    }
}
