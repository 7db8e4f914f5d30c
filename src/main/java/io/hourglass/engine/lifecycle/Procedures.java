package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.sql.ResultColumn;
import io.hourglass.engine.sql.StatementResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in procedures reached with {@code CALL name(args)}, by TimesTen's names. Later
 * subsystems (checkpoints, log, RAM policy) register theirs here.
 */
public final class Procedures {
    /** A built-in: receives the calling connection and the evaluated arguments. */
    @FunctionalInterface
    public interface Procedure {
        StatementResult call(Connection c, Object[] args);
    }

    private final Map<String, Procedure> procs = new ConcurrentHashMap<>();

    Procedures(String version) {
        register("ttVersion", (c, a) -> table(List.of(col("VERSION", SqlType.VARCHAR_ANY)), List.<Object[]>of(new Object[] {version})));
        register("ttConfiguration", (c, a) -> configuration(c, a));
        register("ttLockWait", (c, a) -> {
            arity("ttLockWait", a, 1, 1);
            if (!Values.isNumber(a[0])) throw ErrorCode.TYPE_MISMATCH.error("ttLockWait takes seconds, got " + Values.describe(a[0]));
            c.setLockWait(Values.toDouble(a[0]));
            return StatementResult.none();
        });
        register("ttOptSetOrder", (c, a) -> {
            arity("ttOptSetOrder", a, 1, 1);
            if (a[0] != null && !(a[0] instanceof String)) {
                throw ErrorCode.TYPE_MISMATCH.error("ttOptSetOrder takes correlation names separated by spaces, got " + Values.describe(a[0]));
            }
            List<String> names = new ArrayList<>();
            if (a[0] != null) {
                for (String n : ((String) a[0]).trim().split("[\\s,]+")) {
                    if (n.isEmpty()) continue;
                    // (as the parser folds unquoted names; a quoted one keeps its case)
                    names.add(n.length() > 1 && n.startsWith("\"") && n.endsWith("\"") ? n.substring(1, n.length() - 1) : n.toUpperCase(Locale.ROOT));
                }
            }
            c.setJoinOrder(names);
            return StatementResult.none();
        });
        register("ttDurableCommit", (c, a) -> {
            arity("ttDurableCommit", a, 0, 0);
            c.durableCommit();
            return StatementResult.none();
        });
        register("ttLogHolds", (c, a) -> {
            arity("ttLogHolds", a, 0, 0);
            return CheckpointProcedures.logHolds(c);
        });
        register("ttBookmark", (c, a) -> {
            arity("ttBookmark", a, 0, 0);
            return CheckpointProcedures.bookmark(c);
        });
        CheckpointProcedures.register(this);
        MonitorProcedures.register(this);
        AgingProcedures.register(this);
        register("ttUserPrivileges", (c, a) -> {
            if (!c.catalog().has(c.user(), Privilege.ADMIN)) throw ErrorCode.PRIVILEGE_REQUIRED.error(c.user().name(), "ADMIN");
            List<Object[]> rows = new ArrayList<>();
            for (String[] r : c.catalog().privilegeRows()) rows.add(new Object[] {r[0], r[1], r[2].isEmpty() ? null : r[2]});
            return table(List.of(col("USER_NAME", SqlType.VARCHAR_ANY), col("PRIVILEGE", SqlType.VARCHAR_ANY),
                    col("OBJECT", SqlType.VARCHAR_ANY)), rows);
        });
    }

    public void register(String name, Procedure p) { procs.put(name.toUpperCase(Locale.ROOT), p); }

    StatementResult call(Connection c, String name, Object[] args) {
        Procedure p = procs.get(name.toUpperCase(Locale.ROOT));
        if (p == null) throw ErrorCode.UNKNOWN_PROCEDURE.error(name);
        return p.call(c, args);
    }

    public static void arity(String name, Object[] a, int min, int max) {
        if (a.length < min || a.length > max) {
            throw ErrorCode.SEMANTIC_ERROR.error(name + " takes " + (min == max ? min : min + " to " + max) + " argument(s), got " + a.length);
        }
    }

    public static ResultColumn col(String name, SqlType t) { return new ResultColumn(name, t); }

    public static StatementResult table(List<ResultColumn> cols, List<Object[]> rows) { return new StatementResult(cols, rows, -1); }

    private static StatementResult configuration(Connection c, Object[] a) {
        arity("ttConfiguration", a, 0, 1);
        DatabaseConfig cfg = c.database().config();
        Map<String, Object> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        m.put("DataStore", cfg.dataStore());
        m.put("LogDir", cfg.logDir());
        m.put("PermSize", cfg.permSizeMb());
        m.put("Connections", (long) cfg.connections());
        m.put("TempSize", cfg.tempSizeBytes() >> 20);
        m.put("DurableCommits", (long) cfg.durableCommits());
        m.put("LockWait", c.lockWait());
        m.put("SQLQueryTimeoutMSec", c.queryTimeoutMillis());
        m.put("Isolation", c.isolation().name());
        m.put("LogBufMB", (long) cfg.logBufMb());
        m.put("LogFileSize", (long) cfg.logFileSizeMb());
        m.put("LogBufParallelism", (long) cfg.logBufParallelism());
        m.put("CkptFrequency", (long) cfg.ckptFrequency());
        m.put("CkptLogVolume", (long) cfg.ckptLogVolume());
        m.put("CkptRate", (long) cfg.ckptRate());
        m.put("CkptReadThreads", (long) cfg.ckptReadThreads());
        m.put("RecoveryThreads", (long) cfg.recoveryThreads());
        m.put("LogPurge", (long) cfg.logPurge());
        m.put("BackupFailThreshold", (long) cfg.backupFailThreshold());
        m.put("UID", c.user().name());
        List<Object[]> rows = new ArrayList<>();
        String only = a.length == 1 && a[0] != null ? a[0].toString() : null;
        m.forEach((k, v) -> {
            if (only == null || k.equalsIgnoreCase(only)) rows.add(new Object[] {k, v == null ? null : Values.toText(v)});
        });
        return table(List.of(col("PARAMNAME", SqlType.VARCHAR_ANY), col("PARAMVALUE", SqlType.VARCHAR_ANY)), rows);
    }

    /** A whole number from 0 to Integer.MAX_VALUE, as built-ins take counts and intervals; TT90003 or TT90015 otherwise. */
    static int wholeNumber(String what, Object v) {
        if (!Values.isNumber(v)) throw ErrorCode.TYPE_MISMATCH.error(what + " must be a number, got " + Values.describe(v));
        double d = Values.toDouble(v);
        if (d < 0 || d != Math.floor(d) || d > Integer.MAX_VALUE) {
            throw ErrorCode.SEMANTIC_ERROR.error(what + " must be a whole number from 0 to " + Integer.MAX_VALUE + ", got " + Values.toText(v));
        }
        return (int) d;
    }
}
