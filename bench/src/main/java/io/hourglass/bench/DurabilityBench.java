package io.hourglass.bench;

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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durability benchmark of issue 3, in one run on one log directory:
 * <ol>
 *   <li>the disk's own fdatasync latency: 256-byte appends to a preallocated file, each synced;</li>
 *   <li>one client, durable single-row commits: latency (median, p99) and throughput;</li>
 *   <li>64 concurrent durable committers: throughput (group commit at work);</li>
 *   <li>non-durable single-row commits on 2 threads, against the same engine with logging off
 *       (a Temporary database).</li>
 * </ol>
 * Each durable load first runs unmeasured for three times a phase's length, for the JIT; then
 * rounds (-Drounds=N, 5 by default) of the first three phases, each round's ratios taken within
 * it, and the medians of those ratios reported.
 * Usage: java -cp benchmarks.jar io.hourglass.bench.DurabilityBench [dir] [seconds per phase]
 * [nondurable | many | many-nondurable] (one phase only, for profiling; -Drounds=N and -Dclients=N
 * for "many")
 */
public final class DurabilityBench {
    private DurabilityBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/durability");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Files.createDirectories(dir);
        if (args.length > 2 && args[2].equals("nondurable")) {
            compareNonDurable(dir, seconds); // only the last phase, for profiling
            return;
        }
        if (args.length > 2 && args[2].startsWith("many")) {
            // Only the 64-client phase, for profiling; "many-nondurable" runs the same load with
            // DurableCommits=0, which shows what the durable path itself costs.
            // -Dclients=N runs it with N clients instead.
            int clients = Integer.getInteger("clients", 64);
            for (int r = 0; r < Integer.getInteger("rounds", 3); r++) {
                long[] many = commits(dir.resolve("many"), clients, seconds, !args[2].endsWith("nondurable"));
                Stats.report("durable commit, " + clients + " clients", many);
                System.out.printf("%d-client throughput: %.0f/s%n", clients, many.length / (double) seconds);
            }
            return;
        }
        // Each durable load runs unmeasured first, three times as long, on a database of its own:
        // the JIT then compiles the path the phase measures (the leader's sync for one client,
        // group commit for 64), as a server that has been up for a while runs it. (Run cold, the
        // 64-client load took about 15 s to reach its steady rate.)
        durable(dir.resolve("one"), 1, 3 * seconds);
        durable(dir.resolve("many"), 64, 3 * seconds);

        // Then rounds of (disk probe, one client, 64 clients), each compared within its round: the
        // disk's sync time and this VM's pace drift by a quarter over minutes, and a ratio of two
        // phases minutes apart measures the drift as much as the engine.
        int rounds = Integer.getInteger("rounds", 5);
        List<long[]> fsyncs = new ArrayList<>(), ones = new ArrayList<>(), manys = new ArrayList<>();
        double[] latencyRatio = new double[rounds], throughputRatio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long[] fsync = fdatasync(dir.resolve("fsync-probe"), Math.max(1, seconds / 2));
            long[] one = durable(dir.resolve("one"), 1, seconds);
            long[] many = durable(dir.resolve("many"), 64, seconds);
            fsyncs.add(fsync);
            ones.add(one);
            manys.add(many);
            latencyRatio[r] = Stats.median(one) / (double) Stats.median(fsync);
            throughputRatio[r] = many.length / (double) one.length; // same length of time
            System.out.printf("round %d: fdatasync median %.1f us; 1 client median %.1f us (%.2fx), %.0f/s; 64 clients %.0f/s (%.1fx)%n",
                    r + 1, Stats.median(fsync) / 1e3, Stats.median(one) / 1e3, latencyRatio[r], one.length / (double) seconds,
                    many.length / (double) seconds, throughputRatio[r]);
        }
        Stats.report("fdatasync (256-byte append + fdatasync), all rounds", Stats.concat(fsyncs));
        Stats.report("durable commit, 1 client, all rounds", Stats.concat(ones));
        Stats.report("durable commit, 64 clients, all rounds", Stats.concat(manys));
        System.out.printf("ratio (median of %d rounds): median durable commit / median fdatasync = %.2f%n", rounds, medianOf(latencyRatio));
        System.out.printf("ratio (median of %d rounds): 64-client throughput / 1-client throughput = %.1f%n", rounds, medianOf(throughputRatio));

        compareNonDurable(dir, seconds);
    }

    /**
     * Non-durable commits with the log against the same engine with logging off, in back-to-back
     * pairs of rounds (a noisy neighbour or a GC then hits both sides of a pair alike); the result
     * is the median of the pairs' ratios.
     */
    private static void compareNonDurable(Path dir, int seconds) throws Exception {
        int n = 7;
        double[] logged = new double[n], unlogged = new double[n], ratio = new double[n];
        nonDurable(DatabaseConfig.temporary("ND"), 1); // warm-up
        for (int r = 0; r < n; r++) {
            // Each side goes first in every other pair, so a drift of the machine's pace within a
            // pair favours neither.
            for (int side = 0; side < 2; side++) {
                System.gc();
                if ((side + r) % 2 == 0) {
                    logged[r] = nonDurable(DatabaseConfig.defaults("ND", dir.resolve("nd/nd").toString()), seconds);
                } else {
                    unlogged[r] = nonDurable(DatabaseConfig.temporary("ND"), seconds);
                }
            }
            ratio[r] = logged[r] / unlogged[r];
        }
        System.out.printf("non-durable commits, 2 threads, rounds with the log: %s%n", Arrays.toString(round(logged)));
        System.out.printf("non-durable commits, 2 threads, rounds with logging off (Temporary): %s%n", Arrays.toString(round(unlogged)));
        System.out.printf("non-durable commits, 2 threads: median %.0f/s with the log, %.0f/s with logging off; "
                + "median ratio of back-to-back pairs %.1f%%%n", medianOf(logged), medianOf(unlogged), 100 * medianOf(ratio));
    }

    /**
     * What this process has sent to storage so far (Linux's /proc/self/io write_bytes, counted
     * when pages are dirtied: the log's records, its files' zeros, checkpoints), or -1.
     */
    static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) return Long.parseLong(line.substring(12).trim());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the figure is left out
        }
        return -1;
    }

    private static long[] round(double[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Math.round(a[i]);
        return r;
    }

    private static double medianOf(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long[] fdatasync(Path file, int seconds) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = 64L << 20;
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long p = 0; p < size; p += zeros.capacity()) ch.write(zeros.clear(), p);
            ch.force(true);
            ByteBuffer rec = ByteBuffer.allocate(256);
            List<Long> lat = new ArrayList<>();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (long pos = 0; System.nanoTime() < end && pos + 256 < size; pos += 256) {
                long t0 = System.nanoTime();
                ch.write(rec.clear(), pos);
                ch.force(false);
                lat.add(System.nanoTime() - t0);
            }
            return lat.stream().mapToLong(Long::longValue).toArray();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long[] durable(Path dir, int clients, int seconds) throws Exception {
        return commits(dir, clients, seconds, true);
    }

    private static long[] commits(Path dir, int clients, int seconds, boolean durable) throws Exception {
        Stats.deleteTree(dir);
        DatabaseConfig cfg = DatabaseConfig.defaults("DUR", dir.resolve("dur").toString())
                .withDurableCommits(durable ? 1 : 0).withPermSize(2048);
        try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg))) {
            try (Connection c = inst.connect("DUR", "admin", Tptbm.PASSWORD)) {
                c.execute("CREATE TABLE t (id BIGINT NOT NULL, v INTEGER, PRIMARY KEY (id)) UNIQUE HASH ON (id) PAGES = 1000");
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ids = new AtomicLong();
            List<long[]> perThread = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                // Each client's latency record is allocated here, before any client starts: made
                // by the clients themselves (it was 8 MB each), 64 new arrays took the two carrier
                // threads for about 300 ms at the start of the phase, and commits already under
                // way waited for a carrier meanwhile: a stall of the benchmark, not the engine.
                long[] first = new long[1 << 14];
                // Virtual threads, as the service runs engine calls: a committer waiting for its
                // group's sync costs a parked virtual thread, not a kernel context switch.
                threads.add(Thread.ofVirtual().start(() -> {
                    long[] lat = first;
                    int n = 0;
                    try (Connection c = inst.connect("DUR", "admin", Tptbm.PASSWORD)) {
                        PreparedStatement ins = c.prepare("INSERT INTO t VALUES (?, 1)");
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            c.execute(ins, ids.incrementAndGet());
                            if (n == lat.length) lat = Arrays.copyOf(lat, 2 * n);
                            lat[n++] = System.nanoTime() - t0;
                        }
                    }
                    synchronized (perThread) {
                        perThread.add(Arrays.copyOf(lat, n));
                    }
                }));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (Thread t : threads) t.join();
            return perThread.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            Stats.deleteTree(dir);
        }
    }

    private static double nonDurable(DatabaseConfig cfg, int seconds) throws Exception {
        if (!cfg.temporary()) Stats.deleteTree(cfg.logDirectory());
        try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg.withPermSize(4096)))) {
            try (Connection c = inst.connect("ND", "admin", Tptbm.PASSWORD)) {
                c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
                for (int i = 0; i < 100_000; i++) c.execute("INSERT INTO t VALUES (?, 0)", i);
            }
            AtomicBoolean stop = new AtomicBoolean(), measuring = new AtomicBoolean();
            AtomicLong done = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                int seed = k;
                threads.add(Thread.ofPlatform().start(() -> {
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    try (Connection c = inst.connect("ND", "admin", Tptbm.PASSWORD)) {
                        PreparedStatement upd = c.prepare("UPDATE t SET v = v + 1 WHERE id = ?");
                        long n = 0;
                        while (!stop.get()) {
                            c.execute(upd, r.nextInt(100_000));
                            if (measuring.get()) n++; // only the commits of the measured window
                        }
                        done.addAndGet(n);
                    }
                }));
            }
            Thread.sleep(1000); // warm-up, not counted
            long written0 = bytesWritten();
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            long t1 = System.nanoTime();
            long written = bytesWritten() - written0;
            stop.set(true);
            for (Thread t : threads) t.join();
            if (!cfg.temporary() && written0 >= 0) {
                System.out.printf("  with the log: %d commits, %.1f MB written to storage, %.0f bytes a commit%n",
                        done.get(), written / 1e6, written / (double) Math.max(1, done.get()));
            }
            return done.get() / ((t1 - t0) / 1e9);
        } finally {
            if (!cfg.temporary()) Stats.deleteTree(cfg.logDirectory());
        }
    }
}
