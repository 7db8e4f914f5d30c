package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Applies a {@link CatalogChange} to a catalog: the one place where a change becomes catalog
 * state, used by DDL after its checks and by recovery when it replays the log. Indexes it creates
 * are empty; whoever applies a CREATE INDEX to a table with rows fills the index (live DDL before
 * it logs the change, recovery once all rows are back).
 */
public final class CatalogChanges {
    private CatalogChanges() {}

    public static void apply(Catalog cat, CatalogChange change) {
        switch (change) {
            case CatalogChange.CreateTable ct -> {
                List<Column> cols = new ArrayList<>();
                for (CatalogChange.ColumnSpec c : ct.columns()) {
                    cols.add(new Column(c.name(), c.type(), c.notNull(), c.defaultSql(), defaultOf(c.defaultSql())));
                }
                Table t = cat.createTable(ct.tableId(), ct.owner(), ct.name(), cols, ct.primaryKey());
                for (CatalogChange.IndexSpec ix : ct.indexes()) cat.addIndex(t, index(ix));
                for (CatalogChange.ForeignKeySpec fk : ct.foreignKeys()) cat.addForeignKey(t, fk);
                for (CatalogChange.CheckSpec ck : ct.checks()) t.checks().add(new Table.Check(ck.name(), ck.sql(), condition(t, ck.sql())));
            }
            case CatalogChange.DropTable dt -> cat.dropTable(cat.requireTable(dt.owner(), dt.name()));
            case CatalogChange.CreateIndex ci -> cat.addIndex(cat.requireTable(ci.tableOwner(), ci.tableName()), index(ci.index()));
            case CatalogChange.DropIndex di -> {
                IndexDef ix = cat.index(di.owner(), di.name());
                if (ix == null) throw ErrorCode.INDEX_NOT_FOUND.error(di.owner() + "." + di.name());
                cat.dropIndex(ix);
            }
            case CatalogChange.CreateUser cu -> cat.createUser(cu.name(), cu.passwordHash());
            case CatalogChange.AlterPassword ap -> cat.alterPassword(ap.name(), ap.passwordHash());
            case CatalogChange.DropUser du -> cat.dropUser(du.name());
            case CatalogChange.Privileges p -> {
                // on a table, a view or a sequence ("OWNER.NAME"), or a system privilege (null)
                if (p.table() != null && !cat.objectExists(p.table())) throw ErrorCode.TABLE_NOT_FOUND.error(p.table());
                if (p.grant()) cat.grant(p.user(), p.privilege(), p.table());
                else cat.revoke(p.user(), p.privilege(), p.table());
            }
            case CatalogChange.CheckpointSettings cs -> cat.setCheckpointSettings(cs);
            case CatalogChange.CreateSequence cs -> cat.createSequence(cs);
            case CatalogChange.DropSequence ds -> cat.dropSequence(requireSequence(cat, ds.owner(), ds.name()));
            case CatalogChange.SequenceRestart sr -> requireSequence(cat, sr.owner(), sr.name()).restartAt(sr.restart());
            case CatalogChange.CreateView cv -> cat.createView(cv);
            case CatalogChange.DropView dv -> cat.dropView(dv.owner(), dv.name());
            case CatalogChange.AddForeignKey af -> cat.addForeignKey(cat.requireTable(af.owner(), af.table()), af.foreignKey());
            case CatalogChange.DropForeignKey df -> {
                Table t = cat.requireTable(df.owner(), df.table());
                io.hourglass.engine.catalog.ForeignKey fk = t.foreignKey(df.name());
                Table.Check ck = check(t, df.name());
                if (fk != null) cat.dropForeignKey(fk);
                else if (ck != null) t.checks().remove(ck);
                else throw ErrorCode.CONSTRAINT_NOT_FOUND.error(df.owner() + "." + df.name(), t.qualifiedName());
            }
            case CatalogChange.AddCheck ac -> {
                Table t = cat.requireTable(ac.owner(), ac.table());
                t.checks().add(new Table.Check(ac.check().name(), ac.check().sql(), condition(t, ac.check().sql())));
            }
        }
    }

    static io.hourglass.engine.catalog.Sequence requireSequence(Catalog cat, String owner, String name) {
        io.hourglass.engine.catalog.Sequence q = cat.sequence(owner, name);
        if (q == null) throw ErrorCode.SEQUENCE_NOT_FOUND.error(owner + "." + name);
        return q;
    }

    /**
     * Logs {@code change} durably and applies it, under the DDL lock: how a built-in procedure
     * (ttCkptConfig) changes what the database keeps, the way DDL does.
     */
    public static void logAndApply(Catalog cat, io.hourglass.engine.txn.TransactionManager tm, CatalogChange change) {
        cat.ddlLock().lock();
        try {
            tm.logCatalogChange(change);
            apply(cat, change);
        } finally {
            cat.ddlLock().unlock();
        }
    }

    public static IndexDef index(CatalogChange.IndexSpec s) {
        return new IndexDef(s.owner(), s.name(), s.columns(), s.unique(), s.kind(), s.constraint());
    }

    /** The CHECK constraint {@code name} of {@code t}, or null. */
    static Table.Check check(Table t, String name) {
        for (Table.Check c : t.checks()) if (c.name().equals(name)) return c;
        return null;
    }

    /**
     * Compiles a CHECK condition against a row of {@code t}. It may read the row's columns,
     * constants and functions of them, nothing else (Ddl checks that before it is logged).
     */
    static java.util.function.Function<Object[], Object> condition(Table t, String sql) {
        Expr e = new Binder(new Table[] {t}, new String[] {null}).bind(Parser.parseExpression(sql));
        return row -> {
            Expr.Ctx c = new Expr.Ctx(1, new Object[0]);
            c.rows[0] = row;
            return e.eval(c);
        };
    }

    /** Compiles a DEFAULT clause into what an insert evaluates (null for none). */
    static Supplier<Object> defaultOf(String sql) {
        if (sql == null) return null;
        Expr e = new Binder(new Table[0], new String[0]).bind(Parser.parseExpression(sql));
        return () -> e.eval(new Expr.Ctx(0, new Object[0]));
    }
}
