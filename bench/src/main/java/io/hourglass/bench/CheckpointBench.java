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
 *   <li>full fuzzy checkpoints at CkptRate=0: the first two (one per file, cold JIT) reported,
 *       six more to warm the path up, then rounds of (disk probe, full checkpoint, disk probe):
 *       the checkpoint's write speed against the disk's sequential write speed (as many bytes in
 *       1 MB writes, then one fdatasync) just before and after it, the median of the rounds;</li>
 *   <li>an incremental checkpoint after changing 1% of the rows (a contiguous key range);</li>
 *   <li>TPTBM 80/20 (reads/updates by primary key) at a steady, paced load, in rounds of a window
 *       without a checkpoint and a window with one: throughput, p99 (against the stretch of equal
 *       length just before the checkpoint) and the longest operation (latency counts from when
 *       the operation was due, so a stall shows in full).</li>
 *   <li>the memory a full checkpoint uses beyond the database (heap allocated, direct buffers);</li>
 *   <li>load at startup: the disk's cold sequential read speed, then loads of the database in
 *       fresh JVMs from a cold page cache, and in this JVM.</li>
 * </ol>
 * Usage: java -cp benchmarks.jar io.hourglass.bench.CheckpointBench [dir] [rows] [seconds per window] [load fraction]
 * [CkptRate under load, MB/s] [rounds]; -Dcontrol=spin replaces each checkpoint under load by a nice-19
 * thread spinning 250 ms (see {@link #spinAtNice19}).
 */
public final class CheckpointBench {
    private static final String DSN = Tptbm.DSN;

    private CheckpointBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/checkpoint");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        double fraction = args.length > 3 ? Double.parseDouble(args[3]) : 0.4;
        int loadRate = args.length > 4 ? Integer.parseInt(args[4]) : 0; // CkptRate while under load
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 8;
        Stats.deleteTree(dir);
        Files.createDirectories(dir);

        DatabaseConfig cfg = DatabaseConfig.defaults(DSN, dir.resolve("tptbm").toString())
                .withPermSize(2048).withCheckpoints(0, 0, 0);
        try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
            long t0 = System.nanoTime();
            Tptbm.create(c, rows);
            System.out.printf("loaded %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            var ck = inst.database(DSN).checkpointer();

            // The first two full checkpoints (one per file) run cold: report them, then warm the
            // path up as a server that has been up for a while runs it, and measure in rounds.
            CheckpointHistory.Entry first = fullCheckpoint(c, ck, "first (cold)");
            fullCheckpoint(c, ck, "second (cold)");
            for (int i = 0; i < 6; i++) {
                dirtyEveryBlock(c, rows);
                c.execute("CALL ttCkpt()");
            }
            int mb = (int) Math.max(16, first.bytesWritten() >> 20);
            checkpointMemory(dir, c, ck, rows, inst.database(DSN).transactions().memory().used());
            int speedRounds = 5;
            double[] ratios = new double[speedRounds];
            for (int r = 0; r < speedRounds; r++) {
                // A full checkpoint (every block changed) between two probes of the disk with as
                // many bytes, compared with the mean of the two.
                double before = sequentialWrite(dir.resolve("seq-probe"), mb);
                dirtyEveryBlock(c, rows);
                CheckpointHistory.Entry e = fullCheckpoint(c, ck, "round " + (r + 1));
                double after = sequentialWrite(dir.resolve("seq-probe"), mb);
                ratios[r] = speed(e) / ((before + after) / 2);
                System.out.printf("  disk sequential write (%d x 1 MB writes + fdatasync) before and after: %.0f, %.0f MB/s; ratio %.2f%n",
                        mb, before, after, ratios[r]);
            }
            java.util.Arrays.sort(ratios);
            System.out.printf("ratio (median of %d rounds): full checkpoint / disk = %.2f%n", speedRounds, ratios[speedRounds / 2]);

            c.execute("CALL ttCkpt()"); // the other file too holds every block now: the next one writes only what changes
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
            c.execute("CALL ttCkptConfig(NULL, NULL, " + loadRate + ")");
            System.out.printf("CkptRate under load: %s%n", loadRate == 0 ? "0 (unlimited)" : loadRate + " MB/s");
            underLoad(inst, c, ck, rows, target, seconds, rounds);
        } // closing unloads the database with a blocking checkpoint: the next load needs no log
        startupLoad(dir, cfg, 3);
    }

    /**
     * What a checkpoint needs beyond the database: the heap it allocates (every thread's
     * allocation over one full checkpoint while nothing else runs, an upper bound of what it
     * holds at once) and the direct write buffers the checkpointer keeps (made once, at most
     * 4 MB), against the database's size (PermSize in use).
     */
    private static void checkpointMemory(Path dir, Connection c, io.hourglass.engine.checkpoint.Checkpointer ck, int rows, long dbBytes) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < 3; r++) {
            dirtyEveryBlock(c, rows);
            long heapBefore = threads.getTotalThreadAllocatedBytes();
            c.execute("CALL ttCkpt()");
            long heap = threads.getTotalThreadAllocatedBytes() - heapBefore;
            CheckpointHistory.Entry e = ck.history().entries().getFirst();
            long buffers = ck.writeBufferBytes();
            long cached = pageCacheBytes(dir.resolve("tptbm.ds" + ck.newest().fileNo()));
            System.out.printf("memory of a full checkpoint (%.1f MB written): heap allocated %.2f MB (all threads), direct write buffers"
                            + " kept %.2f MB; together %.2f%% of the database's %.1f MB in use; the page cache holds %.2f MB of the file"
                            + " just written%n", e.bytesWritten() / 1048576.0,
                    heap / 1048576.0, buffers / 1048576.0, 100.0 * (heap + buffers) / dbBytes, dbBytes / 1048576.0, cached / 1048576.0);
        }
    }

    /** Bytes of {@code file} in the page cache: mincore(2) page by page through one mapping, which reads nothing. */
    private static long pageCacheBytes(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long size = ch.size();
            var m = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = 0;
            for (long p = 0; p < size; p += 4096) if (m.asSlice(p, Math.min(4096, size - p)).isLoaded()) n += Math.min(4096, size - p);
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Load at startup: the disk's sequential read speed of the newest checkpoint file from a cold
     * page cache (4 MB reads), then loads of the database (the checkpoint image, the log after it,
     * the indexes), each in a fresh JVM as a start is, and each from a cold page cache. Dropping
     * the page cache needs root (/proc/sys/vm/drop_caches); without it the file is read from
     * memory, which the output says. The load inside this JVM (a RAM policy reload after a
     * failure, compiled code warm) follows.
     */
    private static void startupLoad(Path dir, DatabaseConfig cfg, int rounds) throws Exception {
        Path ds = Files.getLastModifiedTime(dir.resolve("tptbm.ds0")).compareTo(Files.getLastModifiedTime(dir.resolve("tptbm.ds1"))) > 0
                ? dir.resolve("tptbm.ds0") : dir.resolve("tptbm.ds1");
        for (int r = 0; r < rounds; r++) {
            boolean cold = dropPageCache();
            System.out.printf("disk sequential read of %s (%.1f MB, 4 MB reads, %s page cache): %.0f MB/s%n", ds.getFileName(),
                    Files.size(ds) / 1048576.0, cold ? "cold" : "warm (cannot drop it)", sequentialRead(ds));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int r = 0; r < rounds; r++) {
            boolean cold = dropPageCache();
            // ZGC as docs/OPERATIONS.md advises it: an initial heap about the data's size (ZGC
            // commits and zeroes all of -Xms before main: 2.2 s for 6 GB on the project's VM).
            Process p = new ProcessBuilder(java, "-XX:+UseZGC", "-Xms1g", "-Xmx6g", "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), LoadOnce.class.getName(), cfg.dataStore(), String.valueOf(cfg.ckptReadThreads()),
                    String.valueOf(cfg.recoveryThreads()), cold ? "cold" : "warm")
                    .redirectErrorStream(true).start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                out.lines().filter(l -> l.startsWith("load")).forEach(l -> System.out.println("fresh JVM: " + l));
            }
            if (p.waitFor() != 0) throw new IllegalStateException("the load in a fresh JVM failed: " + p.exitValue());
        }
        for (int r = 0; r < rounds; r++) {
            try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
                System.out.println("this JVM (warm): " + LoadOnce.describe(inst, cfg, "warm"));
            }
        }
    }

    /**
     * Loads the database once in this JVM and prints what its recovery took. With {@code make
     * <rows>} in place of the other arguments, first makes the database (TPTBM rows, closed with
     * a blocking checkpoint) when it has no checkpoint yet: bench/run-load.sh's setup.
     */
    public static final class LoadOnce {
        public static void main(String[] a) {
            if (a.length == 3 && a[1].equals("make")) {
                if (Files.exists(Path.of(a[0] + ".ds0"))) return;
                DatabaseConfig cfg = DatabaseConfig.defaults(DSN, a[0]).withPermSize(2048).withCheckpoints(0, 0, 0);
                try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
                    Tptbm.create(c, Integer.parseInt(a[2]));
                }
                return;
            }
            DatabaseConfig cfg = DatabaseConfig.defaults(DSN, a[0]).withPermSize(2048).withCheckpoints(0, 0, 0)
                    .withCkptReadThreads(Integer.parseInt(a[1])).withRecoveryThreads(Integer.parseInt(a[2]));
            try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
                // From the process's start (the kernel's clock: 10 ms steps), the JVM's own start
                // included: what a restart keeps a service unavailable.
                long sinceStart = ProcessHandle.current().info().startInstant()
                        .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
                System.out.println(describe(inst, cfg, a[3]) + String.format("; process start to loaded %d ms", sinceStart));
            }
        }

        static String describe(Instance inst, DatabaseConfig cfg, String cache) {
            var r = inst.database(DSN).recovery();
            double mb;
            try {
                mb = Files.size(Path.of(cfg.dataStore() + ".ds" + r.checkpoint().fileNo())) / 1048576.0;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return String.format("load (%s page cache) of %,d rows, a %.1f MB checkpoint file: image %.0f ms = %.0f MB/s; log %.0f ms "
                            + "(%d transactions); indexes %.0f ms; whole recovery %.0f ms = %.0f MB/s", cache, r.rows(), mb,
                    r.imageNanos() / 1e6, mb / (r.imageNanos() / 1e9), r.logNanos() / 1e6, r.transactions(), r.rebuildNanos() / 1e6,
                    r.nanos() / 1e6, mb / (r.nanos() / 1e9));
        }
    }

    /** Empties the kernel's page cache (root only); whether it did. */
    private static boolean dropPageCache() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (IOException | InterruptedException | SecurityException e) {
            return false;
        }
    }

    private static double sequentialRead(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        long t0 = System.nanoTime(), total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int n;
            while ((n = ch.read(buf.clear(), total)) > 0) total += n;
        }
        return total / 1048576.0 / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The paced load runs throughout; rounds alternate a window without a checkpoint and a
     * window in which one fuzzy checkpoint (of a database whose blocks the load has all changed)
     * starts at once. The checkpoint's window is compared with the stretch of equal length just
     * before it: on this VM a stall of a millisecond or two (with or without a checkpoint) comes
     * a few times a second and moves the p99 of a window of 0.2 s on its own, so a p99 of a short
     * window against one of a long window measures the windows' lengths as much as the
     * checkpoint. Reported: the p99 of all checkpoint windows together against the p99 of all
     * their equal stretches together, the median of the rounds' own ratios, the same against the
     * whole window without a checkpoint (as this benchmark first reported it), throughput over
     * the whole windows, and the longest operation while a checkpoint ran.
     */
    private static void underLoad(Instance inst, Connection c, io.hourglass.engine.checkpoint.Checkpointer ck, int rows,
                                  double target, int seconds, int rounds) throws Exception {
        boolean control = "spin".equals(System.getProperty("control"));
        if (control) System.out.println("control run: each 'with' window is a nice-19 thread spinning 250 ms, no checkpoint");
        Load load = new Load(inst, rows, target);
        Thread.sleep(3000); // warm-up
        long win = TimeUnit.SECONDS.toNanos(seconds);
        List<double[]> pairs = new ArrayList<>();
        List<long[]> withAll = new ArrayList<>(), equalAll = new ArrayList<>();
        long worstWith = 0;
        for (int r = 0; r < rounds; r++) {
            long a = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long b = System.nanoTime();
            if (control) spinAtNice19();
            else c.execute("CALL ttCkpt()");
            CheckpointHistory.Entry e = ck.history().entries().getFirst();
            long done = System.nanoTime();
            long endWith = Math.max(done, b + win);
            while (System.nanoTime() < endWith) Thread.sleep(10);
            Window without = load.window(a, b), with = load.window(b, done), equal = load.window(Math.max(a, b - (done - b)), b);
            System.out.printf("round %d: without: %s | equal stretch before: %s | with (%s): %s%n", r + 1, without, equal,
                    control ? "spin, " + (done - b) / 1_000_000 + " ms" : String.format("%.1f MB in %d ms", e.bytesWritten() / 1048576.0,
                            e.durationMillis()), with);
            pairs.add(new double[] {with.throughput() / without.throughput(), (double) with.p99() / equal.p99(),
                    (double) with.p99() / without.p99()});
            withAll.add(with.latencies());
            equalAll.add(equal.latencies());
            worstWith = Math.max(worstWith, with.max());
        }
        Window all = load.stop();
        System.out.printf("whole run: %s%n", all);
        long p99With = Stats.percentile(Stats.concat(withAll), 0.99), p99Equal = Stats.percentile(Stats.concat(equalAll), 0.99);
        System.out.printf("p99 of all checkpoint windows %.1f us, of their equal stretches before %.1f us: ratio %.2f%n",
                p99With / 1e3, p99Equal / 1e3, (double) p99With / p99Equal);
        System.out.printf("ratio (median of %d pairs): throughput with / without = %.3f; p99 with / equal stretch before = %.2f; "
                + "p99 with / whole window without = %.2f; longest operation while a checkpoint ran = %.2f ms%n", rounds,
                medianOf(pairs, 0), medianOf(pairs, 1), medianOf(pairs, 2), worstWith / 1e6);
    }

    private static volatile long sink;

    /**
     * The control for the p99 (-Dcontrol=spin): a thread at the checkpoint's priority (nice 19)
     * that only does arithmetic for 250 ms, no memory traffic, no lock, no I/O. What it costs the
     * load is what any background thread costs on the machine, whatever the engine does.
     */
    private static void spinAtNice19() throws InterruptedException {
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                var linker = java.lang.foreign.Linker.nativeLinker();
                var libc = linker.defaultLookup();
                var intFn = java.lang.foreign.ValueLayout.JAVA_INT;
                var setpriority = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(intFn, intFn, intFn, intFn));
                var gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(intFn));
                int tid = (int) gettid.invokeExact();
                int rc = (int) setpriority.invokeExact(0, tid, 19);
                if (rc != 0) System.out.println("setpriority failed: the control spins at normal priority");
            } catch (Throwable x) {
                System.out.println("setpriority unavailable (" + x + "): the control spins at normal priority");
            }
            long end = System.nanoTime() + 250_000_000L, x = 0;
            while (System.nanoTime() < end) for (int i = 0; i < 1000; i++) x += i * x + 1;
            sink = x;
        });
        t.join();
    }

    private static double medianOf(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(x -> x[column]).sorted().toArray();
        return v[v.length / 2];
    }

    private static CheckpointHistory.Entry fullCheckpoint(Connection c, io.hourglass.engine.checkpoint.Checkpointer ck, String what) {
        c.execute("CALL ttCkpt()");
        CheckpointHistory.Entry e = ck.history().entries().getFirst();
        System.out.printf("full checkpoint, %s (file %d): %,d blocks, %.1f MB written in %d ms = %.0f MB/s%n",
                what, e.ckptFileNum(), e.blksInUse(), e.bytesWritten() / 1048576.0, e.durationMillis(), speed(e));
        return e;
    }

    /**
     * Changes one row in every 200 (a block holds 256 TPTBM rows), so the next checkpoint writes
     * every block of the file it goes to again.
     */
    private static void dirtyEveryBlock(Connection c, int rows) {
        PreparedStatement upd = c.prepare("UPDATE vpn_users SET last_calling_party = ? WHERE vpn_id = ? AND vpn_nb = ?");
        c.setAutocommit(false);
        for (int i = 0; i < rows; i += 200) c.execute(upd, "2222222222", i / 1000, i % 1000);
        c.commit();
        c.setAutocommit(true);
    }

    private static double speed(CheckpointHistory.Entry e) {
        return e.bytesWritten() / 1048576.0 / (e.durationMillis() / 1000.0);
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

    /** Latencies of the operations due in one interval. */
    private record Window(long[] latencies, double seconds) {
        double throughput() { return latencies.length / seconds; }

        long p99() { return Stats.percentile(latencies, 0.99); }

        long max() { return Stats.percentile(latencies, 1.0); }

        @Override
        public String toString() {
            return String.format("%,.0f ops/s p50=%.1f us p99=%.1f us max=%.2f ms", throughput(), Stats.median(latencies) / 1e3,
                    p99() / 1e3, max() / 1e6);
        }
    }

    /**
     * Two threads issue operations at {@code rate} in total, each on its own schedule (running
     * ahead by up to 0.2 ms, then parking: the load uses CPU in proportion to its rate). An
     * operation's latency runs from when it was due (or from its start if it ran early), so
     * waiting behind a stall is counted. Every operation's due time and latency are kept.
     */
    private static final class Load {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        // Each thread's records in chunks of CHUNK entries, added as they fill: growing one array
        // by copying (it was 8 MB at first, then 16, 32, 64) held a load thread up to tens of
        // milliseconds mid-run, a stall of the benchmark that a window then counted.
        private static final int CHUNK = 1 << 16;
        private final List<List<long[]>> due = List.of(new ArrayList<>(), new ArrayList<>());
        private final List<List<long[]>> lat = List.of(new ArrayList<>(), new ArrayList<>());
        private final int[] counts = new int[2];
        private final long start = System.nanoTime();
        private final Object[] locks = {new Object(), new Object()};

        Load(Instance inst, int rows, double rate) {
            long interval = (long) (2e9 / rate);
            for (int t = 0; t < 2; t++) {
                int id = t;
                for (int c = 0; c < 64; c++) { // room for 4M operations a thread before the load starts
                    due.get(id).add(new long[CHUNK]);
                    lat.get(id).add(new long[CHUNK]);
                }
                threads.add(Thread.ofPlatform().start(() -> {
                    Worker w = new Worker(inst, rows, 100 + id);
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        long now = System.nanoTime();
                        if (next - now > 200_000) {
                            LockSupport.parkNanos(next - now - 100_000); // ahead of schedule: rest, do not spin
                            continue;
                        }
                        w.op();
                        long l = System.nanoTime() - Math.min(now, next);
                        synchronized (locks[id]) {
                            int n = counts[id];
                            if (n == due.get(id).size() * CHUNK) {
                                due.get(id).add(new long[CHUNK]);
                                lat.get(id).add(new long[CHUNK]);
                            }
                            due.get(id).get(n / CHUNK)[n % CHUNK] = next;
                            lat.get(id).get(n / CHUNK)[n % CHUNK] = l;
                            counts[id] = n + 1;
                        }
                        next += interval;
                    }
                    w.c.close();
                }));
            }
        }

        /**
         * The operations due in [from, to). Only the chunk lists and counts are read under the
         * recording locks; the scan runs outside them, so the load threads never wait for it
         * (entries below a count never change, and chunks never move).
         */
        Window window(long from, long to) {
            List<Long> out = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                List<long[]> d, l;
                int n;
                synchronized (locks[t]) {
                    d = List.copyOf(due.get(t));
                    l = List.copyOf(lat.get(t));
                    n = counts[t];
                }
                for (int i = 0; i < n; i++) {
                    if (d.get(i / CHUNK)[i % CHUNK] >= from && d.get(i / CHUNK)[i % CHUNK] < to) out.add(l.get(i / CHUNK)[i % CHUNK]);
                }
            }
            int k = out.size();
            long[] a = new long[Math.max(k, 1)];
            for (int i = 0; i < k; i++) a[i] = out.get(i);
            return new Window(a, (to - from) / 1e9);
        }

        Window stop() throws InterruptedException {
            long end = System.nanoTime();
            stop.set(true);
            for (Thread t : threads) t.join();
            return window(start, end);
        }
    }
}
