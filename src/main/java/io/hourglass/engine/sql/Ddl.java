package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.PasswordHasher;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.Profile;
import io.hourglass.engine.catalog.Sequence;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.Version;
import io.hourglass.engine.txn.Isolation;
import io.hourglass.engine.txn.LockMode;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Data definition and user management. DDL is not transactional: as in Oracle and TimesTen's
 * default (DDLCommitBehavior=0), it commits the session's open transaction first and takes
 * effect at once; a later ROLLBACK does not undo it. It waits, through table locks, for other
 * transactions that use the table.
 *
 * <p>Each statement runs under the catalog's DDL lock: check, then log the
 * {@link CatalogChange} (durably: a DDL statement that returned survives a crash), then apply it
 * with {@link CatalogChanges}, exactly as recovery will.
 */
final class Ddl {
    /** TimesTen's limit of columns in a table. */
    static final int MAX_COLUMNS = 1000;

    private Ddl() {}

    static StatementResult run(Ast.Stmt stmt, Session s, Object[] params) {
        s.commitWork();
        TransactionManager tm = s.transactions();
        Transaction ddl = tm.begin(Isolation.READ_COMMITTED, 10_000_000_000L);
        s.catalog().ddlLock().lock();
        try {
            StatementResult result = StatementResult.none();
            switch (stmt) {
                case Ast.CreateTable ct when ct.query() != null -> result = StatementResult.count(createTableAsSelect(ct, s));
                case Ast.CreateTable ct -> change(s, createTableChange(ct, s));
                case Ast.DropTable dt -> dropTable(dt, s, ddl);
                case Ast.CreateIndex ci -> createIndex(ci, s, ddl);
                case Ast.DropIndex di -> dropIndex(di, s, ddl);
                case Ast.AlterTable at -> alterTable(at, s, ddl);
                case Ast.AlterAging aa -> alterAging(aa, s);
                case Ast.AlterUnique au -> alterUnique(au, s, ddl);
                case Ast.CommentOn co -> comment(co, s);
                case Ast.CreateSynonym cy -> createSynonym(cy, s);
                case Ast.DropSynonym dy -> dropSynonym(dy, s);
                case Ast.AlterPages ap -> requireOwnerOrAdmin(s, Executor.table(ap.table(), s), "ALTER TABLE"); // (hash indexes size themselves)
                case Ast.TruncateTable tt -> truncateTable(tt, s, ddl);
                case Ast.RenameTable rt -> renameTable(rt, s, ddl);
                case Ast.RenameColumn rc -> renameColumn(rc, s, ddl);
                case Ast.CreateCacheGroup cg -> createCacheGroup(cg, s);
                case Ast.AlterCacheGroup ag -> alterCacheGroup(ag, s);
                case Ast.DropCacheGroup dg -> dropCacheGroup(dg, s, ddl);
                case Ast.CreateUser cu -> createUser(cu, s);
                case Ast.AlterUser au -> alterUser(au, s);
                case Ast.SetProfile sp -> setProfile(sp, s);
                case Ast.DropProfile dp -> dropProfile(dp, s);
                case Ast.DropUser du -> {
                    Executor.require(s, Privilege.ADMIN);
                    if (du.user().equals(s.user().name())) throw ErrorCode.CANNOT_DROP.error("user " + du.user(), "it is connected");
                    if (s.catalog().user(du.user()) == null) throw ErrorCode.USER_NOT_FOUND.error(du.user());
                    if (du.user().equals(Catalog.INSTANCE_ADMIN)) {
                        throw ErrorCode.CANNOT_DROP.error("user " + du.user(), "it is the instance administrator");
                    }
                    refuseIfOwner(s.catalog(), du.user());
                    change(s, new CatalogChange.DropUser(du.user()));
                }
                case Ast.GrantRevoke gr -> grantRevoke(gr, s);
                case Ast.CreateSequence cs -> createSequence(cs, s);
                case Ast.CreateView cv -> createView(cv, s);
                case Ast.DropView dv -> {
                    String owner = Executor.owner(dv.view(), s);
                    if (s.catalog().view(owner, dv.view().name()) == null) throw ErrorCode.VIEW_NOT_FOUND.error(owner + "." + dv.view().name());
                    if (!owner.equals(s.user().name()) && !s.catalog().has(s.user(), Privilege.ADMIN)) {
                        throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "DROP VIEW on " + owner + "." + dv.view().name());
                    }
                    change(s, new CatalogChange.DropView(owner, dv.view().name()));
                }
                case Ast.DropSequence ds -> {
                    Sequence q = sequence(ds.sequence(), s);
                    if (!q.owner().equals(s.user().name()) && !s.catalog().has(s.user(), Privilege.ADMIN)) {
                        throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "DROP SEQUENCE on " + q.qualifiedName());
                    }
                    change(s, new CatalogChange.DropSequence(q.owner(), q.name()));
                }
                default -> throw ErrorCode.INTERNAL.error("not a DDL statement: " + stmt);
            }
            tm.commit(ddl, false);
            return result;
        } catch (RuntimeException e) {
            tm.rollback(ddl);
            throw e;
        } finally {
            s.catalog().ddlLock().unlock();
        }
    }

    /** Logs {@code c} durably, then applies it. */
    private static void change(Session s, CatalogChange c) {
        s.transactions().logCatalogChange(c);
        CatalogChanges.apply(s.catalog(), c);
    }

    /** Logs {@code cs} durably as one transaction (recovery applies all or none), then applies them. */
    private static void changes(Session s, List<CatalogChange> cs) {
        s.transactions().logCatalogChanges(cs);
        for (CatalogChange c : cs) CatalogChanges.apply(s.catalog(), c);
    }

    private static void createUser(Ast.CreateUser cu, Session s) {
        Executor.require(s, Privilege.ADMIN);
        validatePassword(cu.password());
        Catalog cat = s.catalog();
        if (cat.user(cu.user()) != null) throw ErrorCode.USER_EXISTS.error(cu.user());
        if (cat.isPublic(cu.user())) {
            throw ErrorCode.SEMANTIC_ERROR.error("PUBLIC is not a user's name: it stands for every user in GRANT and REVOKE");
        }
        requireProfile(cat, cu.profile());
        List<CatalogChange> cs = new ArrayList<>();
        cs.add(new CatalogChange.CreateUser(cu.user(), PasswordHasher.hash(cu.password())));
        if (cu.profile() != null || Boolean.TRUE.equals(cu.lock())) {
            cs.add(new CatalogChange.UserAccount(cu.user(), ownProfile(cu.profile()), Boolean.TRUE.equals(cu.lock()) ? System.currentTimeMillis() : null));
        }
        long now = cat.now();
        cs.add(new CatalogChange.PasswordState(cu.user(), now, cu.expire() ? now : 0, List.of()));
        cs.add(new CatalogChange.Privileges(true, cu.user(), Privilege.CREATE_SESSION, null));
        changes(s, cs);
    }

    /**
     * ALTER USER: a user changes its own password without a privilege; everything else (another's
     * password, a profile, ACCOUNT LOCK or UNLOCK, PASSWORD EXPIRE) needs ADMIN, as in TimesTen. A
     * new password must pass the reuse limits of the profile the user has after the statement
     * (TT90064), starts a new lifetime and ends an expiry.
     */
    private static void alterUser(Ast.AlterUser au, Session s) {
        boolean account = au.profile() != null || au.lock() != null || au.expire();
        if (account || !au.user().equals(s.user().name())) Executor.require(s, Privilege.ADMIN);
        if (au.password() != null) validatePassword(au.password());
        Catalog cat = s.catalog();
        io.hourglass.engine.catalog.User u = cat.user(au.user());
        if (u == null) throw ErrorCode.USER_NOT_FOUND.error(au.user());
        if (u.instanceAdmin()) {
            if (au.password() != null) throw ErrorCode.PREDEFINED_USER_PASSWORD.error(au.user());
            throw ErrorCode.PREDEFINED_USER_PROFILE.error(au.user() + ": the instance administrator has no profile, and its account does not lock");
        }
        requireProfile(cat, au.profile());
        List<CatalogChange> cs = new ArrayList<>();
        String profile = au.profile() != null ? au.profile() : u.profile();
        long now = cat.now();
        if (au.password() != null) {
            List<io.hourglass.engine.catalog.User.OldPassword> history = cat.passwordHistoryAfter(u, profile, au.password());
            cs.add(new CatalogChange.AlterPassword(au.user(), PasswordHasher.hash(au.password())));
            cs.add(new CatalogChange.PasswordState(au.user(), now, au.expire() ? now : 0, history));
        } else if (au.expire()) {
            long expiredAt = u.passwordExpiredAt() != 0 ? u.passwordExpiredAt() : now; // (expired already: since then)
            cs.add(new CatalogChange.PasswordState(au.user(), u.passwordSetAt(), expiredAt, u.passwordHistory()));
        }
        if (au.profile() != null || au.lock() != null) {
            Long lockedAt = au.lock() == null ? u.lockedAt()
                    : au.lock() ? (u.lockedAt() != null ? u.lockedAt() : Long.valueOf(System.currentTimeMillis())) : null;
            cs.add(new CatalogChange.UserAccount(au.user(), ownProfile(profile), lockedAt));
        }
        changes(s, cs);
        if (Boolean.FALSE.equals(au.lock())) cat.forgetFailedLogins(au.user());
    }

    /** A user's profile as a catalog change records it: null for DEFAULT. */
    private static String ownProfile(String profile) { return Profile.DEFAULT.equals(profile) ? null : profile; }

    private static void requireProfile(Catalog cat, String profile) {
        if (profile != null && cat.profile(profile) == null) throw ErrorCode.PROFILE_NOT_FOUND.error(profile);
    }

    /**
     * CREATE or ALTER PROFILE: each limit is checked, then the profile's settings after the
     * statement are logged whole. A limit set to DEFAULT is removed (the DEFAULT profile's
     * applies), which the DEFAULT profile's own limits cannot be.
     */
    private static void setProfile(Ast.SetProfile sp, Session s) {
        Executor.require(s, Privilege.ADMIN);
        Profile cur = s.catalog().profile(sp.profile());
        if (!sp.alter() && cur != null) throw ErrorCode.PROFILE_EXISTS.error(sp.profile());
        if (sp.alter() && cur == null) throw ErrorCode.PROFILE_NOT_FOUND.error(sp.profile());
        Map<String, String> limits = new HashMap<>(cur == null ? Map.of() : cur.limits());
        for (var e : sp.limits().entrySet()) {
            String parameter = e.getKey(), value = e.getValue();
            if (value.equals(Profile.DEFAULT)) {
                if (sp.profile().equals(Profile.DEFAULT)) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the DEFAULT profile's " + parameter + " cannot be DEFAULT: give UNLIMITED or a value");
                }
                limits.remove(parameter);
            } else {
                checkLimit(parameter, value);
                limits.put(parameter, value);
            }
        }
        change(s, new CatalogChange.SetProfile(sp.profile(), limits));
    }

    /** TimesTen's password complexity checkers, the only functions PASSWORD_COMPLEXITY_CHECKER may name. */
    private static final Set<String> CHECKERS = Set.of("TT_VERIFY_FUNCTION", "TT_STRONG_VERIFY_FUNCTION", "TT_STIG_VERIFY_FUNCTION");

    /** Smallest and largest time limit, in days: one second, and TimesTen's 106,751,991 days. */
    private static final java.math.BigDecimal MIN_DAYS = java.math.BigDecimal.ONE.divide(java.math.BigDecimal.valueOf(86_400), 20,
            java.math.RoundingMode.UP), MAX_DAYS = java.math.BigDecimal.valueOf(106_751_991);

    /**
     * A limit other than DEFAULT: a count is a whole number from 1, a time from one second to
     * 106,751,991 days. The complexity checker may only be NULL until Hourglass checks passwords'
     * complexity (TT90019).
     */
    private static void checkLimit(String parameter, String value) {
        boolean checker = parameter.equals(Profile.PASSWORD_COMPLEXITY_CHECKER);
        if (checker && !value.equals("NULL") && !CHECKERS.contains(value)) throw ErrorCode.INVALID_COMPLEXITY_CHECKER.error(value);
        if (!checker && !value.equals(Profile.UNLIMITED)) {
            java.math.BigDecimal v = new java.math.BigDecimal(value);
            boolean count = parameter.equals(Profile.FAILED_LOGIN_ATTEMPTS) || parameter.equals("PASSWORD_REUSE_MAX");
            if (count && (v.scale() > 0 || v.signum() <= 0 || v.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) > 0)) {
                throw ErrorCode.SEMANTIC_ERROR.error(parameter + " must be a whole number from 1 to " + Integer.MAX_VALUE + ", or UNLIMITED: " + value);
            }
            if (!count && (v.compareTo(MIN_DAYS) < 0 || v.compareTo(MAX_DAYS) > 0)) {
                throw ErrorCode.SEMANTIC_ERROR.error(parameter + " is in days, from one second (.0000116) to 106751991, or UNLIMITED: " + value);
            }
        }
        if (checker && !value.equals("NULL")) {
            throw ErrorCode.UNSUPPORTED.error(parameter + " " + value + ": Hourglass does not check password complexity yet;"
                    + " the checker can only be NULL (or DEFAULT)");
        }
    }

    /** DROP PROFILE [CASCADE]: TT15178 without CASCADE while users have it; with it they get DEFAULT. */
    private static void dropProfile(Ast.DropProfile dp, Session s) {
        Executor.require(s, Privilege.ADMIN);
        Catalog cat = s.catalog();
        cat.refuseDropOfProfile(dp.profile());
        if (!dp.cascade()) {
            for (io.hourglass.engine.catalog.User u : cat.users()) {
                if (u.profile().equals(dp.profile())) throw ErrorCode.PROFILE_IN_USE.error(dp.profile());
            }
        }
        change(s, new CatalogChange.DropProfile(dp.profile()));
    }

    /** DROP USER of a user who owns a table, sequence, view or synonym: TimesTen's TT15168, naming one of them (drop them first). */
    private static void refuseIfOwner(Catalog cat, String user) {
        for (Table t : cat.tables()) if (t.owner().equals(user)) throw ErrorCode.USER_OWNS_OBJECTS.error("TABLE", t.qualifiedName());
        for (Sequence q : cat.sequences()) if (q.owner().equals(user)) throw ErrorCode.USER_OWNS_OBJECTS.error("SEQUENCE", q.qualifiedName());
        for (CatalogChange.CreateView v : cat.views()) {
            if (v.owner().equals(user)) throw ErrorCode.USER_OWNS_OBJECTS.error("VIEW", v.owner() + "." + v.name());
        }
        for (CatalogChange.CreateSynonym y : cat.synonyms()) {
            if (user.equals(y.owner())) throw ErrorCode.USER_OWNS_OBJECTS.error("SYNONYM", y.owner() + "." + y.name());
        }
    }

    private static void validatePassword(String pwd) {
        if (pwd.isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("a password may not be empty");
    }

    /**
     * The owner a CREATE TABLE (or SEQUENCE) of {@code name} makes its object for, once the
     * session may: CREATE TABLE (or CREATE ANY TABLE) in its own schema, CREATE ANY TABLE in
     * another user's.
     */
    private static String creator(Ast.Name name, Session s, String what) {
        String owner = Executor.owner(name, s);
        Catalog cat = s.catalog();
        if (owner.equals(s.user().name())) {
            if (!cat.has(s.user(), Privilege.CREATE_TABLE) && !cat.has(s.user(), Privilege.CREATE_ANY_TABLE)) {
                throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), what);
            }
        } else {
            Executor.require(s, Privilege.CREATE_ANY_TABLE);
            if (cat.user(owner) == null) throw ErrorCode.USER_NOT_FOUND.error(owner);
        }
        return owner;
    }

    /** The catalog change a CREATE TABLE (its columns typed) makes, checked: names free, privileges, constraints. */
    private static CatalogChange.CreateTable createTableChange(Ast.CreateTable ct, Session s) {
        return createTableChange(ct, s, Map.of());
    }

    /**
     * As {@link #createTableChange(Ast.CreateTable, Session)}, in a statement that makes the
     * tables {@code made} too (by qualified name, in the order made; a multiple-table cache
     * group's): a foreign key may reference them, and the table's id comes after theirs.
     */
    private static CatalogChange.CreateTable createTableChange(Ast.CreateTable ct, Session s, Map<String, Self> made) {
        String owner = creator(ct.table(), s, "CREATE TABLE");
        Catalog cat = s.catalog();
        String tableName = ct.table().name();
        if (cat.table(owner, tableName) != null) throw ErrorCode.TABLE_EXISTS.error(owner + "." + tableName);
        nameFree(cat, owner, tableName);
        if (ct.columns().isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("a table needs at least one column");
        if (ct.columns().size() > MAX_COLUMNS) {
            throw ErrorCode.SEMANTIC_ERROR.error("a table has at most " + MAX_COLUMNS + " columns; " + tableName + " has " + ct.columns().size());
        }
        List<CatalogChange.ColumnSpec> cols = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Ast.ColumnDef d : ct.columns()) {
            if (!names.add(d.name())) throw ErrorCode.SEMANTIC_ERROR.error("column " + d.name() + " is defined twice");
            notRowId(d.name());
            boolean notNull = d.notNull() || ct.primaryKey().contains(d.name());
            if (d.defaultSql() != null) {
                // Check the default fits the column now, not at the first insert.
                Object v = CatalogChanges.defaultOf(d.defaultSql()).apply(s.user().name());
                d.type().coerce(v, owner + "." + tableName + "." + d.name());
            }
            cols.add(CatalogChange.ColumnSpec.of(d.name(), d.type(), notNull, d.defaultSql()));
        }
        Map<String, Integer> pos = new HashMap<>();
        for (int i = 0; i < cols.size(); i++) pos.put(cols.get(i).name(), i);
        int[] pk = positions(ct.primaryKey(), pos, owner + "." + tableName);
        List<CatalogChange.IndexSpec> indexes = new ArrayList<>();
        if (pk.length > 0) indexes.add(new CatalogChange.IndexSpec(owner, tableName, pk, true, Executor.kind(ct.hashPrimaryKey()), true));
        for (int i = 0; i < ct.uniques().size(); i++) {
            int[] u = positions(ct.uniques().get(i), pos, owner + "." + tableName);
            indexes.add(new CatalogChange.IndexSpec(owner, tableName + "_UQ" + (i + 1), u, true, IndexDef.Kind.RANGE, true));
        }
        List<CatalogChange.ForeignKeySpec> fks = new ArrayList<>();
        Set<String> fkNames = new HashSet<>();
        for (Ast.ForeignKeyDef d : ct.foreignKeys()) {
            String name = d.name() != null ? d.name() : freeConstraintName(cat, owner, tableName, fkNames);
            if (!fkNames.add(name)) throw ErrorCode.INDEX_EXISTS.error(owner + "." + name);
            Self self = new Self(owner, tableName, cols, pos, pk, indexes);
            CatalogChange.ForeignKeySpec fk = foreignKey(d, name, self, made, s);
            fks.add(fk);
            indexes.add(new CatalogChange.IndexSpec(owner, name, fk.columns(), false, IndexDef.Kind.RANGE, true));
        }
        // Check every index name before logging anything, so a failure leaves nothing behind.
        Set<String> ixNames = new HashSet<>();
        for (CatalogChange.IndexSpec ix : indexes) {
            cat.checkIndexNameFree(ix.owner(), ix.name());
            if (!ixNames.add(ix.name())) throw ErrorCode.INDEX_EXISTS.error(ix.owner() + "." + ix.name());
        }
        List<CatalogChange.CheckSpec> checks = checks(ct, owner, tableName, cols);
        if (ct.aging() != null && !ct.aging().isLru()) {
            CatalogChange.ColumnSpec c = pos.containsKey(ct.aging().column()) ? cols.get(pos.get(ct.aging().column())) : null;
            agingColumn(owner + "." + tableName + "." + ct.aging().column(), c == null ? null : c.type(), c != null && c.notNull());
        }
        if (ct.temporary() != null && !fks.isEmpty()) {
            throw ErrorCode.UNSUPPORTED.error("a FOREIGN KEY of GLOBAL TEMPORARY table " + owner + "." + tableName
                    + " (its rows are one session's; a constraint across sessions' rows cannot hold)");
        }
        long id = cat.nextTableId() + made.size();
        return new CatalogChange.CreateTable(id, owner, tableName, cols, pk, indexes, List.copyOf(fks), checks, id, ct.aging(), ct.temporary());
    }

    /**
     * LRU aging is refused on a static READONLY cache group's table, as TimesTen refuses it on
     * an autorefreshed group loaded whole: autorefresh would never bring back a row aging took
     * whose backend row does not change, so the cache would silently miss rows it is meant to
     * hold. Time-based aging is allowed there (the rows it takes are meant to go).
     */
    private static void lruAllowed(CacheGroup g, io.hourglass.engine.catalog.Aging a) {
        if (g != null && a != null && a.isLru() && !g.writethrough() && !g.dynamic()) {
            throw ErrorCode.SEMANTIC_ERROR.error("LRU aging of " + g.qualifiedName() + ", a static READONLY cache group: its autorefresh"
                    + " would not bring back the rows aging took; use time-based aging (AGING USE column LIFETIME ...), or a DYNAMIC group");
        }
    }

    /**
     * Checks a time-based aging column ({@code type} null: there is none of that name): a DATE or
     * TIMESTAMP (TT2982), NOT NULL (TT2993), as TimesTen's.
     */
    private static void agingColumn(String column, io.hourglass.engine.catalog.SqlType type, boolean notNull) {
        if (type == null) throw ErrorCode.AGING_COLUMN_NOT_FOUND.error(column);
        if (!type.kind().isDatetime()) throw ErrorCode.AGING_COLUMN_TYPE.error(column);
        if (!notNull) throw ErrorCode.AGING_COLUMN_NULLABLE.error(column);
    }

    /**
     * ALTER TABLE ADD [CONSTRAINT c] UNIQUE (cols): a unique constraint, its index (named c, else
     * {@code <TABLE>_UQ<n>}) built under a shared lock, TT0907 if two rows share a key; DROP UNIQUE
     * (cols) drops the one on exactly those columns (not the primary key; TT3003 while a foreign
     * key uses it).
     */
    private static void alterUnique(Ast.AlterUnique au, Session s, Transaction ddl) {
        Table t = Executor.table(au.table(), s);
        requireOwnerOrAdmin(s, t, "ALTER TABLE");
        notInUse(s, ddl, t, "ALTER TABLE");
        notCacheTable(s, t, "ALTER TABLE", "its columns are the backend table's; drop and create the cache group");
        int[] cols = positions(au.columns(), Executor.columnPositions(t), t.qualifiedName());
        if (new HashSet<>(au.columns()).size() != cols.length) throw ErrorCode.SEMANTIC_ERROR.error("a unique constraint's column appears twice");
        IndexDef same = null;
        for (IndexDef ix : t.indexes()) {
            if (ix.constraint() && ix.unique() && java.util.Arrays.equals(ix.columns(), cols)) same = ix;
        }
        boolean primaryKey = java.util.Arrays.equals(t.primaryKey(), cols);
        if (!au.add()) {
            if (same == null || primaryKey) {
                throw ErrorCode.CONSTRAINT_NOT_FOUND.error("UNIQUE " + au.columns() + (primaryKey ? " (the primary key: it stays)" : ""),
                        t.qualifiedName());
            }
            dropIndexNow(same, t, s, ddl);
            return;
        }
        if (same != null) {
            throw ErrorCode.SEMANTIC_ERROR.error(t.qualifiedName() + " already has a " + (primaryKey ? "primary key" : "unique constraint")
                    + " on " + au.columns() + " (" + same.name() + ")");
        }
        String name = au.name() != null ? au.name()
                : freeName(t.name() + "_UQ", 1, n -> s.catalog().index(t.owner(), n) != null);
        s.catalog().checkIndexNameFree(t.owner(), name);
        s.transactions().lockTable(ddl, t, LockMode.S);
        buildIndex(t, new CatalogChange.IndexSpec(t.owner(), name, cols, true, IndexDef.Kind.RANGE, true), s);
    }

    /** Drops index {@code ix} of {@code t} (DROP INDEX, DROP UNIQUE, DROP CONSTRAINT): TT3003 while a foreign key uses it. */
    private static void dropIndexNow(IndexDef ix, Table t, Session s, Transaction ddl) {
        for (ForeignKey fk : s.catalog().foreignKeysUsing(ix)) {
            throw ErrorCode.FOREIGN_KEY_IN_USE.error("index " + ix.qualifiedName() + " is used by " + fk.qualifiedName() + " of "
                    + fk.child().qualifiedName());
        }
        s.transactions().lockTable(ddl, t, LockMode.X);
        notInUse(t, "DROP INDEX");
        change(s, new CatalogChange.DropIndex(ix.owner(), ix.name()));
        s.transactions().memory().release(s.transactions().retire(ix));
    }

    /**
     * ALTER TABLE ADD AGING, DROP AGING, SET AGING ON | OFF | LIFETIME | CYCLE: the table's whole
     * policy after the change is logged. No table lock: aging reads the policy at each cycle, and
     * its deletes take their row locks as any DELETE.
     */
    private static void alterAging(Ast.AlterAging aa, Session s) {
        Table t = Executor.table(aa.table(), s);
        notTemporary(t, "ALTER TABLE ... AGING of");
        requireOwnerOrAdmin(s, t, "ALTER TABLE");
        io.hourglass.engine.catalog.Aging now = t.aging(), next;
        if (aa.add() != null) {
            if (now != null) throw ErrorCode.AGING_EXISTS.error(t.qualifiedName());
            if (!aa.add().isLru()) {
                int p = t.columnIndex(aa.add().column());
                agingColumn(t.qualifiedName() + "." + aa.add().column(), p < 0 ? null : t.columns().get(p).type(),
                        p >= 0 && t.columns().get(p).notNull());
            }
            lruAllowed(s.catalog().cacheGroupOf(t), aa.add());
            next = aa.add();
        } else if (now == null) {
            throw ErrorCode.AGING_NONE.error(t.qualifiedName());
        } else if (aa.state() != null) {
            next = now.withState(aa.state());
        } else if (now.isLru() && (aa.lifetime() != null || aa.cycle() != null)) {
            throw ErrorCode.SEMANTIC_ERROR.error("SET AGING " + (aa.lifetime() != null ? "LIFETIME" : "CYCLE") + " is for time-based aging; "
                    + t.qualifiedName() + " has LRU aging (its cycle is ttAgingLRUConfig's)");
        } else if (aa.lifetime() != null) {
            next = now.withLifetime(aa.lifetime().n(), aa.lifetime().unit());
        } else if (aa.cycle() != null) {
            next = now.withCycle(aa.cycle().n(), aa.cycle().unit());
        } else {
            next = null; // DROP AGING
        }
        change(s, new CatalogChange.SetAging(t.owner(), t.name(), next));
    }

    /** Oracle's limit of a comment, in bytes of the database character set. */
    static final int MAX_COMMENT_BYTES = 4000;

    /**
     * COMMENT ON TABLE or COLUMN, of a table or a view: by its owner or an ADMIN user, as ALTER
     * TABLE; an empty text removes the comment, as Oracle's (where '' is NULL). No lock: nothing
     * reads a comment but the dictionary.
     */
    private static void comment(Ast.CommentOn co, Session s) {
        Ast.Name object = Executor.resolve(co.object(), s); // (a comment on a synonym is its object's, as in Oracle)
        String owner = Executor.owner(object, s), name = object.name(), what = owner + "." + name;
        Table t = s.catalog().table(owner, name);
        CatalogChange.CreateView v = t == null ? s.catalog().view(owner, name) : null;
        if (t == null && v == null) throw ErrorCode.TABLE_NOT_FOUND.error(what);
        requireOwnerOrAdmin(s, owner, what, "COMMENT");
        if (co.column() != null && (t != null ? t.columnIndex(co.column()) < 0
                : Executor.viewColumns(v, s).stream().noneMatch(c -> c.name().equals(co.column())))) {
            throw ErrorCode.COLUMN_NOT_FOUND.error(what + "." + co.column());
        }
        int bytes = co.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_COMMENT_BYTES) throw ErrorCode.VALUE_TOO_LONG.error("a comment (in bytes)", MAX_COMMENT_BYTES, bytes);
        change(s, new CatalogChange.Comment(owner, name, co.column(), co.text().isEmpty() ? null : co.text()));
    }

    /**
     * Whether result column {@code i} of {@code q} is a NOT NULL column of a table, read as it is:
     * not through an outer join, a grouping or a set operation, which can make it NULL. Oracle's
     * CREATE TABLE ... AS SELECT keeps such a column NOT NULL.
     */
    private static boolean notNullColumn(Executor.QueryPlan q, int i) {
        if (q.terms != null || q.aggregate || q.fullLevel >= 0 || !(q.outputs.get(i) instanceof Expr.ColumnRef c)) return false;
        if (c.depth != 0 || c.source < 0 || c.index < 0 || (q.outer != null && q.outer[c.source])) return false;
        List<io.hourglass.engine.catalog.Column> columns = q.tables[c.source].columns();
        return c.index >= columns.size() || columns.get(c.index).notNull(); // (past the columns: the row's ROWID, never NULL)
    }

    /**
     * CREATE TABLE ... AS SELECT, as Oracle and TimesTen have it. The query is planned as the
     * creator (who needs SELECT on what it reads). The table's columns are its result columns,
     * named by the column list if there is one, else by the query (an expression needs an
     * alias), and typed as the query types them; the constraints written with the names apply
     * (PRIMARY KEY, UNIQUE, NOT NULL, DEFAULT, CHECK), a FOREIGN KEY is TT3304. The table and
     * its rows are one transaction, whose commit logs the CREATE TABLE ahead of the rows and
     * returns once durable; if a row is refused (a duplicate key, a CHECK, PermSize) or the
     * commit fails, there is no table, now or after a restart. Returns the rows inserted.
     */
    private static long createTableAsSelect(Ast.CreateTable ct, Session s) {
        if (!ct.foreignKeys().isEmpty()) throw ErrorCode.FOREIGN_KEY_IN_CREATE_AS_SELECT.error();
        String owner = creator(ct.table(), s, "CREATE TABLE");
        Executor.QueryPlan q = Executor.planQuery(ct.query(), s);
        CatalogChange.CreateTable change = createTableChange(new Ast.CreateTable(ct.table(), queryColumns(ct, q), ct.primaryKey(),
                ct.hashPrimaryKey(), ct.uniques(), List.of(), ct.checks(), null, ct.aging(), ct.temporary()), s);
        Catalog cat = s.catalog();
        if (ct.temporary() != null) return temporaryTableAsSelect(change, q, s);
        Transaction t = s.transaction();
        long n;
        try {
            // Locked before the catalog shows it: a writer that finds the table waits for its
            // rows' fate, and never commits a row of it ahead of the CREATE TABLE in the log.
            s.transactions().lockTable(t, change.tableId(), LockMode.X);
            CatalogChanges.apply(cat, change);
            // Logged with the rows, in the commit's batch; if the rows do not commit, the table
            // goes with them, before the lock does.
            s.transactions().logWithCommit(t, change, () -> CatalogChanges.apply(cat, new CatalogChange.DropTable(owner, change.name())));
            Table table = cat.tableById(change.tableId());
            n = Executor.insertAll(s, table, q);
            s.commitWork();
        } catch (RuntimeException | Error e) {
            s.rollbackWork(); // (nothing left to do if the commit's refusal rolled it back)
            throw e;
        }
        s.transactions().flushDurably().toCompletableFuture().join(); // a DDL statement that returned survives a crash
        return n;
    }

    /**
     * CREATE GLOBAL TEMPORARY TABLE ... AS SELECT: the definition is logged as any CREATE TABLE,
     * and the query's rows go to the creating session's instance, committed. With ON COMMIT
     * DELETE ROWS that commit, the DDL's own, leaves none (as in Oracle): the query is planned, not
     * run. If a row is refused, the definition is dropped again: no table, as for any CREATE TABLE
     * ... AS SELECT.
     */
    private static long temporaryTableAsSelect(CatalogChange.CreateTable change, Executor.QueryPlan q, Session s) {
        change(s, change);
        if (change.temporary() == Table.OnCommit.DELETE_ROWS) return 0;
        Table definition = s.catalog().tableById(change.tableId());
        try {
            long n = Executor.insertAll(s, s.temporaryInstance(definition), q);
            s.commitWork();
            return n;
        } catch (RuntimeException | Error e) {
            s.rollbackWork();
            change(s, new CatalogChange.DropTable(change.owner(), change.name()));
            throw e;
        }
    }

    /**
     * The columns CREATE TABLE ... AS SELECT makes of {@code q}'s result columns: typed as the
     * query types them, named and constrained by the statement's column list if it has one.
     */
    private static List<Ast.ColumnDef> queryColumns(Ast.CreateTable ct, Executor.QueryPlan q) {
        List<Ast.ColumnDef> defs = new ArrayList<>();
        if (!ct.columns().isEmpty() && ct.columns().size() != q.columns.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("CREATE TABLE " + ct.table().name() + " names " + ct.columns().size()
                    + " columns but its query has " + q.columns.size());
        }
        Ast.Select naming = ct.query();
        while (naming.terms() != null) naming = naming.terms().getFirst(); // (a set operation's columns are its first query's)
        for (Ast.SelectItem it : ct.columns().isEmpty() ? naming.items() : List.<Ast.SelectItem>of()) {
            if (!it.star() && it.alias() == null && !(it.expr() instanceof Expr.ColumnRef)) {
                throw ErrorCode.SEMANTIC_ERROR.error("the expression " + it.expr().text() + " in the query of CREATE TABLE "
                        + ct.table().name() + " needs a column alias to name its column");
            }
        }
        for (int i = 0; i < q.columns.size(); i++) {
            ResultColumn rc = q.columns.get(i);
            if (rc.type().kind() == io.hourglass.engine.catalog.TypeKind.BOOLEAN) {
                throw ErrorCode.SEMANTIC_ERROR.error("column " + rc.name() + " of CREATE TABLE " + ct.table().name()
                        + " would hold a condition's truth, which no column type holds");
            }
            if (ct.columns().isEmpty()) {
                defs.add(new Ast.ColumnDef(rc.name(), rc.type(), notNullColumn(q, i), null, null, false, false, -1));
            } else {
                Ast.ColumnDef d = ct.columns().get(i);
                defs.add(new Ast.ColumnDef(d.name(), rc.type(), d.notNull() || notNullColumn(q, i), d.defaultValue(), d.defaultSql(),
                        d.primaryKey(), d.unique(), d.pos()));
            }
        }
        return defs;
    }

    /**
     * The CHECK constraints of a table being created, named ({@code <TABLE>_CK<n>} unless named)
     * and checked: a condition may read only the row's columns, constants and functions of them;
     * no subquery, aggregate, window function, sequence, ROWNUM, SYSDATE or parameter (TT90015).
     */
    private static List<CatalogChange.CheckSpec> checks(Ast.CreateTable ct, String owner, String tableName,
                                                        List<CatalogChange.ColumnSpec> cols) {
        List<io.hourglass.engine.catalog.Column> columns = new ArrayList<>();
        for (CatalogChange.ColumnSpec c : cols) columns.add(new io.hourglass.engine.catalog.Column(c.name(), c.type(), c.notNull(), null, null));
        Table shape = new Table(-1, owner, tableName, columns, new int[0]);
        List<CatalogChange.CheckSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Ast.CheckDef d : ct.checks()) {
            String name = d.name() != null ? d.name() : freeName(tableName + "_CK", 1, names::contains);
            if (!names.add(name)) throw ErrorCode.SEMANTIC_ERROR.error("constraint " + name + " is defined twice");
            out.add(checkSpec(d, name, shape));
        }
        return List.copyOf(out);
    }

    /** A CHECK condition checked against the table {@code shape} (TT90015, TT2211), as a spec. */
    private static CatalogChange.CheckSpec checkSpec(Ast.CheckDef d, String name, Table shape) {
        Executor.walk(d.condition(), x -> {
            if (x instanceof Expr.Subquery || x instanceof Expr.Aggregate || x instanceof Expr.Window || x instanceof Expr.SequenceRef
                    || x instanceof Expr.RowNum || x instanceof Expr.Sysdate || x instanceof Expr.Param
                    || x instanceof Expr.Call k && k.name.equals("SYS_CONTEXT")) {
                throw ErrorCode.SEMANTIC_ERROR.error("a CHECK condition may read only its row's columns, constants and functions of"
                        + " them, not " + x.text() + ": " + d.sql());
            }
        });
        new Binder(new Table[] {shape}, new String[] {null}).bind(d.condition()); // TT2211 for a column it does not have
        Executor.walk(d.condition(), x -> { // (known once bound: a column of the table may be named USER)
            if (x instanceof Expr.Keyword k && k.column == null) {
                throw ErrorCode.SEMANTIC_ERROR.error("a CHECK condition may not read " + k.name + ": " + d.sql());
            }
        });
        return new CatalogChange.CheckSpec(name, d.sql());
    }

    /** The table a CREATE TABLE is making, as a foreign key of it that references it sees it. */
    private record Self(String owner, String name, List<CatalogChange.ColumnSpec> columns, Map<String, Integer> positions,
                        int[] primaryKey, List<CatalogChange.IndexSpec> indexes) {
        static Self of(Table t) {
            List<CatalogChange.ColumnSpec> cols = new ArrayList<>();
            for (var c : t.columns()) cols.add(CatalogChange.ColumnSpec.of(c.name(), c.type(), c.notNull(), c.defaultSql()));
            List<CatalogChange.IndexSpec> ixs = new ArrayList<>();
            for (IndexDef ix : t.indexes()) {
                ixs.add(new CatalogChange.IndexSpec(ix.owner(), ix.name(), ix.columns(), ix.unique(), ix.kind(), ix.constraint()));
            }
            return new Self(t.owner(), t.name(), cols, Executor.columnPositions(t), t.primaryKey(), ixs);
        }
    }

    /** {@code <TABLE>_FK<n>} for the least n not taken by an index of {@code owner} nor by {@code taken}. */
    private static String freeConstraintName(Catalog cat, String owner, String table, Set<String> taken) {
        return freeName(table + "_FK", 1, name -> cat.index(owner, name) != null || taken.contains(name));
    }

    /** {@code prefix<n>} for the least n from {@code from} that is not {@code taken}: a constraint's made-up name. */
    private static String freeName(String prefix, int from, java.util.function.Predicate<String> taken) {
        for (int n = from; ; n++) {
            if (!taken.test(prefix + n)) return prefix + n;
        }
    }

    /**
     * Checks a FOREIGN KEY definition of the table {@code self} (being created) or {@code child}
     * (existing; self null) and gives its spec: the parent is a table (the table itself allowed),
     * the referenced columns (the parent's primary key if none are named) are keyed by a unique
     * index of the parent (TT3005), one column for each of the child's, of the same type (TT3004),
     * and another user's parent needs the REFERENCES privilege on it.
     */
    private static CatalogChange.ForeignKeySpec foreignKey(Ast.ForeignKeyDef d, String name, Self self, Map<String, Self> made, Session s) {
        Catalog cat = s.catalog();
        Ast.Name pn = d.references().table();
        String parentOwner = Executor.owner(pn, s);
        // (a table the statement makes is the one referenced, as the table itself is)
        Self target = parentOwner.equals(self.owner()) && pn.name().equals(self.name()) ? self : made.get(parentOwner + "." + pn.name());
        boolean toSelf = target != null;
        Table parent = toSelf ? null : cat.table(parentOwner, pn.name());
        if (!toSelf && parent == null) throw ErrorCode.TABLE_NOT_FOUND.error(parentOwner + "." + pn.name());
        if (parent != null) notCacheTable(s, parent, "a foreign key referencing it", "a refresh deletes the rows the backend deleted");
        if (parent != null) notTemporary(parent, "a FOREIGN KEY referencing");
        if (parent != null && !cat.has(s.user(), Privilege.REFERENCES, parent)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "REFERENCES on " + parent.qualifiedName());
        }
        String childName = self.owner() + "." + self.name();
        String parentName = parentOwner + "." + pn.name();
        int[] cols = positions(d.columns(), self.positions(), childName);
        int[] parentCols;
        if (d.references().columns().isEmpty()) {
            parentCols = toSelf ? target.primaryKey() : parent.primaryKey();
            if (parentCols.length == 0) throw ErrorCode.FOREIGN_KEY_NO_UNIQUE_INDEX.error(parentName + " (it has no primary key)");
        } else {
            parentCols = positions(d.references().columns(), toSelf ? target.positions() : Executor.columnPositions(parent), parentName);
        }
        if (parentCols.length != cols.length) {
            throw ErrorCode.FOREIGN_KEY_TYPE_MISMATCH.error(cols.length + " columns of " + childName + " reference " + parentCols.length
                    + " of " + parentName);
        }
        for (int i = 0; i < cols.length; i++) {
            CatalogChange.ColumnSpec c = self.columns().get(cols[i]);
            if (d.references().onDelete() == ForeignKey.OnDelete.SET_NULL && c.notNull()) {
                throw ErrorCode.SEMANTIC_ERROR.error("ON DELETE SET NULL needs columns that may be NULL; " + childName + "." + c.name()
                        + " is NOT NULL");
            }
            io.hourglass.engine.catalog.SqlType pt = toSelf ? target.columns().get(parentCols[i]).type() : parent.columns().get(parentCols[i]).type();
            if (!c.type().equals(pt)) {
                String pcol = toSelf ? target.columns().get(parentCols[i]).name() : parent.columns().get(parentCols[i]).name();
                throw ErrorCode.FOREIGN_KEY_TYPE_MISMATCH.error(childName + "." + c.name() + " is " + c.type().sqlName() + " but "
                        + parentName + "." + pcol + " is " + pt.sqlName());
            }
        }
        boolean keyed = toSelf
                ? target.indexes().stream().anyMatch(ix -> ix.unique() && Catalog.sameColumns(ix.columns(), parentCols))
                : Catalog.uniqueIndexOn(parent, parentCols) != null;
        if (!keyed) {
            String names = toSelf ? d.references().columns().toString() : Catalog.columnNames(parent, parentCols);
            throw ErrorCode.FOREIGN_KEY_NO_UNIQUE_INDEX.error(parentName + " " + names);
        }
        return new CatalogChange.ForeignKeySpec(name, cols, parentOwner, pn.name(), parentCols, d.references().onDelete());
    }



    private static int[] positions(List<String> names, Map<String, Integer> pos, String table) {
        int[] p = new int[names.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.length; i++) {
            Integer x = pos.get(names.get(i));
            if (x == null) throw ErrorCode.COLUMN_NOT_FOUND.error(table + "." + names.get(i));
            if (!seen.add(names.get(i))) throw ErrorCode.SEMANTIC_ERROR.error("column " + names.get(i) + " appears twice in a key of " + table);
            p[i] = x;
        }
        return p;
    }

    private static void dropTable(Ast.DropTable dt, Session s, Transaction ddl) {
        Table t = Executor.table(dt.table(), s);
        requireOwnerOrAdmin(s, t, "DROP TABLE");
        notCacheTable(s, t, "DROP TABLE", "DROP CACHE GROUP drops it");
        dropTable(t, dt.cascadeConstraints(), s, ddl);
    }

    private static void dropTable(Table t, boolean cascadeConstraints, Session s, Transaction ddl) {
        for (ForeignKey fk : t.referencedBy()) {
            if (fk.child() != t && !cascadeConstraints) {
                throw ErrorCode.FOREIGN_KEY_IN_USE.error("table " + t.qualifiedName() + " is referenced by " + fk.qualifiedName() + " of "
                        + fk.child().qualifiedName() + "; drop that constraint (ALTER TABLE ... DROP CONSTRAINT) or that table first,"
                        + " or DROP TABLE ... CASCADE CONSTRAINTS");
            }
        }
        // CASCADE CONSTRAINTS: the other tables' foreign keys to it go first, each logged as its own drop
        for (ForeignKey fk : List.copyOf(t.referencedBy())) {
            if (fk.child() != t) dropForeignKey(fk, s, ddl);
        }
        s.transactions().lockTable(ddl, t, LockMode.X);
        notInUse(t, "DROP TABLE");
        change(s, new CatalogChange.DropTable(t.owner(), t.name()));
        // Give back the PermSize the table's versions and index entries held, once.
        s.transactions().memory().release(s.transactions().retire(t));
    }

    /**
     * RENAME (Oracle's and TimesTen's): the owner or ADMIN gives a table another name of the same
     * owner, once the transactions using it have ended (an exclusive table lock). The table keeps
     * its rows, indexes, constraints and grants; statements prepared on it plan again and find it
     * only by the new name. Its primary key's and UNIQUE constraints' indexes, named after it, are
     * renamed with it (an index of that name elsewhere refuses the rename). A cache group's table
     * keeps its name (the group names it).
     */
    private static void renameTable(Ast.RenameTable rt, Session s, Transaction ddl) {
        Table t = Executor.table(rt.table(), s);
        requireOwnerOrAdmin(s, t, "RENAME");
        notCacheTable(s, t, "RENAME", "its cache group names it");
        notInUse(s, ddl, t, "RENAME");
        String owner = t.owner(), to = rt.newName().name();
        if (rt.newName().owner() != null && !rt.newName().owner().equals(owner)) {
            throw ErrorCode.SEMANTIC_ERROR.error("RENAME keeps a table with its owner: " + t.qualifiedName() + " cannot become "
                    + rt.newName().owner() + "." + to);
        }
        Catalog cat = s.catalog();
        if (cat.view(owner, to) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + to, "view");
        if (cat.sequence(owner, to) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + to, "sequence");
        if (cat.synonym(owner, to) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + to, "synonym");
        cat.checkRename(t, to); // under the DDL lock: still true when the change is applied
        s.transactions().lockTable(ddl, t, LockMode.X);
        change(s, new CatalogChange.RenameTable(owner, t.name(), to));
    }

    /**
     * ALTER TABLE RENAME COLUMN: the owner or ADMIN, once the table's transactions have ended (an
     * exclusive lock). The column keeps its place, type, values, indexes and constraints; CHECK
     * conditions naming it are rewritten; views keep the text they were made with.
     */
    /**
     * A new column may not be named ROWID, the pseudocolumn's name (a reserved word in Oracle and
     * TimesTen): it would hide every row's ROWID. (A column of that name from before ROWIDs
     * existed still works, and hides it.)
     */
    private static void notRowId(String column) {
        if (column.equals("ROWID")) {
            throw ErrorCode.SEMANTIC_ERROR.error("a column cannot be named ROWID, the pseudocolumn's name");
        }
    }

    private static void renameColumn(Ast.RenameColumn rc, Session s, Transaction ddl) {
        Table t = Executor.table(rc.table(), s);
        requireOwnerOrAdmin(s, t, "ALTER TABLE");
        notCacheTable(s, t, "RENAME COLUMN", "the backend table's columns name it");
        notInUse(s, ddl, t, "RENAME COLUMN");
        if (t.columnIndex(rc.column()) < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + rc.column());
        if (t.columnIndex(rc.newName()) >= 0) throw ErrorCode.SEMANTIC_ERROR.error(t.qualifiedName() + " already has a column " + rc.newName());
        notRowId(rc.newName());
        s.transactions().lockTable(ddl, t, LockMode.X);
        change(s, new CatalogChange.RenameColumn(t.owner(), t.name(), rc.column(), rc.newName()));
    }

    /** A foreign key from or to a GLOBAL TEMPORARY table, and its AGING: refused (TT90019). */
    private static void notTemporary(Table t, String what) {
        if (t.temporary() != null) throw ErrorCode.UNSUPPORTED.error(what + " GLOBAL TEMPORARY table " + t.qualifiedName());
    }

    /**
     * ALTER TABLE, RENAME and RENAME COLUMN of a GLOBAL TEMPORARY table: its X lock first (its
     * writers finish, new ones wait), then refused while a session holds rows (TT90065), as in
     * Oracle: the instances are all empty, and each session makes its own anew.
     */
    private static void notInUse(Session s, Transaction ddl, Table t, String what) {
        if (t.temporary() == null) return;
        s.transactions().lockTable(ddl, t, LockMode.X);
        notInUse(t, what);
    }

    /**
     * DROP TABLE, CREATE INDEX and DROP INDEX of a GLOBAL TEMPORARY table wait, through its table
     * lock, for the transactions writing it (a session's instance takes the definition's intention
     * lock), then are refused while a session's instance still holds rows: committed ones, ON COMMIT
     * PRESERVE ROWS (Oracle's ORA-14452). A session's own rows count too: TRUNCATE them first.
     */
    private static void notInUse(Table t, String what) {
        if (t.temporary() == null) return;
        for (Table instance : t.instances()) {
            boolean[] rows = {false};
            instance.store().forEachHead((id, slot) -> {
                Version head = Version.of(slot), committed = Version.latestCommitted(head);
                rows[0] = head.image != null || committed != null && committed.image != null;
                return !rows[0];
            });
            if (rows[0]) throw ErrorCode.TEMPORARY_TABLE_IN_USE.error(what, t.qualifiedName());
        }
    }

    /**
     * TRUNCATE TABLE of a GLOBAL TEMPORARY table: the session's own rows go (the open
     * transaction's committed first, as for any TRUNCATE); other sessions' stay. The rows are
     * deleted in transactions of {@link #TRUNCATE_SLICE} rows, whose undo stays within a
     * transaction's TempSize allowance: TRUNCATE is how a session gives back a TempSize its rows
     * filled, so it must not need any of it. No row locks: no one else reaches these rows.
     */
    private static void truncateInstance(Table instance, Session s) {
        TransactionManager tm = s.transactions();
        List<Long> rows = new ArrayList<>();
        instance.store().forEachHead((id, slot) -> {
            if (Version.of(slot).image != null) rows.add(id);
            return true;
        });
        for (int from = 0; from < rows.size(); from += TRUNCATE_SLICE) {
            Transaction t = tm.begin(Isolation.READ_COMMITTED, 0);
            try {
                for (long rowId : rows.subList(from, Math.min(rows.size(), from + TRUNCATE_SLICE))) tm.delete(t, instance, rowId);
                tm.commit(t, false); // (not durable: nothing of it is logged)
            } catch (RuntimeException | Error e) {
                tm.rollback(t);
                throw e;
            }
        }
    }

    /** Rows of a GLOBAL TEMPORARY table's instance one TRUNCATE transaction deletes (see truncateInstance). */
    static final int TRUNCATE_SLICE = 256;

    /** TT8225 for {@code what} on a cache group's table; {@code instead} says what to do. */
    private static void notCacheTable(Session s, Table t, String what, String instead) {
        CacheGroup g = s.catalog().cacheGroupOf(t);
        if (g != null) {
            throw ErrorCode.READ_ONLY_TABLE.error(t.qualifiedName() + " (" + what + ": " + instead + ")", g.qualifiedName());
        }
    }

    /** Cache group statements need CACHE_MANAGER (or ADMIN); altering, loading or dropping another user's group, ADMIN. */
    static void requireCacheManager(Session s, String owner) {
        Catalog cat = s.catalog();
        boolean admin = cat.has(s.user(), Privilege.ADMIN);
        if (!admin && !cat.has(s.user(), Privilege.CACHE_MANAGER)) throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "CACHE_MANAGER");
        if (!admin && !owner.equals(s.user().name())) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "ADMIN (for a cache group of " + owner + ")");
        }
    }

    /**
     * CREATE READONLY CACHE GROUP: the backend is checked (and, MODE INCREMENTAL, given its
     * change log) first, then the cache table and the group are logged. TimesTen's defaults: MODE
     * INCREMENTAL, INTERVAL 5 MINUTES, STATE PAUSED (the first LOAD turns it ON). CREATE
     * SYNCHRONOUS WRITETHROUGH CACHE GROUP: the same, with no autorefresh (MODE FULL, STATE OFF:
     * no change log, nothing refreshes it).
     */
    private static void createCacheGroup(Ast.CreateCacheGroup cg, Session s) {
        String owner = Executor.owner(cg.group(), s);
        requireCacheManager(s, owner);
        Catalog cat = s.catalog();
        String name = cg.group().name();
        if (cat.cacheGroup(owner, name) != null) throw ErrorCode.CACHE_GROUP_EXISTS.error(owner + "." + name);
        boolean several = cg.tables().size() > 1;
        // Rows that leave by themselves (aging, and a DYNAMIC group's aging by default) must take
        // their cache instance along: the root's, through ON DELETE CASCADE down every level.
        boolean cascading = cg.tables().stream().skip(1).allMatch(ct -> ct.foreignKeys().size() == 1
                && ct.foreignKeys().getFirst().references().onDelete() == ForeignKey.OnDelete.CASCADE);
        if (several && cg.dynamic() && !cascading) {
            throw ErrorCode.SEMANTIC_ERROR.error("the foreign keys of a DYNAMIC cache group of several tables are ON DELETE CASCADE: aging"
                    + " takes a root row with its cache instance");
        }
        List<CacheGroup.Member> members = new ArrayList<>();
        for (Ast.CreateTable ct : cg.tables()) {
            if (ct.primaryKey().isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("the table of a cache group needs a PRIMARY KEY");
            for (Ast.ColumnDef d : ct.columns()) {
                if (d.defaultSql() != null) throw ErrorCode.SEMANTIC_ERROR.error("a cache table's column takes its value from the backend: "
                        + d.name() + " may not have a DEFAULT");
            }
            if (several && ct.aging() != null && (!members.isEmpty() || !cascading)) {
                throw ErrorCode.SEMANTIC_ERROR.error("AGING on " + (members.isEmpty() ? "the root table of a cache group whose foreign keys"
                        + " are not all ON DELETE CASCADE" : "a child table of a cache group") + ": aging takes a root row with its"
                        + " cache instance, by ON DELETE CASCADE");
            }
            CacheGroup.Member m = new CacheGroup.Member(Executor.owner(ct.table(), s), ct.table().name());
            if (!members.isEmpty() && !m.owner().equals(members.getFirst().owner())) {
                throw ErrorCode.UNSUPPORTED.error("tables of one cache group in different schemas (" + m.qualifiedName() + " and "
                        + members.getFirst().qualifiedName() + ")");
            }
            if (members.contains(m)) throw ErrorCode.SEMANTIC_ERROR.error("table " + m.qualifiedName() + " is named twice in cache group " + name);
            groupForeignKeys(ct, m, members, s);
            members.add(m);
        }
        Ast.CreateTable root = cg.table();
        String tableOwner = members.getFirst().owner();
        List<CacheGroup.Member> children = members.subList(1, members.size());
        long cacheId = java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        CacheGroup g = cg.writethrough()
                ? new CacheGroup(owner, name, cacheId, tableOwner, root.table().name(), CacheGroup.Mode.FULL, CacheGroup.DEFAULT_INTERVAL_MS,
                        CacheGroup.State.OFF, false, true, cg.asynchronous(), cg.dynamic(), cg.usermanaged(), cg.propagate(), children)
                : cg.usermanaged() && cg.mode() == null && cg.intervalMs() == null && cg.state() == null
                ? new CacheGroup(owner, name, cacheId, tableOwner, root.table().name(), CacheGroup.Mode.FULL, CacheGroup.DEFAULT_INTERVAL_MS,
                        CacheGroup.State.OFF, false, false, false, false, true, false, children) // (a READONLY table without AUTOREFRESH: LOAD and REFRESH only)
                : new CacheGroup(owner, name, cacheId, tableOwner, root.table().name(),
                        cg.mode() != null ? cg.mode() : CacheGroup.Mode.INCREMENTAL,
                        cg.intervalMs() != null ? cg.intervalMs() : CacheGroup.DEFAULT_INTERVAL_MS,
                        cg.state() != null ? cg.state() : CacheGroup.State.PAUSED, false, false, false, cg.dynamic(), cg.usermanaged(), false, children);
        if (!cg.usermanaged() && cg.writethrough() && cg.conditions().stream().anyMatch(c -> !c.isEmpty())) {
            // As in TimesTen: a write-through table holds what its users write, not a chosen part of the backend's.
            throw ErrorCode.SEMANTIC_ERROR.error("a WHERE clause in a table of " + g.type() + " cache group " + g.qualifiedName()
                    + ": only READONLY and USERMANAGED groups cache a part of a backend table (LOAD ... WHERE loads a part of it)");
        }
        g = g.withConditions(cg.conditions());
        // The checks CREATE TABLE makes (they need no backend), every table's before the backend is touched.
        List<CatalogChange> changes = new ArrayList<>();
        List<CacheService.Shape> shapes = new ArrayList<>();
        Map<String, Self> made = new java.util.LinkedHashMap<>();
        Set<String> indexNames = new HashSet<>();
        for (Ast.CreateTable ct : cg.tables()) {
            lruAllowed(g, ct.aging()); // (createTableChange checks a time-based policy's column)
            CatalogChange.CreateTable change = createTableChange(ct, s, made);
            if (!made.isEmpty()) {
                CatalogChange.ForeignKeySpec fk = change.foreignKeys().getFirst();
                Self parent = made.get(fk.parentOwner() + "." + fk.parentName());
                if (!Catalog.sameColumns(fk.parentColumns(), parent.primaryKey())) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the FOREIGN KEY of child table " + change.owner() + "." + change.name()
                            + " references columns of " + parent.owner() + "." + parent.name() + " that are not its primary key (a cache"
                            + " instance's rows hang on their parents' keys)");
                }
            }
            for (CatalogChange.IndexSpec ix : change.indexes()) {
                if (!indexNames.add(ix.owner() + "." + ix.name())) throw ErrorCode.INDEX_EXISTS.error(ix.owner() + "." + ix.name());
            }
            Map<String, Integer> pos = new HashMap<>();
            for (int i = 0; i < change.columns().size(); i++) pos.put(change.columns().get(i).name(), i);
            made.put(change.owner() + "." + change.name(), new Self(change.owner(), change.name(), change.columns(), pos, change.primaryKey(),
                    change.indexes()));
            changes.add(change);
            List<String> columns = new ArrayList<>();
            for (Ast.ColumnDef d : ct.columns()) columns.add(d.name());
            shapes.add(new CacheService.Shape(columns, ct.primaryKey()));
        }
        changes.add(new CatalogChange.CreateCacheGroup(g));
        CacheService cache = s.cache();
        cache.prepare(g, shapes);
        try {
            changes(s, changes); // (the tables and the group: one transaction, all or none after a crash)
        } catch (RuntimeException e) {
            cache.dropped(g);
            throw e;
        }
        cache.changed();
    }

    /**
     * A cache group's tables hang together by foreign keys, as TimesTen's multiple-table groups:
     * the root (the first) references no table; each child has one foreign key, to the primary
     * key of a table named before it in the group (its parent). A cache instance is a root row
     * and the rows that reference it, and theirs.
     */
    private static void groupForeignKeys(Ast.CreateTable ct, CacheGroup.Member m, List<CacheGroup.Member> before, Session s) {
        if (before.isEmpty()) {
            if (!ct.foreignKeys().isEmpty()) {
                throw ErrorCode.SEMANTIC_ERROR.error("the root table of a cache group, " + m.qualifiedName() + ", references no table: name"
                        + " a child table after the table it references");
            }
            return;
        }
        if (ct.foreignKeys().size() != 1) {
            throw ErrorCode.SEMANTIC_ERROR.error("child table " + m.qualifiedName() + " of a cache group needs one FOREIGN KEY, to the primary"
                    + " key of a table named before it in the group (it has " + ct.foreignKeys().size() + ")");
        }
        Ast.References r = ct.foreignKeys().getFirst().references();
        CacheGroup.Member parent = new CacheGroup.Member(Executor.owner(r.table(), s), r.table().name());
        if (!before.contains(parent)) {
            throw ErrorCode.SEMANTIC_ERROR.error("the FOREIGN KEY of child table " + m.qualifiedName() + " references " + parent.qualifiedName()
                    + ", which is not a table named before it in the cache group");
        }
        if (r.onDelete() == ForeignKey.OnDelete.SET_NULL) {
            throw ErrorCode.SEMANTIC_ERROR.error("ON DELETE SET NULL in a cache group's foreign key (" + m.qualifiedName() + "): a row"
                    + " that references nothing is in no cache instance");
        }
    }

    private static void alterCacheGroup(Ast.AlterCacheGroup ag, Session s) {
        String owner = Executor.owner(ag.group(), s);
        requireCacheManager(s, owner);
        CacheGroup g = s.catalog().requireCacheGroup(owner, ag.group().name());
        if (g.restored()) throw ErrorCode.CACHE_GROUP_RESTORED.error(g.qualifiedName());
        if (g.writethrough()) throw ErrorCode.UNSUPPORTED.error("AUTOREFRESH on " + g.type() + " cache group " + g.qualifiedName());
        CacheGroup.Mode mode = ag.mode() != null ? ag.mode() : g.mode();
        long interval = ag.intervalMs() != null ? ag.intervalMs() : g.intervalMs();
        CacheGroup.State state = ag.state() != null ? ag.state() : g.state();
        CacheGroup next = g.with(mode, interval, state);
        if (next.equals(g)) return;
        if (mode == CacheGroup.Mode.INCREMENTAL && g.mode() != mode) {
            List<CacheService.Shape> shapes = new ArrayList<>();
            for (Table t : s.catalog().cacheTables(g)) shapes.add(new CacheService.Shape(columnNames(t), columnNames(t, t.primaryKey())));
            s.cache().prepare(next, shapes);
        }
        change(s, new CatalogChange.AlterCacheGroup(owner, g.name(), mode, interval, state));
        s.cache().altered(g, next);
        s.cache().changed();
    }

    private static void dropCacheGroup(Ast.DropCacheGroup dg, Session s, Transaction ddl) {
        String owner = Executor.owner(dg.group(), s);
        requireCacheManager(s, owner);
        CacheGroup g = s.catalog().requireCacheGroup(owner, dg.group().name());
        List<Table> tables = s.catalog().cacheTables(g);
        // Take the tables' locks before the group goes, so a refresh under way finishes first.
        for (Table t : tables) s.transactions().lockTable(ddl, t, LockMode.X);
        change(s, new CatalogChange.DropCacheGroup(owner, g.name()));
        for (Table t : tables.reversed()) dropTable(t, false, s, ddl); // (children first: nothing references a table when it goes)
        s.cache().changed();
        // (a restored group's backend objects may be the source database's; a synchronous or user-managed one has none)
        if (!g.restored() && !g.synchronous() && !g.flushed()) s.cache().dropped(g);
    }

    private static List<String> columnNames(Table t) {
        List<String> out = new ArrayList<>();
        for (io.hourglass.engine.catalog.Column c : t.columns()) out.add(c.name());
        return out;
    }

    private static List<String> columnNames(Table t, int[] positions) {
        List<String> out = new ArrayList<>();
        for (int p : positions) out.add(t.columns().get(p).name());
        return out;
    }

    /** A sequence by its (possibly unqualified) name; TT90041 if there is none. */
    static Sequence sequence(Ast.Name n, Session s) {
        return CatalogChanges.requireSequence(s.catalog(), Executor.owner(n, s), n.name());
    }

    /** The most values a sequence hands out per durable restart point (CACHE). */
    static final long MAX_CACHE = 1_000_000;

    /**
     * CREATE SEQUENCE, with TimesTen's defaults: INCREMENT BY 1; ascending from MINVALUE 1 to
     * MAXVALUE 2^63-1, descending from MAXVALUE -1 down to MINVALUE -(2^63-1); START WITH the
     * first bound it runs from; NOCYCLE; CACHE 20. The name may not be a table's, nor a table's
     * a sequence's. Privileges as for CREATE TABLE.
     */
    private static void createSequence(Ast.CreateSequence cs, Session s) {
        String owner = creator(cs.sequence(), s, "CREATE SEQUENCE (CREATE TABLE)");
        Catalog cat = s.catalog();
        String name = cs.sequence().name();
        nameFree(cat, owner, name);
        long inc = cs.increment() == null ? 1 : cs.increment();
        if (inc == 0) throw ErrorCode.SEMANTIC_ERROR.error("INCREMENT BY may not be 0");
        long min = cs.min() != null ? cs.min() : inc > 0 ? 1 : -Long.MAX_VALUE;
        long max = cs.max() != null ? cs.max() : inc > 0 ? Long.MAX_VALUE : -1;
        if (min >= max) throw ErrorCode.SEMANTIC_ERROR.error("MINVALUE " + min + " must be below MAXVALUE " + max);
        long start = cs.start() != null ? cs.start() : inc > 0 ? min : max;
        if (start < min || start > max) {
            throw ErrorCode.SEMANTIC_ERROR.error("START WITH " + start + " must be between MINVALUE " + min + " and MAXVALUE " + max);
        }
        long cache = cs.cache() == null ? 20 : cs.cache();
        if (cache < 1 || cache > MAX_CACHE) throw ErrorCode.SEMANTIC_ERROR.error("CACHE must be between 1 and " + MAX_CACHE + ", not " + cache);
        change(s, new CatalogChange.CreateSequence(owner, name, inc, min, max, Boolean.TRUE.equals(cs.cycle()), cache, start));
    }

    /** A name a new table, sequence or view may take: TT2207 or TT90042 if one of them has it. */
    private static void nameFree(Catalog cat, String owner, String name) {
        if (cat.table(owner, name) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + name, "table");
        if (cat.sequence(owner, name) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + name, "sequence");
        if (cat.view(owner, name) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + name, "view");
        if (cat.synonym(owner, name) != null) throw ErrorCode.NAME_IN_USE.error(owner + "." + name, "synonym");
    }

    /**
     * CREATE [OR REPLACE] [PUBLIC] SYNONYM, TimesTen's and Oracle's: a private synonym takes a name
     * of its owner's schema (shared with tables, views and sequences; OR REPLACE replaces only a
     * synonym), by CREATE SYNONYM in one's own schema or CREATE ANY SYNONYM; a public one, by
     * CREATE PUBLIC SYNONYM, has no owner. The object, unqualified in the creator's schema, need
     * not exist yet; a chain that would come back to the synonym is TT3074.
     */
    private static void createSynonym(Ast.CreateSynonym cy, Session s) {
        Catalog cat = s.catalog();
        String name = cy.synonym().name(), owner;
        if (cy.isPublic() || (cy.synonym().owner() != null && cat.isPublic(cy.synonym().owner()))) {
            if (!cy.isPublic() || cy.synonym().owner() != null) throw ErrorCode.PUBLIC_SYNONYM_OWNER.error(cy.synonym().owner() + "." + name);
            Executor.require(s, Privilege.CREATE_PUBLIC_SYNONYM);
            owner = null;
            if (!cy.orReplace() && cat.synonym(null, name) != null) throw ErrorCode.NAME_IN_USE.error(Catalog.PUBLIC + "." + name, "public synonym");
        } else {
            owner = Executor.owner(cy.synonym(), s);
            if (owner.equals(s.user().name())) {
                if (!cat.has(s.user(), Privilege.CREATE_SYNONYM)) Executor.require(s, Privilege.CREATE_ANY_SYNONYM);
            } else {
                Executor.require(s, Privilege.CREATE_ANY_SYNONYM);
                if (cat.user(owner) == null) throw ErrorCode.USER_NOT_FOUND.error(owner);
            }
            if (cat.table(owner, name) != null || cat.view(owner, name) != null || cat.sequence(owner, name) != null
                    || (!cy.orReplace() && cat.synonym(owner, name) != null)) {
                nameFree(cat, owner, name);
            }
        }
        String targetOwner = Executor.owner(cy.target(), s), targetName = cy.target().name();
        if (targetOwner.equals(owner) && targetName.equals(name)) throw ErrorCode.SYNONYM_SAME_AS_OBJECT.error(owner + "." + name);
        // (a public synonym is never met past a chain's first name, so only a private one can loop)
        if (owner != null && cat.synonymWouldLoop(owner, name, targetOwner, targetName)) throw ErrorCode.SYNONYM_LOOP.error(owner + "." + name);
        change(s, new CatalogChange.CreateSynonym(owner, name, targetOwner, targetName));
    }

    /** DROP [PUBLIC] SYNONYM: one's own, or another's by DROP ANY SYNONYM; a public one by DROP PUBLIC SYNONYM. */
    private static void dropSynonym(Ast.DropSynonym dy, Session s) {
        Catalog cat = s.catalog();
        String name = dy.synonym().name(), owner = null;
        if (dy.isPublic()) {
            if (dy.synonym().owner() != null) throw ErrorCode.PUBLIC_SYNONYM_OWNER.error(dy.synonym().owner() + "." + name);
            Executor.require(s, Privilege.DROP_PUBLIC_SYNONYM);
        } else {
            owner = Executor.owner(dy.synonym(), s);
            if (!owner.equals(s.user().name())) Executor.require(s, Privilege.DROP_ANY_SYNONYM);
        }
        if (cat.synonym(owner, name) == null) throw ErrorCode.SYNONYM_NOT_FOUND.error((owner == null ? Catalog.PUBLIC : owner) + "." + name);
        change(s, new CatalogChange.DropSynonym(owner, name));
    }

    /**
     * CREATE [OR REPLACE] VIEW (replacing keeps the view's grants): its query is planned now, as the owner, so that it names tables and columns
     * that exist and the owner may read; it may have no parameters, and its columns (its own
     * names or the list's) must be distinct; its {@code *}s are stored written out. Privileges as
     * for CREATE TABLE.
     */
    private static void createView(Ast.CreateView cv, Session s) {
        String owner = creator(cv.view(), s, "CREATE VIEW (CREATE TABLE)");
        Catalog cat = s.catalog();
        String name = cv.view().name();
        boolean replace = cv.orReplace() && cat.view(owner, name) != null;
        if (!replace) nameFree(cat, owner, name);
        Parser.Parsed p = Parser.parse(cv.sql());
        Executor.QueryPlan q = Executor.planQuery((Ast.Select) p.stmt(), new AsUser(s, cat.user(owner), 1), null, null);
        List<String> names = cv.columns().isEmpty() ? q.columns.stream().map(ResultColumn::name).toList() : cv.columns();
        if (names.size() != q.columns.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("view " + name + " names " + names.size() + " columns but its query has " + q.columns.size());
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("the columns of view " + name + " must have distinct names (give the query's columns aliases): "
                    + names);
        }
        change(s, new CatalogChange.CreateView(owner, name, List.copyOf(cv.columns()), expandStars(cv.sql(), q), replace));
    }

    /**
     * The view's query with each {@code *} of its select list (and of each query of a UNION)
     * written out as the columns it stands for now, as Oracle stores a view: a column added to
     * a table later does not appear in the view, and a view with a column list keeps working.
     * Left as written if some {@code *} cannot be written out (a derived table without an alias).
     */
    private static String expandStars(String sql, Executor.QueryPlan q) {
        List<Executor.StarExpansion> stars = new ArrayList<>();
        collectStars(q, stars);
        stars.sort(java.util.Comparator.comparingInt(Executor.StarExpansion::start).reversed());
        StringBuilder b = new StringBuilder(sql);
        for (Executor.StarExpansion x : stars) {
            String text = x.text();
            if (text == null || x.start() < 0) return sql;
            b.replace(x.start(), x.end(), text);
        }
        return b.toString();
    }

    /** The {@code *}s of a query's select lists that make its result columns: its own, or each of its set operation's queries'. */
    private static void collectStars(Executor.QueryPlan q, List<Executor.StarExpansion> out) {
        if (q.terms == null) out.addAll(q.stars);
        else for (Executor.QueryPlan term : q.terms) collectStars(term, out);
    }

    private static void requireOwnerOrAdmin(Session s, Table t, String what) { requireOwnerOrAdmin(s, t.owner(), t.qualifiedName(), what); }

    private static void requireOwnerOrAdmin(Session s, String owner, String object, String what) {
        if (!owner.equals(s.user().name()) && !s.catalog().has(s.user(), Privilege.ADMIN)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), what + " on " + object);
        }
    }

    private static void createIndex(Ast.CreateIndex ci, Session s, Transaction ddl) {
        Table t = Executor.table(Executor.resolve(ci.table(), s), s); // (TimesTen's CREATE INDEX takes a synonym of the table)
        requireOwnerOrAdmin(s, t, "CREATE INDEX");
        String owner = ci.index().owner() != null ? ci.index().owner() : t.owner();
        int[] cols = positions(ci.columns(), Executor.columnPositions(t), t.qualifiedName());
        if (new HashSet<>(ci.columns()).size() != cols.length) throw ErrorCode.SEMANTIC_ERROR.error("an index column appears twice");
        s.catalog().checkIndexNameFree(owner, ci.index().name());
        // Shared lock: writers finish first and none start until the index is in place.
        s.transactions().lockTable(ddl, t, LockMode.S);
        notInUse(t, "CREATE INDEX");
        buildIndex(t, new CatalogChange.IndexSpec(owner, ci.index().name(), cols, ci.unique(), Executor.kind(ci.hash()), false), s);
    }

    /**
     * Builds index {@code spec} of {@code t} from its rows (TT0907 if a unique one meets a key
     * twice), charges its entries to PermSize, logs it and puts it in place. The caller holds
     * {@code t} shared, so no writer changes the rows meanwhile.
     */
    private static void buildIndex(Table t, CatalogChange.IndexSpec spec, Session s) {
        IndexDef ix = CatalogChanges.index(spec);
        long bytes = fill(t, ix) * MemoryAccount.INDEX_ENTRY_OVERHEAD;
        s.transactions().memory().reserve(bytes);
        try {
            s.transactions().logCatalogChange(new CatalogChange.CreateIndex(t.owner(), t.name(), spec));
        } catch (RuntimeException e) {
            s.transactions().memory().release(bytes);
            throw e;
        }
        s.catalog().addIndex(t, ix); // already filled: what CatalogChanges.apply would do, plus the rows
    }

    /**
     * Puts every version of every row of {@code t} into {@code ix}; fails with TT0907 if a unique
     * index would have two current rows with one key. Returns the number of entries.
     */
    static long fill(Table t, IndexDef ix) {
        Map<Key, Long> seen = ix.unique() ? new HashMap<>() : null;
        long[] entries = {0};
        t.store().forEachHead((id, slot) -> {
            Version head = Version.of(slot);
            Version latest = Version.latestCommitted(head);
            for (Version v = head; v != null; v = v.prev()) {
                if (v.image == null) continue;
                Key k = ix.keyOf(t.codec().decode(v.image));
                ix.index().insert(k, id);
                entries[0]++;
                if (seen != null && v == latest && !k.hasNull() && seen.putIfAbsent(k, id) != null) {
                    throw ErrorCode.UNIQUE_VIOLATION.error(ix.qualifiedName() + " on " + t.qualifiedName() + " key " + k);
                }
            }
            return true;
        });
        return entries[0];
    }

    private static void dropIndex(Ast.DropIndex di, Session s, Transaction ddl) {
        String owner = Executor.owner(di.index(), s);
        IndexDef ix = s.catalog().index(owner, di.index().name());
        if (ix == null) throw ErrorCode.INDEX_NOT_FOUND.error(owner + "." + di.index().name());
        Table t = s.catalog().tableOfIndex(ix);
        if (di.table() != null && Executor.table(Executor.resolve(di.table(), s), s) != t) {
            throw ErrorCode.INDEX_NOT_FOUND.error(ix.qualifiedName() + " on " + Executor.owner(di.table(), s) + "." + di.table().name());
        }
        requireOwnerOrAdmin(s, t, "DROP INDEX");
        if (ix.constraint() && s.catalog().foreignKeysUsing(ix).isEmpty()) { // (one a foreign key uses: TT3003 below)
            throw ErrorCode.CANNOT_DROP.error("index " + ix.qualifiedName(), "it enforces a PRIMARY KEY or UNIQUE constraint");
        }
        dropIndexNow(ix, t, s, ddl);
    }

    /**
     * ALTER TABLE ADD FOREIGN KEY: shared locks on the child and the parent while every row of
     * the child is checked against the parent (TT3001 names the first that has no parent) and
     * the constraint's index is built; writers of either finish first and wait until it is in
     * place. ALTER TABLE DROP CONSTRAINT waits for every user of the table (as DROP INDEX).
     */
    private static void alterTable(Ast.AlterTable at, Session s, Transaction ddl) {
        Table t = Executor.table(at.table(), s);
        requireOwnerOrAdmin(s, t, "ALTER TABLE");
        notCacheTable(s, t, "ALTER TABLE", "its columns are the backend table's; drop and create the cache group");
        if (at.add() != null) notTemporary(t, "a FOREIGN KEY of");
        notInUse(s, ddl, t, "ALTER TABLE");
        Catalog cat = s.catalog();
        TransactionManager tm = s.transactions();
        if (at.addCheck() != null) {
            addCheck(t, at.addCheck(), s, ddl);
            return;
        }
        if (!at.addColumns().isEmpty() || !at.dropColumns().isEmpty()) {
            alterColumns(t, at, s, ddl);
            return;
        }
        if (!at.modifyColumns().isEmpty()) {
            modifyColumns(t, at.modifyColumns(), s, ddl);
            return;
        }
        if (at.drop() != null) {
            ForeignKey fk = t.foreignKey(at.drop());
            if (fk == null && CatalogChanges.check(t, at.drop()) != null) {
                tm.lockTable(ddl, t, LockMode.X);
                change(s, new CatalogChange.DropForeignKey(t.owner(), t.name(), at.drop()));
                return;
            }
            IndexDef unique = fk == null ? s.catalog().index(t.owner(), at.drop()) : null;
            if (unique != null && unique.constraint() && unique.unique() && s.catalog().tableOfIndex(unique) == t
                    && !java.util.Arrays.equals(unique.columns(), t.primaryKey())) {
                dropIndexNow(unique, t, s, ddl); // a UNIQUE constraint, by its name (Oracle's way)
                return;
            }
            if (fk == null) throw ErrorCode.CONSTRAINT_NOT_FOUND.error(t.owner() + "." + at.drop(), t.qualifiedName());
            dropForeignKey(fk, s, ddl);
            return;
        }
        Ast.ForeignKeyDef d = at.add();
        String name = d.name() != null ? d.name() : freeConstraintName(cat, t.owner(), t.name(), Set.of());
        cat.checkIndexNameFree(t.owner(), name);
        CatalogChange.ForeignKeySpec spec = foreignKey(d, name, Self.of(t), Map.of(), s);
        Table parent = cat.requireTable(spec.parentOwner(), spec.parentName());
        tm.lockTable(ddl, t, LockMode.S);
        if (parent != t) tm.lockTable(ddl, parent, LockMode.S);
        IndexDef parentIndex = Catalog.uniqueIndexOn(parent, spec.parentColumns());
        if (parentIndex == null) throw ErrorCode.FOREIGN_KEY_NO_UNIQUE_INDEX.error(parent.qualifiedName()); // dropped while we waited
        ForeignKeys.checkExisting(t, spec, parent, parentIndex);
        IndexDef ix = CatalogChanges.index(new CatalogChange.IndexSpec(t.owner(), name, spec.columns(), false, IndexDef.Kind.RANGE, true));
        long bytes = fill(t, ix) * MemoryAccount.INDEX_ENTRY_OVERHEAD;
        tm.memory().reserve(bytes);
        try {
            tm.logCatalogChange(new CatalogChange.AddForeignKey(t.owner(), t.name(), spec));
        } catch (RuntimeException e) {
            tm.memory().release(bytes);
            throw e;
        }
        cat.addIndex(t, ix); // already filled; the constraint then finds it by name
        CatalogChanges.apply(cat, new CatalogChange.AddForeignKey(t.owner(), t.name(), spec));
    }

    /** Drops a foreign key and its index, once every user of its table is done (exclusive lock). */
    private static void dropForeignKey(ForeignKey fk, Session s, Transaction ddl) {
        TransactionManager tm = s.transactions();
        Table t = fk.child();
        tm.lockTable(ddl, t, LockMode.X);
        change(s, new CatalogChange.DropForeignKey(t.owner(), t.name(), fk.name()));
        tm.memory().release(tm.retire(fk.childIndex()));
    }

    /**
     * ALTER TABLE ADD / DROP COLUMN. The table is written anew (see
     * {@link CatalogChange.AlterColumns}) under an exclusive lock on it and on every table a
     * foreign key links it with, whose constraints are linked again to the new table: their users
     * finish first, and wait until the new table is in place. Statements already reading the old
     * table go on reading it. An added column's DEFAULT (evaluated once) fills the rows already
     * there; NOT NULL needs a DEFAULT unless the table is empty, UNIQUE a table of at most one row
     * or no DEFAULT. A dropped column may not be in the primary key, a foreign key, a CHECK
     * constraint or a UNIQUE constraint of several columns; the indexes on it go with it. Until the
     * old table is given back, PermSize holds both copies.
     */
    private static void alterColumns(Table t, Ast.AlterTable at, Session s, Transaction ddl) {
        TransactionManager tm = s.transactions();
        String table = t.qualifiedName();
        Set<String> names = new HashSet<>();
        for (var c : t.columns()) names.add(c.name());
        List<String> dropped = new ArrayList<>();
        for (String d : at.dropColumns()) {
            if (!names.contains(d)) throw ErrorCode.COLUMN_NOT_FOUND.error(table + "." + d);
            if (dropped.contains(d)) throw ErrorCode.SEMANTIC_ERROR.error("column " + d + " is named twice");
            if (t.aging() != null && t.aging().uses(d)) {
                throw ErrorCode.CANNOT_DROP.error("column " + table + "." + d, "it is the table's aging column (DROP AGING first)");
            }
            dropped.add(d);
        }
        if (!dropped.isEmpty() && dropped.size() == t.columns().size()) {
            throw ErrorCode.CANNOT_DROP.error("every column of " + table, "a table needs at least one column (DROP TABLE drops it)");
        }
        Set<Integer> gone = droppable(t, dropped);
        int columns = t.columns().size() - dropped.size() + at.addColumns().size();
        if (columns > MAX_COLUMNS) throw ErrorCode.SEMANTIC_ERROR.error("a table has at most " + MAX_COLUMNS + " columns; " + table + " would have " + columns);
        List<CatalogChange.ColumnSpec> added = new ArrayList<>();
        List<CatalogChange.IndexSpec> indexes = new ArrayList<>();
        io.hourglass.engine.catalog.SqlType[] types = new io.hourglass.engine.catalog.SqlType[at.addColumns().size()];
        Object[] fill = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Ast.ColumnDef d = at.addColumns().get(i);
            if (!names.add(d.name())) throw ErrorCode.SEMANTIC_ERROR.error(table + " already has a column " + d.name());
            notRowId(d.name());
            types[i] = d.type();
            // (the rows there take the DEFAULT as if this user inserted them: USER is the one altering)
            if (d.defaultSql() != null) {
                fill[i] = d.type().coerce(CatalogChanges.defaultOf(d.defaultSql()).apply(s.user().name()), table + "." + d.name());
            }
            added.add(CatalogChange.ColumnSpec.of(d.name(), d.type(), d.notNull(), d.defaultSql()));
            if (d.unique()) {
                String ixName = freeName(t.name() + "_UQ", 1, n -> s.catalog().index(t.owner(), n) != null
                        || indexes.stream().anyMatch(x -> x.name().equals(n)));
                indexes.add(new CatalogChange.IndexSpec(t.owner(), ixName, new int[] {columns - types.length + i}, true, IndexDef.Kind.RANGE, true));
            }
        }
        lockLinked(t, tm, ddl);
        long[] rows = {0}, bytes = {0};
        t.store().forEachHead((id, slot) -> {
            Version v = Version.latestCommitted(Version.of(slot));
            if (v != null && v.image != null) {
                rows[0]++;
                bytes[0] += v.image.length;
            }
            return true;
        });
        for (int i = 0; i < types.length; i++) {
            Ast.ColumnDef d = at.addColumns().get(i);
            if (d.notNull() && fill[i] == null && rows[0] > 0) {
                throw ErrorCode.NOT_NULL_VIOLATION.error(table + "." + d.name() + " (it is added NOT NULL to a table with rows:"
                        + " give it a DEFAULT)");
            }
            if (d.unique() && fill[i] != null && rows[0] > 1) {
                throw ErrorCode.UNIQUE_VIOLATION.error(table + "." + d.name() + " (its DEFAULT would give " + rows[0]
                        + " rows one value)");
            }
        }
        byte[] fillImage = new io.hourglass.engine.store.RowCodec(types).encode(fill);
        // PermSize for the new copy, at most: each row's image grows by the added values and a
        // byte of null bitmap; what it holds exactly is counted once it is there.
        int indexCount = indexes.size();
        for (IndexDef ix : t.indexes()) if (java.util.Arrays.stream(ix.columns()).noneMatch(gone::contains)) indexCount++;
        long reserved = bytes[0] + rows[0] * (fillImage.length + 1 + MemoryAccount.VERSION_OVERHEAD
                + (long) indexCount * MemoryAccount.INDEX_ENTRY_OVERHEAD);
        rewrite(t, new CatalogChange.AlterColumns(t.owner(), t.name(), s.catalog().nextTableId(), List.copyOf(dropped),
                List.copyOf(added), fillImage, List.copyOf(indexes)), reserved, s);
    }

    /**
     * Logs and applies a change that writes table {@code t} anew (ADD / DROP COLUMN, MODIFY),
     * with {@code reserved} bytes of PermSize for the new copy (given back if the log refuses
     * it); fills the new table's indexes, then counts what the new copy holds and retires the
     * old one.
     */
    private static void rewrite(Table t, CatalogChange change, long reserved, Session s) {
        TransactionManager tm = s.transactions();
        tm.memory().reserve(reserved);
        try {
            tm.logCatalogChange(change);
        } catch (RuntimeException e) {
            tm.memory().release(reserved);
            throw e;
        }
        CatalogChanges.apply(s.catalog(), change);
        Table fresh = s.catalog().table(t.owner(), t.name());
        for (IndexDef ix : fresh.indexes()) fill(fresh, ix);
        tm.memory().release(reserved - tm.held(fresh));
        tm.memory().release(tm.retire(t));
    }

    /**
     * ALTER TABLE MODIFY: columns take a new type, NOT NULL or NULL, or DEFAULT, in their place.
     * When every stored row already meets the new definitions as it is ({@code SqlType.sameImage}:
     * a longer VARCHAR2, more NUMBER digits at the same scale, a DEFAULT, NULL, NOT NULL once the
     * rows are checked), only the definitions change, in place, under the same locks. Otherwise
     * the table is written anew as for ADD / DROP COLUMN (the same locks and PermSize), each value
     * of a retyped column converted: one that does not fit the new type (a string too long, a
     * number out of range or with more digits than the scale keeps is rounded as an INSERT would
     * round it) fails the statement with its number before anything changes, and so does a NULL
     * in a column made NOT NULL. A column of the primary key stays NOT NULL, and one of a foreign
     * key (either side) keeps its type, which must match the other side's.
     */
    private static void modifyColumns(Table t, List<Ast.ModifyColumn> changes, Session s, Transaction ddl) {
        TransactionManager tm = s.transactions();
        String table = t.qualifiedName();
        Set<Integer> pk = new HashSet<>();
        for (int p : t.primaryKey()) pk.add(p);
        Set<Integer> inForeignKeys = new HashSet<>();
        for (ForeignKey fk : t.foreignKeys()) for (int c : fk.childColumns()) inForeignKeys.add(c);
        for (ForeignKey fk : t.referencedBy()) for (int c : fk.parentColumns()) inForeignKeys.add(c);
        List<CatalogChange.ColumnSpec> modified = new ArrayList<>();
        int[] positions = new int[changes.size()];
        for (int i = 0; i < changes.size(); i++) {
            Ast.ModifyColumn m = changes.get(i);
            int p = -1;
            for (int c = 0; c < t.columns().size(); c++) if (t.columns().get(c).name().equals(m.name())) p = c;
            if (p < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(table + "." + m.name());
            for (int j = 0; j < i; j++) {
                if (positions[j] == p) throw ErrorCode.SEMANTIC_ERROR.error("column " + m.name() + " is named twice");
            }
            positions[i] = p;
            io.hourglass.engine.catalog.Column old = t.columns().get(p);
            io.hourglass.engine.catalog.SqlType type = m.type() != null ? m.type() : old.type();
            boolean notNull = m.notNull() != null ? m.notNull() : old.notNull();
            String defaultSql = m.defaultGiven() ? m.defaultSql() : old.defaultSql();
            if (pk.contains(p) && !notNull) {
                throw ErrorCode.SEMANTIC_ERROR.error(table + "." + m.name() + " is in the primary key: it stays NOT NULL");
            }
            if (inForeignKeys.contains(p) && !type.equals(old.type())) {
                throw ErrorCode.FOREIGN_KEY_TYPE_MISMATCH.error(table + "." + m.name() + " is in a foreign key: its type must stay "
                        + old.type().kind().sqlName() + ", the other side's");
            }
            if (t.aging() != null && t.aging().uses(m.name())) agingColumn(table + "." + m.name(), type, notNull);
            if (defaultSql != null) type.coerce(CatalogChanges.defaultOf(defaultSql).apply(s.user().name()), table + "." + m.name()); // fits its column
            modified.add(CatalogChange.ColumnSpec.of(m.name(), type, notNull, defaultSql));
        }
        boolean same = true;
        for (int i = 0; i < positions.length; i++) {
            io.hourglass.engine.catalog.Column old = t.columns().get(positions[i]);
            same &= CatalogChange.ColumnSpec.of(old.name(), old.type(), old.notNull(), old.defaultSql()).equals(modified.get(i));
        }
        if (same) return;
        // In place when every stored row already meets the new definitions as it is: a type with
        // more room, a DEFAULT, NULL; a column made NOT NULL only needs its rows checked.
        boolean inPlace = true, tightened = false;
        for (int i = 0; i < positions.length; i++) {
            io.hourglass.engine.catalog.Column old = t.columns().get(positions[i]);
            inPlace &= old.type().sameImage(modified.get(i).type());
            tightened |= modified.get(i).notNull() && !old.notNull();
        }
        lockLinked(t, tm, ddl);
        if (inPlace) {
            if (tightened) checkRows(t, positions, modified, List.of());
            change(s, new CatalogChange.ModifyColumnsInPlace(t.owner(), t.name(), List.copyOf(modified)));
            return;
        }
        // Every row must take its new definition before anything is logged, and a unique index
        // over a retyped column keep its keys apart (NUMBER(8,2) to NUMBER(8) makes 1.2 and 1.4 one).
        Set<Integer> retyped = new HashSet<>();
        for (int i = 0; i < positions.length; i++) if (!modified.get(i).type().equals(t.columns().get(positions[i]).type())) retyped.add(positions[i]);
        List<IndexDef> uniques = new ArrayList<>();
        for (IndexDef ix : t.indexes()) {
            if (ix.unique() && java.util.Arrays.stream(ix.columns()).anyMatch(retyped::contains)) uniques.add(ix);
        }
        long[] rows = checkRows(t, positions, modified, uniques);
        // PermSize for the new copy, at most: a retyped value may grow, by a few bytes at most
        // except for strings and binaries, whose new length bounds it.
        long reserved = rows[1] + rows[0] * (8L * positions.length + MemoryAccount.VERSION_OVERHEAD
                + (long) t.indexes().size() * MemoryAccount.INDEX_ENTRY_OVERHEAD);
        rewrite(t, new CatalogChange.ModifyColumns(t.owner(), t.name(), s.catalog().nextTableId(), List.copyOf(modified)), reserved, s);
    }

    /**
     * Every row of {@code t} (the caller holds it exclusively) takes the columns' new definitions:
     * each value converts (else its number), none is NULL in a column made NOT NULL (TT90001),
     * and no two rows share a key of {@code uniques} once converted (TT0907). Returns the rows
     * and the bytes of their images.
     */
    private static long[] checkRows(Table t, int[] positions, List<CatalogChange.ColumnSpec> modified, List<IndexDef> uniques) {
        String table = t.qualifiedName();
        List<Set<Key>> keys = new ArrayList<>();
        for (int i = 0; i < uniques.size(); i++) keys.add(new HashSet<>());
        long[] rows = {0, 0};
        t.store().forEachHead((id, slot) -> {
            Version v = Version.latestCommitted(Version.of(slot));
            if (v == null || v.image == null) return true;
            rows[0]++;
            rows[1] += v.image.length;
            Object[] row = t.codec().decode(v.image);
            for (int i = 0; i < positions.length; i++) {
                CatalogChange.ColumnSpec m = modified.get(i);
                Object value = m.type().coerce(row[positions[i]], table + "." + m.name());
                if (value == null && m.notNull()) {
                    throw ErrorCode.NOT_NULL_VIOLATION.error(table + "." + m.name() + " (a row has NULL there: it cannot be made NOT NULL)");
                }
                row[positions[i]] = value;
            }
            for (int i = 0; i < uniques.size(); i++) {
                Key k = uniques.get(i).keyOf(row);
                if (!k.hasNull() && !keys.get(i).add(k)) {
                    throw ErrorCode.UNIQUE_VIOLATION.error(uniques.get(i).qualifiedName() + " on " + table + " key " + k
                            + " (two rows would share it once converted)");
                }
            }
            return true;
        });
        return rows;
    }

    /**
     * The positions of {@code dropped}, columns of {@code t}, once it is sure they may go: none in
     * the primary key, a foreign key (either side), a UNIQUE constraint of several columns or a
     * CHECK constraint.
     */
    private static Set<Integer> droppable(Table t, List<String> dropped) {
        String table = t.qualifiedName();
        Set<Integer> gone = new HashSet<>();
        for (String d : dropped) gone.add(t.columnIndex(d));
        for (int c : t.primaryKey()) {
            if (gone.contains(c)) throw ErrorCode.CANNOT_DROP.error("column " + table + "." + t.columns().get(c).name(), "it is in the primary key");
        }
        for (ForeignKey fk : t.foreignKeys()) {
            for (int c : fk.childColumns()) if (gone.contains(c)) throw ErrorCode.FOREIGN_KEY_IN_USE.error(
                    "column " + table + "." + t.columns().get(c).name() + " is in foreign key " + fk.qualifiedName());
        }
        for (ForeignKey fk : t.referencedBy()) {
            for (int c : fk.parentColumns()) if (gone.contains(c)) throw ErrorCode.FOREIGN_KEY_IN_USE.error(
                    "column " + table + "." + t.columns().get(c).name() + " is referenced by foreign key " + fk.qualifiedName()
                            + " of " + fk.child().qualifiedName());
        }
        for (IndexDef ix : t.indexes()) {
            if (ix.constraint() && ix.columns().length > 1 && java.util.Arrays.stream(ix.columns()).anyMatch(gone::contains)) {
                throw ErrorCode.CANNOT_DROP.error("column " + table + "." + t.columns().get(
                        java.util.Arrays.stream(ix.columns()).filter(gone::contains).findFirst().getAsInt()).name(),
                        "it is in the UNIQUE constraint " + ix.qualifiedName() + " of several columns");
            }
        }
        if (!dropped.isEmpty()) {
            List<io.hourglass.engine.catalog.Column> left = new ArrayList<>();
            for (var c : t.columns()) if (!dropped.contains(c.name())) left.add(c);
            Table shape = new Table(-1, t.owner(), t.name(), left, new int[0]);
            for (Table.Check ck : t.checks()) {
                try {
                    CatalogChanges.condition(shape, ck.sql());
                } catch (io.hourglass.engine.HourglassException e) {
                    if (e.code() != ErrorCode.COLUMN_NOT_FOUND) throw e;
                    throw ErrorCode.CANNOT_DROP.error("column " + dropped + " of " + table, "CHECK constraint " + t.owner() + "."
                            + ck.name() + " reads it (" + ck.sql() + "); drop the constraint first");
                }
            }
        }
        return gone;
    }

    /**
     * The locks a statement that replaces a table takes: exclusive on the table, then on every
     * table a foreign key links it with, whose constraints are linked again to the new table.
     */
    private static void lockLinked(Table t, TransactionManager tm, Transaction ddl) {
        tm.lockTable(ddl, t, LockMode.X);
        for (ForeignKey fk : t.foreignKeys()) if (fk.parent() != t) tm.lockTable(ddl, fk.parent(), LockMode.X);
        for (ForeignKey fk : t.referencedBy()) if (fk.child() != t) tm.lockTable(ddl, fk.child(), LockMode.X);
    }

    /**
     * TRUNCATE TABLE, TimesTen's: the table's owner, ADMIN, or a holder of DELETE on it empties
     * it in one step, a log record rather than one per row. DDL: it commits the open transaction
     * first and cannot be rolled back. The table is replaced by an empty one (as ALTER TABLE does
     * it, so queries already reading it finish on the old rows) and what it held in PermSize is
     * given back at once. Refused (TT3003) while another table's foreign key references it, even
     * an empty one, as in Oracle: DELETE checks the children, TRUNCATE does not.
     */
    private static void truncateTable(Ast.TruncateTable tt, Session s, Transaction ddl) {
        Table t = Executor.table(tt.table(), s);
        Executor.require(s, Privilege.DELETE, t);
        notCacheTable(s, t, "TRUNCATE TABLE", "UNLOAD CACHE GROUP empties it");
        if (t.temporary() != null) {
            truncateInstance(s.temporaryInstance(t), s);
            return;
        }
        for (ForeignKey fk : t.referencedBy()) {
            if (fk.child() != t) {
                throw ErrorCode.FOREIGN_KEY_IN_USE.error("table " + t.qualifiedName() + " is referenced by " + fk.qualifiedName() + " of "
                        + fk.child().qualifiedName() + "; TRUNCATE cannot check its rows (DELETE does), or drop the constraint first");
            }
        }
        TransactionManager tm = s.transactions();
        lockLinked(t, tm, ddl);
        change(s, new CatalogChange.TruncateTable(t.owner(), t.name(), s.catalog().nextTableId()));
        tm.memory().release(tm.retire(t));
    }

    /**
     * ALTER TABLE ADD CHECK: under a shared lock on the table (its writers finish first and wait
     * until the constraint is in place) every row is checked (TT90045 names the condition the first
     * row that fails it fails), then the constraint is logged and applied.
     */
    private static void addCheck(Table t, Ast.CheckDef d, Session s, Transaction ddl) {
        java.util.function.Predicate<String> taken = n -> CatalogChanges.check(t, n) != null || t.foreignKey(n) != null;
        String name = d.name() != null ? d.name() : freeName(t.name() + "_CK", t.checks().size() + 1, taken);
        if (taken.test(name)) {
            throw ErrorCode.SEMANTIC_ERROR.error("table " + t.qualifiedName() + " already has a constraint " + name);
        }
        CatalogChange.CheckSpec spec = checkSpec(d, name, t);
        String label = t.owner() + "." + name;
        s.transactions().lockTable(ddl, t, LockMode.S);
        java.util.function.Function<Object[], Object> cond = CatalogChanges.condition(t, spec.sql());
        t.store().forEachHead((id, slot) -> {
            Version v = Version.latestCommitted(Version.of(slot));
            if (v != null && v.image != null && Boolean.FALSE.equals(Expr.truth(cond.apply(t.codec().decode(v.image)), 0))) {
                throw ErrorCode.CHECK_VIOLATION.error(label, spec.sql() + " (by a row already in the table)");
            }
            return true;
        });
        change(s, new CatalogChange.AddCheck(t.owner(), t.name(), spec));
    }

    /**
     * GRANT and REVOKE: system privileges (ADMIN only), or object privileges on a table (its
     * owner or ADMIN); on a view or a sequence only SELECT (reading it, using NEXTVAL and CURRVAL).
     */
    private static void grantRevoke(Ast.GrantRevoke gr, Session s) {
        Catalog cat = s.catalog();
        Ast.Name object = gr.table() == null ? null : Executor.resolve(gr.table(), s); // (a grant on a synonym is on its object)
        String objOwner = object == null ? null : Executor.owner(object, s);
        String on = object == null ? null : objOwner + "." + object.name();
        boolean readOnly = on != null && cat.table(objOwner, object.name()) == null
                && (cat.view(objOwner, object.name()) != null || cat.sequence(objOwner, object.name()) != null);
        if (on != null && !readOnly) Executor.table(object, s); // TT2206 if none of the three
        List<Privilege> privs = new ArrayList<>();
        for (String p : gr.privileges()) {
            if (p.equals("ALL") || p.equals("ALL PRIVILEGES")) {
                if (on == null) throw ErrorCode.SEMANTIC_ERROR.error("ALL needs ON <table>");
                privs.addAll(readOnly ? List.of(Privilege.SELECT) : List.of(Privilege.SELECT, Privilege.INSERT, Privilege.UPDATE, Privilege.DELETE, Privilege.REFERENCES));
                continue;
            }
            Privilege pr = Privilege.parse(p);
            if (pr == null) throw ErrorCode.SEMANTIC_ERROR.error("unknown privilege " + p);
            if (pr.system() && on != null) throw ErrorCode.SEMANTIC_ERROR.error(pr.sqlName() + " is a system privilege; it takes no ON clause");
            if (!pr.system() && on == null) throw ErrorCode.SEMANTIC_ERROR.error(pr.sqlName() + " needs ON <table>");
            if (readOnly && pr != Privilege.SELECT) throw ErrorCode.SEMANTIC_ERROR.error("only SELECT is granted on a view or a sequence, not " + pr.sqlName());
            privs.add(pr);
        }
        if (on == null) {
            Executor.require(s, Privilege.ADMIN);
        } else if (!objOwner.equals(s.user().name()) && !cat.has(s.user(), Privilege.ADMIN)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), (gr.grant() ? "GRANT" : "REVOKE") + " on " + on);
        }
        for (String u : gr.users()) {
            if (cat.isPublic(u)) {
                if (privs.contains(Privilege.ADMIN)) throw ErrorCode.SEMANTIC_ERROR.error("ADMIN cannot be granted to PUBLIC: every user would hold it");
                continue;
            }
            if (cat.user(u) == null) throw ErrorCode.USER_NOT_FOUND.error(u);
            if (u.equals(Catalog.INSTANCE_ADMIN)) throw ErrorCode.SEMANTIC_ERROR.error("the instance administrator's privileges cannot change");
        }
        for (String u : gr.users()) {
            for (Privilege p : privs) change(s, new CatalogChange.Privileges(gr.grant(), u, p, on));
        }
    }
}
