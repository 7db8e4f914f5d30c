package io.hourglass.bench;

import io.hourglass.engine.checkpoint.CheckpointHistory;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.PreparedStatement;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The checkpoint benchmark of issue 4, in one run on one directory, on a TPTBM database:
 * <ol>
 *   <li>the disk's sequential write speed: 1 MB writes, then one fdatasync;</li>
 *   <li>two full fuzzy checkpoints at CkptRate=0: their write speed against the disk's;</li>
 *   <li>an incremental checkpoint after changing 1% of the rows (a contiguous key range);</li>
 *   <li>TPTBM 80/20 (reads/updates by primary key) at a steady, paced load, without and with
 *       fuzzy checkpoints running back to back: throughput, latency percentiles and the longest
 *       operation (latency counts from when the operation was due, so a stall shows in full).</li>
 * </ol>
 * Usage: java -cp benchmarks.jar io.hourglass.bench.CheckpointBench [dir] [rows] [seconds per window] [load fraction]
 */
public final class CheckpointBench {
    private static final String DSN = Tptbm.DSN;

    private CheckpointBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/checkpoint");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        double fraction = args.length > 3 ? Double.parseDouble(args[3]) : 0.4;
        Stats.deleteTree(dir);
        Files.createDirectories(dir);

        double diskMBps = sequentialWrite(dir.resolve("seq-probe"), 512);
        System.out.printf("disk sequential write (1 MB writes + fdatasync): %.0f MB/s%n", diskMBps);

        DatabaseConfig cfg = DatabaseConfig.defaults(DSN, dir.resolve("tptbm").toString())
                .withPermSize(2048).withCheckpoints(0, 0, 0);
        try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
            long t0 = System.nanoTime();
            Tptbm.create(c, rows);
            System.out.printf("loaded %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            var ck = inst.database(DSN).checkpointer();

            for (int i = 1; i <= 2; i++) {
                c.execute("CALL ttCkpt()");
                CheckpointHistory.Entry e = ck.history().entries().getFirst();
                double mbps = e.bytesWritten() / 1048576.0 / (e.durationMillis() / 1000.0);
                System.out.printf("full checkpoint %d (file %d): %,d blocks, %.1f MB written in %d ms = %.0f MB/s = %.0f%% of the disk%n",
                        i, e.ckptFileNum(), e.blksInUse(), e.bytesWritten() / 1048576.0, e.durationMillis(), mbps, 100 * mbps / diskMBps);
            }

            PreparedStatement upd = c.prepare("UPDATE vpn_users SET last_calling_party = ? WHERE vpn_id = ? AND vpn_nb = ?");
            c.setAutocommit(false);
            int changed = rows / 100;
            for (int i = 0; i < changed; i++) {
                c.execute(upd, "1111111111", i / 1000, i % 1000);
                if (i % 10_000 == 9_999) c.commit();
            }
            c.commit();
            c.setAutocommit(true);
            c.execute("CALL ttCkpt()");
            CheckpointHistory.Entry inc = ck.history().entries().getFirst();
            System.out.printf("incremental checkpoint after changing %,d rows (1%%): %.2f MB written of %.1f MB in use = %.2f%% (%d ms)%n",
                    changed, inc.bytesWritten() / 1048576.0, inc.bytesInUse() / 1048576.0,
                    100.0 * inc.bytesWritten() / inc.bytesInUse(), inc.durationMillis());

            double max = closedLoop(inst, rows, 3);
            double target = max * fraction;
            System.out.printf("TPTBM 80/20 closed loop, 2 threads: %,.0f ops/s; paced load: %,.0f ops/s (%.0f%%)%n", max, target, fraction * 100);
            paced(inst, rows, target, 3, false); // warm-up: JIT, heap
            Window base1 = paced(inst, rows, target, seconds, false);
            base1.print("without checkpoint");
            Window with = paced(inst, rows, target, seconds, true);
            with.print("with fuzzy checkpoints");
            Window base2 = paced(inst, rows, target, seconds, false);
            base2.print("without checkpoint (again)");
            double baseTput = (base1.throughput() + base2.throughput()) / 2;
            double baseP99 = (base1.p99() + base2.p99()) / 2.0;
            System.out.printf("ratio: throughput with / without = %.3f; p99 with / without = %.2f; longest operation with checkpoints = %.2f ms%n",
                    with.throughput() / baseTput, with.p99() / baseP99, with.max() / 1e6);
        }
    }

    /** Writes {@code mb} MB in 1 MB writes and syncs once; MB/s including the sync. */
    private static double sequentialWrite(Path file, int mb) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        byte[] fill = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(fill);
        buf.put(fill).flip();
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < mb; i++) {
                buf.rewind();
                while (buf.hasRemaining()) ch.write(buf);
            }
            ch.force(false);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Files.delete(file);
        return mb / secs;
    }

    /** One TPTBM operation: 80% reads, 20% updates, by primary key. */
    private static final class Worker {
        final Connection c;
        final PreparedStatement read, update;
        final SplittableRandom r;
        final int rows;

        Worker(Instance inst, int rows, long seed) {
            this.c = Tptbm.connect(inst);
            this.read = c.prepare("SELECT directory_nb, last_calling_party, descr FROM vpn_users WHERE vpn_id = ? AND vpn_nb = ?");
            this.update = c.prepare("UPDATE vpn_users SET last_calling_party = ? WHERE vpn_id = ? AND vpn_nb = ?");
            this.r = new SplittableRandom(seed);
            this.rows = rows;
        }

        void op() {
            int i = r.nextInt(rows);
            if (r.nextInt(100) < 80) c.execute(read, i / 1000, i % 1000);
            else c.execute(update, String.format("%010d", r.nextInt(1_000_000_000)), i / 1000, i % 1000);
        }
    }

    private static double closedLoop(Instance inst, int rows, int seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long[] counts = new long[2];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            ts.add(Thread.ofPlatform().start(() -> {
                Worker w = new Worker(inst, rows, id);
                long n = 0;
                while (!stop.get()) {
                    w.op();
                    n++;
                }
                counts[id] = n;
                w.c.close();
            }));
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) t.join();
        return (counts[0] + counts[1]) / (double) seconds;
    }

    private record Window(long[] latencies, double seconds, int checkpoints) {
        double throughput() { return latencies.length / seconds; }

        long p99() { return Stats.percentile(latencies, 0.99); }

        long max() { return Stats.percentile(latencies, 1.0); }

        void print(String what) {
            System.out.printf("%s: %,.0f ops/s, p50=%.1f us p99=%.1f us p99.9=%.1f us max=%.2f ms%s%n", what, throughput(),
                    Stats.median(latencies) / 1e3, p99() / 1e3, Stats.percentile(latencies, 0.999) / 1e3, max() / 1e6,
                    checkpoints > 0 ? ", " + checkpoints + " checkpoint(s) completed" : "");
        }
    }

    /**
     * Two threads issue operations at {@code rate} in total, each on its own schedule (running
     * ahead by up to 0.2 ms, then parking: the load uses CPU in proportion to its rate). An
     * operation's latency runs from when it was due (or from its start if it ran early), so
     * waiting behind a stall is counted.
     */
    private static Window paced(Instance inst, int rows, double rate, int seconds, boolean checkpoints) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long interval = (long) (2e9 / rate);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] lat = new long[2][];
        int[] counts = new int[2];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            ts.add(Thread.ofPlatform().start(() -> {
                Worker w = new Worker(inst, rows, 100 + id);
                long[] l = new long[(int) (seconds * rate / 2 * 1.1) + 16];
                int n = 0;
                long due = System.nanoTime();
                while (due < end && n < l.length) {
                    long now = System.nanoTime();
                    if (due - now > 200_000) {
                        LockSupport.parkNanos(due - now - 100_000); // ahead of schedule: rest, do not spin
                        continue;
                    }
                    w.op();
                    // From when it was due, or from its start if it ran early.
                    l[n++] = System.nanoTime() - Math.min(now, due);
                    due += interval;
                }
                lat[id] = l;
                counts[id] = n;
                w.c.close();
            }));
        }
        int done = 0;
        if (checkpoints) {
            try (Connection c = Tptbm.connect(inst)) {
                while (System.nanoTime() < end - TimeUnit.MILLISECONDS.toNanos(200)) {
                    c.execute("CALL ttCkpt()");
                    done++;
                }
            }
        }
        for (Thread t : ts) t.join();
        stop.set(true);
        long[] all = new long[counts[0] + counts[1]];
        System.arraycopy(lat[0], 0, all, 0, counts[0]);
        System.arraycopy(lat[1], 0, all, counts[0], counts[1]);
        return new Window(all, seconds, done);
    }
}
