package io.hourglass.contract;

import io.hourglass.archive.v1.Change;
import io.hourglass.archive.v1.CheckpointEvent;
import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.archive.v1.SnapshotChunk;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * An archive consumer written from the published contract alone: the classes protoc generates
 * from {@code archive.proto} and the Kafka client, nothing of Hourglass (ContractTest checks
 * that). It is what a user's own archiver would do.
 */
public final class ArchiveContractConsumer {
    /** What it found: whole transactions (deduplicated by end LSN), changes, checkpoint events, verified chunks. */
    public record Summary(long transactions, long duplicatesDropped, long changes, long catalogChanges, List<String> checkpointEvents,
                          long snapshotChunks, long snapshotBytes, long lastEndLsn) {}

    private final Map<String, Object> kafka;

    public ArchiveContractConsumer(String bootstrapServers) {
        this.kafka = Map.of("bootstrap.servers", bootstrapServers);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) out.add(r);
            }
        }
        return out;
    }

    public Summary read(String prefix, String database) throws Exception {
        String base = prefix + "." + database.toLowerCase(java.util.Locale.ROOT);
        long transactions = 0, duplicates = 0, changes = 0, catalog = 0, lastEnd = -1;
        for (ConsumerRecord<byte[], byte[]> r : readAll(base + ".log")) {
            // The headers alone say which transaction and part this is: drop what was seen.
            long end = ByteBuffer.wrap(r.headers().lastHeader("hourglass-end-lsn").value()).getLong();
            ByteBuffer part = ByteBuffer.wrap(r.headers().lastHeader("hourglass-part").value());
            int k = part.getInt(), parts = part.getInt();
            if (end <= lastEnd) {
                duplicates++;
                continue;
            }
            LogTransaction t = LogTransaction.parseFrom(r.value());
            if (t.getEndLsn() != end || t.getPart() != k || t.getParts() != parts) throw new IllegalStateException("headers disagree with the value");
            for (Change c : t.getChangesList()) {
                changes++;
                if (c.hasCatalogChange()) catalog++;
            }
            if (k == parts - 1) {
                transactions++;
                lastEnd = end;
            }
        }
        List<String> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(base + ".checkpoints")) {
            CheckpointEvent e = CheckpointEvent.parseFrom(r.value());
            events.add(e.getCheckpointId() + " " + e.getStatus());
        }
        long chunks = 0, bytes = 0;
        for (ConsumerRecord<byte[], byte[]> r : readAll(base + ".snapshots")) {
            SnapshotChunk c = SnapshotChunk.parseFrom(r.value());
            CRC32C crc = new CRC32C();
            crc.update(c.getData().asReadOnlyByteBuffer());
            if ((int) crc.getValue() != c.getCrc32C()) throw new IllegalStateException("chunk " + c.getSeq() + " is damaged");
            if (c.getData().size() > 1_000_000) throw new IllegalStateException("chunk over 1 MB");
            chunks++;
            bytes += c.getData().size();
        }
        return new Summary(transactions, duplicates, changes, catalog, events, chunks, bytes, lastEnd);
    }
}
