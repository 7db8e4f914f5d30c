package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;

import java.util.function.Consumer;

/**
 * A sequence (CREATE SEQUENCE): NEXTVAL hands out {@code start}, {@code start + increment}, ...
 * within [min, max], wrapping with CYCLE. As Oracle's, it is not transactional: a value handed
 * out is gone whether its transaction commits or not.
 *
 * <p>Durability without a log write per value: before it hands out the first of each {@code
 * cache} values, it logs durably where it would restart after a crash (the value after them,
 * {@link #restart}); recovery resumes there, so a crash skips at most the cached values and
 * never gives one twice. A checkpoint stores the restart point too.
 */
public final class Sequence {
    private final String owner, name;
    private final long increment, min, max, cache;
    private final boolean cycle;
    private Long next;     // what NEXTVAL gives next; null: exhausted (no CYCLE)
    private Long restart;  // where a restart resumes: no value from it on was handed out; null: exhausted
    private long reserved; // values NEXTVAL may still give before it must log a new restart point

    public Sequence(String owner, String name, long increment, long min, long max, boolean cycle, long cache, Long restart) {
        this.owner = owner;
        this.name = name;
        this.increment = increment;
        this.min = min;
        this.max = max;
        this.cycle = cycle;
        this.cache = cache;
        this.next = restart;
        this.restart = restart;
    }

    public String owner() { return owner; }

    public String name() { return name; }

    public String qualifiedName() { return owner + "." + name; }

    public long increment() { return increment; }

    public long min() { return min; }

    public long max() { return max; }

    public boolean cycle() { return cycle; }

    public long cache() { return cache; }

    /** Where a restart would resume (null: exhausted), as a checkpoint stores it. */
    public synchronized Long restart() { return restart; }

    /** Recovery: a restart point the log holds. */
    public synchronized void restartAt(Long value) {
        next = value;
        restart = value;
        reserved = 0;
    }

    /**
     * The next value. When the values reserved run out it first computes the restart point
     * {@code cache} values on and hands it to {@code logRestart}, which must make it durable
     * before returning (the caller's NEXTVAL waits for that sync once per {@code cache} values).
     */
    public synchronized long nextval(Consumer<Long> logRestart) {
        if (next == null) {
            throw ErrorCode.SEQUENCE_EXHAUSTED.error(qualifiedName(), increment > 0 ? "MAXVALUE " + max : "MINVALUE " + min);
        }
        if (reserved == 0) {
            Long r = next;
            for (long i = 0; i < cache && r != null; i++) r = step(r);
            logRestart.accept(r);
            restart = r;
            reserved = cache;
        }
        long v = next;
        next = step(v);
        reserved--;
        return v;
    }

    /** The value after {@code v}: wrapped to the other bound with CYCLE, else null past the bound. */
    private Long step(long v) {
        long w;
        try {
            w = Math.addExact(v, increment);
        } catch (ArithmeticException overflow) {
            return cycle ? (increment > 0 ? min : max) : null;
        }
        if (w > max || w < min) return cycle ? (increment > 0 ? min : max) : null;
        return w;
    }
}
