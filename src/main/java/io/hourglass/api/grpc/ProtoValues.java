package io.hourglass.api.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hourglass.api.grpc.v1.Column;
import io.hourglass.api.grpc.v1.Error;
import io.hourglass.api.grpc.v1.Row;
import io.hourglass.api.grpc.v1.Value;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.sql.ResultColumn;
import io.hourglass.engine.store.Bytes;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/** Mapping between protobuf messages and engine values, results and errors. */
final class ProtoValues {
    static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("hourglass-error-code", Metadata.ASCII_STRING_MARSHALLER);

    private ProtoValues() {}

    static Object[] params(List<Value> values) {
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = fromProto(values.get(i));
        return out;
    }

    static Object fromProto(Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case DECIMAL_VALUE -> {
                try {
                    yield new BigDecimal(v.getDecimalValue());
                } catch (NumberFormatException e) {
                    throw ErrorCode.TYPE_MISMATCH.error("'" + v.getDecimalValue() + "' is not a decimal number");
                }
            }
            case STRING_VALUE -> v.getStringValue();
            case BYTES_VALUE -> new Bytes(v.getBytesValue().toByteArray());
            case DATETIME_VALUE -> v.getDatetimeValue(); // the column's type parses it
            case BOOL_VALUE -> v.getBoolValue();
        };
    }

    static Value toProto(Object v) {
        Value.Builder b = Value.newBuilder();
        return switch (v) {
            case null -> b.setNullValue(true).build();
            case Long l -> b.setIntValue(l).build();
            case Double d -> b.setDoubleValue(d).build();
            case BigDecimal d -> b.setDecimalValue(Values.normalize(d).toPlainString()).build();
            case String s -> b.setStringValue(s).build();
            case Bytes x -> b.setBytesValue(ByteString.copyFrom(x.data())).build();
            case LocalDateTime t -> b.setDatetimeValue(Values.formatDateTime(t)).build();
            case Boolean x -> b.setBoolValue(x).build();
            default -> b.setStringValue(Values.toText(v)).build();
        };
    }

    static List<Column> columns(List<ResultColumn> columns) {
        List<Column> cols = new ArrayList<>(columns.size());
        for (ResultColumn c : columns) cols.add(Column.newBuilder().setName(c.name()).setType(c.type().sqlName()).build());
        return cols;
    }

    static Row row(Object[] values) {
        Row.Builder b = Row.newBuilder();
        for (Object v : values) b.addValues(toProto(v));
        return b.build();
    }

    static Error error(Throwable t) {
        HourglassException e = asHourglass(t);
        return Error.newBuilder().setCode(e.number()).setMessage(e.getMessage()).build();
    }

    static HourglassException asHourglass(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof HourglassException he) return he;
            c = c.getCause();
        }
        return ErrorCode.INTERNAL.error(String.valueOf(t));
    }

    /** A gRPC status for a failed unary call: the TT message, the number in a trailer. */
    static StatusRuntimeException status(Throwable t) {
        HourglassException e = asHourglass(t);
        Status s = switch (e.code().kind()) {
            case BAD_REQUEST -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case CONFLICT -> Status.ABORTED;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case FORBIDDEN -> Status.PERMISSION_DENIED;
            case RESOURCE -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE, Integer.toString(e.number()));
        return s.withDescription(e.getMessage()).asRuntimeException(trailers);
    }
}
