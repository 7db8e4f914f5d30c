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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 *
 * <p>While Kafka is away the hold grows. Past {@link Settings#holdLimitBytes} the
 * {@link HoldPolicy} applies: refuse commits (the default: the archive stays whole) or drop the
 * hold (commits go on; the archive will have a gap).
 */
public final class KafkaLogShipper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaLogShipper.class.getName());
    /** Bytes of changes per Kafka record before a transaction is split (under the 1 MB default limit). */
    static final int PART_BYTES = 768 * 1024;
    /** How often the shipper asks the log for a sync when it waits for unsynced transactions. */
    static final long SYNC_ASK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** What to do when the Archive hold reaches its limit. */
    public enum HoldPolicy {
        /** Refuse commits with TT90026 until Kafka has caught up below the limit; the archive stays whole. */
        FAIL_COMMITS,
        /** Drop the hold so the log can be purged; commits go on, the archive gets a gap (logged loudly). */
        DROP_HOLD
    }

    /**
     * @param holdLimitBytes how far the archive may fall behind the log before {@code policy}
     *        applies; 0 for no limit
     */
    public record Settings(long holdLimitBytes, HoldPolicy policy) {
        public static Settings defaults() { return new Settings(4096L << 20, HoldPolicy.FAIL_COMMITS); }
    }

    /** What the shipper is doing now, for status and metrics. */
    public record Status(String topic, String state, long acknowledgedLsn, long behindBytes, long behindMillis,
                         long acknowledgedTransactions, boolean holdDropped, boolean refusingCommits, String lastError) {}

    private final Database db;
    private final TransactionLog log;
    private final ArchiveTopics topics;
    private final String topic;
    private final Settings settings;
    private final byte[] key;
    private volatile long acked;        // end LSN of the last transaction Kafka acknowledged whole
    private volatile Exception failure;
    private volatile boolean stopping;
    private volatile String state = "starting";
    private volatile String lastError;
    private volatile boolean holdDropped;
    private volatile long lastAckMillis = System.currentTimeMillis();
    private final ConcurrentLinkedDeque<long[]> inFlight = new ConcurrentLinkedDeque<>(); // {endLsn, commitMillis}
    private final AtomicLong ackedTransactions = new AtomicLong();
    private Thread thread;
    private Thread watcher;

    public KafkaLogShipper(Database db, ArchiveTopics topics, Settings settings) {
        this.db = db;
        this.log = db.log();
        if (log == null) throw ErrorCode.UNSUPPORTED.error("archiving a Temporary database (it has no log)");
        this.topics = topics;
        this.topic = topics.log();
        this.settings = settings;
        this.key = db.name().getBytes(StandardCharsets.UTF_8);
        // Until the resume position is known, hold the whole log: no purge may race the start.
        this.acked = Lsn.pack(0, LogFormat.FILE_HEADER);
        log.holds().register("archive", this::hold);
    }

    public String topic() { return topic; }

    public String database() { return db.name(); }

    /** End LSN of the last transaction Kafka has acknowledged. */
    public long acknowledgedLsn() { return acked; }

    public long acknowledgedTransactions() { return ackedTransactions.get(); }

    /**
     * Bytes of synced log Kafka has not acknowledged yet (what is not synced yet cannot be
     * shipped, so it is not the archive's lag).
     */
    public long behindBytes() { return log.bytesBetween(acked, log.syncedLsn()); }

    /** How long the oldest transaction Kafka has not acknowledged has waited (0 when caught up). */
    public long behindMillis() {
        long[] oldest = inFlight.peekFirst();
        long now = System.currentTimeMillis();
        if (oldest != null) return Math.max(0, now - oldest[1]);
        return behindBytes() > 0 ? Math.max(0, now - lastAckMillis) : 0;
    }

    public Status status() {
        return new Status(topic, state, acked, behindBytes(), behindMillis(), ackedTransactions.get(), holdDropped,
                log.commitRefusal() != null, lastError);
    }


    private LogHolds.Hold hold() {
        long behind = behindBytes();
        return new LogHolds.Hold(acked, "Archive", "Kafka topic " + topic + " has every transaction up to " + Lsn.of(acked)
                + (behind == 0 ? "" : "; " + (behind >> 10) + " KB behind, oldest waiting " + behindMillis() + " ms"));
    }

    /** Starts shipping on its own thread, and the watcher of the hold limit. */
    public synchronized void start() {
        if (thread != null) return;
        thread = Thread.ofPlatform().daemon().name("hourglass-archive-" + db.name()).start(this::run);
        watcher = Thread.ofPlatform().daemon().name("hourglass-archive-watch-" + db.name()).start(this::watch);
    }

    private void run() {
        while (!stopping) {
            try {
                state = "connecting";
                topics.ensure(topic);
                long from = resumePosition();
                acked = from;
                lastAckMillis = System.currentTimeMillis();
                state = "shipping";
                ship(from);
            } catch (Exception e) {
                if (stopping) return;
                state = "retrying";
                lastError = String.valueOf(e);
                inFlight.clear();
                LOG.log(Level.WARNING, "shipping " + db.name() + " to Kafka failed; retrying in 5 s", e);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    /** Every 100 ms: applies the hold limit. */
    private void watch() {
        while (!stopping) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            long limit = settings.holdLimitBytes();
            if (limit <= 0) continue;
            long behind = behindBytes();
            if (settings.policy() == HoldPolicy.FAIL_COMMITS) {
                if (behind >= limit && log.commitRefusal() == null) {
                    log.refuseCommits(ErrorCode.ARCHIVE_BEHIND.error(behind >> 20, limit >> 20));
                    LOG.severe("Database " + db.name() + ": the Kafka archive is " + (behind >> 20) + " MB behind (limit "
                            + (limit >> 20) + " MB); commits are refused until Kafka catches up");
                } else if (behind < limit / 2 && log.commitRefusal() != null) {
                    log.refuseCommits(null);
                    LOG.warning("Database " + db.name() + ": the Kafka archive caught up; commits are accepted again");
                }
            } else if (behind >= limit && !holdDropped) {
                holdDropped = true;
                log.holds().unregister("archive");
                LOG.severe("Database " + db.name() + ": the Kafka archive is " + (behind >> 20) + " MB behind (limit "
                        + (limit >> 20) + " MB); its log hold is DROPPED. Log files Kafka has not received may be purged, "
                        + "and the archive then has a gap: a restore from Kafka cannot cross it until a checkpoint after it "
                        + "is archived.");
            } else if (holdDropped && behind < limit / 2) {
                holdDropped = false;
                log.holds().register("archive", this::hold);
                LOG.warning("Database " + db.name() + ": the Kafka archive caught up; its log hold is back");
            }
        }
        log.refuseCommits(null);
    }

    /**
     * Where to go on: after the last whole transaction in the topic (an unfinished split
     * transaction is sent again from its start). An empty topic starts at the log's first
     * transaction, or, if the log's start is purged already, at the older checkpoint's redo LSN.
     * A topic written by another database (another database id) is refused.
     */
    long resumePosition() throws IOException {
        ConsumerRecord<byte[], byte[]> last = topics.last(topic);
        if (last != null) {
            LogTransaction t = LogTransaction.parseFrom(last.value());
            if (t.getDatabaseId() != log.databaseId()) {
                throw new IOException("the topic " + topic + " holds the archive of another database (id "
                        + Long.toHexString(t.getDatabaseId()) + ", this one is " + Long.toHexString(log.databaseId())
                        + "; a database restored to an earlier point gets a new id): archive it under another "
                        + "hourglass.archive.topic-prefix");
            }
            long at = t.getPart() == t.getParts() - 1 ? t.getEndLsn() : t.getStartLsn();
            if (log.files().list().containsKey(Lsn.of(at).file())) return at;
            if (!holdDropped) {
                throw new IOException("the log file holding " + Lsn.of(at) + ", where the archive " + topic + " ends, is gone");
            }
            long from = oldestRedo();
            LOG.severe("the archive " + topic + " has a gap: it ends at " + Lsn.of(at) + ", the log now starts at " + Lsn.of(from));
            return from;
        }
        if (log.files().list().containsKey(0)) return Lsn.pack(0, LogFormat.FILE_HEADER);
        long oldest = oldestRedo();
        LOG.warning("the archive " + topic + " starts at " + Lsn.of(oldest) + ": the log before it was purged before archiving began");
        return oldest;
    }

    private long oldestRedo() throws IOException {
        long oldest = Long.MAX_VALUE;
        for (int n = 0; n < 2; n++) {
            CheckpointFormat.Header h = db.checkpointer().header(n);
            if (h != null) oldest = Math.min(oldest, h.redoLsn());
        }
        if (oldest == Long.MAX_VALUE) throw new IOException("the log's start is purged and no checkpoint exists");
        return oldest;
    }

    private void ship(long from) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = topics.producer();
             LogTailer tailer = new LogTailer(log.files(), from)) {
            failure = null;
            lastError = null;
            long syncAsked = 0;
            while (!stopping) {
                Exception f = failure;
                if (f != null) throw f;
                int n = tailer.poll(log.syncedLsn(), tx -> send(producer, tx));
                if (n == 0) {
                    // Only synced transactions are shipped (a crash could take the others back).
                    // Non-durable commits may wait up to the flusher's sync window for a sync; ask
                    // for one every SYNC_ASK instead, so the archive lags by milliseconds.
                    long now = System.nanoTime();
                    long appended = log.appendedLsn();
                    if (appended > log.syncedLsn() && now - syncAsked > SYNC_ASK_NANOS) {
                        syncAsked = now;
                        log.whenDurable(appended);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
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
        long[] flight = {tx.endLsn(), tx.commitMillis()};
        inFlight.addLast(flight);
        for (int k = 0; k < parts.size(); k++) {
            LogTransaction value = LogTransaction.newBuilder().setDatabase(db.name()).setDatabaseId(log.databaseId())
                    .setStartLsn(tx.startLsn()).setEndLsn(tx.endLsn()).setTxnId(tx.txnId()).setCommitTimeMillis(tx.commitMillis())
                    .addAllChanges(parts.get(k)).setPart(k).setParts(parts.size()).build();
            ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, 0, tx.commitMillis(), key, value.toByteArray(), List.of(
                    new RecordHeader(ArchiveTopics.START_LSN, ArchiveTopics.number(tx.startLsn())),
                    new RecordHeader(ArchiveTopics.END_LSN, ArchiveTopics.number(tx.endLsn())),
                    new RecordHeader(ArchiveTopics.COMMIT_TIME, ArchiveTopics.number(tx.commitMillis())),
                    new RecordHeader(ArchiveTopics.PART, ByteBuffer.allocate(8).putInt(k).putInt(parts.size()).array())));
            boolean last = k == parts.size() - 1;
            producer.send(rec, (md, e) -> {
                if (e != null) {
                    failure = e;
                } else if (last) {
                    // One partition: callbacks come in send order, so what is acknowledged is a prefix.
                    acked = tx.endLsn();
                    lastAckMillis = System.currentTimeMillis();
                    inFlight.remove(flight);
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

    /** Stops shipping; what was handed to the producer is flushed. The Archive hold stays. */
    @Override
    public void close() {
        stopping = true;
        Thread t, w;
        synchronized (this) {
            t = thread;
            w = watcher;
            thread = null;
            watcher = null;
        }
        for (Thread x : new Thread[] {t, w}) {
            if (x == null) continue;
            LockSupport.unpark(x);
            try {
                x.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = "stopped";
    }
}
