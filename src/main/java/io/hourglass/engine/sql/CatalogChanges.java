package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Applies a {@link CatalogChange} to a catalog: the one place where a change becomes catalog
 * state, used by DDL after its checks and by recovery when it replays the log. Indexes it creates
 * are empty; whoever applies a CREATE INDEX to a table with rows fills the index (live DDL before
 * it logs the change, recovery once all rows are back).
 */
public final class CatalogChanges {
    private CatalogChanges() {}

    public static void apply(Catalog cat, CatalogChange change) {
        applyOne(cat, change);
        // (which tables' row use LRU aging reads: its tables', and those ON DELETE CASCADE reaches from them)
        cat.refreshUsageTracking();
    }

    private static void applyOne(Catalog cat, CatalogChange change) {
        switch (change) {
            case CatalogChange.CreateTable ct -> {
                List<Column> cols = new ArrayList<>();
                for (CatalogChange.ColumnSpec c : ct.columns()) {
                    cols.add(new Column(c.name(), c.type(), c.notNull(), c.defaultSql(), defaultOf(c.defaultSql())));
                }
                Table t = cat.createTable(ct.tableId(), ct.rowIdTag(), ct.owner(), ct.name(), cols, ct.primaryKey());
                for (CatalogChange.IndexSpec ix : ct.indexes()) cat.addIndex(t, index(ix));
                for (CatalogChange.ForeignKeySpec fk : ct.foreignKeys()) cat.addForeignKey(t, fk);
                for (CatalogChange.CheckSpec ck : ct.checks()) t.checks().add(new Table.Check(ck.name(), ck.sql(), condition(t, ck.sql())));
                if (ct.aging() != null) cat.setAging(t, ct.aging());
                if (ct.temporary() != null) cat.setTemporary(t, ct.temporary());
            }
            case CatalogChange.SetAging sa -> cat.setAging(cat.requireTable(sa.owner(), sa.table()), sa.aging());
            case CatalogChange.Comment cm -> {
                Table t = cat.table(cm.owner(), cm.object());
                if (t == null && cat.view(cm.owner(), cm.object()) == null) throw ErrorCode.TABLE_NOT_FOUND.error(cm.owner() + "." + cm.object());
                if (t != null && cm.column() != null && t.columnIndex(cm.column()) < 0) {
                    throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + cm.column());
                }
                cat.setComment(cm);
            }
            case CatalogChange.CreateSynonym cy -> cat.createSynonym(cy);
            case CatalogChange.DropSynonym dy -> {
                if (cat.synonym(dy.owner(), dy.name()) == null) {
                    throw ErrorCode.SYNONYM_NOT_FOUND.error((dy.owner() == null ? Catalog.PUBLIC : dy.owner()) + "." + dy.name());
                }
                cat.dropSynonym(dy.owner(), dy.name());
            }
            case CatalogChange.DropTable dt -> cat.dropTable(cat.requireTable(dt.owner(), dt.name()));
            case CatalogChange.RenameTable rt -> cat.renameTable(cat.requireTable(rt.owner(), rt.name()), rt.newName());
            case CatalogChange.RenameColumn rc -> renameColumn(cat, rc);
            case CatalogChange.CreateIndex ci -> cat.addIndex(cat.requireTable(ci.tableOwner(), ci.tableName()), index(ci.index()));
            case CatalogChange.DropIndex di -> {
                IndexDef ix = cat.index(di.owner(), di.name());
                if (ix == null) throw ErrorCode.INDEX_NOT_FOUND.error(di.owner() + "." + di.name());
                cat.dropIndex(ix);
            }
            case CatalogChange.CreateUser cu -> cat.createUser(cu.name(), cu.passwordHash());
            case CatalogChange.AlterPassword ap -> cat.alterPassword(ap.name(), ap.passwordHash());
            case CatalogChange.DropUser du -> cat.dropUser(du.name());
            case CatalogChange.SetProfile sp -> cat.setProfile(new io.hourglass.engine.catalog.Profile(sp.name(), sp.limits()));
            case CatalogChange.DropProfile dp -> cat.dropProfile(dp.name());
            case CatalogChange.UserAccount ua -> cat.setAccount(ua.name(), ua.profile(), ua.lockedAt());
            case CatalogChange.PasswordState ps -> cat.setPasswordState(ps.name(), ps.setAt(), ps.expiredAt(), ps.history());
            case CatalogChange.Privileges p -> {
                // on a table, a view or a sequence ("OWNER.NAME"), or a system privilege (null)
                if (p.table() != null && !cat.objectExists(p.table())) throw ErrorCode.TABLE_NOT_FOUND.error(p.table());
                if (p.grant()) cat.grant(p.user(), p.privilege(), p.table());
                else cat.revoke(p.user(), p.privilege(), p.table());
            }
            case CatalogChange.CheckpointSettings cs -> cat.setCheckpointSettings(cs);
            case CatalogChange.LruAgingSettings ls -> cat.setLruAgingSettings(ls);
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
            case CatalogChange.AlterColumns ac -> redefine(cat, ac.owner(), ac.table(), ac.newTableId(), ac.dropped(), ac.added(), ac.fill(),
                    ac.indexes(), List.of(), true);
            case CatalogChange.TruncateTable tt -> redefine(cat, tt.owner(), tt.table(), tt.newTableId(), List.of(), List.of(),
                    new byte[0], List.of(), List.of(), false);
            case CatalogChange.ModifyColumns mc -> redefine(cat, mc.owner(), mc.table(), mc.newTableId(), List.of(), List.of(),
                    new byte[0], List.of(), mc.modified(), true);
            case CatalogChange.ModifyColumnsInPlace mc -> modifyInPlace(cat, mc);
            case CatalogChange.CreateCacheGroup cg -> cat.createCacheGroup(cg.group());
            case CatalogChange.AlterCacheGroup ag -> cat.alterCacheGroup(ag);
            case CatalogChange.DropCacheGroup dg -> cat.dropCacheGroup(dg.owner(), dg.name());
            case CatalogChange.RestoredCacheGroups rc -> cat.markCacheGroupsRestored();
            case CatalogChange.CacheAgent ca -> cat.setCacheAgentRunning(ca.running());
            case CatalogChange.AwtThreshold at -> cat.setAwtThreshold(at.logFiles());
            case CatalogChange.AddCheck ac -> {
                Table t = cat.requireTable(ac.owner(), ac.table());
                t.checks().add(new Table.Check(ac.check().name(), ac.check().sql(), condition(t, ac.check().sql())));
            }
        }
    }

    /**
     * ALTER TABLE ADD / DROP COLUMN (see {@link CatalogChange.AlterColumns}) and TRUNCATE TABLE
     * ({@code moveRows} false): the new table, its indexes (empty, as every index this class
     * creates), foreign keys and CHECK constraints, and each row of the old table's newest
     * committed version written again at its row id. Live, the caller holds the table
     * exclusively, so that version is the row; at recovery it is the only one.
     */
    private static void redefine(Catalog cat, String owner, String table, long newTableId, List<String> dropped,
                                 List<CatalogChange.ColumnSpec> added, byte[] fillImage, List<CatalogChange.IndexSpec> indexes,
                                 List<CatalogChange.ColumnSpec> modified, boolean moveRows) {
        Table old = cat.requireTable(owner, table);
        int n = old.columns().size();
        int[] to = new int[n]; // old position -> new, -1 for a dropped column
        List<Column> cols = new ArrayList<>();
        java.util.Map<Integer, io.hourglass.engine.catalog.SqlType> retyped = new java.util.HashMap<>(); // new position -> new type
        for (int i = 0; i < n; i++) {
            Column c = old.columns().get(i);
            to[i] = dropped.contains(c.name()) ? -1 : cols.size();
            if (to[i] < 0) continue;
            CatalogChange.ColumnSpec m = modified.stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            if (m != null && !m.type().equals(c.type())) retyped.put(cols.size(), m.type());
            cols.add(m == null ? c : column(m));
        }
        if (n - cols.size() != dropped.size()) throw ErrorCode.COLUMN_NOT_FOUND.error(old.qualifiedName() + "." + dropped);
        requireColumns(old, modified);
        int kept = cols.size();
        io.hourglass.engine.catalog.SqlType[] addedTypes = new io.hourglass.engine.catalog.SqlType[added.size()];
        for (int i = 0; i < addedTypes.length; i++) {
            CatalogChange.ColumnSpec c = added.get(i);
            cols.add(new Column(c.name(), c.type(), c.notNull(), c.defaultSql(), defaultOf(c.defaultSql())));
            addedTypes[i] = c.type();
        }
        Object[] fill = new io.hourglass.engine.store.RowCodec(addedTypes).decode(fillImage);
        List<io.hourglass.engine.catalog.ForeignKey> fks = new ArrayList<>(old.foreignKeys());
        for (var fk : old.referencedBy()) if (!fks.contains(fk)) fks.add(fk);
        Table t = cat.replaceTable(old, newTableId, cols, remap(old.primaryKey(), to, old));
        for (IndexDef ix : old.indexes()) {
            int[] c = remap(ix.columns(), to, null);
            if (c != null) cat.addIndex(t, new IndexDef(ix.owner(), ix.name(), c, ix.unique(), ix.kind(), ix.constraint()));
        }
        for (CatalogChange.IndexSpec ix : indexes) cat.addIndex(t, index(ix));
        for (var fk : fks) {
            Table child = fk.child() == old ? t : fk.child();
            int[] childCols = fk.child() == old ? remap(fk.childColumns(), to, old) : fk.childColumns();
            int[] parentCols = fk.parent() == old ? remap(fk.parentColumns(), to, old) : fk.parentColumns();
            cat.addForeignKey(child, new CatalogChange.ForeignKeySpec(fk.name(), childCols, fk.parent().owner(), fk.parent().name(),
                    parentCols, fk.onDelete()));
        }
        for (Table.Check ck : old.checks()) t.checks().add(new Table.Check(ck.name(), ck.sql(), condition(t, ck.sql())));
        if (old.aging() != null) cat.setAging(t, old.aging()); // (Ddl refuses to drop its column)
        if (!moveRows) return;
        int[] from = new int[kept]; // new position -> old
        for (int i = 0; i < n; i++) if (to[i] >= 0) from[to[i]] = i;
        old.store().forEachHead((id, slot) -> {
            io.hourglass.engine.store.Version v = io.hourglass.engine.store.Version.latestCommitted(
                    io.hourglass.engine.store.Version.of(slot));
            if (v == null || v.image == null) return true;
            Object[] row = old.codec().decode(v.image);
            Object[] out = new Object[cols.size()];
            for (int j = 0; j < kept; j++) out[j] = row[from[j]];
            for (var e : retyped.entrySet()) {
                out[e.getKey()] = e.getValue().coerce(out[e.getKey()], t.qualifiedName() + "." + cols.get(e.getKey()).name());
            }
            System.arraycopy(fill, 0, out, kept, fill.length);
            t.store().installAt(id, t.codec().encode(out));
            return true;
        });
        t.store().rebuildFreeList();
    }

    private static Column column(CatalogChange.ColumnSpec m) {
        return new Column(m.name(), m.type(), m.notNull(), m.defaultSql(), defaultOf(m.defaultSql()));
    }

    private static void requireColumns(Table t, List<CatalogChange.ColumnSpec> modified) {
        if (modified.stream().anyMatch(m -> t.columns().stream().noneMatch(c -> c.name().equals(m.name())))) {
            throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + modified);
        }
    }

    /** ALTER TABLE RENAME COLUMN (see {@link CatalogChange.RenameColumn}). */
    private static void renameColumn(Catalog cat, CatalogChange.RenameColumn rc) {
        Table t = cat.requireTable(rc.owner(), rc.table());
        int p = t.columnIndex(rc.column());
        if (p < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + rc.column());
        List<Column> cols = new ArrayList<>(t.columns());
        Column c = cols.get(p);
        cols.set(p, new Column(rc.newName(), c.type(), c.notNull(), c.defaultSql(), c.defaultValue()));
        cat.redefineColumns(t, cols);
        t.checks().replaceAll(ck -> {
            String sql = renamedColumn(ck.sql(), rc.column(), rc.newName());
            return new Table.Check(ck.name(), sql, condition(t, sql));
        });
        if (t.aging() != null && t.aging().uses(rc.column())) cat.setAging(t, t.aging().withColumn(rc.newName()));
        cat.renameColumnComment(t, rc.column(), rc.newName());
    }

    /**
     * A CHECK condition's text with column {@code from} named {@code to}: each identifier that
     * names it (not a function's name, not a qualifier before a dot) is written anew, the rest of
     * the text as it was.
     */
    static String renamedColumn(String sql, String from, String to) {
        List<Lexer.Token> tokens = Lexer.lex(sql);
        String name = to.matches("[A-Z_][A-Z0-9_$#]*") ? to : "\"" + to + "\"";
        StringBuilder out = new StringBuilder();
        int copied = 0;
        for (int i = 0; i < tokens.size() - 1; i++) {
            Lexer.Token k = tokens.get(i), next = tokens.get(i + 1);
            if (!(k.type() == Lexer.T.IDENT || k.type() == Lexer.T.QUOTED) || !k.text().equals(from) || next.is("(") || next.is(".")) continue;
            int end = k.type() == Lexer.T.QUOTED ? sql.indexOf('"', k.pos() + 1) + 1 : identifierEnd(sql, k.pos());
            out.append(sql, copied, k.pos()).append(name);
            copied = end;
        }
        return out.append(sql, copied, sql.length()).toString();
    }

    private static int identifierEnd(String sql, int i) {
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || "_$#".indexOf(sql.charAt(i)) >= 0)) i++;
        return i;
    }

    /**
     * ALTER TABLE MODIFY in place (see {@link CatalogChange.ModifyColumnsInPlace}): the columns
     * named take their new definitions, the rows stay as they are (and so does what CHECK
     * constraints compiled against them: a column keeps its kind).
     */
    private static void modifyInPlace(Catalog cat, CatalogChange.ModifyColumnsInPlace mc) {
        Table t = cat.requireTable(mc.owner(), mc.table());
        requireColumns(t, mc.modified());
        List<Column> cols = new ArrayList<>();
        for (Column c : t.columns()) {
            CatalogChange.ColumnSpec m = mc.modified().stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            cols.add(m == null ? c : column(m));
        }
        cat.redefineColumns(t, cols);
    }

    /**
     * Column positions {@code cols} after the change {@code to} made: null if one was dropped,
     * which for a key of {@code owner} (not null) is a failure the DDL's checks should have prevented.
     */
    private static int[] remap(int[] cols, int[] to, Table owner) {
        int[] out = new int[cols.length];
        for (int i = 0; i < cols.length; i++) {
            out[i] = to[cols[i]];
            if (out[i] < 0) {
                if (owner == null) return null;
                throw ErrorCode.INTERNAL.error("a key of " + owner.qualifiedName() + " lost column " + owner.columns().get(cols[i]).name());
            }
        }
        return out;
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

    /** Compiles a DEFAULT clause into what an insert evaluates, for the user inserting (null for none). */
    static Function<String, Object> defaultOf(String sql) {
        if (sql == null) return null;
        Expr e = new Binder(new Table[0], new String[0]).bind(Parser.parseExpression(sql));
        return user -> e.eval(new Expr.Ctx(0, new Object[0]).asUser(user));
    }
}
