package io.hourglass.api.grpc;

import io.hourglass.api.grpc.v1.Connected;
import io.hourglass.api.grpc.v1.Done;
import io.hourglass.api.grpc.v1.ExecuteRequest;
import io.hourglass.api.grpc.v1.ExecuteResponse;
import io.hourglass.api.grpc.v1.ResultHeader;
import io.hourglass.api.grpc.v1.Row;
import io.hourglass.api.grpc.v1.RowBatch;
import io.hourglass.api.grpc.v1.SessionRequest;
import io.hourglass.api.grpc.v1.SessionResponse;
import io.hourglass.api.grpc.v1.Sql;
import io.hourglass.api.grpc.v1.UpdateCount;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.service.EngineExecutor;
import io.hourglass.service.SqlGateway;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code hourglass.v1.Sql} service. Engine work runs on {@link EngineExecutor} threads,
 * never on the event loop; a session's requests are handled one after another, in order.
 */
@GrpcService
public class SqlGrpcService implements Sql {
    static final int DEFAULT_BATCH = 1000;
    /** A RowBatch stops growing at this many bytes of rows (one row alone may be larger). */
    static final long BATCH_BYTES = 1 << 20;

    @Inject
    SqlGateway gateway;

    @Inject
    EngineExecutor executor;

    @Override
    public Uni<ExecuteResponse> execute(ExecuteRequest req) {
        return Uni.createFrom().item(() -> {
                    StatementResult r = gateway.autocommit(gateway.connect(req.getConnectionString()), req.getSql(),
                            ProtoValues.params(req.getParamsList()), req.getDurable());
                    ExecuteResponse.Builder b = ExecuteResponse.newBuilder().setUpdateCount(r.updateCount());
                    b.addAllColumns(ProtoValues.columns(r));
                    for (Object[] row : r.rows()) b.addRows(ProtoValues.row(row));
                    return b.build();
                })
                .runSubscriptionOn(executor)
                .onFailure().transform(ProtoValues::status);
    }

    @Override
    public Multi<SessionResponse> session(Multi<SessionRequest> requests) {
        SessionState state = new SessionState();
        return requests
                .emitOn(executor)
                .onItem().transformToIterable(state::handle)
                .onTermination().invoke(state::close);
    }

    /** One stream's connection. Touched only by the stream's serialized item handling. */
    private final class SessionState {
        private Connection connection;

        List<SessionResponse> handle(SessionRequest req) {
            long id = req.getRequestId();
            List<SessionResponse> out = new ArrayList<>();
            try {
                switch (req.getKindCase()) {
                    case CONNECT -> {
                        if (connection != null) throw ErrorCode.SEMANTIC_ERROR.error("this session is already connected");
                        Connection c = gateway.connect(req.getConnect().getConnectionString());
                        c.setAutocommit(!req.getConnect().hasAutocommit() || req.getConnect().getAutocommit());
                        connection = c;
                        out.add(response(id).setConnected(Connected.newBuilder().setConnectionId(c.id())
                                .setDatabase(c.database().name()).setUser(c.user().name())).build());
                    }
                    case EXECUTE -> {
                        StatementResult r = connected().execute(req.getExecute().getSql(),
                                ProtoValues.params(req.getExecute().getParamsList()));
                        if (r.isQuery()) {
                            out.add(response(id).setHeader(ResultHeader.newBuilder().addAllColumns(ProtoValues.columns(r))).build());
                            int batch = req.getExecute().getBatchSize() > 0 ? req.getExecute().getBatchSize() : DEFAULT_BATCH;
                            List<Object[]> rows = r.rows();
                            int from = 0;
                            do {
                                // batch_size rows, or fewer once a batch reaches BATCH_BYTES (at least one row),
                                // so that no message outgrows what a standard gRPC client accepts (4 MB).
                                int limit = Math.min(rows.size(), from + batch);
                                RowBatch.Builder b = RowBatch.newBuilder();
                                long bytes = 0;
                                int to = from;
                                while (to < limit) {
                                    Row row = ProtoValues.row(rows.get(to));
                                    if (to > from && bytes + row.getSerializedSize() > BATCH_BYTES) break;
                                    b.addRows(row);
                                    bytes += row.getSerializedSize();
                                    to++;
                                }
                                out.add(response(id).setRows(b.setLast(to == rows.size())).build());
                                from = to;
                            } while (from < rows.size());
                        } else {
                            out.add(response(id).setUpdateCount(UpdateCount.newBuilder().setCount(r.updateCount())).build());
                        }
                    }
                    case COMMIT -> {
                        Connection.join(connected().commit(req.getCommit().getDurable()));
                        out.add(response(id).setDone(Done.getDefaultInstance()).build());
                    }
                    case ROLLBACK -> {
                        connected().rollback();
                        out.add(response(id).setDone(Done.getDefaultInstance()).build());
                    }
                    case SET_AUTOCOMMIT -> {
                        connected().setAutocommit(req.getSetAutocommit().getAutocommit());
                        out.add(response(id).setDone(Done.getDefaultInstance()).build());
                    }
                    case KIND_NOT_SET -> throw ErrorCode.SEMANTIC_ERROR.error("empty session request");
                }
            } catch (RuntimeException e) {
                out.clear();
                out.add(response(id).setError(ProtoValues.error(e)).build());
            }
            return out;
        }

        private Connection connected() {
            if (connection == null) throw ErrorCode.NOT_CONNECTED.error();
            return connection;
        }

        void close() {
            if (connection != null) connection.close();
        }
    }

    private static SessionResponse.Builder response(long id) { return SessionResponse.newBuilder().setRequestId(id); }
}
