package io.hourglass.api.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hourglass.api.grpc.v1.Connected;
import io.hourglass.api.grpc.v1.Done;
import io.hourglass.api.grpc.v1.ExecuteRequest;
import io.hourglass.api.grpc.v1.ExecuteResponse;
import io.hourglass.api.grpc.v1.ResultHeader;
import io.hourglass.api.grpc.v1.Row;
import io.hourglass.api.grpc.v1.RowBatch;
import io.hourglass.api.grpc.v1.SessionRequest;
import io.hourglass.api.grpc.v1.SessionResponse;
import io.hourglass.api.grpc.v1.SqlGrpc;
import io.hourglass.api.grpc.v1.UpdateCount;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.sql.ResultColumn;
import io.hourglass.engine.sql.ResultSink;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.service.EngineExecutor;
import io.hourglass.service.HourglassConfig;
import io.hourglass.service.SqlGateway;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcService;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code hourglass.v1.Sql} service. Engine work runs on {@link EngineExecutor} threads, never
 * on the event loop.
 *
 * <p>Written against grpc-java's own API rather than Mutiny's: a session streams a query's rows
 * as the engine makes them (a cursor), and only {@link ServerCallStreamObserver} tells when the
 * client's HTTP/2 window is full. The Mutiny binding of this Quarkus version requests without
 * bound, so a slow client would have the whole result queued in the server's memory.
 */
@GrpcService
public class SqlGrpcService extends SqlGrpc.SqlImplBase {
    static final int DEFAULT_BATCH = 1000;
    /** A RowBatch stops growing at this many bytes of rows (one row alone may be larger). */
    static final long BATCH_BYTES = 1 << 20;
    /** How long a waiting sender sleeps before it looks at the stream again, should a ready signal be missed. */
    private static final long READY_RECHECK_MILLIS = 50;

    @Inject
    SqlGateway gateway;

    @Inject
    EngineExecutor executor;

    @Inject
    MeterRegistry registry;

    @Inject
    HourglassConfig config;

    /** Sessions whose responses wait now for their clients to read (HTTP/2 flow control). */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong waits = new AtomicLong();

    @PostConstruct
    void meters() {
        Gauge.builder("hourglass.grpc.sessions.waiting", waiting, AtomicInteger::get)
                .description("gRPC sessions whose results wait for their clients to read them").register(registry);
        FunctionCounter.builder("hourglass.grpc.flow.waits", waits, AtomicLong::get)
                .description("times a gRPC session waited for its client's HTTP/2 window before sending more").register(registry);
    }

    @Override
    public void execute(ExecuteRequest req, StreamObserver<ExecuteResponse> responses) {
        executor.execute(() -> {
            ExecuteResponse response;
            try {
                Connection c = gateway.connect(req.getConnectionString());
                String warning = c.loginWarning(); // (before autocommit closes it)
                StatementResult r = gateway.autocommit(c, req.getSql(), ProtoValues.params(req.getParamsList()), req.getDurable());
                ExecuteResponse.Builder b = ExecuteResponse.newBuilder().setUpdateCount(r.updateCount());
                if (warning != null) b.setWarning(warning);
                b.addAllColumns(ProtoValues.columns(r.columns()));
                for (Object[] row : r.rows()) b.addRows(ProtoValues.row(row));
                response = b.build();
            } catch (RuntimeException e) {
                responses.onError(ProtoValues.status(e));
                return;
            }
            responses.onNext(response);
            responses.onCompleted();
        });
    }

    @Override
    public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> responses) {
        SessionStream s = new SessionStream((ServerCallStreamObserver<SessionResponse>) responses);
        executor.execute(s::run);
        return s;
    }

    /**
     * One stream's connection. The transport's thread (an event loop) only queues what arrives;
     * one engine thread per stream handles the requests in order and writes every response,
     * waiting while the client's window is full. Requests are asked for one at a time, so a
     * client that sends faster than its statements run is held back by HTTP/2 as well.
     */
    private final class SessionStream implements StreamObserver<SessionRequest> {
        private static final Object END = new Object();
        private final ServerCallStreamObserver<SessionResponse> out;
        /** The stream's Vert.x context: asking for the next request is done there, as the transport expects. */
        private final io.vertx.core.Context transport = io.vertx.core.Vertx.currentContext();
        private final BlockingQueue<Object> requests = new LinkedBlockingQueue<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        /** The client cancelled or failed the stream: nothing more may be sent. */
        private volatile boolean gone;
        /** Written by the stream's engine thread; read by the cancel handler, to stop a running statement. */
        private volatile Connection connection;

        SessionStream(ServerCallStreamObserver<SessionResponse> out) {
            this.out = out;
            out.disableAutoRequest();
            out.setOnReadyHandler(this::wake);
            out.setOnCancelHandler(this::cancelled);
            out.request(1);
        }

        @Override
        public void onNext(SessionRequest req) { requests.add(req); }

        @Override
        public void onError(Throwable t) { cancelled(); }

        @Override
        public void onCompleted() { requests.add(END); }

        private void cancelled() {
            gone = true;
            requests.add(END);
            wake();
            // A statement running now stops at its next check (TT90036) instead of running to its
            // end; closing waits for it, so not here on the event loop.
            Connection c = connection;
            if (c != null) executor.execute(c::close);
        }

        private void wake() {
            lock.lock();
            try {
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void run() {
            try {
                while (true) {
                    Object next = requests.take();
                    if (next == END) break;
                    if (!gone) askForNext(); // the next one may arrive while this one runs
                    handle((SessionRequest) next);
                }
                if (!gone) out.onCompleted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the service is stopping
            } catch (RuntimeException e) {
                if (!gone) out.onError(ProtoValues.status(e));
            } finally {
                Connection c = connection;
                if (c != null) c.close();
            }
        }

        private void askForNext() {
            if (transport == null) out.request(1);
            else transport.runOnContext(v -> out.request(1));
        }

        private void handle(SessionRequest req) {
            long id = req.getRequestId();
            Batches rows = null;
            try {
                switch (req.getKindCase()) {
                    case CONNECT -> {
                        if (connection != null) throw ErrorCode.SEMANTIC_ERROR.error("this session is already connected");
                        Connection c = gateway.connect(req.getConnect().getConnectionString());
                        c.setAutocommit(!req.getConnect().hasAutocommit() || req.getConnect().getAutocommit());
                        connection = c;
                        if (gone) c.close(); // the client left while it connected
                        Connected.Builder connected = Connected.newBuilder().setConnectionId(c.id()).setDatabase(c.database().name())
                                .setUser(c.user().name());
                        if (c.loginWarning() != null) connected.setWarning(c.loginWarning());
                        send(response(id).setConnected(connected).build());
                    }
                    case EXECUTE -> {
                        int batch = req.getExecute().getBatchSize() > 0 ? req.getExecute().getBatchSize() : DEFAULT_BATCH;
                        rows = new Batches(id, batch);
                        Connection c = connected();
                        StatementResult r = c.execute(c.prepare(req.getExecute().getSql()), rows,
                                ProtoValues.params(req.getExecute().getParamsList()));
                        if (r.isQuery()) rows.finish(r.updateCount());
                        else send(response(id).setUpdateCount(UpdateCount.newBuilder().setCount(r.updateCount())).build());
                    }
                    case COMMIT -> {
                        Connection.join(connected().commit(req.getCommit().getDurable()));
                        done(id);
                    }
                    case ROLLBACK -> {
                        connected().rollback();
                        done(id);
                    }
                    case SET_AUTOCOMMIT -> {
                        connected().setAutocommit(req.getSetAutocommit().getAutocommit());
                        done(id);
                    }
                    case KIND_NOT_SET -> throw ErrorCode.SEMANTIC_ERROR.error("empty session request");
                }
            } catch (RuntimeException e) {
                if (gone) return;
                // Rows already sent stay sent: a result that fails part way ends with the error.
                send(response(id).setError(ProtoValues.error(e)).build());
            }
        }

        private void done(long id) { send(response(id).setDone(Done.getDefaultInstance()).build()); }

        private Connection connected() {
            if (connection == null) throw ErrorCode.NOT_CONNECTED.error();
            return connection;
        }

        /** Sends once the client's window has room; TT90036 if the client has gone (or stalled). */
        private void send(SessionResponse r) {
            if (!out.isReady() && !gone) awaitReady();
            if (gone) throw ErrorCode.STATEMENT_CANCELLED.error("its client went away");
            out.onNext(r);
        }

        /**
         * Waits while the client's window is full. A client that reads nothing for the stall
         * timeout ends its session: the stream fails with TT90036, the statement is undone and the
         * connection closed (rolling back its transaction), so that no one holds a snapshot by
         * not reading.
         */
        private void awaitReady() {
            waits.incrementAndGet();
            waiting.incrementAndGet();
            long stall = config.resultStallTimeout().toNanos(), since = System.nanoTime();
            lock.lock();
            try {
                while (!out.isReady() && !gone) {
                    Connection c = connection;
                    String closing = c == null ? null : c.cancelled();
                    if (closing != null) throw ErrorCode.STATEMENT_CANCELLED.error(closing); // the service stopping, say
                    if (System.nanoTime() - since > stall) {
                        gone = true;
                        requests.add(END);
                        HourglassException e = ErrorCode.STATEMENT_CANCELLED.error("its client read nothing for "
                                + config.resultStallTimeout().toSeconds() + " s; the session ends");
                        out.onError(ProtoValues.status(e));
                        throw e;
                    }
                    ready.await(READY_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                gone = true;
            } finally {
                lock.unlock();
                waiting.decrementAndGet();
            }
        }

        /**
         * A query's header and rows, sent as the engine makes them: batch_size rows to a batch, or
         * fewer once a batch reaches BATCH_BYTES (at least one row), so that no message outgrows
         * what a standard gRPC client accepts (4 MB). The batch in hand is sent when the next row
         * does not fit, so the last one can say it is the last.
         */
        private final class Batches implements ResultSink {
            private final long id;
            private final int size;
            private RowBatch.Builder batch = RowBatch.newBuilder();
            private long bytes;

            Batches(long id, int size) {
                this.id = id;
                this.size = size;
            }

            @Override
            public void columns(List<ResultColumn> columns) {
                send(response(id).setHeader(ResultHeader.newBuilder().addAllColumns(ProtoValues.columns(columns))).build());
            }

            @Override
            public void row(Object[] values) {
                Row row = ProtoValues.row(values);
                int n = row.getSerializedSize();
                if (batch.getRowsCount() > 0 && (batch.getRowsCount() >= size || bytes + n > BATCH_BYTES)) flush(false);
                batch.addRows(row);
                bytes += n;
            }

            /** The last batch, with the statement's update count (DML ... RETURNING's; -1 for a query). */
            void finish(long updateCount) {
                batch.setUpdateCount(updateCount);
                flush(true);
            }

            private void flush(boolean last) {
                RowBatch b = batch.setLast(last).build();
                batch = RowBatch.newBuilder();
                bytes = 0;
                send(response(id).setRows(b).build());
            }
        }
    }

    private static SessionResponse.Builder response(long id) { return SessionResponse.newBuilder().setRequestId(id); }
}
