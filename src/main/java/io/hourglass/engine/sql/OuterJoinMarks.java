package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Table;

import java.util.ArrayList;
import java.util.List;

/**
 * Oracle's outer join operator, as TimesTen keeps it: {@code FROM a, b WHERE a.id = b.aid(+) AND
 * b.kind(+) = 'X'} is {@code FROM a LEFT JOIN b ON a.id = b.aid AND b.kind = 'X'}.
 *
 * <p>The WHERE conditions that mark a column of table {@code b} with {@code (+)} become the ON
 * condition of {@code b}'s outer join: they decide which of {@code b}'s rows match a row of the
 * table they compare it with (its outer table), and a row with no match keeps NULLs for {@code
 * b}'s columns. The other conditions stay in WHERE and filter the joined rows, NULLs included, so
 * a condition on {@code b} written without {@code (+)} turns the outer join back into an inner
 * one, as in Oracle. The FROM tables are read in the written order, except that a table comes
 * after its outer table ({@link JoinOrder} then reorders a join of tables as it does LEFT JOINs). A table whose marked conditions compare it with constants only is outer
 * joined to the rows of the other tables together: each has its matches, or NULLs if there are
 * none (but with only such tables, nothing to outer join them to, the marks change nothing).
 *
 * <p>TimesTen's rules, with its numbers: a marked condition may not sit in an OR or an IN
 * (TT3100), may mark columns of one table only (TT3104), and a table is outer joined to one other
 * table (TT3102) without a cycle (TT3103); a query using the operator may not also use JOIN
 * syntax (TT3108, checked by the parser, as the operator outside a query's WHERE clause, TT3101).
 */
final class OuterJoinMarks {
    private OuterJoinMarks() {}

    /**
     * The FROM sources in the order to read them ({@code order[k]}: the index of the source read
     * k-th), the ON condition of each read (null: not outer joined), and what stays in WHERE.
     */
    record Joins(int[] order, List<Expr> ons, Expr where) {}

    /** Whether a condition of {@code where} (not of a subquery in it) marks a column with {@code (+)}. */
    static boolean present(Expr where) {
        return where != null && marked(where);
    }

    private static boolean marked(Expr e) {
        if (e instanceof Expr.ColumnRef ref) return ref.outerJoin;
        boolean[] found = {false};
        e.children(x -> found[0] |= marked(x));
        return found[0];
    }

    /** The outer joins the marks in {@code where} make over {@code tables} (their correlation names {@code names}, null: the table's name). */
    static Joins plan(Expr where, Table[] tables, String[] names) {
        int n = tables.length;
        List<List<Expr>> ons = new ArrayList<>();
        for (int i = 0; i < n; i++) ons.add(new ArrayList<>());
        int[] outerOf = new int[n];
        java.util.Arrays.fill(outerOf, -1);
        boolean[] inner = new boolean[n];
        List<Expr> rest = new ArrayList<>();
        for (Expr c : Executor.conjuncts(where)) {
            if (!marked(c)) {
                rest.add(c);
                continue;
            }
            noMarkUnder(c, c);
            noSubquery(c, c);
            if (Expr.readsRownum(c)) throw ErrorCode.UNSUPPORTED.error("ROWNUM in a condition with the outer join operator (+): " + c.text());
            int t = innerTable(c, tables, names);
            long read = JoinOrder.sources(c, tables, names);
            if (read == JoinOrder.UNKNOWN) {
                throw ErrorCode.SEMANTIC_ERROR.error("a condition with the outer join operator (+) compares columns, constants, parameters"
                        + " and expressions of them (no aggregate, window function or sequence): " + c.text());
            }
            long outers = read & ~(1L << t) | (outerOf[t] >= 0 ? 1L << outerOf[t] : 0);
            if (Long.bitCount(outers) > 1) {
                List<String> to = new ArrayList<>();
                for (int i = 0; i < n; i++) if ((outers & (1L << i)) != 0) to.add(name(tables, names, i));
                throw ErrorCode.OUTER_JOIN_TWO_OUTER.error(name(tables, names, t) + " is outer joined to " + String.join(" and ", to));
            }
            if (outers != 0) outerOf[t] = Long.numberOfTrailingZeros(outers);
            inner[t] = true;
            ons.get(t).add(c);
        }
        boolean anyOuterSide = false;
        for (int i = 0; i < n; i++) anyOuterSide |= !inner[i];
        if (!anyOuterSide) {
            for (int i = 0; i < n; i++) if (outerOf[i] < 0) inner[i] = false; // nothing to outer join these to: plain conditions
        }
        int[] order = new int[n];
        boolean[] placed = new boolean[n];
        for (int k = 0; k < n; k++) {
            int next = -1;
            for (int i = 0; i < n && next < 0; i++) {
                if (!placed[i] && ready(i, inner, outerOf, placed)) next = i;
            }
            if (next < 0) throw ErrorCode.OUTER_JOIN_CYCLE.error(cycle(inner, outerOf, placed, tables, names));
            order[k] = next;
            placed[next] = true;
        }
        List<Expr> joinOns = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (inner[i]) {
                joinOns.add(and(ons.get(i)));
            } else {
                joinOns.add(null);
                rest.addAll(ons.get(i));
            }
        }
        return new Joins(order, joinOns, and(rest));
    }

    /**
     * Whether source {@code i} can be read next: its outer table is read. (One joined to constants
     * only can be read anywhere: its matches are the same rows whatever the others' rows are.)
     */
    private static boolean ready(int i, boolean[] inner, int[] outerOf, boolean[] placed) {
        return !inner[i] || outerOf[i] < 0 || placed[outerOf[i]];
    }

    private static String cycle(boolean[] inner, int[] outerOf, boolean[] placed, Table[] tables, String[] names) {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < inner.length; i++) {
            if (!placed[i] && outerOf[i] >= 0) in.add(name(tables, names, i) + " to " + name(tables, names, outerOf[i]));
        }
        return "each of " + String.join(", ", in) + " is outer joined in a cycle";
    }

    /** The one table whose columns {@code c} marks (TT3104 if several). */
    private static int innerTable(Expr c, Table[] tables, String[] names) {
        List<Expr.ColumnRef> refs = new ArrayList<>();
        markedColumns(c, refs);
        int t = -1;
        noAmbiguousColumn(c, tables, names);
        for (Expr.ColumnRef ref : refs) {
            int[] at = JoinOrder.resolve(ref, tables, names);
            if (at == null) {
                throw ErrorCode.SEMANTIC_ERROR.error("the outer join operator (+) marks " + ref.text()
                        + ", which is not a column of this query's FROM tables");
            }
            if (t >= 0 && at[0] != t) {
                throw ErrorCode.OUTER_JOIN_TWO_INNER.error(name(tables, names, t) + " and " + name(tables, names, at[0]) + " in " + c.text());
            }
            t = at[0];
        }
        return t;
    }

    private static void noAmbiguousColumn(Expr e, Table[] tables, String[] names) {
        if (e instanceof Expr.ColumnRef ref && JoinOrder.resolve(ref, tables, names) == JoinOrder.AMBIGUOUS) {
            throw ErrorCode.AMBIGUOUS_COLUMN.error(ref.text());
        }
        e.children(x -> noAmbiguousColumn(x, tables, names));
    }

    private static void markedColumns(Expr e, List<Expr.ColumnRef> out) {
        if (e instanceof Expr.ColumnRef ref && ref.outerJoin) out.add(ref);
        e.children(x -> markedColumns(x, out));
    }

    /** TT3100: a marked column under an OR, or in an IN (a list or a subquery). */
    private static void noMarkUnder(Expr e, Expr condition) {
        boolean forbidden = e instanceof Expr.Binary b && b.op.equals("OR") || e instanceof Expr.InList
                || e instanceof Expr.Subquery s && s.arg != null;
        if (forbidden && marked(e)) throw ErrorCode.OUTER_JOIN_IN_OR.error(condition.text());
        e.children(x -> noMarkUnder(x, condition));
    }

    private static void noSubquery(Expr e, Expr condition) {
        if (e instanceof Expr.Subquery) {
            throw ErrorCode.UNSUPPORTED.error("a subquery in a condition with the outer join operator (+): " + condition.text());
        }
        e.children(x -> noSubquery(x, condition));
    }

    private static String name(Table[] tables, String[] names, int i) {
        return names[i] != null ? names[i] : tables[i].name();
    }

    private static Expr and(List<Expr> conditions) {
        Expr out = null;
        for (Expr c : conditions) out = out == null ? c : new Expr.Binary(c.pos, "AND", out, c);
        return out;
    }
}
