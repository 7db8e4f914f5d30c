package io.hourglass.engine.spi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What the operating system's page cache holds of a file, for tests of direct I/O. */
public final class PageCache {
    public static final int PAGE = 4096;

    private PageCache() {}

    /** Pages of {@code file} in [from, to) that the cache holds (mincore through a mapping, page by page; reads nothing). */
    public static int residentPages(Path file, long from, long to) throws IOException {
        int n = 0;
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            for (long p = from; p < to; p += PAGE) {
                if (c.map(FileChannel.MapMode.READ_ONLY, p, Math.min(PAGE, to - p), arena).isLoaded()) n++;
            }
        }
        return n;
    }
}
