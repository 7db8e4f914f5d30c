package io.hourglass.archive;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The archive's three topics of one database and the Kafka clients that use them. Every topic
 * has one partition (order is the point) and keeps its records forever.
 */
public final class ArchiveTopics {
    public static final String START_LSN = "hourglass-start-lsn";
    public static final String END_LSN = "hourglass-end-lsn";
    public static final String COMMIT_TIME = "hourglass-commit-time";
    public static final String PART = "hourglass-part";

    private final Map<String, Object> kafka;
    private final String database;
    private final String prefix;

    /**
     * @param kafka client properties: bootstrap.servers and any security settings
     * @param prefix topics are {@code <prefix>.<database>.log|checkpoints|snapshots}, the name in lower case
     */
    public ArchiveTopics(Map<String, Object> kafka, String prefix, String database) {
        this.kafka = Map.copyOf(kafka);
        this.prefix = prefix;
        this.database = database;
    }

    public String database() { return database; }

    public String log() { return name("log"); }

    public String checkpoints() { return name("checkpoints"); }

    public String snapshots() { return name("snapshots"); }

    private String name(String kind) { return prefix + "." + database.toLowerCase(Locale.ROOT) + "." + kind; }

    public Map<String, Object> kafka() { return kafka; }

    /** Creates the topics that do not exist yet: one partition, kept forever. */
    public void ensure(String... topics) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(kafka)) {
            Set<String> existing = admin.listTopics().names().get();
            for (String topic : topics) {
                if (existing.contains(topic)) continue;
                NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete",
                                "max.message.bytes", String.valueOf(2 << 20)));
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
        }
    }

    /**
     * Whether anything was ever archived here: the log or the snapshots topic holds a record.
     * Topics that do not exist hold nothing; a Kafka that does not answer within a minute is an
     * IOException, never "nothing" (a caller that starts an empty database on "nothing" must not
     * do so because Kafka was away).
     */
    public boolean holdsAnything() throws IOException {
        Set<String> existing;
        try (Admin admin = Admin.create(kafka)) {
            existing = admin.listTopics().names().get(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing the topics of Kafka at " + kafka.get("bootstrap.servers"));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("Kafka at " + kafka.get("bootstrap.servers") + " did not list its topics: " + e, e);
        }
        for (String topic : List.of(log(), snapshots())) {
            if (existing.contains(topic) && last(topic) != null) return true;
        }
        return false;
    }

    /** An idempotent producer with acks=all that never gives up on a record (a gap is worse than a wait). */
    public KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put("enable.idempotence", true);
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", 5);
        p.put("delivery.timeout.ms", Integer.MAX_VALUE);
        p.put("linger.ms", 5);
        p.put("batch.size", 512 * 1024);
        p.put("buffer.memory", 64L << 20);
        p.put("max.request.size", 2 << 20);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer that reads by assignment (no group), in large fetches. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put("enable.auto.commit", false);
        c.put("max.poll.records", 5000);
        c.put("fetch.max.bytes", 64 << 20);
        c.put("max.partition.fetch.bytes", 16 << 20);
        c.put("receive.buffer.bytes", 4 << 20);
        c.put("default.api.timeout.ms", 30_000);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Partition 0 of {@code topic}. */
    public static TopicPartition partition(String topic) { return new TopicPartition(topic, 0); }

    /** The last record of {@code topic}, or null when it is empty (or does not exist). */
    public ConsumerRecord<byte[], byte[]> last(String topic) throws IOException {
        TopicPartition tp = partition(topic);
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (end == 0) return null;
            ConsumerRecord<byte[], byte[]> r = at(c, tp, end - 1);
            if (r == null) throw new IOException("could not read the last record of " + topic);
            return r;
        }
    }

    /** The record at {@code offset} of the assigned partition {@code tp}, or null if none arrives. */
    static ConsumerRecord<byte[], byte[]> at(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long offset) {
        c.seek(tp, offset);
        for (int i = 0; i < 100; i++) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                if (r.offset() == offset) return r;
            }
        }
        return null;
    }

    /**
     * Reads every record of {@code topic} from {@code from} to its end as of now, in order.
     * IOException when nothing arrives for a minute (the broker is gone).
     */
    public void readAll(String topic, long from, RecordSink sink) throws IOException {
        fetch(topic, from, batch -> {
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                if (!sink.accept(r)) return false;
            }
            return true;
        });
    }

    /** Takes the records of one poll, in order; false stops the reading. */
    @FunctionalInterface
    private interface BatchSink {
        boolean accept(List<ConsumerRecord<byte[], byte[]>> batch) throws IOException;
    }

    /**
     * The one polling loop: the records of {@code topic} from {@code from} to its end as of the
     * start, a poll's worth at a time. IOException when nothing arrives for a minute.
     */
    private void fetch(String topic, long from, BatchSink sink) throws IOException {
        TopicPartition tp = partition(topic);
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (from >= end) return;
            c.seek(tp, from);
            long next = from;
            long lastProgress = System.nanoTime();
            while (next < end) {
                List<ConsumerRecord<byte[], byte[]>> batch = new java.util.ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end) break;
                    batch.add(r);
                    next = r.offset() + 1;
                }
                if (!batch.isEmpty()) {
                    lastProgress = System.nanoTime();
                    if (!sink.accept(batch)) return;
                } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                    throw new IOException("no record of " + topic + " arrived for 60 s at offset " + next + " (of " + end + ")");
                }
            }
        }
    }

    /** Turns a record into what the sink takes; runs on the fetching thread. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(ConsumerRecord<byte[], byte[]> r) throws IOException;
    }

    /** Takes parsed records in order; false stops the reading. */
    @FunctionalInterface
    public interface Sink<T> {
        boolean accept(ConsumerRecord<byte[], byte[]> r, T parsed) throws IOException;
    }

    /**
     * Like {@link #readAll}, in two stages: a fetching thread polls and parses (protobuf
     * decoding, checksums) while the calling thread applies, so a restore uses two cores.
     */
    public <T> void readParsed(String topic, long from, Parser<T> parser, Sink<T> sink) throws IOException {
        record Item<T>(ConsumerRecord<byte[], byte[]> r, T parsed, Throwable error, boolean end) {}
        java.util.concurrent.ArrayBlockingQueue<List<Item<T>>> queue = new java.util.concurrent.ArrayBlockingQueue<>(64);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread fetcher = Thread.ofPlatform().daemon().name("hourglass-restore-fetch").start(() -> {
            try {
                fetch(topic, from, records -> {
                    if (stop.get()) return false;
                    List<Item<T>> batch = new java.util.ArrayList<>(records.size());
                    for (ConsumerRecord<byte[], byte[]> r : records) batch.add(new Item<>(r, parser.parse(r), null, false));
                    return put(queue, batch, stop);
                });
                put(queue, List.of(new Item<>(null, null, null, true)), stop);
            } catch (Throwable e) {
                put(queue, List.of(new Item<>(null, null, e, true)), stop);
            }
        });
        try {
            while (true) {
                List<Item<T>> batch = queue.take();
                for (Item<T> it : batch) {
                    if (it.error() != null) {
                        if (it.error() instanceof IOException io) throw io;
                        if (it.error() instanceof RuntimeException re) throw re;
                        throw new IOException(it.error());
                    }
                    if (it.end()) return;
                    if (!sink.accept(it.r(), it.parsed())) return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            // The fetcher sees the stop at its next batch (a poll lasts at most 500 ms, a blocked
            // put looks every 100 ms) and closes its consumer itself. Interrupting it instead made
            // the consumer's close fail with an ERROR in the log at the end of every restore that
            // stopped before the topic's end.
            stop.set(true);
            queue.clear();
        }
    }

    private static <T> boolean put(java.util.concurrent.BlockingQueue<T> q, T item, java.util.concurrent.atomic.AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                if (q.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static final long STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    /** Takes records in order; false stops the reading. */
    @FunctionalInterface
    public interface RecordSink {
        boolean accept(ConsumerRecord<byte[], byte[]> r) throws IOException;
    }

    /** A header holding one big-endian long. */
    public static long number(Header h) { return ByteBuffer.wrap(h.value()).getLong(); }

    public static byte[] number(long v) { return ByteBuffer.allocate(8).putLong(v).array(); }
}
