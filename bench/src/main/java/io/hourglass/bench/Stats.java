package io.hourglass.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Small helpers the benchmark mains share: latency summaries and cleaning up their directories. */
final class Stats {
    private Stats() {}

    static long median(long[] a) { return percentile(a, 0.5); }

    /** The value at fraction {@code q} of the sorted latencies (nanoseconds). */
    static long percentile(long[] a, double q) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (s.length * q))];
    }

    static long[] concat(java.util.List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    static void report(String what, long[] lat) {
        long[] s = lat.clone();
        Arrays.sort(s);
        System.out.printf("%s: n=%d median=%.1f us p99=%.1f us p99.9=%.1f us max=%.1f us%n", what, s.length,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, s[(int) (s.length * 0.999)] / 1e3, s[s.length - 1] / 1e3);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
