package io.hourglass.engine.spi;

import java.nio.file.Path;

/**
 * Hears about every checkpoint of a database: when it starts, completes or fails, with the
 * fields {@code ttCkptHistory} shows and the redo LSN. The Kafka archive subscribes to publish
 * checkpoint events and snapshots. Called on the checkpointing thread: keep it short, never
 * block on the network, and do not throw (a listener's failure is logged and ignored).
 */
public interface CheckpointListener {
    /**
     * One checkpoint, at one stage.
     *
     * @param checkpointId rises by one with every checkpoint of the database
     * @param type Fuzzy, Blocking or None (TimesTen's names)
     * @param status In Progress, Completed or Failed
     * @param initiator User, Checkpointer or Subdaemon
     * @param file the checkpoint file written ({@code .ds0} or {@code .ds1})
     * @param redoLsnFile recovery from this image replays the log from (file, offset)
     * @param consistent the image is transaction-consistent (recovery needs no log)
     * @param directoryCrc CRC32C of the file's block directory, as in its header (0 until completed)
     * @param redoLsn the redo LSN packed ({@code file << 32 | offset})
     * @param imageEndLsn completed only: the log's end when the image was written; the image
     *        holds no change of a transaction committed after it (a point-in-time restore to a
     *        target at or after it may start from this checkpoint); 0 otherwise
     */
    record Event(String database, long checkpointId, String type, String status, String initiator, String reason,
                 String error, long startMillis, long endMillis, int fileNo, Path file, int redoLsnFile,
                 long redoLsnOffset, boolean consistent, long blocksInUse, long bytesInUse, long rows,
                 long bytesWritten, int directoryCrc, int catalogCrc, long databaseId, long redoLsn,
                 long imageEndLsn) {}

    default void started(Event e) { }

    default void completed(Event e) { }

    default void failed(Event e) { }
}
