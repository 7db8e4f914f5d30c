package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.Profile;
import io.hourglass.engine.catalog.Sequence;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.User;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The data dictionary: Oracle's (and TimesTen's) system views of the schema, read like tables
 * ({@code SELECT * FROM all_tables}, or {@code sys.all_tables}), made from the catalog when a
 * statement reads them. The ALL_ views show what the user owns or holds a privilege on (an ADMIN
 * user: everything); the USER_ views what it owns, without the owner column. A table or view of the user's own with the
 * same name hides a view here unless it is qualified with SYS.
 */
final class SystemViews {
    private SystemViews() {}

    static final String OWNER = "SYS";

    /** A system view: its columns and how its rows are made for a session. */
    record View(String name, List<ResultColumn> columns, Function<Session, List<Object[]>> rows) {}

    private static final SqlType NAME = SqlType.VARCHAR_ANY, NUMBER = SqlType.BIGINT;

    private static final Map<String, View> VIEWS = new LinkedHashMap<>();

    private static void view(String name, Function<Session, List<Object[]>> rows, Object... columns) {
        List<ResultColumn> cols = new ArrayList<>();
        for (int i = 0; i < columns.length; i += 2) cols.add(new ResultColumn((String) columns[i], (SqlType) columns[i + 1]));
        VIEWS.put(name, new View(name, List.copyOf(cols), rows));
    }

    static {
        view("ALL_TABLES", s -> tables(s, true, t -> new Object[] {t.owner(), t.name(), temporary(t), duration(t)}),
                "OWNER", NAME, "TABLE_NAME", NAME, "TEMPORARY", NAME, "DURATION", NAME);
        view("USER_TABLES", s -> tables(s, false, t -> new Object[] {t.name(), temporary(t), duration(t)}),
                "TABLE_NAME", NAME, "TEMPORARY", NAME, "DURATION", NAME);
        view("ALL_TAB_COLUMNS", SystemViews::columns, "OWNER", NAME, "TABLE_NAME", NAME, "COLUMN_NAME", NAME, "DATA_TYPE", NAME,
                "DATA_LENGTH", NUMBER, "DATA_PRECISION", NUMBER, "DATA_SCALE", NUMBER, "NULLABLE", NAME, "COLUMN_ID", NUMBER,
                "DATA_DEFAULT", NAME);
        view("ALL_INDEXES", SystemViews::indexes, "OWNER", NAME, "INDEX_NAME", NAME, "TABLE_OWNER", NAME, "TABLE_NAME", NAME,
                "INDEX_TYPE", NAME, "UNIQUENESS", NAME);
        view("ALL_IND_COLUMNS", SystemViews::indexColumns, "INDEX_OWNER", NAME, "INDEX_NAME", NAME, "TABLE_OWNER", NAME,
                "TABLE_NAME", NAME, "COLUMN_NAME", NAME, "COLUMN_POSITION", NUMBER);
        view("ALL_CONSTRAINTS", SystemViews::constraints, "OWNER", NAME, "CONSTRAINT_NAME", NAME, "CONSTRAINT_TYPE", NAME,
                "TABLE_NAME", NAME, "R_OWNER", NAME, "R_CONSTRAINT_NAME", NAME, "DELETE_RULE", NAME, "SEARCH_CONDITION", NAME);
        view("ALL_CONS_COLUMNS", SystemViews::constraintColumns, "OWNER", NAME, "CONSTRAINT_NAME", NAME, "TABLE_NAME", NAME,
                "COLUMN_NAME", NAME, "POSITION", NUMBER);
        view("ALL_VIEWS", SystemViews::views, "OWNER", NAME, "VIEW_NAME", NAME, "TEXT", NAME);
        // Synonyms (OWNER PUBLIC: a public one): the public ones, the user's own, and others' whose object it may use
        view("ALL_SYNONYMS", s -> s.catalog().synonyms().stream()
                .filter(y -> y.owner() == null || y.owner().equals(s.user().name()) || visible(s, y.targetOwner(), y.targetOwner() + "." + y.targetName()))
                .map(y -> new Object[] {y.owner() == null ? Catalog.PUBLIC : y.owner(), y.name(), y.targetOwner(), y.targetName()})
                .sorted(Comparator.comparing((Object[] r) -> (String) r[0]).thenComparing(r -> (String) r[1])).toList(),
                "OWNER", NAME, "SYNONYM_NAME", NAME, "TABLE_OWNER", NAME, "TABLE_NAME", NAME);
        view("ALL_SEQUENCES", SystemViews::sequences, "SEQUENCE_OWNER", NAME, "SEQUENCE_NAME", NAME, "MIN_VALUE", NUMBER,
                "MAX_VALUE", NUMBER, "INCREMENT_BY", NUMBER, "CYCLE_FLAG", NAME, "CACHE_SIZE", NUMBER, "LAST_NUMBER", NUMBER);
        // TimesTen's SYS.CACHE_GROUP, in Hourglass's columns: every cache group of the database.
        view("CACHE_GROUP", s -> s.catalog().cacheGroups().stream()
                        .sorted(Comparator.comparing(io.hourglass.engine.catalog.CacheGroup::qualifiedName))
                        // (a write-through group has no autorefresh: no mode or interval, state OFF)
                        .map(g -> new Object[] {g.owner(), g.name(), g.type(), g.tableOwner(), g.tableName(),
                                g.writethrough() ? null : g.mode().name(), g.state().name(), g.writethrough() ? null : g.intervalMs(),
                                g.backendId(), g.restored() ? "Y" : "N", s.cacheIfAny() == null ? null : s.cacheIfAny().writeBehindState(g),
                                g.dynamic() ? "Y" : "N", (long) g.tables().size()}).toList(),
                "CGOWNER", NAME, "CGNAME", NAME, "CGTYPE", NAME, "TABLE_OWNER", NAME, "TABLE_NAME", NAME, "AUTOREFRESH_MODE", NAME,
                "AUTOREFRESH_STATE", NAME, "AUTOREFRESH_INTERVAL", NUMBER, "BACKEND_ID", NAME,
                "RESTORED", NAME, "AWT_STATE", NAME, "DYNAMIC", NAME, "TBLCOUNT", NUMBER);
        // Each cache group's tables, the root first (PARENT_TABLE NULL), each child after its parent;
        // BACKEND_ID names the table's change log and triggers in the backend.
        view("CACHE_GROUP_TABLES", s -> {
            List<Object[]> rows = new ArrayList<>();
            for (io.hourglass.engine.catalog.CacheGroup g : s.catalog().cacheGroups().stream()
                    .sorted(Comparator.comparing(io.hourglass.engine.catalog.CacheGroup::qualifiedName)).toList()) {
                List<io.hourglass.engine.catalog.CacheGroup.Member> members = g.tables();
                for (int i = 0; i < members.size(); i++) {
                    io.hourglass.engine.catalog.CacheGroup.Member m = members.get(i);
                    Table t = s.catalog().table(m.owner(), m.name());
                    String parent = null;
                    if (t != null && i > 0) {
                        for (ForeignKey fk : t.foreignKeys()) {
                            if (g.holds(fk.parent().owner(), fk.parent().name())) parent = fk.parent().name();
                        }
                    }
                    rows.add(new Object[] {g.owner(), g.name(), (long) (i + 1), m.owner(), m.name(), parent, g.backendId(i), g.condition(i), g.tableType()});
                }
            }
            return rows;
        }, "CGOWNER", NAME, "CGNAME", NAME, "TBLNUM", NUMBER, "TABLE_OWNER", NAME, "TABLE_NAME", NAME, "PARENT_TABLE", NAME, "BACKEND_ID", NAME,
                "WHERE_CLAUSE", NAME, "TABLE_TYPE", NAME);
        // TimesTen's SYS.MONITOR, the columns Hourglass keeps (see MonitorStats), in its order.
        view("MONITOR", s -> List.<Object[]>of(s.monitor().row()), "TIME_OF_1ST_CONNECT", NAME, "DS_CONNECTS", NUMBER,
                "DS_DISCONNECTS", NUMBER, "DS_CHECKPOINTS", NUMBER, "DS_CHECKPOINTS_FUZZY", NUMBER, "PERM_ALLOCATED_SIZE", NUMBER,
                "PERM_IN_USE_SIZE", NUMBER, "PERM_IN_USE_HIGH_WATER", NUMBER, "TEMP_ALLOCATED_SIZE", NUMBER,
                "TEMP_IN_USE_SIZE", NUMBER, "TEMP_IN_USE_HIGH_WATER", NUMBER, "XACT_BEGINS", NUMBER, "XACT_COMMITS", NUMBER,
                "XACT_D_COMMITS", NUMBER, "XACT_ROLLBACKS", NUMBER, "LOG_FORCES", NUMBER, "DEADLOCKS", NUMBER,
                "LOCK_TIMEOUTS", NUMBER, "LOCK_GRANTS_WAIT", NUMBER, "CMD_PREPARES", NUMBER, "CMD_REPREPARES", NUMBER, "LAST_LOG_FILE", NUMBER,
                "REPHOLD_LOG_FILE", NUMBER, "REPHOLD_LOG_OFF", NUMBER, "FIRST_LOG_FILE", NUMBER, "LOG_BYTES_TO_LOG_BUFFER", NUMBER,
                "LOG_FS_WRITES", NUMBER, "LOG_BUFFER_WAITS", NUMBER, "CHECKPOINT_BYTES_WRITTEN", NUMBER, "REQUIRED_RECOVERY", NUMBER);
        // TimesTen's ALL_TAB_SIZES: what the last ttComputeTabSizes found (tables it has not measured are not listed)
        view("ALL_TAB_SIZES", s -> visibleTables(s, true).stream().filter(t -> t.sizes() != null).map(t -> {
                    var z = t.sizes();
                    return new Object[] {t.owner(), t.name(), z.rowBytes(), z.usedRows(), z.freeRows(), z.averageRowBytes(), z.indexBytes(),
                            z.totalBytes(), z.computed()};
                }).toList(), "OWNER", NAME, "TABLE_NAME", NAME, "INLINE_ALLOC_BYTES", NUMBER, "NUM_USED_ROWS", NUMBER,
                "NUM_FREE_ROWS", NUMBER, "AVG_ROW_LEN", NUMBER, "INDEX_BYTES", NUMBER, "TOTAL_BYTES", NUMBER, "LAST_UPDATED", SqlType.TIMESTAMP);
        // Hourglass's view of the aging policies (TimesTen shows them in ttIsql's describe); an LRU
        // policy has no column, lifetime or cycle (its cycle is ttAgingLRUConfig's)
        view("ALL_TAB_AGING", s -> visibleTables(s, true).stream().filter(t -> t.aging() != null).map(t -> {
                    var a = t.aging();
                    if (a.isLru()) return new Object[] {t.owner(), t.name(), null, null, null, null, null, a.on() ? "ON" : "OFF", "LRU"};
                    return new Object[] {t.owner(), t.name(), a.column(), a.lifetime(), a.lifetimeUnit().name(), a.cycle(), a.cycleUnit().name(),
                            a.on() ? "ON" : "OFF", "TIME"};
                }).toList(), "OWNER", NAME, "TABLE_NAME", NAME, "AGING_COLUMN", NAME, "LIFETIME", NUMBER, "LIFETIME_UNIT", NAME,
                "CYCLE", NUMBER, "CYCLE_UNIT", NAME, "AGING_STATE", NAME, "AGING_TYPE", NAME);
        // Oracle's comment views (COMMENT ON): every table and view, and every column of them, the user
        // may see, with its comment or NULL
        view("ALL_TAB_COMMENTS", SystemViews::tableComments, "OWNER", NAME, "TABLE_NAME", NAME, "TABLE_TYPE", NAME, "COMMENTS", NAME);
        view("ALL_COL_COMMENTS", s -> columns(s).stream().map(r -> new Object[] {r[0], r[1], r[2],
                        s.catalog().comment((String) r[0], (String) r[1], (String) r[2])}).toList(),
                "OWNER", NAME, "TABLE_NAME", NAME, "COLUMN_NAME", NAME, "COMMENTS", NAME);
        // Who holds which privilege (Oracle's and TimesTen's views; Hourglass has no grantors, roles or
        // grant options to show). USER_ views: the user's own; DBA_ views: everyone's, for ADMIN users.
        view("USER_SYS_PRIVS", s -> grants(s, false, true, r -> new Object[] {r[0], r[1]}), "USERNAME", NAME, "PRIVILEGE", NAME);
        view("DBA_SYS_PRIVS", s -> grants(s, true, true, r -> new Object[] {r[0], r[1]}), "GRANTEE", NAME, "PRIVILEGE", NAME);
        for (String name : List.of("USER_TAB_PRIVS", "ALL_TAB_PRIVS", "DBA_TAB_PRIVS")) {
            view(name, s -> grants(s, name.startsWith("DBA"), name.startsWith("ALL") ? null : false, r -> {
                        int dot = r[2].indexOf('.');
                        return new Object[] {r[0], r[2].substring(0, dot), r[2].substring(dot + 1), r[1]};
                    }), "GRANTEE", NAME, "OWNER", NAME, "TABLE_NAME", NAME, "PRIVILEGE", NAME);
        }
        view("ALL_USERS", s -> s.catalog().users().stream().map(User::name).sorted().map(n -> new Object[] {n}).toList(),
                "USERNAME", NAME);
        // Accounts and password profiles (TimesTen's DBA_USERS, USER_USERS and DBA_PROFILES, the
        // columns Hourglass has; Oracle's USER_PASSWORD_LIMITS: the limits that hold for the user)
        view("DBA_USERS", s -> {
                    requireAdmin(s);
                    return s.catalog().users().stream().sorted(Comparator.comparing(User::name)).map(u -> account(s, u)).toList();
                }, "USERNAME", NAME, "ACCOUNT_STATUS", NAME, "LOCK_DATE", SqlType.TIMESTAMP, "EXPIRY_DATE", SqlType.TIMESTAMP, "PROFILE", NAME);
        view("USER_USERS", s -> List.<Object[]>of(account(s, s.user())), "USERNAME", NAME, "ACCOUNT_STATUS", NAME,
                "LOCK_DATE", SqlType.TIMESTAMP, "EXPIRY_DATE", SqlType.TIMESTAMP, "PROFILE", NAME);
        view("DBA_PROFILES", s -> {
                    requireAdmin(s);
                    List<Object[]> out = new ArrayList<>();
                    for (Profile p : s.catalog().profiles().stream().sorted(Comparator.comparing(Profile::name)).toList()) {
                        for (String r : Profile.PARAMETERS) out.add(new Object[] {p.name(), r, "PASSWORD", p.limit(r)});
                    }
                    return out;
                }, "PROFILE", NAME, "RESOURCE_NAME", NAME, "RESOURCE_TYPE", NAME, "LIMIT", NAME);
        view("USER_PASSWORD_LIMITS", s -> Profile.PARAMETERS.stream().map(r -> new Object[] {r, s.catalog().limit(s.user(), r)}).toList(),
                "RESOURCE_NAME", NAME, "LIMIT", NAME);
        for (String all : List.of("ALL_TAB_COLUMNS", "ALL_INDEXES", "ALL_IND_COLUMNS", "ALL_CONSTRAINTS", "ALL_CONS_COLUMNS", "ALL_VIEWS",
                "ALL_SEQUENCES", "ALL_TAB_SIZES", "ALL_TAB_AGING", "ALL_TAB_COMMENTS", "ALL_COL_COMMENTS", "ALL_SYNONYMS")) {
            ownView(VIEWS.get(all));
        }
    }

    /**
     * The USER_ view of an ALL_ view whose first column is its objects' owner: the rows of the
     * user's own objects, without that column, as Oracle's USER_ views are.
     */
    private static void ownView(View all) {
        String name = "USER_" + all.name().substring("ALL_".length());
        VIEWS.put(name, new View(name, all.columns().subList(1, all.columns().size()), s -> all.rows().apply(s).stream()
                .filter(r -> s.user().name().equals(r[0]))
                .map(r -> java.util.Arrays.copyOfRange(r, 1, r.length)).toList()));
    }

    /**
     * A row of DBA_USERS: name, account status, when it locked and when its password expires or
     * expired (in the service's time zone, as SYSDATE), profile.
     */
    private static Object[] account(Session s, User u) {
        return new Object[] {u.name(), s.catalog().accountStatus(u), localTime(s.catalog().lockDate(u)), localTime(s.catalog().expiryDate(u)),
                u.profile()};
    }

    private static java.time.LocalDateTime localTime(Long epochMillis) {
        return epochMillis == null ? null
                : java.time.LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(epochMillis), java.time.ZoneId.systemDefault());
    }

    /** The DBA_ views are for users with ADMIN (TT90006 for others). */
    private static void requireAdmin(Session s) {
        if (!s.catalog().has(s.user(), Privilege.ADMIN)) throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "ADMIN");
    }

    /**
     * Rows of the catalog's grants (grantee, privilege, object): system privileges ({@code system}
     * true) or object ones (false, or null for ALL_TAB_PRIVS, which adds the grants to PUBLIC);
     * with {@code everyone} all of them, for ADMIN users only (TT90006 otherwise), else the user's
     * own, and of object grants those on its own objects too (as Oracle's USER_TAB_PRIVS).
     */
    private static List<Object[]> grants(Session s, boolean everyone, Boolean system, Function<String[], Object[]> row) {
        String me = s.user().name();
        if (everyone) requireAdmin(s);
        boolean systemGrants = Boolean.TRUE.equals(system);
        List<Object[]> out = new ArrayList<>();
        for (String[] r : s.catalog().privilegeRows()) {
            if (r[2].isEmpty() != systemGrants) continue;
            if (everyone || r[0].equals(me) || (!systemGrants && r[2].startsWith(me + "."))
                    || (system == null && s.catalog().isPublic(r[0]))) {
                out.add(row.apply(r));
            }
        }
        return out;
    }

    /**
     * TimesTen's V$ views (and their GV$ twins, the same in a database of one element) of the
     * built-in procedures that report: {@code SELECT * FROM sys.v$ckpt_history} is {@code CALL
     * ttCkptHistory()} as a table to filter, join and sort. Each reading calls the procedure, with
     * its privilege.
     */
    private static final Map<String, String> PROCEDURE_VIEWS = Map.of("BACKUP_STATUS", "ttBackupStatus", "CKPT_CONFIG", "ttCkptConfig",
            "CKPT_HISTORY", "ttCkptHistory", "CONFIGURATION", "ttConfiguration", "CONTEXT", "ttContext",
            "DATASTORE_STATUS", "ttDataStoreStatus", "LOG_HOLDS", "ttLogHolds", "BOOKMARK", "ttBookmark");

    /** The procedure {@code V$name} or {@code GV$name} reads (or "MONITOR", SYS.MONITOR itself), or null. */
    private static String procedureOf(String name) {
        int at = name.startsWith("V$") ? 2 : name.startsWith("GV$") ? 3 : -1;
        if (at < 0) return null;
        String rest = name.substring(at);
        return rest.equals("MONITOR") ? rest : PROCEDURE_VIEWS.get(rest);
    }

    /** The system view a FROM item names, or null: {@code SYS.name}, or {@code name} when the user has no object of that name. */
    static View find(Ast.Name n, Session s) {
        View v = VIEWS.get(n.name());
        String procedure = v == null ? procedureOf(n.name()) : null;
        if (v == null && procedure == null) return null;
        if (n.owner() != null ? !n.owner().equals(OWNER)
                : s.catalog().table(s.user().name(), n.name()) != null || s.catalog().view(s.user().name(), n.name()) != null) {
            return null;
        }
        if (v != null) return v;
        if (procedure.equals("MONITOR")) return VIEWS.get("MONITOR");
        // (its columns are the procedure's: read once as the statement is planned)
        return new View(n.name(), s.callProcedure(procedure, new Object[0]).columns(), ss -> ss.callProcedure(procedure, new Object[0]).rows());
    }

    /** A plan whose rows are the view's, made for the statement that reads it. */
    static Executor.QueryPlan plan(View v) {
        Executor.QueryPlan q = new Executor.QueryPlan();
        q.columns = v.columns();
        q.tables = new Table[0];
        q.derived = new Executor.QueryPlan[0];
        q.generated = scope -> v.rows().apply(scope.session);
        q.generatedName = OWNER + "." + v.name();
        return q;
    }

    /** Whether the session's user may see the object {@code owner}'s {@code object} ("OWNER.NAME"): owner, ADMIN, or any grant on it. */
    private static boolean visible(Session s, String owner, String object) {
        Catalog cat = s.catalog();
        User u = s.user();
        if (owner.equals(u.name()) || cat.has(u, Privilege.ADMIN)) return true;
        for (Privilege p : Privilege.values()) {
            if (!p.system() && cat.has(u, p, owner, object)) return true;
        }
        return false;
    }

    private static List<Table> visibleTables(Session s, boolean all) {
        return s.catalog().tables().stream()
                .filter(t -> all ? visible(s, t.owner(), t.qualifiedName()) : t.owner().equals(s.user().name()))
                .sorted(Comparator.comparing(Table::owner).thenComparing(Table::name)).toList();
    }

    /** Oracle's ALL_TABLES.TEMPORARY: Y for a GLOBAL TEMPORARY table. */
    private static String temporary(Table t) { return t.temporary() == null ? "N" : "Y"; }

    /** Oracle's ALL_TABLES.DURATION: how long a GLOBAL TEMPORARY table's rows last; NULL for another. */
    private static String duration(Table t) {
        if (t.temporary() == null) return null;
        return t.temporary() == Table.OnCommit.DELETE_ROWS ? "SYS$TRANSACTION" : "SYS$SESSION";
    }

    private static List<Object[]> tables(Session s, boolean all, Function<Table, Object[]> row) {
        return visibleTables(s, all).stream().map(row).toList();
    }

    /**
     * The columns of the tables and views the user may see, as Oracle's ALL_TAB_COLUMNS: a view's
     * are its query's result columns as planned now (named by its column list if it has one),
     * nullable, without a default. A view that no longer plans (a table it reads was dropped) has
     * none, as it has no columns until it is fixed.
     */
    private static List<Object[]> columns(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Table t : visibleTables(s, true)) {
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                out.add(column(t.owner(), t.name(), c.name(), c.type(), c.notNull(), i, c.defaultSql()));
            }
        }
        for (CatalogChange.CreateView v : s.catalog().views()) {
            if (!visible(s, v.owner(), v.owner() + "." + v.name())) continue;
            List<ResultColumn> cols;
            try {
                cols = Executor.viewColumns(v, s);
            } catch (io.hourglass.engine.HourglassException e) {
                continue;
            }
            for (int i = 0; i < cols.size(); i++) out.add(column(v.owner(), v.name(), cols.get(i).name(), cols.get(i).type(), false, i, null));
        }
        out.sort(Comparator.comparing((Object[] r) -> (String) r[0]).thenComparing(r -> (String) r[1]).thenComparing(r -> (Long) r[8]));
        return out;
    }

    private static Object[] column(String owner, String table, String name, SqlType ty, boolean notNull, int position, String defaultSql) {
        boolean chars = ty.kind() == TypeKind.CHAR || ty.kind() == TypeKind.VARCHAR || ty.kind() == TypeKind.VARBINARY || ty.kind() == TypeKind.ROWID;
        boolean number = ty.kind() == TypeKind.NUMBER && ty.precision() > 0;
        return new Object[] {owner, table, name, ty.kind().sqlName(), chars && ty.length() > 0 ? (long) ty.length() : null,
                number ? (long) ty.precision() : null, number ? (long) ty.scale() : null, notNull ? "N" : "Y", position + 1L, defaultSql};
    }

    private static List<Object[]> indexes(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Table t : visibleTables(s, true)) {
            for (IndexDef ix : sortedIndexes(t)) {
                out.add(new Object[] {ix.owner(), ix.name(), t.owner(), t.name(), ix.kind().name(), ix.unique() ? "UNIQUE" : "NONUNIQUE"});
            }
        }
        return out;
    }

    private static List<IndexDef> sortedIndexes(Table t) {
        return t.indexes().stream().sorted(Comparator.comparing(IndexDef::owner).thenComparing(IndexDef::name)).toList();
    }

    private static List<Object[]> indexColumns(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Table t : visibleTables(s, true)) {
            for (IndexDef ix : sortedIndexes(t)) {
                for (int i = 0; i < ix.columns().length; i++) {
                    out.add(new Object[] {ix.owner(), ix.name(), t.owner(), t.name(), t.columns().get(ix.columns()[i]).name(), i + 1L});
                }
            }
        }
        return out;
    }

    /** A constraint as the dictionary shows it: its index's name for PRIMARY KEY (P) and UNIQUE (U), its own for FOREIGN KEY (R). */
    private record Constraint(String owner, String name, String type, Table table, int[] columns, ForeignKey fk, String condition) {}

    private static List<Constraint> constraintsOf(Session s) {
        List<Constraint> out = new ArrayList<>();
        for (Table t : visibleTables(s, true)) {
            List<Constraint> mine = new ArrayList<>();
            for (IndexDef ix : t.indexes()) {
                if (!ix.constraint() || !ix.unique()) continue;
                boolean pk = java.util.Arrays.equals(ix.columns(), t.primaryKey()) && ix.name().equals(t.name());
                mine.add(new Constraint(ix.owner(), ix.name(), pk ? "P" : "U", t, ix.columns(), null, null));
            }
            for (ForeignKey fk : t.foreignKeys()) mine.add(new Constraint(fk.owner(), fk.name(), "R", t, fk.childColumns(), fk, null));
            for (Table.Check c : t.checks()) mine.add(new Constraint(t.owner(), c.name(), "C", t, checkColumns(t, c.sql()), null, c.sql()));
            mine.sort(Comparator.comparing(Constraint::name));
            out.addAll(mine);
        }
        return out;
    }

    /** The columns a CHECK condition reads, in the table's order. */
    private static int[] checkColumns(Table t, String sql) {
        Expr e = new Binder(new Table[] {t}, new String[] {null}).bind(Parser.parseExpression(sql));
        java.util.BitSet read = new java.util.BitSet();
        Executor.walk(e, x -> { if (x instanceof Expr.ColumnRef c && c.index >= 0) read.set(c.index); });
        return read.stream().toArray();
    }

    private static List<Object[]> constraints(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Constraint c : constraintsOf(s)) {
            ForeignKey fk = c.fk();
            out.add(new Object[] {c.owner(), c.name(), c.type(), c.table().name(), fk == null ? null : fk.parentIndex().owner(),
                    fk == null ? null : fk.parentIndex().name(), fk == null ? null : fk.onDelete().sql, c.condition()});
        }
        return out;
    }

    private static List<Object[]> constraintColumns(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Constraint c : constraintsOf(s)) {
            for (int i = 0; i < c.columns().length; i++) {
                // (a CHECK's columns have no position, as in Oracle)
                out.add(new Object[] {c.owner(), c.name(), c.table().name(), c.table().columns().get(c.columns()[i]).name(),
                        c.type().equals("C") ? null : i + 1L});
            }
        }
        return out;
    }

    private static List<Object[]> views(Session s) {
        return s.catalog().views().stream()
                .filter(v -> visible(s, v.owner(), v.owner() + "." + v.name()))
                .sorted(Comparator.comparing(CatalogChange.CreateView::owner).thenComparing(CatalogChange.CreateView::name))
                .map(v -> new Object[] {v.owner(), v.name(), v.sql()}).toList();
    }

    private static List<Object[]> tableComments(Session s) {
        List<Object[]> out = new ArrayList<>();
        for (Table t : visibleTables(s, true)) out.add(new Object[] {t.owner(), t.name(), "TABLE", s.catalog().comment(t.owner(), t.name(), null)});
        for (Object[] v : views(s)) out.add(new Object[] {v[0], v[1], "VIEW", s.catalog().comment((String) v[0], (String) v[1], null)});
        out.sort(Comparator.comparing((Object[] r) -> (String) r[0]).thenComparing(r -> (String) r[1]));
        return out;
    }

    private static List<Object[]> sequences(Session s) {
        return s.catalog().sequences().stream()
                .filter(q -> visible(s, q.owner(), q.qualifiedName()))
                .sorted(Comparator.comparing(Sequence::owner).thenComparing(Sequence::name))
                .map(q -> new Object[] {q.owner(), q.name(), q.min(), q.max(), q.increment(), q.cycle() ? "Y" : "N", q.cache(), q.restart()})
                .toList();
    }
}
