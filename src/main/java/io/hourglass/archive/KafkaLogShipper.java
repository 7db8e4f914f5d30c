package io.hourglass.archive;

import com.google.protobuf.ByteString;
import io.hourglass.archive.v1.Change;
import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.archive.v1.RowDelete;
import io.hourglass.archive.v1.RowImage;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.log.LogCodec;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.log.LogTailer;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.log.TransactionLog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ships one database's committed transactions to the Kafka topic {@code <prefix>.<db>.log}, in
 * log order, on partition 0, one record per transaction (split into parts when too large).
 *
 * <p>It follows the log files ({@link LogTailer}) up to the synced LSN, so it never slows a
 * commit and never ships a transaction a crash could still take back. The producer is
 * idempotent with acks=all and never gives up on a record, so within one run the archive has no
 * gap and no duplicate; an Archive log hold keeps every log file Kafka has not acknowledged yet.
 * After a restart it resumes after the last whole transaction the topic holds.
 */
public final class KafkaLogShipper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaLogShipper.class.getName());
    public static final String START_LSN = "hourglass-start-lsn";
    public static final String END_LSN = "hourglass-end-lsn";
    public static final String COMMIT_TIME = "hourglass-commit-time";
    public static final String PART = "hourglass-part";
    /** Bytes of changes per Kafka record before a transaction is split (under the 1 MB default limit). */
    static final int PART_BYTES = 768 * 1024;

    private final Database db;
    private final TransactionLog log;
    private final String topic;
    private final Map<String, Object> kafka;
    private final byte[] key;
    private volatile long acked;        // end LSN of the last transaction Kafka acknowledged whole
    private volatile Exception failure;
    private volatile boolean stopping;
    private final AtomicLong shippedTransactions = new AtomicLong();
    private final AtomicLong ackedTransactions = new AtomicLong();
    private Thread thread;

    /**
     * @param kafka client properties (bootstrap.servers and any security settings)
     * @param topicPrefix topics are {@code <prefix>.<database>.log}, the database name in lower case
     */
    public KafkaLogShipper(Database db, Map<String, Object> kafka, String topicPrefix) {
        this.db = db;
        this.log = db.log();
        if (log == null) throw ErrorCode.UNSUPPORTED.error("archiving a Temporary database (it has no log)");
        this.topic = topicPrefix + "." + db.name().toLowerCase(Locale.ROOT) + ".log";
        this.kafka = Map.copyOf(kafka);
        this.key = db.name().getBytes(StandardCharsets.UTF_8);
        // Until the resume position is known, hold the whole log: no purge may race the start.
        this.acked = Lsn.pack(0, LogFormat.FILE_HEADER);
        log.holds().register("archive", this::hold);
    }

    public String topic() { return topic; }

    /** End LSN of the last transaction Kafka has acknowledged. */
    public long acknowledgedLsn() { return acked; }

    public long shippedTransactions() { return shippedTransactions.get(); }

    public long acknowledgedTransactions() { return ackedTransactions.get(); }

    private LogHolds.Hold hold() {
        return new LogHolds.Hold(acked, "Archive", "Kafka topic " + topic + " has every transaction up to " + Lsn.of(acked));
    }

    /** Starts shipping on its own thread. */
    public synchronized void start() {
        if (thread != null) return;
        thread = Thread.ofPlatform().daemon().name("hourglass-archive-" + db.name()).start(this::run);
    }

    private void run() {
        while (!stopping) {
            try {
                ensureTopic();
                long from = resumePosition();
                acked = from;
                ship(from);
            } catch (Exception e) {
                if (stopping) return;
                LOG.log(Level.WARNING, "shipping " + db.name() + " to Kafka failed; retrying in 5 s", e);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put("enable.idempotence", true);
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", 5);
        p.put("delivery.timeout.ms", Integer.MAX_VALUE); // never give up on a record: that would leave a gap
        p.put("linger.ms", 2);
        return p;
    }

    /** Creates the topic if it does not exist: one partition, kept forever. */
    private void ensureTopic() throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(kafka)) {
            if (admin.listTopics().names().get().contains(topic)) return;
            NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete"));
            try {
                admin.createTopics(List.of(t)).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
    }

    /**
     * Where to go on: after the last whole transaction in the topic (an unfinished split
     * transaction is sent again from its start). An empty topic starts at the log's first
     * transaction, or, if the log's start is purged already, at the older checkpoint's redo LSN.
     */
    long resumePosition() throws IOException {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (end > 0) {
                c.seek(tp, end - 1);
                for (int i = 0; i < 100; i++) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        if (r.offset() != end - 1) continue;
                        ByteBuffer part = ByteBuffer.wrap(r.headers().lastHeader(PART).value());
                        int k = part.getInt(), parts = part.getInt();
                        return k == parts - 1 ? number(r.headers().lastHeader(END_LSN)) : number(r.headers().lastHeader(START_LSN));
                    }
                }
                throw new IOException("could not read the last record of " + topic);
            }
        }
        if (log.files().list().containsKey(0)) return Lsn.pack(0, LogFormat.FILE_HEADER);
        long oldest = Long.MAX_VALUE;
        for (int n = 0; n < 2; n++) {
            CheckpointFormat.Header h = db.checkpointer().header(n);
            if (h != null) oldest = Math.min(oldest, h.redoLsn());
        }
        if (oldest == Long.MAX_VALUE) throw new IOException("the log's start is purged and no checkpoint exists");
        LOG.warning("the archive " + topic + " starts at " + Lsn.of(oldest) + ": the log before it was purged before archiving began");
        return oldest;
    }

    private static long number(Header h) { return ByteBuffer.wrap(h.value()).getLong(); }

    private void ship(long from) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
             LogTailer tailer = new LogTailer(log.files(), from)) {
            failure = null;
            while (!stopping) {
                Exception f = failure;
                if (f != null) throw f;
                int n = tailer.poll(log.syncedLsn(), tx -> send(producer, tx));
                if (n == 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            producer.flush();
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, LogTailer.Committed tx) {
        List<List<Change>> parts = new ArrayList<>();
        List<Change> cur = new ArrayList<>();
        int bytes = 0;
        for (LogRecord r : tx.records()) {
            Change c = change(r);
            if (c == null) continue;
            int size = c.getSerializedSize();
            if (!cur.isEmpty() && bytes + size > PART_BYTES) {
                parts.add(cur);
                cur = new ArrayList<>();
                bytes = 0;
            }
            cur.add(c);
            bytes += size;
        }
        parts.add(cur);
        shippedTransactions.incrementAndGet();
        for (int k = 0; k < parts.size(); k++) {
            LogTransaction value = LogTransaction.newBuilder().setDatabase(db.name()).setStartLsn(tx.startLsn())
                    .setEndLsn(tx.endLsn()).setTxnId(tx.txnId()).setCommitTimeMillis(tx.commitMillis())
                    .addAllChanges(parts.get(k)).setPart(k).setParts(parts.size()).build();
            ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, 0, tx.commitMillis(), key, value.toByteArray(), List.of(
                    new RecordHeader(START_LSN, ByteBuffer.allocate(8).putLong(tx.startLsn()).array()),
                    new RecordHeader(END_LSN, ByteBuffer.allocate(8).putLong(tx.endLsn()).array()),
                    new RecordHeader(COMMIT_TIME, ByteBuffer.allocate(8).putLong(tx.commitMillis()).array()),
                    new RecordHeader(PART, ByteBuffer.allocate(8).putInt(k).putInt(parts.size()).array())));
            boolean last = k == parts.size() - 1;
            producer.send(rec, (md, e) -> {
                if (e != null) {
                    failure = e;
                } else if (last) {
                    // One partition: callbacks come in send order, so what is acknowledged is a prefix.
                    acked = tx.endLsn();
                    ackedTransactions.incrementAndGet();
                }
            });
        }
    }

    private static Change change(LogRecord r) {
        return switch (r) {
            case LogRecord.RowImage ri -> Change.newBuilder().setRow(RowImage.newBuilder().setTableId(ri.tableId())
                    .setRowId(ri.rowId()).setInsert(ri.insert()).setImage(ByteString.copyFrom(ri.image()))).build();
            case LogRecord.RowDelete rd -> Change.newBuilder().setDelete(RowDelete.newBuilder().setTableId(rd.tableId())
                    .setRowId(rd.rowId())).build();
            case LogRecord.Ddl d -> Change.newBuilder().setCatalogChange(ByteString.copyFrom(LogCodec.ddlPayload(d.change()))).build();
            default -> null; // the COMMIT: the record itself says it
        };
    }

    /** Stops shipping; what was handed to the producer is flushed. The Archive hold stays (see {@link #release}). */
    @Override
    public void close() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Drops the Archive hold (archiving is switched off for this database). */
    public void release() { log.holds().unregister("archive"); }
}
