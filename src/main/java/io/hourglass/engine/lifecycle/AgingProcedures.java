package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.sql.StatementResult;

import java.util.List;

import static io.hourglass.engine.lifecycle.Procedures.arity;
import static io.hourglass.engine.lifecycle.Procedures.col;
import static io.hourglass.engine.lifecycle.Procedures.table;

/** TimesTen's aging procedures: ttAgingScheduleNow, ttAgingLRUConfig and ttAgingTableLRUConfig. */
final class AgingProcedures {
    private AgingProcedures() {}

    static void register(Procedures p) {
        p.register("ttAgingScheduleNow", (c, a) -> {
            arity("ttAgingScheduleNow", a, 0, 1);
            Object name = a.length > 0 ? a[0] : null;
            List<Table> tables;
            if (name == null || (name instanceof String s && s.isBlank())) {
                // every table with a policy: TimesTen asks for DELETE ANY TABLE, which is ADMIN's here
                CheckpointProcedures.requireAdmin(c);
                tables = c.catalog().tables().stream().filter(t -> t.aging() != null).toList();
            } else {
                tables = MonitorProcedures.tables(c, "ttAgingScheduleNow", name, Privilege.DELETE);
                if (tables.getFirst().aging() == null) throw ErrorCode.AGING_NOT_DEFINED.error(tables.getFirst().qualifiedName());
            }
            AgingAgent agent = c.database().agingAgent();
            if (agent == null) throw ErrorCode.INTERNAL.error("the database has no aging agent");
            for (Table t : tables) agent.scheduleNow(t);
            return StatementResult.none();
        });
        p.register("ttAgingLRUConfig", AgingProcedures::lruConfig);
        p.register("ttAgingTableLRUConfig", AgingProcedures::tableLruConfig);
    }

    /**
     * ttAgingTableLRUConfig(tblOwner, tblName, [lowRowsThreshold], [highRowsThreshold],
     * [agingCycle]): an LRU table's own thresholds, in rows: past the high one its least recently
     * used rows go until the low one is left, every agingCycle minutes, whatever PermSize in use;
     * both 0 (as until set) put it back under ttAgingLRUConfig's thresholds. Reading needs no
     * privilege, changing ADMIN; a change is logged with the table's policy (ALTER TABLE SET AGING
     * keeps it, DROP AGING drops it).
     */
    private static StatementResult tableLruConfig(Connection c, Object[] a) {
        arity("ttAgingTableLRUConfig", a, 2, 5);
        if (a[0] == null || a[1] == null) throw ErrorCode.SEMANTIC_ERROR.error("ttAgingTableLRUConfig needs the table's owner and name");
        String owner = a[0].toString().toUpperCase(java.util.Locale.ROOT), name = a[1].toString().toUpperCase(java.util.Locale.ROOT);
        Table t = c.catalog().table(owner, name);
        if (t == null) throw ErrorCode.TABLE_NOT_FOUND.error(owner + "." + name);
        io.hourglass.engine.catalog.Aging now = t.aging();
        if (now == null) throw ErrorCode.AGING_NOT_DEFINED.error(t.qualifiedName());
        if (!now.isLru()) throw ErrorCode.SEMANTIC_ERROR.error(t.qualifiedName() + " has time-based aging: row thresholds are LRU aging's");
        io.hourglass.engine.catalog.Aging.RowThresholds cur = now.rows() != null ? now.rows() : io.hourglass.engine.catalog.Aging.RowThresholds.NONE;
        long low = a.length > 2 && a[2] != null ? rowCount("LowRowsThreshold", a[2]) : cur.low();
        long high = a.length > 3 && a[3] != null ? rowCount("HighRowsThreshold", a[3]) : cur.high();
        int cycle = cycleMinutes("AgingCycle", a, 4, cur.cycleMinutes());
        boolean asked = false;
        for (int i = 2; i < a.length; i++) asked |= a[i] != null;
        io.hourglass.engine.catalog.Aging.RowThresholds shown = cur;
        if (asked) {
            CheckpointProcedures.requireAdmin(c);
            if (low > high) throw ErrorCode.SEMANTIC_ERROR.error("the low rows threshold (" + low + ") may not be above the high one (" + high + ")");
            io.hourglass.engine.catalog.Aging next = io.hourglass.engine.catalog.Aging.lru(now.on(),
                    low == 0 && high == 0 ? null : new io.hourglass.engine.catalog.Aging.RowThresholds(low, high, cycle));
            if (!next.equals(now)) {
                CatalogChanges.logAndApply(c.catalog(), c.transactions(), new CatalogChange.SetAging(t.owner(), t.name(), next));
            }
            AgingAgent agent = c.database().agingAgent();
            if (agent != null && next.rows() != null && next.rows().cycleMinutes() != cur.cycleMinutes()) agent.rowsCycleChanged(t);
            shown = next.rows() != null ? next.rows() : io.hourglass.engine.catalog.Aging.RowThresholds.NONE;
        }
        return table(List.of(col("LOWROWSTHRESHOLD", SqlType.BIGINT), col("HIGHROWSTHRESHOLD", SqlType.BIGINT),
                col("AGINGCYCLE", SqlType.INTEGER)), List.<Object[]>of(new Object[] {shown.low(), shown.high(), (long) shown.cycleMinutes()}));
    }

    /** Argument {@code i}, an aging cycle in whole minutes from 1, or {@code current} if it is left out or NULL. */
    private static int cycleMinutes(String what, Object[] a, int i, int current) {
        if (a.length <= i || a[i] == null) return current;
        int cycle = Procedures.wholeNumber(what, a[i]);
        if (cycle < 1) throw ErrorCode.SEMANTIC_ERROR.error(what + " is a number of minutes from 1, got 0");
        return cycle;
    }

    /** A number of rows from 0; TT90003 or TT90015 otherwise. */
    private static long rowCount(String what, Object v) {
        if (!Values.isNumber(v)) throw ErrorCode.TYPE_MISMATCH.error(what + " must be a number, got " + Values.describe(v));
        double d = Values.toDouble(v);
        if (d < 0 || d != Math.floor(d) || d > Long.MAX_VALUE) {
            throw ErrorCode.SEMANTIC_ERROR.error(what + " is a number of rows from 0, got " + Values.toText(v));
        }
        return (long) d;
    }

    /**
     * ttAgingLRUConfig([lowUsageThreshold], [highUsageThreshold], [agingCycle]): the fractions of
     * PermSize in use between which LRU aging works (it starts past the high one and deletes down
     * to the low one) and the minutes between its checks. Reading needs no privilege, changing
     * ADMIN; a change is logged (kept across restarts) and a new cycle starts its count from now.
     */
    private static StatementResult lruConfig(Connection c, Object[] a) {
        arity("ttAgingLRUConfig", a, 0, 3);
        CatalogChange.LruAgingSettings now = c.catalog().lruAgingSettings();
        double low = a.length > 0 && a[0] != null ? fraction("lowUsageThreshold", a[0]) : now.lowUsage();
        double high = a.length > 1 && a[1] != null ? fraction("highUsageThreshold", a[1]) : now.highUsage();
        int cycle = cycleMinutes("agingCycle", a, 2, now.cycleMinutes());
        CatalogChange.LruAgingSettings next = new CatalogChange.LruAgingSettings(low, high, cycle);
        boolean asked = false;
        for (Object x : a) asked |= x != null;
        if (asked) {
            CheckpointProcedures.requireAdmin(c);
            if (low > high) {
                throw ErrorCode.SEMANTIC_ERROR.error("the low usage threshold (" + low + ") may not be above the high one (" + high + ")");
            }
            if (!next.equals(now)) CatalogChanges.logAndApply(c.catalog(), c.transactions(), next);
            AgingAgent agent = c.database().agingAgent();
            if (agent != null && next.cycleMinutes() != now.cycleMinutes()) agent.lruCycleChanged();
        }
        return table(List.of(col("LOWUSAGETHRESHOLD", SqlType.DOUBLE), col("HIGHUSAGETHRESHOLD", SqlType.DOUBLE),
                col("AGINGCYCLE", SqlType.INTEGER)), List.<Object[]>of(new Object[] {next.lowUsage(), next.highUsage(), (long) next.cycleMinutes()}));
    }

    /** A fraction of PermSize from 0 to 1 (TimesTen's .8 for 80%); TT90003 or TT90015 otherwise. */
    private static double fraction(String what, Object v) {
        if (!Values.isNumber(v)) throw ErrorCode.TYPE_MISMATCH.error(what + " must be a number, got " + Values.describe(v));
        double d = Values.toDouble(v);
        if (!(d >= 0 && d <= 1)) {
            throw ErrorCode.SEMANTIC_ERROR.error(what + " is a fraction of PermSize from 0 to 1 (.8 for 80%), got " + Values.toText(v));
        }
        return d;
    }
}
