package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.TempSpace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hierarchical query (Oracle's {@code START WITH ... CONNECT BY}), over its one source's rows.
 * The roots are the rows START WITH holds for (every row without it); the children of a row are
 * the rows CONNECT BY holds for with {@code PRIOR x} reading the parent; the tree is walked
 * depth first, each row before its children, siblings in ORDER SIBLINGS BY's order (else the
 * source's). WHERE then filters the rows walked, not the walk: a row it refuses still leads to
 * its children. Each row carries LEVEL, CONNECT_BY_ISLEAF and CONNECT_BY_ISCYCLE, and PRIOR,
 * CONNECT_BY_ROOT and SYS_CONNECT_BY_PATH read its ancestors ({@link Expr.TreeNode}).
 *
 * <p>A row whose PRIOR expressions have the values of one of its ancestors' closes a loop:
 * TT90056, or under NOCYCLE the row is left out and its parent has CONNECT_BY_ISCYCLE 1. With
 * no PRIOR (CONNECT BY LEVEL &lt;= 10) nothing is a loop and the condition alone ends the walk.
 *
 * <p>Children are found through a hash of the rows by the child's side of CONNECT BY's
 * equalities {@code PRIOR p = c} (c of the row alone, the other side of the parent alone, as
 * {@code PRIOR id + 1}; built once per execution), else by testing every row. The
 * walk keeps its path on a stack of its own (a chain of a million rows is no deeper for Java's
 * stack), its nodes charged to TempSize while they wait there.
 */
final class Hierarchy {
    /** What a node waiting on the walk's stack is charged: the node and its place in a list. */
    private static final long NODE_BYTES = 64;

    final Expr startWith, connectBy;
    final boolean nocycle;
    /** ORDER SIBLINGS BY's keys and their order ({@link #orderSiblings}); none by default. */
    private List<Expr> siblings = List.of();
    private Comparator<Object[]> siblingOrder;
    /** The query's WHERE conditions, checked on each row of the tree. */
    final List<Expr> where = new ArrayList<>();
    /** The arguments of CONNECT BY's PRIOR expressions: a row's values of them are its place in a loop check. */
    private final List<Expr> priorArgs = new ArrayList<>();
    /** CONNECT BY's equalities {@code PRIOR p = c}: the parent's side (PRIOR p) and the child's (c). */
    private final List<Expr> parentKeys = new ArrayList<>(), childKeys = new ArrayList<>();
    /** For a table: how the roots are read (an index START WITH's conditions key, or a full scan). */
    private Access roots = Access.FULL;
    /** For a table: the index the children are looked up in, keyed by the parent's sides of CONNECT BY's equalities; null if none. */
    private Access children;
    private Table table;

    private Hierarchy(Expr startWith, Expr connectBy, boolean nocycle) {
        this.startWith = startWith;
        this.connectBy = connectBy;
        this.nocycle = nocycle;
    }

    /**
     * Binds {@code h}'s conditions and sibling order with the query's binder (its one source's);
     * {@code table}, the source if it is a table (null for a derived table), lends its indexes.
     */
    static Hierarchy plan(Ast.Hierarchy h, Binder binder, Table table) {
        Expr start = h.startWith() == null ? null : condition(binder, h.startWith(), "START WITH");
        Expr connect = condition(binder, h.connectBy(), "CONNECT BY");
        Hierarchy out = new Hierarchy(start, connect, h.nocycle());
        Executor.walk(connect, e -> {
            if (e instanceof Expr.Tree t && t.kind == Expr.Tree.Kind.PRIOR) out.priorArgs.add(t.arg);
        });
        for (Expr c : Executor.conjuncts(connect)) {
            if (!(c instanceof Expr.Binary b) || !b.op.equals("=")) continue;
            for (int side = 0; side < 2; side++) {
                Expr parent = side == 0 ? b.left : b.right, child = side == 0 ? b.right : b.left;
                if (!priorOnly(parent) || !rowOnly(child)) continue;
                out.parentKeys.add(parent);
                out.childKeys.add(child);
                break;
            }
        }
        if (table != null) {
            out.table = table;
            if (start != null) out.roots = probe(Access.choose(table, 0, Executor.conjuncts(start)), true);
            // the children of a parent: an index lookup keyed by the parent's sides, known once the parent is
            List<Expr> probe = new ArrayList<>();
            for (int i = 0; i < out.childKeys.size(); i++) {
                Expr.Binary eq = new Expr.Binary(connect.pos, "=", out.childKeys.get(i), new ParentValue(out.parentKeys.get(i)));
                eq.type = io.hourglass.engine.catalog.SqlType.BOOLEAN;
                eq.sources = 1L;
                probe.add(eq);
            }
            Access a = probe(probe.isEmpty() ? Access.FULL : Access.choose(table, 0, probe), false);
            if (a != Access.FULL) out.children = a;
        }
        return out;
    }

    /**
     * ORDER SIBLINGS BY {@code items}, as ORDER BY reads them: a position or a select-list name
     * is that result column's expression ({@code outputs}, named {@code names}), anything else is
     * bound with the query's binder. A key may not hold an aggregate or a window function.
     */
    void orderSiblings(List<Ast.OrderItem> items, Binder binder, List<Expr> outputs, List<String> names) {
        List<Expr> keys = new ArrayList<>();
        List<Boolean> desc = new ArrayList<>(), nullsFirst = new ArrayList<>();
        for (Ast.OrderItem o : items) {
            Expr e = o.expr();
            if (e instanceof Expr.Literal l && l.value instanceof Long pos) {
                if (pos < 1 || pos > outputs.size()) throw ErrorCode.SEMANTIC_ERROR.error("ORDER SIBLINGS BY position " + pos + " is out of range");
                e = outputs.get((int) (pos - 1));
            } else if (e instanceof Expr.ColumnRef c && c.qualifier == null && names.contains(c.column)) {
                e = outputs.get(names.indexOf(c.column));
            } else {
                binder.bind(e);
            }
            keys.add(allowed(e, "ORDER SIBLINGS BY"));
            desc.add(o.descending());
            nullsFirst.add(o.nullsFirst());
        }
        siblings = List.copyOf(keys);
        siblingOrder = Executor.QueryPlan.keyComparator(desc, nullsFirst);
    }

    /** {@code a} if it reads an index or ROWIDs by values known beforehand (an IN list too, for the roots); else a full scan. */
    private static Access probe(Access a, boolean inList) {
        return switch (a.kind) {
            case INDEX_EQ, INDEX_RANGE, ROWID_EQ -> a;
            case INDEX_IN, ROWID_IN -> inList ? a : Access.FULL;
            default -> Access.FULL;
        };
    }

    /**
     * The parent's side of a CONNECT BY equality as a value known before the child is read (it
     * reads the parent through PRIOR): what keys an index lookup of the children.
     */
    private static final class ParentValue extends Expr {
        private final Expr side;

        ParentValue(Expr side) {
            super(side.pos);
            this.side = side;
            this.type = side.type;
        }

        Object eval(Ctx c) { return side.eval(c); }

        String text() { return side.text(); }
    }

    /**
     * Whether {@code e} reads the parent row only: PRIOR of what reads its row only, constants and
     * parameters (as {@code PRIOR id} or {@code PRIOR id + 1}), so it is a value per parent.
     */
    private static boolean priorOnly(Expr e) {
        boolean[] prior = {false};
        Executor.walk(e, x -> prior[0] |= x instanceof Expr.Tree);
        return prior[0] && parentOnly(e);
    }

    private static boolean parentOnly(Expr e) {
        if (e instanceof Expr.Tree t) return t.kind == Expr.Tree.Kind.PRIOR && rowOnly(t.arg);
        if (e instanceof Expr.ColumnRef || e instanceof Expr.Subquery || e instanceof Expr.SequenceRef || e instanceof Expr.Aggregate
                || e instanceof Expr.Window || e instanceof Expr.RowNum) {
            return false;
        }
        boolean[] ok = {true};
        e.children(x -> ok[0] &= parentOnly(x));
        return ok[0];
    }

    private static Expr condition(Binder binder, Expr e, String clause) { return allowed(binder.bind(e), clause); }

    /** {@code e}, bound, if it may stand in {@code clause}: no aggregate, window function or ROWNUM (TT90015). */
    private static Expr allowed(Expr e, String clause) {
        Executor.checkNoAggregate(e, clause);
        if (Expr.readsRownum(e)) throw ErrorCode.SEMANTIC_ERROR.error("ROWNUM is not allowed in " + clause);
        return e;
    }

    /** Whether {@code e} reads only its row's columns and constants: no tree (PRIOR, LEVEL, ...), subquery or enclosing row. */
    private static boolean rowOnly(Expr e) {
        boolean[] ok = {true};
        Executor.walk(e, x -> {
            if (x instanceof Expr.Tree || x instanceof Expr.Subquery || x instanceof Expr.SequenceRef || x instanceof Expr.RowNum
                    || x instanceof Expr.ColumnRef c && (c.index < 0 || c.depth > 0)) {
                ok[0] = false;
            }
        });
        return ok[0] && !Expr.correlated(e);
    }

    /** How the roots are read: the query's access to its source. */
    Access roots() { return roots; }

    /** What EXPLAIN says of the walk (the roots' access is the query's source's line). */
    String describe() {
        String how = children != null ? children.describe(table)
                : parentKeys.isEmpty() ? "NESTED LOOP" : "HASH ON " + String.join(", ", childKeys.stream().map(Expr::text).toList());
        return "CONNECT BY " + how + (nocycle ? " NOCYCLE" : "");
    }

    /** The source's rows as the walk reads them: all of them, or, for a table, a row by id. */
    interface Rows {
        /** Every row visible to the statement (read once, charged to TempSize). */
        List<Object[]> all();

        /** Row {@code id} decoded, if visible to the statement; null if not. */
        Object[] visible(long id);
    }

    /** One row of the walk's stack: a walked node's children, those before {@code next} walked. */
    private static final class Frame {
        final List<Expr.TreeNode> children;
        final Key key; // the node's PRIOR values, on the path while it is on the stack; null without PRIOR
        int next;

        Frame(List<Expr.TreeNode> children, Key key) {
            this.children = children;
            this.key = key;
        }
    }

    /**
     * Walks the tree of {@code rows} (the source's, as the statement sees them), handing each row
     * that passes WHERE to {@code sink}, in the walk's order; false if the sink stopped it.
     */
    boolean run(Rows rows, Expr.Ctx ctx, TempSpace.Budget temp, Executor.RowSink sink) {
        Children index = children != null || parentKeys.isEmpty() ? null : Children.of(rows.all(), childKeys, ctx);
        List<Expr.TreeNode> starts = new ArrayList<>();
        java.util.function.Consumer<Object[]> root = row -> {
            ctx.tick();
            Expr.TreeNode n = new Expr.TreeNode(row, null);
            ctx.at(n);
            if (startWith == null || Boolean.TRUE.equals(Expr.truth(startWith.eval(ctx), startWith.pos))) starts.add(n);
        };
        if (roots().kind == Access.Kind.FULL_SCAN) {
            rows.all().forEach(root);
        } else {
            ctx.priorRow = null;
            roots().rowIds(table, ctx, id -> {
                Object[] row = rows.visible(id);
                if (row != null) root.accept(row);
            });
        }
        sortSiblings(starts, ctx);
        Set<Key> path = new HashSet<>();
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        try {
            for (Expr.TreeNode start : starts) {
                if (!visit(start, rows, index, path, stack, ctx, temp, sink)) return false;
                while (!stack.isEmpty()) {
                    Frame top = stack.peek();
                    if (top.next == top.children.size()) {
                        stack.pop();
                        if (top.key != null) path.remove(top.key);
                        temp.release(NODE_BYTES * top.children.size());
                        continue;
                    }
                    if (!visit(top.children.get(top.next++), rows, index, path, stack, ctx, temp, sink)) return false;
                }
            }
            return true;
        } finally {
            ctx.node = null;
            ctx.priorRow = null;
        }
    }

    /** Finds {@code n}'s children, hands {@code n} to the sink if WHERE keeps it, and stacks the children to walk. */
    private boolean visit(Expr.TreeNode n, Rows rows, Children index, Set<Key> path, ArrayDeque<Frame> stack, Expr.Ctx ctx,
                          TempSpace.Budget temp, Executor.RowSink sink) {
        Key key = priorArgs.isEmpty() ? null : n.loopKey != null ? n.loopKey : priorKey(n, ctx); // (a child's: found when it was tested)
        if (key != null) path.add(key);
        List<Expr.TreeNode> children = children(n, rows, index, path, ctx);
        temp.charge(NODE_BYTES * children.size());
        stack.push(new Frame(children, key));
        n.leaf = children.isEmpty();
        ctx.at(n);
        if (!Executor.passes(where, ctx)) return true;
        return sink.accept(ctx);
    }

    /** The children of {@code parent}, in sibling order; a child that would close a loop is an error, or left out under NOCYCLE. */
    private List<Expr.TreeNode> children(Expr.TreeNode parent, Rows rows, Children index, Set<Key> path, Expr.Ctx ctx) {
        List<Expr.TreeNode> out = new ArrayList<>();
        for (Object[] row : candidates(parent, rows, index, ctx)) {
            ctx.tick();
            Expr.TreeNode child = new Expr.TreeNode(row, parent);
            ctx.at(child);
            if (!Boolean.TRUE.equals(Expr.truth(connectBy.eval(ctx), connectBy.pos))) continue;
            if (!priorArgs.isEmpty()) {
                child.loopKey = priorKey(child, ctx);
                if (path.contains(child.loopKey)) {
                    if (!nocycle) throw ErrorCode.CONNECT_BY_LOOP.error(describeRow(child.loopKey));
                    parent.cycle = true;
                    continue;
                }
            }
            out.add(child);
        }
        sortSiblings(out, ctx);
        return out;
    }

    /** The rows that may be {@code parent}'s children (CONNECT BY then decides): by index, by hash, or all. */
    private List<Object[]> candidates(Expr.TreeNode parent, Rows rows, Children index, Expr.Ctx ctx) {
        if (index != null) return index.candidates(parent, parentKeys, rows.all(), ctx);
        if (children == null) return rows.all();
        List<Object[]> out = new ArrayList<>();
        Object[] saved = ctx.priorRow;
        ctx.priorRow = parent.row;
        try {
            children.rowIds(table, ctx, id -> {
                Object[] row = rows.visible(id);
                if (row != null) out.add(row);
            });
        } finally {
            ctx.priorRow = saved;
        }
        return out;
    }

    private static String describeRow(Key k) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < k.size(); i++) values.add(k.get(i) == null ? "NULL" : Values.toText(k.get(i)));
        return "PRIOR values " + String.join(", ", values);
    }

    /** {@code n}'s values of the PRIOR expressions' arguments. */
    private Key priorKey(Expr.TreeNode n, Expr.Ctx ctx) {
        Object[] saved = ctx.rows[0];
        ctx.rows[0] = n.row;
        try {
            Object[] v = new Object[priorArgs.size()];
            for (int i = 0; i < v.length; i++) v[i] = priorArgs.get(i).eval(ctx);
            return new Key(v);
        } finally {
            ctx.rows[0] = saved;
        }
    }

    private void sortSiblings(List<Expr.TreeNode> nodes, Expr.Ctx ctx) {
        if (siblings.isEmpty() || nodes.size() < 2) return;
        Map<Expr.TreeNode, Object[]> keys = new java.util.IdentityHashMap<>();
        for (Expr.TreeNode n : nodes) {
            ctx.at(n);
            Object[] k = new Object[siblings.size()];
            for (int i = 0; i < k.length; i++) k[i] = siblings.get(i).eval(ctx);
            keys.put(n, k);
        }
        nodes.sort((a, b) -> siblingOrder.compare(keys.get(a), keys.get(b))); // (stable: ties keep the source's order)
    }

    /**
     * The source's rows by the values of CONNECT BY's child keys, for rows whose keys are all
     * non-NULL (a NULL equals nothing, so such a row is no one's child) and of one family per key
     * ({@link Expr#valueFamily}: across families a comparison converts, which a hash cannot
     * follow; then every row is tested).
     */
    private record Children(Map<Key, List<Object[]>> byKey, int[] families) {
        static Children of(List<Object[]> rows, List<Expr> childKeys, Expr.Ctx ctx) {
            Map<Key, List<Object[]>> byKey = new HashMap<>();
            int[] families = new int[childKeys.size()];
            java.util.Arrays.fill(families, -1);
            Object[] saved = ctx.rows[0];
            try {
                next:
                for (Object[] row : rows) {
                    ctx.tick();
                    ctx.rows[0] = row;
                    Object[] k = new Object[childKeys.size()];
                    for (int i = 0; i < k.length; i++) {
                        k[i] = childKeys.get(i).eval(ctx);
                        if (k[i] == null) continue next;
                        int f = Expr.valueFamily(k[i]);
                        if (f < 0 || families[i] >= 0 && f != families[i]) return null;
                        families[i] = f;
                    }
                    byKey.computeIfAbsent(new Key(k), x -> new ArrayList<>(2)).add(row);
                }
            } finally {
                ctx.rows[0] = saved;
            }
            return new Children(byKey, families);
        }

        /** The rows that may be {@code parent}'s children: those whose keys equal its PRIOR values (all rows if a value's family differs). */
        List<Object[]> candidates(Expr.TreeNode parent, List<Expr> parentKeys, List<Object[]> rows, Expr.Ctx ctx) {
            Object[] saved = ctx.priorRow;
            ctx.priorRow = parent.row;
            try {
                Object[] k = new Object[parentKeys.size()];
                for (int i = 0; i < k.length; i++) {
                    k[i] = parentKeys.get(i).eval(ctx);
                    if (k[i] == null) return List.of();
                    if (families[i] >= 0 && Expr.valueFamily(k[i]) != families[i]) return rows;
                }
                return byKey.getOrDefault(new Key(k), List.of());
            } finally {
                ctx.priorRow = saved;
            }
        }
    }
}
