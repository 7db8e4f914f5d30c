package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.sql.StatementResult;

import java.util.List;

import static io.hourglass.engine.lifecycle.Procedures.arity;

/** TimesTen's aging procedures: ttAgingScheduleNow; ttAgingLRUConfig is TT90019 (no LRU aging here). */
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
        p.register("ttAgingLRUConfig", (c, a) -> {
            throw ErrorCode.UNSUPPORTED.error("ttAgingLRUConfig: usage-based (LRU) aging; time-based aging (AGING USE) is");
        });
    }
}
