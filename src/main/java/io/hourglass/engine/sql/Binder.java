package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Column;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;

import java.util.List;

/** Resolves column references against the FROM sources and infers expression types. */
final class Binder {
    private final Table[] tables;
    private final String[] aliases;

    Binder(Table[] tables, String[] aliases) {
        this.tables = tables;
        this.aliases = aliases;
    }

    /** Binds {@code e} in place; returns it for chaining. */
    Expr bind(Expr e) {
        e.children(this::bind);
        switch (e) {
            case Expr.ColumnRef c -> resolve(c);
            case Expr.Binary b -> {
                b.sources = b.left.sources | b.right.sources;
                b.type = switch (b.op) {
                    case "+", "-", "*" -> arithmeticType(b.left.type, b.right.type);
                    case "/" -> isDouble(b.left.type) || isDouble(b.right.type) ? SqlType.DOUBLE : SqlType.NUMBER;
                    case "||" -> SqlType.VARCHAR_ANY;
                    default -> SqlType.BOOLEAN;
                };
            }
            case Expr.Aggregate a -> {
                a.sources = a.arg == null ? 0 : a.arg.sources;
                a.type = switch (a.name) {
                    case "COUNT" -> SqlType.BIGINT;
                    case "SUM" -> a.arg.type.kind().isInteger() ? SqlType.BIGINT : (isDouble(a.arg.type) ? SqlType.DOUBLE : SqlType.NUMBER);
                    case "AVG" -> isDouble(a.arg.type) ? SqlType.DOUBLE : SqlType.NUMBER;
                    default -> a.arg.type;
                };
            }
            case Expr.Call c -> {
                long m = 0;
                for (Expr x : c.args) m |= x.sources;
                c.sources = m;
                checkArity(c);
                c.type = switch (c.name) {
                    case "LENGTH" -> SqlType.BIGINT;
                    case "ABS", "ROUND", "TRUNC", "MOD", "FLOOR", "CEIL", "COALESCE", "NVL", "NULLIF" ->
                            c.args.isEmpty() ? SqlType.NUMBER : c.args.get(0).type;
                    case "TO_NUMBER" -> SqlType.NUMBER;
                    case "TO_DATE" -> SqlType.DATE;
                    case "TO_TIMESTAMP" -> SqlType.TIMESTAMP;
                    default -> SqlType.VARCHAR_ANY;
                };
            }
            case Expr.Case c -> {
                long[] m = {0};
                c.children(x -> m[0] |= x.sources);
                c.sources = m[0];
                c.type = c.thens.get(0).type;
            }
            default -> {
                long[] m = {0};
                e.children(x -> m[0] |= x.sources);
                e.sources = m[0];
                if (e instanceof Expr.Unary u) e.type = u.op.equals("-") ? u.arg.type : SqlType.BOOLEAN;
            }
        }
        return e;
    }

    private static void checkArity(Expr.Call c) {
        int n = c.args.size();
        boolean ok = switch (c.name) {
            case "UPPER", "LOWER", "LENGTH", "TRIM", "LTRIM", "RTRIM", "ABS", "FLOOR", "CEIL", "TO_CHAR", "TO_NUMBER",
                 "TO_DATE", "TO_TIMESTAMP" -> n == 1;
            case "SUBSTR" -> n == 2 || n == 3;
            case "MOD", "NVL", "NULLIF" -> n == 2;
            case "ROUND", "TRUNC" -> n == 1 || n == 2;
            case "COALESCE" -> n >= 1;
            default -> throw ErrorCode.SEMANTIC_ERROR.error("unknown function " + c.name + " at position " + (c.pos + 1));
        };
        if (!ok) throw ErrorCode.SEMANTIC_ERROR.error("wrong number of arguments to " + c.name + " at position " + (c.pos + 1));
    }

    private static boolean isDouble(SqlType t) { return t.kind() == TypeKind.DOUBLE; }

    private static SqlType arithmeticType(SqlType a, SqlType b) {
        if (a.kind().isDatetime()) return a;
        if (b.kind().isDatetime()) return b;
        if (isDouble(a) || isDouble(b)) return SqlType.DOUBLE;
        if (a.kind().isInteger() && b.kind().isInteger()) return SqlType.BIGINT;
        return SqlType.NUMBER;
    }

    private void resolve(Expr.ColumnRef c) {
        int foundSource = -1, foundIndex = -1;
        for (int s = 0; s < tables.length; s++) {
            if (c.qualifier != null && !matches(s, c.qualifier)) continue;
            int i = tables[s].columnIndex(c.column);
            if (i < 0) continue;
            if (foundSource >= 0) throw ErrorCode.AMBIGUOUS_COLUMN.error(c.text());
            foundSource = s;
            foundIndex = i;
        }
        if (foundSource < 0) throw ErrorCode.COLUMN_NOT_FOUND.error(c.text());
        c.source = foundSource;
        c.index = foundIndex;
        c.sources = 1L << foundSource;
        Column col = tables[foundSource].columns().get(foundIndex);
        c.type = col.type();
    }

    private boolean matches(int s, String qualifier) {
        if (aliases[s] != null) return aliases[s].equals(qualifier);
        Table t = tables[s];
        return t.name().equals(qualifier) || t.qualifiedName().equals(qualifier);
    }

    /** Expands {@code *} or {@code q.*} into column references, the sources in {@code order} (null: FROM order). */
    void expandStar(String qualifier, int[] order, List<Expr> out, List<String> names) {
        boolean any = false;
        for (int o = 0; o < tables.length; o++) {
            int s = order == null ? o : order[o];
            if (qualifier != null && !matches(s, qualifier)) continue;
            any = true;
            Table t = tables[s];
            for (int i = 0; i < t.columns().size(); i++) {
                Expr.ColumnRef c = new Expr.ColumnRef(0, aliases[s] != null ? aliases[s] : t.qualifiedName(), t.columns().get(i).name());
                c.source = s;
                c.index = i;
                c.sources = 1L << s;
                c.type = t.columns().get(i).type();
                out.add(c);
                names.add(t.columns().get(i).name());
            }
        }
        if (!any) throw ErrorCode.TABLE_NOT_FOUND.error(qualifier);
    }
}
