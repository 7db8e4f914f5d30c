package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.txn.Isolation;

import java.util.Set;

/**
 * ALTER SESSION SET, TimesTen's: every setting is checked before any takes effect. ISOLATION_LEVEL
 * applies from the session's next transaction (an open one keeps its own), as in TimesTen. The
 * NLS settings take only what Hourglass is: NLS_SORT = BINARY (strings compare by code point),
 * NLS_LENGTH_SEMANTICS = CHAR (lengths count characters), and NLS_NCHAR_CONV_EXCP either way (with
 * one character set for CHAR and NCHAR no conversion loses data, so there is nothing to report).
 * PL/SQL's and replication's parameters are refused: Hourglass has neither.
 */
final class SessionSettings {
    private SessionSettings() {}

    private static final Set<String> PLSQL = Set.of("PLSQL_TIMEOUT", "PLSQL_OPTIMIZE_LEVEL", "PLSQL_CONN_MEM_LIMIT", "PLSQL_CCFLAGS",
            "PLSQL_SESSION_CACHED_CURSORS", "PLSCOPE_SETTINGS");
    private static final Set<String> REPLICATION = Set.of("DDL_REPLICATION_ACTION", "DDL_REPLICATION_LEVEL", "REPLICATION_TRACK");

    static void apply(Ast.AlterSession a, Session s) {
        Isolation isolation = null;
        for (Ast.SessionSetting x : a.settings()) {
            String v = x.value();
            switch (x.parameter()) {
                case "ISOLATION_LEVEL" -> isolation = switch (v) {
                    case "SERIALIZABLE" -> Isolation.SERIALIZABLE;
                    case "READ COMMITTED" -> Isolation.READ_COMMITTED;
                    default -> throw bad(x, "SERIALIZABLE or READ COMMITTED");
                };
                case "NLS_SORT" -> {
                    if (!v.equals("BINARY")) {
                        throw ErrorCode.UNSUPPORTED.error("NLS_SORT = " + v + ": Hourglass has no linguistic sorts; strings compare by their"
                                + " characters' code points, which is BINARY");
                    }
                }
                case "NLS_LENGTH_SEMANTICS" -> {
                    if (v.equals("BYTE")) {
                        throw ErrorCode.UNSUPPORTED.error("NLS_LENGTH_SEMANTICS = BYTE: the lengths of CHAR and VARCHAR2 count characters"
                                + " here, which is CHAR (LENGTHB counts bytes)");
                    }
                    if (!v.equals("CHAR")) throw bad(x, "BYTE or CHAR");
                }
                case "NLS_NCHAR_CONV_EXCP" -> {
                    if (!v.equals("TRUE") && !v.equals("FALSE")) throw bad(x, "TRUE or FALSE");
                }
                case "COMMIT_BUFFER_SIZE_MAX" -> throw ErrorCode.UNSUPPORTED.error("COMMIT_BUFFER_SIZE_MAX: a commit's log records are"
                        + " built in TempSize here, which bounds them");
                default -> {
                    if (PLSQL.contains(x.parameter())) throw ErrorCode.UNSUPPORTED.error(x.parameter() + ": Hourglass has no PL/SQL");
                    if (REPLICATION.contains(x.parameter())) throw ErrorCode.UNSUPPORTED.error(x.parameter() + ": Hourglass has no replication");
                    throw ErrorCode.SYNTAX_ERROR.error(x.pos() + 1, "unknown session parameter " + x.parameter());
                }
            }
        }
        if (isolation != null) s.isolationFromNextTransaction(isolation);
    }

    private static HourglassException bad(Ast.SessionSetting x, String takes) {
        return ErrorCode.SYNTAX_ERROR.error(x.pos() + 1, x.parameter() + " takes " + takes + ", not " + x.value());
    }
}
