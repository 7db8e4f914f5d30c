package io.hourglass.engine.lifecycle;

/**
 * When a database is in memory (REFERENCE.md, "RAM policy, invalidation, reload").
 *
 * @param kind when the database is loaded and unloaded
 * @param graceSeconds for {@link Kind#IN_USE}: how long the database stays loaded after its last
 *                     connection closes
 * @param autoreload whether a connect (or an admin load) reloads a database invalidated by a
 *                   fatal error; off, a connect fails with error 707 until an admin loads it
 */
public record RamPolicy(Kind kind, int graceSeconds, boolean autoreload) {
    /**
     * Hourglass's default is {@code always}, not TimesTen's {@code inUse}: the service opens a
     * connection per HTTP request, so inUse (with TimesTen's ramGrace of 0) would unload the
     * database, with an unload checkpoint, between two requests. docs/OPERATIONS.md says more.
     */
    public static final RamPolicy DEFAULT = new RamPolicy(Kind.ALWAYS, 0, true);

    public RamPolicy {
        if (kind == null) throw new IllegalArgumentException("a RAM policy is always, manual or inUse");
        if (graceSeconds < 0) throw new IllegalArgumentException("ramGrace must not be negative");
    }

    public enum Kind {
        /** Loaded when the instance starts and kept loaded. */
        ALWAYS("always"),
        /** Loaded by ramLoad, unloaded by ramUnload. */
        MANUAL("manual"),
        /** Loaded at the first connect, unloaded ramGrace seconds after the last disconnect. */
        IN_USE("inUse");

        public final String label;

        Kind(String label) { this.label = label; }

        /** TimesTen's names, in any case. */
        public static Kind parse(String s) {
            if (s != null) {
                for (Kind k : values()) if (k.label.equalsIgnoreCase(s.trim())) return k;
            }
            throw new IllegalArgumentException("a RAM policy is always, manual or inUse, not " + s);
        }
    }

    public RamPolicy withKind(Kind k) { return new RamPolicy(k, graceSeconds, autoreload); }

    public RamPolicy withGrace(int seconds) { return new RamPolicy(kind, seconds, autoreload); }

    public RamPolicy withAutoreload(boolean on) { return new RamPolicy(kind, graceSeconds, on); }

    @Override
    public String toString() {
        return kind.label + (kind == Kind.IN_USE ? " (ramGrace " + graceSeconds + " s)" : "")
                + (autoreload ? "" : ", noautoreload");
    }
}
