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

/** TimesTen's aging procedures: ttAgingScheduleNow and ttAgingLRUConfig. */
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
        int cycle = now.cycleMinutes();
        if (a.length > 2 && a[2] != null) {
            cycle = Procedures.wholeNumber("agingCycle", a[2]);
            if (cycle < 1) throw ErrorCode.SEMANTIC_ERROR.error("agingCycle is a number of minutes from 1, got 0");
        }
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
