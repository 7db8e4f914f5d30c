package io.hourglass.engine.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What keeps log files from being purged: each holder (the checkpoints, a backup, the Kafka
 * archive) says from which LSN it still needs the log. A file is purged only when every hold is
 * past it. {@code CALL ttLogHolds()} lists them.
 */
public final class LogHolds {
    /** One hold: the first LSN still needed, its type (TimesTen's names) and a description. */
    public record Hold(long lsn, String type, String description) {}

    /** The type of the ASYNCHRONOUS WRITETHROUGH agent's hold: TimesTen's, whose AWT runs on replication (SYS.MONITOR's REPHOLD_LOG_FILE). */
    public static final String REPLICATION = "Replication";

    private final Map<String, Supplier<Hold>> holders = new ConcurrentHashMap<>();

    /** Adds (or replaces) the holder named {@code key}; it reports its hold when asked, null for none. */
    public void register(String key, Supplier<Hold> holder) { holders.put(key, holder); }

    public void unregister(String key) { holders.remove(key); }

    /** The current holds, lowest LSN first. */
    public List<Hold> holds() {
        List<Hold> out = new ArrayList<>();
        for (Supplier<Hold> s : holders.values()) {
            Hold h = s.get();
            if (h != null) out.add(h);
        }
        out.sort((a, b) -> Long.compare(a.lsn(), b.lsn()));
        return out;
    }

    /** The lowest LSN any hold needs, or {@code none} when nothing holds the log. */
    public long minimum(long none) {
        long min = none;
        for (Hold h : holds()) min = Math.min(min, h.lsn());
        return min;
    }
}
