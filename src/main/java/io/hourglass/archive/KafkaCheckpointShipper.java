package io.hourglass.archive;

import com.google.protobuf.ByteString;
import io.hourglass.archive.v1.CheckpointEvent;
import io.hourglass.archive.v1.SnapshotChunk;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.spi.CheckpointListener;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * Publishes one database's checkpoint events to {@code <prefix>.<db>.checkpoints} and the image
 * of its newest checkpoint to {@code <prefix>.<db>.snapshots}, so a node with an empty disk can
 * restore from Kafka alone.
 *
 * <p>The checkpointer's listener only queues events; this shipper's own thread talks to Kafka,
 * so a slow or absent broker never holds a checkpoint up. After every event it looks for a
 * complete checkpoint newer than the last archived one and exports it from its file
 * ({@code CheckpointFiles#export}, which notices when a later checkpoint rewrites the file
 * meanwhile: that attempt is dropped and the newer checkpoint shipped instead). Once every chunk
 * is acknowledged, an "Archived" event says where the snapshot is.
 */
public final class KafkaCheckpointShipper implements CheckpointListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaCheckpointShipper.class.getName());
    /** Image bytes per snapshot chunk: with the message around them, under 1 MB. */
    static final int CHUNK_BYTES = 1_000_000;
    private static final int MAX_QUEUED = 1000;

    private final Database db;
    private final ArchiveTopics topics;
    private final byte[] key;
    private final LinkedBlockingDeque<Event> events = new LinkedBlockingDeque<>();
    private final Map<Long, Event> completed = new ConcurrentHashMap<>(); // checkpoint id -> its completion
    private final Set<Long> unusable = new HashSet<>();
    private volatile long archivedId = -1; // unknown until read from the topic
    private volatile long newestAtStart; // checkpoints up to this one completed before we listened
    private volatile boolean stopping;
    private Thread thread;

    public KafkaCheckpointShipper(Database db, ArchiveTopics topics) {
        if (db.checkpointer() == null) throw ErrorCode.UNSUPPORTED.error("archiving a Temporary database (it has no checkpoints)");
        this.db = db;
        this.topics = topics;
        this.key = db.name().getBytes(StandardCharsets.UTF_8);
    }

    /** The id of the newest checkpoint whose snapshot Kafka holds whole (-1 until known, 0 for none). */
    public long archivedCheckpointId() { return archivedId; }

    public synchronized void start() {
        if (thread != null) return;
        db.checkpointer().addListener(this);
        CheckpointFormat.Header h = db.checkpointer().newest(); // after listening: a later one is heard of
        newestAtStart = h == null ? 0 : h.checkpointId();
        thread = Thread.ofPlatform().daemon().name("hourglass-archive-ckpt-" + db.name()).start(this::run);
    }

    // ---- CheckpointListener: on the checkpointing thread, queue only --------------------------

    @Override
    public void started(Event e) { queue(e); }

    @Override
    public void completed(Event e) {
        queue(e); // before it counts as completed here: its "Completed" event goes out before "Archived"
        completed.put(e.checkpointId(), e);
    }

    @Override
    public void failed(Event e) { queue(e); }

    private void queue(Event e) {
        if (events.size() >= MAX_QUEUED) {
            events.pollFirst();
            LOG.warning("Kafka is away: the oldest queued checkpoint event of " + db.name() + " was dropped");
        }
        events.offerLast(e);
        LockSupport.unpark(thread);
    }

    // ---- the shipping thread --------------------------------------------------------------------

    private void run() {
        while (!stopping) {
            try {
                topics.ensure(topics.checkpoints(), topics.snapshots());
                if (archivedId < 0) archivedId = lastArchived();
                try (KafkaProducer<byte[], byte[]> producer = topics.producer()) {
                    while (!stopping) {
                        Event e = events.pollFirst(200, TimeUnit.MILLISECONDS);
                        if (e != null) {
                            try {
                                publish(producer, event(e).build());
                            } catch (Exception x) {
                                events.offerFirst(e); // sent again after the retry
                                throw x;
                            }
                        }
                        if (events.isEmpty()) archiveNewest(producer); // the events before it first
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stopping) return;
                LOG.log(Level.WARNING, "publishing checkpoints of " + db.name() + " to Kafka failed; retrying in 5 s", e);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    /** The newest checkpoint id with an "Archived" event of this database in the topic; 0 if none. */
    private long lastArchived() throws IOException {
        long[] max = {0};
        long me = db.log().databaseId();
        topics.readAll(topics.checkpoints(), 0, r -> {
            CheckpointEvent e = CheckpointEvent.parseFrom(r.value());
            if (e.getDatabaseId() == me && "Archived".equals(e.getStatus())) max[0] = Math.max(max[0], e.getCheckpointId());
            return true;
        });
        return max[0];
    }

    private void archiveNewest(KafkaProducer<byte[], byte[]> producer) throws Exception {
        CheckpointFormat.Header h = db.checkpointer().newest();
        if (h == null || h.checkpointId() <= archivedId || unusable.contains(h.checkpointId())) return;
        Event done = completed.get(h.checkpointId());
        // Its header is visible a moment before its completion is heard of; wait for that, so
        // the "Completed" event precedes "Archived" (one that completed before we listened has none).
        if (done == null && h.checkpointId() > newestAtStart) return;
        // The image holds nothing that ends after this: exact for a consistent image and for a
        // completion we heard of; otherwise the log's end now, later than anything in it.
        long imageEnd = h.consistent() ? h.redoLsn() : done != null ? done.imageEndLsn() : db.log().appendedLsn();
        Chunker chunker = new Chunker(producer, h);
        try {
            db.checkpointer().files().export(h.fileNo(), h.checkpointId(), chunker::write);
        } catch (IOException e) {
            // Rewritten meanwhile (a newer checkpoint follows) or damaged: never this one again.
            unusable.add(h.checkpointId());
            LOG.info("snapshot of checkpoint " + h.checkpointId() + " of " + db.name() + " abandoned: " + e.getMessage());
            return;
        }
        chunker.finish();
        CheckpointEvent.Builder archived = CheckpointEvent.newBuilder().setDatabase(db.name())
                .setDatabaseId(h.databaseId()).setCheckpointId(h.checkpointId()).setStatus("Archived")
                .setType(done != null ? done.type() : "").setInitiator(done != null ? done.initiator() : "")
                .setStartTimeMillis(h.startMillis()).setEndTimeMillis(h.endMillis()).setFileNo(h.fileNo())
                .setRedoLsn(h.redoLsn()).setImageEndLsn(imageEnd).setConsistent(h.consistent())
                .setBlocksInUse(h.blocks()).setBytesInUse(h.bytesInUse()).setRows(h.rows())
                .setDirectoryCrc(h.directoryCrc()).setCatalogCrc(h.catalogCrc()).setCommitTs(h.commitTs())
                .setLastTxnId(h.lastTxnId()).setNextTableId(h.nextTableId()).setSnapshotOffset(chunker.firstOffset)
                .setSnapshotChunks(chunker.seq).setSnapshotBytes(chunker.total);
        publish(producer, archived.build());
        archivedId = h.checkpointId();
        completed.keySet().removeIf(id -> id <= h.checkpointId());
        LOG.info("checkpoint " + h.checkpointId() + " of " + db.name() + " archived: " + chunker.seq + " chunk(s), "
                + chunker.total + " bytes in " + topics.snapshots());
    }

    /** Cuts the image stream into chunks and sends them; the first chunk's offset is waited for. */
    private final class Chunker {
        final KafkaProducer<byte[], byte[]> producer;
        final CheckpointFormat.Header h;
        final byte[] buf = new byte[CHUNK_BYTES];
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        int len;
        int seq;
        long total;
        long firstOffset = -1;

        Chunker(KafkaProducer<byte[], byte[]> producer, CheckpointFormat.Header h) {
            this.producer = producer;
            this.h = h;
        }

        void write(byte[] data, int off, int n) throws IOException {
            while (n > 0) {
                int k = Math.min(n, buf.length - len);
                System.arraycopy(data, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
                if (len == buf.length) send(false);
            }
        }

        void finish() throws Exception {
            send(true);
            producer.flush();
            for (Future<RecordMetadata> f : sent) f.get(); // throws if any chunk failed
        }

        private void send(boolean last) throws IOException {
            CRC32C crc = new CRC32C();
            crc.update(buf, 0, len);
            SnapshotChunk.Builder c = SnapshotChunk.newBuilder().setDatabase(db.name()).setDatabaseId(h.databaseId())
                    .setCheckpointId(h.checkpointId()).setSeq(seq).setData(ByteString.copyFrom(buf, 0, len))
                    .setCrc32C((int) crc.getValue()).setLast(last);
            total += len;
            if (last) c.setBlocks(h.blocks()).setRows(h.rows()).setTotalBytes(total);
            Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topics.snapshots(), 0, key, c.build().toByteArray()));
            if (seq == 0) {
                try {
                    firstOffset = f.get().offset();
                } catch (Exception e) {
                    throw new IOException("sending the first snapshot chunk: " + e, e);
                }
            }
            sent.add(f);
            seq++;
            len = 0;
        }
    }

    private void publish(KafkaProducer<byte[], byte[]> producer, CheckpointEvent e) throws Exception {
        producer.send(new ProducerRecord<>(topics.checkpoints(), 0, e.getEndTimeMillis() > 0 ? e.getEndTimeMillis()
                : e.getStartTimeMillis(), key, e.toByteArray())).get();
    }

    private static CheckpointEvent.Builder event(Event e) {
        return CheckpointEvent.newBuilder().setDatabase(e.database()).setDatabaseId(e.databaseId())
                .setCheckpointId(e.checkpointId()).setStatus(e.status()).setType(e.type()).setInitiator(e.initiator())
                .setReason(nz(e.reason())).setError(nz(e.error())).setStartTimeMillis(e.startMillis())
                .setEndTimeMillis(e.endMillis()).setFileNo(e.fileNo()).setRedoLsn(e.redoLsn())
                .setImageEndLsn(e.imageEndLsn()).setConsistent(e.consistent()).setBlocksInUse(e.blocksInUse())
                .setBytesInUse(e.bytesInUse()).setRows(e.rows()).setBytesWritten(e.bytesWritten())
                .setDirectoryCrc(e.directoryCrc()).setCatalogCrc(e.catalogCrc());
    }

    private static String nz(String s) { return s == null ? "" : s; }

    @Override
    public void close() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (db.checkpointer() != null) db.checkpointer().removeListener(this);
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
                if (t.isAlive()) { // stuck on an absent broker
                    t.interrupt();
                    t.join(TimeUnit.SECONDS.toMillis(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
