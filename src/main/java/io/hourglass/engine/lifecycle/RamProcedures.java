package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.sql.StatementResult;

import java.util.List;

import static io.hourglass.engine.lifecycle.Procedures.arity;
import static io.hourglass.engine.lifecycle.Procedures.col;
import static io.hourglass.engine.lifecycle.Procedures.table;

/**
 * ttRamPolicySet, ttRamPolicyGet, ttRamPolicyAutoReloadSet, ttRamPolicyAutoReloadGet, and the
 * fault switch ttHourglassInvalidate (ADMIN, and only when the instance allows fault injection).
 */
final class RamProcedures {
    private RamProcedures() {}

    static void register(Procedures p, Instance instance, ManagedDatabase m) {
        p.register("ttRamPolicySet", (c, a) -> {
            arity("ttRamPolicySet", a, 1, 2);
            CheckpointProcedures.requireAdmin(c);
            RamPolicy now = m.policy();
            RamPolicy next;
            try {
                next = now.withKind(RamPolicy.Kind.parse(a[0] == null ? null : a[0].toString()));
                if (a.length > 1 && a[1] != null) next = next.withGrace(Procedures.wholeNumber("ramGrace", a[1]));
            } catch (IllegalArgumentException e) {
                throw ErrorCode.SEMANTIC_ERROR.error(e.getMessage());
            }
            m.setPolicy(next);
            return StatementResult.none();
        });
        p.register("ttRamPolicyGet", (c, a) -> {
            arity("ttRamPolicyGet", a, 0, 0);
            RamPolicy now = m.policy();
            return table(List.of(col("RAMPOLICY", SqlType.VARCHAR_ANY), col("RAMGRACE", SqlType.BIGINT)),
                    List.<Object[]>of(new Object[] {now.kind().label, (long) now.graceSeconds()}));
        });
        p.register("ttRamPolicyAutoReloadSet", (c, a) -> {
            arity("ttRamPolicyAutoReloadSet", a, 1, 1);
            CheckpointProcedures.requireAdmin(c);
            int v = Procedures.wholeNumber("ttRamPolicyAutoReloadSet's flag", a[0]);
            if (v != 0 && v != 1) throw ErrorCode.SEMANTIC_ERROR.error("ttRamPolicyAutoReloadSet takes 0 or 1, got " + v);
            m.setPolicy(m.policy().withAutoreload(v == 1));
            return StatementResult.none();
        });
        p.register("ttRamPolicyAutoReloadGet", (c, a) -> {
            arity("ttRamPolicyAutoReloadGet", a, 0, 0);
            return table(List.of(col("AUTORELOAD", SqlType.BIGINT)),
                    List.<Object[]>of(new Object[] {m.policy().autoreload() ? 1L : 0L}));
        });
        p.register("ttHourglassInvalidate", (c, a) -> {
            arity("ttHourglassInvalidate", a, 0, 1);
            CheckpointProcedures.requireAdmin(c);
            if (!instance.faultInjectionAllowed()) throw ErrorCode.FAULT_INJECTION_OFF.error();
            String why = a.length > 0 && a[0] != null ? a[0].toString() : "ttHourglassInvalidate";
            var cause = ErrorCode.CONNECTION_TERMINATED.error();
            cause.initCause(new IllegalStateException("fault injected by " + c.user().name() + ": " + why));
            c.database().invalidate(cause);
            return StatementResult.none();
        });
    }
}
