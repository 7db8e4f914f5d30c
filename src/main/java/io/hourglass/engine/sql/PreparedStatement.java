package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Catalog;

/**
 * A parsed statement ready to run many times with different parameters. The plan is made on
 * first execution and made again whenever the catalog has changed since (a table or index was
 * created or dropped), so a prepared statement never runs against a stale schema, and when a
 * table whose size chose a join order has changed size fourfold ({@link JoinOrder.Sizes}) or the
 * session's join order (ttOptSetOrder) is not the one it was planned with.
 *
 * <p>Not thread-safe: one connection uses it at a time.
 */
public final class PreparedStatement {
    private final String sql;
    private final int paramCount;
    private final Ast.Stmt syntax;
    private Executor.Plan plan;
    private long planVersion = -1;
    private String planUser;
    private JoinOrder.Sizes planSizes;
    private java.util.List<String> planJoinOrder;
    private Session planSession; // a plan that binds a session's GLOBAL TEMPORARY table instances is that session's only

    PreparedStatement(String sql) {
        this.sql = sql;
        Parser.Parsed p = Parser.parse(sql);
        this.paramCount = p.paramCount();
        this.syntax = p.stmt();
    }

    /** Parses {@code sql}; fails with TT1001 and the position on a syntax error. */
    public static PreparedStatement prepare(String sql) {
        if (sql == null || sql.isBlank()) throw ErrorCode.SYNTAX_ERROR.error(1, "empty statement");
        return new PreparedStatement(sql);
    }

    public String sql() { return sql; }

    public int parameterCount() { return paramCount; }

    /** True for statements that end or cross a transaction boundary (COMMIT, ROLLBACK, DDL). */
    public boolean isTransactionControl() { return syntax instanceof Ast.Commit || syntax instanceof Ast.Rollback; }

    /** Whether this is {@code ALTER USER user IDENTIFIED BY ...} and nothing more: all a session whose password expired may run. */
    public boolean setsOwnPassword(String user) {
        return syntax instanceof Ast.AlterUser au && au.user().equals(user) && au.password() != null && au.profile() == null
                && au.lock() == null && !au.expire();
    }

    public StatementResult execute(Session session, Object... params) { return execute(session, null, params); }

    /** Runs the statement; a query's rows go to {@code sink} if one is given (see {@link ResultSink}). */
    public StatementResult execute(Session session, ResultSink sink, Object... params) {
        int given = params == null ? 0 : params.length;
        if (given != paramCount) throw ErrorCode.WRONG_PARAMETER_COUNT.error(paramCount, given);
        Object[] p = new Object[given];
        for (int i = 0; i < given; i++) p[i] = io.hourglass.engine.catalog.Values.fromJava(params[i]);
        for (int attempt = 1; ; attempt++) {
            Catalog cat = session.catalog();
            if (plan == null || planVersion != cat.version() || !session.user().name().equals(planUser) || planSizes.changed()
                    || planSizes.sessionBound && session != planSession
                    || !java.util.Objects.equals(planJoinOrder, session.joinOrder())) {
                long v = cat.version();
                if (plan != null) session.replanned();
                // Re-parse: binding annotates the tree in place, so each plan gets a fresh tree.
                Ast.Stmt fresh = plan == null ? syntax : Parser.parse(sql).stmt();
                JoinOrder.Sizes sizes = new JoinOrder.Sizes();
                plan = JoinOrder.planning(sizes, () -> Executor.plan(fresh, session));
                planSizes = sizes;
                planJoinOrder = session.joinOrder();
                planVersion = v;
                planUser = session.user().name();
                planSession = session;
            }
            try {
                return sink == null ? plan.run(session, p) : plan.run(session, p, sink);
            } catch (io.hourglass.engine.HourglassException e) {
                // A table this plan writes was altered while the statement waited for it; the
                // statement undid itself before writing anything: plan it against the new table.
                if (e.code() != ErrorCode.TABLE_REDEFINED || attempt == MAX_REPLANS) throw e;
            }
        }
    }

    /** Runs of one execution, each planned anew, when the tables it writes keep being altered under it. */
    private static final int MAX_REPLANS = 3;
}
