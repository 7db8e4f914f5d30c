package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.PasswordHasher;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.RowStore;
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
 */
final class Ddl {
    private Ddl() {}

    static StatementResult run(Ast.Stmt stmt, Session s, Object[] params) {
        s.commitWork();
        TransactionManager tm = s.transactions();
        Transaction ddl = tm.begin(Isolation.READ_COMMITTED, 10_000_000_000L);
        try {
            StatementResult r = switch (stmt) {
                case Ast.CreateTable ct -> createTable(ct, s);
                case Ast.DropTable dt -> dropTable(dt, s, ddl);
                case Ast.CreateIndex ci -> createIndex(ci, s, ddl);
                case Ast.DropIndex di -> dropIndex(di, s, ddl);
                case Ast.CreateUser cu -> {
                    Executor.require(s, Privilege.ADMIN);
                    validatePassword(cu.password());
                    s.catalog().createUser(cu.user(), PasswordHasher.hash(cu.password()));
                    s.catalog().grant(cu.user(), Privilege.CREATE_SESSION, null);
                    yield StatementResult.none();
                }
                case Ast.AlterUser au -> {
                    if (!au.user().equals(s.user().name())) Executor.require(s, Privilege.ADMIN);
                    validatePassword(au.password());
                    s.catalog().alterPassword(au.user(), PasswordHasher.hash(au.password()));
                    yield StatementResult.none();
                }
                case Ast.DropUser du -> {
                    Executor.require(s, Privilege.ADMIN);
                    if (du.user().equals(s.user().name())) throw ErrorCode.CANNOT_DROP.error("user " + du.user(), "it is connected");
                    s.catalog().dropUser(du.user());
                    yield StatementResult.none();
                }
                case Ast.GrantRevoke gr -> grantRevoke(gr, s);
                default -> throw ErrorCode.INTERNAL.error("not a DDL statement: " + stmt);
            };
            tm.commit(ddl);
            return r;
        } catch (RuntimeException e) {
            tm.rollback(ddl);
            throw e;
        }
    }

    private static void validatePassword(String pwd) {
        if (pwd.isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("a password may not be empty");
    }

    private static StatementResult createTable(Ast.CreateTable ct, Session s) {
        String owner = Executor.owner(ct.table(), s);
        if (owner.equals(s.user().name())) {
            if (!s.catalog().has(s.user(), Privilege.CREATE_TABLE) && !s.catalog().has(s.user(), Privilege.CREATE_ANY_TABLE)) {
                throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "CREATE TABLE");
            }
        } else {
            Executor.require(s, Privilege.CREATE_ANY_TABLE);
            if (s.catalog().user(owner) == null) throw ErrorCode.USER_NOT_FOUND.error(owner);
        }
        if (ct.columns().isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("a table needs at least one column");
        List<Column> cols = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Binder none = new Binder(new Table[0], new String[0]);
        for (Ast.ColumnDef d : ct.columns()) {
            if (!names.add(d.name())) throw ErrorCode.SEMANTIC_ERROR.error("column " + d.name() + " is defined twice");
            boolean notNull = d.notNull() || ct.primaryKey().contains(d.name());
            java.util.function.Supplier<Object> def = null;
            if (d.defaultValue() != null) {
                Expr e = none.bind(d.defaultValue());
                String label = owner + "." + ct.table().name() + "." + d.name();
                // Check the default fits the column now, not at the first insert.
                d.type().coerce(e.eval(new Expr.Ctx(0, new Object[0])), label);
                def = () -> e.eval(new Expr.Ctx(0, new Object[0]));
            }
            cols.add(new Column(d.name(), d.type(), notNull, d.defaultSql(), def));
        }
        Map<String, Integer> pos = new HashMap<>();
        for (int i = 0; i < cols.size(); i++) pos.put(cols.get(i).name(), i);
        int[] pk = positions(ct.primaryKey(), pos, owner + "." + ct.table().name());
        List<int[]> uniques = new ArrayList<>();
        for (List<String> u : ct.uniques()) uniques.add(positions(u, pos, owner + "." + ct.table().name()));
        Catalog cat = s.catalog();
        String tableName = ct.table().name();
        // Check every index name before creating anything, so a failure leaves nothing behind.
        if (pk.length > 0) cat.checkIndexNameFree(owner, tableName);
        for (int i = 0; i < uniques.size(); i++) cat.checkIndexNameFree(owner, tableName + "_UQ" + (i + 1));
        Table t = cat.createTable(owner, tableName, cols, pk);
        if (pk.length > 0) cat.addIndex(t, new IndexDef(owner, tableName, pk, true, Executor.kind(ct.hashPrimaryKey()), true));
        for (int i = 0; i < uniques.size(); i++) {
            cat.addIndex(t, new IndexDef(owner, tableName + "_UQ" + (i + 1), uniques.get(i), true, IndexDef.Kind.RANGE, true));
        }
        return StatementResult.none();
    }

    private static int[] positions(List<String> names, Map<String, Integer> pos, String table) {
        int[] p = new int[names.size()];
        for (int i = 0; i < p.length; i++) {
            Integer x = pos.get(names.get(i));
            if (x == null) throw ErrorCode.COLUMN_NOT_FOUND.error(table + "." + names.get(i));
            p[i] = x;
        }
        return p;
    }

    private static StatementResult dropTable(Ast.DropTable dt, Session s, Transaction ddl) {
        Table t = Executor.table(dt.table(), s);
        requireOwnerOrAdmin(s, t, "DROP TABLE");
        s.transactions().lockTable(ddl, t, LockMode.X);
        long bytes = 0;
        // Give back the PermSize the table's versions and index entries held.
        long[] total = {0};
        t.store().forEachHead((id, slot) -> {
            for (Version v = Version.of(slot); v != null; v = v.prev()) {
                total[0] += (v.image == null ? 0 : v.image.length) + io.hourglass.engine.store.MemoryAccount.VERSION_OVERHEAD
                        + (long) t.indexes().size() * io.hourglass.engine.store.MemoryAccount.INDEX_ENTRY_OVERHEAD;
            }
            return true;
        });
        bytes += total[0];
        s.catalog().dropTable(t);
        s.transactions().memory().release(bytes);
        return StatementResult.none();
    }

    private static void requireOwnerOrAdmin(Session s, Table t, String what) {
        if (!t.owner().equals(s.user().name()) && !s.catalog().has(s.user(), Privilege.ADMIN)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), what + " on " + t.qualifiedName());
        }
    }

    private static StatementResult createIndex(Ast.CreateIndex ci, Session s, Transaction ddl) {
        Table t = Executor.table(ci.table(), s);
        requireOwnerOrAdmin(s, t, "CREATE INDEX");
        String owner = ci.index().owner() != null ? ci.index().owner() : t.owner();
        Map<String, Integer> pos = Executor.columnPositions(t);
        int[] cols = positions(ci.columns(), pos, t.qualifiedName());
        if (new HashSet<>(ci.columns()).size() != cols.length) throw ErrorCode.SEMANTIC_ERROR.error("an index column appears twice");
        s.catalog().checkIndexNameFree(owner, ci.index().name());
        // Shared lock: writers finish first and none start until the index is in place.
        s.transactions().lockTable(ddl, t, LockMode.S);
        IndexDef ix = new IndexDef(owner, ci.index().name(), cols, ci.unique(), Executor.kind(ci.hash()), false);
        RowStore store = t.store();
        Map<Key, Long> seen = ci.unique() ? new HashMap<>() : null;
        long[] entries = {0};
        store.forEachHead((id, slot) -> {
            Version head = Version.of(slot);
            Version latest = Version.latestCommitted(head);
            for (Version v = head; v != null; v = v.prev()) {
                if (v.image == null) continue;
                Key k = ix.keyOf(t.codec().decode(v.image));
                ix.index().insert(k, id);
                entries[0]++;
                if (seen != null && v == latest && !k.hasNull()) {
                    Long other = seen.putIfAbsent(k, id);
                    if (other != null) {
                        throw ErrorCode.UNIQUE_VIOLATION.error(ix.qualifiedName() + " on " + t.qualifiedName() + " key " + k);
                    }
                }
            }
            return true;
        });
        long bytes = entries[0] * io.hourglass.engine.store.MemoryAccount.INDEX_ENTRY_OVERHEAD;
        s.transactions().memory().reserve(bytes);
        try {
            s.catalog().addIndex(t, ix);
        } catch (HourglassException e) {
            s.transactions().memory().release(bytes);
            throw e;
        }
        return StatementResult.none();
    }

    private static StatementResult dropIndex(Ast.DropIndex di, Session s, Transaction ddl) {
        String owner = Executor.owner(di.index(), s);
        IndexDef ix = s.catalog().index(owner, di.index().name());
        if (ix == null) throw ErrorCode.INDEX_NOT_FOUND.error(owner + "." + di.index().name());
        Table t = s.catalog().tableOfIndex(ix);
        requireOwnerOrAdmin(s, t, "DROP INDEX");
        if (ix.constraint()) {
            throw ErrorCode.CANNOT_DROP.error("index " + ix.qualifiedName(), "it enforces a PRIMARY KEY or UNIQUE constraint");
        }
        s.transactions().lockTable(ddl, t, LockMode.X);
        s.catalog().dropIndex(ix);
        s.transactions().memory().release(ix.index().keyCount() * io.hourglass.engine.store.MemoryAccount.INDEX_ENTRY_OVERHEAD);
        return StatementResult.none();
    }

    private static StatementResult grantRevoke(Ast.GrantRevoke gr, Session s) {
        Catalog cat = s.catalog();
        Table on = gr.table() == null ? null : Executor.table(gr.table(), s);
        List<Privilege> privs = new ArrayList<>();
        for (String p : gr.privileges()) {
            if (p.equals("ALL") || p.equals("ALL PRIVILEGES")) {
                if (on == null) throw ErrorCode.SEMANTIC_ERROR.error("ALL needs ON <table>");
                privs.addAll(List.of(Privilege.SELECT, Privilege.INSERT, Privilege.UPDATE, Privilege.DELETE));
                continue;
            }
            Privilege pr = Privilege.parse(p);
            if (pr == null) throw ErrorCode.SEMANTIC_ERROR.error("unknown privilege " + p);
            if (pr.system() && on != null) throw ErrorCode.SEMANTIC_ERROR.error(pr.sqlName() + " is a system privilege; it takes no ON clause");
            if (!pr.system() && on == null) throw ErrorCode.SEMANTIC_ERROR.error(pr.sqlName() + " needs ON <table>");
            privs.add(pr);
        }
        if (on == null) Executor.require(s, Privilege.ADMIN);
        else requireOwnerOrAdmin(s, on, (gr.grant() ? "GRANT" : "REVOKE"));
        for (String u : gr.users()) {
            if (cat.user(u) == null) throw ErrorCode.USER_NOT_FOUND.error(u);
            if (u.equals(Catalog.INSTANCE_ADMIN)) throw ErrorCode.SEMANTIC_ERROR.error("the instance administrator's privileges cannot change");
        }
        for (String u : gr.users()) {
            for (Privilege p : privs) {
                if (gr.grant()) cat.grant(u, p, on);
                else cat.revoke(u, p, on);
            }
        }
        return StatementResult.none();
    }

    static String text(Object v) { return Values.toText(v); }
}
