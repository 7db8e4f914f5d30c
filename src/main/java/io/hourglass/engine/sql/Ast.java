package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.SqlType;

import java.util.List;

/** Statement syntax trees, as the parser produces them. */
final class Ast {
    private Ast() {}

    sealed interface Stmt permits Select, Insert, Update, Delete, CreateTable, DropTable, CreateIndex, DropIndex,
            Commit, Rollback, CallProc, CreateUser, AlterUser, DropUser, GrantRevoke, Explain, CreateSequence, DropSequence,
            CreateView, DropView, AlterTable, TruncateTable, RenameTable, CreateCacheGroup, AlterCacheGroup, DropCacheGroup, CacheGroupData,
            Merge, RenameColumn, SelectForUpdate, AlterSession, AlterAging, AlterUnique, AlterPages, CommentOn,
            CreateSynonym, DropSynonym, SetProfile, DropProfile, Returning {}

    /** {@code ALTER SESSION SET name = value [name = value ...]}: each setting's parameter, its value's text, and where it stands. */
    record AlterSession(List<SessionSetting> settings) implements Stmt {}

    record SessionSetting(String parameter, String value, int pos) {}

    /**
     * {@code query FOR UPDATE [OF columns] [NOWAIT | WAIT n]}: the query's rows locked as an UPDATE
     * locks them, until the transaction ends. {@code waitMillis}: how long a row's lock is awaited
     * (0 for NOWAIT; null: the connection's LockWait).
     */
    /** {@code waitMillis}: NOWAIT (0), WAIT n, or null (LockWait); {@code skipLocked}: SKIP LOCKED. */
    record SelectForUpdate(Select query, List<Name> of, Long waitMillis, boolean skipLocked) implements Stmt {}

    /** {@code owner} is null when the name was not qualified. */
    record Name(String owner, String name, int pos) {}

    /** A select list item; for a {@code *} or {@code q.*}, {@code start} and {@code end} are its span in the statement's text. */
    record SelectItem(Expr expr, String alias, String starQualifier, boolean star, int start, int end) {
        SelectItem(Expr expr, String alias) { this(expr, alias, null, false, -1, -1); }
    }

    /**
     * A FROM source: a table, or ({@code query}) a derived table. {@code on} is the condition of a LEFT [OUTER] JOIN: the source joins the
     * rows before it where {@code on} holds, or once as a row of NULLs where it holds for none of
     * its rows. Null for the first source, a comma and an inner join (whose ON is part of WHERE).
     * {@code full}: a FULL [OUTER] JOIN of the source before it and this one, whose rows that
     * matched none of the other's also come, with NULLs for the other's columns.
     */
    record FromItem(Name table, String alias, Expr on, Select query, boolean full, boolean nest, Recursion recursion, boolean working) {
        FromItem(Name table, String alias, Expr on, Select query, boolean full, boolean nest) {
            this(table, alias, on, query, full, nest, null, false);
        }

        FromItem(Name table, String alias) { this(table, alias, null, null, false, false); }

        /**
         * A recursive WITH query: {@code initial} gives its first rows, and each round
         * {@code recursion}'s query adds more from those the round before added.
         */
        static FromItem recursive(Select initial, Recursion recursion, String alias) {
            return new FromItem(null, alias, null, initial, false, false, recursion, false);
        }

        /** Within a recursive WITH query's recursive query, its reference to itself ({@code table}): the rows the round before added. */
        static FromItem working(Name table, String alias) { return new FromItem(table, alias, null, null, false, false, null, true); }

        /** A derived table: {@code (query) alias}. */
        static FromItem derived(Select query, String alias) { return new FromItem(null, alias, null, query, false, false); }

        /**
         * A join nest: a join read as one source ({@code query} is {@code SELECT * FROM} its
         * sources {@code WHERE} its inner joins' conditions), whose sources keep their names
         * for the query around it: {@code (a JOIN b ON ...)}, or the sources before a FULL or
         * RIGHT JOIN that follows other joins.
         */
        static FromItem nest(Select query) { return new FromItem(null, null, null, query, false, true); }

        FromItem withOn(Expr condition) { return new FromItem(table, alias, condition, query, full, nest, recursion, working); }

        FromItem withFullOn(Expr condition) { return new FromItem(table, alias, condition, query, true, nest, recursion, working); }

        boolean outer() { return on != null; }
    }

    /**
     * What makes a WITH query recursive (one that reads itself, SQL's WITH RECURSIVE, Oracle's
     * recursive subquery factoring): its {@code name}, its column names ({@code columns}; null:
     * its initial query's), the query after its last UNION ALL ({@code step}, which reads
     * {@code name} once, as a source of its FROM), whether that was a UNION ({@code
     * distinct}: a row already given is not given, nor read, again), and its SEARCH and CYCLE
     * clauses (null if none).
     */
    record Recursion(String name, List<String> columns, Select step, boolean distinct, Search search, Cycle cycle) {}

    /**
     * {@code SEARCH {DEPTH | BREADTH} FIRST BY columns [ASC | DESC] [NULLS FIRST | LAST], ... SET
     * column} of a recursive WITH query: {@code column}, after the query's, numbers its rows
     * from 1 in that order: depth first (each row before the rows made from it, siblings in the
     * {@code by} order), or breadth first (by round, then in the {@code by} order).
     */
    record Search(boolean depthFirst, List<OrderItem> by, String column) {}

    /**
     * Oracle's {@code CYCLE columns SET mark TO value DEFAULT otherwise} of a recursive WITH
     * query: a row whose {@code columns} have the values one of its ancestors' have closes a
     * cycle: it comes with {@code mark} (a column after the query's) {@code value}, and no row
     * is made from it; every other row's {@code mark} is {@code otherwise}.
     */
    record Cycle(List<String> columns, String mark, String value, String otherwise) {}

    record OrderItem(Expr expr, boolean descending, Boolean nullsFirst) {}

    /**
     * TimesTen's row limit of a SELECT, before its select list: {@code FIRST to} ({@code from}
     * null) or {@code ROWS from TO to}, the rows numbered {@code from} to {@code to} of its result.
     */
    record FirstRows(Expr from, Expr to) {}

    /**
     * A query. {@code starOrder}: the sources in the order {@code *} lists their columns, when it is not
     * the FROM order (a RIGHT JOIN is read as the LEFT JOIN of its two sources swapped); null
     * otherwise. {@code groupingSets}: for GROUP BY ROLLUP, CUBE, GROUPING SETS or {@code ()},
     * the grouping sets, each a mask of {@code groupBy}'s expressions (bit i: the i-th); null for
     * a plain GROUP BY (one set of all of them).
     */
    record Select(boolean distinct, FirstRows first, List<SelectItem> items, List<FromItem> from, Expr where,
                  List<Expr> groupBy, List<Long> groupingSets, Expr having, List<OrderItem> orderBy, Expr limit, Expr offset,
                  List<Integer> starOrder, List<Select> terms, List<String> setOps, Hierarchy hierarchy) implements Stmt {
        Select(boolean distinct, FirstRows first, List<SelectItem> items, List<FromItem> from, Expr where,
               List<Expr> groupBy, List<Long> groupingSets, Expr having, List<OrderItem> orderBy, Expr limit, Expr offset,
               List<Integer> starOrder, List<Select> terms, List<String> setOps) {
            this(distinct, first, items, from, where, groupBy, groupingSets, having, orderBy, limit, offset, starOrder, terms, setOps, null);
        }

        /**
         * {@code terms[0] setOps[0] terms[1] ...} (UNION, UNION ALL, INTERSECT, MINUS, left to
         * right), then {@code orderBy} and the limits over the whole.
         */
        static Select compound(List<Select> terms, List<String> setOps, List<OrderItem> orderBy, Expr limit, Expr offset) {
            return new Select(false, null, List.of(), List.of(), null, List.of(), null, null, orderBy, limit, offset, null,
                    List.copyOf(terms), List.copyOf(setOps));
        }

        boolean isCompound() { return terms != null; }

        Select withTail(List<OrderItem> orderBy, Expr limit, Expr offset) {
            return new Select(distinct, first, items, from, where, groupBy, groupingSets, having, orderBy, limit, offset, starOrder, terms, setOps,
                    hierarchy);
        }

        Select withFrom(List<FromItem> sources) {
            return new Select(distinct, first, items, sources, where, groupBy, groupingSets, having, orderBy, limit, offset, starOrder, terms, setOps,
                    hierarchy);
        }

        /** With ORDER SIBLINGS BY {@code siblings} (a hierarchical query's). */
        Select withSiblings(List<OrderItem> siblings) {
            Hierarchy h = new Hierarchy(hierarchy.startWith(), hierarchy.connectBy(), hierarchy.nocycle(), List.copyOf(siblings));
            return new Select(distinct, first, items, from, where, groupBy, groupingSets, having, orderBy, limit, offset, starOrder, terms, setOps, h);
        }
    }

    /**
     * Oracle's hierarchical query clause: {@code [START WITH startWith] CONNECT BY [NOCYCLE]
     * connectBy}, and its ORDER SIBLINGS BY ({@code siblings}, empty if none). {@code startWith}
     * null: every row is a root.
     */
    record Hierarchy(Expr startWith, Expr connectBy, boolean nocycle, List<OrderItem> siblings) {
    }

    record Insert(Name table, List<String> columns, List<List<Expr>> rows, Select query) implements Stmt {}

    record Update(Name table, String alias, List<String> columns, List<Expr> values, Expr where) implements Stmt {}

    /** DELETE [FIRST n] FROM t [alias] [WHERE ...]; {@code first}: TimesTen's FIRST n (a number or a parameter), or null. */
    record Delete(Name table, String alias, Expr where, Expr first) implements Stmt {}

    /**
     * INSERT ... VALUES, UPDATE or DELETE with {@code RETURNING | RETURN items [INTO :v, ...]}:
     * the items' values for each row the statement changes, as its result. {@code into}: the
     * names the INTO clause gives the values (null for a {@code ?}), or null without INTO.
     */
    record Returning(Stmt dml, List<SelectItem> items, List<String> into) implements Stmt {}

    record ColumnDef(String name, SqlType type, boolean notNull, Expr defaultValue, String defaultSql,
                     boolean primaryKey, boolean unique, int pos) {}

    /** REFERENCES parent [(columns)] [ON DELETE CASCADE]; no columns: the parent's primary key. */
    record References(Name table, List<String> columns, io.hourglass.engine.catalog.ForeignKey.OnDelete onDelete) {}

    /** A FOREIGN KEY constraint as written: its name (null: one is made up), the child's columns, what they reference. */
    record ForeignKeyDef(String name, List<String> columns, References references) {}

    /** A CHECK constraint as written: its name (null: one is made up) and its condition, with the condition's text. */
    record CheckDef(String name, String sql, Expr condition) {}

    /**
     * CREATE TABLE; with {@code query} (CREATE TABLE ... AS SELECT), the columns are named only
     * (a null type: the query's column's), or not at all (empty: the query's names); {@code
     * aging}: its AGING clause, or null; {@code temporary}: a GLOBAL TEMPORARY table's ON COMMIT,
     * or null.
     */
    record CreateTable(Name table, List<ColumnDef> columns, List<String> primaryKey, boolean hashPrimaryKey,
                       List<List<String>> uniques, List<ForeignKeyDef> foreignKeys, List<CheckDef> checks, Select query,
                       io.hourglass.engine.catalog.Aging aging, io.hourglass.engine.catalog.Table.OnCommit temporary) implements Stmt {
        CreateTable(Name table, List<ColumnDef> columns, List<String> primaryKey, boolean hashPrimaryKey,
                    List<List<String>> uniques, List<ForeignKeyDef> foreignKeys, List<CheckDef> checks, Select query,
                    io.hourglass.engine.catalog.Aging aging) {
            this(table, columns, primaryKey, hashPrimaryKey, uniques, foreignKeys, checks, query, aging, null);
        }

        CreateTable withAging(io.hourglass.engine.catalog.Aging a) {
            return new CreateTable(table, columns, primaryKey, hashPrimaryKey, uniques, foreignKeys, checks, query, a, temporary);
        }
    }

    /**
     * ALTER TABLE t ADD AGING USE ... | LRU ... ({@code add}), DROP AGING (every part null), SET AGING ON |
     * OFF ({@code state}), SET AGING LIFETIME n unit ({@code lifetime}) or CYCLE n unit ({@code cycle}).
     */
    record AlterAging(Name table, io.hourglass.engine.catalog.Aging add, Boolean state, AgingSpan lifetime, AgingSpan cycle)
            implements Stmt {}

    /**
     * ALTER TABLE t ADD [CONSTRAINT c] UNIQUE (cols) ({@code add}; {@code name} null: one is made
     * up), DROP UNIQUE (cols) (TimesTen's).
     */
    record AlterUnique(Name table, String name, List<String> columns, boolean add) implements Stmt {}

    /**
     * COMMENT ON TABLE t IS 'text' ({@code column} null) or COMMENT ON COLUMN t.c IS 'text'; t
     * may be a view.
     */
    record CommentOn(Name object, String column, String text) implements Stmt {}

    /** CREATE [OR REPLACE] [PUBLIC] SYNONYM [owner.]synonym FOR [owner.]object. */
    record CreateSynonym(boolean isPublic, Name synonym, Name target, boolean orReplace) implements Stmt {}

    /** DROP [PUBLIC] SYNONYM [owner.]synonym. */
    record DropSynonym(boolean isPublic, Name synonym) implements Stmt {}

    /** ALTER TABLE t SET PAGES = n | CURRENT, TimesTen's hash index sizing: nothing to change here. */
    record AlterPages(Name table) implements Stmt {}

    /** A LIFETIME or CYCLE as written: n units. */
    record AgingSpan(long n, io.hourglass.engine.catalog.Aging.Unit unit) {}

    /**
     * ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY ... ({@code add}) or CHECK (...) ({@code addCheck}),
     * ALTER TABLE t DROP CONSTRAINT n ({@code drop}), ALTER TABLE t ADD [COLUMN] c type ... or ADD
     * (c type ..., ...) ({@code addColumns}), ALTER TABLE t DROP [COLUMN] c or DROP (c, ...) ({@code dropColumns}),
     * ALTER TABLE t MODIFY c ... or MODIFY (c ..., ...) ({@code modifyColumns}).
     */
    record AlterTable(Name table, ForeignKeyDef add, CheckDef addCheck, String drop, List<ColumnDef> addColumns,
                      List<String> dropColumns, List<ModifyColumn> modifyColumns) implements Stmt {
        AlterTable(Name table, ForeignKeyDef add, CheckDef addCheck, String drop) {
            this(table, add, addCheck, drop, List.of(), List.of(), List.of());
        }
    }

    /**
     * One column of ALTER TABLE t MODIFY (c [type] [DEFAULT expr] [NULL | NOT NULL], ...): what is
     * not written stays ({@code type} null, {@code defaultGiven} false, {@code notNull} null).
     */
    record ModifyColumn(String name, SqlType type, boolean defaultGiven, String defaultSql, Boolean notNull) {}

    record TruncateTable(Name table) implements Stmt {}

    /**
     * MERGE INTO t USING s ON (cond) WHEN MATCHED THEN UPDATE ... WHEN NOT MATCHED THEN INSERT
     * ..., as the UPDATE of the rows of t a row of s matches (each SET value a subquery over the
     * matching row of s) followed by the INSERT of the rows of s that match no row of t, run as
     * one statement; either may be null. With Oracle's {@code DELETE WHERE cond} after the
     * UPDATE, {@code delete} (else null) deletes an updated row, the one whose ROWID is parameter
     * {@code rowIdParam} (one past the statement's own), if a source row matching it meets cond.
     */
    record Merge(Update update, Insert insert, Delete delete, int rowIdParam) implements Stmt {}

    /** ALTER TABLE t RENAME COLUMN c TO n. */
    record RenameColumn(Name table, String column, String newName) implements Stmt {}

    /** RENAME t TO n, or ALTER TABLE t RENAME TO n; {@code newName} may name the same owner only. */
    record RenameTable(Name table, Name newName) implements Stmt {}

    /** DROP TABLE; {@code cascadeConstraints}: CASCADE CONSTRAINTS, dropping the foreign keys of other tables that reference it. */
    record DropTable(Name table, boolean cascadeConstraints) implements Stmt {}

    record CreateIndex(Name index, Name table, List<String> columns, boolean unique, boolean hash) implements Stmt {}

    /** DROP INDEX [owner.]ix [FROM [owner.]t]: TimesTen's FROM names the index's table (or a synonym of it). */
    record DropIndex(Name index, Name table) implements Stmt {}

    record Commit() implements Stmt {}

    record Rollback() implements Stmt {}

    record CallProc(String name, List<Expr> args) implements Stmt {}

    /**
     * CREATE USER ... IDENTIFIED BY and ALTER USER, with TimesTen's PROFILE, ACCOUNT {LOCK |
     * UNLOCK} and PASSWORD EXPIRE clauses: null (false) for what the statement leaves as it is
     * (ALTER USER gives at least one).
     */
    record CreateUser(String user, String password, String profile, Boolean lock, boolean expire) implements Stmt {}

    record AlterUser(String user, String password, String profile, Boolean lock, boolean expire) implements Stmt {}

    /**
     * CREATE PROFILE ({@code alter} false) or ALTER PROFILE name LIMIT ...: the limits it gives, by
     * password parameter, each as written (UNLIMITED, DEFAULT, NULL, a function's name, or a number).
     */
    record SetProfile(String profile, boolean alter, java.util.Map<String, String> limits) implements Stmt {}

    record DropProfile(String profile, boolean cascade) implements Stmt {}

    record DropUser(String user) implements Stmt {}

    record GrantRevoke(boolean grant, List<String> privileges, Name table, List<String> users) implements Stmt {}

    record Explain(Stmt stmt) implements Stmt {}

    /** CREATE SEQUENCE; null for what the statement leaves to the defaults. */
    record CreateSequence(Name sequence, Long increment, Long start, Long min, Long max, Boolean cycle, Long cache) implements Stmt {}

    record DropSequence(Name sequence) implements Stmt {}

    /** CREATE [OR REPLACE] VIEW name [(columns)] AS query: the query kept as its text, planned where the view is used. */
    record CreateView(Name view, List<String> columns, String sql, boolean orReplace) implements Stmt {}

    record DropView(Name view) implements Stmt {}

    /**
     * CREATE READONLY CACHE GROUP g [AUTOREFRESH ...] FROM table (columns, PRIMARY KEY (...)):
     * null for an AUTOREFRESH setting the statement leaves to its default; or CREATE
     * [A]SYNCHRONOUS WRITETHROUGH CACHE GROUP g FROM table (...) ({@code writethrough}, no AUTOREFRESH).
     * {@code tables}: the root table, then the child tables in the order written.
     */
    record CreateCacheGroup(Name group, CacheGroup.Mode mode, Long intervalMs,
                            CacheGroup.State state, List<CreateTable> tables, boolean writethrough, boolean asynchronous,
                            boolean dynamic, boolean usermanaged, boolean propagate, List<String> conditions) implements Stmt {
        /** {@code conditions}: each table's WHERE clause, in the backend's SQL, "" for none. */
        public CreateCacheGroup {
            tables = List.copyOf(tables);
            conditions = List.copyOf(conditions);
        }

        /** The root table. */
        public CreateTable table() { return tables.getFirst(); }
    }

    /** ALTER CACHE GROUP g SET AUTOREFRESH MODE | INTERVAL | STATE: the one setting it changes, the others null. */
    record AlterCacheGroup(Name group, CacheGroup.Mode mode, Long intervalMs,
                           CacheGroup.State state) implements Stmt {}

    record DropCacheGroup(Name group) implements Stmt {}

    /**
     * LOAD, REFRESH, UNLOAD or FLUSH CACHE GROUP g [COMMIT EVERY n ROWS] ({@code commitEvery} null
     * when absent); {@code where}: the WHERE condition's text (the backend's SQL for LOAD and
     * REFRESH, Hourglass's on the cache table for UNLOAD and FLUSH), or null; {@code ids}: WITH
     * ID's values as written (constants), or null.
     */
    record CacheGroupData(CacheOp op, Name group, Long commitEvery, String where, List<String> ids) implements Stmt {}

    enum CacheOp { LOAD, REFRESH, UNLOAD, FLUSH }
}
