package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves column references against the FROM sources and infers expression types. A binder
 * made with a session plans the subqueries it meets, each with a binder of its own whose parent
 * is this one: a column the subquery's sources lack is looked for in the enclosing queries,
 * innermost first, which makes the subquery correlated.
 */
final class Binder {
    private final Table[] tables;
    private final Session session;   // null: no subquery may appear (a DEFAULT, a CALL argument)
    private final Binder parent;     // the enclosing query's, for a subquery
    private final Expr.Subquery owner;
    private final List<Expr.Subquery> subqueries = new ArrayList<>();
    /** Whether the query is hierarchical (CONNECT BY): PRIOR, LEVEL and the like may appear. */
    boolean hierarchical;
    /** Whether NEXTVAL and CURRVAL may appear in what is bound now (a select list, VALUES, SET). */
    boolean sequencesAllowed;
    /**
     * The sources whose ROWID something bound reads (a bit each): their rows carry it after
     * their columns ({@link Executor.QueryPlan#rowIdLevels}).
     */
    long rowIdSources;
    /** The sequence references bound so far, to tie a row's CURRVAL to its NEXTVAL. */
    private final List<Expr.SequenceRef> sequenceRefs = new ArrayList<>();

    Binder(Table[] tables, String[] aliases) { this(tables, aliases, null, null, null); }

    Binder(Table[] tables, String[] aliases, Session session) { this(tables, aliases, session, null, null); }

    Binder(Table[] tables, String[] aliases, Session session, Binder parent, Expr.Subquery owner) {
        this(tables, aliases, null, session, parent, owner);
    }

    /** With {@code nests}: per source, the parts of a join nest, null for any other source. */
    Binder(Table[] tables, String[] aliases, Part[][] nests, Session session, Binder parent, Expr.Subquery owner) {
        this.tables = tables;
        this.session = session;
        this.parent = parent;
        this.owner = owner;
        this.parts = new Part[tables.length][];
        for (int s = 0; s < tables.length; s++) {
            parts[s] = nests != null && nests[s] != null ? nests[s] : new Part[] {new Part(aliases[s], tables[s], 0)};
        }
    }

    /**
     * A named part of a source's row: {@code table}'s columns from {@code offset} on, by the
     * correlation name {@code alias}, else the table's name. A table or a derived table is one
     * part of its own row; a join nest's row is its sources' rows side by side, each a part,
     * so {@code a.x} still names a's column in {@code (a JOIN b ON ...) FULL JOIN c ON ...}.
     */
    record Part(String alias, Table table, int offset) {
        boolean matches(String qualifier) {
            if (alias != null) return alias.equals(qualifier);
            return table.name().equals(qualifier) || table.qualifiedName().equals(qualifier);
        }
    }

    private final Part[][] parts;

    /**
     * A column a USING or NATURAL join made one: an unqualified {@code name} reads column
     * {@code index} of source {@code source} (the left side's, or a RIGHT JOIN's right side's),
     * and {@code *} lists it once, first of its join's columns: before the first of the join's
     * left side's sources ({@code left}, a bit each). The columns it was made of are hidden from
     * unqualified names and from {@code *} ({@link #hidden}); qualified, each is still its table's.
     */
    record Merged(String name, int source, int index, long left) {}

    /** The merged columns, newest join's first (as {@code *} lists them). */
    private final List<Merged> merged = new ArrayList<>();
    /** Columns a merged column stands for, {@code source << 32 | index}. */
    private final java.util.Set<Long> hidden = new java.util.HashSet<>();

    private static long slot(int source, int index) { return (long) source << 32 | index; }

    /** The merged columns, newest first; a join nest's query hands them to the query around it. */
    List<Merged> merged() { return List.copyOf(merged); }

    /** The hidden columns (see {@link #merged}). */
    java.util.Set<Long> hidden() { return java.util.Set.copyOf(hidden); }

    /**
     * Takes the merged and hidden columns of the join nest that is source {@code s}, whose row
     * holds its sources' rows at {@code offsets} (by the nest's own source numbers).
     */
    void importNest(int s, List<Merged> nestMerged, java.util.Set<Long> nestHidden, int[] offsets) {
        for (Merged m : nestMerged) merged.add(new Merged(m.name(), s, offsets[m.source()] + m.index(), 1L << s));
        for (long h : nestHidden) hidden.add(slot(s, offsets[(int) (h >>> 32)] + (int) h));
    }

    /** Where each source's row starts in a row of the sources side by side in {@code order} (null: FROM order), by source. */
    int[] rowOffsets(int[] order) {
        int[] out = new int[tables.length];
        int at = 0;
        for (int o = 0; o < tables.length; o++) {
            int s = order == null ? o : order[o];
            out[s] = at;
            at += tables[s].columns().size();
        }
        return out;
    }

    /**
     * A USING or NATURAL join's condition, each column of the left side's sources equal to the
     * right side's, as column references for {@link #bind}; the columns become merged ones. A
     * column is looked for on each side as an unqualified name would be there (a merged column of
     * an earlier join first): TT2211 if a side lacks it, TT90017 if a side has it twice. NATURAL
     * joins the columns both sides have (none: a cross join).
     */
    Expr using(Expr.Using u) {
        List<String> names = u.columns;
        if (names == null) {
            names = visibleNames(u.left);
            names.retainAll(visibleNames(u.right));
        } else if (new java.util.HashSet<>(names).size() < names.size()) {
            throw ErrorCode.SEMANTIC_ERROR.error("a column named twice in USING (" + String.join(", ", names) + ")");
        }
        Expr condition = null;
        List<Merged> made = new ArrayList<>();
        for (String n : names) {
            int[] l = side(u.left, n, "left"), r = side(u.right, n, "right");
            merged.removeIf(m -> m.name().equals(n) && (m.source() == l[0] && m.index() == l[1] || m.source() == r[0] && m.index() == r[1]));
            hidden.add(slot(l[0], l[1]));
            hidden.add(slot(r[0], r[1]));
            int[] kept = u.kind == Expr.Using.Kind.RIGHT ? r : l;
            made.add(new Merged(n, kept[0], kept[1], sourcesNamed(u.left)));
            condition = Expr.and(condition, new Expr.Binary(u.pos, "=", reference(l, n, u.pos), reference(r, n, u.pos)));
        }
        merged.addAll(0, made);
        return condition != null ? condition : new Expr.Literal(u.pos, Boolean.TRUE, SqlType.BOOLEAN);
    }

    /** The sources with a part named in {@code names}, a bit each. */
    private long sourcesNamed(List<String> names) {
        long out = 0;
        for (int s = 0; s < tables.length; s++) {
            for (Part p : parts[s]) if (names.stream().anyMatch(p::matches)) out |= 1L << s;
        }
        return out;
    }

    /** A reference to column {@code index} of source {@code source} that resolves to it alone: qualified by its part's name. */
    private Expr.ColumnRef reference(int[] at, String name, int pos) { return new Expr.ColumnRef(pos, qualifierOf(partOf(at[0], at[1])), name); }

    /** The name that qualifies {@code p}'s columns alone: its alias, else its table's name, or owner.name if another part has that name. */
    private String qualifierOf(Part p) {
        if (p.alias != null) return p.alias;
        for (Part[] ps : parts) {
            for (Part o : ps) if (o != p && o.matches(p.table.name())) return p.table.qualifiedName();
        }
        return p.table.name();
    }

    /** Column {@code name} of the side of a join whose sources' parts are named {@code side}, as {source, index}. */
    private int[] side(List<String> side, String name, String which) {
        for (Merged m : merged) {
            if (m.name().equals(name) && side.stream().anyMatch(q -> partOf(m.source(), m.index()).matches(q))) return new int[] {m.source(), m.index()};
        }
        int[] found = null;
        for (int s = 0; s < tables.length; s++) {
            for (Part p : parts[s]) {
                if (side.stream().noneMatch(p::matches)) continue;
                List<Column> cols = p.table.columns();
                for (int i = 0; i < cols.size(); i++) {
                    if (!cols.get(i).name().equals(name) || hidden.contains(slot(s, p.offset + i))) continue;
                    if (found != null) throw ErrorCode.AMBIGUOUS_COLUMN.error(name + " (on the " + which + " side of a USING or NATURAL join)");
                    found = new int[] {s, p.offset + i};
                }
            }
        }
        if (found == null) throw ErrorCode.COLUMN_NOT_FOUND.error(name + " (on the " + which + " side of a USING or NATURAL join)");
        return found;
    }

    /** The names an unqualified column of the side named {@code side} may have: merged ones, then the others not hidden. */
    private List<String> visibleNames(List<String> side) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (Merged m : merged) if (side.stream().anyMatch(q -> partOf(m.source(), m.index()).matches(q))) out.add(m.name());
        for (int s = 0; s < tables.length; s++) {
            for (Part p : parts[s]) {
                if (side.stream().noneMatch(p::matches)) continue;
                List<Column> cols = p.table.columns();
                for (int i = 0; i < cols.size(); i++) if (!hidden.contains(slot(s, p.offset + i))) out.add(cols.get(i).name());
            }
        }
        return new ArrayList<>(out);
    }

    /** The part of source {@code s}'s row that column {@code index} is in. */
    Part partOf(int s, int index) {
        for (Part p : parts[s]) if (index >= p.offset && index < p.offset + p.table.columns().size()) return p;
        throw new IllegalArgumentException("no part of source " + s + " has column " + index);
    }

    /** The parts of a row that lists the sources in {@code order} (null: FROM order) side by side, as {@code *} does. */
    Part[] starParts(int[] order) {
        List<Part> out = new ArrayList<>();
        int at = 0;
        for (int o = 0; o < tables.length; o++) {
            for (Part p : parts[order == null ? o : order[o]]) {
                out.add(new Part(p.alias, p.table, at));
                at += p.table.columns().size();
            }
        }
        return out.toArray(new Part[0]);
    }

    private static SqlType aggregateType(Expr.Aggregate a) {
        return switch (a.name) {
            case "COUNT" -> SqlType.BIGINT;
            case "SUM" -> a.arg.type.kind().isInteger() ? SqlType.BIGINT : (isDouble(a.arg.type) ? SqlType.DOUBLE : SqlType.NUMBER);
            case "AVG" -> isDouble(a.arg.type) ? SqlType.DOUBLE : SqlType.NUMBER;
            case "LISTAGG" -> SqlType.VARCHAR_ANY;
            case String m when Moments.NAMES.contains(m) -> SqlType.NUMBER;
            default -> a.arg.type;
        };
    }

    /**
     * Binds {@code e} in place (its type, its sources, its column references); returns it for
     * chaining. An interval is not a value of its own, as in TimesTen: only a part of a date's
     * arithmetic (TT90015 anywhere else).
     */
    Expr bind(Expr e) {
        bindTree(e);
        if (isInterval(e)) throw misplacedInterval(e);
        return e;
    }

    private static boolean isInterval(Expr e) { return e.type != null && e.type.kind() == TypeKind.INTERVAL; }

    private static RuntimeException misplacedInterval(Expr e) {
        return ErrorCode.SEMANTIC_ERROR.error("the interval " + e.text() + " at position " + (e.pos + 1)
                + " must be added to or subtracted from a DATE or TIMESTAMP (an interval is not a value of its own)");
    }

    /**
     * Where an interval may stand: an operand of {@code date + interval}, {@code interval + date}
     * or {@code date - interval}, the date a DATE or TIMESTAMP expression or a parameter (whose
     * value is checked when it comes).
     */
    private static void checkIntervals(Expr e) {
        if (e instanceof Expr.Binary b && (b.op.equals("+") || b.op.equals("-")) && (isInterval(b.left) || isInterval(b.right))) {
            Expr interval = isInterval(b.right) ? b.right : b.left, date = interval == b.right ? b.left : b.right;
            if (b.op.equals("-") && interval == b.left) throw misplacedInterval(interval);
            if (!(date.type.kind().isDatetime() || date instanceof Expr.Param)) throw misplacedInterval(interval);
            return;
        }
        e.children(x -> { if (isInterval(x)) throw misplacedInterval(x); });
    }

    private Expr bindTree(Expr e) {
        e.children(this::bindTree);
        switch (e) {
            case Expr.ColumnRef c -> resolve(c);
            case Expr.Keyword k -> {
                Expr.ColumnRef named = new Expr.ColumnRef(k.pos, null, k.name); // (a column named USER, say, is that column)
                if (tryResolve(named)) k.column = named;
                k.sources = k.column == null ? 0 : named.sources;
                k.type = k.column == null ? k.meaningType() : named.type;
            }
            case Expr.SequenceRef q -> {
                if (session == null) throw ErrorCode.UNSUPPORTED.error("a sequence in a DEFAULT value or a CALL argument");
                if (!sequencesAllowed) {
                    throw ErrorCode.SEMANTIC_ERROR.error(q.text() + " at position " + (q.pos + 1) + " is allowed only in a select list, "
                            + "VALUES or SET");
                }
                var named = session.catalog().resolve(q.owner != null ? q.owner : session.user().name(), q.name, q.owner != null);
                String owner = named.owner();
                q.sequence = CatalogChanges.requireSequence(session.catalog(), owner, named.name());
                if (!session.catalog().has(session.user(), io.hourglass.engine.catalog.Privilege.SELECT, owner, q.sequence.qualifiedName())) {
                    throw ErrorCode.PRIVILEGE_REQUIRED.error(session.user().name(), "SELECT on sequence " + q.sequence.qualifiedName());
                }
                // Oracle: in a row that also takes the sequence's NEXTVAL, CURRVAL is that value,
                // wherever it is written in the row.
                for (Expr.SequenceRef other : sequenceRefs) {
                    if (other.sequence != q.sequence) continue;
                    if (q.next && !other.next) other.rowsNext = true;
                    if (!q.next && other.next) q.rowsNext = true;
                }
                sequenceRefs.add(q);
            }
            case Expr.Tree t -> {
                if (!hierarchical) throw ErrorCode.SEMANTIC_ERROR.error(t.text() + " at position " + (t.pos + 1) + " needs a hierarchical query (CONNECT BY)");
                if (t.kind == Expr.Tree.Kind.PATH && !(t.separator instanceof Expr.Literal || t.separator instanceof Expr.Param)) {
                    throw ErrorCode.SEMANTIC_ERROR.error("SYS_CONNECT_BY_PATH's separator must be a constant: " + t.text());
                }
                t.sources = t.arg.sources | 1L; // (the query's one source, whose rows it reads)
                t.type = t.kind == Expr.Tree.Kind.PATH ? SqlType.VARCHAR_ANY : t.arg.type;
            }
            case Expr.Subquery q when q.plan != null -> q.sources = (q.arg == null ? 0 : q.arg.sources) | q.outerSources;
            case Expr.Subquery q -> {
                if (session == null) throw ErrorCode.UNSUPPORTED.error("a subquery in a DEFAULT value or a CALL argument");
                q.plan = Executor.planQuery(q.select, session, this, q);
                subqueries.add(q);
                if (q.kind != Expr.Subquery.Kind.EXISTS && q.plan.columns.size() != q.width()) {
                    throw ErrorCode.SEMANTIC_ERROR.error("the subquery at position " + (q.pos + 1) + " must select "
                            + (q.width() == 1 ? "one column" : q.width() + " columns, as its row has values") + ", not " + q.plan.columns.size());
                }
                q.sources = (q.arg == null ? 0 : q.arg.sources) | q.outerSources;
                q.type = q.kind == Expr.Subquery.Kind.SCALAR && q.arg == null ? q.plan.columns.get(0).type() : SqlType.BOOLEAN;
            }
            case Expr.Binary b -> {
                b.sources = b.left.sources | b.right.sources;
                b.type = switch (b.op) {
                    case "+", "-", "*" -> arithmeticType(b.left.type, b.right.type);
                    case "/" -> isDouble(b.left.type) || isDouble(b.right.type) ? SqlType.DOUBLE : SqlType.NUMBER;
                    case "||" -> concatenationType(b.left.type, b.right.type);
                    default -> SqlType.BOOLEAN;
                };
                if (b.type == SqlType.BOOLEAN && !b.op.equals("AND") && !b.op.equals("OR")) {
                    b.left = asRowIdFor(b.right, b.left);
                    b.right = asRowIdFor(b.left, b.right);
                }
            }
            case Expr.InList il -> {
                long[] m = {0};
                il.children(x -> m[0] |= x.sources);
                il.sources = m[0];
                if (isRowId(il.arg)) il.replaceItems(x -> asRowIdFor(il.arg, x));
            }
            case Expr.Aggregate a -> {
                a.sources = a.arg == null ? 0 : a.arg.sources;
                a.type = aggregateType(a);
            }
            case Expr.Window w -> {
                long[] m = {0};
                w.children(x -> m[0] |= x.sources);
                w.sources = m[0];
                if (w.agg != null) w.agg.type = aggregateType(w.agg);
                w.type = w.agg != null ? w.agg.type : w.args.isEmpty() || w.name.equals("NTILE") ? SqlType.BIGINT
                        : w.args.size() > 2 ? commonType(List.of(w.args.get(0), w.args.get(2))) // LAG/LEAD's default
                        : w.args.get(0).type;
            }
            case Expr.Call c -> {
                long m = 0;
                for (Expr x : c.args) m |= x.sources;
                c.sources = m;
                checkArity(c);
                c.type = switch (c.name) {
                    case "LENGTH", "LENGTHB", "INSTR", "INSTRB", "ASCII", "SIGN", "EXTRACT", "TIMESTAMPDIFF", "TT_HASH", "REGEXP_INSTR", "VSIZE",
                         "NLS_CHARSET_ID" -> SqlType.BIGINT;
                    case "SOUNDEX" -> SqlType.varchar(4);
                    case "NLSSORT" -> SqlType.VARBINARY_ANY;
                    case "REGEXP_LIKE" -> SqlType.BOOLEAN; // (a condition, as LIKE)
                    case "REGEXP_SUBSTR" -> textOfLength(c.args.get(0).type);
                    // (a DATE stays a DATE; a parameter or text brings a TIMESTAMP)
                    case "TIMESTAMPADD" -> c.args.get(2).type.kind().isDatetime() ? c.args.get(2).type : SqlType.TIMESTAMP;
                    // (a NUMBER(p,s) rounded up may need a digit more: 999.5 to 1000)
                    case "ABS", "ROUND", "TRUNC", "FLOOR", "CEIL" -> c.args.get(0).type.kind() == TypeKind.NUMBER ? SqlType.NUMBER : c.args.get(0).type;
                    case "NULLIF" -> c.args.get(0).type;
                    case "MOD", "COALESCE", "NVL", "NANVL", "GREATEST", "LEAST" -> commonType(c.args);
                    case "SYS_GUID" -> SqlType.varbinary(Expr.Call.GUID_BYTES);
                    case "TO_NUMBER", "POWER", "SQRT", "EXP", "LN", "MONTHS_BETWEEN", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN",
                         "ATAN2", "SINH", "COSH", "TANH", "LOG" -> SqlType.NUMBER;
                    case "BITAND", "BITOR", "BITXOR", "BITNOT" -> SqlType.BIGINT;
                    case "TO_DATE", "ADD_MONTHS", "LAST_DAY" -> SqlType.DATE;
                    case "TO_TIMESTAMP" -> SqlType.TIMESTAMP;
                    case "CHARTOROWID" -> SqlType.ROWID;
                    case "NUMTODSINTERVAL", "NUMTOYMINTERVAL" -> SqlType.INTERVAL;
                    case "ROWIDTOCHAR" -> SqlType.varchar(io.hourglass.engine.catalog.RowIds.LENGTH);
                    case "SYS_CONTEXT" -> SqlType.varchar(c.args.size() < 3 ? Expr.Call.CONTEXT_LENGTH
                            : c.args.get(2) instanceof Expr.Literal l && l.value instanceof Long n ? Expr.Call.contextLength(n) : Expr.Call.CONTEXT_MAX_LENGTH);
                    case "DECODE" -> {
                        List<Expr> results = new ArrayList<>(); // DECODE(x, s1, r1, s2, r2, ..., [default])
                        for (int i = 2; i < c.args.size(); i += 2) results.add(c.args.get(i));
                        if (c.args.size() % 2 == 0) results.add(c.args.getLast());
                        yield commonType(results);
                    }
                    case "NVL2" -> commonType(c.args.subList(1, 3));
                    // (a character maps to one character, so these keep or shorten their text)
                    case "UPPER", "LOWER", "INITCAP", "TRIM", "LTRIM", "RTRIM" -> textOfLength(c.args.get(0).type);
                    // (SUBSTRB's result has at most as many characters as bytes)
                    case "SUBSTR", "SUBSTRB" -> {
                        SqlType whole = textOfLength(c.args.get(0).type);
                        long most = c.args.size() > 2 ? literalCount(c.args.get(2)) : -1;
                        yield most >= 1 && most < whole.length() ? SqlType.varchar((int) most) : whole;
                    }
                    case "LPAD", "RPAD" -> {
                        long n = literalCount(c.args.get(1));
                        yield n >= 1 && n <= SqlType.MAX_VARCHAR ? SqlType.varchar((int) n) : SqlType.VARCHAR_ANY;
                    }
                    case "CHR", "NCHR" -> SqlType.varchar(1);
                    case "TO_CLOB", "TO_NCLOB" -> textOfLength(c.args.get(0).type);
                    case "TO_LOB" -> c.args.get(0).type.kind() == TypeKind.VARBINARY ? c.args.get(0).type : textOfLength(c.args.get(0).type);
                    case "TO_BLOB" -> c.args.get(0).type.kind() == TypeKind.VARBINARY ? c.args.get(0).type : SqlType.VARBINARY_ANY;
                    case "UNISTR" -> textOfLength(c.args.get(0).type);
                    // (a character past U+FFFF is two escapes of five characters)
                    case "ASCIISTR" -> c.args.get(0).type.kind().isString()
                            ? SqlType.varchar((int) Math.min(SqlType.MAX_VARCHAR, 10L * c.args.get(0).type.length())) : SqlType.VARCHAR_ANY;
                    case "CONCAT" -> concatenationType(c.args.get(0).type, c.args.get(1).type);
                    default -> SqlType.VARCHAR_ANY;
                };
            }
            case Expr.Case c -> {
                long[] m = {0};
                c.children(x -> m[0] |= x.sources);
                c.sources = m[0];
                List<Expr> results = new ArrayList<>(c.thens);
                if (c.otherwise != null) results.add(c.otherwise);
                c.type = commonType(results);
            }
            default -> {
                long[] m = {0};
                e.children(x -> m[0] |= x.sources);
                e.sources = m[0];
                if (e instanceof Expr.Unary u) {
                    e.type = !u.op.equals("-") ? SqlType.BOOLEAN : u.arg.type.kind().isInteger() ? SqlType.BIGINT : u.arg.type; // (-x of a TT_TINYINT's 5)
                }
            }
        }
        checkIntervals(e);
        return e;
    }

    private static boolean isRowId(Expr e) { return e.type != null && e.type.kind() == TypeKind.ROWID; }

    /**
     * {@code other}, compared with {@code side}: read as a ROWID (CHARTOROWID, TT90003 if it is
     * not one) when {@code side} is one and it is not, so a ROWID equals its text in any case
     * and with blanks after it, and a text that cannot be one is an error, not a mismatch.
     */
    private Expr asRowIdFor(Expr side, Expr other) {
        if (!isRowId(side) || isRowId(other)) return other;
        if (other instanceof Expr.Literal l) {
            return new Expr.Literal(l.pos, io.hourglass.engine.catalog.RowIds.of(l.value, "the text at position " + (l.pos + 1)), SqlType.ROWID);
        }
        Expr.Call c = new Expr.Call(other.pos, "CHARTOROWID", List.of(other));
        c.sources = other.sources;
        c.type = SqlType.ROWID;
        return c;
    }

    /** The subqueries bound here, in the order met (their own subqueries are theirs). */
    List<Expr.Subquery> subqueries() { return List.copyOf(subqueries); }

    private static void checkArity(Expr.Call c) {
        int n = c.args.size();
        boolean ok = switch (c.name) {
            case "UPPER", "LOWER", "LENGTH", "LENGTHB", "TO_LOB", "TRIM", "LTRIM", "RTRIM", "ABS", "FLOOR", "CEIL", "TO_NUMBER", "INITCAP", "ASCII",
                 "CHR", "NCHR", "UNISTR", "ASCIISTR", "TO_CLOB", "TO_NCLOB", "TO_BLOB", "SIGN", "SQRT", "EXP", "LN", "LAST_DAY", "CHARTOROWID", "ROWIDTOCHAR",
                 "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "SINH", "COSH", "TANH", "BITNOT", "VSIZE", "SOUNDEX", "NLS_CHARSET_ID",
                 "NLS_CHARSET_NAME" -> n == 1;
            case "NLSSORT" -> n == 1 || n == 2;
            case "ATAN2", "LOG", "BITAND", "BITOR", "BITXOR" -> n == 2;
            case "SUBSTR", "SUBSTRB", "REPLACE", "LPAD", "RPAD" -> n == 2 || n == 3;
            case "SYS_GUID" -> n == 0;
            case "MOD", "NVL", "NANVL", "NULLIF", "CONCAT", "POWER", "ADD_MONTHS", "MONTHS_BETWEEN", "EXTRACT", "NUMTODSINTERVAL", "NUMTOYMINTERVAL" -> n == 2;
            case "ROUND", "TRUNC", "TO_CHAR", "TO_DATE", "TO_TIMESTAMP" -> n == 1 || n == 2;
            case "SYS_CONTEXT" -> n == 2 || n == 3;
            case "INSTR", "INSTRB" -> n >= 2 && n <= 4;
            case "REGEXP_LIKE" -> n == 2 || n == 3;
            case "REGEXP_INSTR" -> n >= 2 && n <= 7;
            case "REGEXP_SUBSTR", "REGEXP_REPLACE" -> n >= 2 && n <= 6;
            case "NVL2", "TIMESTAMPADD", "TIMESTAMPDIFF" -> n == 3;
            case "DECODE" -> n >= 3;
            case "COALESCE", "GREATEST", "LEAST", "TT_HASH" -> n >= 1;
            default -> throw ErrorCode.SEMANTIC_ERROR.error("unknown function " + c.name + " at position " + (c.pos + 1));
        };
        if (!ok) throw ErrorCode.SEMANTIC_ERROR.error("wrong number of arguments to " + c.name + " at position " + (c.pos + 1));
    }

    private static boolean isDouble(SqlType t) { return t.kind() == TypeKind.DOUBLE; }

    /**
     * A function's text whose characters are at most those of a value of type {@code t}: a
     * VARCHAR2 of its length if it is text, else of any length (a number's or date's text).
     */
    private static SqlType textOfLength(SqlType t) { return t.kind().isString() ? SqlType.varchar(t.length()) : SqlType.VARCHAR_ANY; }

    /** The type of {@code a || b}: as long as both together, if both are text of a length. */
    private static SqlType concatenationType(SqlType a, SqlType b) {
        if (!a.kind().isString() || !b.kind().isString()) return SqlType.VARCHAR_ANY;
        return SqlType.varchar((int) Math.min(SqlType.MAX_VARCHAR, (long) a.length() + b.length()));
    }

    /** A whole-number literal's value (a count of characters), else -1. */
    private static long literalCount(Expr e) { return e instanceof Expr.Literal l && l.value instanceof Long n ? n : -1; }

    private static SqlType arithmeticType(SqlType a, SqlType b) {
        if (a.kind() == TypeKind.INTERVAL || b.kind() == TypeKind.INTERVAL) {
            SqlType date = a.kind() == TypeKind.INTERVAL ? b : a;
            return date.kind().isDatetime() ? date : SqlType.TIMESTAMP; // (a parameter: the date it brings)
        }
        if (a.kind().isDatetime() && b.kind().isDatetime()) return SqlType.NUMBER; // date - date: days
        if (a.kind().isDatetime()) return a;
        if (b.kind().isDatetime()) return b;
        if (isDouble(a) || isDouble(b)) return SqlType.DOUBLE;
        if (a.kind().isInteger() && b.kind().isInteger()) return SqlType.BIGINT;
        return SqlType.NUMBER;
    }

    /**
     * The type of a value that is one of {@code results} (CASE's THENs and ELSE, COALESCE's
     * arguments, ...), so that it holds each of them, as a column CREATE TABLE ... AS SELECT makes
     * of it must: NULLs aside, the widest when they are of one family (a VARCHAR2 as long as the
     * longest text, the widest integer, a NUMBER for exact numbers of different scales, a
     * TIMESTAMP over a DATE), a VARCHAR2 when a text is among other kinds, else the first's.
     */
    static SqlType commonType(List<Expr> results) {
        List<SqlType> types = new ArrayList<>();
        for (Expr e : results) if (!isNullLiteral(e)) types.add(e.type);
        return commonTypeOf(types);
    }

    static boolean isNullLiteral(Expr e) { return e instanceof Expr.Literal l && l.value == null; }

    /** As {@link #commonType}, of the types of the values a result may be (none: a VARCHAR2, as NULL's). */
    static SqlType commonTypeOf(List<SqlType> types) {
        SqlType t = null;
        for (SqlType x : types) t = t == null ? x : wider(t, x);
        return t == null ? SqlType.VARCHAR_ANY : t;
    }

    private static SqlType wider(SqlType a, SqlType b) {
        TypeKind x = a.kind(), y = b.kind();
        if (a.equals(b)) return a;
        if (x.isString() && y.isString()) return SqlType.varchar(Math.max(a.length(), b.length()));
        if (x.isString() || y.isString()) return SqlType.VARCHAR_ANY;
        if (x.isNumeric() && y.isNumeric()) {
            if (x == TypeKind.DOUBLE || y == TypeKind.DOUBLE) return SqlType.DOUBLE;
            if (x.isInteger() && y.isInteger()) return x.ordinal() >= y.ordinal() ? a : b; // (TT_TINYINT's 0 to 255 fit a TT_SMALLINT)
            return SqlType.NUMBER;
        }
        if (x.isDatetime() && y.isDatetime()) {
            if (x != y) return x == TypeKind.TIMESTAMP ? a : b;
            return a.scale() >= b.scale() ? a : b;
        }
        if (x == TypeKind.VARBINARY && y == TypeKind.VARBINARY) return SqlType.varbinary(Math.max(a.length(), b.length()));
        return a;
    }

    /**
     * Binds {@code c} to a column of this query's sources, or else of the innermost enclosing
     * query that has it: then it is a constant for this query (no sources), and each subquery
     * between is correlated.
     */
    private void resolve(Expr.ColumnRef c) {
        if (!tryResolve(c)) throw ErrorCode.COLUMN_NOT_FOUND.error(c.text());
    }

    /** As {@link #resolve}; false if no query in scope has the column. */
    private boolean tryResolve(Expr.ColumnRef c) {
        int depth = 0;
        for (Binder b = this; b != null; b = b.parent, depth++) {
            int[] found = b.find(c);
            if (found == null && b == this && hierarchical && c.qualifier == null && Expr.PSEUDOCOLUMNS.contains(c.column)) {
                c.source = 0;
                c.index = -1 - Expr.PSEUDOCOLUMNS.indexOf(c.column);
                c.depth = 0;
                c.sources = 1L;
                c.type = SqlType.BIGINT;
                return true;
            }
            if (found == null && c.column.equals("ROWID")) found = b.findRowId(c);
            if (found == null) continue;
            c.source = found[0];
            c.index = found[1];
            c.depth = depth;
            c.sources = depth == 0 ? 1L << found[0] : 0;
            List<Column> columns = b.tables[found[0]].columns();
            c.type = found[1] == columns.size() ? SqlType.ROWID : columns.get(found[1]).type();
            Binder inner = this;
            for (int d = 1; d <= depth; d++, inner = inner.parent) {
                inner.owner.correlated = true;
                if (d == depth) {
                    inner.owner.outerSources |= 1L << found[0];
                    inner.owner.outerRefs.add(c);
                }
            }
            return true;
        }
        return false;
    }

    /** The source and column index of {@code c} among this query's sources; null if none has it. */
    private int[] find(Expr.ColumnRef c) {
        int[] found = null;
        if (c.qualifier == null) {
            for (Merged m : merged) {
                if (!m.name().equals(c.column)) continue;
                if (found != null) throw ErrorCode.AMBIGUOUS_COLUMN.error(c.text()); // (two joins' columns: a, b USING (x), c JOIN d USING (x))
                found = new int[] {m.source(), m.index()};
            }
        }
        for (int s = 0; s < tables.length; s++) {
            for (Part p : parts[s]) {
                if (c.qualifier != null && !p.matches(c.qualifier)) continue;
                List<Column> cols = p.table.columns();
                int i = p.table.columnIndex(c.column);
                if (i < 0 || c.qualifier == null && hidden.contains(slot(s, p.offset + i))) continue;
                // (a derived table may have two columns of one name: SELECT a.id, b.id ...)
                if (found != null || cols.subList(i + 1, cols.size()).stream().anyMatch(col -> col.name().equals(c.column))) {
                    throw ErrorCode.AMBIGUOUS_COLUMN.error(c.text());
                }
                found = new int[] {s, p.offset + i};
            }
        }
        return found;
    }

    /**
     * The source of the ROWID pseudocolumn {@code c} (a column of that name aside): the one
     * source of this query or the one its qualifier names, {@code {source, its column count}}
     * (the ROWID comes after the columns in its row); null if this query has none of that name.
     * Only a table's rows have a ROWID: not a view's, a derived table's or a join nest's.
     */
    private int[] findRowId(Expr.ColumnRef c) {
        int found = -1;
        for (int s = 0; s < tables.length; s++) {
            if (c.qualifier != null && java.util.Arrays.stream(parts[s]).noneMatch(p -> p.matches(c.qualifier))) continue;
            if (found >= 0) throw ErrorCode.AMBIGUOUS_COLUMN.error(c.text());
            found = s;
        }
        if (found < 0) return null;
        Table t = tables[found];
        if (t.standIn() || parts[found].length != 1) {
            throw ErrorCode.SEMANTIC_ERROR.error(c.text() + " at position " + (c.pos + 1) + ": only a table's rows have a ROWID, not "
                    + (parts[found].length != 1 ? "a join's in parentheses" : "a view's or a derived table's") + " (select the ROWID inside it)");
        }
        rowIdSources |= 1L << found;
        return new int[] {found, t.columns().size()};
    }

    /** Expands {@code *} or {@code q.*} into column references, the sources in {@code order} (null: FROM order). */
    void expandStar(String qualifier, int[] order, List<Expr> out, List<String> names) {
        expandStar(qualifier, order, out, names, false);
    }

    /**
     * As {@link #expandStar(String, int[], List, List)}; {@code raw}: every column of every
     * source, a join nest's row (merged columns not first, hidden ones not left out).
     */
    void expandStar(String qualifier, int[] order, List<Expr> out, List<String> names, boolean raw) {
        boolean any = false;
        long listed = 0; // (merged columns listed: each before the first source of its join's left side)
        for (int o = 0; o < tables.length; o++) {
            int s = order == null ? o : order[o];
            for (int k = 0; k < merged.size() && qualifier == null && !raw; k++) {
                Merged m = merged.get(k);
                if ((listed & 1L << k) != 0 || (m.left() & 1L << s) == 0) continue;
                listed |= 1L << k;
                Part p = partOf(m.source(), m.index());
                Expr.ColumnRef c = new Expr.ColumnRef(0, qualifierOf(p), m.name());
                c.source = m.source();
                c.index = m.index();
                c.sources = 1L << m.source();
                c.type = p.table.columns().get(m.index() - p.offset).type();
                out.add(c);
                names.add(m.name());
            }
            for (Part p : parts[s]) {
                if (qualifier != null && !p.matches(qualifier)) continue;
                any = true;
                List<Column> cols = p.table.columns();
                for (int i = 0; i < cols.size(); i++) {
                    if (qualifier == null && !raw && hidden.contains(slot(s, p.offset + i))) continue;
                    Expr.ColumnRef c = new Expr.ColumnRef(0, p.alias != null ? p.alias : p.table.qualifiedName(), cols.get(i).name());
                    c.source = s;
                    c.index = p.offset + i;
                    c.sources = 1L << s;
                    c.type = cols.get(i).type();
                    out.add(c);
                    names.add(cols.get(i).name());
                }
            }
        }
        if (!any) throw ErrorCode.TABLE_NOT_FOUND.error(qualifier);
    }
}
