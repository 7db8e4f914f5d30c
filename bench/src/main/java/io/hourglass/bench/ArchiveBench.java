package io.hourglass.bench;

import io.hourglass.archive.ArchiveTopics;
import io.hourglass.archive.KafkaCheckpointShipper;
import io.hourglass.archive.KafkaLogShipper;
import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import io.hourglass.engine.sql.PreparedStatement;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The Kafka archive benchmark of issue 5, in one run, against a KRaft broker in this JVM
 * (Kafka's own test kit; the broker's log on the same disk):
 * <ol>
 *   <li>TPTBM updates (one row by primary key, non-durable commits) as fast as {@code threads}
 *       clients go, shipping off, then on: the maximum rate and the shipping overhead;</li>
 *   <li>the same clients paced at half the maximum rate, shipping off then on: throughput, and
 *       the archive lag (commit returned to Kafka acknowledged) of every 8th commit;</li>
 *   <li>a checkpoint archived to the snapshots topic, then a restore from Kafka alone into a new
 *       database: snapshot rebuild speed (MB/s) and log replay speed (records/s).</li>
 * </ol>
 * Usage: java -cp benchmarks.jar io.hourglass.bench.ArchiveBench [dir] [rows] [seconds per phase] [threads]
 */
public final class ArchiveBench {
    private static final String DSN = Tptbm.DSN;

    private ArchiveBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/archive");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Stats.deleteTree(dir);
        Files.createDirectories(dir);
        try (KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build()) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            ArchiveTopics topics = new ArchiveTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), "bench", DSN);
            DatabaseConfig cfg = DatabaseConfig.defaults(DSN, dir.resolve("src/tptbm").toString())
                    .withPermSize(4096).withCheckpoints(0, 0, 0).withLog(64, 64);
            try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = Tptbm.connect(inst)) {
                long t0 = System.nanoTime();
                Tptbm.create(c, rows);
                System.out.printf("loaded %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
                Database db = inst.database(DSN);
                KafkaLogShipper shipper = new KafkaLogShipper(db, topics, KafkaLogShipper.Settings.defaults());
                KafkaCheckpointShipper ckpt = new KafkaCheckpointShipper(db, topics);
                shipper.start();
                ckpt.start();
                catchUp(db, shipper);
                System.out.println("the load is archived; measuring");

                // 1. Maximum rate, shipping off (the shipper paused) and on, in alternating pairs.
                int pairs = 3;
                double[] ratios = new double[pairs];
                double offMax = 0;
                for (int k = 0; k < pairs; k++) {
                    shipper.close();
                    double off = run(inst, rows, threads, seconds, 0, null, null).rate;
                    shipper = new KafkaLogShipper(db, topics, KafkaLogShipper.Settings.defaults());
                    shipper.start();
                    catchUp(db, shipper);
                    double on = run(inst, rows, threads, seconds, 0, shipper, null).rate;
                    catchUp(db, shipper);
                    ratios[k] = on / off;
                    offMax = Math.max(offMax, off);
                    System.out.printf("max update rate, pair %d: shipping off %,.0f/s, on %,.0f/s (on/off %.3f)%n", k + 1, off, on, on / off);
                }
                java.util.Arrays.sort(ratios);
                System.out.printf("max update rate: on/off median of %d pairs %.3f%n", pairs, ratios[pairs / 2]);

                // 2. Half the maximum rate: throughput off and on, and the lag.
                double pace = offMax / 2;
                shipper.close();
                double offHalf = run(inst, rows, threads, seconds, pace, null, null).rate;
                shipper = new KafkaLogShipper(db, topics, KafkaLogShipper.Settings.defaults());
                shipper.start();
                catchUp(db, shipper);
                List<Long> lags = new ArrayList<>();
                double onHalf = run(inst, rows, threads, seconds, pace, shipper, lags).rate;
                long[] lag = lags.stream().mapToLong(Long::longValue).toArray();
                System.out.printf("- at half the maximum (%,.0f/s): shipping off %,.0f/s, on %,.0f/s (on/off %.3f)%n", pace,
                        offHalf, onHalf, onHalf / offHalf);
                Stats.report("archive lag (commit returned -> Kafka acknowledged)", lag);

                // 3. Restore from Kafka alone.
                db.checkpointer().checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "bench", 0));
                long newest = db.checkpointer().newest().checkpointId();
                run(inst, rows, threads, seconds, 0, shipper, null); // log after the checkpoint to replay
                catchUp(db, shipper);
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (ckpt.archivedCheckpointId() < newest && System.nanoTime() < until) Thread.sleep(50);
                shipper.close();
                ckpt.close();
            }
            DatabaseConfig into = DatabaseConfig.defaults("COPY", dir.resolve("copy/copy").toString()).withPermSize(4096).withLog(64, 64);
            KafkaRestore.Result r = KafkaRestore.run(topics, into, FileStorageIo.INSTANCE, KafkaRestore.Target.end(),
                    Runtime.getRuntime().availableProcessors(), null);
            System.out.printf("restore: checkpoint %d, image %,d bytes in %d ms = %.0f MB/s; log %,d transactions, %,d records "
                            + "in %d ms = %,.0f records/s; %,d rows; total %d ms%n", r.checkpointId(), r.snapshotBytes(),
                    r.snapshotMillis(), r.snapshotBytes() / 1048576.0 / Math.max(1, r.snapshotMillis()) * 1000, r.transactions(),
                    r.changes(), r.logMillis(), r.changes() * 1000.0 / Math.max(1, r.logMillis()), r.rows(), r.totalMillis());
        }
    }

    private static void catchUp(Database db, KafkaLogShipper s) throws InterruptedException {
        db.transactions().flushDurably().toCompletableFuture().join();
        long synced = db.log().syncedLsn();
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (s.acknowledgedLsn() < synced) {
            if (System.nanoTime() > until) throw new IllegalStateException("the archive did not catch up");
            Thread.sleep(5);
        }
    }

    private record Outcome(double rate) {}

    /**
     * {@code threads} clients updating random rows for {@code seconds}, each paced to
     * {@code pace / threads} per second (0: flat out). With {@code lags}, every 8th commit's
     * log position and time are sampled and matched to the shipper's acknowledgements.
     */
    private static Outcome run(Instance inst, int rows, int threads, int seconds, double pace, KafkaLogShipper shipper,
                               List<Long> lags) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
        Database db = inst.database(DSN);
        List<Thread> ts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            ts.add(Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed * 7919L + System.nanoTime());
                long interval = pace > 0 ? (long) (1e9 * threads / pace) : 0;
                long next = System.nanoTime();
                try (Connection c = Tptbm.connect(inst)) {
                    PreparedStatement up = c.prepare("UPDATE vpn_users SET last_calling_party = ? WHERE vpn_id = ? AND vpn_nb = ?");
                    long n = 0;
                    while (!stop.get()) {
                        if (interval > 0) {
                            next += interval;
                            long wait = next - System.nanoTime();
                            if (wait > 0) LockSupport.parkNanos(wait);
                        }
                        int i = rnd.nextInt(rows);
                        c.execute(up, String.format("%010d", n), i / 1000, i % 1000);
                        if (lags != null && (n & 7) == 0) samples.add(new long[] {db.log().appendedLsn(), System.nanoTime()});
                        n++;
                        done.increment();
                    }
                }
            }));
        }
        Thread watcher = null;
        if (lags != null) {
            watcher = Thread.ofPlatform().start(() -> {
                while (!stop.get() || !samples.isEmpty()) {
                    long acked = shipper.acknowledgedLsn();
                    long now = System.nanoTime();
                    for (long[] s = samples.peek(); s != null && s[0] <= acked; s = samples.peek()) {
                        samples.poll();
                        synchronized (lags) {
                            lags.add(now - s[1]);
                        }
                    }
                    LockSupport.parkNanos(100_000);
                }
            });
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        long elapsed = System.nanoTime() - start;
        for (Thread t : ts) t.join();
        if (watcher != null) {
            db.transactions().flushDurably().toCompletableFuture().join();
            watcher.join(TimeUnit.MINUTES.toMillis(2));
        }
        return new Outcome(done.sum() / (elapsed / 1e9));
    }
}
