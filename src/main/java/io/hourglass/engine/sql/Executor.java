package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Index;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.RowStore;
import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.store.Version;
import io.hourglass.engine.txn.Isolation;
import io.hourglass.engine.txn.LockMode;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Turns statement trees into plans and runs them. */
final class Executor {
    private Executor() {}

    /** A planned statement. */
    interface Plan {
        StatementResult run(Session s, Object[] params);

        /** Runs with the rows handed to {@code sink} (see {@link ResultSink}); the result has none. */
        default StatementResult run(Session s, Object[] params, ResultSink sink) { return ResultSink.handOut(run(s, params), sink); }
    }

    static Plan plan(Ast.Stmt statement, Session s) {
        Ast.Stmt stmt = resolveTarget(statement, s);
        return switch (stmt) {
            case Ast.Select sel -> queryPlan(planQuery(sel, s), s);
            case Ast.Insert ins -> planInsert(ins, s);
            case Ast.Update upd -> planUpdate(upd, s, null);
            case Ast.Delete del -> planDelete(del, s, null);
            case Ast.Returning r -> planReturning(r, s);
            case Ast.Commit c -> (ss, p) -> {
                ss.commitWork();
                return StatementResult.none();
            };
            case Ast.Rollback r -> (ss, p) -> {
                ss.rollbackWork();
                return StatementResult.none();
            };
            case Ast.CallProc c -> planCall(c, s);
            case Ast.Explain e -> planExplain(e, s);
            case Ast.Merge m -> planMerge(m, s);
            case Ast.SelectForUpdate fu -> queryPlan(planForUpdate(fu, s), s);
            case Ast.CacheGroupData d -> (ss, p) -> cacheGroupData(d, ss);
            case Ast.AlterSession a -> (ss, p) -> {
                SessionSettings.apply(a, ss);
                return StatementResult.none();
            };
            default -> (ss, p) -> Ddl.run(stmt, ss, p);
        };
    }

    /** A query's statement plan: its rows as a result, or handed to a sink; a DYNAMIC cache group's rows loaded first. */
    private static Plan queryPlan(QueryPlan q, Session s) {
        DynamicLoad load = q.tables == null ? null : DynamicLoad.of(q.tables, q.access, s);
        return new Plan() {
            @Override
            public StatementResult run(Session ss, Object[] p) { return run(ss, p, null); }

            @Override
            public StatementResult run(Session ss, Object[] p, ResultSink sink) {
                if (load != null) load.run(ss, p);
                return q.run(ss, p, sink);
            }
        };
    }

    /**
     * LOAD, REFRESH, UNLOAD and FLUSH CACHE GROUP: the session's transaction commits first (as DDL),
     * the cache agent moves the rows in transactions of its own, and the count of rows changed
     * is the statement's ("n cache instances affected"). LOAD of an autorefresh group turns it ON.
     */
    private static StatementResult cacheGroupData(Ast.CacheGroupData d, Session s) {
        String owner = owner(d.group(), s);
        Ddl.requireCacheManager(s, owner);
        CacheGroup g = s.catalog().requireCacheGroup(owner, d.group().name());
        if (d.op() == Ast.CacheOp.FLUSH && !g.usermanaged()) throw ErrorCode.FLUSH_SYSTEM_MANAGED.error(g.qualifiedName());
        if (d.op() == Ast.CacheOp.FLUSH && !g.flushed()) {
            throw ErrorCode.SEMANTIC_ERROR.error("FLUSH CACHE GROUP " + g.qualifiedName() + ": its table is " + (g.propagate() ? "PROPAGATE"
                    + " (each commit writes the backend already)" : "READONLY (nothing is written here to flush)"));
        }
        if (d.op() != Ast.CacheOp.UNLOAD && d.op() != Ast.CacheOp.FLUSH && d.commitEvery() == null) {
            throw ErrorCode.COMMIT_EVERY_REQUIRED.error(d.op().name());
        }
        // A restored group's change log may be the source database's: only UNLOAD (local) is allowed.
        if (g.restored() && d.op() != Ast.CacheOp.UNLOAD) throw ErrorCode.CACHE_GROUP_RESTORED.error(g.qualifiedName());
        String where = d.ids() == null ? d.where() : idCondition(g, d.ids(), d.op() == Ast.CacheOp.LOAD || d.op() == Ast.CacheOp.REFRESH, s);
        if (where != null && !g.writethrough() && !(g.dynamic() && d.op() == Ast.CacheOp.UNLOAD)) {
            // As in TimesTen: autorefresh keeps a READONLY group's whole table, so it takes no part of one.
            throw ErrorCode.SEMANTIC_ERROR.error("a WHERE clause in " + d.op() + " CACHE GROUP of READONLY group " + g.qualifiedName()
                    + ": autorefresh keeps the whole table; WHERE is for write-through groups");
        }
        s.commitWork();
        long n = switch (d.op()) {
            case LOAD -> s.cache().load(g, d.commitEvery(), false, where, (long) (s.lockWait() * 1000));
            case REFRESH -> s.cache().load(g, d.commitEvery(), true, where, (long) (s.lockWait() * 1000));
            case UNLOAD -> s.cache().unload(g, where);
            case FLUSH -> s.cache().flush(g, where);
        };
        // A PAUSED group starts autorefreshing once loaded; an unloaded one pauses until loaded again.
        CacheGroup.State next = d.op() == Ast.CacheOp.FLUSH ? null
                : d.op() == Ast.CacheOp.UNLOAD ? (g.state() == CacheGroup.State.ON ? CacheGroup.State.PAUSED : null)
                : (g.state() == CacheGroup.State.PAUSED ? CacheGroup.State.ON : null);
        if (next != null && !g.restored()) Ddl.run(new Ast.AlterCacheGroup(d.group(), null, null, next), s, new Object[0]);
        return StatementResult.count(n);
    }

    /**
     * WITH ID (values): the condition that the group's primary key has those values, in the order
     * of its columns; on the backend's columns for LOAD and REFRESH (sent as written, so the values
     * must read as the backend's SQL too), on the cache table's for UNLOAD and FLUSH.
     */
    private static String idCondition(CacheGroup g, List<String> ids, boolean backend, Session s) {
        Table t = s.catalog().requireTable(g.tableOwner(), g.tableName());
        int[] pk = t.primaryKey();
        if (ids.size() != pk.length) {
            throw ErrorCode.SEMANTIC_ERROR.error("WITH ID gives " + ids.size() + " value(s); the primary key of " + t.qualifiedName() + " has "
                    + pk.length + " column(s)");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pk.length; i++) {
            String column = t.columns().get(pk[i]).name();
            if (backend) column = CacheGroup.backendName(column);
            b.append(i == 0 ? "" : " AND ").append('"').append(column.replace("\"", "\"\"")).append("\" = ").append(ids.get(i));
        }
        return b.toString();
    }

    // ---- names and privileges -----------------------------------------------------------------

    static String owner(Ast.Name n, Session s) { return n.owner() != null ? n.owner() : s.user().name(); }

    /**
     * {@code n} as synonyms make it ({@link io.hourglass.engine.catalog.Catalog#resolve}): the
     * qualified name of the table, view or sequence a synonym stands for; {@code n} itself when it
     * names one directly or is no synonym.
     */
    static Ast.Name resolve(Ast.Name n, Session s) {
        var r = s.catalog().resolve(owner(n, s), n.name(), n.owner() != null);
        return r.via() == null ? n : new Ast.Name(r.owner(), r.name(), n.pos());
    }

    /**
     * DML {@code stmt} with its target named through synonyms, aliased by the synonym's name when
     * it has no alias of its own, so that columns qualified by that name still bind.
     */
    static Ast.Stmt resolveTarget(Ast.Stmt stmt, Session s) {
        return switch (stmt) {
            case Ast.Insert i -> {
                Ast.Name t = resolve(i.table(), s);
                yield t == i.table() ? i : new Ast.Insert(t, i.columns(), i.rows(), i.query());
            }
            case Ast.Update u -> {
                Ast.Name t = resolve(u.table(), s);
                yield t == u.table() ? u : new Ast.Update(t, u.alias() != null ? u.alias() : u.table().name(), u.columns(), u.values(), u.where());
            }
            case Ast.Delete d -> {
                Ast.Name t = resolve(d.table(), s);
                yield t == d.table() ? d : new Ast.Delete(t, d.alias() != null ? d.alias() : d.table().name(), d.where(), d.first());
            }
            case Ast.Merge m -> new Ast.Merge(m.update() == null ? null : (Ast.Update) resolveTarget(m.update(), s),
                    m.insert() == null ? null : (Ast.Insert) resolveTarget(m.insert(), s),
                    m.delete() == null ? null : (Ast.Delete) resolveTarget(m.delete(), s), m.rowIdParam());
            case Ast.Explain e -> new Ast.Explain(resolveTarget(e.stmt(), s));
            case Ast.Returning r -> new Ast.Returning(resolveTarget(r.dml(), s), r.items(), r.into());
            default -> stmt;
        };
    }

    /** The FROM list with its tables named through synonyms, each then aliased by the synonym's name unless it has an alias. */
    private static Ast.Select resolveSources(Ast.Select sel, Session s) {
        List<Ast.FromItem> from = null;
        for (int i = 0; i < sel.from().size(); i++) {
            Ast.FromItem f = sel.from().get(i);
            if (f.table() == null || f.working() || SystemViews.find(f.table(), s) != null) continue;
            Ast.Name to = resolve(f.table(), s);
            if (to == f.table()) continue;
            if (from == null) from = new ArrayList<>(sel.from());
            from.set(i, new Ast.FromItem(to, f.alias() != null ? f.alias() : f.table().name(), f.on(), null, f.full(), false));
        }
        return from == null ? sel : sel.withFrom(from);
    }

    static Table table(Ast.Name n, Session s) {
        String owner = owner(n, s);
        Table t = s.catalog().table(owner, n.name());
        if (t == null && s.catalog().view(owner, n.name()) != null) {
            throw ErrorCode.UNSUPPORTED.error("changing or indexing view " + owner + "." + n.name() + " (change its tables)");
        }
        if (t == null && (s.catalog().synonym(owner, n.name()) != null || n.owner() == null && s.catalog().synonym(null, n.name()) != null)) {
            throw ErrorCode.SYNONYM_UNSUPPORTED.error(owner + "." + n.name() + " is a synonym; name its table");
        }
        return t != null ? t : s.catalog().requireTable(owner, n.name());
    }

    /**
     * The table {@code n} names, as a statement reads or writes its rows: for a GLOBAL TEMPORARY
     * table, the session's instance of it (made the first time).
     */
    static Table rows(Ast.Name n, Session s) {
        Table t = table(n, s);
        if (t.temporary() == null) return t;
        JoinOrder.bindsSession();
        return s.temporaryInstance(t);
    }

    /** How deep views may be expanded within one another. */
    static final int MAX_VIEW_DEPTH = 32;

    /**
     * The query of view {@code v}, planned as its owner (names in the owner's schema, the owner's
     * privileges), as a query of its own: it sees no enclosing query. The session needs SELECT on
     * the view (its owner and ADMIN have it).
     */
    private static QueryPlan planView(io.hourglass.engine.catalog.CatalogChange.CreateView v, Session s) {
        if (!s.catalog().has(s.user(), Privilege.SELECT, v.owner(), v.owner() + "." + v.name())) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), "SELECT on view " + v.owner() + "." + v.name());
        }
        int depth = AsUser.depthOf(s) + 1;
        if (depth > MAX_VIEW_DEPTH) {
            throw ErrorCode.STATEMENT_TOO_COMPLEX.error("views nested more than " + MAX_VIEW_DEPTH + " deep (does view "
                    + v.owner() + "." + v.name() + " read itself?)");
        }
        io.hourglass.engine.catalog.User owner = s.catalog().user(v.owner());
        if (owner == null) throw ErrorCode.USER_NOT_FOUND.error(v.owner());
        if (!(Parser.parse(v.sql()).stmt() instanceof Ast.Select sel)) throw ErrorCode.INTERNAL.error("view " + v.name() + " is no query");
        QueryPlan q = planQuery(sel, new AsUser(s, owner, depth), null, null);
        if (!v.columns().isEmpty() && v.columns().size() != q.columns.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("view " + v.owner() + "." + v.name() + " names " + v.columns().size()
                    + " columns but its query now has " + q.columns.size());
        }
        return q;
    }

    /**
     * A {@code *} of a select list: where it is in the statement's text, and the column references
     * it expanded to (written out only when a view is created, not for every query planned).
     */
    record StarExpansion(int start, int end, List<Expr> refs, Binder names) {
        /** The column references, quoted; null if a source has no name to qualify them with. */
        String text() {
            List<String> out = new ArrayList<>();
            for (Expr e : refs) {
                Expr.ColumnRef c = (Expr.ColumnRef) e;
                Binder.Part p = names.partOf(c.source, c.index);
                if (p.alias() == null && p.table().owner().equals("DERIVED")) return null;
                String qualifier = p.alias() != null ? quoted(p.alias()) : quoted(p.table().owner()) + "." + quoted(p.table().name());
                out.add(qualifier + "." + quoted(c.column));
            }
            return String.join(", ", out);
        }
    }

    private static String quoted(String name) { return '"' + name.replace("\"", "\"\"") + '"'; }

    /** The result columns of view {@code v} as a query reading it sees them (its column list's names, if it has one). */
    static List<ResultColumn> viewColumns(io.hourglass.engine.catalog.CatalogChange.CreateView v, Session s) {
        QueryPlan q = planView(v, s);
        if (v.columns().isEmpty()) return q.columns;
        List<ResultColumn> out = new ArrayList<>();
        for (int i = 0; i < q.columns.size(); i++) out.add(new ResultColumn(v.columns().get(i), q.columns.get(i).type()));
        return out;
    }

    static void require(Session s, Privilege p, Table t) {
        if (!s.catalog().has(s.user(), p, t)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), p.sqlName() + " on " + t.qualifiedName());
        }
    }

    /**
     * TT8225 for a READONLY cache group's table, unless the cache agent writes it; TT90051 for a
     * restored SYNCHRONOUS WRITETHROUGH group's (its writes would go to a backend its stale rows
     * no longer match).
     */
    static void writable(Session s, Table t) {
        if (s.writesCacheTables()) return;
        CacheGroup g = s.catalog().cacheGroupOf(t);
        if (g == null) return;
        if (!g.writethrough()) {
            throw ErrorCode.READ_ONLY_TABLE.error(t.qualifiedName() + " (only its autorefresh, LOAD and REFRESH change a READONLY group's table)",
                    g.qualifiedName());
        }
        if (g.restored()) throw ErrorCode.CACHE_GROUP_RESTORED.error(g.qualifiedName());
    }

    static void require(Session s, Privilege p) {
        if (!s.catalog().has(s.user(), p)) throw ErrorCode.PRIVILEGE_REQUIRED.error(s.user().name(), p.sqlName());
    }

    // ---- running a statement against its transaction ------------------------------------------

    /**
     * Runs a data statement with statement-level atomicity: on failure its own changes are undone
     * and the transaction goes on, except a deadlock victim, whose whole transaction is rolled back.
     */
    static StatementResult atomically(Session s, java.util.function.Function<Transaction, StatementResult> body) {
        Transaction t = s.transaction();
        int savepoint = t.savepoint();
        TransactionManager tm = s.transactions();
        try {
            return body.apply(t);
        } catch (HourglassException e) {
            if (e.code() == ErrorCode.DEADLOCK) s.rollbackWork();
            else tm.rollbackTo(t, savepoint);
            throw e;
        } catch (RuntimeException | Error e) {
            // A bug, or the heap running out (TT90037): the statement is undone all the same.
            tm.rollbackTo(t, savepoint);
            throw HourglassException.of(e, "the statement");
        } finally {
            tm.dropUniqueChecks(t);
            tm.closeSnapshot(s.snapshotSlot());
        }
    }

    /**
     * Locks the tables a read needs: shared under SERIALIZABLE; none under READ COMMITTED, whose
     * statements read their snapshot of the table objects they resolved, so even a concurrent
     * DROP TABLE cannot disturb them (and readers stay off the lock manager's monitor).
     */
    static void lockForRead(Session s, Transaction t, Table[] tables) {
        if (t.isolation() == Isolation.SERIALIZABLE) {
            for (Table tb : tables) s.transactions().lockTable(t, tb, LockMode.S);
        }
    }

    static LockMode writeTableMode(Transaction t) { return t.isolation() == Isolation.SERIALIZABLE ? LockMode.SIX : LockMode.IX; }

    /**
     * Takes the table lock a writer needs, then checks the table was not dropped or altered while
     * the lock was awaited (DROP TABLE and ALTER TABLE hold X until they are done): writing to a
     * dropped table would log rows of a table recovery no longer knows, and the rows of an
     * altered one have another layout. For an altered table (TT90046) {@link PreparedStatement}
     * plans the statement again and runs it once more.
     */
    static void lockForWrite(Session s, Transaction t, Table table) {
        Table definition = table.definition();
        if (definition != null) {
            // A session's instance of a GLOBAL TEMPORARY table: no one else writes it, but DDL of
            // the definition (DROP TABLE, CREATE INDEX...) must wait for its writers. IX even when
            // SERIALIZABLE: sessions writing their own instances do not wait for each other.
            s.transactions().lockTable(t, definition, LockMode.IX);
            if (s.catalog().tableById(definition.id()) != definition) throw ErrorCode.TABLE_NOT_FOUND.error(definition.qualifiedName());
            if (!table.instanceCurrent()) throw ErrorCode.TABLE_REDEFINED.error(definition.qualifiedName());
            return;
        }
        s.transactions().lockTable(t, table, writeTableMode(t));
        if (s.catalog().tableById(table.id()) != table) {
            if (s.catalog().table(table.owner(), table.name()) != null) throw ErrorCode.TABLE_REDEFINED.error(table.qualifiedName());
            throw ErrorCode.TABLE_NOT_FOUND.error(table.qualifiedName());
        }
    }

    // ---- queries ------------------------------------------------------------------------------

    /**
     * One execution of a statement, as its subqueries need it: the session, the transaction, the
     * statement's snapshot (every subquery reads the same one), its parameters and TempSize
     * budget, and what uncorrelated subqueries computed (once per execution).
     */
    static final class Scope {
        final Session session;
        final Transaction txn;
        final long snapshot;
        final Object[] params;
        final TempSpace.Budget temp;
        private java.util.IdentityHashMap<Object, Object> memo;
        private long kept; // what the memo's entries were charged, kept for the whole execution

        Scope(Session session, Transaction txn, long snapshot, Object[] params, TempSpace.Budget temp) {
            this.session = session;
            this.txn = txn;
            this.snapshot = snapshot;
            this.params = params;
            this.temp = temp;
        }

        /**
         * What {@code owner} computed once for this execution, made on first use; what making it
         * charged to TempSize stays charged until the statement ends (see {@link #releaseTo}).
         */
        @SuppressWarnings("unchecked")
        <T> T memo(Object owner, java.util.function.Supplier<T> make) {
            if (memo == null) memo = new java.util.IdentityHashMap<>(4);
            T v = (T) memo.get(owner);
            if (v == null) {
                long built0 = temp.built(), kept0 = kept;
                v = make.get();
                memo.put(owner, v);
                kept = kept0 + (temp.built() - built0);
            }
            return v;
        }

        /**
         * A scope of the same statement with nothing made yet, for the rounds of a recursive WITH
         * query, which share what their queries make once (a subquery's rows, a query in FROM, a
         * temporary index over a table: none of them may read the rows of a round, which its
         * reference to itself reads, and is run for each round, see {@link #working(QueryPlan, List)}).
         */
        Scope recursion() { return new Scope(session, txn, snapshot, params, temp); }

        /** The rows the recursive query's reference to itself, {@code plan}, reads in this round. */
        List<Object[]> working(QueryPlan plan) {
            List<Object[]> rows = working == null ? null : working.get(plan);
            if (rows == null) throw ErrorCode.INTERNAL.error("recursive WITH query " + plan.workingOf + " read outside one of its rounds");
            return rows;
        }

        /** Makes {@code rows} the rows {@code plan}, a recursive query's reference to itself, reads from now on. */
        void working(QueryPlan plan, List<Object[]> rows) {
            if (working == null) working = new java.util.IdentityHashMap<>(2);
            working.put(plan, rows);
        }

        private java.util.IdentityHashMap<QueryPlan, List<Object[]>> working;

        /** The rows of subquery {@code q}, at most {@code cap}, its correlated columns read from {@code outer}. */
        List<Object[]> rows(Expr.Subquery q, Expr.Ctx outer, long cap) { return rows(q.plan, outer, cap); }

        /** The rows of {@code plan} (a subquery's, a semi-join's keys), at most {@code cap}, its correlated columns read from {@code outer}. */
        List<Object[]> rows(QueryPlan plan, Expr.Ctx outer, long cap) {
            memo(plan, () -> {
                lockForRead(session, txn, plan.lockTables);
                return Boolean.TRUE;
            });
            return plan.execute(this, outer, cap);
        }

        /** What the statement has built so far, and of it what the memo keeps (for {@link #releaseTo}). */
        long[] mark() { return new long[] {temp.built(), kept}; }

        /**
         * Gives back what was built since {@code mark} (a correlated subquery's rows, once used),
         * except what the memo kept meanwhile (an uncorrelated subquery's rows, a temporary index
         * the next executions share).
         */
        void releaseTo(long[] mark) { temp.release((temp.built() - mark[0]) - (kept - mark[1])); }
    }

    static final class QueryPlan {
        // Estimated heap bytes, for TempSize: an entry of the sort order; a set or map entry with
        // its Key; one aggregate's accumulator of a group.
        static final long ORDER_ENTRY = 24, SET_ENTRY = 80, GROUP_ACCUMULATOR = 48;

        Table[] tables;
        /** Per level: the correlation name its source was given (null: none, the table's own name). */
        String[] aliases;
        Access[] access;
        List<List<Expr>> filters; // per level: for an outer source, its ON conditions
        List<List<Expr>> after;   // per outer level: the WHERE conditions checked once its row (or NULLs) is chosen
        boolean[] outer;          // per level: a LEFT JOIN source, NULLs when no row matches
        /**
         * SELECT ... FOR UPDATE: the rows of its tables in {@code lockLevels} are locked as UPDATE
         * locks them (found in the snapshot, locked, read again newest and checked again), awaiting
         * each lock at most {@code lockWaitNanos} (-1: the connection's LockWait).
         */
        boolean forUpdate;
        boolean[] lockLevels;
        long lockWaitNanos = -1;
        /** FOR UPDATE SKIP LOCKED: a row another transaction holds (or awaits) is left out, not awaited. */
        boolean skipLocked;
        /** A FULL JOIN's right source (level 1 of two), whose rows no left row matched come after the join's; -1 if none. */
        int fullLevel = -1;
        List<Expr> outputs = new ArrayList<>();
        List<ResultColumn> columns = new ArrayList<>();
        boolean aggregate;
        List<Expr> groupBy = new ArrayList<>();
        /**
         * GROUP BY ROLLUP, CUBE, GROUPING SETS: the sets, each a mask of {@code groupBy} (null: a plain
         * GROUP BY). A group's key is then its set's values (NULL for an expression not in it) and the
         * set's index last; {@code groupIds[s]}: how many sets equal to set s come before it.
         */
        long[] groupingSets;
        int[] groupIds;
        /**
         * The grouped columns that correlated subqueries of the select list, HAVING or ORDER BY
         * read, each {source, column, GROUP BY slot}: a group's values are put in rows of the
         * query's own for them to read, NULL where a grouping set leaves the column out.
         */
        List<int[]> groupColumns = new ArrayList<>();
        List<Expr.Aggregate> aggregates = new ArrayList<>();
        Expr having;
        List<Expr> sortKeys = new ArrayList<>();
        /** Per sort key: the result column it is (ORDER BY a position or a select-list name), read from the row, not evaluated again; -1 if none. */
        int[] sortOutputs = new int[0];
        List<Boolean> sortDesc = new ArrayList<>();
        List<Boolean> sortNullsFirst = new ArrayList<>();
        boolean distinct;
        Expr limit, offset, first, firstFrom;
        /** ORDER BY over one source (or a join's first) whose access can give the rows in that order (Access.order); null otherwise. */
        Access.IndexOrder indexOrder;
        /**
         * A query of one table whose aggregates are all MIN or MAX, each of a column an index
         * orders (no GROUP BY: SELECT MIN(id), MAX(id) FROM t): per aggregate, the walk of that
         * index from the end its answer is at; the first row that passes with a value is the
         * answer. Null otherwise.
         */
        Access.IndexOrder[] extremes;
        List<Expr> constantFilters = List.of(); // conjuncts with no source, for a FROM-less query
        /** WHERE conjuncts that read ROWNUM: checked last, on a row that passed all others, with the number it would get. */
        List<Expr> rownumFilters = List.of();
        /** A system view's rows (SystemViews), made for the statement; null for a query. */
        java.util.function.Function<Scope, List<Object[]>> generated;
        String generatedName;
        /** A recursive WITH query ({@link #executeRecursive}); null for any other. */
        Recursion recursion;
        /** Within a recursive WITH query, its reference to itself: its name (the plan's rows are those the round before added); null otherwise. */
        String workingOf;
        /** The window functions of the select list and ORDER BY, by slot: computed once every row of the query is known. */
        List<Expr.Window> windows = List.of();
        /**
         * Each {@code *} of the select list: its span in the statement's text and the column
         * references it stands for ({@code "E"."ENAME", ...}), or null when one of them cannot be
         * written (a derived table without an alias). CREATE VIEW stores its query with them.
         */
        List<StarExpansion> stars = List.of();
        List<Expr.Subquery> subqueries = List.of(); // those in this query's clauses (not nested deeper)
        // A compound query (UNION, INTERSECT, MINUS): its terms, the operators between them, and
        // the result columns its ORDER BY sorts on; null for a plain query.
        List<QueryPlan> terms;
        List<String> setOps;
        int[] sortColumns;
        /** Per source: the query of a derived table (its table is a stand-in for binding); null for a table. */
        QueryPlan[] derived;
        /**
         * Per source: a derived table that reads an enclosing query's row, run for each execution
         * of this query (a correlated subquery), or a recursive query's reference to itself, read
         * anew in each round; every other is run once per statement.
         */
        boolean[] perExecution = new boolean[0];
        /** A hierarchical query's START WITH and CONNECT BY (its one source's rows walked as a tree); null otherwise. */
        Hierarchy hierarchy;
        /** For {@code SELECT *} of the sources: their named parts in its row ({@link Binder#starParts}); null otherwise. */
        Binder.Part[] starParts;
        /** A join nest's columns its USING joins merged, those they hide, and where each of its sources' rows starts in its row. */
        List<Binder.Merged> merged;
        Set<Long> hidden;
        int[] rowOffsets;
        /** The tables a read locks under SERIALIZABLE: its own, its derived tables' and its terms'. */
        Table[] lockTables = new Table[0];
        /**
         * The sources whose ROWID the statement reads (a bit each, {@link Binder#rowIdSources}):
         * their rows carry it as a value after their columns, so every row the query keeps (to
         * sort, to hash, for window functions, a tree's nodes) keeps its ROWID.
         */
        long rowIdLevels;

        /** Source {@code level}'s row {@code id} decoded from {@code img}, with its ROWID after its columns if the statement reads it. */
        Object[] readRow(int level, long id, byte[] img) {
            if ((rowIdLevels & 1L << level) == 0) return tables[level].codec().decode(img);
            Object[] row = tables[level].codec().decode(img, 1);
            row[row.length - 1] = io.hourglass.engine.catalog.RowIds.text(tables[level].rowIdTag(), id);
            return row;
        }

        /**
         * Records a use of row {@code id} of source {@code level} for LRU aging (a table's row
         * that passed the conditions on its table: it goes into the result, or into a join).
         */
        void used(int level, long id) {
            if (derived[level] == null) tables[level].store().touch(id);
        }

        /** Source {@code level}'s row of NULLs (an outer join's side that no row matched), ROWID included. */
        Object[] nullRow(int level) {
            return new Object[tables[level].columns().size() + (int) (rowIdLevels >>> level & 1)];
        }

        /** Runs the query as a statement: its rows in the result, or, given a sink, handed to it as they come. */
        StatementResult run(Session s, Object[] params, ResultSink sink) {
            return atomically(s, t -> {
                lockForRead(s, t, lockTables);
                for (int i = 0; forUpdate && i < tables.length; i++) if (lockLevels[i]) lockForWrite(s, t, tables[i]);
                long snapshot = s.transactions().openSnapshot(s.snapshotSlot());
                try (TempSpace.Budget temp = s.transactions().temp().budget()) {
                    Scope scope = new Scope(s, t, snapshot, params, temp);
                    if (sink == null) return new StatementResult(columns, execute(scope, null, Long.MAX_VALUE), -1);
                    sink.columns(columns);
                    execute(scope, null, Long.MAX_VALUE, sink::row);
                    return new StatementResult(columns, List.of(), -1);
                }
            });
        }

        /**
         * The query's rows. What it builds on the way (result rows, sort keys, groups, DISTINCT
         * sets) is charged to {@code temp}: TT0802 (temporary) past TempSize. Not charged: the
         * row ids an index access collects, at most a table's rows.
         */
        List<Object[]> execute(Scope scope, Expr.Ctx outer, long cap) { return execute(scope, outer, cap, null); }

        /**
         * The query's rows, or, with {@code emit}, none: each row is handed to it instead, a plain
         * query's as the scan finds it (kept nowhere, so not charged), any other's once all are made.
         */
        List<Object[]> execute(Scope scope, Expr.Ctx outer, long cap, Consumer<Object[]> emit) {
            List<Object[]> rows = generated != null ? generated.apply(scope) : recursion != null ? executeRecursive(scope, outer, cap)
                    : terms != null ? executeCompound(scope, outer, cap) : executeSimple(scope, outer, cap, emit);
            if (emit == null) return rows;
            for (Object[] row : rows) emit.accept(row);
            return List.of();
        }

        /** A context for scanning this query's sources in {@code scope}, reading {@code outer}'s row if correlated. */
        private Expr.Ctx scanContext(Scope scope, Expr.Ctx outer) {
            Expr.Ctx ctx = new Expr.Ctx(tables.length, scope.params).limitedBy(scope.session);
            ctx.temp = scope.temp;
            ctx.matched = new boolean[tables.length];
            if (fullLevel >= 0) ctx.fullMatched = new java.util.BitSet();
            ctx.scope = scope;
            ctx.outer = outer;
            return ctx;
        }

        private List<Object[]> executeSimple(Scope scope, Expr.Ctx outer, long cap, Consumer<Object[]> emit) {
            Transaction t = scope.txn;
            long snapshot = scope.snapshot;
            TempSpace.Budget temp = scope.temp;
            Expr.Ctx ctx = scanContext(scope, outer);
            long max = cap;
            if (limit != null) max = Math.min(max, nonNegative(limit.eval(ctx), "LIMIT"));
            long from = 1; // FIRST n, or ROWS m TO n: n - m + 1 rows after the first m - 1
            if (first != null) {
                long to = positive(first.eval(ctx), firstFrom == null ? "FIRST" : "ROWS ... TO");
                if (firstFrom != null) from = positive(firstFrom.eval(ctx), "ROWS");
                max = Math.min(max, Math.max(0, to - from + 1));
            }
            long skip = (offset == null ? 0 : nonNegative(offset.eval(ctx), "OFFSET")) + from - 1;
            final long want = max == Long.MAX_VALUE ? Long.MAX_VALUE : skip + max;
            boolean windowed = !windows.isEmpty();
            // ORDER BY over an index in that order: the rows come sorted (and with FETCH FIRST n, the first n end it)
            // (not a join's FOR UPDATE, which finds its combinations first: QueryPlan.lockedJoin)
            ctx.inIndexOrder = indexOrder != null && !(forUpdate && tables.length > 1);
            ctx.walkOrder = indexOrder;
            boolean earlyStop = !aggregate && !distinct && (sortKeys.isEmpty() || ctx.inIndexOrder) && !windowed;
            List<Object[]> out = new ArrayList<>();
            List<Object[]> keys = sortKeys.isEmpty() ? null : new ArrayList<>();
            Map<Key, Object[][]> groups = aggregate ? new LinkedHashMap<>() : null;
            // ORDER BY with LIMIT/FIRST: keep only the best skip + max rows as they come (a
            // top-N heap), not every row (TT0802 for ORDER BY ... LIMIT 10 on a large table).
            TopRows top = !aggregate && !distinct && !sortKeys.isEmpty() && !ctx.inIndexOrder && want < Integer.MAX_VALUE
                    ? new TopRows((int) want, keyComparator(), temp) : null;
            // A plain query's rows go out as the scan finds them (OFFSET skips them unmade), to
            // the caller's emitter or into the list, charged.
            Consumer<Object[]> plain = emit != null ? emit : row -> {
                temp.chargeRow(row);
                out.add(row);
            };
            long[] passed = {0};
            RowSink downstream = c -> {
                if (aggregate) {
                    accumulate(c, groups, temp);
                    return true;
                }
                if (top != null) {
                    Object[] row = project(c);
                    top.offer(row, sortKeyValues(c, row));
                    return !forUpdate || top.size() < want; // (FOR UPDATE locks in the order: no more than it returns)
                }
                if (earlyStop) {
                    if (passed[0] >= want) return false;
                    if (++passed[0] > skip) plain.accept(project(c));
                    return passed[0] < want;
                }
                addRow(c, out, keys, temp);
                return true;
            };
            // With window functions every row is kept as the scan found it (its sources' rows),
            // then given to the rest once the windows' values are known.
            List<Object[][]> found = windowed ? new ArrayList<>() : null;
            RowSink sink = c -> {
                Boolean numbered = number(c);
                if (numbered != Boolean.TRUE) return numbered == null; // null: not this row; false: no later row either
                if (!windowed || aggregate) return downstream.accept(c); // (a grouped query's windows are over its groups)
                Object[][] r = java.util.Arrays.copyOf(c.rows, c.rows.length + 1);
                r[c.rows.length] = new Object[] {c.rownum, c.node};
                for (Object[] x : r) temp.chargeRow(x);
                found.add(r);
                return true;
            };
            if (forUpdate) {
                if (want > 0) locked(scope, ctx, sink, top != null, earlyStop ? want : Long.MAX_VALUE); // (LIMIT 0 locks nothing)
            } else if (hierarchy != null) {
                hierarchy.run(hierarchyRows(ctx, t, snapshot, temp), ctx, temp, sink);
            } else if (extremes != null) {
                groups.put(new Key(new Object[0]), extremes(ctx, t, snapshot, temp));
            } else if (passes(constantFilters, ctx) && scan(0, ctx, t, snapshot, sink) && fullLevel >= 0) {
                unmatched(ctx, t, snapshot, sink);
            }
            if (windowed && !aggregate) {
                int n = tables.length;
                java.util.function.IntConsumer load = i -> {
                    Object[][] r = found.get(i);
                    System.arraycopy(r, 0, ctx.rows, 0, n);
                    ctx.rownum = (Long) r[n][0];
                    if (r[n][1] != null) ctx.at((Expr.TreeNode) r[n][1]); // (a hierarchical query's LEVEL, PRIOR ...)
                };
                Object[][] values = windowValues(found.size(), load, ctx);
                for (int i = 0; i < found.size(); i++) {
                    load.accept(i);
                    ctx.windowValues = values[i];
                    if (!downstream.accept(ctx)) break;
                }
                ctx.windowValues = null;
            }
            if (top != null) top.drainTo(out, keys);
            if (aggregate) {
                if (groupingSets == null && groups.isEmpty() && groupBy.isEmpty()) groups.put(new Key(new Object[0]), newAccumulators());
                for (int set = 0; groupingSets != null && set < groupingSets.length; set++) {
                    if (groupingSets[set] != 0) continue;
                    // a grand total () has its row even over no rows
                    Object[] gk = new Object[groupBy.size() + 1];
                    gk[gk.length - 1] = (long) set;
                    groups.putIfAbsent(new Key(gk), newAccumulators());
                }
                List<Object[][]> kept = windowed ? new ArrayList<>() : null; // {group key, aggregates} of each group HAVING kept
                for (int[] gc : groupColumns) ctx.rows[gc[0]] = nullRow(gc[0]);
                for (Map.Entry<Key, Object[][]> g : groups.entrySet()) {
                    loadGroup(ctx, groupKeyValues(g.getKey()), finish(g.getValue()));
                    if (having != null && !Boolean.TRUE.equals(Expr.truth(having.eval(ctx), having.pos))) continue;
                    if (windowed) kept.add(new Object[][] {ctx.groupKey, ctx.aggValues});
                    else addRow(ctx, out, keys, temp);
                }
                if (windowed) {
                    java.util.function.IntConsumer load = i -> loadGroup(ctx, kept.get(i)[0], kept.get(i)[1]);
                    Object[][] values = windowValues(kept.size(), load, ctx);
                    for (int i = 0; i < kept.size(); i++) {
                        load.accept(i);
                        ctx.windowValues = values[i];
                        addRow(ctx, out, keys, temp);
                    }
                    ctx.windowValues = null;
                }
            }
            if (earlyStop) return out; // (OFFSET and LIMIT applied as the rows came)
            temp.charge(ORDER_ENTRY * out.size());
            List<Integer> order = new ArrayList<>(out.size());
            for (int i = 0; i < out.size(); i++) order.add(i);
            if (!sortKeys.isEmpty()) order.sort(rowComparator(keys));
            List<Object[]> result = new ArrayList<>();
            Set<Key> seen = distinct ? new HashSet<>() : null;
            long skipped = 0;
            for (int i : order) {
                Object[] row = out.get(i);
                if (seen != null) {
                    if (!seen.add(new Key(row))) continue;
                    temp.charge(SET_ENTRY);
                }
                if (skipped < skip) { skipped++; continue; }
                if (result.size() >= max) break;
                temp.charge(8);
                result.add(row);
            }
            return result;
        }

        /**
         * Gives the row that passed the other filters its ROWNUM if it passes the filters on
         * ROWNUM: TRUE; null if it does not (the next row is offered the same number); FALSE if
         * no later row can, because a failing condition reads nothing of the row
         * ({@code ROWNUM <= 10} once ten went by, {@code ROWNUM > 1} at once, as Oracle's).
         */
        Boolean number(Expr.Ctx c) {
            c.rownum++;
            for (Expr f : rownumFilters) {
                if (!Boolean.TRUE.equals(Expr.truth(f.eval(c), f.pos))) {
                    c.rownum--;
                    return f.sources == 0 && !hasSubquery(f) ? Boolean.FALSE : null;
                }
            }
            return Boolean.TRUE;
        }

        private static boolean hasSubquery(Expr e) {
            if (e instanceof Expr.Subquery) return true;
            boolean[] found = {false};
            e.children(x -> found[0] |= hasSubquery(x));
            return found[0];
        }

        /**
         * A compound query's rows: each term's (its own ORDER BY and limits applied), combined
         * left to right (UNION ALL appends; UNION, INTERSECT and MINUS keep distinct rows, by the
         * values' Keys as DISTINCT does), then sorted and limited as a whole.
         */
        private List<Object[]> executeCompound(Scope scope, Expr.Ctx outer, long cap) {
            Expr.Ctx ctx = new Expr.Ctx(0, scope.params).limitedBy(scope.session);
            ctx.scope = scope;
            ctx.outer = outer;
            long skip = offset == null ? 0 : nonNegative(offset.eval(ctx), "OFFSET");
            long max = limit == null ? cap : Math.min(cap, nonNegative(limit.eval(ctx), "LIMIT"));
            TempSpace.Budget temp = scope.temp;
            List<Object[]> rows = terms.get(0).execute(scope, outer, Long.MAX_VALUE);
            for (int i = 0; i < setOps.size(); i++) {
                List<Object[]> right = terms.get(i + 1).execute(scope, outer, Long.MAX_VALUE);
                rows = combine(setOps.get(i), rows, right, temp, ctx);
            }
            if (sortColumns.length > 0) {
                List<Object[]> keys = new ArrayList<>(rows.size());
                for (Object[] r : rows) {
                    Object[] k = new Object[sortColumns.length];
                    for (int j = 0; j < k.length; j++) k[j] = r[sortColumns[j]];
                    keys.add(k);
                }
                temp.charge((ORDER_ENTRY + 16 + 4L * sortColumns.length) * rows.size());
                List<Integer> order = new ArrayList<>(rows.size());
                for (int i = 0; i < rows.size(); i++) order.add(i);
                order.sort(rowComparator(keys));
                List<Object[]> sorted = new ArrayList<>(rows.size());
                for (int i : order) sorted.add(rows.get(i));
                rows = sorted;
            }
            int from = (int) Math.min(skip, rows.size());
            int to = (int) Math.min(rows.size(), from + Math.min(max, Integer.MAX_VALUE));
            return from == 0 && to == rows.size() ? rows : new ArrayList<>(rows.subList(from, to));
        }

        /** A recursive WITH query's rows (the first {@code cap} of them): {@link #rounds}' rows, all of them kept. */
        private List<Object[]> executeRecursive(Scope scope, Expr.Ctx outer, long cap) {
            List<Object[]> all = new ArrayList<>();
            if (cap > 0) rounds(scope, outer, (i, row) -> all.add(row) && all.size() < cap);
            return all;
        }

        /**
         * Makes a recursive WITH query's rows and hands each to {@code v} in turn: its initial
         * query's, then, round after round, those its recursive query makes from the rows the
         * round before added, until a round adds none or {@code v} returns false (then false);
         * with SEARCH, all of them in its order once the last round is made (see {@link Kept}).
         * With UNION, a row given before is dropped. The rounds run in a scope of their own
         * ({@link Scope#recursion}), which keeps what they make once; what a round built besides
         * is given back to TempSize when it ends, but for the rows kept (charged whether {@code
         * v} keeps them or not). A query that never stops adding rows, and is not stopped, stops
         * at TempSize (TT0802) or at its SQLQueryTimeout.
         */
        private boolean rounds(Scope scope, Expr.Ctx outer, RowVisitor v) {
            Recursion r = recursion;
            Scope rounds = scope.recursion();
            Kept kept = new Kept(r, scope, v);
            // With CYCLE, or SEARCH DEPTH FIRST, each row a run of its own, so that each row made
            // knows its parent (what the runs share is made once all the same)
            boolean lineage = r.cycle() != null || r.search() != null && r.search().depthFirst();
            List<Node> added = new ArrayList<>();
            if (!kept.keep(round(r.initial(), rounds, outer, null), null, 0, added)) return false;
            for (int level = 1; !added.isEmpty(); level++) {
                List<Node> next = new ArrayList<>();
                if (!lineage) {
                    List<Object[]> rows = new ArrayList<>(added.size());
                    for (Node n : added) rows.add(n.row);
                    if (!kept.keep(round(r.step(), rounds, outer, rows), null, level, next)) return false;
                } else {
                    for (Node n : added) if (!kept.keep(round(r.step(), rounds, outer, List.<Object[]>of(n.row)), n, level, next)) return false;
                }
                added = next;
            }
            return kept.inSearchOrder();
        }

        /** The rows {@code q} (the initial or the recursive query) makes in {@code rounds} over the working rows {@code rows}; what it built besides given back. */
        private List<Object[]> round(QueryPlan q, Scope rounds, Expr.Ctx outer, List<Object[]> rows) {
            long[] mark = rounds.mark();
            if (rows != null) rounds.working(recursion.working(), rows);
            List<Object[]> made = q.execute(rounds, outer, Long.MAX_VALUE);
            rounds.releaseTo(mark);
            return made;
        }

        /**
         * A row a recursive WITH query made: its values, the row it was made from (for CYCLE and
         * SEARCH DEPTH FIRST; else null), its round, the row the query gives (with the SEARCH
         * number and the CYCLE mark after its values), and (for SEARCH DEPTH FIRST) the rows made from it.
         */
        private static final class Node {
            final Object[] row;
            final Node parent;
            final int level;
            final Object[] out;
            List<Node> children;

            Node(Object[] row, Node parent, int level, Object[] out) {
                this.row = row;
                this.parent = parent;
                this.level = level;
                this.out = out;
            }
        }

        /** What a recursive WITH query keeps of the rows its rounds make, and hands on. */
        private static final class Kept {
            private final Recursion r;
            private final TempSpace.Budget temp;
            private final RowVisitor v;
            private final Set<Key> seen;
            private final Expr.Ctx ctx;
            /** With SEARCH, every row kept, numbered and handed on once all are made. */
            private final List<Node> searched;
            private long given;

            Kept(Recursion r, Scope scope, RowVisitor v) {
                this.r = r;
                this.temp = scope.temp;
                this.v = v;
                this.seen = r.distinct() ? new HashSet<>() : null;
                this.ctx = new Expr.Ctx(0, scope.params).limitedBy(scope.session);
                this.searched = r.search() == null ? null : new ArrayList<>();
            }

            /**
             * Keeps each of {@code made}, rows made in round {@code level} from {@code parent}
             * (null: from the initial query, or no lineage kept), that UNION does not drop:
             * charged, handed to the visitor (with its cycle mark, for CYCLE; for SEARCH, once
             * all are made), and added to {@code next} unless it closes a cycle. False if the
             * visitor stopped.
             */
            boolean keep(List<Object[]> made, Node parent, int level, List<Node> next) {
                int width = r.working().columns.size();
                int extra = (r.search() != null ? 1 : 0) + (r.cycle() != null ? 1 : 0);
                for (Object[] row : made) {
                    ctx.tick();
                    if (seen != null) {
                        if (!seen.add(new Key(row))) continue;
                        temp.charge(SET_ENTRY);
                    }
                    temp.chargeRow(row);
                    boolean closes = r.cycle() != null && closesCycle(row, parent);
                    Object[] out = extra == 0 ? row : java.util.Arrays.copyOf(row, width + extra);
                    if (r.cycle() != null) out[width + extra - 1] = closes ? r.cycleMark() : r.noCycleMark();
                    Node n = new Node(row, parent, level, out);
                    if (!closes) next.add(n);
                    if (searched != null) searched.add(n);
                    else if (!v.visit(given++, out)) return false;
                }
                return true;
            }

            /**
             * With SEARCH, numbers the rows kept in its order, from 1, and hands them on in it:
             * depth first, each row before those made from it (a walk of the tree of rows, each
             * row's children and the initial rows sorted by the BY columns), or breadth first (by
             * round, then by the BY columns; a stable sort). False if the visitor stopped.
             */
            boolean inSearchOrder() {
                if (searched == null) return true;
                Comparator<Node> by = (x, y) -> r.search().order().compare(searchKey(x.row), searchKey(y.row));
                List<Node> ordered = new ArrayList<>(searched.size());
                if (r.search().depthFirst()) {
                    List<Node> roots = new ArrayList<>();
                    for (Node n : searched) {
                        if (n.parent == null) {
                            roots.add(n);
                        } else {
                            if (n.parent.children == null) n.parent.children = new ArrayList<>();
                            n.parent.children.add(n);
                        }
                    }
                    java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
                    roots.sort(by);
                    for (int i = roots.size() - 1; i >= 0; i--) stack.push(roots.get(i));
                    while (!stack.isEmpty()) {
                        Node n = stack.pop();
                        ordered.add(n);
                        if (n.children == null) continue;
                        n.children.sort(by);
                        for (int i = n.children.size() - 1; i >= 0; i--) stack.push(n.children.get(i));
                    }
                } else {
                    ordered.addAll(searched);
                    ordered.sort(Comparator.<Node>comparingInt(n -> n.level).thenComparing(by));
                }
                int at = r.working().columns.size();
                for (Node n : ordered) {
                    n.out[at] = given + 1;
                    if (!v.visit(given++, n.out)) return false;
                }
                return true;
            }

            private Object[] searchKey(Object[] row) {
                Object[] k = new Object[r.search().by().length];
                for (int i = 0; i < k.length; i++) k[i] = row[r.search().by()[i]];
                return k;
            }

            /** Whether {@code row}'s CYCLE columns have the values (NULLs alike) of {@code parent}'s or of one of its ancestors'. */
            private boolean closesCycle(Object[] row, Node parent) {
                Key key = cycleKey(row);
                for (Node a = parent; a != null; a = a.parent) if (key.equals(cycleKey(a.row))) return true;
                return false;
            }

            private Key cycleKey(Object[] row) {
                Object[] k = new Object[r.cycle().length];
                for (int i = 0; i < k.length; i++) k[i] = row[r.cycle()[i]];
                return new Key(k);
            }
        }

        private static List<Object[]> combine(String op, List<Object[]> left, List<Object[]> right, TempSpace.Budget temp, Expr.Ctx ctx) {
            if (op.equals("UNION ALL")) {
                List<Object[]> all = new ArrayList<>(left.size() + right.size());
                all.addAll(left);
                all.addAll(right);
                return all;
            }
            Set<Key> other = null;
            if (!op.equals("UNION")) {
                other = new HashSet<>();
                for (Object[] r : right) {
                    ctx.tick();
                    if (other.add(new Key(r))) temp.charge(SET_ENTRY);
                }
            }
            Set<Key> seen = new HashSet<>();
            List<Object[]> out = new ArrayList<>();
            for (List<Object[]> side : op.equals("UNION") ? List.of(left, right) : List.of(left)) {
                for (Object[] r : side) {
                    ctx.tick();
                    Key k = new Key(r);
                    if (other != null && other.contains(k) != op.equals("INTERSECT")) continue;
                    if (!seen.add(k)) continue;
                    temp.charge(SET_ENTRY);
                    out.add(r);
                }
            }
            return out;
        }

        /** A row for the result (and its sort key, when the query sorts), charged to {@code temp}. */
        private void addRow(Expr.Ctx c, List<Object[]> out, List<Object[]> keys, TempSpace.Budget temp) {
            Object[] row = project(c);
            temp.chargeRow(row);
            out.add(row);
            if (keys != null) {
                Object[] k = sortKeyValues(c, row);
                temp.chargeRow(k);
                keys.add(k);
            }
        }

        private Comparator<Integer> rowComparator(List<Object[]> keys) {
            Comparator<Object[]> byKey = keyComparator();
            return (a, b) -> byKey.compare(keys.get(a), keys.get(b));
        }

        /** ORDER BY's order of two rows' sort keys. */
        private Comparator<Object[]> keyComparator() { return keyComparator(sortDesc, sortNullsFirst); }

        /** The order of sort keys whose k-th value sorts descending if {@code desc[k]}, its NULLs as {@code nullsFirst[k]} says (null: Oracle's default). */
        static Comparator<Object[]> keyComparator(List<Boolean> sortDesc, List<Boolean> sortNullsFirst) {
            return (x, y) -> {
                for (int k = 0; k < x.length; k++) {
                    boolean desc = sortDesc.get(k);
                    Boolean nf = sortNullsFirst.get(k);
                    // Oracle: NULLs sort as the largest value unless NULLS FIRST/LAST says otherwise.
                    boolean nullsFirst = nf != null ? nf : desc;
                    Object u = x[k], v = y[k];
                    int c;
                    if (u == null || v == null) {
                        if (u == v) continue;
                        c = (u == null) == nullsFirst ? -1 : 1;
                        return c;
                    }
                    c = Values.compare(u, v);
                    if (c != 0) return desc ? -c : c;
                }
                return 0;
            };
        }

        /**
         * The values of the window functions for each of the query's {@code n} rows (which
         * {@code load} puts in {@code ctx}: a row's sources' rows and ROWNUM, or a group's key and
         * aggregates), by row and slot, as Oracle computes them: the rows are split by PARTITION
         * BY and sorted by the window's ORDER BY (ties in the order the scan found them);
         * ROW_NUMBER counts, RANK gives peers (equal ORDER BY keys) the same rank and skips after
         * them, DENSE_RANK does not skip; an aggregate covers the whole partition without ORDER
         * BY, and with it the rows up to the current one and its peers (a running total).
         */
        private Object[][] windowValues(int n, java.util.function.IntConsumer load, Expr.Ctx ctx) {
            Object[][] values = new Object[n][windows.size()];
            ctx.scope.temp.charge((16L + 8L * windows.size()) * n);
            for (Expr.Window w : windows) {
                Map<Key, List<Integer>> parts = new LinkedHashMap<>();
                Object[][] orderKeys = new Object[n][];
                Object[] args = new Object[n];
                for (int i = 0; i < n; i++) {
                    ctx.tick();
                    load.accept(i);
                    Object[] pk = new Object[w.partition.size()];
                    for (int k = 0; k < pk.length; k++) pk[k] = w.partition.get(k).eval(ctx);
                    parts.computeIfAbsent(new Key(pk), x -> new ArrayList<>()).add(i);
                    Object[] ok = new Object[w.order.size()];
                    for (int k = 0; k < ok.length; k++) ok[k] = w.order.get(k).eval(ctx);
                    orderKeys[i] = ok;
                    if (w.agg != null && w.agg.arg != null) args[i] = w.agg.arg.eval(ctx);
                    if (w.name.equals("LAG") || w.name.equals("LEAD")) {
                        // {value, offset, default}, the offset and default of the row asking
                        Object off = w.args.size() > 1 ? w.args.get(1).eval(ctx) : 1L;
                        args[i] = new Object[] {w.args.get(0).eval(ctx), nonNegative(off, w.name + "'s offset"),
                                w.args.size() > 2 ? w.args.get(2).eval(ctx) : null};
                    } else if (w.name.equals("NTILE")) {
                        long buckets = nonNegative(w.args.get(0).eval(ctx), "NTILE's number of buckets");
                        if (buckets == 0) throw ErrorCode.SEMANTIC_ERROR.error("NTILE needs at least one bucket");
                        args[i] = buckets;
                    } else if (!w.args.isEmpty()) {
                        args[i] = w.args.get(0).eval(ctx); // FIRST_VALUE, LAST_VALUE
                    }
                }
                Comparator<Object[]> byKey = keyComparator(w.descending, w.nullsFirst);
                WindowFrames frames = w.frame == null ? null : new WindowFrames(w, byKey, ctx);
                for (List<Integer> part : parts.values()) {
                    part.sort((a, b) -> byKey.compare(orderKeys[a], orderKeys[b])); // stable
                    if (frames != null) frames.over(part, orderKeys, args, values, ctx.scope.temp);
                    else windowOver(w, part, orderKeys, args, byKey, values);
                }
            }
            return values;
        }

        /** One partition's values of window {@code w}, its rows {@code part} in the window's order. */
        private static void windowOver(Expr.Window w, List<Integer> part, Object[][] orderKeys, Object[] args,
                                       Comparator<Object[]> byKey, Object[][] values) {
            int slot = w.slot;
            switch (w.name) {
                case "FIRST_VALUE", "LAST_VALUE", "NTILE" -> {
                    valueOver(w, part, orderKeys, args, byKey, values);
                    return;
                }
                default -> { }
            }
            if (!w.args.isEmpty()) {
                if (w.ignoreNulls) {
                    offsetIgnoringNulls(w, part, args, values);
                    return;
                }
                for (int k = 0; k < part.size(); k++) {
                    Object[] a = (Object[]) args[part.get(k)];
                    long j = w.name.equals("LAG") ? k - (Long) a[1] : k + (Long) a[1];
                    values[part.get(k)][slot] = j >= 0 && j < part.size() ? ((Object[]) args[part.get((int) j)])[0] : a[2];
                }
                return;
            }
            if (w.agg == null) {
                long rank = 0, dense = 0;
                for (int k = 0; k < part.size(); k++) {
                    int i = part.get(k);
                    boolean newPeer = k == 0 || byKey.compare(orderKeys[part.get(k - 1)], orderKeys[i]) != 0;
                    if (newPeer) {
                        rank = k + 1;
                        dense++;
                    }
                    values[i][slot] = switch (w.name) {
                        case "ROW_NUMBER" -> (long) (k + 1);
                        case "RANK" -> rank;
                        default -> dense;
                    };
                }
                return;
            }
            if (w.agg.separator != null) {
                // LISTAGG ... OVER (PARTITION BY ...): one list for the partition (no ORDER BY in OVER)
                Object[] st = {null, null, w.agg.distinct ? new HashSet<Key>() : null};
                for (int i : part) listaggAdd(w.agg, st, (Object[]) args[i]);
                String list = listagg(w.agg, st[0]);
                for (int i : part) values[i][slot] = list;
                return;
            }
            Object[] st = {w.agg.name.equals("COUNT") ? 0L : null, null};
            int k = 0;
            while (k < part.size()) {
                // the current row's peers: the whole partition without ORDER BY
                int end = k + 1;
                while (end < part.size() && (w.order.isEmpty() || byKey.compare(orderKeys[part.get(k)], orderKeys[part.get(end)]) == 0)) end++;
                for (int j = k; j < end; j++) add(w.agg, st, w.agg.arg == null ? Boolean.TRUE : args[part.get(j)]);
                Object v = result(w.agg, st);
                for (int j = k; j < end; j++) values[part.get(j)][slot] = v;
                k = end;
            }
        }

        /**
         * LAG / LEAD ... IGNORE NULLS, as Oracle: the offset counts only the rows whose value is
         * not NULL (offset 0 is the current row's value, NULL or not); the default past them.
         */
        private static void offsetIgnoringNulls(Expr.Window w, List<Integer> part, Object[] args, Object[][] values) {
            List<Integer> nonNull = new ArrayList<>(); // positions in the partition of the rows with a value
            for (int k = 0; k < part.size(); k++) if (((Object[]) args[part.get(k)])[0] != null) nonNull.add(k);
            int before = 0; // rows with a value before row k
            for (int k = 0; k < part.size(); k++) {
                Object[] a = (Object[]) args[part.get(k)];
                long off = (Long) a[1];
                long j;
                if (off == 0) j = -2; // the current row
                else if (w.name.equals("LAG")) j = before - off;
                else j = before + (a[0] != null ? 1 : 0) + off - 1;
                values[part.get(k)][w.slot] = j == -2 ? a[0]
                        : j >= 0 && j < nonNull.size() ? ((Object[]) args[part.get(nonNull.get((int) j))])[0] : a[2];
                if (a[0] != null) before++;
            }
        }

        /**
         * FIRST_VALUE: the value of the partition's first row; LAST_VALUE: of the last row of the
         * frame (the current row's last peer with ORDER BY, as Oracle's default frame; the
         * partition's last row without); NTILE(n): the bucket, 1 to n, of n as equal as may be,
         * the first ones a row larger when they cannot be.
         */
        private static void valueOver(Expr.Window w, List<Integer> part, Object[][] orderKeys, Object[] args,
                                      Comparator<Object[]> byKey, Object[][] values) {
            int size = part.size(), slot = w.slot;
            int[][] nonNull = w.ignoreNulls ? WindowFrames.nonNull(part, args) : null;
            for (int k = 0; k < size; k++) {
                int i = part.get(k);
                values[i][slot] = switch (w.name) {
                    case "FIRST_VALUE", "LAST_VALUE" -> {
                        // the default frame: the partition's first row to the current row's last peer (all of it without ORDER BY)
                        int end = k;
                        if (w.order.isEmpty()) end = size - 1;
                        else while (end + 1 < size && byKey.compare(orderKeys[i], orderKeys[part.get(end + 1)]) == 0) end++;
                        yield WindowFrames.valueIn(w, part, args, nonNull, 0, end);
                    }
                    default -> {
                        long n = Math.min((Long) args[i], size), small = size / n, larger = size % n;
                        // the first `larger` buckets hold small + 1 rows
                        yield k < larger * (small + 1) ? k / (small + 1) + 1 : larger + (k - larger * (small + 1)) / small + 1;
                    }
                };
            }
        }

        /** Adds one row's argument to an aggregate's state (a group's, a window's): [0] count or running value, [1] AVG's count. */
        private static void add(Expr.Aggregate a, Object[] st, Object v) {
            if (v == null) return;
            switch (a.name) {
                case "COUNT" -> st[0] = (Long) st[0] + 1;
                case "SUM" -> st[0] = st[0] == null ? numeric(v, a) : Values.add(st[0], numeric(v, a));
                case "AVG" -> {
                    st[0] = st[0] == null ? numeric(v, a) : Values.add(st[0], numeric(v, a));
                    st[1] = st[1] == null ? 1L : (Long) st[1] + 1;
                }
                case "MIN" -> { if (st[0] == null || Values.compare(v, st[0]) < 0) st[0] = v; }
                case "MAX" -> { if (st[0] == null || Values.compare(v, st[0]) > 0) st[0] = v; }
                case String m when Moments.NAMES.contains(m) -> st[0] = Moments.plus((Moments) st[0], numeric(v, a));
                default -> throw ErrorCode.INTERNAL.error("window aggregate " + a.name);
            }
        }

        private Object[] project(Expr.Ctx c) {
            c.row++;
            Object[] row = new Object[outputs.size()];
            for (int i = 0; i < row.length; i++) row[i] = outputs.get(i).eval(c);
            return row;
        }

        /** The sort key of the row {@code row} projects from {@code c}: a result column's value is taken, not computed again (NEXTVAL, a subquery). */
        private Object[] sortKeyValues(Expr.Ctx c, Object[] row) {
            Object[] k = new Object[sortKeys.size()];
            for (int i = 0; i < k.length; i++) k[i] = sortOutputs[i] >= 0 ? row[sortOutputs[i]] : sortKeys.get(i).eval(c);
            return k;
        }

        /** Makes a group the current one: its key and aggregates, and its values in the rows its subqueries read. */
        private void loadGroup(Expr.Ctx ctx, Object[] groupKey, Object[] aggValues) {
            ctx.groupKey = groupKey;
            ctx.aggValues = aggValues;
            for (int[] gc : groupColumns) ctx.rows[gc[0]][gc[1]] = groupKey[gc[2]];
        }

        private Object[] groupKeyValues(Key k) {
            Object[] v = new Object[k.size()];
            for (int i = 0; i < v.length; i++) v[i] = k.get(i);
            return v;
        }

        /**
         * The one group of a query whose aggregates are all MIN or MAX an index gives ({@link
         * #extremes}): each aggregate's index walked from its end to the first row that passes
         * WHERE with a value, which is the aggregate's value. (Over no such row, NULL.)
         */
        private Object[][] extremes(Expr.Ctx ctx, Transaction t, long snapshot, TempSpace.Budget temp) {
            Object[][] acc = newAccumulators();
            for (int k = 0; k < extremes.length; k++) {
                Expr.Aggregate a = aggregates.get(k);
                Object[] state = acc[k];
                ctx.inIndexOrder = true;
                ctx.walkOrder = extremes[k];
                scan(0, ctx, t, snapshot, c -> {
                    Object v = a.arg.eval(c);
                    if (v == null) return true;
                    fold(a, state, v, temp);
                    return false;
                });
            }
            ctx.inIndexOrder = false;
            return acc;
        }

        // Accumulator layout per aggregate: [0] = count or running value, [1] = sum for AVG, [2] = distinct set.
        private Object[][] newAccumulators() {
            Object[][] acc = new Object[aggregates.size()][];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = new Object[] {aggregates.get(i).name.equals("COUNT") ? 0L : null, null,
                        aggregates.get(i).distinct ? new HashSet<Key>() : null};
            }
            return acc;
        }

        private void accumulate(Expr.Ctx c, Map<Key, Object[][]> groups, TempSpace.Budget temp) {
            int n = groupBy.size();
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) values[i] = groupBy.get(i).eval(c);
            if (groupingSets == null) {
                fold(c, group(groups, values, temp), temp);
                return;
            }
            // each grouping set's group: its expressions' values, NULL for the others, the set last
            Object[] args = new Object[aggregates.size()];
            for (int i = 0; i < args.length; i++) args[i] = aggregates.get(i).arg == null ? null : aggregates.get(i).arg.eval(c);
            for (int s = 0; s < groupingSets.length; s++) {
                Object[] gk = new Object[n + 1];
                for (int i = 0; i < n; i++) if ((groupingSets[s] & (1L << i)) != 0) gk[i] = values[i];
                gk[n] = (long) s;
                Object[][] acc = group(groups, gk, temp);
                for (int i = 0; i < args.length; i++) fold(aggregates.get(i), acc[i], args[i], temp);
            }
        }

        /** The accumulators of the group with key {@code gk}, made (and charged) if new. */
        private Object[][] group(Map<Key, Object[][]> groups, Object[] gk, TempSpace.Budget temp) {
            return groups.computeIfAbsent(new Key(gk), k -> {
                temp.charge(TempSpace.footprint(gk) + SET_ENTRY + GROUP_ACCUMULATOR * aggregates.size());
                return newAccumulators();
            });
        }

        /** Adds the current row to a group's accumulators. */
        private void fold(Expr.Ctx c, Object[][] acc, TempSpace.Budget temp) {
            for (int i = 0; i < aggregates.size(); i++) {
                Expr.Aggregate a = aggregates.get(i);
                fold(a, acc[i], a.arg == null ? null : a.arg.eval(c), temp);
            }
        }

        /** Adds one row's argument {@code v} of aggregate {@code a} (COUNT(*): none) to its state in a group. */
        @SuppressWarnings("unchecked")
        private static void fold(Expr.Aggregate a, Object[] st, Object v, TempSpace.Budget temp) {
            if (a.arg == null) {
                st[0] = (Long) st[0] + 1;
                return;
            }
            if (v == null) return;
            if (a.separator != null) {
                if (listaggAdd(a, st, (Object[]) v)) temp.charge(TempSpace.footprint((Object[]) v) + SET_ENTRY);
                return;
            }
            if (a.distinct) {
                if (!((Set<Key>) st[2]).add(new Key(new Object[] {v}))) return;
                temp.charge(TempSpace.footprint(v) + SET_ENTRY);
            }
            add(a, st, v);
        }

        /**
         * Adds a row's LISTAGG entry (its value, then its WITHIN GROUP sort keys) to the state
         * {@code st} (the entries, -, DISTINCT's values); false if left out: a NULL value, or one
         * DISTINCT has already.
         */
        @SuppressWarnings("unchecked")
        private static boolean listaggAdd(Expr.Aggregate a, Object[] st, Object[] entry) {
            if (entry[0] == null) return false;
            if (a.distinct && !((Set<Key>) st[2]).add(new Key(new Object[] {entry[0]}))) return false;
            if (st[0] == null) st[0] = new ArrayList<Object[]>();
            ((List<Object[]>) st[0]).add(entry);
            return true;
        }

        /** LISTAGG's text of a group's entries (value, sort keys...): the values in the keys' order (stable), the separator between. */
        @SuppressWarnings("unchecked")
        private static String listagg(Expr.Aggregate a, Object st) {
            if (st == null) return null;
            List<Object[]> entries = (List<Object[]>) st;
            if (entries.getFirst().length > 1) {
                // by the keys after each entry's value, stable
                Comparator<Object[]> byKeys = keyComparator(a.descending, a.nullsFirst);
                Map<Object[], Object[]> keys = new java.util.IdentityHashMap<>();
                for (Object[] x : entries) keys.put(x, java.util.Arrays.copyOfRange(x, 1, x.length));
                entries.sort((x, y) -> byKeys.compare(keys.get(x), keys.get(y)));
            }
            String sep = a.separator.value == null ? "" : (String) a.separator.value;
            StringBuilder out = new StringBuilder();
            long characters = 0, sepCharacters = sep.codePointCount(0, sep.length());
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(sep);
                    characters += sepCharacters;
                }
                Object v = entries.get(i)[0];
                String text = v instanceof String s ? s : Values.toText(v);
                out.append(text);
                characters += text.codePointCount(0, text.length());
                if (characters > SqlType.MAX_VARCHAR) throw ErrorCode.VALUE_TOO_LONG.error("LISTAGG's result", SqlType.MAX_VARCHAR, characters);
            }
            return out.toString();
        }

        /** An aggregate's value of its state {@code st} (see {@link #add}), LISTAGG's aside. */
        private static Object result(Expr.Aggregate a, Object[] st) {
            return switch (a.name) {
                case "AVG" -> st[0] == null ? null : Values.divide(st[0], st[1]);
                case String m when Moments.NAMES.contains(m) -> Moments.result((Moments) st[0], a.name);
                default -> st[0];
            };
        }

        static Object numeric(Object v, Expr.Aggregate a) {
            if (!Values.isNumber(v)) throw ErrorCode.TYPE_MISMATCH.error(a.name + " needs numbers, got " + Values.describe(v));
            return v;
        }

        private Object[] finish(Object[][] acc) {
            Object[] v = new Object[acc.length];
            for (int i = 0; i < acc.length; i++) {
                Object[] st = acc[i];
                Expr.Aggregate a = aggregates.get(i);
                v[i] = a.separator != null ? listagg(a, st[0]) : result(a, st);
            }
            return v;
        }

        /**
         * Nested-loop join over the sources, each read through its chosen access. An outer
         * source that no row matched gives one row of NULLs.
         */
        private boolean scan(int level, Expr.Ctx ctx, Transaction t, long snapshot, RowSink sink) {
            if (level == tables.length) return sink.accept(ctx);
            if (!outer[level]) return scanRows(level, ctx, t, snapshot, sink);
            boolean[] matched = ctx.matched;
            matched[level] = false;
            if (!scanRows(level, ctx, t, snapshot, sink)) return false;
            if (matched[level]) return true;
            ctx.rows[level] = nullRow(level);
            if (!passes(after.get(level), ctx)) return true;
            return scan(level + 1, ctx, t, snapshot, sink);
        }

        /**
         * FOR UPDATE's rows: those matching in the statement's snapshot, each locked, read again
         * newest (a committed change made meanwhile is what the query returns) and checked again
         * (one that no longer matches is left out, its lock kept until the transaction ends).
         */
        private void locked(Scope scope, Expr.Ctx ctx, RowSink sink, boolean inOrder, long want) {
            if (tables.length > 1) {
                lockedJoin(scope, ctx, sink, inOrder);
                return;
            }
            Table t = tables[0];
            if (ctx.inIndexOrder) {
                // (a queue's ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED reads the rows
                // the others hold, then takes the next: not every row it could have returned)
                inIndexOrder(ctx, scope.txn, scope.snapshot, (id, row) -> {
                    ctx.rows[0] = row;
                    if (!passes(filters.get(0), ctx)) return true;
                    used(0, id);
                    return lockedRow(this, scope, ctx, id, null, null, (i, current) -> sink.accept(ctx));
                });
                return;
            }
            if (!inOrder && want != Long.MAX_VALUE && rownumFilters.isEmpty()) {
                // (a worker taking a job with SKIP LOCKED reads about as many rows as the others hold)
                forEachLockedRowInBatches(this, scope, ctx, want, (id, row) -> sink.accept(ctx));
                return;
            }
            List<Candidate> found = candidates(this, scope);
            if (inOrder) {
                found = inSortOrder(found, scope, ctx, c -> ctx.rows[0] = c.row() != null ? c.row()
                        : readRow(0, c.id(), Version.visible(t.store().slot(c.id()), scope.snapshot, scope.txn.id())));
            }
            forEachLockedRow(this, scope, ctx, found, (id, row) -> sink.accept(ctx));
        }

        /** One way a join's sources matched in the snapshot: each source's row, and its row id. */
        private record Match(Object[][] rows, long[] ids) {}

        /**
         * FOR UPDATE of a join: the combinations of rows that match in the snapshot; then, for
         * each, the rows of the locked tables ({@code lockLevels}) locked and read again newest,
         * and the whole condition checked again on them beside the other tables' rows as they were
         * found. A combination a change broke is left out (its locks kept); one a change would
         * make, with rows it did not match before, is not looked for (as PostgreSQL's recheck).
         */
        private void lockedJoin(Scope scope, Expr.Ctx ctx, RowSink sink, boolean inOrder) {
            int n = tables.length;
            Expr.Ctx find = scanContext(scope, ctx.outer);
            find.rowIds = new long[n];
            List<Match> found = new ArrayList<>();
            if (passes(constantFilters, find)) {
                scan(0, find, scope.txn, scope.snapshot, c -> {
                    Boolean numbered = number(c);
                    if (numbered != Boolean.TRUE) return numbered == null; // null: not this one; false: no later one either
                    Match m = new Match(c.rows.clone(), c.rowIds.clone());
                    scope.temp.chargeRow(m.rows());
                    found.add(m);
                    return true;
                });
            }
            List<Match> order = inOrder ? inSortOrder(found, scope, ctx, m -> System.arraycopy(m.rows(), 0, ctx.rows, 0, n)) : found;
            next:
            for (Match m : order) {
                ctx.tick();
                System.arraycopy(m.rows(), 0, ctx.rows, 0, n);
                for (int level = 0; level < n; level++) {
                    if (!lockLevels[level]) continue;
                    Object[] current = lockAndReadAgain(this, scope, level, m.ids()[level], null, null);
                    if (current == null) continue next; // skipped (SKIP LOCKED), or deleted meanwhile
                    ctx.rows[level] = current;
                }
                for (int level = 0; level < n; level++) {
                    if (!passes(filters.get(level), ctx)) continue next; // changed meanwhile, no longer matches
                }
                if (!sink.accept(ctx)) return;
            }
        }

        /**
         * FOR UPDATE with ORDER BY and a limit (FETCH FIRST, LIMIT, FIRST): the candidates in the
         * query's order by their values in the snapshot ({@code load} puts one's rows in {@code
         * ctx}), so that the rows are locked in that order and locking stops at the limit. A
         * queue's {@code ... ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED} then locks
         * one row, not every row it could have returned.
         */
        private <T> List<T> inSortOrder(List<T> found, Scope scope, Expr.Ctx ctx, Consumer<T> load) {
            Object[][] keys = new Object[found.size()][];
            Integer[] order = new Integer[found.size()];
            for (int i = 0; i < keys.length; i++) {
                load.accept(found.get(i));
                keys[i] = new Object[sortKeys.size()];
                for (int k = 0; k < keys[i].length; k++) keys[i][k] = sortKeys.get(k).eval(ctx);
                scope.temp.chargeRow(keys[i]);
                order[i] = i;
            }
            Comparator<Object[]> byKey = keyComparator();
            java.util.Arrays.sort(order, (a, b) -> byKey.compare(keys[a], keys[b]));
            List<T> sorted = new ArrayList<>(order.length);
            for (int i : order) sorted.add(found.get(i));
            return sorted;
        }

        /**
         * A FULL JOIN's second part: the right source's rows that matched no row of the left one,
         * each with NULLs for the left's columns, through the WHERE conditions (all checked once
         * the right row is chosen, those on the left alone included: they see its NULLs). The
         * left's access may have skipped rows that a WHERE condition refuses; a right row only
         * they matched comes here, and that condition, now on NULLs, refuses it too (every access
         * key is an equality, range, IN or semi-join, never true of NULL).
         */
        private void unmatched(Expr.Ctx ctx, Transaction t, long snapshot, RowSink sink) {
            ctx.rows[0] = nullRow(0);
            java.util.BitSet matched = ctx.fullMatched;
            ctx.scope.temp.charge(matched.size() / 8);
            forEachRow(fullLevel, ctx, t, snapshot, (id, row) -> {
                if (matched.get(Math.toIntExact(id))) return true;
                ctx.rows[fullLevel] = row;
                if (!passes(after.get(fullLevel), ctx)) return true;
                used(fullLevel, id);
                return scan(fullLevel + 1, ctx, t, snapshot, sink);
            });
        }

        /** The rows of source {@code level} that pass its conditions, each joined with the sources after it. */
        private boolean scanRows(int level, Expr.Ctx ctx, Transaction t, long snapshot, RowSink sink) {
            Table tb = tables[level];
            List<Expr> f = filters.get(level);
            Access a = access[level];
            if (ctx.inIndexOrder && level == 0) {
                return inIndexOrder(ctx, t, snapshot, (id, row) -> visitRow(level, ctx, t, snapshot, sink, f, id, row));
            }
            if (a.kind == Access.Kind.TEMP_HASH) {
                // Built once per execution of the statement (a correlated subquery's executions
                // share it), or of this query when its source is a derived table made for each.
                java.util.function.Supplier<TempHash> build = () -> tempHash(level, ctx, t, snapshot, a.build, f);
                TempHash h = perExecution[level] ? ctx.memo(a, build) : ctx.scope.memo(a, build);
                if (!h.mixed()) {
                    if (h.families() == null && h.unkeyed().isEmpty()) return true; // no row can match
                    Object[] key = new Object[a.probe.size()];
                    boolean probed = true, nullKey = false;
                    try {
                        for (int i = 0; i < key.length; i++) {
                            key[i] = a.probe.get(i).eval(ctx);
                            nullKey |= key[i] == null;
                        }
                    } catch (HourglassException e) {
                        if (e.code() == ErrorCode.QUERY_TIMEOUT || e.code() == ErrorCode.STATEMENT_CANCELLED) throw e;
                        probed = false; // the loop below meets it, or not, in the conditions' own order
                    }
                    if (probed && (nullKey || h.families() == null || TempHash.sameFamilies(key, h.families()))) {
                        // (NULL equals nothing; an empty index holds nothing; else the rows with the key)
                        List<Long> ids = new ArrayList<>(h.unkeyed());
                        if (!nullKey && h.families() != null) Index.emit(h.rows().get(new Key(key)), ids::add);
                        return visitIds(level, ctx, t, snapshot, sink, f, ids);
                    }
                }
                // Keys of mixed kinds, or a probe of another kind: compare row by row, as a scan does.
            }
            if (a.kind == Access.Kind.TEMP_HASH || a.scans(tb, ctx)) {
                return forEachRow(level, ctx, t, snapshot, (id, row) -> visitRow(level, ctx, t, snapshot, sink, f, id, row));
            }
            List<Long> ids = new ArrayList<>();
            a.rowIds(tb, ctx, ids::add);
            return visitIds(level, ctx, t, snapshot, sink, f, ids);
        }

        /**
         * The one source's rows the statement sees, in ORDER BY's order ({@link #indexOrder}): an
         * index entry is taken only under the key of the row's version the statement sees, so a row
         * comes once, where that version sorts (the index keeps an entry for each version some
         * reader may still see). False if the visitor stopped it.
         */
        private boolean inIndexOrder(Expr.Ctx ctx, Transaction t, long snapshot, RowVisitor v) {
            Table tb = tables[0];
            Access.IndexOrder order = ctx.walkOrder;
            IndexDef ix = order.index();
            return order.access().entriesInOrder(ctx, ix, order.descending(), (key, id) -> {
                ctx.tick();
                byte[] img = Version.visible(tb.store().slot(id), snapshot, t.id());
                if (img == null) return true;
                Object[] row = readRow(0, id, img);
                return key.compareTo(ix.keyOf(row)) != 0 || v.visit(id, row);
            });
        }

        /** What a source gives a reader: each row (by id) it may see. False from the visitor stops the walk. */
        @FunctionalInterface
        private interface RowVisitor {
            boolean visit(long id, Object[] row);
        }

        /**
         * Each row of source {@code level} visible to the statement, decoded: a table's in row id
         * order, a derived table's in the order its query gave them (their ids are positions).
         * False if the visitor stopped it.
         */
        private boolean forEachRow(int level, Expr.Ctx ctx, Transaction t, long snapshot, RowVisitor v) {
            if (level == 0 && derived[0] != null && derived[0].recursion != null && (ctx.outer == null || perExecution[0])) {
                // A recursive WITH query read first, by a query run once per statement, or one
                // that reads the enclosing row (made anew for each execution anyway): its rows
                // as its rounds make them, so that a query that stops early (LIMIT, FETCH FIRST,
                // ROWNUM) stops the recursion too, as PostgreSQL's lazy reading does
                return derived[0].rounds(ctx.scope, ctx.outer, (id, row) -> {
                    ctx.tick();
                    return v.visit(id, row);
                });
            }
            if (derived[level] != null) {
                List<Object[]> rows = derivedRows(level, ctx);
                for (int i = 0; i < rows.size(); i++) {
                    ctx.tick();
                    if (!v.visit(i, rows.get(i))) return false;
                }
                return true;
            }
            Table tb = tables[level];
            boolean[] go = {true};
            tb.store().forEachHead((rowId, slot) -> {
                ctx.tick();
                byte[] img = Version.visible(slot, snapshot, t.id());
                if (img == null) return true;
                go[0] = v.visit(rowId, readRow(level, rowId, img));
                return go[0];
            });
            return go[0];
        }

        /**
         * A hierarchical query's source rows: all read once when first asked for, or one by id.
         * For LRU aging, every row read is used (the walk's nodes carry no row ids): all of them
         * when the walk reads them all, as a full scan does; those its indexes find otherwise.
         */
        private Hierarchy.Rows hierarchyRows(Expr.Ctx ctx, Transaction t, long snapshot, TempSpace.Budget temp) {
            return new Hierarchy.Rows() {
                private List<Object[]> all;

                public List<Object[]> all() {
                    if (all == null) {
                        all = new ArrayList<>();
                        forEachRow(0, ctx, t, snapshot, (id, row) -> {
                            temp.chargeRow(row);
                            used(0, id);
                            return all.add(row);
                        });
                    }
                    return all;
                }

                public Object[] visible(long id) {
                    byte[] img = Version.visible(tables[0].store().slot(id), snapshot, t.id());
                    if (img == null) return null;
                    used(0, id);
                    return readRow(0, id, img);
                }
            };
        }

        /** Visits the rows {@code ids} of source {@code level} (those still visible, for a table). */
        private boolean visitIds(int level, Expr.Ctx ctx, Transaction t, long snapshot, RowSink sink, List<Expr> f, List<Long> ids) {
            List<Object[]> rows = derived[level] == null ? null : derivedRows(level, ctx);
            Table tb = tables[level];
            for (long id : ids) {
                ctx.tick();
                Object[] row;
                if (rows != null) {
                    row = rows.get((int) id);
                } else {
                    byte[] img = Version.visible(tb.store().slot(id), snapshot, t.id());
                    if (img == null) continue;
                    row = readRow(level, id, img);
                }
                if (!visitRow(level, ctx, t, snapshot, sink, f, id, row)) return false;
            }
            return true;
        }

        /**
         * A derived table's rows: its query run once per execution of the statement, or once per
         * execution of this query when this query is a correlated subquery (the derived table may
         * read the enclosing row too).
         */
        private List<Object[]> derivedRows(int level, Expr.Ctx ctx) {
            QueryPlan dq = derived[level];
            java.util.function.Supplier<List<Object[]>> run = () -> dq.execute(ctx.scope, ctx.outer, Long.MAX_VALUE);
            return perExecution[level] ? ctx.memo(dq, run) : ctx.scope.memo(dq, run);
        }

        /**
         * A temporary hash index on source {@code level}: each row visible to the statement that
         * passes the source's own conditions, by the values of {@code build} (the join
         * equalities' sides computed from that row), built once per execution and charged to
         * TempSize. {@code families} are the key's value families ({@link Expr#valueFamily}),
         * null while no row has a key; {@code mixed} if rows' keys differ in families (the join
         * then compares row by row); {@code unkeyed}, rows whose conditions or key failed to
         * evaluate, which every probe visits.
         */
        private record TempHash(Map<Key, Object> rows, int[] families, boolean mixed, List<Long> unkeyed) {
            static boolean sameFamilies(Object[] key, int[] families) {
                for (int i = 0; i < key.length; i++) if (Expr.valueFamily(key[i]) != families[i]) return false;
                return true;
            }
        }

        /** What a temporary hash index entry holds besides its key's values: the key, the map node, the row id. */
        private static final long TEMP_HASH_ENTRY = 96;

        private TempHash tempHash(int level, Expr.Ctx ctx, Transaction t, long snapshot, List<Expr> build, List<Expr> levelFilters) {
            // The conditions on this source alone narrow the index (the probe re-checks every
            // condition), except those reading an enclosing query's row, which vary between a
            // correlated subquery's executions while the index serves them all.
            List<Expr> own = levelFilters.stream().filter(e -> e.sources == 1L << level && !Expr.correlated(e)).toList();
            Map<Key, Object> rows = new HashMap<>();
            List<Long> unkeyed = new ArrayList<>();
            int[][] families = {null};
            boolean[] mixed = {false};
            Object[] outer = ctx.rows[level];
            forEachRow(level, ctx, t, snapshot, (rowId, row) -> {
                ctx.rows[level] = row;
                Object[] k = new Object[build.size()];
                try {
                    for (Expr e : own) {
                        if (!Boolean.TRUE.equals(Expr.truth(e.eval(ctx), e.pos))) return true;
                    }
                    for (int i = 0; i < k.length; i++) k[i] = build.get(i).eval(ctx);
                } catch (HourglassException e) {
                    // (a division by zero, a conversion): the loop would meet it only in its own
                    // order of conditions, maybe never; such a row is checked with every probe
                    if (e.code() == ErrorCode.QUERY_TIMEOUT || e.code() == ErrorCode.STATEMENT_CANCELLED
                            || e.code() == ErrorCode.SPACE_EXHAUSTED) throw e;
                    unkeyed.add(rowId);
                    return true;
                }
                long bytes = TEMP_HASH_ENTRY;
                int[] fam = new int[k.length];
                for (int i = 0; i < k.length; i++) {
                    if (k[i] == null) return true; // matches nothing
                    fam[i] = Expr.valueFamily(k[i]);
                    bytes += TempSpace.footprint(k[i]);
                }
                if (families[0] == null) families[0] = fam;
                if (!java.util.Arrays.equals(fam, families[0]) || java.util.Arrays.stream(fam).anyMatch(x -> x < 0)) {
                    mixed[0] = true;
                    return false;
                }
                if (ctx.temp != null) ctx.temp.charge(bytes);
                rows.compute(new Key(k), (key, posting) -> Index.addPosting(posting, rowId));
                return true;
            });
            ctx.rows[level] = outer;
            return mixed[0] ? new TempHash(Map.of(), null, true, List.of()) : new TempHash(rows, families[0], false, unkeyed);
        }

        /** Row {@code row} of source {@code level}: if it passes the level's conditions, joined with the sources after it. */
        private boolean visitRow(int level, Expr.Ctx ctx, Transaction t, long snapshot, RowSink sink, List<Expr> f, long id, Object[] row) {
            ctx.rows[level] = row;
            if (ctx.rowIds != null) ctx.rowIds[level] = id;
            for (Expr e : f) {
                if (!Boolean.TRUE.equals(Expr.truth(e.eval(ctx), e.pos))) return true;
            }
            used(level, id);
            if (outer[level]) {
                ctx.matched[level] = true;
                if (level == fullLevel) ctx.fullMatched.set(Math.toIntExact(id));
                if (!passes(after.get(level), ctx)) return true;
            }
            return scan(level + 1, ctx, t, snapshot, sink);
        }
    }

    /**
     * The best {@code n} rows of a sorted query so far, by sort key and then arrival (so the rows
     * kept, and their order, are those a stable sort of every row would put first). The rows it
     * holds are charged to the statement's TempSize budget; one it drops is given back.
     */
    static final class TopRows {
        private record Entry(Object[] row, Object[] key, long seq) {}

        private final int n;
        private final Comparator<Entry> better;
        private final java.util.PriorityQueue<Entry> worstFirst;
        private final TempSpace.Budget temp;
        private long seq;

        TopRows(int n, Comparator<Object[]> byKey, TempSpace.Budget temp) {
            this.n = n;
            this.better = (a, b) -> {
                int c = byKey.compare(a.key, b.key);
                return c != 0 ? c : Long.compare(a.seq, b.seq);
            };
            this.worstFirst = new java.util.PriorityQueue<>(Math.min(n, 1024) + 1, better.reversed());
            this.temp = temp;
        }

        void offer(Object[] row, Object[] key) {
            Entry e = new Entry(row, key, seq++);
            if (worstFirst.size() == n) {
                if (n == 0 || better.compare(e, worstFirst.peek()) >= 0) return;
                Entry out = worstFirst.poll();
                temp.release(TempSpace.footprint(out.row) + 8 + TempSpace.footprint(out.key) + 8);
            }
            temp.chargeRow(row);
            temp.chargeRow(key);
            worstFirst.add(e);
        }

        int size() { return worstFirst.size(); }

        /** The kept rows and their keys, in arrival order (the caller's stable sort orders them). */
        void drainTo(List<Object[]> rows, List<Object[]> keys) {
            List<Entry> kept = new ArrayList<>(worstFirst);
            kept.sort(Comparator.comparingLong(Entry::seq));
            for (Entry e : kept) {
                rows.add(e.row);
                keys.add(e.key);
            }
        }
    }

    @FunctionalInterface
    interface RowSink {
        boolean accept(Expr.Ctx ctx);
    }

    /**
     * A count of rows ({@code what}: LIMIT, OFFSET, FIRST, ROWS), bound: one value for the whole
     * query, so a literal, a parameter, a subquery or an enclosing query's value, or an expression
     * of them; not a column, aggregate or ROWNUM of the query it limits (TT90015).
     */
    private static Expr rowCount(Binder binder, Expr e, String what) {
        Expr bound = binder.bind(e);
        boolean[] perRow = {bound.sources != 0};
        walk(bound, x -> perRow[0] |= x instanceof Expr.Aggregate || x instanceof Expr.Window || x instanceof Expr.Grouping || x instanceof Expr.RowNum);
        if (perRow[0]) {
            throw ErrorCode.SEMANTIC_ERROR.error(what + " takes a number for the whole query (a literal, a parameter, a subquery or an"
                    + " expression of them), not " + bound.text() + ", which reads the query's rows");
        }
        return bound;
    }

    static long nonNegative(Object v, String what) {
        if (v == null || !Values.isNumber(v) || Values.compare(v, 0L) < 0) {
            throw ErrorCode.SEMANTIC_ERROR.error(what + " must be a non-negative integer, got " + Values.describe(v));
        }
        return Values.toDecimal(v).longValue();
    }

    /** TimesTen's FIRST and ROWS numbers: whole and above 0 (TT3105). */
    private static long positive(Object v, String what) {
        if (v == null || !Values.isNumber(v) || Values.compare(v, 0L) <= 0) {
            throw ErrorCode.FIRST_ROWS_NOT_POSITIVE.error(what + " " + Values.toText(v));
        }
        return Values.toDecimal(v).longValue();
    }

    /** Whether a join of {@code sel}'s FROM is written with USING or NATURAL. */
    static boolean hasUsing(Ast.Select sel) {
        if (conjuncts(sel.where()).stream().anyMatch(c -> c instanceof Expr.Using)) return true;
        return sel.from().stream().anyMatch(f -> f.on() instanceof Expr.Using);
    }

    /**
     * {@code e} with its conjuncts that are USING or NATURAL joins' stand-ins replaced by their
     * conditions ({@code made}); the stand-ins are conjuncts only, of WHERE (an inner join's) or
     * of an outer join's ON.
     */
    private static Expr withUsingConditions(Expr e, Map<Expr.Using, Expr> made) {
        if (e == null) return null;
        Expr out = null;
        for (Expr c : conjuncts(e)) out = Expr.and(out, c instanceof Expr.Using u ? made.get(u) : c);
        return out;
    }

    static List<Expr> conjuncts(Expr e) {
        List<Expr> out = new ArrayList<>();
        if (e == null) return out;
        if (e instanceof Expr.Binary b && b.op.equals("AND")) {
            out.addAll(conjuncts(b.left));
            out.addAll(conjuncts(b.right));
        } else {
            out.add(e);
        }
        return out;
    }

    /** Assigns sources, binds WHERE, chooses access paths and places each filter at its level. */
    static void planSources(QueryPlan q, Table[] tables, Binder binder, Expr where) {
        planSources(q, tables, binder, where, java.util.Collections.nCopies(tables.length, null));
    }

    /**
     * Assigns sources, binds WHERE and the outer joins' ON conditions ({@code ons}, per source,
     * null for an inner one), chooses access paths and places each condition at its level.
     *
     * <p>An outer source is read through its ON conditions alone: they decide which of its rows
     * match, and a WHERE condition on it applies after, to the matched rows or to the row of NULLs
     * (so {@code WHERE b.x IS NULL} finds the rows with no match). Only ON conditions choose its
     * access path, and none of them serves an earlier source.
     */
    static void planSources(QueryPlan q, Table[] tables, Binder binder, Expr where, List<Expr> ons) {
        int n = tables.length;
        q.tables = tables;
        q.access = new Access[n];
        q.filters = new ArrayList<>();
        q.after = new ArrayList<>();
        q.outer = new boolean[n];
        for (int i = 0; i < n; i++) {
            q.filters.add(new ArrayList<>());
            q.after.add(new ArrayList<>());
        }
        List<Expr> cs = new ArrayList<>(conjuncts(where));
        for (Expr c : cs) {
            binder.bind(c);
            checkNoAggregate(c, "WHERE");
        }
        q.rownumFilters = cs.stream().filter(Expr::readsRownum).toList();
        cs.removeAll(q.rownumFilters);
        for (int i = 0; i < n; i++) {
            Expr on = ons.get(i);
            if (on == null) {
                q.access[i] = Access.choose(tables[i], i, cs);
                continue;
            }
            q.outer[i] = true;
            List<Expr> onConjuncts = conjuncts(on);
            for (Expr c : onConjuncts) {
                binder.bind(c);
                checkNoAggregate(c, "ON");
                if ((c.sources >>> (i + 1)) != 0) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the ON condition of the outer join of " + tables[i].qualifiedName()
                            + " names a table joined after it: " + c.text());
                }
            }
            q.access[i] = Access.choose(tables[i], i, onConjuncts);
            q.filters.get(i).addAll(onConjuncts);
        }
        List<Expr> constant = new ArrayList<>();
        for (Expr c : cs) {
            if (c.sources == 0 && n == 0) {
                constant.add(c);
                continue;
            }
            int level = c.sources == 0 ? 0 : 63 - Long.numberOfLeadingZeros(c.sources);
            (q.outer[level] ? q.after : q.filters).get(level).add(c);
        }
        q.constantFilters = constant;
    }

    /**
     * For a semi-join (see {@link Access}): the equalities of correlated EXISTS subquery {@code
     * sub} between a column of source {@code level} of the query it is in and a value computed
     * from the subquery's own rows alone, by that column; empty when there are none or the
     * subquery is not a plain join of its sources (grouped, limited, outer-joined, compound, or
     * with a derived table that reads the enclosing row).
     */
    static Map<Integer, Expr> semiJoinPairs(QueryPlan sub, int level) {
        Map<Integer, Expr> pairs = new HashMap<>();
        if (sub.terms != null || sub.generated != null || sub.tables.length == 0 || sub.aggregate || sub.having != null
                || !sub.windows.isEmpty() || sub.limit != null || sub.offset != null || sub.first != null || !sub.rownumFilters.isEmpty()) {
            return pairs;
        }
        for (int i = 0; i < sub.tables.length; i++) if (sub.outer[i] || sub.perExecution[i]) return pairs;
        for (List<Expr> level0 : sub.filters) {
            for (Expr c : level0) {
                if (!(c instanceof Expr.Binary b) || !b.op.equals("=")) continue;
                for (int side = 0; side < 2; side++) {
                    Expr outerSide = side == 0 ? b.left : b.right, own = side == 0 ? b.right : b.left;
                    if (outerSide instanceof Expr.ColumnRef col && col.depth == 1 && col.source == level
                            && own.sources != 0 && !Expr.correlated(own)) {
                        pairs.putIfAbsent(col.index, own);
                    }
                }
            }
        }
        return pairs;
    }

    /**
     * The query giving a semi-join's keys: {@code sub}'s sources with their conditions that read
     * no enclosing row (so a superset of the rows the subquery finds for any row asking),
     * selecting {@code values}. It shares {@code sub}'s bound expressions and derived tables and
     * chooses its own access paths (those of {@code sub} may probe with the enclosing row).
     */
    static QueryPlan semiJoinKeys(QueryPlan sub, List<Expr> values) {
        QueryPlan q = new QueryPlan();
        int n = sub.tables.length;
        q.tables = sub.tables;
        q.derived = sub.derived;
        q.perExecution = new boolean[n];
        q.outer = new boolean[n];
        q.lockTables = sub.lockTables;
        q.rowIdLevels = sub.rowIdLevels;
        q.filters = new ArrayList<>();
        q.after = new ArrayList<>();
        List<Expr> own = new ArrayList<>();
        for (List<Expr> f : sub.filters) {
            List<Expr> kept = f.stream().filter(e -> !Expr.correlated(e)).toList();
            q.filters.add(kept);
            q.after.add(List.of());
            own.addAll(kept);
        }
        q.access = new Access[n];
        for (int i = 0; i < n; i++) q.access[i] = Access.choose(q.tables[i], i, own);
        q.outputs.addAll(values);
        for (Expr v : values) q.columns.add(new ResultColumn(v.text(), v.type));
        return q;
    }

    /**
     * A hierarchical query of sources joined by commas, as Oracle runs it: the join first (WHERE's
     * conditions on two sources or more, bound by {@code probe} to tell), then the walk over the
     * joined rows, then the rest of WHERE on the walked rows. The join becomes a join nest.
     */
    private static Ast.Select joinedFirst(Ast.Select sel, Binder probe) {
        probe.hierarchical = true;
        Expr join = null, rest = null;
        for (Expr c : conjuncts(sel.where())) {
            boolean[] plain = {true};
            walk(c, x -> plain[0] &= !(x instanceof Expr.Subquery || x instanceof Expr.Tree || x instanceof Expr.RowNum));
            if (plain[0]) {
                probe.bind(c);
                walk(c, x -> plain[0] &= !(x instanceof Expr.ColumnRef r && r.index < 0)); // (LEVEL and the like: the walk's)
            }
            if (plain[0] && Long.bitCount(c.sources) >= 2) join = Expr.and(join, c);
            else rest = Expr.and(rest, c);
        }
        Ast.Select joined = new Ast.Select(false, null, List.of(new Ast.SelectItem(null, null, null, true, -1, -1)), sel.from(), join,
                List.of(), null, null, List.of(), null, null, sel.starOrder(), null, null);
        return new Ast.Select(sel.distinct(), sel.first(), sel.items(), List.of(Ast.FromItem.nest(joined)), rest, sel.groupBy(),
                sel.groupingSets(), sel.having(), sel.orderBy(), sel.limit(), sel.offset(), null, null, null, sel.hierarchy());
    }

    /** How a join nest is shown (EXPLAIN): {@code (A JOIN B)}, its sources by correlation name. */
    private static String nestName(Binder.Part[] parts) {
        List<String> names = new ArrayList<>();
        for (Binder.Part p : parts) names.add(p.alias() != null ? p.alias() : p.table().owner().equals("DERIVED") ? "(query)" : p.table().name());
        return "(" + String.join(" JOIN ", names) + ")";
    }

    /** {@code list} in {@code order}: its {@code order[k]}-th element k-th. */
    private static <T> List<T> permuted(List<T> list, int[] order) {
        List<T> out = new ArrayList<>(order.length);
        for (int i : order) out.add(list.get(i));
        return out;
    }

    static void checkNoAggregate(Expr e, String where) {
        if (e instanceof Expr.Aggregate) throw ErrorCode.SEMANTIC_ERROR.error("aggregate functions are not allowed in " + where);
        if (e instanceof Expr.Grouping g) throw ErrorCode.SEMANTIC_ERROR.error(g.name + " is not allowed in " + where);
        if (e instanceof Expr.Window) throw ErrorCode.SEMANTIC_ERROR.error("window functions are not allowed in " + where);
        e.children(x -> checkNoAggregate(x, where));
    }

    static QueryPlan planQuery(Ast.Select sel, Session s) { return planQuery(sel, s, null, null); }

    /** Plans {@code sel}; a subquery's ({@code owner}) within the query {@code parent} binds. */
    static QueryPlan planQuery(Ast.Select sel, Session s, Binder parent, Expr.Subquery owner) {
        return planQuery(sel, s, parent, owner, false);
    }

    /**
     * {@code nest}: {@code sel} is a join nest's query ({@link Ast.FromItem#nest}): its {@code *}
     * is every column of its sources side by side, and the plan keeps the columns its USING
     * joins merged, for the query around it.
     */
    private static QueryPlan planQuery(Ast.Select sel, Session s, Binder parent, Expr.Subquery owner, boolean nest) {
        return planQuery(sel, s, parent, owner, nest, null);
    }

    /** {@code working}: {@code sel} is a recursive WITH query's recursive query, and this is its reference to itself. */
    private static QueryPlan planQuery(Ast.Select sel, Session s, Binder parent, Expr.Subquery owner, boolean nest, QueryPlan working) {
        if (sel.isCompound()) return planCompound(sel, s, parent, owner);
        sel = JoinOrder.reorder(resolveSources(sel, s), s);
        QueryPlan q = new QueryPlan();
        List<Table> tl = new ArrayList<>();
        List<String> al = new ArrayList<>();
        List<Expr> ons = new ArrayList<>();
        List<QueryPlan> derived = new ArrayList<>();
        List<Boolean> perExecution = new ArrayList<>();
        List<Binder.Part[]> nests = new ArrayList<>();
        List<Table> lock = new ArrayList<>();
        int[] levelOf = new int[sel.from().size()];
        for (int i = 0; i < levelOf.length; i++) {
            Ast.FromItem f = sel.from().get(i);
            levelOf[i] = -1;
            boolean source = f.query() != null || f.working(); // (not a name to look up)
            SystemViews.View system = source ? null : SystemViews.find(f.table(), s);
            var view = source || system != null ? null : s.catalog().view(owner(f.table(), s), f.table().name());
            if (system != null) {
                QueryPlan dq = SystemViews.plan(system);
                List<Column> cols = new ArrayList<>();
                for (ResultColumn rc : dq.columns) cols.add(new Column(rc.name(), rc.type(), false, null, null));
                levelOf[i] = tl.size();
                tl.add(new Table(-1, SystemViews.OWNER, system.name(), cols, new int[0]));
                al.add(f.alias());
                ons.add(f.on());
                derived.add(dq);
                perExecution.add(false);
                nests.add(null);
                continue;
            }
            if (source || view != null) {
                // A derived table (its query planned in the enclosing query's scope: it cannot
                // name the sources beside it) or a view (as its owner), and a stand-in table of
                // its result columns. In a subquery, it is run again for each of the subquery's
                // executions only if it reads the enclosing row itself (MERGE's USING (query)
                // is run once, however many target rows ask for a match).
                boolean wasCorrelated = owner != null && owner.correlated;
                if (owner != null) owner.correlated = false;
                QueryPlan dq = f.working() ? workingPlan(working, f)
                        : f.recursion() != null ? planRecursive(f.query(), f.recursion(), s, parent, owner)
                        : view != null ? planView(view, s) : planQuery(f.query(), s, parent, owner, f.nest());
                // (a recursive query's reference to itself reads other rows each round: each
                // round runs the query once)
                perExecution.add(f.working() || owner != null && owner.correlated);
                if (owner != null) owner.correlated |= wasCorrelated;
                List<Column> cols = new ArrayList<>();
                for (int c = 0; c < dq.columns.size(); c++) {
                    ResultColumn rc = dq.columns.get(c);
                    String colName = view != null && !view.columns().isEmpty() ? view.columns().get(c) : rc.name();
                    cols.add(new Column(colName, rc.type(), false, null, null));
                }
                levelOf[i] = tl.size();
                tl.add(view != null ? new Table(-1, view.owner(), view.name(), cols, new int[0])
                        : new Table(-1, "DERIVED", f.nest() ? nestName(dq.starParts) : f.alias() != null ? f.alias() : "", cols, new int[0]));
                al.add(f.alias());
                ons.add(f.on());
                derived.add(dq);
                nests.add(f.nest() ? dq.starParts : null);
                lock.addAll(java.util.Arrays.asList(dq.lockTables));
                continue;
            }
            if (f.table().owner() == null && f.table().name().equals("DUAL")
                    && s.catalog().table(s.user().name(), "DUAL") == null) {
                if (f.outer()) throw ErrorCode.UNSUPPORTED.error("an outer join of DUAL");
                if (sel.hierarchy() == null) continue; // the one-row DUAL: no source at all
                // a hierarchical query's tree needs rows: DUAL's one, with its column DUMMY 'X'
                QueryPlan dq = planQuery((Ast.Select) Parser.parse("SELECT 'X' AS DUMMY FROM DUAL").stmt(), s);
                levelOf[i] = tl.size();
                tl.add(new Table(-1, "SYS", "DUAL", List.of(new Column("DUMMY", dq.columns.get(0).type(), false, null, null)), new int[0]));
                al.add(f.alias());
                ons.add(null);
                derived.add(dq);
                perExecution.add(false);
                nests.add(null);
                continue;
            }
            Table t = rows(f.table(), s);
            require(s, Privilege.SELECT, t);
            levelOf[i] = tl.size();
            tl.add(t);
            al.add(f.alias());
            ons.add(f.on());
            derived.add(null);
            perExecution.add(false);
            nests.add(null);
            lock.add(t);
        }
        if (tl.size() > 62) throw ErrorCode.UNSUPPORTED.error("more than 62 tables in one query");
        Expr where = sel.where();
        boolean marked = OuterJoinMarks.present(where);
        if (sel.hierarchy() != null && hasUsing(sel)) {
            throw ErrorCode.UNSUPPORTED.error("a USING or NATURAL join in a hierarchical query (write JOIN ... ON)");
        }
        if (sel.hierarchy() != null && tl.size() > 1) {
            if (marked) throw ErrorCode.UNSUPPORTED.error("the outer join operator (+) in a hierarchical query (write LEFT JOIN ... ON)");
            Binder probe = new Binder(tl.toArray(new Table[0]), al.toArray(new String[0]), nests.toArray(new Binder.Part[0][]), s, parent, owner);
            return planQuery(joinedFirst(sel, probe), s, parent, owner);
        }
        if (marked) {
            // Oracle's (+): its conditions become the ON conditions of outer joins, each read after its outer table
            OuterJoinMarks.Joins joins = OuterJoinMarks.plan(where, tl.toArray(new Table[0]), al.toArray(new String[0]));
            int[] order = joins.order(), levelAt = new int[order.length];
            for (int k = 0; k < order.length; k++) levelAt[order[k]] = k;
            for (int i = 0; i < levelOf.length; i++) if (levelOf[i] >= 0) levelOf[i] = levelAt[levelOf[i]];
            tl = permuted(tl, order);
            al = permuted(al, order);
            derived = permuted(derived, order);
            perExecution = permuted(perExecution, order);
            nests = permuted(nests, order);
            ons = new ArrayList<>(joins.ons());
            where = joins.where();
        }
        Table[] tables = tl.toArray(new Table[0]);
        Binder binder = new Binder(tables, al.toArray(new String[0]), nests.toArray(new Binder.Part[0][]), s, parent, owner);
        binder.hierarchical = sel.hierarchy() != null;
        for (int i = 0; i < tables.length; i++) {
            QueryPlan dq = derived.get(i);
            if (nests.get(i) != null && dq.merged != null) binder.importNest(i, dq.merged, dq.hidden, dq.rowOffsets);
        }
        if (hasUsing(sel)) {
            // USING and NATURAL joins, in the order written: each one's condition, and its merged columns
            List<Expr.Using> usings = new ArrayList<>();
            for (Expr c : conjuncts(where)) if (c instanceof Expr.Using u) usings.add(u);
            for (Expr on : ons) for (Expr c : conjuncts(on)) if (c instanceof Expr.Using u) usings.add(u);
            usings.sort(java.util.Comparator.comparingInt(u -> u.seq));
            Map<Expr.Using, Expr> made = new java.util.IdentityHashMap<>();
            for (Expr.Using u : usings) made.put(u, binder.using(u));
            where = withUsingConditions(where, made);
            ons.replaceAll(on -> withUsingConditions(on, made));
        }
        planSources(q, tables, binder, where, ons);
        if (sel.hierarchy() != null) {
            if (tables.length != 1) throw new IllegalStateException("a hierarchical query of " + tables.length + " sources");
            q.hierarchy = Hierarchy.plan(sel.hierarchy(), binder, derived.get(0) == null ? tables[0] : null);
            // WHERE filters the tree's rows, not the rows the tree is made of
            q.hierarchy.where.addAll(q.filters.get(0));
            q.hierarchy.where.addAll(q.after.get(0));
            q.filters.get(0).clear();
            q.after.get(0).clear();
            q.access[0] = q.hierarchy.roots();
        }
        q.aliases = al.toArray(new String[0]);
        if (sel.from().size() == 2 && sel.from().get(1).full()) {
            if (tables.length != 2) throw ErrorCode.UNSUPPORTED.error("a FULL OUTER JOIN of DUAL");
            q.fullLevel = 1;
            // WHERE on the left alone is checked after the join: a left row it refuses still
            // matches right rows, which are then not the FULL JOIN's unmatched ones
            q.after.get(1).addAll(0, q.filters.get(0));
            q.filters.get(0).clear();
        }
        q.derived = derived.toArray(new QueryPlan[0]);
        q.perExecution = new boolean[q.derived.length];
        for (int i = 0; i < q.perExecution.length; i++) q.perExecution[i] = perExecution.get(i);
        q.lockTables = lock.toArray(new Table[0]);
        int[] starOrder = null;
        if (sel.starOrder() != null) {
            starOrder = sel.starOrder().stream().mapToInt(i -> levelOf[i]).filter(l -> l >= 0).toArray();
        } else if (marked) {
            starOrder = java.util.Arrays.stream(levelOf).filter(l -> l >= 0).toArray(); // * in the written order
        }
        if (sel.items().size() == 1 && sel.items().getFirst().star() && sel.items().getFirst().starQualifier() == null) {
            q.starParts = binder.starParts(starOrder); // (for a join nest: its sources' names in its row)
        }
        if (nest) {
            q.merged = binder.merged();
            q.hidden = binder.hidden();
            q.rowOffsets = binder.rowOffsets(starOrder);
        }
        q.distinct = sel.distinct();
        if (sel.first() != null) {
            if (sel.first().from() != null && (sel.limit() != null || sel.offset() != null)) {
                throw ErrorCode.SEMANTIC_ERROR.error("a query limits its rows with ROWS m TO n or with LIMIT, OFFSET and FETCH, not both");
            }
            if (!q.rownumFilters.isEmpty()) throw ErrorCode.ROWNUM_WITH_FIRST_ROWS.error(); // (ROWNUM counts before ORDER BY, FIRST after)
            q.first = rowCount(binder, sel.first().to(), sel.first().from() == null ? "FIRST" : "ROWS ... TO");
            q.firstFrom = sel.first().from() == null ? null : rowCount(binder, sel.first().from(), "ROWS");
        }
        q.limit = sel.limit() == null ? null : rowCount(binder, sel.limit(), "LIMIT");
        q.offset = sel.offset() == null ? null : rowCount(binder, sel.offset(), "OFFSET");

        // Select list.
        List<String> names = new ArrayList<>();
        for (Ast.SelectItem it : sel.items()) {
            if (it.star()) {
                if (tables.length == 0) throw ErrorCode.SEMANTIC_ERROR.error("* needs a FROM table");
                int before = q.outputs.size();
                binder.expandStar(it.starQualifier(), starOrder, q.outputs, names, nest);
                if (q.stars.isEmpty()) q.stars = new ArrayList<>();
                q.stars.add(new StarExpansion(it.start(), it.end(), List.copyOf(q.outputs.subList(before, q.outputs.size())), binder));
            } else {
                binder.sequencesAllowed = parent == null && AsUser.depthOf(s) == 0; // not in a subquery or a view
                q.outputs.add(binder.bind(it.expr()));
                binder.sequencesAllowed = false;
                names.add(it.alias() != null ? it.alias() : label(it.expr()));
            }
        }
        for (Expr g : sel.groupBy()) {
            binder.bind(g);
            checkNoAggregate(g, "GROUP BY");
            q.groupBy.add(g);
        }
        if (sel.groupingSets() != null) {
            q.groupingSets = sel.groupingSets().stream().mapToLong(Long::longValue).toArray();
            q.groupIds = new int[q.groupingSets.length];
            for (int i = 0; i < q.groupIds.length; i++) {
                for (int j = 0; j < i; j++) if (q.groupingSets[j] == q.groupingSets[i]) q.groupIds[i]++;
            }
        }
        if (q.hierarchy != null) q.hierarchy.orderSiblings(sel.hierarchy().siblings(), binder, q.outputs, names);
        Expr having = sel.having() == null ? null : binder.bind(sel.having());
        List<Expr> order = new ArrayList<>();
        q.sortOutputs = new int[sel.orderBy().size()];
        for (Ast.OrderItem o : sel.orderBy()) {
            Expr e = o.expr();
            int output = -1;
            if (e instanceof Expr.Literal l && l.value instanceof Long pos) {
                if (pos < 1 || pos > q.outputs.size()) throw ErrorCode.SEMANTIC_ERROR.error("ORDER BY position " + pos + " is out of range");
                output = (int) (pos - 1);
            } else if (e instanceof Expr.ColumnRef c && c.qualifier == null && names.contains(c.column)) {
                output = names.indexOf(c.column); // a select-list name wins, as in Oracle
            } else {
                binder.bind(e);
            }
            if (output >= 0) e = q.outputs.get(output);
            q.sortOutputs[order.size()] = output;
            order.add(e);
            q.sortDesc.add(o.descending());
            q.sortNullsFirst.add(o.nullsFirst());
        }
        q.aggregate = !sel.groupBy().isEmpty() || q.groupingSets != null || having != null || containsAggregate(q.outputs)
                || containsAggregate(order);
        if (!q.aggregate) {
            for (Expr e : q.outputs) checkNoGrouping(e);
            for (Expr e : order) checkNoGrouping(e);
        }
        if (q.aggregate) {
            List<String> groupTexts = new ArrayList<>();
            for (Expr g : q.groupBy) groupTexts.add(Expr.matchKey(g));
            for (int i = 0; i < q.outputs.size(); i++) q.outputs.set(i, rewriteForGroups(q.outputs.get(i), groupTexts, q));
            for (int i = 0; i < order.size(); i++) order.set(i, rewriteForGroups(order.get(i), groupTexts, q));
            q.having = having == null ? null : rewriteForGroups(having, groupTexts, q);
        }
        // (collected once a grouped query's are rewritten: they read its groups)
        List<Expr.Window> windows = new ArrayList<>();
        for (Expr e : q.outputs) walk(e, x -> { if (x instanceof Expr.Window w && w.slot < 0) { w.slot = windows.size(); windows.add(w); } });
        for (Expr e : order) walk(e, x -> { if (x instanceof Expr.Window w && w.slot < 0) { w.slot = windows.size(); windows.add(w); } });
        if (!windows.isEmpty()) {
            for (Expr.Window w : windows) {
                w.children(x -> walk(x, y -> {
                    if (y instanceof Expr.Window) throw ErrorCode.SEMANTIC_ERROR.error("a window function inside another: " + w.text());
                }));
                if (w.frame != null) WindowFrames.check(w);
            }
            q.windows = windows;
        }
        q.subqueries = binder.subqueries();
        // (known once the whole query is bound: whether it reads an enclosing query's row)
        q.sortKeys = order;
        // (a join's nested loop keeps the order its first table is read in: ORDER BY that table's columns)
        // (not a query that reads ROWNUM, which numbers the rows in the order they are found, before ORDER BY: it keeps that order)
        boolean readableInOrder = q.tables.length >= 1 && q.derived[0] == null && !q.outer[0] && q.fullLevel < 0 && q.hierarchy == null
                && !q.distinct && q.windows.isEmpty() && q.rownumFilters.isEmpty() && q.outputs.stream().noneMatch(Expr::readsRownum)
                && order.stream().noneMatch(Expr::readsRownum);
        if (readableInOrder && !q.aggregate) {
            q.indexOrder = Access.order(q.tables[0], q.access[0], order, q.sortDesc, q.sortNullsFirst, q.tables.length > 1);
        }
        // SELECT MIN(id), MAX(id) FROM t: for each, the first row from its index's end (NULLs, which it keeps first, do not count)
        if (readableInOrder && q.tables.length == 1 && q.aggregate && q.groupBy.isEmpty() && q.groupingSets == null
                && q.aggregates.stream().allMatch(a -> a.name.equals("MIN") || a.name.equals("MAX"))) {
            Access.IndexOrder[] walks = new Access.IndexOrder[q.aggregates.size()];
            for (int k = 0; k < walks.length && (k == 0 || walks[k - 1] != null); k++) {
                boolean max = q.aggregates.get(k).name.equals("MAX");
                walks[k] = Access.order(q.tables[0], q.access[0], List.of(q.aggregates.get(k).arg), List.of(max), List.of(!max), false);
            }
            if (walks[walks.length - 1] != null) q.extremes = walks;
        }
        for (int i = 0; i < q.outputs.size(); i++) q.columns.add(new ResultColumn(names.get(i), q.outputs.get(i).type));
        q.rowIdLevels = binder.rowIdSources; // (its subqueries bound: a correlated one may read a ROWID of this query's)
        return q;
    }

    /**
     * A compound query: its terms planned as queries of their own (in the same enclosing query,
     * for a subquery), each with the first term's number of columns, whose names the result
     * takes; a column's type holds the values of every term's (Binder.commonType: a UNION of a
     * TT_INTEGER and a NUMBER(5,1) is a NUMBER). Its ORDER BY names result columns by position or
     * name, as Oracle's does.
     */
    /**
     * A recursive WITH query's plans: its initial query, its recursive query, and the latter's
     * reference to itself; whether UNION drops rows given before; its SEARCH; and, for CYCLE,
     * the columns (positions) it compares and the mark's two values.
     */
    record Recursion(String name, QueryPlan initial, QueryPlan step, QueryPlan working, boolean distinct, Search search, int[] cycle,
                     String cycleMark, String noCycleMark) {}

    /** A recursive WITH query's SEARCH: depth or breadth first, the BY columns (positions) and their order. */
    record Search(boolean depthFirst, int[] by, Comparator<Object[]> order) {}

    /** The plan of {@code f}, a recursive WITH query's reference to itself, within the query {@code working} is planned for. */
    private static QueryPlan workingPlan(QueryPlan working, Ast.FromItem f) {
        if (working == null || !working.workingOf.equals(f.table().name())) {
            throw ErrorCode.INTERNAL.error("recursive WITH query " + f.table().name() + " read outside its recursive query");
        }
        return working;
    }

    /**
     * Plans the recursive WITH query {@code r} whose initial query is {@code initial}. Its columns
     * have the initial query's types, widened to hold the recursive query's values too: the
     * recursive query is planned over the types so far until they hold (numbers widen as in a
     * UNION, strings of differing lengths become VARCHAR2 of any length); a column whose types are
     * of different kinds (a number and a string, say) is TT90003, as Oracle's ORA-01790 and
     * PostgreSQL refuse it.
     */
    private static QueryPlan planRecursive(Ast.Select initial, Ast.Recursion r, Session s, Binder parent, Expr.Subquery owner) {
        if (r.step().hierarchy() != null) {
            throw ErrorCode.UNSUPPORTED.error("a hierarchical query (CONNECT BY) as the recursive query of WITH query " + r.name());
        }
        QueryPlan first = planQuery(initial, s, parent, owner);
        List<String> names = r.columns() != null ? r.columns() : first.columns.stream().map(ResultColumn::name).toList();
        if (names.size() != first.columns.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + r.name() + " names " + names.size() + " columns but its query has "
                    + first.columns.size());
        }
        List<SqlType> types = new ArrayList<>();
        for (ResultColumn c : first.columns) types.add(c.type());
        boolean[] untyped = new boolean[types.size()]; // a NULL or a parameter of the initial query: the recursive query's type
        for (int i = 0; i < untyped.length; i++) {
            Expr e = first.terms == null ? first.outputs.get(i) : null;
            untyped[i] = Binder.isNullLiteral(e) || e instanceof Expr.Param;
        }
        for (int round = 0; ; round++) {
            QueryPlan working = new QueryPlan();
            working.columns = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) working.columns.add(new ResultColumn(names.get(i), types.get(i)));
            working.tables = new Table[0];
            working.workingOf = r.name();
            working.generated = scope -> scope.working(working);
            QueryPlan step = planQuery(r.step(), s, parent, owner, false, working);
            if (step.columns.size() != names.size()) {
                throw ErrorCode.SEMANTIC_ERROR.error("the queries of recursive WITH query " + r.name() + " select " + names.size() + " and "
                        + step.columns.size() + " columns; each must select as many");
            }
            readsItselfInnerJoined(step, working, r.name());
            if (step.aggregate) {
                throw ErrorCode.SEMANTIC_ERROR.error("the recursive query of WITH query " + r.name() + " groups or aggregates; each round"
                        + " adds rows, one by one, from those of the round before");
            }
            List<SqlType> wider = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                SqlType a = types.get(i), b = step.columns.get(i).type();
                wider.add(untyped[i] ? b : Binder.isNullLiteral(step.outputs.get(i)) ? a : recursiveType(a, b, r.name(), names.get(i)));
            }
            untyped = new boolean[types.size()];
            if (wider.equals(types)) {
                QueryPlan q = new QueryPlan();
                q.columns = new ArrayList<>(working.columns);
                Search search = r.search() == null ? null : search(r, names);
                if (search != null) q.columns.add(new ResultColumn(r.search().column(), SqlType.BIGINT));
                int[] cycle = r.cycle() == null ? null : cycleColumns(r, names);
                if (cycle != null) {
                    int width = Math.max(1, Math.max(r.cycle().value().length(), r.cycle().otherwise().length()));
                    q.columns.add(new ResultColumn(r.cycle().mark(), SqlType.varchar(width)));
                }
                q.recursion = new Recursion(r.name(), first, step, working, r.distinct(), search, cycle,
                        r.cycle() == null ? null : r.cycle().value(), r.cycle() == null ? null : r.cycle().otherwise());
                q.outputs = first.outputs;
                q.tables = new Table[0];
                q.lockTables = java.util.stream.Stream.concat(java.util.Arrays.stream(first.lockTables), java.util.Arrays.stream(step.lockTables))
                        .toArray(Table[]::new);
                return q;
            }
            if (round == 8) throw ErrorCode.INTERNAL.error("the column types of recursive WITH query " + r.name() + " do not settle");
            types = wider;
        }
    }

    /** The SEARCH of recursive WITH query {@code r}, whose columns are {@code names} (its number a column after them). */
    private static Search search(Ast.Recursion r, List<String> names) {
        Ast.Search search = r.search();
        int[] by = new int[search.by().size()];
        List<Boolean> desc = new ArrayList<>(), nullsFirst = new ArrayList<>();
        for (int i = 0; i < by.length; i++) {
            Ast.OrderItem o = search.by().get(i);
            String column = ((Expr.ColumnRef) o.expr()).column;
            by[i] = names.indexOf(column);
            if (by[i] < 0) {
                throw ErrorCode.SEMANTIC_ERROR.error("SEARCH orders by " + column + ", which recursive WITH query " + r.name()
                        + " has no column of");
            }
            desc.add(o.descending());
            nullsFirst.add(o.nullsFirst());
        }
        if (names.contains(search.column())) {
            throw ErrorCode.SEMANTIC_ERROR.error("SEARCH's column " + search.column() + " is already a column of recursive WITH query "
                    + r.name());
        }
        return new Search(search.depthFirst(), by, QueryPlan.keyComparator(desc, nullsFirst));
    }

    /** The positions among {@code names} of the columns CYCLE compares, whose mark is a column after them. */
    private static int[] cycleColumns(Ast.Recursion r, List<String> names) {
        Ast.Cycle c = r.cycle();
        int[] at = new int[c.columns().size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = names.indexOf(c.columns().get(i));
            if (at[i] < 0) {
                throw ErrorCode.SEMANTIC_ERROR.error("CYCLE compares " + c.columns().get(i) + ", which recursive WITH query " + r.name()
                        + " has no column of");
            }
        }
        if (names.contains(c.mark())) {
            throw ErrorCode.SEMANTIC_ERROR.error("CYCLE's mark " + c.mark() + " is already a column of recursive WITH query " + r.name());
        }
        return at;
    }

    /** The type of a recursive WITH query's column whose initial query gives {@code a}s and recursive query {@code b}s. */
    private static SqlType recursiveType(SqlType a, SqlType b, String name, String column) {
        if (a.equals(b)) return a;
        TypeKind x = a.kind(), y = b.kind();
        if (x.isString() && y.isString()) return SqlType.VARCHAR_ANY;
        if (x == TypeKind.VARBINARY && y == TypeKind.VARBINARY) return SqlType.VARBINARY_ANY;
        if (x.isNumeric() && y.isNumeric() || x.isDatetime() && y.isDatetime()) return Binder.commonTypeOf(List.of(a, b));
        throw ErrorCode.TYPE_MISMATCH.error("column " + column + " of recursive WITH query " + name + " is " + a.sqlName() + " in its initial"
                + " query but " + b.sqlName() + " in its recursive query");
    }

    /**
     * Refuses a recursive query that reads its WITH query ({@code working}) on the side of an
     * outer join that may be NULLs: each round's rows must come from the rows the round before added.
     */
    private static void readsItselfInnerJoined(QueryPlan step, QueryPlan working, String name) {
        for (int i = 0; i < step.derived.length; i++) {
            if (step.derived[i] == working && (step.outer[i] || step.fullLevel >= 0)) {
                throw ErrorCode.SEMANTIC_ERROR.error("the recursive query of WITH query " + name + " reads it in an outer join (the side"
                        + " that may be NULLs, or a FULL JOIN); read it as a table that the join's other rows join");
            }
        }
    }

    private static QueryPlan planCompound(Ast.Select sel, Session s, Binder parent, Expr.Subquery owner) {
        QueryPlan q = new QueryPlan();
        q.terms = new ArrayList<>();
        for (Ast.Select term : sel.terms()) q.terms.add(planQuery(term, s, parent, owner));
        QueryPlan first = q.terms.get(0);
        for (int i = 1; i < q.terms.size(); i++) {
            int n = q.terms.get(i).columns.size();
            if (n != first.columns.size()) {
                throw ErrorCode.SEMANTIC_ERROR.error("the queries of a " + sel.setOps().get(i - 1) + " select " + first.columns.size()
                        + " and " + n + " columns; each must select as many");
            }
        }
        q.setOps = sel.setOps();
        q.columns = new ArrayList<>();
        for (int i = 0; i < first.columns.size(); i++) {
            List<SqlType> types = new ArrayList<>();
            for (QueryPlan term : q.terms) {
                if (term.terms != null || !Binder.isNullLiteral(term.outputs.get(i))) types.add(term.columns.get(i).type());
            }
            q.columns.add(new ResultColumn(first.columns.get(i).name(), Binder.commonTypeOf(types)));
        }
        q.outputs = first.outputs;
        q.tables = new Table[0];
        q.lockTables = q.terms.stream().flatMap(t -> java.util.Arrays.stream(t.lockTables)).toArray(Table[]::new);
        List<String> names = first.columns.stream().map(ResultColumn::name).toList();
        q.sortColumns = new int[sel.orderBy().size()];
        for (int i = 0; i < q.sortColumns.length; i++) {
            Ast.OrderItem o = sel.orderBy().get(i);
            int column;
            if (o.expr() instanceof Expr.Literal l && l.value instanceof Long pos) {
                if (pos < 1 || pos > names.size()) throw ErrorCode.SEMANTIC_ERROR.error("ORDER BY position " + pos + " is out of range");
                column = (int) (pos - 1);
            } else if (o.expr() instanceof Expr.ColumnRef c && c.qualifier == null && names.contains(c.column)) {
                column = names.indexOf(c.column);
            } else {
                throw ErrorCode.SEMANTIC_ERROR.error("the ORDER BY of a UNION, INTERSECT or MINUS (or after a query in parentheses) "
                        + "names a result column, by position or by the first query's name for it, not " + o.expr().text());
            }
            q.sortColumns[i] = column;
            q.sortDesc.add(o.descending());
            q.sortNullsFirst.add(o.nullsFirst());
        }
        Binder none = new Binder(new Table[0], new String[0], s, parent, owner);
        q.limit = sel.limit() == null ? null : none.bind(sel.limit());
        q.offset = sel.offset() == null ? null : none.bind(sel.offset());
        return q;
    }

    private static String label(Expr e) {
        if (e instanceof Expr.ColumnRef c) return c.column;
        String t = e.text();
        if (t.startsWith("(") && t.endsWith(")")) t = t.substring(1, t.length() - 1);
        return t.toUpperCase(java.util.Locale.ROOT);
    }

    private static void checkNoGrouping(Expr e) {
        walk(e, x -> {
            if (x instanceof Expr.Grouping g) throw ErrorCode.SEMANTIC_ERROR.error(g.name + " needs GROUP BY");
        });
    }

    private static boolean containsAggregate(List<Expr> es) {
        boolean[] found = {false};
        for (Expr e : es) walk(e, x -> { if (x instanceof Expr.Aggregate) found[0] = true; });
        return found[0];
    }

    static void walk(Expr e, Consumer<Expr> f) {
        f.accept(e);
        e.children(x -> walk(x, f));
    }

    /**
     * A grouped query's column that a subquery in its select list, HAVING or ORDER BY reads: {source,
     * column, GROUP BY slot}. It must be grouped on, as the column itself (TT90015 otherwise, as
     * for the query's own references).
     */
    private static int[] groupColumn(Expr.ColumnRef ref, QueryPlan q) {
        for (int g = 0; g < q.groupBy.size(); g++) {
            if (q.groupBy.get(g) instanceof Expr.ColumnRef c && c.depth == 0 && c.source == ref.source && c.index == ref.index) {
                return new int[] {ref.source, ref.index, g};
            }
        }
        throw ErrorCode.SEMANTIC_ERROR.error("column " + ref.text() + " must appear in GROUP BY or in an aggregate function");
    }

    /** Replaces GROUP BY expressions by group slots and aggregates by their result slots. */
    private static Expr rewriteForGroups(Expr e, List<String> groupTexts, QueryPlan q) {
        int g = groupTexts.indexOf(Expr.matchKey(e));
        if (g >= 0 && !(e instanceof Expr.Aggregate)) return new Expr.GroupRef(e, g);
        if (e instanceof Expr.Aggregate a) {
            if (a.arg != null) {
                walk(a.arg, x -> {
                    if (x instanceof Expr.Aggregate) throw ErrorCode.SEMANTIC_ERROR.error("aggregate functions cannot be nested");
                    // (a group's GROUPING is one value for the group, not one per row an aggregate could read)
                    if (x instanceof Expr.Grouping gf) throw ErrorCode.SEMANTIC_ERROR.error(gf.name + " cannot be inside an aggregate function");
                });
            }
            for (Expr.Aggregate existing : q.aggregates) {
                if (Expr.matchKey(existing).equals(Expr.matchKey(a))) {
                    a.slot = existing.slot;
                    return a;
                }
            }
            a.slot = q.aggregates.size();
            q.aggregates.add(a);
            return a;
        }
        if (e instanceof Expr.ColumnRef c) {
            if (c.depth > 0) return c; // an enclosing query's column: one value for the whole group
            throw ErrorCode.SEMANTIC_ERROR.error("column " + c.text() + " must appear in GROUP BY or in an aggregate function");
        }
        if (e instanceof Expr.Keyword k && k.column != null) return rewriteForGroups(k.column, groupTexts, q); // (a column named USER)
        if (e instanceof Expr.Tree t) { // CONNECT_BY_ROOT x, SYS_CONNECT_BY_PATH: a row's, as a column is
            throw ErrorCode.SEMANTIC_ERROR.error(t.text() + " must appear in GROUP BY or in an aggregate function");
        }
        if (e instanceof Expr.Grouping gf) {
            int[] slots = new int[gf.args.size()];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = groupTexts.indexOf(Expr.matchKey(gf.args.get(i)));
                if (slots[i] < 0) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the argument of " + gf.name + " must be a GROUP BY expression, not "
                            + gf.args.get(i).text());
                }
            }
            return gf.of(slots, q.groupingSets, q.groupIds, q.groupBy.size());
        }
        if (e instanceof Expr.Subquery sq) {
            for (Expr.ColumnRef ref : sq.outerRefs) q.groupColumns.add(groupColumn(ref, q));
            return sq.arg == null ? sq : sq.withArg(rewriteForGroups(sq.arg, groupTexts, q));
        }
        return switch (e) {
            case Expr.Binary b -> copyType(b, new Expr.Binary(b.pos, b.op, rewriteForGroups(b.left, groupTexts, q), rewriteForGroups(b.right, groupTexts, q)));
            case Expr.Unary u -> copyType(u, new Expr.Unary(u.pos, u.op, rewriteForGroups(u.arg, groupTexts, q)));
            case Expr.Call c -> copyType(c, new Expr.Call(c.pos, c.name, c.args.stream().map(x -> rewriteForGroups(x, groupTexts, q)).toList()));
            case Expr.Cast c -> new Expr.Cast(c.pos, rewriteForGroups(c.arg, groupTexts, q), c.type);
            case Expr.IsNull n -> new Expr.IsNull(n.pos, rewriteForGroups(n.arg, groupTexts, q), n.negated);
            case Expr.Between b -> new Expr.Between(b.pos, rewriteForGroups(b.arg, groupTexts, q), rewriteForGroups(b.low, groupTexts, q),
                    rewriteForGroups(b.high, groupTexts, q), b.negated);
            case Expr.Row r -> new Expr.Row(r.pos, r.items.stream().map(x -> rewriteForGroups(x, groupTexts, q)).toList());
            case Expr.InList il -> new Expr.InList(il.pos, rewriteForGroups(il.arg, groupTexts, q),
                    il.list.stream().map(x -> rewriteForGroups(x, groupTexts, q)).toList(), il.negated);
            case Expr.Like l -> new Expr.Like(l.pos, rewriteForGroups(l.arg, groupTexts, q), rewriteForGroups(l.pattern, groupTexts, q),
                    l.escape == null ? null : rewriteForGroups(l.escape, groupTexts, q), l.negated);
            case Expr.Case c -> copyType(c, new Expr.Case(c.pos, c.operand == null ? null : rewriteForGroups(c.operand, groupTexts, q),
                    c.whens.stream().map(x -> rewriteForGroups(x, groupTexts, q)).toList(),
                    c.thens.stream().map(x -> rewriteForGroups(x, groupTexts, q)).toList(),
                    c.otherwise == null ? null : rewriteForGroups(c.otherwise, groupTexts, q)));
            case Expr.Window w -> {
                // over the groups: its expressions read group keys and aggregates, as the select list does
                java.util.function.UnaryOperator<Expr> rw = x -> rewriteForGroups(x, groupTexts, q);
                Expr.Aggregate agg = w.agg == null ? null : new Expr.Aggregate(w.agg.pos, w.agg.name,
                        w.agg.arg == null ? null : rw.apply(w.agg.arg), w.agg.distinct);
                if (agg != null) agg.type = w.agg.type;
                yield copyType(w, new Expr.Window(w.pos, w.name, agg, w.args.stream().map(rw).toList(), w.partition.stream().map(rw).toList(),
                        w.order.stream().map(rw).toList(), w.descending, w.nullsFirst, w.frame, w.ignoreNulls)); // (a frame's offsets are constants)
            }
            default -> e; // literals, parameters, SYSDATE
        };
    }

    private static Expr copyType(Expr from, Expr to) {
        to.type = from.type;
        return to;
    }

    // ---- DML ----------------------------------------------------------------------------------

    /** Coerces a full row to the table's types and checks NOT NULL. */
    static Object[] checkRow(Table t, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            Column c = t.columns().get(i);
            row[i] = c.type().coerce(row[i], t.columnLabel(i));
            if (row[i] == null && c.notNull()) throw ErrorCode.NOT_NULL_VIOLATION.error(t.columnLabel(i));
        }
        for (Table.Check c : t.checks()) {
            // Only FALSE violates it: a NULL (unknown) passes, as in Oracle.
            if (Boolean.FALSE.equals(Expr.truth(c.condition().apply(row), 0))) {
                throw ErrorCode.CHECK_VIOLATION.error(t.owner() + "." + c.name(), c.sql());
            }
        }
        return row;
    }

    static Plan planInsert(Ast.Insert ins, Session s) {
        InsertPlan p = insertPlan(ins, s);
        return (ss, params) -> p.run(ss, params, null);
    }

    /**
     * CREATE TABLE ... AS SELECT's rows: {@code query}'s (planned as the creator, who needs SELECT
     * on what it reads; the table is new, so no INSERT privilege is asked) into every column of
     * {@code t}, in the session's transaction, each checked as INSERT checks it. Returns how many.
     */
    static long insertAll(Session s, Table t, QueryPlan query) {
        int[] target = java.util.stream.IntStream.range(0, t.columns().size()).toArray();
        return new InsertPlan(t, target, query, List.of()).run(s, new Object[0], null).updateCount();
    }

    private static InsertPlan insertPlan(Ast.Insert ins, Session s) {
        Table t = rows(ins.table(), s);
        require(s, Privilege.INSERT, t);
        writable(s, t);
        int[] target;
        if (ins.columns() == null) {
            target = new int[t.columns().size()];
            for (int i = 0; i < target.length; i++) target[i] = i;
        } else {
            target = new int[ins.columns().size()];
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < target.length; i++) {
                target[i] = t.columnIndex(ins.columns().get(i));
                if (target[i] < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + ins.columns().get(i));
                if (!seen.add(target[i])) throw ErrorCode.COLUMN_TWICE.error(ins.columns().get(i));
            }
        }
        Binder none = new Binder(new Table[0], new String[0], s);
        QueryPlan query = ins.query() == null ? null : planQuery(ins.query(), s);
        if (query != null && query.outputs.size() != target.length) {
            throw ErrorCode.SEMANTIC_ERROR.error("INSERT has " + target.length + " target columns but the query returns " + query.outputs.size());
        }
        List<List<Expr>> rows = new ArrayList<>();
        if (ins.rows() != null) {
            for (List<Expr> r : ins.rows()) {
                if (r.size() != target.length) {
                    throw ErrorCode.SEMANTIC_ERROR.error("INSERT has " + target.length + " target columns but " + r.size() + " values");
                }
                none.sequencesAllowed = true;
                for (Expr e : r) {
                    none.bind(e);
                    checkNoAggregate(e, "VALUES");
                }
                rows.add(r);
            }
        }
        return new InsertPlan(t, target, query, rows);
    }

    /** INSERT's plan: into {@code t}'s columns {@code target}, its query's rows or its VALUES {@code rows}. */
    private record InsertPlan(Table t, int[] target, QueryPlan query, List<List<Expr>> rows) {
        /** One execution, as one statement (undone whole if a row fails); with {@code returning}, its rows' values. */
        StatementResult run(Session ss, Object[] params, ReturningPlan returning) {
            return atomically(ss, txn -> {
                try (TempSpace.Budget temp = ss.transactions().temp().budget()) {
                    Scope scope = begin(ss, txn, params, temp);
                    Returned out = returning == null ? null : returning.start(temp);
                    long n = insert(scope, values(scope), out);
                    return out == null ? StatementResult.count(n) : out.result(n);
                }
            });
        }

        /** Locks the table for writing (and the query's tables for reading), then opens the statement's snapshot. */
        Scope begin(Session ss, Transaction txn, Object[] params, TempSpace.Budget temp) {
            lockForWrite(ss, txn, t);
            if (query != null) lockForRead(ss, txn, query.lockTables);
            return new Scope(ss, txn, ss.transactions().openSnapshot(ss.snapshotSlot()), params, temp);
        }

        /** The rows to insert: its VALUES, or its query's rows, read in full (and charged to TempSize) before any is inserted. */
        List<Object[]> values(Scope scope) {
            if (query != null) return query.execute(scope, null, Long.MAX_VALUE);
            Expr.Ctx ctx = new Expr.Ctx(0, scope.params).limitedBy(scope.session);
            ctx.scope = scope;
            List<Object[]> values = new ArrayList<>();
            for (List<Expr> r : rows) {
                ctx.row++;
                Object[] v = new Object[r.size()];
                for (int i = 0; i < v.length; i++) v[i] = r.get(i).eval(ctx);
                values.add(v);
            }
            return values;
        }

        /**
         * Inserts {@code values} (from {@link #values}), checking each row and the foreign keys;
         * returns how many. Each row as inserted goes to {@code returned}, if not null.
         */
        long insert(Scope scope, List<Object[]> values, Returned returned) {
            Session ss = scope.session;
            Transaction txn = scope.txn;
            Expr.Ctx ctx = new Expr.Ctx(1, scope.params).limitedBy(ss); // (one source: the row inserted, for RETURNING)
            ctx.scope = scope;
            ForeignKeys.Checks checks = new ForeignKeys.Checks(ss, txn, scope.temp, ctx);
            long n = 0;
            for (Object[] v : values) {
                ctx.tick();
                Object[] row = new Object[t.columns().size()];
                boolean[] given = new boolean[row.length];
                for (int i = 0; i < target.length; i++) {
                    if (v[i] != Parser.DEFAULT) {
                        row[target[i]] = v[i];
                        given[target[i]] = true;
                    }
                }
                for (int i = 0; i < row.length; i++) if (!given[i]) row[i] = t.columns().get(i).defaultOrNull(ss.user().name());
                Object[] checked = checkRow(t, row);
                long id = ss.transactions().insert(txn, t, checked);
                checks.inserted(t, id, checked);
                if (returned != null) returned.add(ctx, id, checked);
                n++;
            }
            checks.finish();
            return n;
        }
    }

    /**
     * SELECT ... FOR UPDATE: a query of tables joined by inner joins (TT90019 otherwise: an outer
     * join, a view, a derived table, DISTINCT, grouping, a set operation), whose rows lock the
     * rows of the tables OF names columns of (Oracle's), or of all its tables without OF; it needs
     * UPDATE on each table it locks, as it blocks the table's writers.
     */
    static QueryPlan planForUpdate(Ast.SelectForUpdate fu, Session s) {
        Ast.Select sel = fu.query();
        if (sel.isCompound() || sel.distinct() || !sel.groupBy().isEmpty() || sel.groupingSets() != null || sel.having() != null) {
            throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a query with DISTINCT, GROUP BY or a set operation");
        }
        for (Ast.FromItem f : sel.from()) {
            Ast.Name n = f.table() == null ? null : resolve(f.table(), s);
            if (n != null && s.catalog().table(owner(n, s), n.name()) == null && SystemViews.find(n, s) == null
                    && s.catalog().view(owner(n, s), n.name()) != null) {
                throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a view (name its table)");
            }
        }
        QueryPlan q = planQuery(sel, s);
        if (q.aggregate || q.windows != null && !q.windows.isEmpty()) {
            throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a query with aggregates or window functions");
        }
        int n = q.tables.length;
        if (n == 0) throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a query of no table");
        if (q.hierarchy != null) throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a hierarchical query (CONNECT BY)");
        for (int level = 0; level < n; level++) {
            if (q.derived[level] != null) throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of a query in FROM (name its tables)");
            if (q.outer[level]) throw ErrorCode.UNSUPPORTED.error("FOR UPDATE of an outer join");
        }
        // The tables locked: those OF names a column of (by correlation name, as the query's own
        // references), or all of them.
        q.lockLevels = new boolean[n];
        if (fu.of().isEmpty()) java.util.Arrays.fill(q.lockLevels, true);
        Binder names = new Binder(q.tables, q.aliases, s);
        for (Ast.Name c : fu.of()) {
            Expr.ColumnRef ref = new Expr.ColumnRef(0, c.owner(), c.name());
            names.bind(ref);
            q.lockLevels[ref.source] = true;
        }
        for (int level = 0; level < n; level++) {
            if (!q.lockLevels[level]) continue;
            require(s, Privilege.UPDATE, q.tables[level]);
            writable(s, q.tables[level]);
        }
        q.forUpdate = true;
        if (fu.waitMillis() != null) q.lockWaitNanos = fu.waitMillis() * 1_000_000;
        q.skipLocked = fu.skipLocked();
        return q;
    }

    /** Plans the WHERE of a single-table UPDATE or DELETE. */
    private static QueryPlan planTarget(Table t, String alias, Expr where, Session s) {
        QueryPlan q = new QueryPlan();
        Binder binder = new Binder(new Table[] {t}, new String[] {alias}, s);
        planSources(q, new Table[] {t}, binder, where);
        q.subqueries = binder.subqueries();
        q.rowIdLevels = binder.rowIdSources;
        q.derived = new QueryPlan[1];
        q.perExecution = new boolean[1];
        q.lockTables = new Table[] {t};
        return q;
    }

    /**
     * A row UPDATE or DELETE found matching in its snapshot. The first few keep the image they
     * were decoded from and the decoded row: if the row is unchanged once locked (the same image),
     * it is not decoded again. A large statement keeps only row ids, so it never holds all its
     * rows decoded at once.
     */
    private record Candidate(long id, byte[] image, Object[] row) {}

    private static final int CANDIDATES_KEPT_DECODED = 64;

    /** The rows matching the plan's filters in the statement's snapshot, collected before any change. */
    private static List<Candidate> candidates(QueryPlan q, Scope scope) { return candidates(q, scope, Long.MAX_VALUE, Set.of()); }

    /** {@link #candidates(QueryPlan, Scope)}, the first {@code most} of them but those {@code seen} before: the walk stops there. */
    private static List<Candidate> candidates(QueryPlan q, Scope scope, long most, Set<Long> seen) {
        Session s = scope.session;
        Transaction txn = scope.txn;
        long snapshot = scope.snapshot;
        Expr.Ctx ctx = new Expr.Ctx(1, scope.params).limitedBy(s);
        ctx.scope = scope;
        Table t = q.tables[0];
        List<Candidate> ids = new ArrayList<>();
        boolean[] done = {false}; // a condition on ROWNUM no later row can pass
        java.util.function.LongConsumer consider = id -> {
            if (done[0] || !seen.isEmpty() && seen.contains(id)) return;
            ctx.tick();
            byte[] img = Version.visible(t.store().slot(id), snapshot, txn.id());
            if (img == null) return;
            Object[] row = q.readRow(0, id, img);
            ctx.rows[0] = row;
            if (!passes(q.filters.get(0), ctx)) return;
            Boolean numbered = q.number(ctx);
            if (numbered != Boolean.TRUE) {
                done[0] = numbered == Boolean.FALSE;
                return;
            }
            t.store().touch(id); // (to be changed or locked: used, for LRU aging)
            ids.add(ids.size() < CANDIDATES_KEPT_DECODED ? new Candidate(id, img, row) : new Candidate(id, null, null));
            if (ids.size() >= most) done[0] = true;
        };
        if (q.access[0].scans(t, ctx)) {
            t.store().forEachHead((id, head) -> {
                consider.accept(id);
                return !done[0];
            });
        } else {
            q.access[0].rowIds(t, ctx, consider);
        }
        return ids;
    }

    static boolean passes(List<Expr> filters, Expr.Ctx ctx) {
        for (Expr e : filters) if (!Boolean.TRUE.equals(Expr.truth(e.eval(ctx), e.pos))) return false;
        return true;
    }

    /** UPDATE; with {@code returning} (bound over its table), the updated rows' values as its result. */
    static Plan planUpdate(Ast.Update upd, Session s, Ast.Returning returning) {
        Table t = rows(upd.table(), s);
        require(s, Privilege.UPDATE, t);
        writable(s, t);
        QueryPlan q = planTarget(t, upd.alias(), upd.where(), s);
        Binder binder = new Binder(new Table[] {t}, new String[] {upd.alias()}, s);
        int[] cols = new int[upd.columns().size()];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < cols.length; i++) {
            cols[i] = t.columnIndex(upd.columns().get(i));
            if (cols[i] < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(t.qualifiedName() + "." + upd.columns().get(i));
            if (!seen.add(cols[i])) throw ErrorCode.UPDATE_COLUMN_TWICE.error(upd.columns().get(i));
            binder.sequencesAllowed = true;
            binder.bind(upd.values().get(i));
            binder.sequencesAllowed = false;
            checkNoAggregate(upd.values().get(i), "SET");
        }
        boolean subqueries = !q.subqueries.isEmpty() || !binder.subqueries().isEmpty();
        q.rowIdLevels |= binder.rowIdSources; // (SET a = ROWID: the rows read carry it)
        ReturningPlan ret = returning == null ? null : ReturningPlan.of(returning, t, upd.alias(), s);
        DynamicLoad load = DynamicLoad.of(q.tables, q.access, s);
        return (ss, params) -> {
            if (load != null) load.run(ss, params);
            return atomically(ss, txn -> changed(ret,
                forEachLockedMatch(ss, txn, q, params, subqueries, Long.MAX_VALUE, ret, (old, ctx) -> {
                    ctx.row++;
                    Object[] row = old.clone();
                    Object[] spread = null; // the row of a SET (a, b) = (SELECT ...) subquery, for its later columns
                    for (int i = 0; i < cols.length; i++) {
                        Expr e = upd.values().get(i);
                        Object v;
                        if (e instanceof Expr.RowPart part) {
                            v = spread[part.index];
                        } else {
                            v = e.eval(ctx);
                            if (e instanceof Expr.Subquery sq && sq.rowWidth > 0) {
                                spread = (Object[]) v;
                                v = spread[0];
                            }
                        }
                        row[cols[i]] = v == Parser.DEFAULT ? t.columns().get(cols[i]).defaultOrNull(ss.user().name()) : v;
                    }
                    return checkRow(t, row);
                })));
        };
    }

    /** What UPDATE or DELETE returns: the count, or with RETURNING the values it collected. */
    private static StatementResult changed(ReturningPlan ret, Changed c) {
        return ret == null ? StatementResult.count(c.count()) : c.returned().result(c.count());
    }

    /**
     * MERGE (see {@link Ast.Merge}): its INSERT's rows chosen, then its UPDATE made, then those
     * rows inserted, as one statement: a failure of any undoes all. The rows to insert are chosen
     * first because the UPDATE's changes are the transaction's, and the INSERT's query would see
     * them: a source that reads the target table (MERGE INTO t USING (SELECT ... FROM t) s ON
     * (... s.d ...)), changed by the UPDATE, would no longer match and be inserted too. Returns
     * the rows updated and inserted. With DELETE WHERE, the UPDATE returns the ROWIDs of the rows
     * it changed, and each is deleted if its condition holds now, over the row's new values (the
     * rows deleted were updated, and are counted so, as Oracle counts them).
     */
    static Plan planMerge(Ast.Merge m, Session s) {
        Ast.Returning rowIds = m.delete() == null ? null
                : new Ast.Returning(m.update(), List.of(new Ast.SelectItem(new Expr.ColumnRef(0, m.update().alias(), "ROWID"), null)), null);
        Plan update = m.update() == null ? null : planUpdate(m.update(), s, rowIds);
        Plan delete = m.delete() == null ? null : planDelete(m.delete(), s, null);
        InsertPlan insert = m.insert() == null ? null : insertPlan(m.insert(), s);
        return (ss, params) -> atomically(ss, txn -> {
            try (TempSpace.Budget temp = ss.transactions().temp().budget()) {
                List<Object[]> rows = insert == null ? null : insert.values(insert.begin(ss, txn, params, temp));
                long n = 0;
                if (update != null) {
                    StatementResult updated = update.run(ss, params);
                    n += updated.updateCount();
                    Object[] withRowId = delete == null ? null : java.util.Arrays.copyOf(params, m.rowIdParam() + 1);
                    for (Object[] row : delete == null ? List.<Object[]>of() : updated.rows()) {
                        withRowId[m.rowIdParam()] = row[0];
                        delete.run(ss, withRowId);
                    }
                }
                // (inserted, with their foreign keys checked, as the UPDATE left the tables)
                if (insert != null) n += insert.insert(insert.begin(ss, txn, params, temp), rows, null);
                return StatementResult.count(n);
            }
        });
    }

    /** DELETE; with {@code returning} (bound over its table), the deleted rows' values as its result. */
    static Plan planDelete(Ast.Delete del, Session s, Ast.Returning returning) {
        Table t = rows(del.table(), s);
        require(s, Privilege.DELETE, t);
        writable(s, t);
        QueryPlan q = planTarget(t, del.alias(), del.where(), s);
        // DELETE FIRST n: the first n matching rows the statement meets (in no promised order), as TimesTen's
        if (del.first() != null && !q.rownumFilters.isEmpty()) throw ErrorCode.ROWNUM_WITH_FIRST_ROWS.error();
        Expr first = del.first() == null ? null : new Binder(new Table[0], new String[0]).bind(del.first());
        ReturningPlan ret = returning == null ? null : ReturningPlan.of(returning, t, del.alias(), s);
        DynamicLoad load = DynamicLoad.of(q.tables, q.access, s);
        return (ss, params) -> {
            if (load != null) load.run(ss, params);
            long n = first == null ? Long.MAX_VALUE : positive(first.eval(new Expr.Ctx(0, params)), "DELETE FIRST");
            return atomically(ss, txn -> changed(ret,
                    forEachLockedMatch(ss, txn, q, params, !q.subqueries.isEmpty(), n, ret, (old, ctx) -> null)));
        };
    }

    /**
     * LRU aging's delete ({@link AgeOut}): of rows {@code ids} of {@code del}'s table, those still
     * there, that pass its WHERE, and that {@code unused} still says are unused once each is
     * locked (a row read meanwhile, or a new row in a slot freed meanwhile, stays). A row another
     * transaction holds is passed over, never waited for. Its foreign keys act as for DELETE.
     */
    static long ageOut(Session s, Ast.Delete del, long[] ids, java.util.function.LongPredicate unused) {
        Table t = rows(del.table(), s);
        writable(s, t);
        QueryPlan q = planTarget(t, del.alias(), del.where(), s);
        q.skipLocked = true;
        return atomically(s, txn -> {
            TransactionManager tm = s.transactions();
            lockForWrite(s, txn, t);
            Expr.Ctx ctx = new Expr.Ctx(1, new Object[0]).limitedBy(s);
            long[] gone = {0};
            try (TempSpace.Budget temp = tm.temp().budget()) {
                Scope scope = new Scope(s, txn, tm.openSnapshot(s.snapshotSlot()), new Object[0], temp);
                ctx.scope = scope;
                ForeignKeys.Checks checks = new ForeignKeys.Checks(s, txn, temp, ctx);
                for (long id : ids) {
                    ctx.tick();
                    byte[] img = Version.visible(t.store().slot(id), scope.snapshot, txn.id());
                    if (img == null || !unused.test(id)) continue;
                    ctx.rows[0] = q.readRow(0, id, img);
                    if (!passes(q.filters.get(0), ctx)) continue;
                    lockedRow(q, scope, ctx, id, img, ctx.rows[0], (i, current) -> {
                        if (unused.test(i)) { // (asked again under the lock)
                            int width = t.columns().size();
                            make(tm, txn, t, i, current.length == width ? current : java.util.Arrays.copyOf(current, width), null, checks);
                            gone[0]++;
                        }
                        return true;
                    });
                }
                checks.finish();
            }
            return StatementResult.count(gone[0]);
        }).updateCount();
    }

    // ---- RETURNING ----------------------------------------------------------------------------

    /**
     * INSERT ... VALUES, UPDATE or DELETE ... RETURNING: the statement planned with its returning
     * clause bound over its table, as the name it was written with (or its alias) reads.
     */
    static Plan planReturning(Ast.Returning r, Session s) {
        return switch (r.dml()) {
            case Ast.Insert ins -> {
                InsertPlan p = insertPlan(ins, s);
                ReturningPlan ret = ReturningPlan.of(r, p.t(), ins.table().name(), s);
                yield (ss, params) -> p.run(ss, params, ret);
            }
            case Ast.Update upd -> planUpdate(upd, s, r);
            case Ast.Delete del -> planDelete(del, s, r);
            default -> throw ErrorCode.INTERNAL.error("RETURNING on " + r.dml().getClass().getSimpleName());
        };
    }

    /**
     * A returning clause bound over table {@code t}: its values (ROWID, if one reads it, after the
     * row's columns) and the result's columns, named by INTO's parameters (if any), else by the
     * aliases, else as a select list's are.
     */
    record ReturningPlan(Table t, List<Expr> values, List<ResultColumn> columns, boolean rowId, boolean into) {
        static ReturningPlan of(Ast.Returning r, Table t, String alias, Session s) {
            Binder binder = new Binder(new Table[] {t}, new String[] {alias}, s);
            List<Expr> values = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Ast.SelectItem it : r.items()) {
                if (it.star()) {
                    binder.expandStar(null, null, values, names);
                    continue;
                }
                walk(it.expr(), x -> {
                    if (x instanceof Expr.SequenceRef) throw ErrorCode.RETURNING_SEQUENCE.error();
                    if (x instanceof Expr.Aggregate || x instanceof Expr.Window || x instanceof Expr.Grouping) {
                        throw ErrorCode.RETURNING_AGGREGATE.error();
                    }
                    if (x instanceof Expr.Subquery) throw ErrorCode.UNSUPPORTED.error("a subquery in the RETURNING clause");
                });
                Expr e = binder.bind(it.expr());
                if (Expr.readsRownum(e)) throw ErrorCode.UNSUPPORTED.error("ROWNUM in the RETURNING clause");
                values.add(e);
                names.add(it.alias() != null ? it.alias() : label(it.expr()));
            }
            if (r.into() != null) {
                if (r.into().size() != values.size()) throw ErrorCode.RETURNING_INTO_COUNT.error(values.size(), r.into().size());
                for (int i = 0; i < names.size(); i++) if (r.into().get(i) != null) names.set(i, r.into().get(i));
            }
            List<ResultColumn> columns = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) columns.add(new ResultColumn(names.get(i), values.get(i).type));
            return new ReturningPlan(t, List.copyOf(values), List.copyOf(columns), binder.rowIdSources != 0, r.into() != null);
        }

        /** One execution's collector, charging what it keeps to {@code temp}. */
        Returned start(TempSpace.Budget temp) { return new Returned(this, temp); }
    }

    /** One execution's returned values: each row's as it is changed; with INTO, only the first is kept. */
    static final class Returned {
        private final ReturningPlan plan;
        private final TempSpace.Budget temp;
        private final List<Object[]> rows = new ArrayList<>();

        Returned(ReturningPlan plan, TempSpace.Budget temp) {
            this.plan = plan;
            this.temp = temp;
        }

        /** Row {@code id}'s values {@code row}: the clause's values over it, evaluated in the statement's {@code ctx}. */
        void add(Expr.Ctx ctx, long id, Object[] row) {
            if (plan.into() && !rows.isEmpty()) return; // (counted by the statement: more than one fails it at the end)
            Object[] saved = ctx.rows[0];
            if (plan.rowId()) {
                row = java.util.Arrays.copyOf(row, row.length + 1);
                row[row.length - 1] = io.hourglass.engine.catalog.RowIds.text(plan.t().rowIdTag(), id);
            }
            ctx.rows[0] = row;
            try {
                Object[] out = new Object[plan.values().size()];
                for (int i = 0; i < out.length; i++) out[i] = plan.values().get(i).eval(ctx);
                temp.chargeRow(out);
                rows.add(out);
            } finally {
                ctx.rows[0] = saved;
            }
        }

        /** The statement's result once it changed {@code count} rows: TT90062 for INTO and more than one. */
        StatementResult result(long count) {
            if (plan.into() && count > 1) throw ErrorCode.RETURNING_INTO_ROWS.error(count);
            return new StatementResult(plan.columns(), List.copyOf(rows), count);
        }
    }

    /** What UPDATE or DELETE makes of a row it holds locked: its new values, or null to delete it. */
    @FunctionalInterface
    private interface RowChange {
        Object[] newRow(Object[] current, Expr.Ctx ctx);
    }

    /** A change decided and not yet made (a statement with subqueries decides them all first). */
    private record Pending(long id, Object[] current, Object[] next) {}

    /**
     * The write rule of UPDATE and DELETE: find the rows matching in the statement's snapshot,
     * then lock each, re-read its newest version and re-check the WHERE clause on it, so a
     * concurrent change is never lost or applied to a row that no longer matches. Returns the
     * number of rows changed.
     *
     * <p>A statement with subqueries ({@code decideFirst}) locks and decides every change before
     * it makes any: a subquery reads the statement's own changes as the transaction's, so one
     * that reads the target table (delete each row that has a duplicate with a smaller id; set
     * each row to its group's maximum) would otherwise see the rows this statement already
     * changed. What it decided counts in TempSize until it is made. It changes at most {@code
     * limit} rows (DELETE FIRST n), and locks no row past the last of them. With {@code
     * returning}, each row's values as the statement leaves it (as it was, for a row deleted)
     * are collected as it is decided.
     */
    private static Changed forEachLockedMatch(Session s, Transaction txn, QueryPlan q, Object[] params, boolean decideFirst,
                                              long limit, ReturningPlan returning, RowChange change) {
        TransactionManager tm = s.transactions();
        Table t = q.tables[0];
        lockForWrite(s, txn, t);
        Expr.Ctx ctx = new Expr.Ctx(1, params).limitedBy(s);
        long[] changed = {0};
        // The candidates are at most the table's rows, a row id each past the first few: not
        // charged to TempSize, so that a DELETE, which frees space, is never refused for it.
        // (What subqueries in WHERE or SET build is.)
        try (TempSpace.Budget temp = tm.temp().budget()) {
            Scope scope = new Scope(s, txn, tm.openSnapshot(s.snapshotSlot()), params, temp);
            ctx.scope = scope;
            List<Pending> pending = new ArrayList<>();
            ForeignKeys.Checks checks = new ForeignKeys.Checks(s, txn, temp, ctx);
            int width = t.columns().size();
            Returned returned = returning == null ? null : returning.start(temp);
            LockedRow each = (id, read) -> {
                // (SET and the conditions read ctx.rows[0], with the ROWID after the columns if
                // they ask for it; what is written is the row as stored)
                Object[] current = read.length == width ? read : java.util.Arrays.copyOf(read, width);
                Object[] next = change.newRow(current, ctx);
                if (returned != null) returned.add(ctx, id, next != null ? next : current); // (DELETE: the row as it was)
                if (decideFirst) {
                    temp.chargeRow(current);
                    if (next != null) temp.chargeRow(next);
                    pending.add(new Pending(id, current, next));
                } else {
                    make(tm, txn, t, id, current, next, checks);
                }
                return ++changed[0] < limit;
            };
            // DELETE FIRST n reads about n rows of a large table, not every row that matches
            if (limit == Long.MAX_VALUE || decideFirst) forEachLockedRow(q, scope, ctx, candidates(q, scope), each);
            else forEachLockedRowInBatches(q, scope, ctx, limit, each);
            for (Pending p : pending) {
                ctx.tick();
                make(tm, txn, t, p.id(), p.current(), p.next(), checks);
            }
            checks.finish();
            return new Changed(changed[0], returned);
        }
    }

    /** What UPDATE or DELETE changed: how many rows, and with RETURNING their values. */
    private record Changed(long count, Returned returned) {}

    /** A row the write rule holds locked, as it is now (also in {@code ctx.rows[0]}); false stops the walk. */
    @FunctionalInterface
    private interface LockedRow {
        boolean visit(long id, Object[] current);
    }

    /**
     * The write rule's rows (UPDATE, DELETE, SELECT ... FOR UPDATE): each of the plan's one
     * table's rows that matched in the statement's snapshot ({@code found}, in that order), locked
     * (awaited at most the plan's {@code lockWaitNanos}, -1: the transaction's LockWait; not at all
     * under SKIP LOCKED, which leaves a row out when another transaction holds or awaits it), read
     * again newest and checked again, so a concurrent change is never lost or applied to a row
     * that no longer matches (one that no longer does keeps its lock until the transaction ends;
     * one found deleted keeps none).
     */
    private static boolean forEachLockedRow(QueryPlan q, Scope scope, Expr.Ctx ctx, List<Candidate> found, LockedRow visit) {
        for (Candidate c : found) {
            ctx.tick();
            if (!lockedRow(q, scope, ctx, c.id(), c.image(), c.row(), visit)) return false;
        }
        return true;
    }

    /**
     * One row of {@link #forEachLockedRow}: locked, read again newest and visited if it still
     * matches ({@code seen} and {@code seenRow} as {@link #lockAndReadAgain} takes them); false if
     * the visit stopped the walk.
     */
    private static boolean lockedRow(QueryPlan q, Scope scope, Expr.Ctx ctx, long id, byte[] seen, Object[] seenRow, LockedRow visit) {
        Object[] current = lockAndReadAgain(q, scope, 0, id, seen, seenRow);
        if (current == null) return true; // skipped (SKIP LOCKED), or deleted meanwhile
        ctx.rows[0] = current;
        return !passes(q.filters.get(0), ctx) || visit.visit(id, current); // (changed meanwhile: no longer matches)
    }

    /**
     * {@link #forEachLockedRow} for a statement that wants only its first {@code want} rows
     * (DELETE FIRST n; FETCH FIRST n ... FOR UPDATE without ORDER BY): the candidates a batch at
     * a time, about {@code want} at first, then, while the visits go on and a batch came full,
     * twice as many past those already seen (held, changed, deleted or visited), all in the
     * statement's snapshot. So it reads about as many rows as it takes, not every row that matches.
     */
    private static void forEachLockedRowInBatches(QueryPlan q, Scope scope, Expr.Ctx ctx, long want, LockedRow visit) {
        Set<Long> seen = new HashSet<>();
        for (long batch = Math.max(want, CANDIDATES_KEPT_DECODED); ; batch = Math.min(batch, Long.MAX_VALUE / 2) * 2) {
            List<Candidate> found = candidates(q, scope, batch, seen);
            if (!forEachLockedRow(q, scope, ctx, found, visit) || found.size() < batch) return;
            for (Candidate c : found) seen.add(c.id());
        }
    }

    /**
     * Locks row {@code id} of source {@code level}'s table as the plan asks (awaited at most its {@code
     * lockWaitNanos}, or the transaction's LockWait; not awaited under SKIP LOCKED) and reads it
     * newest: null if SKIP LOCKED left it, or it was deleted meanwhile. {@code seen}, if not null,
     * is the image the statement found, whose decoding {@code seenRow} is reused if unchanged.
     */
    private static Object[] lockAndReadAgain(QueryPlan q, Scope scope, int level, long id, byte[] seen, Object[] seenRow) {
        byte[] img = scope.session.transactions().lockAndRead(scope.txn, q.tables[level], id, q.skipLocked, q.lockWaitNanos);
        if (img == null) return null;
        // Images are never changed in place: the same image is the same row.
        return img == seen && seen != null ? seenRow : q.readRow(level, id, img);
    }

    private static void make(TransactionManager tm, Transaction txn, Table t, long id, Object[] current, Object[] next,
                             ForeignKeys.Checks checks) {
        if (next == null) {
            tm.delete(txn, t, id);
            checks.deleted(t, current);
        } else {
            tm.update(txn, t, id, current, next);
            checks.updated(t, id, current, next);
        }
    }

    // ---- CALL and EXPLAIN ---------------------------------------------------------------------

    static Plan planCall(Ast.CallProc c, Session s) {
        Binder none = new Binder(new Table[0], new String[0]);
        for (Expr e : c.args()) none.bind(e);
        return (ss, params) -> {
            Expr.Ctx ctx = new Expr.Ctx(0, params).asUser(ss.user().name());
            Object[] args = new Object[c.args().size()];
            for (int i = 0; i < args.length; i++) args[i] = c.args().get(i).eval(ctx);
            return ss.callProcedure(c.name(), args);
        };
    }

    static Plan planExplain(Ast.Explain e, Session s) {
        List<String> lines = new ArrayList<>();
        switch (e.stmt()) {
            case Ast.Select sel -> {
                QueryPlan q = planQuery(sel, s);
                explainDynamicLoad(q, s, lines);
                explain(q, "", lines);
            }
            case Ast.Update u -> explainUpdate(u, s, lines);
            case Ast.Merge m -> {
                if (m.update() != null) explainUpdate(m.update(), s, lines);
                if (m.delete() != null) {
                    Table t = rows(m.delete().table(), s);
                    lines.add("DELETE (each row updated) " + planTarget(t, m.delete().alias(), m.delete().where(), s).access[0].describe(t));
                }
                if (m.insert() != null) {
                    lines.add("INSERT INTO " + rows(m.insert().table(), s).qualifiedName());
                    explain(planQuery(m.insert().query(), s), "  ", lines);
                }
            }
            case Ast.Delete d -> {
                Table t = rows(d.table(), s);
                QueryPlan q = planTarget(t, d.alias(), d.where(), s);
                explainDynamicLoad(q, s, lines);
                lines.add("DELETE " + (d.first() != null ? "FIRST " + d.first().text() + " " : "") + q.access[0].describe(t));
                explainSubqueries(q, "", lines);
            }
            case Ast.Returning r -> {
                lines.addAll(planExplain(new Ast.Explain(r.dml()), s).run(null, null).rows().stream().map(l -> (String) l[0]).toList());
                lines.add(r.into() != null ? "RETURNING ... INTO (the changed row's values)" : "RETURNING (each changed row's values)");
            }
            case Ast.SelectForUpdate fu -> {
                QueryPlan q = planForUpdate(fu, s);
                explain(q, "", lines);
                lines.set(0, (q.skipLocked ? "FOR UPDATE SKIP LOCKED " : "FOR UPDATE ") + lines.getFirst());
            }
            default -> throw ErrorCode.UNSUPPORTED.error("EXPLAIN of this statement");
        }
        List<Object[]> rows = new ArrayList<>();
        for (String l : lines) rows.add(new Object[] {l});
        StatementResult r = new StatementResult(List.of(new ResultColumn("PLAN", SqlType.VARCHAR_ANY)), rows, -1);
        return (ss, p) -> r;
    }

    private static void explainUpdate(Ast.Update u, Session s, List<String> lines) {
        Table t = rows(u.table(), s);
        QueryPlan q = planTarget(t, u.alias(), u.where(), s);
        explainDynamicLoad(q, s, lines);
        lines.add("UPDATE " + q.access[0].describe(t));
        explainSubqueries(q, "", lines);
    }

    /** The line saying a statement first loads from the backend what a DYNAMIC cache group lacks, if it does. */
    private static void explainDynamicLoad(QueryPlan q, Session s, List<String> lines) {
        DynamicLoad load = q.tables == null ? null : DynamicLoad.of(q.tables, q.access, s);
        if (load != null) {
            lines.add("DYNAMIC LOAD OF CACHE GROUP " + load.group().qualifiedName() + " (the keys " + load.table().qualifiedName()
                    + " lacks, from the backend, first)");
        }
    }

    /** The plan's lines: each source's access, then each subquery's, indented; a compound query's terms in turn. */
    private static void explain(QueryPlan q, String indent, List<String> lines) {
        if (q.workingOf != null) {
            lines.add(indent + "ROWS OF " + q.workingOf + " THE ROUND BEFORE ADDED");
            return;
        }
        if (q.generated != null) {
            lines.add(indent + "SYSTEM VIEW " + q.generatedName);
            return;
        }
        if (q.recursion != null) {
            lines.add(indent + "RECURSIVE WITH " + q.recursion.name() + ", FIRST ROWS:");
            explain(q.recursion.initial(), indent + "  ", lines);
            lines.add(indent + "THEN EACH ROUND, " + (q.recursion.distinct() ? "UNION" : "UNION ALL") + ":");
            explain(q.recursion.step(), indent + "  ", lines);
            return;
        }
        if (q.terms != null) {
            for (int i = 0; i < q.terms.size(); i++) {
                if (i > 0) lines.add(indent + q.setOps.get(i - 1));
                explain(q.terms.get(i), indent, lines);
            }
            return;
        }
        for (int i = 0; i < q.tables.length; i++) {
            if (i == 0 && q.extremes != null) {
                for (int k = 0; k < q.extremes.length; k++) {
                    lines.add(indent + q.extremes[k].describe(q.tables[i], "(" + q.aggregates.get(k).name + ": the first value in that order)"));
                }
                continue;
            }
            String access = i == 0 && q.indexOrder != null ? q.indexOrder.describe(q.tables[i],
                    "(ORDER BY without a sort" + (q.limit != null || q.first != null ? ", stops at the limit)" : ")"))
                    : q.access[i].describe(q.tables[i]);
            lines.add(indent + (i == q.fullLevel ? "FULL OUTER JOIN " : q.outer[i] ? "LEFT OUTER JOIN " : "") + access);
            if (q.derived[i] != null) explain(q.derived[i], indent + "  ", lines);
        }
        if (q.tables.length == 0) lines.add(indent + "NO TABLE (one row)");
        if (q.hierarchy != null) lines.add(indent + q.hierarchy.describe());
        explainSubqueries(q, indent, lines);
    }

    private static void explainSubqueries(QueryPlan q, String indent, List<String> lines) {
        for (Expr.Subquery sq : q.subqueries) {
            lines.add(indent + (sq.correlated ? "CORRELATED SUBQUERY " : "SUBQUERY ") + sq.text());
            explain(sq.plan, indent + "  ", lines);
        }
    }

    // ---- helpers for DDL ----------------------------------------------------------------------

    static Map<String, Integer> columnPositions(Table t) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < t.columns().size(); i++) m.put(t.columns().get(i).name(), i);
        return m;
    }

    static IndexDef.Kind kind(boolean hash) { return hash ? IndexDef.Kind.HASH : IndexDef.Kind.RANGE; }
}
