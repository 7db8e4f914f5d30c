package io.hourglass.engine.checkpoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@link #KEPT} checkpoints of a database, newest first, as {@code ttCkptHistory} shows them. */
public final class CheckpointHistory {
    public static final int KEPT = 8;

    /**
     * One checkpoint. Field names follow ttCkptHistory; {@code bytesWritten} and
     * {@code durationMillis} are Hourglass's additions.
     *
     * @param blksTotal blocks of the database's tables (in use or not)
     * @param bytesTotal bytes the checkpoint file spans
     * @param blksInUse blocks holding rows, each stored as one record in the file
     * @param bytesInUse bytes of those records
     * @param endMillis 0 while in progress
     */
    public record Entry(long checkpointId, long startMillis, long endMillis, String type, String status, String initiator,
                        String reason, String error, int ckptFileNum, long ckptLfn, long ckptLfo, long blksTotal,
                        long bytesTotal, long blksInUse, long bytesInUse, long bytesWritten, long durationMillis) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    synchronized void add(Entry e) {
        entries.removeIf(x -> x.checkpointId() == e.checkpointId() && x.startMillis() == e.startMillis());
        entries.addFirst(e);
        while (entries.size() > KEPT) entries.removeLast();
    }

    /** Replaces the entry for the same checkpoint (its progress), keeping its place. */
    synchronized void update(Entry e) {
        List<Entry> list = new ArrayList<>(entries);
        for (int i = 0; i < list.size(); i++) {
            Entry x = list.get(i);
            if (x.checkpointId() == e.checkpointId() && x.startMillis() == e.startMillis()) list.set(i, e);
        }
        entries.clear();
        entries.addAll(list);
    }

    /** Newest first. */
    public synchronized List<Entry> entries() { return List.copyOf(entries); }
}
