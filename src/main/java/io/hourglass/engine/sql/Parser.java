package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Profile;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table.OnCommit;
import io.hourglass.engine.sql.Lexer.T;
import io.hourglass.engine.sql.Lexer.Token;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Recursive-descent parser for Hourglass SQL (docs/SQL.md). Errors carry the 1-based character
 * position of the offending token (TT1001).
 *
 * <p>Every later stage walks expression trees recursively (binding, planning, evaluation,
 * naming), so the parser bounds them: parentheses, NOT and signs nest at most {@link
 * #MAX_NESTING} deep, and no tree is deeper than {@link #MAX_DEPTH}; past either a statement
 * fails with TT90035 instead of overflowing a thread's stack. Chains of AND or OR, which
 * generated SQL makes long ({@code id = 1 OR id = 2 OR ...}), are built as balanced trees, so
 * their depth grows with the logarithm of their length.
 */
final class Parser {
    /** How deep parentheses, NOT and unary signs may nest (the parser's own recursion). */
    static final int MAX_NESTING = 200;
    /** How deep an expression tree may be. */
    static final int MAX_DEPTH = 1000;
    /** How deep subqueries may nest (each is planned, bound and run recursively). */
    static final int MAX_SUBQUERY_DEPTH = 32;
    /** The longest name of a table, column, index or user (Oracle's 128). */
    static final int MAX_NAME = 128;

    private static final Set<String> AGGREGATES = Stream.concat(Stream.of("COUNT", "SUM", "MIN", "MAX", "AVG", "LISTAGG"),
            Moments.NAMES.stream()).collect(Collectors.toUnmodifiableSet());
    /** Ranking window functions: no arguments, OVER required. */
    private static final Set<String> RANKING = Set.of("ROW_NUMBER", "RANK", "DENSE_RANK");
    /** TimesTen's UCS4 variants: they count code points, as LENGTH, SUBSTR and INSTR do here. */
    private static final Map<String, String> UCS4 = Map.of("LENGTH4", "LENGTH", "SUBSTR4", "SUBSTR", "INSTR4", "INSTR");
    /** Window functions that read another row of the partition: LAG(x [, offset [, default]]), LEAD. */
    private static final Set<String> OFFSETS = Set.of("LAG", "LEAD");
    /** Window functions of one argument: FIRST_VALUE(x), LAST_VALUE(x), NTILE(n). */
    private static final Set<String> ONE_ARGUMENT = Set.of("FIRST_VALUE", "LAST_VALUE", "NTILE");
    private static final Set<String> RESERVED = Set.of("SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "BY",
            "AND", "OR", "NOT", "ON", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "OUTER", "NATURAL", "LIMIT", "OFFSET", "UNION", "INTERSECT", "MINUS", "EXCEPT",
            "AS", "SET", "VALUES", "INTO", "IS", "IN", "LIKE", "BETWEEN", "NULL", "WHEN", "THEN", "ELSE", "END", "CASE",
            "DISTINCT", "ASC", "DESC");

    private final List<Token> tokens;
    private int at;
    private int paramCount;
    /** USING and NATURAL joins read so far: numbers them in the written order ({@link Expr.Using#seq}). */
    private int usingJoins;

    /**
     * Where the outer join operators ({@code col(+)}) read so far and not yet taken by a query's
     * WHERE clause are: one left at the end of the statement stood somewhere else (TT3101).
     */
    private final List<Integer> outerJoinMarks = new ArrayList<>();
    private int nesting;
    /** The nesting at which the current (sub)query's expressions start: their depth is checked there. */
    private int depthBase;
    private int subqueries; // how deep the current subquery is nested

    /**
     * A WITH query in scope: its query's tokens (read anew at each reference, so every reference
     * is a derived table of its own), its column names (null: the query's), the WITH queries
     * it may name itself (those before it), and whether its own name is in scope in its query
     * ({@code recursive}: WITH RECURSIVE, or Oracle's WITH with a column list). While its query
     * is read, its own name stands for a {@code Cte} whose {@code self} counts the references.
     */
    private record Cte(Piece body, List<String> columns, Map<String, Cte> visible, boolean recursive, int[] self, Ast.Search search,
                       Ast.Cycle cycle) {}

    /** The WITH queries in scope, by name: an unqualified FROM name finds these before tables. */
    private Map<String, Cte> ctes = Map.of();

    private final String sql;

    private Parser(String sql) {
        this.sql = sql;
        this.tokens = Lexer.lex(sql);
    }

    /** Parses one statement (a trailing semicolon is allowed) and counts its parameters. */
    static Parsed parse(String sql) {
        Parser p = new Parser(sql);
        Ast.Stmt s = p.statement();
        p.accept(";");
        if (p.peek().type() != T.EOF) throw p.error("unexpected '" + p.peek().text() + "' after the end of the statement");
        p.noStrayOuterJoinMark();
        return new Parsed(s, p.paramCount);
    }

    record Parsed(Ast.Stmt stmt, int paramCount) {}

    /** Parses a lone expression, such as a DEFAULT clause kept in the catalog. */
    static Expr parseExpression(String sql) {
        Parser p = new Parser(sql);
        Expr e = p.expr();
        if (p.peek().type() != T.EOF) throw p.error("unexpected '" + p.peek().text() + "' after the expression");
        p.noStrayOuterJoinMark();
        return e;
    }

    // ---- token helpers ------------------------------------------------------------------------

    /** The token at hand; past the end, the EOF token (a reader that went past it must still fail cleanly). */
    private Token peek() { return tokens.get(Math.min(at, tokens.size() - 1)); }

    private Token peek(int ahead) { return tokens.get(Math.min(at + ahead, tokens.size() - 1)); }

    private Token next() {
        Token t = peek();
        at++;
        return t;
    }

    private boolean accept(String kw) {
        if (peek().is(kw)) {
            at++;
            return true;
        }
        return false;
    }

    private Token expect(String kw) {
        if (!peek().is(kw)) throw error("expected " + kw + " but found " + describe(peek()));
        return next();
    }

    private void noStrayOuterJoinMark() {
        if (!outerJoinMarks.isEmpty()) {
            throw ErrorCode.OUTER_JOIN_MISPLACED.error("at position " + (outerJoinMarks.getFirst() + 1)
                    + "; it marks a column in a query's WHERE clause only");
        }
    }

    private HourglassException error(String msg) {
        Token t = peek();
        return ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, t.type() == T.OTHER ? "unexpected character '" + t.text() + "'" : msg);
    }

    private static String describe(Token t) { return t.type() == T.EOF ? "the end of the statement" : "'" + t.text() + "'"; }

    private String identifier() {
        Token t = peek();
        if (t.type() == T.QUOTED || (t.type() == T.IDENT && !RESERVED.contains(t.text()))) {
            if (t.text().length() > MAX_NAME) throw error("a name is at most " + MAX_NAME + " characters");
            at++;
            return t.text();
        }
        throw error("expected a name but found " + describe(t));
    }

    private Ast.Name name() {
        int pos = peek().pos();
        String first = identifier();
        if (accept(".")) return new Ast.Name(first, identifier(), pos);
        return new Ast.Name(null, first, pos);
    }

    private long integer() {
        Token t = next();
        if (t.type() != T.NUMBER) { at--; throw error("expected a number but found " + describe(t)); }
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            at--;
            throw error("expected an integer but found " + t.text());
        }
    }

    // ---- statements ---------------------------------------------------------------------------

    private Ast.Stmt statement() {
        Token t = peek();
        if (t.is("(") && queryAhead(1)) return forUpdate(query());
        if (t.type() != T.IDENT) throw error("expected a statement but found " + describe(t));
        return switch (t.text()) {
            case "SELECT", "WITH" -> forUpdate(query());
            case "INSERT" -> returning(insert());
            case "UPDATE" -> returning(update());
            case "DELETE" -> returning(delete());
            case "CREATE" -> create();
            case "DROP" -> drop();
            case "ALTER" -> alter();
            case "TRUNCATE" -> { next(); expect("TABLE"); yield new Ast.TruncateTable(name()); }
            case "MERGE" -> merge();
            case "RENAME" -> { next(); Ast.Name from = name(); expect("TO"); yield new Ast.RenameTable(from, name()); }
            case "COMMENT" -> comment();
            case "COMMIT" -> { next(); accept("WORK"); yield new Ast.Commit(); }
            case "ROLLBACK" -> { next(); accept("WORK"); yield new Ast.Rollback(); }
            case "CALL" -> call();
            case "GRANT", "REVOKE" -> grantRevoke();
            case "EXPLAIN" -> { next(); accept("PLAN"); accept("FOR"); yield new Ast.Explain(statement()); }
            case "LOAD", "REFRESH", "UNLOAD", "FLUSH" -> cacheGroupData();
            default -> throw error("unknown statement " + t.text());
        };
    }

    /** {@code COMMENT ON TABLE [owner.]t IS 'text'} or {@code COMMENT ON COLUMN [owner.]t.c IS 'text'}. */
    private Ast.Stmt comment() {
        next();
        expect("ON");
        boolean column = accept("COLUMN");
        if (!column && !accept("TABLE")) throw error("expected TABLE or COLUMN after COMMENT ON but found " + describe(peek()));
        int pos = peek().pos();
        List<String> parts = new ArrayList<>(List.of(identifier()));
        while (parts.size() < (column ? 3 : 2) && accept(".")) parts.add(identifier());
        if (column && parts.size() < 2) throw error("COMMENT ON COLUMN names the column as table.column");
        String col = column ? parts.removeLast() : null;
        Ast.Name on = parts.size() == 2 ? new Ast.Name(parts.get(0), parts.get(1), pos) : new Ast.Name(null, parts.get(0), pos);
        expect("IS");
        return new Ast.CommentOn(on, col, quotedText("the comment"));
    }

    /** {@code query}, or {@code query FOR UPDATE [OF [table.]column, ...] [NOWAIT | WAIT seconds | SKIP LOCKED]} if that follows. */
    private Ast.Stmt forUpdate(Ast.Select query) {
        if (!peek().is("FOR")) return query;
        next();
        expect("UPDATE");
        List<Ast.Name> of = new ArrayList<>();
        if (accept("OF")) {
            do of.add(name()); while (accept(","));
        }
        Long wait = null;
        if (accept("NOWAIT")) {
            wait = 0L;
        } else if (accept("WAIT")) {
            long seconds = integer();
            if (seconds > Integer.MAX_VALUE / 1000) throw error("WAIT takes at most " + Integer.MAX_VALUE / 1000 + " seconds");
            wait = seconds * 1000;
        }
        boolean skipLocked = wait == null && accept("SKIP");
        if (skipLocked) expect("LOCKED");
        return new Ast.SelectForUpdate(query, List.copyOf(of), wait, skipLocked);
    }

    /** Whether a name for the source just read comes next (not FOR UPDATE). */
    private boolean aliasAhead() {
        return peek().type() == T.QUOTED || peek().type() == T.IDENT && !RESERVED.contains(peek().text())
                && !(peek().is("FOR") && peek(1).is("UPDATE")) && !(peek().is("START") && peek(1).is("WITH"))
                && !(peek().is("CONNECT") && peek(1).is("BY")) && !(peek().is("FETCH") && (peek(1).is("FIRST") || peek(1).is("NEXT")))
                && !peek().is("RETURNING") // (INSERT ... SELECT ... FROM s RETURNING: refused as such, not read as s's name)
                && !(peek().is("USING") && peek(1).is("(")); // (a JOIN b USING (x): b's join columns, not its name)
    }

    /** Whether a query starts {@code ahead} tokens on: SELECT, or parentheses around one. */
    private boolean queryAhead(int ahead) {
        int i = ahead;
        while (peek(i).is("(")) i++;
        return peek(i).is("SELECT") || peek(i).is("WITH");
    }

    /**
     * A query: {@code term {UNION [ALL] | INTERSECT | MINUS | EXCEPT term} [ORDER BY ...]
     * [LIMIT ... | OFFSET ... FETCH ...]}, each term a SELECT without ORDER BY and limits or a
     * parenthesised query. The set operators have equal precedence and apply left to right, as
     * in Oracle; the ORDER BY and limits after the last term apply to the whole.
     */
    private Ast.Select query() {
        if (peek().is("WITH")) return withQuery();
        List<Ast.Select> terms = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        boolean bare = !peek().is("(");
        terms.add(queryTerm());
        while (peek().is("UNION") || peek().is("INTERSECT") || peek().is("MINUS") || peek().is("EXCEPT")) {
            String op = next().text();
            if (op.equals("UNION") && accept("ALL")) op = "UNION ALL";
            if (op.equals("EXCEPT")) op = "MINUS";
            ops.add(op);
            terms.add(queryTerm());
        }
        Tail tail = tail();
        if (tail.siblings()) {
            if (terms.size() != 1 || !bare || terms.get(0).hierarchy() == null) {
                throw ErrorCode.SEMANTIC_ERROR.error("ORDER SIBLINGS BY orders a hierarchical query's rows (CONNECT BY) only");
            }
            return terms.get(0).withSiblings(tail.orderBy()).withTail(List.of(), tail.limit(), tail.offset());
        }
        if (terms.size() == 1 && (bare || tail.none())) {
            Ast.Select only = terms.get(0);
            return bare ? only.withTail(tail.orderBy(), tail.limit(), tail.offset()) : only;
        }
        return Ast.Select.compound(terms, ops, tail.orderBy(), tail.limit(), tail.offset());
    }

    /**
     * {@code WITH [RECURSIVE] name [(columns)] AS (query), ... query}: each name stands, in the
     * queries after it and in the main query (and their subqueries), for its query as a derived
     * table, as Oracle's subquery factoring does. With RECURSIVE, or with a column list (Oracle's
     * recursive subquery factoring), a name is in scope in its own query too: one that reads
     * itself is recursive ({@link #recursion}).
     */
    private Ast.Select withQuery() {
        expect("WITH");
        boolean recursive = accept("RECURSIVE");
        Map<String, Cte> outer = ctes;
        Set<String> named = new java.util.HashSet<>();
        try {
            do {
                String name = identifier();
                if (!named.add(name)) throw error("WITH names " + name + " twice");
                List<String> columns = peek().is("(") ? columnList() : null;
                expect("AS");
                expect("(");
                Cte c = new Cte(null, columns, ctes, recursive || columns != null, null, null, null);
                // read once here: its errors show at its definition
                Ast.FromItem[] defined = new Ast.FromItem[1];
                Piece body = piece(() -> defined[0] = cteSource(c, name, name, this::nestedQuery));
                expect(")");
                boolean readsItself = defined[0].recursion() != null;
                Ast.Search search = peek().is("SEARCH") ? searchClause(name, readsItself) : null;
                Ast.Cycle cycle = peek().is("CYCLE") ? cycleClause(name, readsItself) : null;
                if (search != null && cycle != null && search.column().equals(cycle.mark())) {
                    throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + name + " names " + cycle.mark() + " for both SEARCH and CYCLE");
                }
                Map<String, Cte> next = new java.util.HashMap<>(ctes);
                next.put(name, new Cte(body, c.columns(), c.visible(), c.recursive(), null, search, cycle));
                ctes = Map.copyOf(next);
            } while (accept(","));
            return query();
        } finally {
            ctes = outer;
        }
    }

    /** {@code SEARCH {DEPTH | BREADTH} FIRST BY column [ASC | DESC] [NULLS FIRST | LAST], ... SET column} after WITH query {@code name}. */
    private Ast.Search searchClause(String name, boolean recursive) {
        expect("SEARCH");
        if (!recursive) throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + name + " has a SEARCH clause but does not read itself");
        boolean depth = accept("DEPTH");
        if (!depth) expect("BREADTH");
        expect("FIRST");
        expect("BY");
        List<Ast.OrderItem> by = new ArrayList<>();
        do {
            Token t = peek();
            Expr column = new Expr.ColumnRef(t.pos(), null, identifier());
            boolean desc = accept("DESC");
            if (!desc) accept("ASC");
            Boolean nullsFirst = null;
            if (accept("NULLS")) {
                nullsFirst = accept("FIRST");
                if (!nullsFirst) expect("LAST");
            }
            by.add(new Ast.OrderItem(column, desc, nullsFirst));
        } while (accept(","));
        expect("SET");
        return new Ast.Search(depth, List.copyOf(by), identifier());
    }

    /** Oracle's {@code CYCLE column, ... SET mark TO 'value' DEFAULT 'otherwise'} after WITH query {@code name}, recursive or not. */
    private Ast.Cycle cycleClause(String name, boolean recursive) {
        expect("CYCLE");
        if (!recursive) throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + name + " has a CYCLE clause but does not read itself");
        List<String> columns = new ArrayList<>();
        do columns.add(identifier()); while (accept(","));
        expect("SET");
        String mark = identifier();
        expect("TO");
        String value = quotedText("the cycle mark's value");
        expect("DEFAULT");
        String otherwise = quotedText("the cycle mark's default");
        if (value.equals(otherwise)) {
            throw ErrorCode.SEMANTIC_ERROR.error("CYCLE's mark of WITH query " + name + " has the same value for a cycle and for none ('"
                    + value + "')");
        }
        return new Ast.Cycle(List.copyOf(columns), mark, value, otherwise);
    }

    /** A quoted text, {@code what} for the error if it is not one. */
    private String quotedText(String what) {
        Token t = next();
        if (t.type() != T.STRING) {
            at--;
            throw error("expected " + what + " as a quoted text but found " + describe(t));
        }
        return t.text();
    }

    /**
     * WITH query {@code c}, named {@code name}, as a source called {@code alias}: its query read
     * with {@code read} (at its definition, or anew from its tokens: same parameters, same scope
     * as at its definition, its own name included if it may be recursive).
     */
    private Ast.FromItem cteSource(Cte c, String name, String alias, java.util.function.Supplier<Ast.Select> read) {
        Map<String, Cte> savedCtes = ctes;
        int[] self = {0};
        if (c.recursive()) {
            Map<String, Cte> scope = new java.util.HashMap<>(c.visible());
            scope.put(name, new Cte(null, c.columns(), null, false, self, null, null));
            ctes = Map.copyOf(scope);
        } else {
            ctes = c.visible();
        }
        try {
            Ast.Select q = read.get();
            if (self[0] > 0) {
                Ast.Recursion r = recursion(q, name, c.columns(), self[0], c.search(), c.cycle());
                return Ast.FromItem.recursive(initialQuery(q), r, alias);
            }
            return Ast.FromItem.derived(c.columns() == null ? q : renamed(q, c.columns(), name), alias);
        } finally {
            ctes = savedCtes;
        }
    }

    /**
     * What makes WITH query {@code name}, whose query {@code q} reads it {@code refs} times, recursive,
     * with the rules of SQL's WITH RECURSIVE (and Oracle's): {@code q} is an initial query (one or
     * more, with set operations), UNION ALL or UNION, then a query that reads {@code name} once,
     * as a source of its FROM: not in a subquery or a query in FROM, not twice.
     */
    private static Ast.Recursion recursion(Ast.Select q, String name, List<String> columns, int refs, Ast.Search search, Ast.Cycle cycle) {
        if (!q.isCompound()) {
            throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + name + " reads itself, so its query must be an initial query, UNION ALL,"
                    + " then a query that reads " + name);
        }
        int last = q.terms().size() - 1;
        String op = q.setOps().get(last - 1);
        if (!op.equals("UNION ALL") && !op.equals("UNION")) {
            throw ErrorCode.SEMANTIC_ERROR.error("recursive WITH query " + name + " joins its recursive query to its initial query with "
                    + op + "; only UNION ALL or UNION can");
        }
        if (!q.orderBy().isEmpty() || q.limit() != null || q.offset() != null) {
            throw ErrorCode.SEMANTIC_ERROR.error("recursive WITH query " + name + " has ORDER BY, OFFSET or FETCH after its queries"
                    + " (sort or limit the query that reads it)");
        }
        for (int i = 0; i < last; i++) {
            if (selfReferences(q.terms().get(i)) > 0) {
                throw ErrorCode.SEMANTIC_ERROR.error("recursive WITH query " + name + " is read by a query before its last UNION ALL;"
                        + " only the query after it may read it");
            }
        }
        Ast.Select step = q.terms().get(last);
        if (step.isCompound()) {
            throw ErrorCode.SEMANTIC_ERROR.error("the recursive query of WITH query " + name + " is a set operation in parentheses;"
                    + " write its queries without them");
        }
        int read = selfReferences(step);
        if (read != refs) {
            throw ErrorCode.SEMANTIC_ERROR.error("recursive WITH query " + name + " is read in a subquery, a query in FROM or a join"
                    + " read as one source (before a RIGHT or FULL JOIN); its recursive query reads it as a source of its own FROM only");
        }
        if (read > 1) {
            throw ErrorCode.SEMANTIC_ERROR.error("the recursive query of WITH query " + name + " reads it " + read + " times; it may once");
        }
        return new Ast.Recursion(name, columns, step, op.equals("UNION"), search, cycle);
    }

    /** The initial query of recursive WITH query {@code q}: its queries before the last UNION [ALL], with the set operations between them. */
    private static Ast.Select initialQuery(Ast.Select q) {
        int last = q.terms().size() - 1;
        if (last == 1) return q.terms().getFirst();
        return Ast.Select.compound(q.terms().subList(0, last), q.setOps().subList(0, last - 1), List.of(), null, null);
    }

    /** How many sources of {@code q}'s own FROM are a recursive WITH query's reference to itself. */
    private static int selfReferences(Ast.Select q) {
        if (q.isCompound()) return q.terms().stream().mapToInt(Parser::selfReferences).sum();
        return (int) q.from().stream().filter(Ast.FromItem::working).count();
    }

    /** {@code q} with its select items named {@code columns} (WITH name (columns) AS ...). */
    private Ast.Select renamed(Ast.Select q, List<String> columns, String name) {
        if (q.isCompound() || q.items().stream().anyMatch(Ast.SelectItem::star)) {
            throw ErrorCode.UNSUPPORTED.error("a column list for WITH query " + name + " over a set operation or *: name the columns"
                    + " in its query (AS) instead");
        }
        if (q.items().size() != columns.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("WITH query " + name + " names " + columns.size() + " columns but its query has "
                    + q.items().size());
        }
        List<Ast.SelectItem> items = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Ast.SelectItem it = q.items().get(i);
            items.add(new Ast.SelectItem(it.expr(), columns.get(i), it.starQualifier(), false, it.start(), it.end()));
        }
        return new Ast.Select(q.distinct(), q.first(), List.copyOf(items), q.from(), q.where(), q.groupBy(), q.groupingSets(), q.having(), q.orderBy(),
                q.limit(), q.offset(), q.starOrder(), q.terms(), q.setOps(), q.hierarchy());
    }

    private Ast.Select queryTerm() {
        if (accept("(")) {
            nesting++;
            try {
                if (nesting > MAX_NESTING) throw error("queries in parentheses nested more than " + MAX_NESTING + " deep");
                Ast.Select q = query();
                expect(")");
                return q;
            } finally {
                nesting--;
            }
        }
        return select();
    }

    /** {@code siblings}: the ORDER BY was ORDER SIBLINGS BY. */
    private record Tail(List<Ast.OrderItem> orderBy, Expr limit, Expr offset, boolean siblings) {
        boolean none() { return orderBy.isEmpty() && limit == null && offset == null; }
    }

    /** The items of an ORDER BY, its keywords read: {@code expr [ASC|DESC] [NULLS FIRST|LAST]}, ... */
    private List<Ast.OrderItem> orderItems() {
        List<Ast.OrderItem> orderBy = new ArrayList<>();
        do {
            Expr e = expr();
            boolean desc = accept("DESC");
            if (!desc) accept("ASC");
            Boolean nullsFirst = null;
            if (accept("NULLS")) {
                if (accept("FIRST")) nullsFirst = true;
                else { expect("LAST"); nullsFirst = false; }
            }
            orderBy.add(new Ast.OrderItem(e, desc, nullsFirst));
        } while (accept(","));
        return orderBy;
    }

    /** {@code IGNORE NULLS} (true), {@code RESPECT NULLS} (false), or neither (null). */
    private Boolean nullTreatment() {
        if (peek().is("IGNORE") && peek(1).is("NULLS")) {
            at += 2;
            return true;
        }
        if (peek().is("RESPECT") && peek(1).is("NULLS")) {
            at += 2;
            return false;
        }
        return null;
    }

    private Expr over(Token t, String name, Expr.Aggregate agg, List<Expr> args) { return over(t, name, agg, args, false); }

    /** A window function's {@code OVER ([PARTITION BY exprs] [ORDER BY items [frame]])}, OVER next. */
    private Expr over(Token t, String name, Expr.Aggregate agg, List<Expr> args, boolean ignoreNulls) {
        expect("OVER");
        expect("(");
        List<Expr> partition = new ArrayList<>();
        if (accept("PARTITION")) {
            expect("BY");
            do partition.add(expr()); while (accept(","));
        }
        List<Ast.OrderItem> items = List.of();
        if (accept("ORDER")) {
            expect("BY");
            items = orderItems();
        }
        Expr.Frame frame = null;
        if (peek().is("ROWS") || peek().is("RANGE")) {
            int at = peek().pos();
            frame = frame();
            // as Oracle's: a frame orders rows, and only the aggregates and FIRST_VALUE/LAST_VALUE read one
            if (items.isEmpty()) throw ErrorCode.SEMANTIC_ERROR.error("a window frame (ROWS or RANGE) needs ORDER BY in its OVER (...) (position " + (at + 1) + ")");
            if (agg == null && !name.equals("FIRST_VALUE") && !name.equals("LAST_VALUE")) {
                throw ErrorCode.SEMANTIC_ERROR.error(name + " takes no window frame (position " + (at + 1) + ")");
            }
        }
        expect(")");
        if (OFFSETS.contains(name) && items.isEmpty()) throw error(name + " needs ORDER BY in its OVER (...)");
        return new Expr.Window(t.pos(), name, agg, args, partition, items.stream().map(Ast.OrderItem::expr).toList(),
                items.stream().map(Ast.OrderItem::descending).toList(), items.stream().map(Ast.OrderItem::nullsFirst).toList(), frame,
                ignoreNulls);
    }

    /**
     * {@code ROWS | RANGE} then {@code BETWEEN start AND end}, or a start alone (the end is then
     * CURRENT ROW): a start may not be UNBOUNDED FOLLOWING nor an end UNBOUNDED PRECEDING, and a
     * frame may not end before it starts by its kinds (CURRENT ROW then n PRECEDING; n FOLLOWING
     * then CURRENT ROW or n PRECEDING). Offsets of the same kind may still make an empty frame.
     */
    private Expr.Frame frame() {
        boolean rows = next().is("ROWS");
        int at = peek().pos();
        Expr.Bound start, end;
        if (accept("BETWEEN")) {
            start = frameBound();
            expect("AND");
            end = frameBound();
        } else {
            start = frameBound();
            end = new Expr.Bound(Expr.BoundKind.CURRENT_ROW, null);
        }
        if (start.kind() == Expr.BoundKind.UNBOUNDED_FOLLOWING) throw ErrorCode.SYNTAX_ERROR.error(at + 1, "a window frame cannot start at UNBOUNDED FOLLOWING");
        if (end.kind() == Expr.BoundKind.UNBOUNDED_PRECEDING) throw ErrorCode.SYNTAX_ERROR.error(at + 1, "a window frame cannot end at UNBOUNDED PRECEDING");
        if (end.kind().ordinal() < start.kind().ordinal()) { // (the kinds are declared in frame order)
            throw ErrorCode.SEMANTIC_ERROR.error("a window frame from " + start.text() + " cannot end at " + end.text() + " (position " + (at + 1) + ")");
        }
        return new Expr.Frame(rows, start, end);
    }

    /** {@code UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | expr PRECEDING | expr FOLLOWING}. */
    private Expr.Bound frameBound() {
        if (accept("UNBOUNDED")) {
            if (accept("PRECEDING")) return new Expr.Bound(Expr.BoundKind.UNBOUNDED_PRECEDING, null);
            expect("FOLLOWING");
            return new Expr.Bound(Expr.BoundKind.UNBOUNDED_FOLLOWING, null);
        }
        if (accept("CURRENT")) {
            expect("ROW");
            return new Expr.Bound(Expr.BoundKind.CURRENT_ROW, null);
        }
        Expr offset = additive();
        if (accept("PRECEDING")) return new Expr.Bound(Expr.BoundKind.PRECEDING, offset);
        expect("FOLLOWING");
        return new Expr.Bound(Expr.BoundKind.FOLLOWING, offset);
    }

    /** ORDER BY and the limits of a query. */
    private Tail tail() {
        List<Ast.OrderItem> orderBy = new ArrayList<>();
        boolean siblings = false;
        if (accept("ORDER")) {
            siblings = accept("SIBLINGS");
            expect("BY");
            orderBy = orderItems();
        }
        Expr limit = null, offset = null;
        if (accept("LIMIT")) {
            limit = primary();
            if (accept("OFFSET")) offset = primary();
        } else {
            // Oracle's [OFFSET n ROWS] [FETCH {FIRST|NEXT} n ROWS ONLY], either or both
            if (accept("OFFSET")) {
                offset = primary();
                if (!accept("ROWS")) accept("ROW");
            }
            if (accept("FETCH")) {
                if (!accept("FIRST")) expect("NEXT");
                limit = primary();
                if (!accept("ROWS")) accept("ROW");
                expect("ONLY");
            }
        }
        return new Tail(orderBy, limit, offset, siblings);
    }

    /** A SELECT up to its HAVING: {@link #query} reads the ORDER BY and limits. */
    private Ast.Select select() {
        expect("SELECT");
        Ast.FirstRows first = null;
        if (accept("FIRST")) {
            first = new Ast.FirstRows(null, primary());
        } else if (peek().is("ROWS") && (peek(1).type() == T.NUMBER || peek(1).type() == T.PARAM) && peek(2).is("TO")) {
            next();
            Expr from = primary();
            expect("TO");
            first = new Ast.FirstRows(from, primary());
        }
        boolean distinct = accept("DISTINCT");
        if (!distinct) accept("ALL");
        List<Ast.SelectItem> items = new ArrayList<>();
        do {
            int start = peek().pos();
            if (peek().is("*")) {
                next();
                items.add(new Ast.SelectItem(null, null, null, true, start, start + 1));
            } else if (peek().type() == T.IDENT && peek(1).is(".") && peek(2).is("*")) {
                String q = next().text();
                next();
                items.add(new Ast.SelectItem(null, null, q, true, start, next().pos() + 1));
            } else if (peek().type() == T.IDENT && peek(1).is(".") && peek(2).type() == T.IDENT && peek(3).is(".") && peek(4).is("*")) {
                String q = next().text() + "." + tokens.get(at + 1).text();
                at += 4;
                items.add(new Ast.SelectItem(null, null, q, true, start, tokens.get(at - 1).pos() + 1));
            } else {
                Expr e = expr();
                String alias = null;
                if (accept("AS")) {
                    alias = identifier();
                } else if (peek().type() == T.QUOTED || (peek().type() == T.IDENT && !RESERVED.contains(peek().text()))) {
                    alias = identifier();
                }
                items.add(new Ast.SelectItem(e, alias));
            }
        } while (accept(","));
        FromClause fc = accept("FROM") ? fromClause() : null;
        Expr filter = null;
        if (accept("WHERE")) {
            int marks = outerJoinMarks.size();
            filter = expr();
            if (outerJoinMarks.size() > marks) {
                if (fc != null && fc.joined) throw ErrorCode.OUTER_JOIN_WITH_JOINED_TABLE.error();
                outerJoinMarks.subList(marks, outerJoinMarks.size()).clear(); // this query's own: the planner makes them outer joins
            }
        }
        Ast.Hierarchy hierarchy = hierarchyClause();
        if (hierarchy != null && fc == null) {
            fc = new FromClause();
            fc.add(new Ast.FromItem(new Ast.Name(null, "DUAL", peek().pos()), null)); // (SELECT LEVEL ... CONNECT BY: of DUAL's row)
        }
        // Oracle joins first, then walks the joined rows, then filters them by WHERE: a join written
        // with JOIN ... ON is one source here; sources joined by commas, whose join conditions are
        // in WHERE, are told apart by the planner (Executor.joinedFirst)
        if (hierarchy != null && fc.from.size() > 1 && fc.oneGroup()) fc.nest();
        List<Ast.FromItem> from = fc == null ? new ArrayList<>() : fc.from;
        List<Integer> starOrder = fc == null ? null : fc.starOrder();
        Expr where = fc == null ? null : fc.where();
        where = Expr.and(where, filter);
        GroupByClause grouping = new GroupByClause();
        if (accept("GROUP")) {
            expect("BY");
            List<Long> sets = List.of(0L);
            do {
                List<Long> element = groupingElement(grouping), crossed = new ArrayList<>();
                if ((long) sets.size() * element.size() > MAX_GROUPING_SETS) {
                    throw ErrorCode.STATEMENT_TOO_COMPLEX.error("more than " + MAX_GROUPING_SETS + " grouping sets in one GROUP BY");
                }
                for (long s : sets) for (long e : element) crossed.add(s | e);
                sets = crossed;
            } while (accept(","));
            if (grouping.extended) grouping.sets = List.copyOf(sets);
        }
        Expr having = accept("HAVING") ? expr() : null;
        return new Ast.Select(distinct, first, items, from, where, List.copyOf(grouping.exprs), grouping.sets, having, List.of(), null, null,
                starOrder, null, null, hierarchy);
    }

    /** {@code [START WITH cond] CONNECT BY [NOCYCLE] cond [START WITH cond]}, either order; null if there is none. */
    private Ast.Hierarchy hierarchyClause() {
        Expr start = null;
        if (peek().is("START") && peek(1).is("WITH")) {
            at += 2;
            start = expr();
        }
        if (!(peek().is("CONNECT") && peek(1).is("BY"))) {
            if (start != null) throw error("expected CONNECT BY after START WITH");
            return null;
        }
        at += 2;
        boolean nocycle = accept("NOCYCLE");
        Expr connect = expr();
        if (start == null && peek().is("START") && peek(1).is("WITH")) {
            at += 2;
            start = expr();
        }
        return new Ast.Hierarchy(start, connect, nocycle, List.of());
    }

    /** The most grouping sets one GROUP BY makes (CUBE of 12 expressions). */
    static final int MAX_GROUPING_SETS = 4096;

    /**
     * A GROUP BY clause as read: its distinct expressions (by text), and whether it had ROLLUP,
     * CUBE, GROUPING SETS or {@code ()}, which make {@code sets} (masks of the expressions) count.
     */
    private static final class GroupByClause {
        final List<Expr> exprs = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        boolean extended;
        List<Long> sets;

        /** The bit of {@code e} among the expressions, added if new. */
        long bit(Expr e) {
            int i = texts.indexOf(e.text());
            if (i < 0) {
                i = exprs.size();
                if (i == 63) throw ErrorCode.STATEMENT_TOO_COMPLEX.error("more than 63 expressions in one GROUP BY");
                exprs.add(e);
                texts.add(e.text());
            }
            return 1L << i;
        }
    }

    /**
     * One element of GROUP BY (or of GROUPING SETS): its grouping sets. {@code ROLLUP(a, b)} is
     * (a, b), (a), (); {@code CUBE(a, b)} every subset, (a, b) first; {@code GROUPING SETS (x, y,
     * ...)} the sets of x, then of y, ...; an item alone one set.
     */
    private List<Long> groupingElement(GroupByClause g) {
        boolean rollup = peek().is("ROLLUP") && peek(1).is("("), cube = peek().is("CUBE") && peek(1).is("(");
        if (rollup || cube) {
            next();
            g.extended = true;
            List<Long> items = parenthesized(() -> groupingItem(g));
            List<Long> sets = new ArrayList<>();
            if (rollup) {
                for (int k = items.size(); k >= 0; k--) {
                    long m = 0;
                    for (int i = 0; i < k; i++) m |= items.get(i);
                    sets.add(m);
                }
            } else {
                if (items.size() > 12) throw ErrorCode.STATEMENT_TOO_COMPLEX.error("CUBE of more than 12 items");
                int n = items.size();
                for (int subset = (1 << n) - 1; subset >= 0; subset--) {
                    long m = 0;
                    for (int i = 0; i < n; i++) if ((subset & (1 << (n - 1 - i))) != 0) m |= items.get(i);
                    sets.add(m);
                }
            }
            return sets;
        }
        if (peek().is("GROUPING") && peek(1).is("SETS")) {
            next();
            next();
            g.extended = true;
            List<Long> sets = new ArrayList<>();
            for (List<Long> element : parenthesized(() -> groupingElement(g))) {
                sets.addAll(element);
                if (sets.size() > MAX_GROUPING_SETS) {
                    throw ErrorCode.STATEMENT_TOO_COMPLEX.error("more than " + MAX_GROUPING_SETS + " grouping sets in one GROUP BY");
                }
            }
            return sets;
        }
        return List.of(groupingItem(g));
    }

    /** An expression, a parenthesized list of them (one composite item), or {@code ()} (none): its mask. */
    private long groupingItem(GroupByClause g) {
        if (peek().is("(") && peek(1).is(")")) {
            next();
            next();
            g.extended = true;
            return 0;
        }
        if (rowAhead()) {
            long m = 0;
            for (Expr e : row()) m |= g.bit(e);
            return m;
        }
        return g.bit(expr());
    }

    /** A JOIN's ON condition, which may not use the outer join operator (TT3108). */
    private Expr joinCondition() {
        int marks = outerJoinMarks.size();
        Expr on = expr();
        if (outerJoinMarks.size() > marks) throw ErrorCode.OUTER_JOIN_WITH_JOINED_TABLE.error();
        return on;
    }

    /**
     * A FROM list as read: its sources, the inner joins' ON conditions (for WHERE), the order
     * {@code *} lists the sources in, and whether a join was written with JOIN (which forbids
     * {@code (+)}). The sources since the last comma are the current group: a join joins the
     * join of its group's sources before it (a comma binds looser than JOIN, as in Oracle).
     */
    private static final class FromClause {
        final List<Ast.FromItem> from = new ArrayList<>();
        /** The sources' indexes in the order {@code *} lists them (a RIGHT JOIN's right source after its left). */
        private final List<Integer> order = new ArrayList<>();
        private Expr on, groupOn;
        private int group;
        boolean joined;

        /**
         * Adds a source joined by a comma, CROSS JOIN or an inner JOIN (or the first). A join in
         * parentheses of inner and LEFT joins only is spliced in, its sources side by side with
         * the others and its inner joins' conditions with theirs: joined left to right, that is
         * the same join (an inner join is associative, and a LEFT JOIN's table depends on its own
         * ON's tables only), and the planner may then order it all (a nest is read as written).
         */
        void add(Ast.FromItem item) {
            if (item.nest()) joined = true; // (a parenthesised join)
            Ast.Select q = item.query();
            if (item.nest() && item.on() == null && !item.full() && q.starOrder() == null
                    && q.from().stream().noneMatch(Ast.FromItem::full)) {
                for (Ast.FromItem f : q.from()) append(f);
                if (q.where() != null) inner(q.where());
                return;
            }
            append(item);
        }

        private void append(Ast.FromItem item) {
            order.add(from.size());
            from.add(item);
        }

        /** {@code , item}: a new group. */
        void comma(Ast.FromItem item) {
            on = Expr.and(on, groupOn);
            groupOn = null;
            group = from.size();
            add(item);
        }

        /** An inner join's ON condition. */
        void inner(Expr condition) { groupOn = Expr.and(groupOn, condition); }

        /** Whether no comma was read. */
        boolean oneGroup() { return group == 0; }

        /** The names the current group's sources are read by (a join's left side, for USING). */
        List<String> groupNames() {
            List<String> out = new ArrayList<>();
            for (Ast.FromItem f : from.subList(group, from.size())) out.addAll(names(f));
            return out;
        }

        /** The names a source's columns are qualified by: its alias or table name; a join nest's, each of its sources'. */
        static List<String> names(Ast.FromItem f) {
            if (f.nest()) {
                List<String> out = new ArrayList<>();
                for (Ast.FromItem g : f.query().from()) out.addAll(names(g));
                return out;
            }
            if (f.alias() != null) return List.of(f.alias());
            return f.table() != null ? List.of(f.table().name()) : List.of(); // (a derived table without an alias has no name)
        }

        /** Whether the current group is one source. */
        boolean single() { return from.size() - group == 1; }

        /**
         * Makes the current group's sources one source, a join nest ({@link Ast.FromItem#nest}),
         * so that what is joined next joins their join: a FULL or RIGHT JOIN after other joins,
         * any join after a FULL JOIN, or a FULL JOIN after a comma.
         */
        void nest() {
            List<Ast.FromItem> items = from.subList(group, from.size());
            List<Integer> tail = order.subList(order.size() - items.size(), order.size());
            List<Integer> inner = tail.stream().map(i -> i - group).toList();
            Ast.Select q = new Ast.Select(false, null, List.of(new Ast.SelectItem(null, null, null, true, -1, -1)), List.copyOf(items),
                    groupOn, List.of(), null, null, List.of(), null, null, identity(inner) ? null : inner, null, null);
            items.clear();
            tail.clear();
            groupOn = null;
            append(Ast.FromItem.nest(q));
        }

        /** {@code RIGHT JOIN item ON condition} to the group's one source: item LEFT JOIN that source, * still listing it first. */
        void right(Ast.FromItem item, Expr condition) {
            Ast.FromItem left = from.remove(group);
            from.add(item);
            from.add(left.withOn(condition));
            order.set(order.size() - 1, group + 1);
            order.add(group);
        }

        /** The order {@code *} lists the sources in; null if the written one. */
        List<Integer> starOrder() { return identity(order) ? null : List.copyOf(order); }

        Expr where() { return Expr.and(on, groupOn); }

        private static boolean identity(List<Integer> order) {
            for (int i = 0; i < order.size(); i++) if (order.get(i) != i) return false;
            return true;
        }
    }

    /**
     * {@code source {, source | [INNER] JOIN source ON cond | CROSS JOIN source | {LEFT | RIGHT |
     * FULL} [OUTER] JOIN source ON cond}...}: each join joins the join of the sources before it
     * since the last comma, as in Oracle: {@code a JOIN b ON x FULL JOIN c ON y} joins c to the
     * join of a and b, {@code a, b FULL JOIN c ON y} a to the FULL JOIN of b and c.
     */
    private FromClause fromClause() {
        FromClause fc = new FromClause();
        fc.add(fromItem());
        while (true) {
            boolean join = peek().is(",") || peek().is("CROSS") || peek().is("JOIN") || peek().is("INNER") || peek().is("LEFT")
                    || peek().is("RIGHT") || peek().is("FULL");
            if (join && fc.from.getLast().full()) fc.nest();
            if (accept(",")) {
                fc.comma(fromItem());
            } else if (peek().is("CROSS")) {
                fc.joined = true;
                next();
                expect("JOIN");
                fc.add(fromItem());
            } else if (peek().is("JOIN") || peek().is("INNER") || peek().is("LEFT") || peek().is("RIGHT") || peek().is("FULL")
                    || peek().is("NATURAL")) {
                fc.joined = true;
                Token natural = accept("NATURAL") ? tokens.get(at - 1) : null;
                Token side = peek().is("LEFT") || peek().is("RIGHT") || peek().is("FULL") ? next() : null;
                if (side != null) accept("OUTER");
                else accept("INNER");
                expect("JOIN");
                if (side != null && !side.is("LEFT") && !fc.single()) fc.nest();
                List<String> left = fc.groupNames(); // (the join's left side: its group's sources so far)
                Ast.FromItem item = fromItem();
                Expr on;
                if (natural != null || peek().is("USING")) {
                    Token word = natural != null ? natural : next();
                    List<String> columns = natural != null ? null : parenthesized(this::identifier);
                    if (side != null && side.is("FULL")) {
                        throw ErrorCode.UNSUPPORTED.error("FULL JOIN with USING or NATURAL (write FULL JOIN ... ON, and COALESCE(a.col, b.col)"
                                + " for the column both sides have)");
                    }
                    Expr.Using.Kind kind = side == null ? Expr.Using.Kind.INNER : side.is("LEFT") ? Expr.Using.Kind.LEFT : Expr.Using.Kind.RIGHT;
                    on = new Expr.Using(word.pos(), columns, left, FromClause.names(item), kind, usingJoins++);
                } else {
                    expect("ON");
                    on = joinCondition();
                }
                if (side == null) {
                    fc.add(item);
                    fc.inner(on);
                } else if (side.is("LEFT")) {
                    fc.add(item.withOn(on));
                } else if (side.is("RIGHT")) {
                    fc.right(item, on);
                } else {
                    fc.add(item.withFullOn(on));
                    // (the executor joins a FULL JOIN's two sources as a query's only ones)
                    if (fc.from.size() > 2) fc.nest();
                }
            } else {
                return fc;
            }
        }
    }

    private Ast.FromItem fromItem() {
        if (peek().is("(") && joinInParentheses(0)) {
            // a parenthesised join: (a JOIN b ON ...), one source whose tables keep their names
            next();
            FromClause fc = nestedFrom();
            expect(")");
            if (fc.from.size() == 1 && fc.from.getFirst().nest()) return fc.from.getFirst(); // ((a JOIN b ON ...))
            if (fc.from.size() == 1) throw error("expected a join in the parentheses (a table in parentheses is not a source)");
            if (!fc.oneGroup()) throw error("a comma in a join in parentheses (join its sources with JOIN or CROSS JOIN)");
            fc.nest();
            return fc.from.getFirst();
        }
        if (peek().is("(")) {
            next();
            Ast.Select q = nestedQuery();
            expect(")");
            String alias = null;
            if (accept("AS")) alias = identifier();
            else if (aliasAhead()) alias = identifier();
            return Ast.FromItem.derived(q, alias);
        }
        Ast.Name n = name();
        String alias = null;
        if (accept("AS")) alias = identifier();
        else if (aliasAhead()) alias = identifier();
        Cte c = n.owner() == null ? ctes.get(n.name()) : null;
        if (c != null && c.self() != null) {
            c.self()[0]++;
            return Ast.FromItem.working(n, alias != null ? alias : n.name());
        }
        if (c != null) return cteSource(c, n.name(), alias != null ? alias : n.name(), () -> again(c.body(), this::nestedQuery));
        return new Ast.FromItem(n, alias);
    }

    private Ast.Stmt insert() {
        expect("INSERT");
        expect("INTO");
        Ast.Name table = name();
        List<String> cols = null;
        if (peek().is("(") && !queryAhead(1)) {
            next();
            cols = new ArrayList<>();
            do cols.add(identifier()); while (accept(","));
            expect(")");
        }
        if (peek().is("SELECT") || peek().is("WITH") || (peek().is("(") && queryAhead(1))) return new Ast.Insert(table, cols, null, query());
        expect("VALUES");
        List<List<Expr>> rows = new ArrayList<>();
        do {
            expect("(");
            List<Expr> row = new ArrayList<>();
            do row.add(valueOrDefault()); while (accept(","));
            expect(")");
            rows.add(row);
        } while (accept(","));
        return new Ast.Insert(table, cols, rows, null);
    }

    /** DEFAULT inside VALUES: a literal marker the executor replaces with the column default. */
    static final Object DEFAULT = new Object() {
        @Override
        public String toString() { return "DEFAULT"; }
    };

    /** A value of SET or VALUES: an expression, or DEFAULT (the column's default). */
    private Expr valueOrDefault() { return peek().is("DEFAULT") ? defaultMarker() : expr(); }

    private Expr defaultMarker() {
        int pos = next().pos();
        return new Expr.Literal(pos, DEFAULT, SqlType.VARCHAR_ANY);
    }

    private Ast.Stmt update() {
        expect("UPDATE");
        Ast.Name table = name();
        String alias = null;
        if (!peek().is("SET")) alias = identifier();
        expect("SET");
        List<String> cols = new ArrayList<>();
        List<Expr> vals = new ArrayList<>();
        do {
            if (peek().is("(")) {
                // (a, b) = (SELECT x, y ...): the columns from the subquery's one row (NULLs for none)
                List<String> targets = parenthesized(this::setColumn);
                Token eq = expect("=");
                if (!subqueryAhead()) throw error("a list of columns is set from a subquery: (a, b) = (SELECT x, y ...)");
                next();
                Expr.Subquery q = subquery(eq.pos(), Expr.Subquery.Kind.SCALAR, null, null, false);
                q.rowWidth = targets.size();
                for (int j = 0; j < targets.size(); j++) {
                    cols.add(targets.get(j));
                    vals.add(j == 0 ? q : new Expr.RowPart(q, j));
                }
                continue;
            }
            cols.add(setColumn());
            expect("=");
            vals.add(valueOrDefault());
        } while (accept(","));
        Expr where = accept("WHERE") ? expr() : null;
        return new Ast.Update(table, alias, cols, vals, where);
    }

    /** A column UPDATE sets: {@code col} or {@code alias.col}. */
    private String setColumn() {
        String c = identifier();
        return accept(".") ? identifier() : c;
    }

    /**
     * A stretch of tokens read again for each place it goes to (a WITH query, a MERGE clause):
     * every reading gives nodes of its own (the binder writes into them) and numbers the same
     * parameters.
     */
    private record Piece(int start, int end, int params, int paramsEnd) {}

    /** Reads with {@code read} once, and returns where that was. */
    private Piece piece(Runnable read) {
        int start = at, params = paramCount;
        read.run();
        return new Piece(start, at, params, paramCount);
    }

    /** Reads {@code p} anew with {@code read}: fresh nodes, its parameters their first numbers. */
    private <T> T again(Piece p, java.util.function.Supplier<T> read) {
        int savedAt = at, savedParams = paramCount;
        at = p.start();
        paramCount = p.params();
        try {
            T out = read.get();
            if (at != p.end() || paramCount != p.paramsEnd()) throw ErrorCode.INTERNAL.error("a clause read differently the second time");
            return out;
        } finally {
            at = savedAt;
            paramCount = savedParams;
        }
    }

    /**
     * {@code MERGE INTO t [alias] USING {s | (query)} [alias] ON (cond) [WHEN MATCHED THEN UPDATE
     * SET c = e, ... [WHERE w] [DELETE WHERE d]] [WHEN NOT MATCHED THEN INSERT [(cols)] VALUES (v,
     * ...) [WHERE w]]}, Oracle's, made here into an UPDATE, a DELETE and an INSERT (see {@link Ast.Merge}). Every column
     * reference in its conditions and values names its table (TT90015 otherwise): a name both
     * tables have would be read from the source inside the subqueries the statement becomes.
     */
    private Ast.Stmt merge() {
        int pos = expect("MERGE").pos();
        expect("INTO");
        Ast.Name target = name();
        String targetAlias = !peek().is("USING") ? identifier() : null;
        String t = targetAlias != null ? targetAlias : target.name();
        expect("USING");
        Piece source = piece(this::fromItem);
        Ast.FromItem src = again(source, this::fromItem);
        String s = src.alias() != null ? src.alias() : src.table() != null ? src.table().name() : null;
        if (s == null) throw error("the query after USING needs an alias");
        if (s.equals(t)) throw error("MERGE's target and source need names of their own (give one an alias)");
        expect("ON");
        expect("(");
        Piece on = piece(this::expr);
        expect(")");
        List<String> setColumns = new ArrayList<>();
        List<Piece> setValues = new ArrayList<>();
        Piece updateWhere = null, insertWhere = null, deleteWhere = null;
        List<String> insertColumns = null;
        List<Piece> insertValues = null;
        while (accept("WHEN")) {
            if (accept("MATCHED")) {
                if (!setColumns.isEmpty()) throw error("WHEN MATCHED twice");
                expect("THEN");
                expect("UPDATE");
                expect("SET");
                do {
                    String c = identifier();
                    if (accept(".")) {
                        if (!c.equals(t)) throw error("SET names the target's columns (" + t + "), not " + c);
                        c = identifier();
                    }
                    setColumns.add(c);
                    expect("=");
                    setValues.add(piece(this::valueOrDefault));
                } while (accept(","));
                if (accept("WHERE")) updateWhere = piece(this::expr);
                if (accept("DELETE")) {
                    expect("WHERE");
                    deleteWhere = piece(this::expr);
                }
            } else {
                expect("NOT");
                expect("MATCHED");
                if (insertValues != null) throw error("WHEN NOT MATCHED twice");
                expect("THEN");
                expect("INSERT");
                if (peek().is("(")) insertColumns = columnList();
                expect("VALUES");
                expect("(");
                insertValues = new ArrayList<>();
                do {
                    insertValues.add(piece(this::valueOrDefault));
                } while (accept(","));
                expect(")");
                if (accept("WHERE")) insertWhere = piece(this::expr);
            }
        }
        if (setColumns.isEmpty() && insertValues == null) throw error("expected WHEN MATCHED or WHEN NOT MATCHED");
        // Every column named by its table; ON's target columns may not be updated (Oracle's ORA-38104).
        List<Piece> valuePieces = new ArrayList<>(setValues), conditions = new ArrayList<>(List.of(on));
        if (insertValues != null) valuePieces.addAll(insertValues);
        if (updateWhere != null) conditions.add(updateWhere);
        if (insertWhere != null) conditions.add(insertWhere);
        if (deleteWhere != null) conditions.add(deleteWhere);
        List<Expr> read = new ArrayList<>();
        for (Piece p : valuePieces) read.add(again(p, this::valueOrDefault)); // (each piece read as it was first: DEFAULT is a value only in SET and VALUES)
        for (Piece p : conditions) read.add(again(p, this::expr));
        for (Expr e : read) {
            Executor.walk(e, x -> {
                if (x instanceof Expr.ColumnRef c && c.qualifier == null) {
                    throw ErrorCode.SEMANTIC_ERROR.error("MERGE needs every column named by its table or alias (" + t + "." + c.column
                            + " or " + s + "." + c.column + "), at position " + (c.pos + 1));
                }
                if (x instanceof Expr.Subquery) throw ErrorCode.UNSUPPORTED.error("a subquery in MERGE's ON, SET, VALUES or WHERE");
            });
        }
        Executor.walk(again(on, this::expr), x -> {
            if (x instanceof Expr.ColumnRef c && c.qualifier.equals(t) && setColumns.contains(c.column)) {
                throw ErrorCode.MERGE_ON_COLUMN_UPDATED.error(t + "." + c.column);
            }
        });
        // The insert is of a source row that matched no target row: no target row to read (TimesTen's TT2951, TT2955).
        if (insertValues != null) for (Piece v : insertValues) refuseTarget(again(v, this::valueOrDefault), t, ErrorCode.MERGE_TARGET_IN_INSERT_VALUES);
        if (insertWhere != null) refuseTarget(again(insertWhere, this::expr), t, ErrorCode.MERGE_TARGET_IN_INSERT_WHERE);
        Ast.Update update = null;
        if (!setColumns.isEmpty()) {
            // Each target row the update takes (a source row matches it, and the WHERE holds for
            // the two) takes its values from that source row; more than one such row is TT90055
            // from the scalar subquery. A second match the WHERE leaves out updates nothing twice.
            Piece updates = updateWhere;
            java.util.function.Supplier<Expr> cond = () -> updates == null ? again(on, this::expr)
                    : new Expr.Binary(pos, "AND", again(on, this::expr), again(updates, this::expr));
            List<Expr> values = new ArrayList<>();
            for (Piece v : setValues) {
                Ast.Select one = selectOf(List.of(again(v, this::valueOrDefault)), again(source, this::fromItem), cond.get());
                var value = new Expr.Subquery(pos, Expr.Subquery.Kind.SCALAR, one, null, null, false, "(MERGE's source row)");
                value.mergeTarget = target.name();
                values.add(value);
            }
            Ast.Select match = selectOf(List.of(new Expr.Literal(pos, 1L, io.hourglass.engine.catalog.SqlType.BIGINT)),
                    again(source, this::fromItem), cond.get());
            Expr where = new Expr.Subquery(pos, Expr.Subquery.Kind.EXISTS, match, null, null, false, "(MERGE's match)");
            // ON's conditions on the target alone (t.k = ?) also narrow the UPDATE, through the target's indexes.
            Expr narrow = targetOnly(again(on, this::expr), t);
            if (narrow != null) where = new Expr.Binary(pos, "AND", narrow, where);
            update = new Ast.Update(target, t, List.copyOf(setColumns), values, where);
        }
        Ast.Insert insert = null;
        if (insertValues != null) {
            List<Expr> values = new ArrayList<>();
            for (Piece v : insertValues) values.add(again(v, this::valueOrDefault));
            Ast.Select matched = selectOf(List.of(new Expr.Literal(pos, 1L, io.hourglass.engine.catalog.SqlType.BIGINT)),
                    new Ast.FromItem(target, t), again(on, this::expr));
            Expr cond = new Expr.Unary(pos, "NOT", new Expr.Subquery(pos, Expr.Subquery.Kind.EXISTS, matched, null, null, false,
                    "(MERGE's match)"));
            if (insertWhere != null) cond = new Expr.Binary(pos, "AND", cond, again(insertWhere, this::expr));
            insert = new Ast.Insert(target, insertColumns, null, selectOf(values, again(source, this::fromItem), cond));
        }
        Ast.Delete delete = null;
        if (deleteWhere != null) {
            // An updated row (its ROWID a parameter past the statement's own, paramCount) whose
            // matching source row meets the condition over its new values.
            Ast.Select meets = selectOf(List.of(new Expr.Literal(pos, 1L, io.hourglass.engine.catalog.SqlType.BIGINT)),
                    again(source, this::fromItem), new Expr.Binary(pos, "AND", again(on, this::expr), again(deleteWhere, this::expr)));
            Expr updated = new Expr.Binary(pos, "=", new Expr.ColumnRef(pos, t, "ROWID"), new Expr.Param(pos, paramCount));
            delete = new Ast.Delete(target, t, new Expr.Binary(pos, "AND", updated,
                    new Expr.Subquery(pos, Expr.Subquery.Kind.EXISTS, meets, null, null, false, "(MERGE's DELETE WHERE)")), null);
        }
        return new Ast.Merge(update, insert, delete, paramCount);
    }

    /** Fails with {@code error} if {@code e} (a piece read again as it was first) reads a column of MERGE's target {@code t}. */
    private static void refuseTarget(Expr e, String t, ErrorCode error) {
        Executor.walk(e, x -> {
            if (x instanceof Expr.ColumnRef c && c.qualifier.equals(t)) throw error.error(t + "." + c.column);
        });
    }

    /** The AND-ed parts of {@code e} that read only the target {@code t}'s columns (and constants, parameters), or null. */
    private static Expr targetOnly(Expr e, String t) {
        if (e instanceof Expr.Binary b && b.op.equals("AND")) {
            Expr l = targetOnly(b.left, t), r = targetOnly(b.right, t);
            return l == null ? r : r == null ? l : new Expr.Binary(b.pos, "AND", l, r);
        }
        boolean[] only = {true};
        Executor.walk(e, x -> {
            if (x instanceof Expr.ColumnRef c && !t.equals(c.qualifier) || x instanceof Expr.Subquery) only[0] = false;
        });
        return only[0] ? e : null;
    }

    /** SELECT {@code items} FROM {@code from} WHERE {@code where}. */
    private static Ast.Select selectOf(List<Expr> items, Ast.FromItem from, Expr where) {
        List<Ast.SelectItem> out = new ArrayList<>();
        for (Expr e : items) out.add(new Ast.SelectItem(e, null));
        return new Ast.Select(false, null, List.copyOf(out), List.of(from), where, List.of(), null, null, List.of(), null, null, null, null, null);
    }

    private Ast.Stmt delete() {
        expect("DELETE");
        Expr first = null;
        // TimesTen's DELETE FIRST n: at most n rows (DELETE first [f] WHERE ... still deletes from a table FIRST)
        if (peek().is("FIRST") && (peek(1).type() == T.NUMBER || peek(1).type() == T.PARAM)) {
            next();
            first = primary();
        }
        accept("FROM");
        Ast.Name table = name();
        String alias = null;
        if (!peek().is("WHERE") && peek().type() == T.IDENT && !(returningAhead() && !peek(1).is("WHERE") && peek(1).type() != T.EOF)) {
            alias = identifier();
        }
        Expr where = accept("WHERE") ? expr() : null;
        return new Ast.Delete(table, alias, where, first);
    }

    private boolean returningAhead() { return peek().is("RETURNING") || peek().is("RETURN"); }

    /**
     * The DML returning clause after INSERT ... VALUES, UPDATE or DELETE, if one follows:
     * {@code RETURNING | RETURN} items (expressions, each with an optional {@code AS name}, or
     * {@code *}), then TimesTen's {@code INTO :v, ...}, whose output parameters name the values
     * and are not input parameters.
     */
    private Ast.Stmt returning(Ast.Stmt dml) {
        if (!returningAhead()) return dml;
        next();
        if (dml instanceof Ast.Insert ins && ins.query() != null) {
            throw error("RETURNING after INSERT ... SELECT (it goes with INSERT ... VALUES, UPDATE and DELETE)");
        }
        List<Ast.SelectItem> items = new ArrayList<>();
        do {
            if (peek().is("*")) {
                int star = next().pos();
                items.add(new Ast.SelectItem(null, null, null, true, star, star + 1));
                continue;
            }
            Expr e = expr();
            items.add(new Ast.SelectItem(e, accept("AS") ? identifier() : null));
        } while (accept(","));
        List<String> into = null;
        if (accept("INTO")) {
            into = new ArrayList<>();
            do {
                Token p = next();
                if (p.type() != T.PARAM) {
                    at--;
                    throw error("INTO takes output parameters (:name or ?), found " + describe(p));
                }
                into.add(p.text().equals("?") ? null : p.text().substring(1).toUpperCase(java.util.Locale.ROOT));
            } while (accept(","));
        }
        return new Ast.Returning(dml, List.copyOf(items), into == null ? null : java.util.Collections.unmodifiableList(into));
    }

    private Ast.Stmt create() {
        expect("CREATE");
        boolean orReplace = false;
        if (accept("OR")) {
            expect("REPLACE");
            orReplace = true;
            if (!peek().is("VIEW") && !peek().is("SYNONYM") && !(peek().is("PUBLIC") && peek(1).is("SYNONYM"))) {
                throw error("OR REPLACE is for views and synonyms: expected VIEW or [PUBLIC] SYNONYM but found " + describe(peek()));
            }
        }
        if (peek().is("SYNONYM") || (peek().is("PUBLIC") && peek(1).is("SYNONYM"))) {
            boolean pub = accept("PUBLIC");
            expect("SYNONYM");
            Ast.Name synonym = name();
            expect("FOR");
            return new Ast.CreateSynonym(pub, synonym, name(), orReplace);
        }
        if (accept("TABLE")) return createTable(false);
        if (peek().is("GLOBAL") && peek(1).is("TEMPORARY")) {
            next();
            next();
            expect("TABLE");
            return createTable(true);
        }
        if (accept("SEQUENCE")) return createSequence();
        // [DYNAMIC] READONLY | SYNCHRONOUS WRITETHROUGH | ASYNCHRONOUS WRITETHROUGH CACHE GROUP
        boolean dynamic = peek().is("DYNAMIC") && (peek(1).is("READONLY") || peek(1).is("SYNCHRONOUS") || peek(1).is("ASYNCHRONOUS"));
        if (dynamic) next();
        if (accept("READONLY")) return createCacheGroup(false, false, dynamic, false);
        if ((peek().is("SYNCHRONOUS") || peek().is("ASYNCHRONOUS")) && peek(1).is("WRITETHROUGH")) {
            boolean asynchronous = peek().is("ASYNCHRONOUS");
            at += 2;
            return createCacheGroup(true, asynchronous, dynamic, false);
        }
        if (peek().is("USERMANAGED") && peek(1).is("CACHE")) {
            next();
            return createCacheGroup(true, false, false, true);
        }
        if (peek().is("DYNAMIC") || peek().is("ASYNCHRONOUS") || peek().is("SYNCHRONOUS") || peek().is("USERMANAGED")) {
            throw ErrorCode.UNSUPPORTED.error(peek().text() + " " + peek(1).text() + " cache groups (Hourglass has READONLY, SYNCHRONOUS"
                    + " WRITETHROUGH, ASYNCHRONOUS WRITETHROUGH, their DYNAMIC forms, and USERMANAGED cache groups)");
        }
        if (accept("VIEW")) {
            Ast.Name n = name();
            List<String> cols = peek().is("(") ? columnList() : List.of();
            expect("AS");
            int start = peek().pos(), params = paramCount;
            query();
            if (paramCount != params) throw ErrorCode.SEMANTIC_ERROR.error("a view's query may not have parameters");
            return new Ast.CreateView(n, cols, sql.substring(start, peek().pos()).strip(), orReplace);
        }
        if (accept("USER")) {
            String u = identifier();
            expect("IDENTIFIED");
            expect("BY");
            String password = password();
            Account account = account();
            return new Ast.CreateUser(u, password, account.profile(), account.lock(), account.expire());
        }
        if (accept("PROFILE")) return profile(false);
        boolean unique = accept("UNIQUE");
        boolean hash = false;
        if (accept("HASH")) hash = true;
        else accept("RANGE");
        expect("INDEX");
        Ast.Name ix = name();
        expect("ON");
        Ast.Name table = name();
        expect("(");
        List<String> cols = new ArrayList<>();
        do {
            cols.add(identifier());
            if (!accept("ASC")) accept("DESC");
        } while (accept(","));
        expect(")");
        pages();
        return new Ast.CreateIndex(ix, table, cols, unique, hash);
    }

    /** A user's PROFILE (null: not given), ACCOUNT clause (true LOCK, false UNLOCK, null: not given) and PASSWORD EXPIRE. */
    private record Account(String profile, Boolean lock, boolean expire) {}

    /** A user's [PROFILE name] [ACCOUNT {LOCK | UNLOCK}] [PASSWORD EXPIRE], in any order, each at most once. */
    private Account account() {
        String profile = null;
        Boolean lock = null, expire = null;
        while (peek().type() == T.IDENT) {
            Token t = peek();
            if (accept("PROFILE")) profile = once(profile, identifier(), t);
            else if (accept("ACCOUNT")) {
                boolean locked = accept("LOCK");
                if (!locked) expect("UNLOCK");
                lock = once(lock, locked, t);
            } else if (accept("PASSWORD")) {
                expect("EXPIRE");
                expire = once(expire, Boolean.TRUE, t);
            } else break;
        }
        return new Account(profile, lock, expire != null);
    }

    /** CREATE or ALTER PROFILE name LIMIT parameter value [parameter value ...], after PROFILE. */
    private Ast.Stmt profile(boolean alter) {
        String name = identifier();
        expect("LIMIT");
        Map<String, String> limits = new LinkedHashMap<>();
        do {
            Token t = peek();
            String parameter = identifier();
            if (parameter.equals("PASSWORD_VERIFY_FUNCTION")) parameter = Profile.PASSWORD_COMPLEXITY_CHECKER;
            if (!Profile.PARAMETERS.contains(parameter)) {
                at--;
                throw error("expected a password parameter (" + String.join(", ", Profile.PARAMETERS) + ") but found " + describe(t));
            }
            limits.put(parameter, once(limits.get(parameter), limitValue(parameter), t));
        } while (peek().type() != T.EOF);
        return new Ast.SetProfile(name, alter, limits);
    }

    /** Bounds well outside every password limit's range, past which a number is refused before it is written out. */
    private static final BigDecimal LIMIT_MOST = new BigDecimal("1E15"), LIMIT_LEAST = new BigDecimal("1E-15");

    /** A password parameter's value: UNLIMITED, DEFAULT, a number (".0034", not "0.0034"), or for the checker NULL or a function. */
    private String limitValue(String parameter) {
        if (accept("DEFAULT")) return Profile.DEFAULT;
        if (parameter.equals(Profile.PASSWORD_COMPLEXITY_CHECKER)) return accept("NULL") ? "NULL" : identifier();
        if (accept("UNLIMITED")) return Profile.UNLIMITED;
        Token t = next();
        if (t.type() != T.NUMBER) {
            at--;
            throw error("expected UNLIMITED, DEFAULT or a number for " + parameter + " but found " + describe(t));
        }
        BigDecimal d;
        try {
            d = new BigDecimal(t.text());
        } catch (NumberFormatException e) { // (an exponent past an int's range: 1E-9999999999)
            throw ErrorCode.SEMANTIC_ERROR.error(parameter + " " + t.text() + " is out of range");
        }
        if (d.compareTo(LIMIT_MOST) > 0 || d.signum() != 0 && d.compareTo(LIMIT_LEAST) < 0) {
            throw ErrorCode.SEMANTIC_ERROR.error(parameter + " " + t.text() + " is out of range"); // (before it is written out in full)
        }
        String v = d.stripTrailingZeros().toPlainString();
        return v.startsWith("0.") ? v.substring(1) : v;
    }

    private String password() {
        Token t = next();
        if (t.type() == T.STRING || t.type() == T.QUOTED || t.type() == T.IDENT || t.type() == T.NUMBER) {
            return t.type() == T.IDENT ? tokenSource(t) : t.text();
        }
        at--;
        throw error("expected a password");
    }

    /** An unquoted password keeps its case as typed, as TimesTen does. */
    private String tokenSource(Token t) { return sql.substring(t.pos(), t.pos() + t.text().length()); }

    private void pages() {
        if (accept("PAGES")) {
            expect("=");
            if (!accept("CURRENT")) integer();
        }
    }

    /** After CREATE [GLOBAL TEMPORARY] TABLE. */
    private Ast.Stmt createTable(boolean temporary) {
        Ast.Name table = name();
        List<Ast.ColumnDef> cols = new ArrayList<>();
        List<String> pk = new ArrayList<>();
        List<List<String>> uniques = new ArrayList<>();
        List<Ast.ForeignKeyDef> fks = new ArrayList<>();
        List<Ast.CheckDef> checks = new ArrayList<>();
        boolean hashPk = false;
        if (temporary && (peek().is("AS") || peek().is("ON"))) { // CREATE GLOBAL TEMPORARY TABLE t [ON COMMIT ...] AS SELECT
            OnCommit onCommit = onCommit();
            if (!peek().is("AS")) throw error("expected AS and a query after ON COMMIT, or the table's columns before it");
            return createTableAs(table, cols, pk, false, uniques, fks, checks, null, onCommit);
        }
        if (peek().is("AS") || peek().is("AGING")) { // CREATE TABLE t [AGING ...] AS SELECT, without a column list
            io.hourglass.engine.catalog.Aging aging = accept("AGING") ? aging() : null;
            if (!peek().is("AS")) throw error("expected AS and a query after the AGING clause, or the table's columns before it");
            return createTableAs(table, cols, pk, false, uniques, fks, checks, aging, null);
        }
        expect("(");
        do {
            String constraint = accept("CONSTRAINT") ? identifier() : null;
            if (accept("FOREIGN")) {
                expect("KEY");
                fks.add(new Ast.ForeignKeyDef(constraint, columnList(), references()));
            } else if (peek().is("CHECK")) {
                checks.add(check(constraint));
            } else if (accept("PRIMARY")) {
                expect("KEY");
                if (!pk.isEmpty()) throw error("a table can have only one primary key");
                pk.addAll(columnList());
            } else if (peek().is("UNIQUE") && peek(1).is("HASH")) {
                next();
                next();
                expect("ON");
                List<String> c = columnList();
                pages();
                if (pk.isEmpty() || pk.equals(c)) {
                    if (pk.isEmpty()) pk.addAll(c);
                    hashPk = true;
                } else {
                    uniques.add(c);
                }
            } else if (peek().is("UNIQUE") && peek(1).is("(")) {
                next();
                uniques.add(columnList());
            } else if (constraint != null) {
                throw error("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT " + constraint);
            } else {
                cols.add(columnDef(fks, checks));
            }
        } while (accept(","));
        expect(")");
        if (peek().is("UNIQUE") && peek(1).is("HASH")) {
            next();
            next();
            expect("ON");
            List<String> c = columnList();
            pages();
            if (pk.isEmpty()) pk.addAll(c);
            hashPk = true;
        }
        for (Ast.ColumnDef c : cols) {
            if (c.primaryKey()) {
                if (!pk.isEmpty() && !pk.equals(List.of(c.name()))) throw error("a table can have only one primary key");
                if (pk.isEmpty()) pk.add(c.name());
            }
            if (c.unique()) uniques.add(List.of(c.name()));
        }
        OnCommit onCommit = temporary ? onCommit() : null;
        if (temporary && peek().is("AGING")) {
            throw ErrorCode.UNSUPPORTED.error("AGING on a GLOBAL TEMPORARY table (its rows last a transaction or a session)");
        }
        io.hourglass.engine.catalog.Aging aging = accept("AGING") ? aging() : null;
        if (peek().is("AS")) return createTableAs(table, cols, pk, hashPk, uniques, fks, checks, aging, onCommit);
        for (Ast.ColumnDef c : cols) {
            if (c.type() == null) throw ErrorCode.SYNTAX_ERROR.error(c.pos() + 1, "expected a data type for column " + c.name());
        }
        return new Ast.CreateTable(table, cols, pk, hashPk, uniques, fks, checks, null, aging, onCommit);
    }

    /** A GLOBAL TEMPORARY table's {@code [ON COMMIT DELETE ROWS | ON COMMIT PRESERVE ROWS]}: DELETE ROWS unless given. */
    private OnCommit onCommit() {
        if (!accept("ON")) return OnCommit.DELETE_ROWS;
        expect("COMMIT");
        OnCommit c;
        if (accept("DELETE")) c = OnCommit.DELETE_ROWS;
        else if (accept("PRESERVE")) c = OnCommit.PRESERVE_ROWS;
        else throw error("expected DELETE or PRESERVE after ON COMMIT but found " + describe(peek()));
        expect("ROWS");
        return c;
    }

    /**
     * After AGING: {@code USE column LIFETIME n unit [CYCLE n unit] [ON | OFF]}, TimesTen's
     * time-based aging (CYCLE 5 MINUTES and ON unless given), or {@code LRU [ON | OFF]}, its
     * usage-based aging (ON unless given).
     */
    private io.hourglass.engine.catalog.Aging aging() {
        if (accept("LRU")) {
            boolean on = !accept("OFF");
            if (on) accept("ON");
            return io.hourglass.engine.catalog.Aging.lru(on);
        }
        expect("USE");
        String column = identifier();
        expect("LIFETIME");
        Ast.AgingSpan lifetime = agingSpan();
        Ast.AgingSpan cycle = accept("CYCLE") ? agingSpan()
                : new Ast.AgingSpan(io.hourglass.engine.catalog.Aging.DEFAULT_CYCLE, io.hourglass.engine.catalog.Aging.DEFAULT_CYCLE_UNIT);
        boolean on = !accept("OFF");
        if (on) accept("ON");
        return new io.hourglass.engine.catalog.Aging(column, lifetime.n(), lifetime.unit(), cycle.n(), cycle.unit(), on);
    }

    /** {@code n SECOND[S] | MINUTE[S] | HOUR[S] | DAY[S]}, n from 1 to 2147483647. */
    private Ast.AgingSpan agingSpan() {
        Token at0 = peek();
        long n = integer();
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw ErrorCode.SYNTAX_ERROR.error(at0.pos() + 1, "an aging LIFETIME or CYCLE is a whole number from 1 to 2147483647, not " + n);
        }
        Token u = next();
        String unit = u.type() == T.IDENT ? u.text() : "";
        for (io.hourglass.engine.catalog.Aging.Unit x : io.hourglass.engine.catalog.Aging.Unit.values()) {
            if (unit.equals(x.name()) || unit.equals(x.name() + "S")) return new Ast.AgingSpan(n, x);
        }
        at--;
        throw error("expected SECOND[S], MINUTE[S], HOUR[S] or DAY[S] but found " + describe(u));
    }

    /**
     * {@code AS query} after CREATE TABLE's name or its column list, whose columns are then named
     * only (with constraints), as in Oracle and TimesTen: their types are the query's. The query
     * takes no parameters: it runs once, as part of the DDL statement.
     */
    private Ast.Stmt createTableAs(Ast.Name table, List<Ast.ColumnDef> cols, List<String> pk, boolean hashPk,
                                   List<List<String>> uniques, List<Ast.ForeignKeyDef> fks, List<Ast.CheckDef> checks,
                                   io.hourglass.engine.catalog.Aging aging, OnCommit temporary) {
        for (Ast.ColumnDef c : cols) {
            if (c.type() != null) {
                throw ErrorCode.SYNTAX_ERROR.error(c.pos() + 1, "column " + c.name() + " of CREATE TABLE ... AS SELECT takes its type "
                        + "from the query: name it without a data type");
            }
        }
        Token as = next();
        int params = paramCount;
        if (!queryAhead(0)) throw error("expected a query (SELECT or WITH) after AS");
        Ast.Select query = query();
        if (paramCount != params) {
            throw ErrorCode.SYNTAX_ERROR.error(as.pos() + 1, "the query of CREATE TABLE ... AS SELECT takes no parameters (it runs once, as DDL)");
        }
        return new Ast.CreateTable(table, cols, pk, hashPk, uniques, fks, checks, query, aging, temporary);
    }

    /**
     * After CREATE READONLY: CACHE GROUP g [AUTOREFRESH [MODE ..] [INTERVAL ..] [STATE ..]] FROM table (...);
     * after CREATE [A]SYNCHRONOUS WRITETHROUGH or USERMANAGED: CACHE GROUP g FROM table (...).
     */
    private Ast.Stmt createCacheGroup(boolean writethrough, boolean asynchronous, boolean dynamic, boolean usermanaged) {
        expect("CACHE");
        expect("GROUP");
        Ast.Name g = name();
        io.hourglass.engine.catalog.CacheGroup.Mode mode = null;
        io.hourglass.engine.catalog.CacheGroup.State state = null;
        Long interval = null;
        if (!usermanaged && writethrough && peek().is("AUTOREFRESH")) {
            throw error("a WRITETHROUGH cache group has no AUTOREFRESH (its changes go from here to the backend)");
        }
        boolean autorefresh = accept("AUTOREFRESH");
        if (autorefresh) {
            while (true) {
                if (mode == null && accept("MODE")) mode = refreshMode();
                else if (interval == null && accept("INTERVAL")) interval = refreshInterval();
                else if (state == null && accept("STATE")) state = refreshState();
                else break;
            }
            if (usermanaged && mode == null) mode = io.hourglass.engine.catalog.CacheGroup.Mode.INCREMENTAL; // (AUTOREFRESH given: not a static table)
        }
        expect("FROM");
        boolean propagate = false;
        List<Ast.CreateTable> tables = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        do {
            if (usermanaged) {
                String attribute = takeTableAttribute();
                if (tables.isEmpty()) {
                    if ("READONLY".equals(attribute)) writethrough = false;
                    propagate = "PROPAGATE".equals(attribute);
                    if (autorefresh && writethrough) {
                        throw ErrorCode.UNSUPPORTED.error("AUTOREFRESH on a USERMANAGED cache group whose table is not READONLY (the backend's"
                                + " changes and this database's on one table: update anywhere); give the table READONLY, or no AUTOREFRESH");
                    }
                } else if (!java.util.Objects.equals(attribute, !writethrough ? "READONLY" : propagate ? "PROPAGATE" : null)) {
                    throw ErrorCode.UNSUPPORTED.error("tables of one USERMANAGED cache group with different attributes (READONLY,"
                            + " PROPAGATE or neither): give each table the root table's");
                }
            }
            Ast.CreateTable table = (Ast.CreateTable) createTable(false);
            if (table.query() != null) throw error("a cache group's table takes its rows from the backend, not from AS SELECT");
            // A dynamic group ages its least recently used rows unless told otherwise, as TimesTen's
            // (its root's: a cache instance goes whole)
            if (dynamic && tables.isEmpty() && table.aging() == null) table = table.withAging(io.hourglass.engine.catalog.Aging.lru(true));
            tables.add(table);
            // The rows of the backend table to cache, in the backend's SQL, up to the next table's comma.
            conditions.add(accept("WHERE") ? backendCondition(() -> peek().is(",") || peek().is(";") || peek().type() == T.EOF,
                    "the end of the condition", true) : "");
        } while (accept(","));
        return new Ast.CreateCacheGroup(g, mode, interval, state, tables, writethrough, asynchronous, dynamic, usermanaged, propagate, conditions);
    }

    /**
     * A USERMANAGED table's READONLY or PROPAGATE attribute, an element of its own in the table's
     * parentheses after FROM (TimesTen's {@code (id NUMBER NOT NULL, ..., PRIMARY KEY (id), PROPAGATE)}):
     * taken out of the statement's tokens, with its comma, so the table definition reads as any
     * other; null if there is none. Both is TT1001.
     */
    private String takeTableAttribute() {
        String found = null;
        int depth = 0;
        for (int i = at; i < tokens.size() && tokens.get(i).type() != T.EOF; i++) {
            Token t = tokens.get(i);
            if (t.is("(")) depth++;
            else if (t.is(")") && --depth == 0) break;
            else if (depth == 1 && (t.is("READONLY") || t.is("PROPAGATE")) && (tokens.get(i - 1).is(",") || tokens.get(i - 1).is("("))
                    && (tokens.get(i + 1).is(",") || tokens.get(i + 1).is(")"))) {
                if (found != null) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "a cache table is READONLY or PROPAGATE, not both");
                found = t.text().toUpperCase(java.util.Locale.ROOT);
                if (tokens.get(i - 1).is(",")) { // (its comma: the one before it, or after it when it comes first)
                    tokens.subList(i - 1, i + 1).clear();
                    i -= 2;
                } else if (tokens.get(i + 1).is(",")) {
                    tokens.subList(i, i + 2).clear();
                    i -= 1;
                }
                // (alone in the parentheses it stays, and the table definition reads it as a column)
            }
        }
        return found;
    }

    private io.hourglass.engine.catalog.CacheGroup.Mode refreshMode() {
        if (accept("INCREMENTAL")) return io.hourglass.engine.catalog.CacheGroup.Mode.INCREMENTAL;
        if (accept("FULL")) return io.hourglass.engine.catalog.CacheGroup.Mode.FULL;
        throw error("expected INCREMENTAL or FULL after MODE");
    }

    private io.hourglass.engine.catalog.CacheGroup.State refreshState() {
        if (accept("ON")) return io.hourglass.engine.catalog.CacheGroup.State.ON;
        if (accept("OFF")) return io.hourglass.engine.catalog.CacheGroup.State.OFF;
        if (accept("PAUSED")) return io.hourglass.engine.catalog.CacheGroup.State.PAUSED;
        throw error("expected ON, OFF or PAUSED after STATE");
    }

    /** n MINUTE[S] | SECOND[S] | MILLISECOND[S], in milliseconds. */
    private long refreshInterval() {
        long n = integer();
        long unit;
        if (accept("MINUTES") || accept("MINUTE")) unit = 60_000;
        else if (accept("SECONDS") || accept("SECOND")) unit = 1_000;
        else if (accept("MILLISECONDS") || accept("MILLISECOND")) unit = 1;
        else throw error("expected MINUTES, SECONDS or MILLISECONDS after the interval");
        if (n < 1 || n > Long.MAX_VALUE / 60_000 / 1_000) throw error("an autorefresh interval must be positive");
        long ms = n * unit;
        if (ms < 10) throw ErrorCode.SEMANTIC_ERROR.error("the autorefresh interval must be at least 10 milliseconds");
        return ms;
    }

    /** LOAD | REFRESH | UNLOAD | FLUSH CACHE GROUP g [WHERE ... | WITH ID (values)] [COMMIT EVERY n ROWS] [PARALLEL n]. */
    private Ast.Stmt cacheGroupData() {
        Ast.CacheOp op = Ast.CacheOp.valueOf(next().text());
        expect("CACHE");
        expect("GROUP");
        Ast.Name g = name();
        String where = null;
        boolean local = op == Ast.CacheOp.UNLOAD || op == Ast.CacheOp.FLUSH; // (their WHERE reads the cache table)
        if (accept("WHERE")) {
            int start = peek().pos();
            if (local) {
                // On the cache table, in Hourglass's SQL, run by the cache agent as the table's owner:
                // only the row's columns, constants and functions of them, as in a CHECK.
                Executor.walk(expr(), x -> {
                    if (x instanceof Expr.Subquery || x instanceof Expr.SequenceRef || x instanceof Expr.Param) {
                        throw ErrorCode.SEMANTIC_ERROR.error(op + "'s WHERE may read only the cache table's row, not " + x.text());
                    }
                });
                where = sql.substring(start, peek().pos()).strip();
            } else {
                // In the backend's SQL, sent as written: its tokens up to COMMIT EVERY (outside parentheses).
                where = backendCondition(() -> peek().is("COMMIT") && peek(1).is("EVERY"), "COMMIT EVERY n ROWS", false);
            }
        }
        List<String> ids = null;
        if (where == null && accept("WITH")) {
            expect("ID");
            expect("(");
            ids = new ArrayList<>();
            do {
                int start = peek().pos();
                Executor.walk(expr(), x -> {
                    if (x instanceof Expr.Subquery || x instanceof Expr.SequenceRef || x instanceof Expr.Param || x instanceof Expr.ColumnRef) {
                        throw ErrorCode.SEMANTIC_ERROR.error(op + " ... WITH ID takes constants (the primary key's values), not " + x.text());
                    }
                });
                ids.add(sql.substring(start, peek().pos()).strip());
            } while (accept(","));
            expect(")");
        }
        Long every = null;
        if (!local && accept("COMMIT")) {
            expect("EVERY");
            every = integer();
            expect("ROWS");
            if (every < 0) throw error("COMMIT EVERY takes 0 or more rows");
        }
        if (!local && accept("PARALLEL")) {
            if (integer() < 1) throw error("PARALLEL takes 1 or more threads");
        }
        return new Ast.CacheGroupData(op, g, every, where, ids);
    }

    /**
     * A condition in the backend's SQL, after WHERE: its text as written, the tokens up to where
     * {@code end} holds outside parentheses ({@code expected} names that). It is sent to the
     * backend inside parentheses, so they must pair up within it; nor may it hold a {@code ;} or
     * a {@code ?}. With {@code ownRow}, it reads its own table's row only: no subquery (TimesTen's
     * rule for CREATE CACHE GROUP).
     */
    private String backendCondition(java.util.function.BooleanSupplier end, String expected, boolean ownRow) {
        int start = peek().pos(), depth = 0;
        while (!(depth == 0 && end.getAsBoolean())) {
            if (peek().type() == T.EOF) throw error("expected " + (depth > 0 ? "a ) to close the WHERE condition's (" : expected + " after the WHERE condition"));
            Token t = next();
            if (t.is("(")) depth++;
            if (t.is(")") && --depth < 0) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "a ) the WHERE condition did not open");
            if (t.is(";")) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "a ; in the WHERE condition (it is one condition, not statements)");
            if (t.type() == T.PARAM && t.text().equals("?")) {
                throw ErrorCode.SEMANTIC_ERROR.error("a parameter in the WHERE condition at position " + (t.pos() + 1) + ": it is sent to the"
                        + " backend as written; give the value");
            }
            if (ownRow && t.is("SELECT")) {
                throw ErrorCode.SEMANTIC_ERROR.error("a subquery in a cache table's WHERE condition at position " + (t.pos() + 1) + ": it reads"
                        + " its own backend table's row only");
            }
        }
        String where = sql.substring(start, peek().pos()).strip();
        if (where.isEmpty()) throw error("expected a condition after WHERE");
        return where;
    }

    /** CHECK (condition), CHECK next; the condition's text is kept as written. */
    private Ast.CheckDef check(String name) {
        expect("CHECK");
        expect("(");
        int start = peek().pos();
        Expr e = expr();
        int end = peek().pos();
        expect(")");
        return new Ast.CheckDef(name, sql.substring(start, end).strip(), e);
    }

    /** REFERENCES [owner.]table [(columns)] [ON DELETE CASCADE | ON DELETE SET NULL], REFERENCES next. */
    private Ast.References references() {
        expect("REFERENCES");
        Ast.Name parent = name();
        List<String> cols = peek().is("(") ? columnList() : List.of();
        io.hourglass.engine.catalog.ForeignKey.OnDelete rule = io.hourglass.engine.catalog.ForeignKey.OnDelete.NO_ACTION;
        if (accept("ON")) {
            expect("DELETE");
            if (accept("CASCADE")) {
                rule = io.hourglass.engine.catalog.ForeignKey.OnDelete.CASCADE;
            } else if (accept("SET")) {
                expect("NULL");
                rule = io.hourglass.engine.catalog.ForeignKey.OnDelete.SET_NULL;
            } else {
                throw error("expected CASCADE or SET NULL after ON DELETE");
            }
        }
        return new Ast.References(parent, cols, rule);
    }

    private List<String> columnList() { return parenthesized(this::identifier); }

    /** {@code ( item, ... )}. */
    private <T> List<T> parenthesized(java.util.function.Supplier<T> item) {
        expect("(");
        List<T> items = new ArrayList<>();
        do items.add(item.get()); while (accept(","));
        expect(")");
        return items;
    }

    /**
     * A column ALTER TABLE ADD adds: a definition without PRIMARY KEY, REFERENCES or CHECK (those
     * are added to an existing column with ALTER TABLE ADD CONSTRAINT, once the column is there).
     */
    private Ast.ColumnDef addedColumn() {
        int pos = peek().pos();
        List<Ast.ForeignKeyDef> fks = new ArrayList<>();
        List<Ast.CheckDef> checks = new ArrayList<>();
        Ast.ColumnDef c = columnDef(fks, checks);
        if (c.type() == null) throw ErrorCode.SYNTAX_ERROR.error(pos + 1, "expected a data type for column " + c.name());
        if (c.primaryKey() || !fks.isEmpty() || !checks.isEmpty()) {
            throw ErrorCode.SYNTAX_ERROR.error(pos + 1, "a column ALTER TABLE ADD adds takes no PRIMARY KEY, REFERENCES or CHECK;"
                    + " add the constraint with ALTER TABLE ... ADD CONSTRAINT once the column is there");
        }
        return c;
    }

    /** {@code c [type] [DEFAULT expr] [NULL | NOT NULL]} of ALTER TABLE MODIFY: at least one of them. */
    private Ast.ModifyColumn modifiedColumn() {
        String name = identifier();
        SqlType type = null;
        if (!peek().is("DEFAULT") && !peek().is("NULL") && !peek().is("NOT") && !peek().is(",") && !peek().is(")")
                && peek().type() != T.EOF) {
            type = type();
        }
        boolean defaultGiven = false;
        String defaultSql = null;
        Boolean notNull = null;
        while (true) {
            if (!defaultGiven && accept("DEFAULT")) {
                defaultGiven = true;
                int start = at;
                expr();
                defaultSql = tokenText(start, at);
            } else if (notNull == null && accept("NOT")) {
                expect("NULL");
                notNull = true;
            } else if (notNull == null && accept("NULL")) {
                notNull = false;
            } else {
                break;
            }
        }
        if (type == null && !defaultGiven && notNull == null) throw error("MODIFY " + name + " needs a type, a DEFAULT, NULL or NOT NULL");
        return new Ast.ModifyColumn(name, type, defaultGiven, defaultSql, notNull);
    }

    /** The text of tokens {@code start} to {@code end} (exclusive), as a DEFAULT is kept. */
    private String tokenText(int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end; i++) {
            Token t = tokens.get(i);
            sb.append(i > start ? " " : "").append(t.type() == T.STRING ? "'" + t.text().replace("'", "''") + "'" : t.text());
        }
        return sb.toString();
    }

    /**
     * A column definition; a REFERENCES clause on it adds its foreign key to {@code fks}, a CHECK to
     * {@code checks}. Its type is null when none is written (the list goes on, or a constraint
     * follows): CREATE TABLE ... AS SELECT's columns have none, the callers refuse it elsewhere.
     */
    private Ast.ColumnDef columnDef(List<Ast.ForeignKeyDef> fks, List<Ast.CheckDef> checks) {
        int pos = peek().pos();
        String name = identifier();
        SqlType type = peek().is(",") || peek().is(")") || peek().is("NOT") || peek().is("NULL") || peek().is("DEFAULT")
                || peek().is("PRIMARY") || peek().is("UNIQUE") || peek().is("CONSTRAINT") || peek().is("CHECK") || peek().is("REFERENCES")
                ? null : type();
        boolean notNull = false, pk = false, unique = false;
        Expr def = null;
        String defSql = null;
        while (true) {
            String constraint = accept("CONSTRAINT") ? identifier() : null;
            if (peek().is("REFERENCES")) {
                fks.add(new Ast.ForeignKeyDef(constraint, List.of(name), references()));
            } else if (peek().is("CHECK")) {
                checks.add(check(constraint));
            } else if (constraint != null && !peek().is("PRIMARY") && !peek().is("UNIQUE") && !peek().is("NOT")) {
                throw error("expected PRIMARY KEY, UNIQUE, NOT NULL, REFERENCES or CHECK after CONSTRAINT " + constraint);
            } else if (accept("NOT")) {
                expect("NULL");
                notNull = true;
            } else if (accept("NULL")) {
                // explicit nullable
            } else if (accept("DEFAULT")) {
                int start = at;
                def = expr();
                defSql = tokenText(start, at);
            } else if (accept("PRIMARY")) {
                expect("KEY");
                pk = true;
                notNull = true;
            } else if (accept("UNIQUE")) {
                unique = true;
            } else {
                break;
            }
        }
        return new Ast.ColumnDef(name, type, notNull, def, defSql, pk, unique, pos);
    }

    /**
     * An interval literal after {@code INTERVAL [+|-]}: {@code 'text' field [(p)] [TO field [(s)]]}
     * (the precisions are accepted and not needed: the leading field takes any number of digits).
     */
    private Expr interval(Token start, boolean negative) {
        Token text = next();
        String from = intervalField(), to = accept("TO") ? intervalField() : null;
        io.hourglass.engine.catalog.Interval v = io.hourglass.engine.catalog.Interval.parse(negative, text.text(), from, to);
        if (v == null) {
            throw ErrorCode.SYNTAX_ERROR.error(text.pos() + 1, "invalid interval literal '" + text.text() + "' " + from + (to == null ? "" : " TO " + to));
        }
        return new Expr.Literal(start.pos(), v, SqlType.INTERVAL);
    }

    /** An interval qualifier's field, with its precision if written. */
    private String intervalField() {
        Token f = next();
        if (!io.hourglass.engine.catalog.Interval.isField(f.text()) || f.type() == T.STRING) {
            at--;
            throw error("expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND, not " + describe(f));
        }
        if (accept("(")) {
            integer();
            if (accept(",")) integer();
            expect(")");
        }
        return f.text();
    }

    SqlType type() {
        Token t = peek();
        String n = identifier();
        return switch (n) {
            case "TT_TINYINT" -> SqlType.TINYINT;
            case "TT_SMALLINT", "SMALLINT" -> SqlType.SMALLINT;
            case "TT_INTEGER", "INTEGER", "INT" -> SqlType.INTEGER;
            case "TT_BIGINT", "BIGINT" -> SqlType.BIGINT;
            case "BINARY_DOUBLE", "DOUBLE", "FLOAT", "BINARY_FLOAT", "REAL" -> {
                if (n.equals("DOUBLE")) accept("PRECISION");
                if (n.equals("FLOAT") && accept("(")) { integer(); expect(")"); }
                yield SqlType.DOUBLE;
            }
            case "NUMBER", "NUMERIC", "DECIMAL", "DEC" -> {
                if (!accept("(")) yield n.equals("NUMBER") ? SqlType.NUMBER : SqlType.number(38, 0);
                int p;
                if (accept("*")) p = 0;
                else p = (int) integer();
                int s = 0;
                if (accept(",")) {
                    boolean neg = accept("-");
                    s = (int) integer() * (neg ? -1 : 1);
                }
                expect(")");
                if (p < 0 || p > SqlType.MAX_NUMBER_PRECISION) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "NUMBER precision must be 1 to 38");
                if (s < -84 || s > 127) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "NUMBER scale must be -84 to 127");
                yield SqlType.number(p, s);
            }
            // (one character set, UTF-8, counted in characters: TimesTen's national types are its CHAR and VARCHAR2)
            case "CHAR", "CHARACTER", "NCHAR", "TT_CHAR", "TT_NCHAR" -> {
                int len = 1;
                if (accept("(")) { len = (int) integer(); accept("BYTE"); accept("CHAR"); expect(")"); }
                if (len < 1 || len > SqlType.MAX_CHAR) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "CHAR length must be 1 to " + SqlType.MAX_CHAR);
                yield SqlType.charType(len);
            }
            case "VARCHAR", "VARCHAR2", "NVARCHAR2", "NVARCHAR", "TT_VARCHAR", "TT_NVARCHAR" -> {
                expect("(");
                int len = (int) integer();
                accept("BYTE");
                accept("CHAR");
                expect(")");
                if (len < 1 || len > SqlType.MAX_VARCHAR) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "VARCHAR2 length must be 1 to " + SqlType.MAX_VARCHAR);
                yield SqlType.varchar(len);
            }
            case "VARBINARY", "BINARY" -> {
                expect("(");
                int len = (int) integer();
                expect(")");
                if (len < 1 || len > SqlType.MAX_VARCHAR) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "VARBINARY length must be 1 to " + SqlType.MAX_VARCHAR);
                yield SqlType.varbinary(len);
            }
            // TimesTen's LOBs have VARCHAR2 and VARBINARY semantics (its docs say so), up to 4 MB
            // here: what its own ttLoadFromOracle maps Oracle's LOB columns to
            case "CLOB", "NCLOB" -> SqlType.VARCHAR_ANY;
            case "BLOB" -> SqlType.VARBINARY_ANY;
            case "DATE" -> SqlType.DATE;
            case "ROWID" -> SqlType.ROWID;
            case "TIMESTAMP" -> {
                int scale = 6;
                if (accept("(")) { scale = (int) integer(); expect(")"); }
                if (scale < 0 || scale > 9) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "TIMESTAMP precision must be 0 to 9");
                yield new SqlType(io.hourglass.engine.catalog.TypeKind.TIMESTAMP, 0, 0, scale);
            }
            default -> throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, "unknown data type " + n);
        };
    }

    private Ast.Stmt drop() {
        expect("DROP");
        if (accept("TABLE")) {
            Ast.Name table = name();
            boolean cascade = accept("CASCADE");
            if (cascade) expect("CONSTRAINTS");
            return new Ast.DropTable(table, cascade);
        }
        if (accept("INDEX")) {
            Ast.Name index = name();
            return new Ast.DropIndex(index, accept("FROM") ? name() : null);
        }
        if (accept("USER")) return new Ast.DropUser(identifier());
        if (accept("PROFILE")) return new Ast.DropProfile(identifier(), accept("CASCADE"));
        if (accept("SEQUENCE")) return new Ast.DropSequence(name());
        if (accept("VIEW")) return new Ast.DropView(name());
        if (accept("CACHE")) {
            expect("GROUP");
            return new Ast.DropCacheGroup(name());
        }
        if (peek().is("SYNONYM") || (peek().is("PUBLIC") && peek(1).is("SYNONYM"))) {
            boolean pub = accept("PUBLIC");
            expect("SYNONYM");
            return new Ast.DropSynonym(pub, name());
        }
        throw error("expected TABLE, INDEX, SEQUENCE, VIEW, [PUBLIC] SYNONYM, CACHE GROUP, USER or PROFILE after DROP");
    }

    private Ast.Stmt alter() {
        expect("ALTER");
        if (accept("TABLE")) {
            Ast.Name table = name();
            if (accept("RENAME")) {
                if (accept("COLUMN")) {
                    String column = identifier();
                    expect("TO");
                    return new Ast.RenameColumn(table, column, identifier());
                }
                if (peek().is("CONSTRAINT")) throw error("RENAME CONSTRAINT is not supported; RENAME TO renames the table");
                expect("TO");
                return new Ast.RenameTable(table, name());
            }
            if (peek().is("ADD") && peek(1).is("AGING") && (peek(2).is("USE") || peek(2).is("LRU"))) {
                next();
                next();
                return new Ast.AlterAging(table, aging(), null, null, null);
            }
            if (peek().is("DROP") && peek(1).is("AGING") && (peek(2).type() == T.EOF || peek(2).is(";"))) { // (a column AGING: DROP COLUMN AGING)
                next();
                next();
                return new Ast.AlterAging(table, null, null, null, null);
            }
            if (peek().is("USE") && (peek(1).is("HASH") || peek(1).is("RANGE")) && peek(2).is("INDEX")) {
                throw ErrorCode.UNSUPPORTED.error("ALTER TABLE ... USE " + peek(1).text() + " INDEX: a primary key keeps the index kind it was"
                        + " created with here (CREATE an index of the other kind beside it)");
            }
            if (peek().is("SET") && peek(1).is("PAGES")) { // TimesTen's hash index sizing: Hourglass's hash indexes size themselves
                next();
                pages();
                return new Ast.AlterPages(table);
            }
            if (peek().is("ADD") && (peek(1).is("UNIQUE") || (peek(1).is("CONSTRAINT") && peek(3).is("UNIQUE")))) {
                next();
                String constraint = accept("CONSTRAINT") ? identifier() : null;
                expect("UNIQUE");
                return new Ast.AlterUnique(table, constraint, columnList(), true);
            }
            if (peek().is("DROP") && peek(1).is("UNIQUE")) {
                next();
                next();
                return new Ast.AlterUnique(table, null, columnList(), false);
            }
            if (accept("SET")) {
                expect("AGING");
                if (accept("LIFETIME")) return new Ast.AlterAging(table, null, null, agingSpan(), null);
                if (accept("CYCLE")) return new Ast.AlterAging(table, null, null, null, agingSpan());
                if (accept("ON")) return new Ast.AlterAging(table, null, true, null, null);
                expect("OFF");
                return new Ast.AlterAging(table, null, false, null, null);
            }
            if (accept("ADD")) {
                if (peek().is("CONSTRAINT") || peek().is("CHECK") || peek().is("FOREIGN")) {
                    String constraint = accept("CONSTRAINT") ? identifier() : null;
                    if (peek().is("CHECK")) return new Ast.AlterTable(table, null, check(constraint), null);
                    expect("FOREIGN");
                    expect("KEY");
                    return new Ast.AlterTable(table, new Ast.ForeignKeyDef(constraint, columnList(), references()), null, null);
                }
                List<Ast.ColumnDef> cols = new ArrayList<>();
                if (accept("(")) {
                    do cols.add(addedColumn()); while (accept(","));
                    expect(")");
                } else {
                    accept("COLUMN");
                    cols.add(addedColumn());
                }
                return new Ast.AlterTable(table, null, null, null, cols, List.of(), List.of());
            }
            if (accept("MODIFY")) {
                List<Ast.ModifyColumn> cols = new ArrayList<>();
                if (accept("(")) {
                    do cols.add(modifiedColumn()); while (accept(","));
                    expect(")");
                } else {
                    cols.add(modifiedColumn());
                }
                return new Ast.AlterTable(table, null, null, null, List.of(), List.of(), cols);
            }
            expect("DROP");
            if (accept("CONSTRAINT")) return new Ast.AlterTable(table, null, null, identifier());
            List<String> cols;
            if (peek().is("(")) {
                cols = columnList();
            } else {
                accept("COLUMN");
                cols = List.of(identifier());
            }
            return new Ast.AlterTable(table, null, null, null, List.of(), cols, List.of());
        }
        if (accept("SESSION")) {
            expect("SET");
            List<Ast.SessionSetting> settings = new ArrayList<>();
            do {
                int pos = peek().pos();
                String parameter = identifier();
                expect("=");
                Token v = peek();
                if (v.type() != T.IDENT && v.type() != T.QUOTED && v.type() != T.STRING && v.type() != T.NUMBER) {
                    throw error("expected a value for " + parameter + " but found " + describe(v));
                }
                next();
                String value = v.text();
                if (parameter.equals("ISOLATION_LEVEL") && v.is("READ")) {
                    expect("COMMITTED");
                    value = "READ COMMITTED";
                }
                settings.add(new Ast.SessionSetting(parameter, value, pos));
            } while (peek().type() != T.EOF);
            return new Ast.AlterSession(List.copyOf(settings));
        }
        if (accept("CACHE")) {
            expect("GROUP");
            Ast.Name g = name();
            expect("SET");
            expect("AUTOREFRESH");
            if (accept("MODE")) return new Ast.AlterCacheGroup(g, refreshMode(), null, null);
            if (accept("INTERVAL")) return new Ast.AlterCacheGroup(g, null, refreshInterval(), null);
            expect("STATE");
            return new Ast.AlterCacheGroup(g, null, null, refreshState());
        }
        if (accept("PROFILE")) return profile(true);
        expect("USER");
        String u = identifier();
        String password = null;
        if (accept("IDENTIFIED")) {
            expect("BY");
            password = password();
        }
        Account account = account();
        if (password == null && account.profile() == null && account.lock() == null && !account.expire()) {
            throw error("expected IDENTIFIED BY, PROFILE, ACCOUNT or PASSWORD EXPIRE but found " + describe(peek()));
        }
        return new Ast.AlterUser(u, password, account.profile(), account.lock(), account.expire());
    }

    private Ast.Stmt call() {
        expect("CALL");
        String proc = identifier();
        List<Expr> args = new ArrayList<>();
        if (accept("(")) {
            if (!accept(")")) {
                do args.add(expr()); while (accept(","));
                expect(")");
            }
        }
        return new Ast.CallProc(proc, args);
    }

    private Ast.Stmt grantRevoke() {
        boolean grant = next().text().equals("GRANT");
        List<String> privs = new ArrayList<>();
        do {
            Token first = next();
            if (first.type() != T.IDENT) {
                at--;
                throw error("expected a privilege to " + (grant ? "grant" : "revoke") + ", not " + describe(first));
            }
            StringBuilder p = new StringBuilder(first.text());
            while (peek().type() == T.IDENT && !peek().is("ON") && !peek().is("TO") && !peek().is("FROM")) {
                p.append(' ').append(next().text());
            }
            privs.add(p.toString());
        } while (accept(","));
        Ast.Name table = null;
        if (accept("ON")) table = name();
        if (grant) expect("TO");
        else expect("FROM");
        List<String> users = new ArrayList<>();
        do users.add(identifier()); while (accept(","));
        return new Ast.GrantRevoke(grant, privs, table, users);
    }

    // ---- expressions --------------------------------------------------------------------------

    Expr expr() {
        Expr e = nested(this::or);
        if (nesting == depthBase) checkDepth(e);
        return e;
    }

    /**
     * A subquery, its opening parenthesis read and SELECT next: {@code kind} of it, comparing
     * {@code arg} by {@code op} for IN, ANY and ALL. Its expressions are checked for depth on
     * their own; its nesting still counts against {@link #MAX_NESTING}.
     */
    private Expr.Subquery subquery(int pos, Expr.Subquery.Kind kind, Expr arg, String op, boolean negated) {
        int open = tokens.get(at - 1).pos();
        Ast.Select sel = nestedQuery();
        Token close = expect(")");
        return new Expr.Subquery(pos, kind, sel, arg, op, negated, sql.substring(open, close.pos() + 1));
    }

    /** A query inside another (a subquery, a derived table), at most {@link #MAX_SUBQUERY_DEPTH} deep. */
    private Ast.Select nestedQuery() {
        enterSubquery();
        int base = depthBase;
        depthBase = nesting;
        try {
            return query();
        } finally {
            depthBase = base;
            subqueries--;
        }
    }

    /**
     * Whether the parenthesis {@code ahead} tokens on opens a join, not a query: {@code (t x JOIN
     * ...)} or {@code ((SELECT ...) x JOIN ...)}, where {@code ((SELECT ...))} and {@code
     * ((SELECT ...) UNION ...)} are queries.
     */
    private boolean joinInParentheses(int ahead) {
        Token first = peek(ahead + 1);
        if (first.is("SELECT") || first.is("WITH") || ahead > MAX_NESTING) return false; // (past it: the query's nesting error)
        if (!first.is("(")) return true;
        if (joinInParentheses(ahead + 1)) return true;
        int depth = 0, i = ahead + 1;
        for (; peek(i).type() != T.EOF; i++) {
            if (peek(i).is("(")) depth++;
            else if (peek(i).is(")") && --depth == 0) break;
        }
        Token after = peek(i + 1);
        return !(after.is(")") || after.is("UNION") || after.is("INTERSECT") || after.is("MINUS") || after.is("EXCEPT")
                || after.is("ORDER") || after.is("LIMIT") || after.is("OFFSET") || after.is("FETCH"));
    }

    /** One level deeper in queries (a subquery, a derived table, a join in parentheses); TT90035 past {@link #MAX_SUBQUERY_DEPTH}. */
    private void enterSubquery() {
        if (subqueries == MAX_SUBQUERY_DEPTH) {
            throw ErrorCode.STATEMENT_TOO_COMPLEX.error("subqueries nested more than " + MAX_SUBQUERY_DEPTH
                    + " deep at position " + (peek().pos() + 1));
        }
        subqueries++;
    }

    /** A parenthesised join's FROM list, counted as a nested query against {@link #MAX_SUBQUERY_DEPTH}. */
    private FromClause nestedFrom() {
        enterSubquery();
        try {
            return fromClause();
        } finally {
            subqueries--;
        }
    }

    /** Whether a parenthesised subquery starts here. */
    private boolean subqueryAhead() { return peek().is("(") && (peek(1).is("SELECT") || peek(1).is("WITH")); }

    /** {@code body} one level deeper in the parser's recursion; TT90035 past {@link #MAX_NESTING}. */
    private Expr nested(java.util.function.Supplier<Expr> body) {
        nesting++;
        try {
            if (nesting > MAX_NESTING) {
                throw ErrorCode.STATEMENT_TOO_COMPLEX.error("expressions nested more than " + MAX_NESTING
                        + " deep (parentheses, NOT, signs) at position " + (peek().pos() + 1));
            }
            return body.get();
        } finally {
            nesting--;
        }
    }

    /** TT90035 if the tree is deeper than {@link #MAX_DEPTH}; walked without recursion. */
    private static void checkDepth(Expr root) {
        java.util.ArrayDeque<Expr> nodes = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        while (!nodes.isEmpty()) {
            Expr e = nodes.pop();
            int d = depths.pop();
            if (d > MAX_DEPTH) {
                throw ErrorCode.STATEMENT_TOO_COMPLEX.error("an expression more than " + MAX_DEPTH
                        + " operators deep at position " + (e.pos + 1));
            }
            e.children(c -> {
                nodes.push(c);
                depths.push(d + 1);
            });
        }
    }

    private Expr or() { return chain("OR", this::and); }

    private Expr and() { return chain("AND", this::not); }

    /**
     * {@code term (op term)*} for an associative op (AND, OR), as a balanced tree: evaluated left
     * to right as a left-deep one would be, but only about log2(n) deep.
     */
    private Expr chain(String op, java.util.function.Supplier<Expr> term) {
        Expr first = term.get();
        if (!peek().is(op)) return first;
        List<Expr> terms = new ArrayList<>();
        List<Integer> positions = new ArrayList<>(); // positions.get(i): the op before terms.get(i + 1)
        terms.add(first);
        while (peek().is(op)) {
            positions.add(next().pos());
            terms.add(term.get());
        }
        return balanced(op, terms, positions, 0, terms.size());
    }

    private static Expr balanced(String op, List<Expr> terms, List<Integer> positions, int from, int to) {
        if (to - from == 1) return terms.get(from);
        int mid = (from + to + 1) / 2; // the left half takes the odd term: two or three terms nest as before
        return new Expr.Binary(positions.get(mid - 1), op, balanced(op, terms, positions, from, mid),
                balanced(op, terms, positions, mid, to));
    }

    private Expr not() {
        if (peek().is("NOT")) {
            int pos = next().pos();
            return new Expr.Unary(pos, "NOT", nested(this::not));
        }
        return predicate();
    }

    private Expr predicate() {
        if (rowAhead()) return rowPredicate();
        Expr e = additive();
        while (true) {
            Token t = peek();
            if (t.type() == T.OP && Set.of("=", "<>", "<", "<=", ">", ">=").contains(t.text())) {
                next();
                if ((peek().is("ANY") || peek().is("SOME") || peek().is("ALL")) && peek(1).is("(")) {
                    e = quantified(t, e, next().is("ALL"));
                } else {
                    e = new Expr.Binary(t.pos(), t.text(), e, additive());
                }
                continue;
            }
            boolean negated = false;
            if (t.is("NOT") && (peek(1).is("IN") || peek(1).is("BETWEEN") || peek(1).is("LIKE"))) {
                next();
                negated = true;
                t = peek();
            }
            if (t.is("IS")) {
                next();
                boolean neg = accept("NOT");
                expect("NULL");
                e = new Expr.IsNull(t.pos(), e, neg);
            } else if (t.is("IN")) {
                next();
                if (subqueryAhead()) {
                    next();
                    e = subquery(t.pos(), Expr.Subquery.Kind.IN, e, "=", negated);
                    continue;
                }
                expect("(");
                List<Expr> list = new ArrayList<>();
                do list.add(expr()); while (accept(","));
                expect(")");
                e = new Expr.InList(t.pos(), e, list, negated);
            } else if (t.is("BETWEEN")) {
                next();
                Expr lo = additive();
                expect("AND");
                Expr hi = additive();
                e = new Expr.Between(t.pos(), e, lo, hi, negated);
            } else if (t.is("LIKE")) {
                next();
                Expr p = additive();
                Expr esc = accept("ESCAPE") ? primary() : null;
                e = new Expr.Like(t.pos(), e, p, esc, negated);
            } else {
                return e;
            }
        }
    }

    /** Whether a row of values, {@code (a, b, ...)}, comes next: a comma inside the parentheses that open here. */
    private boolean rowAhead() {
        if (!peek().is("(") || peek(1).is("SELECT") || peek(1).is("WITH")) return false;
        int depth = 0;
        for (int i = at; i < tokens.size() && tokens.get(i).type() != T.EOF; i++) {
            Token t = tokens.get(i);
            if (t.is("(")) depth++;
            else if (t.is(")") && --depth == 0) return false;
            else if (t.is(",") && depth == 1) return true;
        }
        return false;
    }

    /**
     * A comparison of rows of values, Oracle's: {@code (a, b) [NOT] IN ((1, 2), (3, 4))} is the OR
     * of the rows' equalities ({@code a = 1 AND b = 2 OR ...}), {@code (a, b) = (x, y)} their AND
     * and {@code <>} its negation; {@code (a, b) [NOT] IN (SELECT x, y ...)} (or {@code = ANY},
     * {@code <> ALL}) and {@code (a, b) = | <> (SELECT x, y ...)} (a subquery of one row at most)
     * compare with a subquery's rows. Rows compare only as a whole (TT1001 elsewhere).
     */
    private Expr rowPredicate() {
        int pos = peek().pos();
        List<Expr> left = row();
        Expr.Row arg = new Expr.Row(pos, left);
        Token t = peek();
        boolean negated = t.is("NOT") && peek(1).is("IN");
        if (negated) {
            next();
            t = peek();
        }
        if (t.is("IN")) {
            next();
            if (subqueryAhead()) {
                next();
                return subquery(t.pos(), Expr.Subquery.Kind.IN, arg, "=", negated);
            }
            expect("(");
            List<Expr> alternatives = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            do {
                alternatives.add(rowEquality(t.pos(), left, row()));
                if (peek().is(",")) positions.add(peek().pos());
            } while (accept(","));
            expect(")");
            Expr any = balanced("OR", alternatives, positions, 0, alternatives.size());
            return negated ? new Expr.Unary(t.pos(), "NOT", any) : any;
        }
        if (t.is("=") || t.is("<>")) {
            next();
            boolean equal = t.is("=");
            if ((peek().is("ANY") || peek().is("SOME")) && equal || peek().is("ALL") && !equal) {
                next();
                if (!subqueryAhead()) throw error("a row compares with " + (equal ? "= ANY" : "<> ALL") + " a subquery, not a list (write IN)");
                next();
                return subquery(t.pos(), Expr.Subquery.Kind.IN, arg, "=", !equal);
            }
            if (subqueryAhead()) {
                next();
                return subquery(t.pos(), Expr.Subquery.Kind.SCALAR, arg, "=", !equal);
            }
            Expr eq = rowEquality(t.pos(), left, row());
            return equal ? eq : new Expr.Unary(t.pos(), "NOT", eq);
        }
        throw error("a row of values " + arg.text() + " is compared with = or <>, or tested with [NOT] IN, not followed by "
                + describe(t));
    }

    private List<Expr> row() { return parenthesized(this::expr); }

    /** The AND of {@code left[i] = right[i]}; TT1001 if the rows' lengths differ. */
    private Expr rowEquality(int pos, List<Expr> left, List<Expr> right) {
        if (right.size() != left.size()) {
            throw ErrorCode.SYNTAX_ERROR.error(pos + 1, "a row of " + left.size() + " values compared with a row of " + right.size());
        }
        List<Expr> terms = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < left.size(); i++) {
            terms.add(new Expr.Binary(pos, "=", left.get(i), right.get(i)));
            if (i > 0) positions.add(pos);
        }
        return balanced("AND", terms, positions, 0, terms.size());
    }

    /**
     * {@code arg op ANY|ALL (subquery | list)}; a list is the OR (ANY) or AND (ALL) of the
     * comparisons, as Oracle defines it.
     */
    private Expr quantified(Token op, Expr arg, boolean all) {
        if (peek(1).is("SELECT") || peek(1).is("WITH")) {
            next();
            return subquery(op.pos(), all ? Expr.Subquery.Kind.ALL : Expr.Subquery.Kind.ANY, arg, op.text(), false);
        }
        expect("(");
        List<Expr> terms = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        do {
            terms.add(new Expr.Binary(op.pos(), op.text(), arg, expr()));
            if (peek().is(",")) positions.add(peek().pos());
        } while (accept(","));
        expect(")");
        return balanced(all ? "AND" : "OR", terms, positions, 0, terms.size());
    }

    private Expr additive() {
        Expr e = multiplicative();
        while (peek().is("+") || peek().is("-") || peek().is("||")) {
            Token t = next();
            e = new Expr.Binary(t.pos(), t.text(), e, multiplicative());
        }
        return e;
    }

    private Expr multiplicative() {
        Expr e = unary();
        while (peek().is("*") || peek().is("/")) {
            Token t = next();
            e = new Expr.Binary(t.pos(), t.text(), e, unary());
        }
        return e;
    }

    private Expr unary() {
        if ((peek().is("PRIOR") || peek().is("CONNECT_BY_ROOT")) && operandAhead(1)) {
            Token op = next();
            Expr arg = nested(this::unary);
            return new Expr.Tree(op.pos(), op.is("PRIOR") ? Expr.Tree.Kind.PRIOR : Expr.Tree.Kind.ROOT, arg, null);
        }
        if (!peek().is("-") && !peek().is("+")) return primary();
        Token sign = next();
        Expr inner = nested(this::unary);
        if (sign.is("+")) return inner;
        if (inner instanceof Expr.Literal l && io.hourglass.engine.catalog.Values.isNumber(l.value)) {
            return new Expr.Literal(sign.pos(), io.hourglass.engine.catalog.Values.negate(l.value), l.type);
        }
        return new Expr.Unary(sign.pos(), "-", inner);
    }

    /** {@code LISTAGG(} read: {@code [DISTINCT] value [, 'sep']) [WITHIN GROUP (ORDER BY ...)]}. */
    private Expr.Aggregate listagg(Token t) {
        boolean distinct = accept("DISTINCT");
        Expr value = expr();
        Expr.Literal separator = new Expr.Literal(t.pos(), null, SqlType.VARCHAR_ANY);
        if (accept(",")) {
            Expr sep = expr();
            if (!(sep instanceof Expr.Literal l) || l.value != null && !(l.value instanceof String)) {
                throw ErrorCode.SEMANTIC_ERROR.error("LISTAGG's separator must be a string literal, not " + sep.text());
            }
            separator = l;
        }
        expect(")");
        List<Expr> keys = new ArrayList<>();
        List<Boolean> desc = new ArrayList<>(), nullsFirst = new ArrayList<>();
        if (accept("WITHIN")) {
            expect("GROUP");
            expect("(");
            expect("ORDER");
            expect("BY");
            for (Ast.OrderItem o : orderItems()) {
                keys.add(o.expr());
                desc.add(o.descending());
                nullsFirst.add(o.nullsFirst());
            }
            expect(")");
        }
        return Expr.Aggregate.listagg(t.pos(), distinct, value, separator, keys, desc, nullsFirst);
    }

    /** Whether an operand starts {@code ahead} tokens on (after PRIOR: {@code PRIOR id}, not a column named PRIOR). */
    private boolean operandAhead(int ahead) {
        Token t = peek(ahead);
        return switch (t.type()) {
            case QUOTED, NUMBER, STRING, PARAM -> true;
            case IDENT -> !RESERVED.contains(t.text()) || t.is("CASE") || t.is("NULL");
            case OP -> t.is("(");
            default -> false;
        };
    }

    private Expr primary() {
        Token t = next();
        switch (t.type()) {
            case NUMBER -> {
                String s = t.text();
                if (s.contains("e") || s.contains("E")) return new Expr.Literal(t.pos(), Double.parseDouble(s), SqlType.DOUBLE);
                BigDecimal d = io.hourglass.engine.catalog.Values.number(new BigDecimal(s));
                if (d.scale() <= 0 && d.setScale(0).unscaledValue().bitLength() < 63) return new Expr.Literal(t.pos(), d.longValue(), SqlType.BIGINT);
                return new Expr.Literal(t.pos(), d, SqlType.NUMBER);
            }
            case STRING -> {
                return new Expr.Literal(t.pos(), t.text(), SqlType.varchar(Math.max(1, t.text().codePointCount(0, t.text().length()))));
            }
            case PARAM -> {
                return new Expr.Param(t.pos(), paramCount++);
            }
            case OP -> {
                if (t.text().equals("(")) {
                    if (peek().is("SELECT") || peek().is("WITH")) return subquery(t.pos(), Expr.Subquery.Kind.SCALAR, null, null, false);
                    Expr e = expr();
                    expect(")");
                    return e;
                }
                at--;
                throw error("unexpected " + describe(t));
            }
            case EOF -> {
                at--;
                throw error("unexpected end of the statement");
            }
            case OTHER -> {
                at--;
                throw error("unexpected " + describe(t));
            }
            default -> { }
        }
        if (t.type() == T.QUOTED) return columnRef(t);
        String w = t.text();
        switch (w) {
            case "NULL" -> { return new Expr.Literal(t.pos(), null, SqlType.VARCHAR_ANY); }
            case "TRUE" -> { return new Expr.Literal(t.pos(), Boolean.TRUE, SqlType.BOOLEAN); }
            case "FALSE" -> { return new Expr.Literal(t.pos(), Boolean.FALSE, SqlType.BOOLEAN); }
            case "SYSDATE" -> { return new Expr.Sysdate(t.pos(), false); }
            case "ROWNUM" -> { return new Expr.RowNum(t.pos()); }
            case "SYSTIMESTAMP", "CURRENT_TIMESTAMP" -> { return new Expr.Sysdate(t.pos(), true); }
            case "CURRENT_DATE" -> { return new Expr.Sysdate(t.pos(), false); }
            case "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER", "TT_SYSDATE", "ORA_SYSDATE" -> {
                if (!peek().is("(") && !peek().is(".")) return new Expr.Keyword(t.pos(), w);
            }
            case "DATE", "TIMESTAMP" -> {
                if (peek().type() == T.STRING) {
                    Token s = next();
                    SqlType ty = w.equals("DATE") ? SqlType.DATE : SqlType.TIMESTAMP;
                    try {
                        return new Expr.Literal(t.pos(), ty.coerce(s.text(), w + " literal"), ty);
                    } catch (HourglassException e) {
                        throw ErrorCode.SYNTAX_ERROR.error(s.pos() + 1, "invalid " + w + " literal '" + s.text() + "'");
                    }
                }
            }
            case "INTERVAL" -> {
                boolean sign = (peek().is("-") || peek().is("+")) && peek(1).type() == T.STRING;
                if (sign || peek().type() == T.STRING) return interval(t, sign && next().is("-"));
            }
            case "CASE" -> { return caseExpr(t); }
            case "SYS_CONNECT_BY_PATH" -> {
                if (peek().is("(")) {
                    next();
                    Expr value = expr();
                    expect(",");
                    Expr separator = expr();
                    expect(")");
                    return new Expr.Tree(t.pos(), Expr.Tree.Kind.PATH, value, separator);
                }
            }
            case "EXTRACT" -> {
                if (peek().is("(")) {
                    next();
                    Token field = next();
                    if (!Set.of("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND").contains(field.text())) {
                        at--;
                        throw error("EXTRACT takes YEAR, MONTH, DAY, HOUR, MINUTE or SECOND, not " + describe(field));
                    }
                    expect("FROM");
                    Expr from = expr();
                    expect(")");
                    return new Expr.Call(t.pos(), "EXTRACT", List.of(new Expr.Literal(field.pos(), field.text(), SqlType.VARCHAR_ANY), from));
                }
            }
            case "TIMESTAMPADD", "TIMESTAMPDIFF" -> {
                if (peek().is("(")) {
                    next();
                    Token unit = next();
                    if (unit.type() != T.IDENT || !TimestampIntervals.UNITS.contains(unit.text())) {
                        at--;
                        throw error(w + " takes an interval of " + String.join(", ", TimestampIntervals.UNITS) + " first, not " + describe(unit));
                    }
                    expect(",");
                    Expr first = expr();
                    expect(",");
                    Expr second = expr();
                    expect(")");
                    return new Expr.Call(t.pos(), w, List.of(new Expr.Literal(unit.pos(), unit.text(), SqlType.VARCHAR_ANY), first, second));
                }
            }
            case "EXISTS" -> {
                if (subqueryAhead()) {
                    next();
                    return subquery(t.pos(), Expr.Subquery.Kind.EXISTS, null, null, false);
                }
            }
            case "CAST" -> {
                expect("(");
                Expr e = expr();
                expect("AS");
                SqlType ty = type();
                expect(")");
                return new Expr.Cast(t.pos(), e, ty);
            }
            default -> { }
        }
        if (RESERVED.contains(w) && !w.equals(LIMIT_COLUMN)) {
            at--;
            throw error("unexpected keyword " + w);
        }
        if (peek().is("(") && !outerJoinMarkAhead()) {
            next();
            if (AGGREGATES.contains(w)) {
                Expr.Aggregate a;
                if (w.equals("COUNT") && accept("*")) {
                    expect(")");
                    a = new Expr.Aggregate(t.pos(), w, null, false);
                } else if (w.equals("LISTAGG")) {
                    a = listagg(t);
                } else {
                    boolean distinct = accept("DISTINCT");
                    Expr arg = expr();
                    expect(")");
                    a = new Expr.Aggregate(t.pos(), w, arg, distinct);
                }
                if (!peek().is("OVER")) return a;
                if (a.separator != null) {
                    // Oracle's LISTAGG ... OVER (PARTITION BY ...): the whole partition's list on each of its rows
                    Expr.Window lw = (Expr.Window) over(t, w, a, List.of());
                    if (!lw.order.isEmpty()) throw error("LISTAGG ... OVER takes PARTITION BY only (its order is WITHIN GROUP's)");
                    return lw;
                }
                if (a.distinct) throw error("DISTINCT in a window function is not supported");
                return over(t, w, a, List.of());
            }
            List<Expr> args = new ArrayList<>();
            boolean valueFunction = w.equals("FIRST_VALUE") || w.equals("LAST_VALUE") || OFFSETS.contains(w);
            Boolean ignoreNulls = null;
            if (!accept(")")) {
                do args.add(expr()); while (accept(","));
                if (valueFunction) ignoreNulls = nullTreatment();
                expect(")");
            }
            // Oracle takes IGNORE / RESPECT NULLS inside the parentheses or after them
            if (valueFunction && ignoreNulls == null) ignoreNulls = nullTreatment();
            if (ignoreNulls != null && !peek().is("OVER")) throw error(w + " " + (ignoreNulls ? "IGNORE" : "RESPECT") + " NULLS needs OVER (...)");
            if (w.equals("GROUPING") || w.equals("GROUPING_ID") || w.equals("GROUP_ID")) {
                int want = w.equals("GROUPING") ? 1 : w.equals("GROUP_ID") ? 0 : -1;
                if (want >= 0 ? args.size() != want : args.isEmpty()) {
                    throw error(w + (want == 0 ? " takes no arguments" : want == 1 ? " takes one argument" : " takes one argument or more"));
                }
                return new Expr.Grouping(t.pos(), w, List.copyOf(args));
            }
            if (w.equals("EMPTY_CLOB") || w.equals("EMPTY_BLOB")) { // (a LOB of no length, which is not NULL)
                if (!args.isEmpty()) throw error(w + " takes no arguments");
                return w.equals("EMPTY_CLOB") ? new Expr.Literal(t.pos(), "", SqlType.varchar(1))
                        : new Expr.Literal(t.pos(), new io.hourglass.engine.store.Bytes(new byte[0]), SqlType.varbinary(1));
            }
            if (w.equals("GETDATE")) { // (TimesTen's SYSDATE, as SQL Server writes it)
                if (!args.isEmpty()) throw error("GETDATE takes no arguments");
                return new Expr.Sysdate(t.pos(), false);
            }
            if (RANKING.contains(w)) {
                if (!args.isEmpty()) throw error(w + " takes no arguments");
                if (!peek().is("OVER")) throw error(w + " needs OVER (...)");
                return over(t, w, null, List.of());
            }
            if (OFFSETS.contains(w) && peek().is("OVER")) {
                if (args.isEmpty() || args.size() > 3) throw error(w + " takes a value, and an offset and a default if wanted");
                return over(t, w, null, args, Boolean.TRUE.equals(ignoreNulls));
            }
            if (ONE_ARGUMENT.contains(w) && peek().is("OVER")) {
                if (args.size() != 1) throw error(w + " takes one argument");
                return over(t, w, null, args, Boolean.TRUE.equals(ignoreNulls));
            }
            return new Expr.Call(t.pos(), UCS4.getOrDefault(w, w), args);
        }
        return columnRef(t);
    }

    /**
     * LIMIT, reserved here for {@code LIMIT n}, is no keyword in Oracle, and DBA_PROFILES has a
     * column of that name: where a column is read, it is one.
     */
    private static final String LIMIT_COLUMN = "LIMIT";

    /** A name after a qualifier's dot: an identifier, or LIMIT (see {@link #LIMIT_COLUMN}). */
    private String columnName() { return accept(LIMIT_COLUMN) ? LIMIT_COLUMN : identifier(); }

    private Expr columnRef(Token first) {
        String a = first.text();
        if (accept(".")) {
            if (pseudoColumnAhead()) return new Expr.SequenceRef(first.pos(), null, a, next().text().equals("NEXTVAL"));
            String b = columnName();
            if (accept(".")) {
                if (pseudoColumnAhead()) return new Expr.SequenceRef(first.pos(), a, b, next().text().equals("NEXTVAL"));
                return marked(new Expr.ColumnRef(first.pos(), a + "." + b, columnName()));
            }
            return marked(new Expr.ColumnRef(first.pos(), a, b));
        }
        return marked(new Expr.ColumnRef(first.pos(), null, a));
    }

    /** {@code ref}, marked with Oracle's outer join operator if {@code (+)} follows it. */
    private Expr.ColumnRef marked(Expr.ColumnRef ref) {
        if (outerJoinMarkAhead()) {
            outerJoinMarks.add(peek().pos());
            at += 3;
            ref.outerJoin = true;
        }
        return ref;
    }

    private boolean outerJoinMarkAhead() { return peek().is("(") && peek(1).is("+") && peek(2).is(")"); }

    /** A sequence's NEXTVAL or CURRVAL (unquoted: a quoted "NEXTVAL" is a column). */
    private boolean pseudoColumnAhead() {
        return peek().type() == T.IDENT && (peek().is("NEXTVAL") || peek().is("CURRVAL"));
    }

    /**
     * CREATE SEQUENCE name [INCREMENT BY n] [START WITH n] [MINVALUE n | NOMINVALUE]
     * [MAXVALUE n | NOMAXVALUE] [CYCLE | NOCYCLE] [CACHE n | NOCACHE], in any order.
     */
    private Ast.Stmt createSequence() {
        Ast.Name n = name();
        Long increment = null, start = null, min = null, max = null, cache = null;
        Boolean cycle = null;
        while (peek().type() == T.IDENT) {
            Token t = peek();
            if (accept("INCREMENT")) { expect("BY"); increment = once(increment, signedInteger(), t); }
            else if (accept("START")) { expect("WITH"); start = once(start, signedInteger(), t); }
            else if (accept("MINVALUE")) min = once(min, signedInteger(), t);
            else if (accept("MAXVALUE")) max = once(max, signedInteger(), t);
            else if (accept("NOMINVALUE") || accept("NOMAXVALUE")) { }
            else if (accept("CYCLE")) cycle = once(cycle, true, t);
            else if (accept("NOCYCLE")) cycle = once(cycle, false, t);
            else if (accept("CACHE")) cache = once(cache, signedInteger(), t);
            else if (accept("NOCACHE")) cache = once(cache, 1L, t);
            else break;
        }
        return new Ast.CreateSequence(n, increment, start, min, max, cycle, cache);
    }

    private <V> V once(V before, V now, Token t) {
        if (before != null) throw ErrorCode.SYNTAX_ERROR.error(t.pos() + 1, t.text() + " is given twice");
        return now;
    }

    private long signedInteger() {
        boolean negative = accept("-");
        if (!negative) accept("+");
        long v = integer();
        return negative ? -v : v;
    }

    private Expr caseExpr(Token t) {
        Expr operand = peek().is("WHEN") ? null : expr();
        List<Expr> whens = new ArrayList<>(), thens = new ArrayList<>();
        while (accept("WHEN")) {
            whens.add(expr());
            expect("THEN");
            thens.add(expr());
        }
        if (whens.isEmpty()) throw error("CASE needs at least one WHEN");
        Expr otherwise = accept("ELSE") ? expr() : null;
        expect("END");
        return new Expr.Case(t.pos(), operand, whens, thens, otherwise);
    }
}
