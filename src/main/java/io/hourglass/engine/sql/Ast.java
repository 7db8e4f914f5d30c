package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.SqlType;

import java.util.List;

/** Statement syntax trees, as the parser produces them. */
final class Ast {
    private Ast() {}

    sealed interface Stmt permits Select, Insert, Update, Delete, CreateTable, DropTable, CreateIndex, DropIndex,
            Commit, Rollback, CallProc, CreateUser, AlterUser, DropUser, GrantRevoke, Explain {}

    /** {@code owner} is null when the name was not qualified. */
    record Name(String owner, String name, int pos) {}

    record SelectItem(Expr expr, String alias, String starQualifier, boolean star) {}

    record FromItem(Name table, String alias) {}

    record OrderItem(Expr expr, boolean descending, Boolean nullsFirst) {}

    record Select(boolean distinct, Expr first, List<SelectItem> items, List<FromItem> from, Expr where,
                  List<Expr> groupBy, Expr having, List<OrderItem> orderBy, Expr limit, Expr offset) implements Stmt {}

    record Insert(Name table, List<String> columns, List<List<Expr>> rows, Select query) implements Stmt {}

    record Update(Name table, String alias, List<String> columns, List<Expr> values, Expr where) implements Stmt {}

    record Delete(Name table, String alias, Expr where) implements Stmt {}

    record ColumnDef(String name, SqlType type, boolean notNull, Expr defaultValue, String defaultSql,
                     boolean primaryKey, boolean unique) {}

    record CreateTable(Name table, List<ColumnDef> columns, List<String> primaryKey, boolean hashPrimaryKey,
                       List<List<String>> uniques) implements Stmt {}

    record DropTable(Name table) implements Stmt {}

    record CreateIndex(Name index, Name table, List<String> columns, boolean unique, boolean hash) implements Stmt {}

    record DropIndex(Name index) implements Stmt {}

    record Commit() implements Stmt {}

    record Rollback() implements Stmt {}

    record CallProc(String name, List<Expr> args) implements Stmt {}

    record CreateUser(String user, String password) implements Stmt {}

    record AlterUser(String user, String password) implements Stmt {}

    record DropUser(String user) implements Stmt {}

    record GrantRevoke(boolean grant, List<String> privileges, Name table, List<String> users) implements Stmt {}

    record Explain(Stmt stmt) implements Stmt {}
}
