package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.engine.txn.LockManager;
import io.hourglass.engine.txn.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.hourglass.engine.lifecycle.Procedures.arity;
import static io.hourglass.engine.lifecycle.Procedures.col;
import static io.hourglass.engine.lifecycle.Procedures.table;

/**
 * The procedures that report on the database: what it holds (ttComputeTabSizes, ttSize,
 * ttMonitorHighWaterReset), who is in it and what they hold (ttDataStoreStatus, ttContext,
 * ttXactAdmin), how its last backup went (ttBackupStatus); and the optimizer's statistics
 * procedures (ttOptUpdateStats, ttOptEstimateStats, ttOptClearStats).
 */
final class MonitorProcedures {
    private MonitorProcedures() {}

    static void register(Procedures p) {
        p.register("ttComputeTabSizes", (c, a) -> {
            arity("ttComputeTabSizes", a, 0, 2);
            flag("ttComputeTabSizes", "includeOutOfLine", a, 1); // (nothing is kept out of line here: either is the same)
            for (Table t : tables(c, "ttComputeTabSizes", a.length > 0 ? a[0] : null, Privilege.SELECT)) t.sizes(c.transactions().measure(t));
            return StatementResult.none();
        });
        p.register("ttOptUpdateStats", (c, a) -> {
            arity("ttOptUpdateStats", a, 0, 3);
            flag("ttOptUpdateStats", "option", a, 2);
            return optimizerStatistics(c, "ttOptUpdateStats", a, 1);
        });
        p.register("ttOptEstimateStats", (c, a) -> {
            arity("ttOptEstimateStats", a, 0, 3);
            if (a.length > 2 && a[2] != null && !(a[2] instanceof String sample
                    && sample.strip().toUpperCase(Locale.ROOT).matches("\\d+(\\.\\d+)?\\s+(ROWS|PERCENT)"))) {
                throw ErrorCode.TYPE_MISMATCH.error("ttOptEstimateStats sampleStr must be 'n ROWS' or 'p PERCENT', got " + Values.describe(a[2]));
            }
            return optimizerStatistics(c, "ttOptEstimateStats", a, 1);
        });
        p.register("ttOptClearStats", (c, a) -> {
            arity("ttOptClearStats", a, 0, 2);
            return optimizerStatistics(c, "ttOptClearStats", a, 1);
        });
        p.register("ttDataStoreStatus", (c, a) -> {
            arity("ttDataStoreStatus", a, 0, 1);
            return dataStoreStatus(c, a.length > 0 ? a[0] : null);
        });
        p.register("ttContext", (c, a) -> {
            arity("ttContext", a, 0, 0);
            return table(List.of(col("CONTEXT", SqlType.varbinary(8))), List.<Object[]>of(new Object[] {context(c)}));
        });
        p.register("ttBackupStatus", (c, a) -> {
            arity("ttBackupStatus", a, 0, 0);
            CheckpointProcedures.requireAdmin(c);
            Database.BackupStatus s = c.database().backupStatus();
            Object[] row = s == null ? new Object[] {0L, null, null, null, null, null, null, null}
                    : new Object[] {(long) s.state(), s.stream() ? 1L : 0L, s.full() == null ? null : s.full() ? 1L : 0L, s.start(), s.end(),
                            s.lsn() == null ? null : (long) io.hourglass.engine.log.Lsn.of(s.lsn()).file(),
                            s.lsn() == null ? null : io.hourglass.engine.log.Lsn.of(s.lsn()).offset(), s.error() == null ? null : (long) s.error()};
            return table(List.of(col("STATUS", SqlType.BIGINT), col("DESTINATION", SqlType.BIGINT), col("BACKUPTYPE", SqlType.BIGINT),
                    col("STARTTIME", SqlType.TIMESTAMP), col("ENDTIME", SqlType.TIMESTAMP), col("BACKUPLFN", SqlType.BIGINT),
                    col("BACKUPLFO", SqlType.BIGINT), col("ERROR", SqlType.BIGINT)), List.<Object[]>of(row));
        });
        p.register("ttSize", (c, a) -> {
            arity("ttSize", a, 1, 3);
            if (a[0] == null || (a[0] instanceof String s && s.isBlank())) throw ErrorCode.SEMANTIC_ERROR.error("ttSize takes a table name");
            Table t = tables(c, "ttSize", a[0], Privilege.SELECT).getFirst();
            Long rows = null;
            if (a.length > 1 && a[1] != null) {
                if (!Values.isNumber(a[1]) || Values.compare(a[1], 0L) < 0 || Values.compare(a[1], Long.MAX_VALUE) > 0
                        || Values.toDecimal(a[1]).stripTrailingZeros().scale() > 0) {
                    throw ErrorCode.TYPE_MISMATCH.error("ttSize nRows must be a whole number of rows, 0 or more, got " + Values.describe(a[1]));
                }
                rows = Values.toDecimal(a[1]).longValueExact();
            }
            Double frac = null;
            if (a.length > 2 && a[2] != null) {
                if (!Values.isNumber(a[2]) || Values.toDouble(a[2]) < 0 || Values.toDouble(a[2]) > 1) {
                    throw ErrorCode.TYPE_MISMATCH.error("ttSize frac must be a number from 0 to 1, got " + Values.describe(a[2]));
                }
                frac = Values.toDouble(a[2]);
            }
            return table(List.of(col("SIZE", SqlType.DOUBLE)), List.<Object[]>of(new Object[] {estimate(c, t, rows, frac)}));
        });
        p.register("ttXactAdmin", (c, a) -> {
            arity("ttXactAdmin", a, 0, 0);
            CheckpointProcedures.requireAdmin(c);
            return transactions(c);
        });
        p.register("ttMonitorHighWaterReset", (c, a) -> { // SYS.MONITOR's high water marks are what is in use now
            arity("ttMonitorHighWaterReset", a, 0, 0);
            CheckpointProcedures.requireAdmin(c);
            c.transactions().memory().resetHighWater();
            c.transactions().temp().resetHighWater();
            return StatementResult.none();
        });
    }

    /**
     * ttSize: the PermSize {@code t} would take with {@code rows} rows (null: as many as it has, at
     * least one), as ttComputeTabSizes counts it. Without {@code frac}, a row takes what the
     * table's rows take on average now; with it, or when the table is empty (frac 0.5), what a row
     * takes whose variable-length values fill that fraction of their declared length and whose
     * other values are their type's largest.
     */
    private static double estimate(Connection c, Table t, Long rows, Double frac) {
        io.hourglass.engine.catalog.TableSizes now = c.transactions().measure(t);
        long n = rows != null ? rows : Math.max(1, now.usedRows());
        if (frac == null && now.usedRows() > 0) return (double) now.totalBytes() / now.usedRows() * n;
        double f = frac == null ? 0.5 : frac;
        Object[] row = new Object[t.columns().size()];
        for (int i = 0; i < row.length; i++) {
            SqlType type = t.columns().get(i).type();
            int varying = (int) Math.ceil(type.length() * f);
            String sample = switch (type.kind()) {
                case TINYINT -> "255";
                case SMALLINT -> String.valueOf(Short.MAX_VALUE);
                case INTEGER -> String.valueOf(Integer.MAX_VALUE);
                case BIGINT -> String.valueOf(Long.MAX_VALUE);
                case NUMBER -> type.precision() == 0 ? "9".repeat(38)
                        : "9".repeat(Math.max(1, type.precision() - Math.max(0, type.scale())))
                        + (type.scale() > 0 ? "." + "9".repeat(type.scale()) : "");
                case DOUBLE -> String.valueOf(Math.PI);
                case CHAR -> "x".repeat(type.length());
                case VARCHAR -> "x".repeat(varying);
                case VARBINARY -> "AB".repeat(varying);
                case DATE, TIMESTAMP -> "2024-01-01 00:00:00";
                case ROWID -> io.hourglass.engine.catalog.RowIds.text(t.rowIdTag(), 0);
                default -> null;
            };
            row[i] = sample == null ? null : type.coerce(sample, t.columnLabel(i));
        }
        long perRow = t.codec().encode(row).length + io.hourglass.engine.store.MemoryAccount.VERSION_OVERHEAD
                + (long) t.indexes().size() * io.hourglass.engine.store.MemoryAccount.INDEX_ENTRY_OVERHEAD;
        return (double) perRow * n;
    }

    /** A connection's context, TimesTen's BINARY(8): its id, 8 bytes big-endian (as SYS_CONTEXT's SID). */
    private static io.hourglass.engine.store.Bytes context(Connection c) {
        return new io.hourglass.engine.store.Bytes(java.nio.ByteBuffer.allocate(8).putLong(c.id()).array());
    }

    /**
     * ttDataStoreStatus: the connections to the caller's database (its data store path or DSN, or
     * NULL; another database's are in ttStatus), each in the service's one process: an
     * application's, the cache agent's or the aging agent's. No privilege, as in TimesTen.
     */
    private static StatementResult dataStoreStatus(Connection c, Object dataStore) {
        DatabaseConfig cfg = c.database().config();
        String path = cfg.temporary() ? cfg.name() : cfg.dataStore();
        if (dataStore != null && !dataStore.equals(path) && !(dataStore instanceof String s && s.equalsIgnoreCase(cfg.name()))) {
            throw ErrorCode.DATABASE_NOT_FOUND.error(dataStore + " (ttDataStoreStatus shows the connection's own database, "
                    + path + "; ttStatus shows every database)");
        }
        long pid = ProcessHandle.current().pid();
        List<Connection> open = new ArrayList<>(c.database().connections());
        open.sort(java.util.Comparator.comparingLong(Connection::id));
        List<Object[]> rows = new ArrayList<>();
        for (Connection x : open) {
            rows.add(new Object[] {path, pid, context(x), x.agent() != null ? x.agent() : "application", x.user().name(), x.id()});
        }
        return table(List.of(col("DATASTORE", SqlType.VARCHAR_ANY), col("PID", SqlType.BIGINT), col("CONTEXT", SqlType.varbinary(8)),
                col("CONTYPE", SqlType.VARCHAR_ANY), col("CONNECTION_NAME", SqlType.VARCHAR_ANY), col("CONNID", SqlType.BIGINT)), rows);
    }

    /**
     * ttXactAdmin: each connection's open transaction, its locks, and what it waits for and whom
     * behind (TimesTen's ttXactAdmin utility, as rows): a moment's reading, taken while the others
     * go on.
     */
    private static StatementResult transactions(Connection c) {
        Database db = c.database();
        LockManager locks = db.transactions().locks();
        Map<Transaction, LockManager.Holdings> held = locks.holdings();
        Map<Transaction, Connection> byTxn = new java.util.HashMap<>();
        List<Connection> open = new ArrayList<>(db.connections());
        open.sort(java.util.Comparator.comparingLong(Connection::id));
        for (Connection x : open) if (x.openTransaction() != null) byTxn.put(x.openTransaction(), x);
        List<Object[]> rows = new ArrayList<>();
        for (Connection x : open) {
            Transaction t = x.openTransaction();
            if (t == null) continue;
            LockManager.Holdings h = held.getOrDefault(t, new LockManager.Holdings(0, Map.of()));
            List<String> tables = new ArrayList<>();
            h.tables().forEach((id, mode) -> tables.add(tableName(c, id) + " " + mode));
            var waiting = LockManager.waitingFor(t);
            String waitsFor = null, blockedBy = null;
            if (waiting != null) {
                waitsFor = waiting.getValue() + " on " + switch (waiting.getKey()) {
                    case LockManager.TableLock tl -> "table " + tableName(c, tl.tableId());
                    case LockManager.RowLock rl -> "row " + rowName(c, rl) + " of " + tableName(c, rl.tableId());
                };
                List<String> by = new ArrayList<>();
                for (Transaction b : locks.holders(waiting.getKey(), t)) {
                    Connection holder = byTxn.get(b);
                    by.add(holder == null ? "transaction " + b.id() : String.valueOf(holder.id()));
                }
                blockedBy = String.join(", ", by);
            }
            rows.add(new Object[] {x.id(), x.user().name(), t.id(), t.isolation().name(), (long) h.rowLocks(),
                    tables.isEmpty() ? null : String.join(", ", tables), waitsFor, blockedBy});
        }
        return table(List.of(col("CONNECTION_ID", SqlType.BIGINT), col("USER_NAME", SqlType.VARCHAR_ANY), col("XACT_ID", SqlType.BIGINT),
                col("ISOLATION", SqlType.VARCHAR_ANY), col("ROW_LOCKS", SqlType.BIGINT), col("TABLE_LOCKS", SqlType.VARCHAR_ANY),
                col("WAITING_FOR", SqlType.VARCHAR_ANY), col("BLOCKED_BY", SqlType.VARCHAR_ANY)), rows);
    }

    private static String tableName(Connection c, long id) {
        Table t = lockedTable(c, id);
        if (t == null) return "(dropped table " + id + ")";
        return t.definition() == null ? t.qualifiedName() : t.qualifiedName() + " (a session's temporary rows)";
    }

    private static String rowName(Connection c, LockManager.RowLock r) {
        Table t = lockedTable(c, r.tableId());
        return t == null ? String.valueOf(r.rowId()) : io.hourglass.engine.catalog.RowIds.text(t.rowIdTag(), r.rowId());
    }

    /** The table of a lock: a catalog table, or a session's instance of a GLOBAL TEMPORARY table (ids below -1); null if gone. */
    private static Table lockedTable(Connection c, long id) {
        Table t = c.catalog().tableById(id);
        if (t != null || id >= -1) return t;
        for (Table definition : c.catalog().tables()) {
            if (definition.temporary() == null) continue;
            for (Table instance : definition.instances()) if (instance.id() == id) return instance;
        }
        return null;
    }

    /**
     * The tables a procedure names: the one named ({@code [owner.]table}, the caller's own if no
     * owner; TT2206 if there is none, TT90006 unless {@code may} lets the caller at it), or with
     * NULL or '' every table {@code may} lets the caller at.
     */
    static List<Table> tables(Connection c, String procedure, Object name, Privilege may) {
        if (name != null && !(name instanceof String)) {
            throw ErrorCode.TYPE_MISMATCH.error(procedure + " takes a table name, got " + Values.describe(name));
        }
        java.util.function.Predicate<Table> allowed = t -> !may.system() ? c.catalog().has(c.user(), may, t)
                : t.owner().equals(c.user().name()) || c.catalog().has(c.user(), Privilege.ADMIN);
        String n = name == null ? "" : ((String) name).strip();
        if (n.isEmpty()) {
            // (the optimizer's procedures, as TimesTen's, take the caller's own tables then)
            return c.catalog().tables().stream().filter(!may.system() ? allowed : t -> t.owner().equals(c.user().name())).toList();
        }
        List<String> parts = new ArrayList<>();
        for (String p : n.split("\\.", -1)) {
            p = p.strip();
            parts.add(p.length() > 1 && p.startsWith("\"") && p.endsWith("\"") ? p.substring(1, p.length() - 1) : p.toUpperCase(Locale.ROOT));
        }
        if (parts.size() > 2 || parts.contains("")) throw ErrorCode.SEMANTIC_ERROR.error(procedure + " takes [owner.]table, got '" + n + "'");
        String owner = parts.size() == 2 ? parts.get(0) : c.user().name();
        Table t = c.catalog().table(owner, parts.getLast());
        if (t == null) throw ErrorCode.TABLE_NOT_FOUND.error(owner + "." + parts.getLast());
        if (!allowed.test(t)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(c.user().name(), (!may.system() ? may.sqlName() : "ADMIN (or ownership)") + " on "
                    + t.qualifiedName());
        }
        return List.of(t);
    }

    /** A 0-or-1 argument (NULL: 0); TT90003 otherwise. */
    private static boolean flag(String procedure, String what, Object[] a, int i) {
        if (a.length <= i || a[i] == null) return false;
        if (Values.isNumber(a[i]) && Values.compare(a[i], 0L) == 0) return false;
        if (Values.isNumber(a[i]) && Values.compare(a[i], 1L) == 0) return true;
        throw ErrorCode.TYPE_MISMATCH.error(procedure + " " + what + " must be 0 or 1, got " + Values.describe(a[i]));
    }

    /**
     * ttOptUpdateStats, ttOptEstimateStats and ttOptClearStats. Hourglass keeps no statistics to
     * collect: the planner reads each table's slots and each index's distinct keys as they are
     * when it plans (docs/SQL.md, "Access paths"), so they are always current. What the calls
     * still do is theirs: check the table and the caller's right to it, and with invalidate = 1
     * have every prepared statement planned again at its next execution (SYS.MONITOR's
     * CMD_REPREPARES counts those).
     */
    private static StatementResult optimizerStatistics(Connection c, String procedure, Object[] a, int invalidateAt) {
        tables(c, procedure, a.length > 0 ? a[0] : null, Privilege.ADMIN);
        if (flag(procedure, "invalidate", a, invalidateAt)) c.catalog().invalidatePlans();
        return StatementResult.none();
    }
}
