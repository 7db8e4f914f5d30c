package io.hourglass.engine.catalog;

import java.util.Locale;

/**
 * A table's aging policy. Time-based (TimesTen's {@code AGING USE column LIFETIME n unit CYCLE n
 * unit ON|OFF}): every cycle, while the state is ON, the rows whose timestamp {@code column} is
 * older than the lifetime are deleted. The column is named, not numbered, so the policy survives
 * ALTER TABLE's new column lists; RENAME COLUMN renames it here too. Usage-based ({@code AGING LRU
 * ON|OFF}, {@link #lru(boolean)}: no column, lifetime or cycle): while the state is ON and the
 * database's PermSize in use is past ttAgingLRUConfig's high threshold, the rows least recently
 * used go until it is under the low one; or, with row thresholds ({@link #rows},
 * ttAgingTableLRUConfig), every one of their cycles, while the table holds more rows than the
 * high one, down to the low one (PermSize then plays no part for it).
 */
public record Aging(String column, long lifetime, Unit lifetimeUnit, long cycle, Unit cycleUnit, boolean on, RowThresholds rows) {

    /**
     * ttAgingTableLRUConfig's row thresholds of an LRU table: past {@code high} rows, its least
     * recently used go until {@code low} are left, checked every {@code cycleMinutes}.
     */
    public record RowThresholds(long low, long high, int cycleMinutes) {
        /** What ttAgingTableLRUConfig shows for a table without thresholds (aged by PermSize). */
        public static final RowThresholds NONE = new RowThresholds(0, 0, 1);

        public RowThresholds {
            if (low < 0 || high < low || cycleMinutes < 1) throw new IllegalArgumentException("bad LRU row thresholds");
        }
    }

    /** TimesTen's CYCLE when none is given: 5 minutes. */
    public static final long DEFAULT_CYCLE = 5;
    public static final Unit DEFAULT_CYCLE_UNIT = Unit.MINUTE;

    /** The units LIFETIME and CYCLE are written in. Never renumber: the log stores the ordinal. */
    public enum Unit {
        SECOND(1_000L), MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L);

        public final long millis;

        Unit(long millis) { this.millis = millis; }
    }

    public Aging {
        if (column != null && (lifetime <= 0 || cycle <= 0)) throw new IllegalArgumentException("aging lifetime and cycle must be positive");
        if (column != null && rows != null) throw new IllegalArgumentException("row thresholds are LRU aging's");
    }

    /** A time-based policy. */
    public Aging(String column, long lifetime, Unit lifetimeUnit, long cycle, Unit cycleUnit, boolean on) {
        this(column, lifetime, lifetimeUnit, cycle, cycleUnit, on, null);
    }

    /** {@code AGING LRU ON | OFF}: usage-based aging, by PermSize in use. */
    public static Aging lru(boolean on) { return lru(on, null); }

    /** Usage-based aging, by the table's own row thresholds (null: by PermSize in use). */
    public static Aging lru(boolean on, RowThresholds rows) { return new Aging(null, 0, null, 0, null, on, rows); }

    /** Usage-based (LRU) rather than time-based. */
    public boolean isLru() { return column == null; }

    /** Whether {@code c} is this time-based policy's column (never for LRU). */
    public boolean uses(String c) { return column != null && column.equals(c); }

    public long lifetimeMillis() { return Math.multiplyExact(lifetime, lifetimeUnit.millis); }

    public long cycleMillis() { return Math.multiplyExact(cycle, cycleUnit.millis); }

    public Aging withColumn(String c) { return new Aging(c, lifetime, lifetimeUnit, cycle, cycleUnit, on); }

    public Aging withState(boolean state) { return new Aging(column, lifetime, lifetimeUnit, cycle, cycleUnit, state, rows); }

    public Aging withLifetime(long n, Unit unit) { return new Aging(column, n, unit, cycle, cycleUnit, on); }

    public Aging withCycle(long n, Unit unit) { return new Aging(column, lifetime, lifetimeUnit, n, unit, on); }

    /** The policy as CREATE TABLE writes it, after AGING: {@code USE TS LIFETIME 1 DAYS CYCLE 5 MINUTES ON}, or {@code LRU ON}. */
    public String sql() {
        if (isLru()) return on ? "LRU ON" : "LRU OFF";
        return "USE " + column + " LIFETIME " + lifetime + " " + plural(lifetimeUnit) + " CYCLE " + cycle + " " + plural(cycleUnit)
                + (on ? " ON" : " OFF");
    }

    private static String plural(Unit u) { return u.name().toUpperCase(Locale.ROOT) + "S"; }
}
