package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Sequence;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.store.Bytes;
import io.hourglass.engine.store.Key;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Expression tree nodes. The parser builds them; the binder resolves column references and
 * sets {@link #type} and {@link #sources}; then {@link #eval} runs against a {@link Ctx}.
 * A statement is re-parsed when it is re-planned, so nodes may be bound in place.
 */
abstract class Expr {
    final int pos;
    SqlType type = SqlType.VARCHAR_ANY;
    long sources; // bit i set: depends on FROM source i

    Expr(int pos) { this.pos = pos; }

    abstract Object eval(Ctx c);

    void children(Consumer<Expr> f) {}

    /** Canonical text, used to name result columns and in messages and plans. */
    abstract String text();

    /** Set while {@link #matchKey} renders: column references render as what they were bound to. */
    private static final ThreadLocal<Boolean> RENDERING_KEY = ThreadLocal.withInitial(() -> false);

    /**
     * The text of a bound expression with each column reference written as the column it was
     * bound to, so that {@code e.deptno}, {@code emp.deptno} and {@code deptno} of one table give
     * one key, and {@code d.deptno} and {@code e.deptno} two. Matches GROUP BY expressions with
     * the select list, HAVING and ORDER BY, as Oracle does.
     */
    static String matchKey(Expr e) {
        if (RENDERING_KEY.get()) return e.text();
        RENDERING_KEY.set(true);
        try {
            return e.text();
        } finally {
            RENDERING_KEY.set(false);
        }
    }

    @Override
    public String toString() { return text(); }

    /** Evaluation context: the current row of each source, the parameters, group results. */
    static final class Ctx {
        final Object[][] rows;
        final Object[] params;
        private LocalDateTime now;
        Object[] groupKey;
        Object[] aggValues;
        /** Per source of a query: whether an outer (LEFT JOIN) source matched a row for the current rows before it. */
        boolean[] matched;
        /** A FULL JOIN's right source: the ids (positions, for a derived table) of its rows that matched a left row. */
        java.util.BitSet fullMatched;
        /** The statement running, which subqueries run in; null where no subquery may run. */
        Executor.Scope scope;
        /** A subquery's evaluation: the enclosing query's, whose current rows its correlated columns read. */
        Ctx outer;
        /** Which output row (a select-list row, a VALUES row, an updated row) is being made: NEXTVAL gives each one value. */
        long row;
        /** ROWNUM: the number of the row being made among those that passed the WHERE clause so far (Oracle's). */
        long rownum;
        /** The values of the query's window functions for the row being made (by slot); null outside the select list. */
        Object[] windowValues;
        /**
         * This execution reads the query's (first) source in an index's order, {@link #walkOrder}
         * (ORDER BY's, up to any limit; or a MIN or MAX's, to its first value).
         */
        boolean inIndexOrder;
        /** The index order the source is read in while {@link #inIndexOrder}. */
        Access.IndexOrder walkOrder;
        /** Per source, the row id of its current row: kept only for SELECT ... FOR UPDATE of a join (null otherwise). */
        long[] rowIds;
        /** A hierarchical query's row being made: its node in the tree (null otherwise). */
        TreeNode node;
        /**
         * The row PRIOR reads: the parent of the row being made, or, while CONNECT BY decides
         * whether a row is a child, the parent it is tested against.
         */
        Object[] priorRow;
        private IdentityHashMap<Sequence, long[]> nextvals; // sequence -> {row, value}
        private long deadline;      // System.nanoTime() past which tick() fails; 0: none
        private long timeoutMillis;
        private Session session;    // asked every 1024 ticks whether the statement was cancelled; its user is USER
        private String user;        // USER where there is no session
        private int ticks;

        Ctx(int sources, Object[] params) {
            this.rows = new Object[sources][];
            this.params = params;
        }

        /** Makes {@code n}'s row the current one (PRIOR reading its parent's). */
        void at(TreeNode n) {
            node = n;
            rows[0] = n.row;
            priorRow = n.parent == null ? null : n.parent.row;
        }

        /** The pseudocolumn a negative column index stands for ({@link #PSEUDOCOLUMNS}: -1 LEVEL, ...). */
        Object pseudocolumn(int index) {
            return switch (index) {
                case -1 -> node.level;
                case -2 -> node.leaf ? 1L : 0L;
                default -> node.cycle ? 1L : 0L;
            };
        }

        /** Holds this evaluation to the session's running statement: its SQLQueryTimeout, its cancellation. */
        Ctx limitedBy(Session s) {
            deadline = s.statementDeadline();
            timeoutMillis = s.queryTimeoutMillis();
            session = s;
            return this;
        }

        /**
         * Called once per row a statement reads or changes: every 1024 calls, TT6111 if the
         * statement's SQLQueryTimeout has passed, TT90036 if its connection is closing (its
         * effects are then undone as any failed statement's are).
         */
        void tick() {
            if ((++ticks & 1023) != 0 || session == null) return;
            if (deadline != 0 && System.nanoTime() - deadline > 0) throw ErrorCode.QUERY_TIMEOUT.error(timeoutMillis);
            String why = session.cancelled();
            if (why != null) throw ErrorCode.STATEMENT_CANCELLED.error(why);
        }

        private IdentityHashMap<Object, Object> memo;
        /** What the statement builds is charged here (a temporary index, ...); null: not charged. */
        io.hourglass.engine.store.TempSpace.Budget temp;

        /** What {@code owner} built once for this evaluation (the same parameters throughout), made on first use. */
        @SuppressWarnings("unchecked")
        <T> T memo(Object owner, java.util.function.Supplier<T> make) {
            if (memo == null) memo = new IdentityHashMap<>(4);
            return (T) memo.computeIfAbsent(owner, k -> make.get());
        }

        /** Evaluates as {@code name}'s (USER), where no session is at hand: a DEFAULT, a CALL's arguments. */
        Ctx asUser(String name) {
            user = name;
            return this;
        }

        /** The name of the user the statement runs as (USER). */
        String user() {
            if (user != null) return user;
            if (session == null) throw ErrorCode.INTERNAL.error("USER evaluated without a session");
            return session.user().name();
        }

        /** The id of the connection the statement runs on (SYS_CONTEXT's SID). */
        long sessionId() {
            if (session == null) throw ErrorCode.SEMANTIC_ERROR.error("SYS_CONTEXT('USERENV', 'SID') has no session to read here (a DEFAULT, a CALL argument)");
            return session.id();
        }

        /** The statement's time (SYSDATE), read once, on first use. */
        LocalDateTime now() {
            if (now == null) now = LocalDateTime.now();
            return now;
        }
    }

    /**
     * Whether {@code e} reads an enclosing query's current row (a column of it, or a subquery
     * that does): not one value over all the executions of the subquery it is in.
     */
    static boolean correlated(Expr e) {
        if (e instanceof ColumnRef c && c.depth > 0) return true;
        if (e instanceof Subquery q && q.correlated) return true;
        boolean[] found = {false};
        e.children(x -> found[0] |= correlated(x));
        return found[0];
    }

    static Boolean truth(Object v, int pos) {
        if (v == null) return null;
        if (v instanceof Boolean b) return b;
        throw ErrorCode.TYPE_MISMATCH.error("expected a condition at position " + (pos + 1) + ", got " + Values.describe(v));
    }

    // ---- leaves -------------------------------------------------------------------------------

    static final class Literal extends Expr {
        final Object value;

        Literal(int pos, Object value, SqlType type) {
            super(pos);
            this.value = value;
            this.type = type;
        }

        Object eval(Ctx c) { return value; }

        String text() { return value instanceof String s ? "'" + s + "'" : Values.toText(value); }
    }

    static final class Param extends Expr {
        final int index;

        Param(int pos, int index) {
            super(pos);
            this.index = index;
        }

        Object eval(Ctx c) { return c.params[index]; }

        String text() { return "?" + (index + 1); }
    }

    static final class ColumnRef extends Expr {
        final String qualifier; // alias, table, or owner.table; null when unqualified
        final String column;
        int source = -1;
        int index = -1;
        /** 0: a column of this query; n: of the query n levels out (a correlated subquery's reference). */
        int depth;
        /** Written with Oracle's outer join operator, {@code col(+)}: its table is outer joined (see {@link OuterJoinMarks}). */
        boolean outerJoin;

        ColumnRef(int pos, String qualifier, String column) {
            super(pos);
            this.qualifier = qualifier;
            this.column = column;
        }

        Object eval(Ctx c) {
            for (int d = depth; d > 0; d--) c = c.outer;
            if (index < 0) return c.pseudocolumn(index);
            return c.rows[source][index];
        }

        String text() {
            if (RENDERING_KEY.get() && source >= 0) return "#" + depth + "." + source + "." + index;
            return qualifier == null ? column : qualifier + "." + column;
        }
    }

    /**
     * {@code seq.NEXTVAL} or {@code seq.CURRVAL}. NEXTVAL advances the sequence (logging a
     * restart point durably once per CACHE values) and records the value as the session's
     * CURRVAL; CURRVAL reads that record (TT90040 before the session's first NEXTVAL).
     */
    static final class SequenceRef extends Expr {
        final String owner, name; // owner null: the session user's
        final boolean next;
        Sequence sequence; // set by the binder
        /** A CURRVAL in a statement whose rows also take the sequence's NEXTVAL: it reads that value (set by the binder). */
        boolean rowsNext;

        SequenceRef(int pos, String owner, String name, boolean next) {
            super(pos);
            this.owner = owner;
            this.name = name;
            this.next = next;
            this.type = SqlType.BIGINT;
        }

        Object eval(Ctx c) {
            Session s = c.scope == null ? null : c.scope.session;
            if (s == null) throw ErrorCode.INTERNAL.error("a sequence evaluated outside a statement");
            if (!next && !rowsNext) {
                Long v = s.sequenceValues().get(sequence);
                if (v == null) throw ErrorCode.SEQUENCE_NO_CURRVAL.error(sequence.qualifiedName());
                return v;
            }
            Sequence q = sequence;
            // Every NEXTVAL of a sequence in one row gives that row's one value, as Oracle's.
            long[] given = c.nextvals == null ? null : c.nextvals.get(q);
            if (given != null && given[0] == c.row) return given[1];
            long v = q.nextval(restart -> s.transactions().logCatalogChange(
                    new CatalogChange.SequenceRestart(q.owner(), q.name(), restart)));
            s.sequenceValues().put(q, v);
            if (c.nextvals == null) c.nextvals = new IdentityHashMap<>(2);
            c.nextvals.put(q, new long[] {c.row, v});
            return v;
        }

        String text() { return (owner == null ? "" : owner + ".") + name + (next ? ".NEXTVAL" : ".CURRVAL"); }
    }

    /**
     * The condition of a join written {@code USING (columns)} or {@code NATURAL} (columns null:
     * those both sides have): a stand-in the planner replaces, before anything is bound, with the
     * equalities of each column of the sources named {@code left} (the join's left side, the
     * sources of its group before it) and of those named {@code right} ({@link Binder#using}).
     * {@code seq} orders the joins of a query as written.
     */
    static final class Using extends Expr {
        enum Kind { INNER, LEFT, RIGHT, FULL }

        final List<String> columns;
        final List<String> left, right;
        final Kind kind;
        final int seq;

        Using(int pos, List<String> columns, List<String> left, List<String> right, Kind kind, int seq) {
            super(pos);
            this.columns = columns;
            this.left = List.copyOf(left);
            this.right = List.copyOf(right);
            this.kind = kind;
            this.seq = seq;
        }

        Object eval(Ctx c) { throw new IllegalStateException("a USING join's condition is planned, not evaluated"); }

        String text() { return columns == null ? "NATURAL" : "USING (" + String.join(", ", columns) + ")"; }
    }

    /** A GROUP BY expression's value in the current group. */
    static final class GroupRef extends Expr {
        final int slot;
        final String name;

        GroupRef(Expr of, int slot) {
            super(of.pos);
            this.slot = slot;
            this.type = of.type;
            this.name = of.text();
        }

        Object eval(Ctx c) { return c.groupKey[slot]; }

        String text() { return name; }
    }

    static final class Sysdate extends Expr {
        final boolean timestamp;

        Sysdate(int pos, boolean timestamp) {
            super(pos);
            this.timestamp = timestamp;
            this.type = timestamp ? SqlType.TIMESTAMP : SqlType.DATE;
        }

        Object eval(Ctx c) { return timestamp ? c.now() : c.now().withNano(0); }

        String text() { return timestamp ? "SYSTIMESTAMP" : "SYSDATE"; }
    }

    /**
     * A word that names a value of the statement's session or clock: {@code USER} and its
     * synonyms {@code CURRENT_USER}, {@code SESSION_USER}, {@code SYSTEM_USER} (the name of the
     * user the statement runs as), TimesTen's {@code TT_SYSDATE} (SYSTIMESTAMP) and
     * {@code ORA_SYSDATE} (SYSDATE). Unless a column of that name is in scope, as a column could
     * have the name before the word was known: then it is that column ({@link #column}, bound
     * by the binder), and the name in quotes always is.
     */
    static final class Keyword extends Expr {
        final String name;
        ColumnRef column;

        Keyword(int pos, String name) {
            super(pos);
            this.name = name;
        }

        /** The keyword's own type, when it is not a column. */
        SqlType meaningType() {
            return switch (name) {
                case "TT_SYSDATE" -> SqlType.TIMESTAMP;
                case "ORA_SYSDATE" -> SqlType.DATE;
                default -> SqlType.varchar(Parser.MAX_NAME);
            };
        }

        Object eval(Ctx c) {
            if (column != null) return column.eval(c);
            return switch (name) {
                case "TT_SYSDATE" -> c.now();
                case "ORA_SYSDATE" -> c.now().withNano(0);
                default -> c.user();
            };
        }

        void children(Consumer<Expr> f) { if (column != null) f.accept(column); }

        String text() { return name; }
    }

    /**
     * Oracle's ROWNUM: a row's number among the rows that passed the query's WHERE clause, given
     * before ORDER BY; a WHERE condition on it is checked last (see QueryPlan.rownumFilters).
     */
    static final class RowNum extends Expr {
        RowNum(int pos) {
            super(pos);
            this.type = SqlType.BIGINT;
        }

        Object eval(Ctx c) { return c.rownum; }

        String text() { return "ROWNUM"; }
    }

    /**
     * A hierarchical query's pseudocolumns, as a {@link ColumnRef}'s negative index: an unqualified
     * LEVEL, CONNECT_BY_ISLEAF or CONNECT_BY_ISCYCLE that names no column of the query's source.
     */
    static final List<String> PSEUDOCOLUMNS = List.of("LEVEL", "CONNECT_BY_ISLEAF", "CONNECT_BY_ISCYCLE");

    /**
     * A row of a hierarchical query's tree: its source row, its parent's node (null for a root),
     * its LEVEL (1 for a root), and whether it has no child (CONNECT_BY_ISLEAF) or a child that
     * would have closed a loop, left out under NOCYCLE (CONNECT_BY_ISCYCLE).
     */
    static final class TreeNode {
        final Object[] row;
        final TreeNode parent;
        final TreeNode root;
        final long level;
        boolean leaf, cycle;
        /** Its PRIOR expressions' values, which a descendant closing a loop would have (null until known). */
        Key loopKey;
        /** This row's SYS_CONNECT_BY_PATH for {@code pathOf}, kept for its children's to start from. */
        String path;
        Tree pathOf;

        TreeNode(Object[] row, TreeNode parent) {
            this.row = row;
            this.parent = parent;
            this.root = parent == null ? this : parent.root;
            this.level = parent == null ? 1 : parent.level + 1;
        }
    }

    /**
     * What reads a hierarchical query's tree beyond the row itself: {@code PRIOR x} (x of the
     * parent row: NULL for a root), {@code CONNECT_BY_ROOT x} (x of the root row) and
     * {@code SYS_CONNECT_BY_PATH(x, sep)} (x of each row from the root down, each after sep).
     * The query has one source, whose row these swap in for the time of {@code arg}.
     */
    static final class Tree extends Expr {
        enum Kind { PRIOR, ROOT, PATH }

        final Kind kind;
        final Expr arg;
        final Expr separator; // PATH's

        Tree(int pos, Kind kind, Expr arg, Expr separator) {
            super(pos);
            this.kind = kind;
            this.arg = arg;
            this.separator = separator;
        }

        /** {@code arg} on {@code row} in place of the source's current one. */
        private Object on(Ctx c, Object[] row) {
            Object[] current = c.rows[0];
            c.rows[0] = row;
            try {
                return arg.eval(c);
            } finally {
                c.rows[0] = current;
            }
        }

        Object eval(Ctx c) {
            if (kind == Kind.PATH) return path(c);
            Object[] row = kind == Kind.ROOT ? c.node.root.row : c.priorRow; // (a root has no PRIOR row: NULL)
            return row == null ? null : on(c, row);
        }

        /**
         * The path of the current row: its nearest ancestor's path known (a row's, once made, is
         * kept on its node), then each row's value below it. At most {@link #MAX_PATH} characters,
         * as Oracle's VARCHAR2 of SQL (TT90002 past it), so a deep walk fails at once instead of
         * making paths as long as it is deep for each of its rows.
         */
        private String path(Ctx c) {
            Object sep = separator.eval(c);
            String s = sep == null ? "" : Binary.text(sep);
            List<TreeNode> below = new java.util.ArrayList<>();
            TreeNode known = c.node;
            for (; known != null && known.pathOf != this; known = known.parent) below.add(known);
            String path = known == null ? "" : known.path;
            for (int i = below.size() - 1; i >= 0; i--) {
                TreeNode n = below.get(i);
                Object v = on(c, n.row);
                String text = v == null ? "" : Binary.text(v);
                if (!s.isEmpty() && text.contains(s)) throw ErrorCode.PATH_SEPARATOR_IN_VALUE.error(s, text);
                long length = (long) path.codePointCount(0, path.length()) + s.codePointCount(0, s.length()) + text.codePointCount(0, text.length());
                if (length > MAX_PATH) throw ErrorCode.VALUE_TOO_LONG.error("SYS_CONNECT_BY_PATH's result", MAX_PATH, length);
                path = path + s + text;
                n.path = path;
                n.pathOf = this;
            }
            return path;
        }

        /** The longest path SYS_CONNECT_BY_PATH makes. */
        static final int MAX_PATH = 4000;

        void children(Consumer<Expr> f) {
            f.accept(arg);
            if (separator != null) f.accept(separator);
        }

        String text() {
            return switch (kind) {
                case PRIOR -> "PRIOR " + arg.text();
                case ROOT -> "CONNECT_BY_ROOT " + arg.text();
                case PATH -> "SYS_CONNECT_BY_PATH(" + arg.text() + ", " + separator.text() + ")";
            };
        }
    }

    /** {@code a AND b}; either alone if the other is null (no condition). */
    static Expr and(Expr a, Expr b) { return a == null ? b : b == null ? a : new Binary(b.pos, "AND", a, b); }

    /** Whether {@code e} reads ROWNUM (its own query's: not inside a subquery). */
    static boolean readsRownum(Expr e) {
        if (e instanceof RowNum) return true;
        if (e instanceof Subquery) return false;
        boolean[] found = {false};
        e.children(x -> found[0] |= readsRownum(x));
        return found[0];
    }

    // ---- operators ----------------------------------------------------------------------------

    static final class Unary extends Expr {
        final String op; // "-" or "NOT"
        final Expr arg;

        Unary(int pos, String op, Expr arg) {
            super(pos);
            this.op = op;
            this.arg = arg;
        }

        Object eval(Ctx c) {
            Object v = arg.eval(c);
            if (op.equals("-")) return Values.negate(v);
            Boolean b = truth(v, arg.pos);
            return b == null ? null : !b;
        }

        void children(Consumer<Expr> f) { f.accept(arg); }

        String text() { return op.equals("-") ? "-" + arg.text() : "NOT " + arg.text(); }
    }

    static final class Binary extends Expr {
        final String op;
        Expr left, right; // (the binder may wrap one: CHARTOROWID(x) compared with a ROWID)

        Binary(int pos, String op, Expr left, Expr right) {
            super(pos);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        Object eval(Ctx c) {
            switch (op) {
                case "AND" -> {
                    Boolean l = truth(left.eval(c), left.pos);
                    if (Boolean.FALSE.equals(l)) return false;
                    Boolean r = truth(right.eval(c), right.pos);
                    if (Boolean.FALSE.equals(r)) return false;
                    return l == null || r == null ? null : true;
                }
                case "OR" -> {
                    Boolean l = truth(left.eval(c), left.pos);
                    if (Boolean.TRUE.equals(l)) return true;
                    Boolean r = truth(right.eval(c), right.pos);
                    if (Boolean.TRUE.equals(r)) return true;
                    return l == null || r == null ? null : false;
                }
                default -> { }
            }
            Object l = left.eval(c), r = right.eval(c);
            if (l == null || r == null) {
                // Oracle treats NULL as the empty string in concatenation.
                if (op.equals("||")) return l == null && r == null ? null : (l == null ? text(r) : text(l));
                return null;
            }
            // (with an interval, a date's text, a parameter's, is read as a date, not as a number)
            return switch (op) {
                case "+" -> asTyped(interval(l, r) ? Values.add(l, r) : Values.add(num(l), num(r)));
                case "-" -> asTyped(interval(l, r) ? Values.subtract(l, r) : Values.subtract(num(l), num(r)));
                case "*" -> Values.multiply(num(l), num(r));
                case "/" -> Values.divide(num(l), num(r));
                case "||" -> text(l) + text(r);
                case "=", "<>", "<", "<=", ">", ">=" -> compare(op, l, r);
                default -> throw ErrorCode.INTERNAL.error("operator " + op);
            };
        }

        /** A DATE plus or minus days or an interval is a DATE: whole seconds, however many days were added. */
        private Object asTyped(Object v) {
            return v instanceof LocalDateTime t && type != null && type.kind() == TypeKind.DATE ? Values.toNearestSecond(t) : v;
        }

        private static boolean interval(Object l, Object r) {
            return l instanceof io.hourglass.engine.catalog.Interval || r instanceof io.hourglass.engine.catalog.Interval;
        }

        /** {@code l op r} for two values that are not NULL. */
        static boolean compare(String op, Object l, Object r) {
            int c = Values.compare(l, r);
            return switch (op) {
                case "=" -> c == 0;
                case "<>" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> throw ErrorCode.INTERNAL.error("comparison " + op);
            };
        }

        private Object num(Object v) {
            if (v instanceof String s) return Values.integralOrDecimal(Values.toDecimal(s));
            if (Values.isNumber(v) || v instanceof LocalDateTime) return v;
            throw ErrorCode.TYPE_MISMATCH.error("operator " + op + " at position " + (pos + 1) + " needs numbers, got " + Values.describe(v));
        }

        static String text(Object v) { return v instanceof String s ? s : Values.toText(v); }

        void children(Consumer<Expr> f) {
            f.accept(left);
            f.accept(right);
        }

        String text() { return "(" + left.text() + " " + op + " " + right.text() + ")"; }
    }

    /**
     * Values of one family compare without conversion, and their {@link Key}s' hash and equality
     * agree with {@link Values#compare}: numbers of any kind (0), strings (1), dates (2), binary
     * (3), booleans (4); -2 for anything else. Across families a comparison converts (a string
     * to a number), which no hash follows.
     */
    static int valueFamily(Object v) {
        return switch (v) {
            case Long l -> 0;
            case BigDecimal d -> 0;
            case Double d -> 0;
            case String s -> 1;
            case LocalDateTime t -> 2;
            case Bytes b -> 3;
            case Boolean b -> 4;
            default -> -2;
        };
    }

    /**
     * Rows of values (of one value each for an IN list) as a hash set: each a {@link Key}, whose
     * hash and equality agree with {@link Values#compare} within a family of types (numbers of any
     * kind, strings with trailing blanks, ...). Comparing across families converts (a string to a
     * number), which a hash cannot follow: rows mixing families in a column, or a value of another
     * family than its column's, are walked instead. A row holding a NULL is kept apart: it equals
     * nothing, but may make the answer unknown, so it is walked when the set has no match.
     */
    record Hashed(java.util.Set<Key> values, int[] families, List<Object[]> withNull) {
        static final Hashed MIXED = new Hashed(java.util.Set.of(), null, List.of());

        /** The set of {@code rows}' first {@code width} values. */
        static Hashed of(List<Object[]> rows, int width) {
            java.util.Set<Key> values = new java.util.HashSet<>(rows.size() * 2);
            int[] families = new int[width];
            java.util.Arrays.fill(families, -1);
            List<Object[]> withNull = new java.util.ArrayList<>();
            next:
            for (Object[] r : rows) {
                Object[] k = r.length == width ? r : java.util.Arrays.copyOf(r, width);
                for (Object x : k) {
                    if (x == null) {
                        withNull.add(k);
                        continue next;
                    }
                }
                for (int i = 0; i < width; i++) {
                    int f = valueFamily(k[i]);
                    if (f < 0 || (families[i] >= 0 && f != families[i])) return MIXED;
                    families[i] = f;
                }
                values.add(new Key(k));
            }
            return new Hashed(values, families, withNull);
        }

        /** Whether the set can answer for {@code v}: no NULL, each value of its column's family. */
        boolean answers(Object[] v) {
            if (families == null) return false;
            for (int i = 0; i < v.length; i++) if (v[i] == null || valueFamily(v[i]) != families[i]) return false;
            return true;
        }

        /** {@link #answers} for one value. */
        boolean answers(Object v) { return families != null && v != null && valueFamily(v) == families[0]; }

        /** {@code v IN (rows)}, three-valued, for a {@code v} it {@link #answers}. */
        Boolean in(Object[] v) {
            if (values.contains(new Key(v))) return true;
            return walk(v, withNull);
        }

        /** {@link #in} for one value. */
        Boolean in(Object v) { return in(new Object[] {v}); }

        /**
         * {@code v IN (rows)} by comparing with each row, converting as a comparison does;
         * three-valued: TRUE if a row equals {@code v}, else NULL if one is not unequal to it in
         * any value (a NULL on either side makes that value's equality unknown), else FALSE.
         */
        static Boolean walk(Object[] v, Iterable<Object[]> rows) {
            boolean unknown = false;
            for (Object[] r : rows) {
                int eq = 1; // 1 equal, 0 unknown, -1 unequal
                for (int i = 0; i < v.length && eq >= 0; i++) {
                    if (v[i] == null || r[i] == null) eq = 0;
                    else if (Values.compare(v[i], r[i]) != 0) eq = -1;
                }
                if (eq == 1) return true;
                unknown |= eq == 0;
            }
            return unknown ? null : false;
        }

        static Boolean negate(Boolean in, boolean negated) { return in == null ? null : in != negated; }
    }

    /**
     * A row of values, {@code (a, b)}: compared with a subquery's rows as a whole ({@link
     * Subquery}'s IN and row comparison); its value is the array of its values. (A row compared
     * with another row or a list of rows is their equalities, made by the parser.)
     */
    static final class Row extends Expr {
        final List<Expr> items;

        Row(int pos, List<Expr> items) {
            super(pos);
            this.items = List.copyOf(items);
        }

        Object eval(Ctx c) {
            Object[] v = new Object[items.size()];
            for (int i = 0; i < v.length; i++) v[i] = items.get(i).eval(c);
            return v;
        }

        void children(Consumer<Expr> f) { items.forEach(f); }

        String text() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < items.size(); i++) sb.append(i > 0 ? ", " : "").append(items.get(i).text());
            return sb.append(")").toString();
        }
    }

    /**
     * Value {@code index} of the row a {@code SET (a, b, ...) = (SELECT ...)} subquery gave: the
     * UPDATE evaluates the subquery once per row for its first column and reads the others from
     * that row ({@code Executor.planUpdate}); it is never evaluated on its own.
     */
    static final class RowPart extends Expr {
        final Subquery row;
        final int index;

        RowPart(Subquery row, int index) {
            super(row.pos);
            this.row = row;
            this.index = index;
        }

        Object eval(Ctx c) { throw ErrorCode.INTERNAL.error("a value of a SET row subquery read apart from its row"); }

        String text() { return "value " + (index + 1) + " of " + row.text(); }
    }

    static final class InList extends Expr {
        final Expr arg;
        List<Expr> list; // (the binder may wrap its items: CHARTOROWID(x) for a ROWID's list)
        final boolean negated;

        /** A list of literals and parameters at least this long is looked up in a hash set, not walked. */
        static final int HASHED_FROM = 8;
        /** Whether the list is the same for every row of one evaluation (literals and parameters only) and long. */
        private boolean fixedList;

        InList(int pos, Expr arg, List<Expr> list, boolean negated) {
            super(pos);
            this.arg = arg;
            this.list = list;
            this.negated = negated;
            this.type = SqlType.BOOLEAN;
            this.fixedList = fixed(list);
        }

        private static boolean fixed(List<Expr> list) { return list.size() >= HASHED_FROM && list.stream().allMatch(InList::constant); }

        private static boolean constant(Expr e) {
            return e instanceof Literal || e instanceof Param || e instanceof Call c && c.name.equals("CHARTOROWID") && constant(c.args.getFirst());
        }

        /** Each item through {@code f} (the binder's conversions), fixed still if each is a constant converted. */
        void replaceItems(java.util.function.UnaryOperator<Expr> f) {
            list = list.stream().map(f).toList();
            fixedList = fixed(list);
        }

        /** A fixed list's values as a set ({@link Hashed}). */
        private Hashed hashed(Ctx c) {
            List<Object[]> values = new java.util.ArrayList<>(list.size());
            for (Expr e : list) values.add(new Object[] {e.eval(c)});
            return Hashed.of(values, 1);
        }

        Object eval(Ctx c) {
            Object v = arg.eval(c);
            if (v == null) return null;
            if (fixedList) {
                Hashed h = c.memo(this, () -> hashed(c));
                if (h.answers(v)) return Hashed.negate(h.in(v), negated);
            }
            boolean sawNull = false;
            for (Expr e : list) {
                Object x = e.eval(c);
                if (x == null) { sawNull = true; continue; }
                if (Values.compare(v, x) == 0) return !negated;
            }
            return sawNull ? null : negated;
        }

        void children(Consumer<Expr> f) {
            f.accept(arg);
            list.forEach(f);
        }

        String text() {
            StringBuilder sb = new StringBuilder(arg.text()).append(negated ? " NOT IN (" : " IN (");
            for (int i = 0; i < list.size(); i++) sb.append(i > 0 ? ", " : "").append(list.get(i).text());
            return sb.append(")").toString();
        }
    }

    /**
     * A subquery: a value (SCALAR: its one row's one column, NULL for no row, TT90038 for more),
     * EXISTS, {@code arg [NOT] IN (subquery)} and {@code arg op ANY|ALL (subquery)}. The binder
     * plans it ({@link #plan}) as a query of its own whose columns of enclosing queries read
     * their current rows ({@link ColumnRef#depth}). One that names none is run once per
     * statement execution (its rows, or their hash set, kept in the statement's {@link
     * Executor.Scope}); a correlated one runs for each row it is asked about, and what it built is
     * given back to TempSize once it has answered.
     */
    static final class Subquery extends Expr {
        enum Kind { SCALAR, EXISTS, IN, ANY, ALL }

        final Kind kind;
        final Ast.Select select;
        final Expr arg;       // IN, ANY, ALL: the value compared
        final String op;      // IN ("="), ANY, ALL: the comparison
        final boolean negated; // NOT IN
        private final String sql;
        Executor.QueryPlan plan;
        /** Names a column of an enclosing query: run again for each of its rows. */
        boolean correlated;
        /** The sources of the immediately enclosing query whose columns it names (inside). */
        long outerSources;
        /** Its references (at any depth inside) to columns of the immediately enclosing query. */
        List<ColumnRef> outerRefs = new ArrayList<>();
        /**
         * For UPDATE's {@code SET (a, b) = (SELECT x, y ...)}: how many columns it sets; its value
         * is then its one row's values as an array (NULLs for no row), {@link RowPart}s reading the
         * later ones. 0 for a subquery giving one value.
         */
        int rowWidth;
        /** A MERGE's SET value (a value of the source row matching), of this target table: more than one row is TT90055. */
        String mergeTarget;

        Subquery(int pos, Kind kind, Ast.Select select, Expr arg, String op, boolean negated, String sql) {
            super(pos);
            this.kind = kind;
            this.select = select;
            this.arg = arg;
            this.op = op;
            this.negated = negated;
            this.sql = sql;
            this.type = SqlType.BOOLEAN;
        }

        /** A copy comparing {@code newArg} (GROUP BY rewriting), sharing the plan. */
        Subquery withArg(Expr newArg) {
            Subquery s = new Subquery(pos, kind, select, newArg, op, negated, sql);
            s.plan = plan;
            s.correlated = correlated;
            s.outerSources = outerSources;
            s.outerRefs = outerRefs;
            s.rowWidth = rowWidth;
            s.mergeTarget = mergeTarget;
            s.type = type;
            s.sources = (newArg == null ? 0 : newArg.sources) | outerSources;
            return s;
        }

        /** How many values each of its rows gives: as many as a row compared with it has, else one (EXISTS: any). */
        int width() { return arg instanceof Row r ? r.items.size() : Math.max(1, rowWidth); }

        /** The most rows the question needs: EXISTS one, a scalar two (to tell that it has more than one). */
        private long cap() {
            return switch (kind) {
                case EXISTS -> 1;
                case SCALAR -> 2;
                default -> Long.MAX_VALUE;
            };
        }

        /** The subquery's rows, as the question needs them. */
        private record Answer(List<Object[]> rows, Hashed hashed) {}

        private Answer answer(Ctx c) {
            List<Object[]> rows = c.scope.rows(this, c, cap());
            Hashed h = kind == Kind.IN && !correlated && rows.size() >= InList.HASHED_FROM ? Hashed.of(rows, width()) : null;
            return new Answer(rows, h);
        }

        /** An uncorrelated subquery's rows, as its own evaluation keeps them for the statement (a semi-join's keys). */
        List<Object[]> keyRows(Ctx c) {
            if (correlated) throw ErrorCode.INTERNAL.error("the rows of a correlated subquery depend on the row asking");
            return c.scope.memo(this, () -> answer(c)).rows();
        }

        Object eval(Ctx c) {
            if (c.scope == null) throw ErrorCode.INTERNAL.error("a subquery evaluated outside a statement");
            Object v = arg == null ? null : arg.eval(c);
            if (!correlated) return decide(v, c.scope.memo(this, () -> answer(c)));
            long[] mark = c.scope.mark();
            try {
                return decide(v, answer(c));
            } finally {
                c.scope.releaseTo(mark);
            }
        }

        private Object decide(Object v, Answer a) {
            List<Object[]> rows = a.rows();
            switch (kind) {
                case EXISTS -> { return !rows.isEmpty(); }
                case SCALAR -> {
                    if (rows.size() > 1) {
                        throw mergeTarget != null ? ErrorCode.MERGE_SOURCE_ROWS.error(mergeTarget) : ErrorCode.SUBQUERY_ROWS.error(pos + 1);
                    }
                    if (arg == null && rowWidth > 0) return rows.isEmpty() ? new Object[rowWidth] : java.util.Arrays.copyOf(rows.get(0), rowWidth);
                    if (arg == null) return rows.isEmpty() ? null : rows.get(0)[0];
                    // (a, b) = | <> (SELECT x, y ...): unknown against no row
                    return rows.isEmpty() ? null : Hashed.negate(Hashed.walk((Object[]) v, rows), negated);
                }
                default -> { }
            }
            if (rows.isEmpty()) return kind == Kind.ALL || negated; // (against no rows, whatever v is)
            if (v == null) return null;
            if (kind == Kind.IN) {
                Object[] tuple = arg instanceof Row ? (Object[]) v : new Object[] {v};
                if (a.hashed() != null && a.hashed().answers(tuple)) return Hashed.negate(a.hashed().in(tuple), negated);
                return Hashed.negate(Hashed.walk(tuple, rows), negated);
            }
            // ANY: true if some comparison is; ALL: false if some comparison is false; else NULL if one was unknown.
            boolean all = kind == Kind.ALL, unknown = false;
            for (Object[] r : rows) {
                if (r[0] == null) { unknown = true; continue; }
                boolean holds = Binary.compare(op, v, r[0]);
                if (holds != all) return holds;
            }
            return unknown ? null : all;
        }

        void children(Consumer<Expr> f) { if (arg != null) f.accept(arg); }

        String text() {
            return switch (kind) {
                case SCALAR -> arg == null ? sql : arg.text() + (negated ? " <> " : " = ") + sql;
                case EXISTS -> "EXISTS " + sql;
                case IN -> arg.text() + (negated ? " NOT IN " : " IN ") + sql;
                case ANY, ALL -> arg.text() + " " + op + " " + kind + " " + sql;
            };
        }
    }

    static final class Between extends Expr {
        final Expr arg, low, high;
        final boolean negated;

        Between(int pos, Expr arg, Expr low, Expr high, boolean negated) {
            super(pos);
            this.arg = arg;
            this.low = low;
            this.high = high;
            this.negated = negated;
            this.type = SqlType.BOOLEAN;
        }

        /**
         * {@code v >= low AND v <= high}, three-valued: a NULL bound leaves the answer unknown only
         * if the other comparison holds ({@code 5 BETWEEN NULL AND 3} is FALSE, so its NOT
         * BETWEEN is TRUE).
         */
        Object eval(Ctx c) {
            Object v = arg.eval(c), lo = low.eval(c), hi = high.eval(c);
            if (v == null) return null;
            boolean aboveLow = lo == null || Values.compare(v, lo) >= 0, belowHigh = hi == null || Values.compare(v, hi) <= 0;
            if (!aboveLow || !belowHigh) return negated;
            if (lo == null || hi == null) return null;
            return !negated;
        }

        void children(Consumer<Expr> f) {
            f.accept(arg);
            f.accept(low);
            f.accept(high);
        }

        String text() { return arg.text() + (negated ? " NOT BETWEEN " : " BETWEEN ") + low.text() + " AND " + high.text(); }
    }

    static final class Like extends Expr {
        final Expr arg, pattern, escape;
        final boolean negated;
        /** The last pattern compiled, whole in one field: a DEFAULT's tree is shared by connections. */
        private volatile Compiled cached;

        private record Compiled(String pattern, String escape, LikePattern like) {}

        Like(int pos, Expr arg, Expr pattern, Expr escape, boolean negated) {
            super(pos);
            this.arg = arg;
            this.pattern = pattern;
            this.escape = escape;
            this.negated = negated;
            this.type = SqlType.BOOLEAN;
        }

        Object eval(Ctx c) {
            Object v = arg.eval(c), p = pattern.eval(c);
            if (v == null || p == null) return null;
            String esc = escape == null ? null : (String) escape.eval(c);
            String ps = Binary.text(p);
            Compiled k = cached;
            if (k == null || !ps.equals(k.pattern()) || !java.util.Objects.equals(esc, k.escape())) {
                k = new Compiled(ps, esc, LikePattern.compile(ps, esc));
                cached = k;
            }
            String s = Binary.text(v);
            // CHAR values carry trailing blanks that the pattern did not ask for.
            boolean m = k.like().matches(s) || (!s.isEmpty() && Character.isWhitespace(s.charAt(s.length() - 1))
                    && k.like().matches(s.stripTrailing()));
            return m != negated;
        }

        void children(Consumer<Expr> f) {
            f.accept(arg);
            f.accept(pattern);
            if (escape != null) f.accept(escape);
        }

        String text() { return arg.text() + (negated ? " NOT LIKE " : " LIKE ") + pattern.text(); }
    }

    static final class IsNull extends Expr {
        final Expr arg;
        final boolean negated;

        IsNull(int pos, Expr arg, boolean negated) {
            super(pos);
            this.arg = arg;
            this.negated = negated;
            this.type = SqlType.BOOLEAN;
        }

        Object eval(Ctx c) { return (arg.eval(c) == null) != negated; }

        void children(Consumer<Expr> f) { f.accept(arg); }

        String text() { return arg.text() + (negated ? " IS NOT NULL" : " IS NULL"); }
    }

    static final class Case extends Expr {
        final Expr operand; // null for searched CASE
        final List<Expr> whens, thens;
        final Expr otherwise;

        Case(int pos, Expr operand, List<Expr> whens, List<Expr> thens, Expr otherwise) {
            super(pos);
            this.operand = operand;
            this.whens = whens;
            this.thens = thens;
            this.otherwise = otherwise;
        }

        Object eval(Ctx c) {
            Object o = operand == null ? null : operand.eval(c);
            for (int i = 0; i < whens.size(); i++) {
                if (operand == null) {
                    if (Boolean.TRUE.equals(truth(whens.get(i).eval(c), whens.get(i).pos))) return thens.get(i).eval(c);
                } else {
                    Object w = whens.get(i).eval(c);
                    if (o != null && w != null && Values.compare(o, w) == 0) return thens.get(i).eval(c);
                }
            }
            return otherwise == null ? null : otherwise.eval(c);
        }

        void children(Consumer<Expr> f) {
            if (operand != null) f.accept(operand);
            whens.forEach(f);
            thens.forEach(f);
            if (otherwise != null) f.accept(otherwise);
        }

        String text() {
            StringBuilder sb = new StringBuilder("CASE");
            if (operand != null) sb.append(' ').append(operand.text());
            for (int i = 0; i < whens.size(); i++) sb.append(" WHEN ").append(whens.get(i).text()).append(" THEN ").append(thens.get(i).text());
            if (otherwise != null) sb.append(" ELSE ").append(otherwise.text());
            return sb.append(" END").toString();
        }
    }

    static final class Cast extends Expr {
        final Expr arg;

        Cast(int pos, Expr arg, SqlType target) {
            super(pos);
            this.arg = arg;
            this.type = target;
        }

        Object eval(Ctx c) { return type.coerce(arg.eval(c), "CAST"); }

        void children(Consumer<Expr> f) { f.accept(arg); }

        String text() { return "CAST(" + arg.text() + " AS " + type.sqlName() + ")"; }
    }

    /**
     * {@code GROUPING(x)}, {@code GROUPING_ID(x, ...)}, {@code GROUP_ID()}, Oracle's: which grouping
     * set made the current group. GROUPING(x) is 1 when x is not in it (its value is a subtotal's
     * NULL), GROUPING_ID the bits of GROUPING of each argument, first the highest, and GROUP_ID how
     * many sets equal to it came before (0 for the first). All 0 under a plain GROUP BY. The
     * planner makes a bound copy ({@link #of}) once the query's GROUP BY is known.
     */
    static final class Grouping extends Expr {
        final String name;
        final List<Expr> args;
        /** Set by the planner: each argument's GROUP BY slot; the grouping sets (null: a plain GROUP BY) and where the group key holds its set. */
        private int[] slots;
        private long[] sets;
        private int[] groupIds;
        private int setSlot;

        Grouping(int pos, String name, List<Expr> args) {
            super(pos);
            this.name = name;
            this.args = args;
            this.type = SqlType.BIGINT;
        }

        /** This function for a grouped query: {@code slots} of its arguments, the query's {@code sets} (null: plain), {@code groupIds}, and the set's slot in a group key. */
        Grouping of(int[] slots, long[] sets, int[] groupIds, int setSlot) {
            Grouping g = new Grouping(pos, name, args);
            g.slots = slots;
            g.sets = sets;
            g.groupIds = groupIds;
            g.setSlot = setSlot;
            return g;
        }

        Object eval(Ctx c) {
            if (slots == null) throw ErrorCode.INTERNAL.error(name + " evaluated outside a grouped query");
            if (sets == null) return 0L;
            int set = (int) (long) (Long) c.groupKey[setSlot];
            if (name.equals("GROUP_ID")) return (long) groupIds[set];
            long v = 0;
            for (int slot : slots) v = v << 1 | ((sets[set] & (1L << slot)) == 0 ? 1 : 0);
            return v;
        }

        void children(Consumer<Expr> f) { args.forEach(f); }

        String text() {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < args.size(); i++) sb.append(i > 0 ? ", " : "").append(args.get(i).text());
            return sb.append(')').toString();
        }
    }

    /** Scalar functions; aggregates are {@link Aggregate}. */
    static final class Call extends Expr {
        final String name;
        final List<Expr> args;

        Call(int pos, String name, List<Expr> args) {
            super(pos);
            this.name = name;
            this.args = args;
        }

        /**
         * REGEXP_LIKE(s, p [, match]), REGEXP_INSTR(s, p [, position [, occurrence [, return_option
         * [, match [, subexpression]]]]]), REGEXP_SUBSTR(s, p [, position [, occurrence [, match [,
         * subexpression]]]]), REGEXP_REPLACE(s, p [, with [, position [, occurrence [, match]]]]):
         * NULL when s, p or a number is NULL; a NULL match parameter is the default, a NULL
         * replacement removes the matches.
         */
        private Object regex(Object[] a, Ctx c) {
            int match = switch (name) {
                case "REGEXP_LIKE" -> 2;
                case "REGEXP_INSTR" -> 5;
                case "REGEXP_SUBSTR" -> 4;
                case "REGEXP_REPLACE" -> 5;
                default -> throw ErrorCode.INTERNAL.error(name);
            };
            int with = name.equals("REGEXP_REPLACE") ? 2 : -1;
            for (int i = 0; i < a.length; i++) if (a[i] == null && i != match && i != with) return null;
            String s = Binary.text(a[0]);
            java.util.regex.Pattern p = Regex.pattern(this, c, Binary.text(a[1]), a.length > match && a[match] != null ? Binary.text(a[match]) : "");
            return switch (name) {
                case "REGEXP_LIKE" -> Regex.like(p, s, c);
                case "REGEXP_INSTR" -> {
                    long option = a.length > 4 ? toLong(a[4]) : 0;
                    if (option != 0 && option != 1) throw ErrorCode.SEMANTIC_ERROR.error("REGEXP_INSTR's return option is 0 or 1, got " + option);
                    yield Regex.instr(p, s, a.length > 2 ? toLong(a[2]) : 1, a.length > 3 ? toLong(a[3]) : 1, option == 1,
                            a.length > 6 ? toLong(a[6]) : 0, c);
                }
                case "REGEXP_SUBSTR" -> Regex.substr(p, s, a.length > 2 ? toLong(a[2]) : 1, a.length > 3 ? toLong(a[3]) : 1,
                        a.length > 5 ? toLong(a[5]) : 0, c);
                default -> Regex.replace(p, s, a.length > 2 && a[2] != null ? Binary.text(a[2]) : "", a.length > 3 ? toLong(a[3]) : 1,
                        a.length > 4 ? toLong(a[4]) : 0, c);
            };
        }

        Object eval(Ctx c) {
            switch (name) {
                case "DECODE" -> {
                    // DECODE(x, s1, r1, ..., [default]): the result of the first search equal to x,
                    // NULL matching NULL; searches and results are evaluated only as far as needed.
                    Object x = args.get(0).eval(c);
                    int n = args.size();
                    for (int i = 1; i + 1 < n; i += 2) {
                        Object v = args.get(i).eval(c);
                        if (x == null ? v == null : v != null && Values.compare(x, v) == 0) return args.get(i + 1).eval(c);
                    }
                    return n % 2 == 0 ? args.get(n - 1).eval(c) : null;
                }
                case "NVL2" -> { return args.get(0).eval(c) != null ? args.get(1).eval(c) : args.get(2).eval(c); }
                case "SYS_GUID" -> { return guid(); }
                default -> { }
            }
            Object[] a = new Object[args.size()];
            for (int i = 0; i < a.length; i++) a[i] = args.get(i).eval(c);
            switch (name) {
                case "COALESCE", "NVL" -> {
                    for (Object x : a) if (x != null) return x;
                    return null;
                }
                case "NULLIF" -> { return a[0] != null && a[1] != null && Values.compare(a[0], a[1]) == 0 ? null : a[0]; }
                case "CONCAT" -> { return a[0] == null && a[1] == null ? null : (a[0] == null ? "" : Binary.text(a[0])) + (a[1] == null ? "" : Binary.text(a[1])); }
                case "REGEXP_LIKE", "REGEXP_INSTR", "REGEXP_SUBSTR", "REGEXP_REPLACE" -> { return regex(a, c); }
                case "REPLACE" -> {
                    if (a[0] == null) return null;
                    String from = a[1] == null ? "" : Binary.text(a[1]), to = a.length < 3 || a[2] == null ? "" : Binary.text(a[2]);
                    return from.isEmpty() ? Binary.text(a[0]) : Binary.text(a[0]).replace(from, to);
                }
                default -> { }
            }
            for (Object x : a) if (x == null) return null;
            if (a[0] instanceof LocalDateTime t) {
                switch (name) {
                    case "TRUNC", "ROUND" -> { return Formats.truncDateTime(t, a.length > 1 ? Binary.text(a[1]) : null, name.equals("ROUND")); }
                    case "TO_CHAR" -> { if (a.length > 1) return Formats.formatDateTime(t, Binary.text(a[1])); }
                    // (DATE functions: a TIMESTAMP is read as a DATE first, as CAST reads it)
                    case "ADD_MONTHS" -> { return addMonths(asDate(t), toLong(a[1])); }
                    case "LAST_DAY" -> { return asDate(t).withDayOfMonth(t.toLocalDate().lengthOfMonth()); }
                    case "MONTHS_BETWEEN" -> { return monthsBetween(t, date(a[1])); }
                    default -> { }
                }
            }
            return switch (name) {
                case "UPPER" -> Characters.mapCase(Binary.text(a[0]), true);
                case "LOWER" -> Characters.mapCase(Binary.text(a[0]), false);
                case "LENGTH" -> (long) Binary.text(a[0]).codePointCount(0, Binary.text(a[0]).length());
                case "TRIM" -> Binary.text(a[0]).strip();
                case "LTRIM" -> Binary.text(a[0]).stripLeading();
                case "RTRIM" -> Binary.text(a[0]).stripTrailing();
                case "SUBSTR" -> Characters.substr(Binary.text(a[0]), toLong(a[1]), a.length > 2 ? toLong(a[2]) : null);
                case "LENGTHB" -> Characters.lengthb(Binary.text(a[0]));
                case "SUBSTRB" -> Characters.substrb(Binary.text(a[0]), toLong(a[1]), a.length > 2 ? toLong(a[2]) : null);
                case "INSTRB" -> Characters.instrb(Binary.text(a[0]), Binary.text(a[1]), a.length > 2 ? toLong(a[2]) : 1, a.length > 3 ? toLong(a[3]) : 1);
                case "ABS" -> Values.compare(a[0], 0L) < 0 ? Values.negate(a[0]) : a[0];
                case "MOD" -> Values.mod(a[0], a[1]);
                case "ROUND" -> roundOrTrunc(a, RoundingMode.HALF_UP);
                case "TRUNC" -> roundOrTrunc(a, RoundingMode.DOWN);
                case "FLOOR" -> Values.integralOrDecimal(Values.toDecimal(a[0]).setScale(0, RoundingMode.FLOOR));
                case "CEIL" -> Values.integralOrDecimal(Values.toDecimal(a[0]).setScale(0, RoundingMode.CEILING));
                case "TO_CHAR" -> a.length > 1 && Values.isNumber(a[0]) ? Formats.formatNumber(Values.toDecimal(a[0]), Binary.text(a[1]))
                        : Binary.text(a[0]);
                case "TO_NUMBER" -> Values.integralOrDecimal(Values.normalize(Values.toDecimal(a[0])));
                case "TO_DATE" -> a.length > 1 ? Formats.parseDateTime(Binary.text(a[0]), Binary.text(a[1]), c.now()).withNano(0)
                        : SqlType.DATE.coerce(a[0], "TO_DATE");
                case "TO_TIMESTAMP" -> a.length > 1 ? Formats.parseDateTime(Binary.text(a[0]), Binary.text(a[1]), c.now())
                        : SqlType.TIMESTAMP.coerce(a[0], "TO_TIMESTAMP");
                case "INSTR" -> Characters.instr(Binary.text(a[0]), Binary.text(a[1]), a.length > 2 ? toLong(a[2]) : 1, a.length > 3 ? toLong(a[3]) : 1);
                case "LPAD", "RPAD" -> Characters.pad(Binary.text(a[0]), toLong(a[1]), a.length > 2 ? Binary.text(a[2]) : " ", name.equals("LPAD"));
                case "INITCAP" -> Characters.initcap(Binary.text(a[0]));
                case "ASCII" -> Binary.text(a[0]).isEmpty() ? null : (long) Binary.text(a[0]).codePointAt(0);
                case "CHR", "NCHR" -> Characters.chr(toLong(a[0]));
                case "UNISTR" -> Characters.unistr(Binary.text(a[0]));
                case "TO_CLOB", "TO_NCLOB" -> Binary.text(a[0]);
                case "TO_LOB" -> a[0] instanceof io.hourglass.engine.store.Bytes ? a[0] : Binary.text(a[0]);
                case "TO_BLOB" -> SqlType.VARBINARY_ANY.coerce(a[0], "TO_BLOB");
                case "ASCIISTR" -> Characters.asciistr(Binary.text(a[0]));
                case "SOUNDEX" -> Characters.soundex(Binary.text(a[0]));
                case "NLS_CHARSET_ID" -> Characters.charsetId(Binary.text(a[0]));
                case "NLS_CHARSET_NAME" -> Characters.charsetName(toLong(a[0]));
                case "NLSSORT" -> nlssort(Binary.text(a[0]), a.length > 1 ? Binary.text(a[1]) : null);
                case "VSIZE" -> vsize(args.get(0).type, a[0]);
                case "GREATEST", "LEAST" -> {
                    Object best = a[0];
                    for (Object x : a) {
                        int cmp = Values.compare(x, best);
                        if (name.equals("GREATEST") ? cmp > 0 : cmp < 0) best = x;
                    }
                    yield best;
                }
                case "SIGN" -> (long) Values.toDecimal(a[0]).signum();
                case "NANVL" -> { // (n2 if it is not NaN, else n1: only a BINARY_DOUBLE can be NaN)
                    for (Object x : a) {
                        if (!Values.isNumber(x)) throw ErrorCode.TYPE_MISMATCH.error("NANVL takes numbers, not '" + Values.toText(x) + "'");
                    }
                    yield a[0] instanceof Double d && d.isNaN() ? a[1] : a[0];
                }
                case "POWER" -> power(a[0], a[1]);
                case "SQRT" -> {
                    BigDecimal x = Values.toDecimal(a[0]);
                    if (x.signum() < 0) throw ErrorCode.NUMERIC_OVERFLOW.error("SQRT of a negative number, " + Values.toText(a[0]));
                    yield Values.integralOrDecimal(Values.normalize(Values.number(x.sqrt(Values.DIVISION))));
                }
                case "EXP" -> real(Math.exp(Values.toDouble(a[0])), "EXP");
                case "LN" -> {
                    if (Values.toDecimal(a[0]).signum() <= 0) throw ErrorCode.NUMERIC_OVERFLOW.error("LN of " + Values.toText(a[0]) + ", not above 0");
                    yield real(Math.log(Values.toDouble(a[0])), "LN");
                }
                case "SIN", "COS", "TAN", "ATAN", "SINH", "COSH", "TANH" -> real(trig(name, Values.toDouble(a[0])), name);
                case "ASIN", "ACOS" -> {
                    double x = Values.toDouble(a[0]);
                    if (x < -1 || x > 1) throw ErrorCode.NUMERIC_OVERFLOW.error(name + " of " + Values.toText(a[0]) + ", outside -1 to 1");
                    yield real(name.equals("ASIN") ? Math.asin(x) : Math.acos(x), name);
                }
                case "ATAN2" -> real(Math.atan2(Values.toDouble(a[0]), Values.toDouble(a[1])), name);
                case "LOG" -> { // LOG(base, x)
                    BigDecimal base = Values.toDecimal(a[0]), x = Values.toDecimal(a[1]);
                    if (base.signum() <= 0 || base.compareTo(BigDecimal.ONE) == 0 || x.signum() <= 0) {
                        throw ErrorCode.NUMERIC_OVERFLOW.error("LOG(" + Values.toText(a[0]) + ", " + Values.toText(a[1])
                                + "): the base must be above 0 and not 1, the number above 0");
                    }
                    yield real(Math.log(x.doubleValue()) / Math.log(base.doubleValue()), name);
                }
                case "BITAND" -> bits(a[0], name) & bits(a[1], name);
                case "BITOR" -> bits(a[0], name) | bits(a[1], name);
                case "BITXOR" -> bits(a[0], name) ^ bits(a[1], name);
                case "BITNOT" -> ~bits(a[0], name);
                case "EXTRACT" -> Formats.extract(Binary.text(a[0]), date(a[1]));
                case "TIMESTAMPADD" -> {
                    LocalDateTime r = TimestampIntervals.add(Binary.text(a[0]), toLong(a[1]), date(a[2]));
                    yield type.kind() == io.hourglass.engine.catalog.TypeKind.DATE ? r.withNano(0) : r; // (a DATE holds no fraction)
                }
                case "TIMESTAMPDIFF" -> TimestampIntervals.diff(Binary.text(a[0]), date(a[1]), date(a[2]));
                // TimesTen's: the hash a hash index on these values keeps (equal values hash alike, whatever their types)
                case "TT_HASH" -> (long) new io.hourglass.engine.store.Key(a.clone()).hashCode();
                case "CHARTOROWID" -> io.hourglass.engine.catalog.RowIds.of(a[0], "CHARTOROWID at position " + (pos + 1));
                case "NUMTODSINTERVAL", "NUMTOYMINTERVAL" ->
                        io.hourglass.engine.catalog.Interval.of(a[0], Binary.text(a[1]), name.equals("NUMTOYMINTERVAL"), name);
                case "ROWIDTOCHAR" -> Binary.text(a[0]);
                case "SYS_CONTEXT" -> sysContext(c, Binary.text(a[0]), Binary.text(a[1]), a.length > 2 ? contextLength(toLong(a[2])) : CONTEXT_LENGTH);
                case "ADD_MONTHS", "LAST_DAY", "MONTHS_BETWEEN" ->
                        throw ErrorCode.TYPE_MISMATCH.error(name + " needs a date here, got " + Values.describe(a[0]));
                default -> throw ErrorCode.SEMANTIC_ERROR.error("unknown function " + name);
            };
        }

        /** SYS_CONTEXT's length when none is given, and the most it takes (Oracle's, TimesTen's). */
        static final int CONTEXT_LENGTH = 256, CONTEXT_MAX_LENGTH = 4000;

        /** SYS_GUID's length in bytes (Oracle's RAW(16)). */
        static final int GUID_BYTES = 16;

        /**
         * SYS_GUID(): a new identifier per call, RFC 9562's version 7: the time in milliseconds
         * in the first six bytes, so identifiers made later sort after (a range index on them
         * grows at its end, as on a sequence), then 74 random bits from a strong source.
         */
        static Bytes guid() {
            java.util.UUID random = java.util.UUID.randomUUID();
            long ms = System.currentTimeMillis();
            long high = ms << 16 | 0x7000L | random.getMostSignificantBits() & 0x0fffL;
            long low = random.getLeastSignificantBits(); // (its variant bits are already RFC 9562's)
            byte[] b = new byte[GUID_BYTES];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (high >>> (56 - 8 * i));
                b[8 + i] = (byte) (low >>> (56 - 8 * i));
            }
            return new Bytes(b);
        }

        /**
         * VSIZE(x): the bytes {@code x} takes where a row holds it (docs/FORMAT.md, "Row image"),
         * as its type {@code t} stores it, not Oracle's own encoding (a TT_INTEGER is 4, a DATE 8,
         * a VARCHAR2 its UTF-8 bytes and their length).
         */
        private static Long vsize(SqlType t, Object x) {
            if (t.kind() == TypeKind.INTERVAL || t.kind() == TypeKind.BOOLEAN) {
                throw ErrorCode.TYPE_MISMATCH.error("VSIZE of an interval or a condition, which no row holds");
            }
            return (long) new io.hourglass.engine.store.RowCodec(new SqlType[] {t}).encode(new Object[] {t.coerce(x, "VSIZE")}).length - 1;
        }

        /**
         * NLSSORT(s [, 'NLS_SORT = BINARY']): the bytes that sort as {@code s} sorts, its UTF-8
         * and a zero byte, as Oracle's BINARY sort key (UTF-8's byte order is the code points'
         * order, Hourglass's one collation); another sort is TT90019, as ALTER SESSION's.
         */
        private static Object nlssort(String s, String param) {
            if (param != null && !param.replace(" ", "").equalsIgnoreCase("NLS_SORT=BINARY")) {
                throw ErrorCode.UNSUPPORTED.error("NLSSORT with '" + param + "': Hourglass has no linguistic sorts, only NLS_SORT = BINARY");
            }
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new Bytes(java.util.Arrays.copyOf(utf8, utf8.length + 1));
        }

        /** SYS_CONTEXT's length argument: 1 to 4,000; another is ignored for the default, as Oracle ignores it. */
        static int contextLength(long n) { return n >= 1 && n <= CONTEXT_MAX_LENGTH ? (int) n : CONTEXT_LENGTH; }

        /**
         * TimesTen's SYS_CONTEXT('USERENV', parameter): what the session is. Another namespace is
         * NULL (TimesTen's); an unknown parameter TT2820. ACTION, CLIENT_INFO and MODULE are set
         * through OCI in TimesTen, which no client of Hourglass has: NULL. Users have no numbers
         * here, so CURRENT_USERID and SESSION_USERID are refused rather than made up.
         */
        private static String sysContext(Ctx c, String namespace, String parameter, int length) {
            if (!namespace.strip().equalsIgnoreCase("USERENV")) return null;
            String v = switch (parameter.strip().toUpperCase(Locale.ROOT)) {
                case "CURRENT_USER", "SESSION_USER", "CURRENT_SCHEMA" -> c.user();
                case "AUTHENTICATION_METHOD" -> "PASSWORD";
                case "IDENTIFICATION_TYPE" -> "LOCAL";
                case "LANG" -> "US";
                case "LANGUAGE" -> "AMERICAN_AMERICA.AL32UTF8";
                case "NLS_SORT" -> "BINARY";
                case "SID" -> Long.toString(c.sessionId());
                case "ACTION", "CLIENT_INFO", "MODULE" -> null;
                case "CURRENT_USERID", "SESSION_USERID" ->
                        throw ErrorCode.UNSUPPORTED.error("SYS_CONTEXT('USERENV', '" + parameter + "'): Hourglass users have names, not numbers");
                default -> throw ErrorCode.INVALID_USERENV_PARAMETER.error(parameter);
            };
            return v == null ? null : Characters.substr(v, 1, (long) length);
        }

        private static LocalDateTime asDate(LocalDateTime t) { return (LocalDateTime) SqlType.DATE.coerce(t, "a DATE"); }

        private static LocalDateTime date(Object v) {
            if (v instanceof LocalDateTime t) return t;
            return (LocalDateTime) SqlType.TIMESTAMP.coerce(v, "a date");
        }

        /** Oracle's ADD_MONTHS: the last day of a month stays the last day; a later day is held to the month's end. */
        private static LocalDateTime addMonths(LocalDateTime t, long months) {
            if (Math.abs(months) > 12L * 10_000) throw ErrorCode.NUMERIC_OVERFLOW.error("ADD_MONTHS of " + months + " months");
            LocalDateTime r = t.plusMonths(months);
            if (t.getDayOfMonth() == t.toLocalDate().lengthOfMonth()) r = r.withDayOfMonth(r.toLocalDate().lengthOfMonth());
            if (r.getYear() < 1 || r.getYear() > 9999) throw ErrorCode.NUMERIC_OVERFLOW.error("ADD_MONTHS past the years 1 to 9999");
            return r;
        }

        /**
         * Oracle's MONTHS_BETWEEN: whole months when both days are the same day of the month or
         * both the last; else the whole months plus the rest in 31-day months, time included.
         */
        private static Object monthsBetween(LocalDateTime a, LocalDateTime b) {
            long whole = (a.getYear() - b.getYear()) * 12L + (a.getMonthValue() - b.getMonthValue());
            boolean aLast = a.getDayOfMonth() == a.toLocalDate().lengthOfMonth(), bLast = b.getDayOfMonth() == b.toLocalDate().lengthOfMonth();
            if (a.getDayOfMonth() == b.getDayOfMonth() || (aLast && bLast)) return whole;
            BigDecimal secondsA = BigDecimal.valueOf(a.getDayOfMonth() * 86_400L + a.toLocalTime().toSecondOfDay());
            BigDecimal secondsB = BigDecimal.valueOf(b.getDayOfMonth() * 86_400L + b.toLocalTime().toSecondOfDay());
            BigDecimal part = secondsA.subtract(secondsB).divide(BigDecimal.valueOf(31L * 86_400), Values.DIVISION);
            return Values.integralOrDecimal(Values.normalize(Values.number(BigDecimal.valueOf(whole).add(part))));
        }

        /** POWER: exact for a whole exponent (up to 1,000), else in doubles. */
        private static Object power(Object base, Object exp) {
            BigDecimal e = Values.toDecimal(exp);
            if (!(base instanceof Double) && !(exp instanceof Double) && e.stripTrailingZeros().scale() <= 0 && e.abs().compareTo(BigDecimal.valueOf(1000)) <= 0) {
                BigDecimal b = Values.toDecimal(base);
                int n = e.intValueExact();
                if (b.signum() == 0 && n < 0) throw ErrorCode.DIVISION_BY_ZERO.error();
                BigDecimal r = n >= 0 ? b.pow(n, Values.DIVISION) : BigDecimal.ONE.divide(b.pow(-n, Values.DIVISION), Values.DIVISION);
                return Values.integralOrDecimal(Values.normalize(Values.number(r)));
            }
            return real(Math.pow(Values.toDouble(base), Values.toDouble(exp)), "POWER");
        }

        /** A double result as a NUMBER; TT90004 when it is not a finite number. */
        /**
         * A floating-point result as a NUMBER: its shortest decimal (the digits a double holds,
         * not the noise of its binary expansion past them). TT90004 if it is not finite.
         */
        private static Object real(double d, String what) {
            if (!Double.isFinite(d)) throw ErrorCode.NUMERIC_OVERFLOW.error(what + " gives no finite number");
            return Values.integralOrDecimal(Values.normalize(Values.number(BigDecimal.valueOf(d))));
        }

        private static double trig(String name, double x) {
            return switch (name) {
                case "SIN" -> Math.sin(x);
                case "COS" -> Math.cos(x);
                case "TAN" -> Math.tan(x);
                case "ATAN" -> Math.atan(x);
                case "SINH" -> Math.sinh(x);
                case "COSH" -> Math.cosh(x);
                default -> Math.tanh(x);
            };
        }

        /** An argument of BITAND and its kin: a whole number within TT_BIGINT (TT90003 otherwise), as its 64 bits. */
        private static long bits(Object v, String fn) {
            if (v instanceof Long l) return l;
            BigDecimal d = Values.isNumber(v) && !(v instanceof Double x && !Double.isFinite(x)) ? Values.toDecimal(v) : null;
            if (d != null && d.stripTrailingZeros().scale() <= 0 && d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                    && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                return d.longValueExact();
            }
            throw ErrorCode.TYPE_MISMATCH.error(fn + " takes whole numbers within TT_BIGINT, not " + Values.describe(v));
        }

        /** The integral part of a number, held at Long's bounds rather than wrapped past them. */
        private static long toLong(Object v) {
            BigDecimal t = Values.toDecimal(v).setScale(0, RoundingMode.DOWN);
            java.math.BigInteger i = t.toBigInteger();
            return i.bitLength() < 64 ? i.longValue() : i.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }

        private static Object roundOrTrunc(Object[] a, RoundingMode mode) {
            // Places beyond a value's digits change nothing, and beyond NUMBER's range leave 0;
            // clamped so that ROUND(x, 1000000000) does not pad a billion zeros.
            long places = a.length > 1 ? toLong(a[1]) : 0;
            if (a[0] instanceof Double d) {
                if (!Double.isFinite(d)) return d;
                BigDecimal x = new BigDecimal(Double.toString(d));
                return places >= x.scale() ? d : x.setScale((int) Math.max(places, -400), mode).doubleValue();
            }
            BigDecimal x = Values.toDecimal(a[0]);
            if (places >= x.scale()) return Values.integralOrDecimal(Values.normalize(x));
            return Values.integralOrDecimal(Values.normalize(x.setScale((int) Math.max(places, -200), mode)));
        }

        void children(Consumer<Expr> f) { args.forEach(f); }

        String text() {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < args.size(); i++) sb.append(i > 0 ? ", " : "").append(args.get(i).text());
            return sb.append(')').toString();
        }
    }

    /** COUNT, SUM, MIN, MAX, AVG; evaluated after grouping through {@link #slot}. */
    static final class Aggregate extends Expr {
        final String name;
        final Expr arg; // null for COUNT(*); LISTAGG's: a Row of the value and its WITHIN GROUP sort keys
        final boolean distinct;
        int slot = -1;
        /** LISTAGG's: the separator (a string literal, NULL for none) and its WITHIN GROUP order, per sort key. */
        Literal separator;
        List<Boolean> descending = List.of(), nullsFirst = List.of();

        Aggregate(int pos, String name, Expr arg, boolean distinct) {
            super(pos);
            this.name = name;
            this.arg = arg;
            this.distinct = distinct;
        }

        /**
         * Oracle's {@code LISTAGG([DISTINCT] value [, 'sep']) WITHIN GROUP (ORDER BY keys)}: the
         * group's non-NULL values as text, in the keys' order, sep between them.
         */
        static Aggregate listagg(int pos, boolean distinct, Expr value, Literal separator, List<Expr> keys, List<Boolean> descending,
                                 List<Boolean> nullsFirst) {
            List<Expr> items = new java.util.ArrayList<>();
            items.add(value);
            items.addAll(keys);
            Aggregate a = new Aggregate(pos, "LISTAGG", new Row(pos, items), distinct);
            a.separator = separator;
            a.descending = List.copyOf(descending);
            a.nullsFirst = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(nullsFirst));
            return a;
        }

        Object eval(Ctx c) {
            if (c.aggValues == null || slot < 0) {
                throw ErrorCode.SEMANTIC_ERROR.error("aggregate " + name + " is not allowed here (position " + (pos + 1) + ")");
            }
            return c.aggValues[slot];
        }

        void children(Consumer<Expr> f) { if (arg != null) f.accept(arg); }

        String text() {
            if (separator == null) return name + "(" + (distinct ? "DISTINCT " : "") + (arg == null ? "*" : arg.text()) + ")";
            List<Expr> items = ((Row) arg).items;
            StringBuilder sb = new StringBuilder("LISTAGG(").append(distinct ? "DISTINCT " : "").append(items.get(0).text());
            if (separator.value != null) sb.append(", ").append(separator.text());
            sb.append(")");
            for (int i = 1; i < items.size(); i++) {
                sb.append(i == 1 ? " WITHIN GROUP (ORDER BY " : ", ").append(items.get(i).text()).append(descending.get(i - 1) ? " DESC" : "");
            }
            return items.size() > 1 ? sb.append(")").toString() : sb.toString();
        }
    }

    /**
     * An analytic (window) function, as Oracle's: {@code ROW_NUMBER() RANK() DENSE_RANK()} or an
     * aggregate ({@code agg}: SUM COUNT AVG MIN MAX) {@code OVER ([PARTITION BY ...] [ORDER BY ...])}.
     * Computed once the query's rows are known (QueryPlan.windows), read here by slot. Its
     * aggregate is not a child: a window does not make its query a grouped one.
     */
    static final class Window extends Expr {
        final String name;
        final Aggregate agg; // null for a ranking function and LAG/LEAD
        /** LAG and LEAD's: the value, the offset (default 1) and the default (NULL); empty for the others. */
        final List<Expr> args;
        final List<Expr> partition;
        final List<Expr> order;
        final List<Boolean> descending;
        final List<Boolean> nullsFirst;
        /** The explicit frame ({@code ROWS | RANGE ...}); null for the default one. */
        final Frame frame;
        /** FIRST_VALUE / LAST_VALUE ... IGNORE NULLS: the first or last non-NULL value of the frame. */
        final boolean ignoreNulls;
        int slot = -1;

        Window(int pos, String name, Aggregate agg, List<Expr> args, List<Expr> partition, List<Expr> order, List<Boolean> descending,
               List<Boolean> nullsFirst, Frame frame, boolean ignoreNulls) {
            super(pos);
            this.name = name;
            this.agg = agg;
            this.args = args;
            this.partition = partition;
            this.order = order;
            this.descending = descending;
            this.nullsFirst = nullsFirst;
            this.frame = frame;
            this.ignoreNulls = ignoreNulls;
        }

        Object eval(Ctx c) {
            if (c.windowValues == null || slot < 0) {
                throw ErrorCode.SEMANTIC_ERROR.error("window function " + name + " is allowed only in the select list and ORDER BY"
                        + " (position " + (pos + 1) + ")");
            }
            return c.windowValues[slot];
        }

        void children(Consumer<Expr> f) {
            if (agg != null && agg.arg != null) f.accept(agg.arg);
            args.forEach(f);
            partition.forEach(f);
            order.forEach(f);
            if (frame != null) {
                if (frame.start().offset() != null) f.accept(frame.start().offset());
                if (frame.end().offset() != null) f.accept(frame.end().offset());
            }
        }

        String text() {
            StringBuilder b = new StringBuilder(agg != null ? agg.text()
                    : name + "(" + String.join(", ", args.stream().map(Expr::text).toList()) + (ignoreNulls ? " IGNORE NULLS" : "") + ")")
                    .append(" OVER (");
            if (!partition.isEmpty()) b.append("PARTITION BY ").append(String.join(", ", partition.stream().map(Expr::text).toList()));
            if (!order.isEmpty()) {
                b.append(partition.isEmpty() ? "" : " ").append("ORDER BY ");
                for (int i = 0; i < order.size(); i++) b.append(i == 0 ? "" : ", ").append(order.get(i).text()).append(descending.get(i) ? " DESC" : "");
            }
            if (frame != null) b.append(' ').append(frame.text());
            return b.append(')').toString();
        }
    }

    /** Where a window frame starts or ends. */
    enum BoundKind {
        UNBOUNDED_PRECEDING("UNBOUNDED PRECEDING"), PRECEDING("PRECEDING"), CURRENT_ROW("CURRENT ROW"),
        FOLLOWING("FOLLOWING"), UNBOUNDED_FOLLOWING("UNBOUNDED FOLLOWING");

        final String sql;

        BoundKind(String sql) { this.sql = sql; }
    }

    /** A frame bound: its kind and, for {@code n PRECEDING} and {@code n FOLLOWING}, the offset n (a constant). */
    record Bound(BoundKind kind, Expr offset) {
        String text() { return offset == null ? kind.sql : offset.text() + " " + kind.sql; }
    }

    /**
     * A window's explicit frame, as Oracle's windowing clause: {@code ROWS} counts rows from the
     * current one, {@code RANGE} compares the (single, numeric or datetime) ORDER BY key with the
     * current row's, and {@code CURRENT ROW} in RANGE takes the current row's peers.
     */
    record Frame(boolean rows, Bound start, Bound end) {
        String text() { return (rows ? "ROWS" : "RANGE") + " BETWEEN " + start.text() + " AND " + end.text(); }
    }

    static boolean isKind(Expr e, TypeKind k) { return e.type != null && e.type.kind() == k; }
}
