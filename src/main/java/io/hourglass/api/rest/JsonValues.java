package io.hourglass.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.sql.ResultColumn;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.engine.store.Bytes;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON edge mapping. Parameters: JSON integers become integers, other numbers exact decimals,
 * strings stay strings (the column's type converts them: dates as "YYYY-MM-DD HH:MM:SS",
 * binary as hex), true/false booleans, null NULL. Results: integers and decimals as JSON
 * numbers (decimals in plain notation), BINARY_DOUBLE as a number, dates as strings,
 * VARBINARY as hex strings.
 */
final class JsonValues {
    private JsonValues() {}

    static Object[] params(List<JsonNode> nodes) {
        if (nodes == null) return new Object[0];
        Object[] out = new Object[nodes.size()];
        for (int i = 0; i < out.length; i++) out[i] = param(nodes.get(i), i);
        return out;
    }

    private static Object param(JsonNode n, int i) {
        if (n == null || n.isNull()) return null;
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : new BigDecimal(n.bigIntegerValue());
        if (n.isNumber()) {
            // Jackson reads 1e400 as an infinite double, which no decimal holds.
            if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue()) && !n.isBigDecimal()) {
                throw ErrorCode.NUMERIC_OVERFLOW.error("parameter " + (i + 1) + " is beyond a double's range; send it as a string");
            }
            return n.decimalValue();
        }
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        throw ErrorCode.TYPE_MISMATCH.error("parameter " + (i + 1) + " must be a number, string, boolean or null");
    }

    static Object toJson(Object v) {
        return switch (v) {
            case null -> null;
            case BigDecimal d -> Values.normalize(d);
            case LocalDateTime t -> Values.formatDateTime(t);
            case Bytes b -> b.toHex();
            case String s -> s;
            default -> v; // Long, Double, Boolean
        };
    }

    static SqlResult result(StatementResult r) {
        List<SqlResult.Column> cols = new ArrayList<>(r.columns().size());
        for (ResultColumn c : r.columns()) cols.add(new SqlResult.Column(c.name(), c.type().sqlName()));
        List<List<Object>> rows = new ArrayList<>(r.rows().size());
        for (Object[] row : r.rows()) {
            List<Object> out = new ArrayList<>(row.length);
            for (Object v : row) out.add(toJson(v));
            rows.add(out);
        }
        return new SqlResult(cols, rows, r.updateCount());
    }
}
