package io.hourglass.engine.log;

import io.hourglass.engine.spi.StorageIo;

import java.nio.file.Path;

/** Transaction logs for the log's own tests. */
final class TestLogs {
    private TestLogs() {}

    /** A new log {@code name} in {@code dir}, through {@code io}, with a 1 MB buffer, starting at its first record. */
    static TransactionLog fresh(StorageIo io, Path dir, String name, long fileSize) throws java.io.IOException {
        return new TransactionLog(new LogFiles(io, dir, name, fileSize), TransactionLog.Settings.defaults(1 << 20), 7,
                Lsn.pack(0, LogFormat.FILE_HEADER), false, e -> { });
    }
}
