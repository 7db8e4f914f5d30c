package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;

/**
 * Heap bytes per TPTBM row: the live heap after loading N rows minus the live heap of the same
 * instance empty, divided by N. Usage: java -cp benchmarks.jar io.hourglass.bench.TptbmMemory [rows]
 */
public final class TptbmMemory {
    private TptbmMemory() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (Instance inst = Tptbm.open(4096); Connection c = Tptbm.connect(inst)) {
            long before = liveHeap();
            Tptbm.create(c, rows);
            long after = liveHeap();
            long perm = inst.database(Tptbm.DSN).stats().permInUse();
            System.out.printf("rows=%d heapBytesPerRow=%.1f permSizeBytesPerRow=%.1f%n",
                    rows, (after - before) / (double) rows, perm / (double) rows);
            // Keep the instance reachable until measured.
            if (c.execute("SELECT COUNT(*) FROM vpn_users").rows().isEmpty()) throw new IllegalStateException();
        }
    }

    private static long liveHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
