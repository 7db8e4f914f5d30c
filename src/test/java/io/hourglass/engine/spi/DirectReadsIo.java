package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Real files whose large reads always take the direct path, even for a file the page cache holds
 * (as every file a test has just written is): what a load after a machine's restart reads with.
 */
public final class DirectReadsIo extends ForwardingStorageIo {
    /** Whether the file system under {@code dir} takes direct reads (else they go through the cache). */
    public static boolean supported(Path dir) throws IOException {
        Path probe = dir.resolve(".direct-probe");
        java.nio.file.Files.write(probe, new byte[1]);
        try (DirectReadHandle h = DirectReadHandle.direct(probe)) {
            return h.direct();
        } finally {
            java.nio.file.Files.deleteIfExists(probe);
        }
    }

    @Override
    public FileHandle openForReading(Path file) throws IOException { return DirectReadHandle.direct(file); }
}
