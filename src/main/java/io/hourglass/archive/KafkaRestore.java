package io.hourglass.archive;

import io.hourglass.archive.v1.Change;
import io.hourglass.archive.v1.CheckpointEvent;
import io.hourglass.archive.v1.LogTransaction;
import io.hourglass.archive.v1.SnapshotChunk;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.log.LogCodec;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.recovery.ImageBuilder;
import io.hourglass.engine.spi.StorageIo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Rebuilds a database from its Kafka archive alone, as of the archive's end, a log sequence
 * number or a point in time: the newest archived checkpoint whose image holds nothing past the
 * target, its image from the snapshots topic (every checksum verified), then the log topic's
 * transactions from the checkpoint's redo LSN up to the target; then it writes the result as a
 * new database's files, which load normally.
 *
 * <p>The replay goes through {@link ImageBuilder}, which can keep applying transactions after
 * the target: a follower (warm standby) is this loop left running on the log topic.
 */
public final class KafkaRestore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(KafkaRestore.class.getName());
    private KafkaRestore() {}

    /**
     * Where to stop: {@link #end()}, a log sequence number (every transaction that ends at or
     * before it) or a time (every transaction committed at or before it, in epoch milliseconds).
     */
    public record Target(Long lsn, Long timeMillis) {
        public static Target end() { return new Target(null, null); }

        public static Target lsn(long lsn) { return new Target(lsn, null); }

        public static Target time(long millis) { return new Target(null, millis); }

        /**
         * From the command line's or the API's two optional strings: an LSN as {@code
         * file.offset} (as ttLogHolds shows it) or one packed number, a time as an ISO-8601
         * instant; neither: the end. TT90015 when they do not parse or both are given.
         */
        public static Target parse(String toLsn, String toTime) {
            if (toLsn != null && toTime != null) throw ErrorCode.SEMANTIC_ERROR.error("give a target LSN or a target time, not both");
            if (toLsn != null) {
                try {
                    int dot = toLsn.indexOf('.');
                    return lsn(dot < 0 ? Long.parseLong(toLsn.trim()) : Lsn.pack(Integer.parseInt(toLsn.substring(0, dot).trim()),
                            Long.parseLong(toLsn.substring(dot + 1).trim())));
                } catch (NumberFormatException e) {
                    throw ErrorCode.SEMANTIC_ERROR.error("not an LSN (file.offset): " + toLsn);
                }
            }
            if (toTime != null) {
                try {
                    return time(java.time.Instant.parse(toTime).toEpochMilli());
                } catch (java.time.format.DateTimeParseException e) {
                    throw ErrorCode.SEMANTIC_ERROR.error("not an ISO-8601 instant (like 2026-11-21T09:30:00Z): " + toTime);
                }
            }
            return end();
        }

        @Override
        public String toString() {
            return lsn != null ? "LSN " + Lsn.of(lsn) : timeMillis != null ? "time " + java.time.Instant.ofEpochMilli(timeMillis)
                    : "the archive's end";
        }
    }

    /**
     * Progress while a restore runs.
     *
     * @param phase "snapshot" (rebuilding the checkpoint image), "log" (replaying), "writing", "done"
     * @param done units done in this phase: image bytes, or log records (Kafka records) read
     * @param total units in this phase (an estimate for the log: records up to the archive's end)
     * @param perSecond rate of this phase so far
     * @param etaMillis time left in this phase at that rate, -1 when unknown
     */
    public record Progress(String phase, long done, long total, double perSecond, long etaMillis, long transactions,
                           long changes) {}

    /**
     * What a restore did.
     *
     * @param checkpointId the archived checkpoint it started from, 0 when from the database's start
     * @param endLsn just after the last transaction restored: the restored log goes on from here
     * @param lastCommitMillis commit time of the last transaction restored (0 if none was replayed)
     * @param newDatabaseId the restored database got a new identity: it stops before the archive's
     *        end, so its history forks from the archived one
     */
    public record Result(String source, String target, long checkpointId, long redoLsn, long endLsn, long transactions,
                         long changes, long snapshotBytes, long rows, long lastCommitMillis, long databaseId,
                         boolean newDatabaseId, long snapshotMillis, long logMillis, long totalMillis) {}

    /**
     * Restores the database archived in {@code topics} into the new database {@code target}
     * (its files must not exist: TT90024). Nothing is written until the whole image is rebuilt
     * in memory; it returns once the new database's checkpoint and log are written and synced
     * ({@link Database#create}). A failure while writing may leave partial files to remove
     * before trying again. Throws TT90025 when the archive cannot give what is asked (nothing
     * archived, a gap, a damaged chunk, a target before the archive's start).
     */
    public static Result run(ArchiveTopics topics, DatabaseConfig target, StorageIo io, Target goal, int threads,
                             Consumer<Progress> progress) {
        long t0 = System.nanoTime();
        // Before any work: the files of a restore cut short go, a real database's stay (TT90024).
        if (Database.prepareRestoreTarget(target, io)) {
            LOG.warning("removed the files of an earlier restore of " + target.name() + " that was cut short");
        }
        try {
            return new Run(topics, goal, progress).restore(target, io, threads, t0);
        } catch (IOException e) {
            throw ErrorCode.ARCHIVE_RESTORE_FAILED.error(e.getMessage());
        } catch (HourglassException e) {
            throw e;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw ErrorCode.ARCHIVE_RESTORE_FAILED.error("Kafka at " + topics.kafka().get("bootstrap.servers")
                    + " did not answer in time (" + e.getMessage() + ")");
        } catch (RuntimeException e) { // Kafka's, mostly
            throw ErrorCode.ARCHIVE_RESTORE_FAILED.error(String.valueOf(e));
        }
    }

    private static final class Run {
        final ArchiveTopics topics;
        final Target goal;
        final Consumer<Progress> progress;
        long lastReport;

        Run(ArchiveTopics topics, Target goal, Consumer<Progress> progress) {
            this.topics = topics;
            this.goal = goal;
            this.progress = progress == null ? p -> { } : progress;
        }

        Result restore(DatabaseConfig target, StorageIo io, int threads, long t0) throws IOException {
            TopicPartition tp = ArchiveTopics.partition(topics.log());
            // One consumer of the log topic for the lookups (ends, target, start); the bulk reads
            // have their own.
            try (KafkaConsumer<byte[], byte[]> c = topics.consumer()) {
                c.assign(List.of(tp));
                return restore(c, tp, target, io, threads, t0);
            }
        }

        private Result restore(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, DatabaseConfig target, StorageIo io,
                               int threads, long t0) throws IOException {
            String logTopic = tp.topic();
            long begin = c.beginningOffsets(List.of(tp)).get(tp);
            long end = c.endOffsets(List.of(tp)).get(tp);
            LogTransaction first = null, last = null;
            if (end > begin) {
                first = parse(ArchiveTopics.at(c, tp, begin));
                last = parse(ArchiveTopics.at(c, tp, end - 1));
            }
            long archiveEnd = last == null ? 0 : last.getPart() == last.getParts() - 1 ? last.getEndLsn() : last.getStartLsn();
            long targetLsn = targetLsn(c, tp, begin, end);

            // The newest archived checkpoint whose image holds nothing past the target.
            List<CheckpointEvent> archived = new ArrayList<>();
            long[] maxId = {0};
            long databaseId = last != null ? last.getDatabaseId() : 0;
            topics.readAll(topics.checkpoints(), 0, r -> {
                CheckpointEvent e = CheckpointEvent.parseFrom(r.value());
                maxId[0] = Math.max(maxId[0], e.getCheckpointId());
                if ("Archived".equals(e.getStatus())) archived.add(e);
                return true;
            });
            CheckpointEvent from = null;
            for (CheckpointEvent e : archived) {
                if (databaseId != 0 && e.getDatabaseId() != databaseId) continue;
                if (e.getImageEndLsn() > targetLsn) continue;
                if (from == null || e.getCheckpointId() > from.getCheckpointId()) from = e;
            }
            if (databaseId == 0 && from != null) databaseId = from.getDatabaseId();
            if (from == null && last == null) throw new IOException("the archive " + logTopic + " holds nothing");
            long logStart = first == null ? Long.MAX_VALUE : first.getStartLsn();
            if (from == null && logStart != Lsn.pack(0, LogFormat.FILE_HEADER)) {
                throw new IOException("no archived checkpoint holds a state at or before " + goal
                        + ", and the archived log does not reach back to the database's start (it starts at "
                        + Lsn.of(logStart) + ")");
            }
            CheckpointFormat.Header h = from == null ? null : header(from);
            ImageBuilder b = new ImageBuilder(databaseId, h, target.permSizeMb() * 1024 * 1024);
            b.checkpointIdUsed(maxId[0]);
            long ts = System.nanoTime();
            if (from != null) rebuildSnapshot(from, b);
            long snapshotNanos = System.nanoTime() - ts;

            long tl = System.nanoTime();
            long[] lastCommit = {0};
            if (last != null && end > begin) {
                long start = firstAfter(c, tp, begin, end, b.position());
                replay(start, end, targetLsn, databaseId, b, lastCommit);
            }
            long logNanos = System.nanoTime() - tl;
            boolean wholeArchive = b.position() >= archiveEnd;
            long newId = wholeArchive ? databaseId : new SecureRandom().nextLong() | 1;
            report(new Progress("writing", 0, 1, 0, -1, b.transactions(), b.changes()));
            ImageBuilder.Image image = b.finish(threads);
            if (newId != databaseId) {
                image = new ImageBuilder.Image(image.catalog(), image.transactions(), newId, image.endLsn(), image.rows(),
                        image.lastCheckpointId());
            }
            Database.create(target, io, image);
            long total = System.nanoTime() - t0;
            report(new Progress("done", 1, 1, 0, 0, b.transactions(), b.changes()));
            return new Result(topics.database(), target.name(), from == null ? 0 : from.getCheckpointId(),
                    from == null ? Lsn.pack(0, LogFormat.FILE_HEADER) : from.getRedoLsn(), image.endLsn(), b.transactions(),
                    b.changes(), b.imageBytesRead(), image.rows(), lastCommit[0], newId, newId != databaseId,
                    snapshotNanos / 1_000_000, logNanos / 1_000_000, total / 1_000_000);
        }

        /** The LSN to stop at: transactions that end at or before it are restored. */
        long targetLsn(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long begin, long end) throws IOException {
            if (goal.lsn() != null) return goal.lsn();
            if (goal.timeMillis() == null || end == begin) return Long.MAX_VALUE;
            // Records are stamped with their commit time: the first one after the target ends it.
            Map<TopicPartition, OffsetAndTimestamp> after = c.offsetsForTimes(Map.of(tp, goal.timeMillis() + 1));
            OffsetAndTimestamp o = after.get(tp);
            if (o == null) return Long.MAX_VALUE;
            return parse(ArchiveTopics.at(c, tp, o.offset())).getStartLsn();
        }

        /** The first offset whose transaction ends after {@code lsn} (binary search over end LSNs). */
        long firstAfter(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long begin, long end, long lsn) throws IOException {
            long lo = begin, hi = end;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                ConsumerRecord<byte[], byte[]> r = ArchiveTopics.at(c, tp, mid);
                if (r == null) throw new IOException("could not read offset " + mid + " of " + tp.topic());
                if (ArchiveTopics.number(r.headers().lastHeader(ArchiveTopics.END_LSN)) <= lsn) lo = mid + 1;
                else hi = mid;
            }
            // Back to the first part of a split transaction.
            while (lo > begin && lo < end) {
                if (parse(ArchiveTopics.at(c, tp, lo)).getPart() == 0) break;
                lo--;
            }
            return lo;
        }

        void rebuildSnapshot(CheckpointEvent from, ImageBuilder b) throws IOException {
            long t0 = System.nanoTime();
            long[] next = {0};
            boolean[] done = {false};
            // Decoding and the chunk checksum on the fetching thread; installing here.
            topics.readParsed(topics.snapshots(), from.getSnapshotOffset(), r -> {
                SnapshotChunk c = SnapshotChunk.parseFrom(r.value());
                if (c.getCheckpointId() != from.getCheckpointId() || c.getDatabaseId() != from.getDatabaseId()) return null;
                CRC32C crc = new CRC32C();
                crc.update(c.getData().asReadOnlyByteBuffer());
                if ((int) crc.getValue() != c.getCrc32C()) {
                    throw new IOException("snapshot chunk " + c.getSeq() + " of checkpoint " + from.getCheckpointId()
                            + " does not match its checksum (offset " + r.offset() + ")");
                }
                return c;
            }, (r, c) -> {
                if (c == null) return true; // a chunk of another snapshot
                if (c.getSeq() != next[0]) {
                    throw new IOException("snapshot chunk " + c.getSeq() + " of checkpoint " + from.getCheckpointId()
                            + " arrived where chunk " + next[0] + " was expected (offset " + r.offset() + ")");
                }
                b.imageBytes(c.getData().asReadOnlyByteBuffer());
                next[0]++;
                long n = b.imageBytesRead();
                if (due()) report(new Progress("snapshot", n, from.getSnapshotBytes(), rate(n, t0), eta(n, from.getSnapshotBytes(), t0), 0, 0));
                if (c.getLast()) {
                    if (c.getTotalBytes() != n || next[0] != from.getSnapshotChunks()) {
                        throw new IOException("the snapshot of checkpoint " + from.getCheckpointId() + " is incomplete");
                    }
                    b.imageEnd(c.getBlocks(), c.getRows());
                    done[0] = true;
                    return false;
                }
                return true;
            });
            if (!done[0]) throw new IOException("the snapshot of checkpoint " + from.getCheckpointId() + " ends before its last chunk");
        }

        /** A log topic record decoded, with its changes as log records. */
        private record Decoded(LogTransaction t, List<LogRecord> records) {}

        void replay(long start, long end, long targetLsn, long databaseId, ImageBuilder b, long[] lastCommit) throws IOException {
            long t0 = System.nanoTime();
            List<LogRecord> records = new ArrayList<>();
            long[] read = {0};
            long[] partsSeen = {0, -1}; // next part expected, end LSN of the transaction assembling
            topics.readParsed(topics.log(), start, r -> {
                LogTransaction t = LogTransaction.parseFrom(r.value());
                List<LogRecord> rs = new ArrayList<>(t.getChangesCount());
                for (Change c : t.getChangesList()) rs.add(record(t.getTxnId(), c));
                return new Decoded(t, rs);
            }, (r, d) -> {
                LogTransaction t = d.t();
                read[0]++;
                if (t.getEndLsn() > targetLsn) return false;
                if (databaseId != 0 && t.getDatabaseId() != databaseId) {
                    throw new IOException("offset " + r.offset() + " of " + topics.log() + " belongs to another database");
                }
                if (t.getPart() == 0) {
                    records.clear(); // a split transaction sent again starts over
                    partsSeen[0] = 0;
                    partsSeen[1] = t.getEndLsn();
                } else if (t.getEndLsn() != partsSeen[1] || t.getPart() != partsSeen[0]) {
                    throw new IOException("offset " + r.offset() + " of " + topics.log() + " is part " + t.getPart()
                            + " of a transaction whose earlier parts are missing");
                }
                partsSeen[0]++;
                if (t.getParts() == 1) {
                    if (b.apply(t.getStartLsn(), t.getEndLsn(), t.getTxnId(), d.records())) lastCommit[0] = t.getCommitTimeMillis();
                } else {
                    records.addAll(d.records());
                    if (t.getPart() == t.getParts() - 1) {
                        if (b.apply(t.getStartLsn(), t.getEndLsn(), t.getTxnId(), records)) lastCommit[0] = t.getCommitTimeMillis();
                        records.clear();
                    }
                }
                if (due()) {
                    report(new Progress("log", read[0], end - start, rate(read[0], t0), eta(read[0], end - start, t0),
                            b.transactions(), b.changes()));
                }
                return true;
            });
            report(new Progress("log", read[0], end - start, rate(read[0], t0), 0, b.transactions(), b.changes()));
        }

        /** Whether a progress report is due (one every 250 ms). */
        boolean due() {
            long now = System.nanoTime();
            if (now - lastReport < 250_000_000L) return false;
            lastReport = now;
            return true;
        }

        void report(Progress p) { progress.accept(p); }
    }

    private static double rate(long done, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        return s <= 0 ? 0 : done / s;
    }

    private static long eta(long done, long total, long t0) {
        double r = rate(done, t0);
        return r <= 0 ? -1 : (long) (Math.max(0, total - done) / r * 1000);
    }

    private static CheckpointFormat.Header header(CheckpointEvent e) {
        return new CheckpointFormat.Header((int) e.getFileNo(), CheckpointFormat.STATE_COMPLETE,
                e.getConsistent() ? CheckpointFormat.FLAG_CONSISTENT : 0, e.getCheckpointId(), e.getDatabaseId(),
                e.getRedoLsn(), e.getCommitTs(), e.getLastTxnId(), e.getNextTableId(), e.getStartTimeMillis(),
                e.getEndTimeMillis(), 0, 0, e.getCatalogCrc(), 0, 0, e.getDirectoryCrc(), e.getBlocksInUse(), e.getRows(),
                e.getBytesInUse());
    }

    private static LogTransaction parse(ConsumerRecord<byte[], byte[]> r) throws IOException {
        if (r == null) throw new IOException("a record of the log topic could not be read");
        return LogTransaction.parseFrom(r.value());
    }

    /** A change of the log topic as the log record it was shipped from. */
    static LogRecord record(long txnId, Change c) throws IOException {
        return switch (c.getKindCase()) {
            case ROW -> new LogRecord.RowImage(0, txnId, c.getRow().getInsert(), c.getRow().getTableId(), c.getRow().getRowId(),
                    c.getRow().getImage().toByteArray());
            case DELETE -> new LogRecord.RowDelete(0, txnId, c.getDelete().getTableId(), c.getDelete().getRowId());
            case CATALOG_CHANGE -> {
                try {
                    yield new LogRecord.Ddl(0, txnId, LogCodec.decodeChange(
                            ByteBuffer.wrap(c.getCatalogChange().toByteArray()).order(ByteOrder.LITTLE_ENDIAN)));
                } catch (IllegalArgumentException e) {
                    throw new IOException("an archived catalog change does not parse: " + e.getMessage());
                }
            }
            case KIND_NOT_SET -> throw new IOException("an archived change has no kind (written by a newer version?)");
        };
    }
}
