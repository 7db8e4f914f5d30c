package io.hourglass.api.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hourglass.api.grpc.v1.Connect;
import io.hourglass.api.grpc.v1.ExecuteRequest;
import io.hourglass.api.grpc.v1.ExecuteResponse;
import io.hourglass.api.grpc.v1.SessionRequest;
import io.hourglass.api.grpc.v1.SessionResponse;
import io.hourglass.api.grpc.v1.SetAutocommit;
import io.hourglass.api.grpc.v1.Sql;
import io.hourglass.api.grpc.v1.Statement;
import io.hourglass.api.grpc.v1.Commit;
import io.hourglass.api.grpc.v1.Rollback;
import io.hourglass.api.grpc.v1.Value;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.hourglass.api.grpc.v1.SqlGrpc;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gRPC Sql service through a real gRPC client over HTTP/2 on the service's port. */
@QuarkusTest
class SqlGrpcTest {
    static final String CS = "DSN=testdb;UID=admin;PWD=test-admin-password";
    static final Duration WAIT = Duration.ofSeconds(30);

    @GrpcClient("hourglass")
    Sql client;

    private ExecuteResponse exec(String sql, Value... params) {
        return client.execute(ExecuteRequest.newBuilder().setConnectionString(CS).setSql(sql).addAllParams(List.of(params)).build())
                .await().atMost(WAIT);
    }

    static Value i(long v) { return Value.newBuilder().setIntValue(v).build(); }

    static Value s(String v) { return Value.newBuilder().setStringValue(v).build(); }

    @BeforeEach
    void clean() {
        try {
            exec("DROP TABLE g");
        } catch (StatusRuntimeException ignored) {
            // not there yet
        }
        exec("CREATE TABLE g (id INTEGER PRIMARY KEY, name VARCHAR2(20), amount NUMBER(10,2), at TIMESTAMP, raw VARBINARY(4))");
    }

    @Test
    void theLargestValueACharacterColumnTakesTravelsBothWays() {
        exec("DROP TABLE g");
        exec("CREATE TABLE g (id INTEGER PRIMARY KEY, name VARCHAR2(4194304))");
        String big = "x".repeat(4_194_304);
        assertEquals(1, exec("INSERT INTO g VALUES (?, ?)", i(1), s(big)).getUpdateCount());
        assertEquals(big, exec("SELECT name FROM g WHERE id = 1").getRows(0).getValues(0).getStringValue());
    }

    @Test
    void executeRoundTripsEveryValueKind() {
        ExecuteResponse ins = exec("INSERT INTO g VALUES (?, ?, ?, ?, ?)", i(1), s("one"),
                Value.newBuilder().setDecimalValue("12.50").build(),
                Value.newBuilder().setDatetimeValue("2024-01-02 03:04:05.5").build(),
                Value.newBuilder().setBytesValue(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2})).build());
        assertEquals(1, ins.getUpdateCount());
        ExecuteResponse q = exec("SELECT id, name, amount, at, raw, NULL FROM g WHERE id = ?", i(1));
        assertEquals("TT_INTEGER", q.getColumns(0).getType());
        assertEquals("AMOUNT", q.getColumns(2).getName());
        List<Value> row = q.getRows(0).getValuesList();
        assertEquals(1, row.get(0).getIntValue());
        assertEquals("one", row.get(1).getStringValue());
        assertEquals("12.5", row.get(2).getDecimalValue());
        assertEquals("2024-01-02 03:04:05.5", row.get(3).getDatetimeValue());
        assertEquals(2, row.get(4).getBytesValue().size());
        assertTrue(row.get(5).getNullValue());
        // DML RETURNING: the rows changed and their count in one response
        ExecuteResponse del = exec("DELETE FROM g WHERE id = ? RETURNING id, name", i(1));
        assertEquals(1, del.getUpdateCount());
        assertEquals("NAME", del.getColumns(1).getName());
        assertEquals("one", del.getRows(0).getValues(1).getStringValue());
    }

    @Test
    void executeFailuresAreStatusesWithTheErrorNumber() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> exec("SELEC 1"));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("TT1001"));
        assertEquals("1001", e.getTrailers().get(ProtoValues.ERROR_CODE));
        exec("INSERT INTO g (id) VALUES (5)");
        StatusRuntimeException dup = assertThrows(StatusRuntimeException.class, () -> exec("INSERT INTO g (id) VALUES (5)"));
        assertEquals(Status.Code.ABORTED, dup.getStatus().getCode());
        assertEquals("907", dup.getTrailers().get(ProtoValues.ERROR_CODE));
        StatusRuntimeException auth = assertThrows(StatusRuntimeException.class, () -> client.execute(ExecuteRequest.newBuilder()
                .setConnectionString("DSN=testdb;UID=admin;PWD=nope").setSql("SELECT 1 FROM dual").build()).await().atMost(WAIT));
        assertEquals(Status.Code.UNAUTHENTICATED, auth.getStatus().getCode());
        // an expired password logs in, and may only set a new one (TT90063, PERMISSION_DENIED)
        exec("CREATE USER lapsed IDENTIFIED BY oldpw PASSWORD EXPIRE");
        try {
            StatusRuntimeException expired = assertThrows(StatusRuntimeException.class, () -> client.execute(ExecuteRequest.newBuilder()
                    .setConnectionString("DSN=testdb;UID=lapsed;PWD=oldpw").setSql("SELECT 1 FROM dual").build()).await().atMost(WAIT));
            assertEquals(Status.Code.PERMISSION_DENIED, expired.getStatus().getCode());
            assertEquals("90063", expired.getTrailers().get(ProtoValues.ERROR_CODE));
            client.execute(ExecuteRequest.newBuilder().setConnectionString("DSN=testdb;UID=lapsed;PWD=oldpw")
                    .setSql("ALTER USER lapsed IDENTIFIED BY newpw").build()).await().atMost(WAIT);
            client.execute(ExecuteRequest.newBuilder().setConnectionString("DSN=testdb;UID=lapsed;PWD=newpw")
                    .setSql("SELECT 1 FROM dual").build()).await().atMost(WAIT);
        } finally {
            exec("DROP USER lapsed");
        }
        // within a password's grace period: a warning with the result
        exec("CREATE PROFILE oneSecond LIMIT PASSWORD_LIFE_TIME .0000116 PASSWORD_GRACE_TIME UNLIMITED");
        exec("CREATE USER graced IDENTIFIED BY gracepw PROFILE oneSecond");
        try {
            ExecuteRequest select = ExecuteRequest.newBuilder().setConnectionString("DSN=testdb;UID=graced;PWD=gracepw").setSql("SELECT 1 FROM dual").build();
            assertEquals("", client.execute(select).await().atMost(WAIT).getWarning());
            Thread.sleep(1_100); // (one second of lifetime: the smallest there is)
            assertTrue(client.execute(select).await().atMost(WAIT).getWarning().startsWith("The password of user GRACED expired at"));
            try (Session s = new Session()) { // (a session is told when it connects)
                SessionResponse c = s.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder()
                        .setConnectionString("DSN=testdb;UID=graced;PWD=gracepw"))).getFirst();
                assertTrue(c.getConnected().getWarning().contains("ALTER USER GRACED IDENTIFIED BY"), c.toString());
            }
        } catch (InterruptedException interrupted) {
            throw new AssertionError(interrupted);
        } finally {
            exec("DROP USER graced");
            exec("DROP PROFILE oneSecond");
        }
    }

    /** A session driven request by request, reading the responses of each before the next. */
    private final class Session implements AutoCloseable {
        final BlockingQueue<SessionResponse> responses = new LinkedBlockingQueue<>();
        final AtomicReference<MultiEmitter<? super SessionRequest>> emitter = new AtomicReference<>();
        long nextId = 1;

        Session() {
            Multi<SessionRequest> requests = Multi.createFrom().<SessionRequest>emitter(emitter::set);
            client.session(requests).subscribe().with(responses::add, t -> { }, () -> { });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (emitter.get() == null && System.nanoTime() < deadline) Thread.onSpinWait();
            assertNotNull(emitter.get());
        }

        /** Sends one request and returns its responses up to the last one for it. */
        List<SessionResponse> send(SessionRequest.Builder req) throws InterruptedException {
            long id = nextId++;
            emitter.get().emit(req.setRequestId(id).build());
            List<SessionResponse> out = new java.util.ArrayList<>();
            while (true) {
                SessionResponse r = responses.poll(30, TimeUnit.SECONDS);
                assertNotNull(r, "no response to request " + id);
                assertEquals(id, r.getRequestId());
                out.add(r);
                boolean more = r.hasHeader() || (r.hasRows() && !r.getRows().getLast());
                if (!more) return out;
            }
        }

        List<SessionResponse> sql(String sql, int batch) throws InterruptedException {
            return send(SessionRequest.newBuilder().setExecute(Statement.newBuilder().setSql(sql).setBatchSize(batch)));
        }

        @Override
        public void close() { emitter.get().complete(); }
    }

    @Test
    void aSessionRunsATransactionAndStreamsRowsInBatches() throws Exception {
        try (Session s = new Session()) {
            SessionResponse c = s.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(CS)
                    .setAutocommit(false))).get(0);
            assertEquals("ADMIN", c.getConnected().getUser());
            for (int k = 0; k < 5; k++) {
                StringBuilder sb = new StringBuilder("INSERT INTO g (id, name) VALUES ");
                for (int j = 0; j < 500; j++) sb.append(j > 0 ? "," : "").append("(").append(k * 500 + j).append(", 'n')");
                assertEquals(500, s.sql(sb.toString(), 0).get(0).getUpdateCount().getCount());
            }
            assertEquals(0, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue(), "not committed yet");
            List<SessionResponse> q = s.sql("SELECT id FROM g ORDER BY id", 1000);
            assertTrue(q.get(0).hasHeader());
            assertEquals(4, q.size(), "a header and three batches for 2500 rows");
            assertEquals(1000, q.get(1).getRows().getRowsCount());
            assertFalse(q.get(2).getRows().getLast());
            assertEquals(500, q.get(3).getRows().getRowsCount());
            assertTrue(q.get(3).getRows().getLast());
            assertEquals(-1, q.get(3).getRows().getUpdateCount(), "a query counts nothing");
            List<SessionResponse> ret = s.sql("UPDATE g SET name = 'm' WHERE id < 3 RETURNING id", 2);
            assertEquals(List.of(2, 1), ret.subList(1, ret.size()).stream().map(r -> r.getRows().getRowsCount()).toList());
            assertEquals(0, ret.get(1).getRows().getUpdateCount(), "not on a batch before the last");
            assertEquals(3, ret.get(2).getRows().getUpdateCount(), "DML RETURNING: its count on the last batch");
            assertTrue(s.send(SessionRequest.newBuilder().setCommit(Commit.newBuilder().setDurable(true))).get(0).hasDone());
            assertEquals(2500, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue());

            s.sql("DELETE FROM g", 0);
            assertTrue(s.send(SessionRequest.newBuilder().setRollback(Rollback.getDefaultInstance())).get(0).hasDone());
            assertEquals(2500, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue());

            // Batches also end at about 1 MB of rows, so no message outgrows a standard client's 4 MB.
            exec("CREATE TABLE wide (id INTEGER PRIMARY KEY, s VARCHAR2(400000))");
            try {
                for (int i = 0; i < 12; i++) exec("INSERT INTO wide VALUES (?, ?)", i(i), s("w".repeat(300_000)));
                List<SessionResponse> big = s.sql("SELECT id, s FROM wide ORDER BY id", 1000);
                int rows = 0;
                for (SessionResponse r : big.subList(1, big.size())) {
                    assertTrue(r.getSerializedSize() <= SqlGrpcService.BATCH_BYTES + 400_000, "a batch of " + r.getSerializedSize() + " bytes");
                    rows += r.getRows().getRowsCount();
                }
                assertEquals(12, rows);
                assertTrue(big.size() >= 1 + 4, "12 rows of 300 KB in batches of at most 1 MB: " + (big.size() - 1) + " batches");
                assertTrue(big.getLast().getRows().getLast());
            } finally {
                exec("DROP TABLE wide");
            }

            SessionResponse err = s.sql("SELECT nope FROM g", 0).get(0);
            assertEquals(2211, err.getError().getCode());
            assertEquals(1, s.sql("SELECT COUNT(*) FROM g WHERE id = 7", 0).get(1).getRows().getRowsCount(),
                    "the session goes on after an error");
            s.send(SessionRequest.newBuilder().setSetAutocommit(SetAutocommit.newBuilder().setAutocommit(true)));
            s.sql("DELETE FROM g WHERE id = 7", 0);
            assertEquals(2499, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue());
        }
    }

    /** A GLOBAL TEMPORARY table's PRESERVE ROWS rows last the gRPC session, across its commits; no other session sees them. */
    @Test
    void aSessionKeepsItsTemporaryRowsAcrossCommits() throws Exception {
        exec("CREATE GLOBAL TEMPORARY TABLE picks (id INTEGER PRIMARY KEY) ON COMMIT PRESERVE ROWS");
        try (Session s = new Session(); Session other = new Session()) {
            s.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(CS).setAutocommit(true)));
            other.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(CS).setAutocommit(true)));
            assertEquals(2, s.sql("INSERT INTO picks VALUES (1), (2)", 0).get(0).getUpdateCount().getCount());
            assertEquals(1, other.sql("INSERT INTO picks VALUES (1)", 0).get(0).getUpdateCount().getCount(), "its own key 1");
            assertEquals(2, s.sql("INSERT INTO g (id) SELECT id FROM picks", 0).get(0).getUpdateCount().getCount(),
                    "the session's two rows, still there after the autocommits");
            assertEquals(1, other.sql("SELECT COUNT(*) FROM picks", 0).get(1).getRows().getRows(0).getValues(0).getIntValue());
            assertEquals(0, exec("SELECT COUNT(*) FROM picks").getRows(0).getValues(0).getIntValue(), "a one-shot Execute is a session of its own");
        }
        assertEquals(2, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue());
        // Both sessions' rows go with their connections, which close as the streams end (TT90065 until then).
        execOnceTheStreamsAreClosed("DROP TABLE picks");
    }

    @Test
    void statementsBeforeConnectAndBadCredentialsAreErrors() throws Exception {
        try (Session s = new Session()) {
            assertEquals(90021, s.sql("SELECT 1 FROM dual", 0).get(0).getError().getCode());
            SessionResponse bad = s.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder()
                    .setConnectionString("DSN=testdb;UID=admin;PWD=bad"))).get(0);
            assertEquals(7001, bad.getError().getCode());
        }
    }

    @Test
    void closingTheStreamRollsBack() throws Exception {
        try (Session s = new Session()) {
            s.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(CS).setAutocommit(false)));
            s.sql("INSERT INTO g (id) VALUES (99)", 0);
        }
        // The insert held the row lock until the stream closed; after that the row can be written.
        execOnceTheStreamsAreClosed("INSERT INTO g (id) VALUES (99)");
        assertEquals(1, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue());
    }

    /** Runs {@code sql} as a one-shot Execute, again every 100 ms for up to 10 s while it fails: a closed stream's connection closes a moment later. */
    private void execOnceTheStreamsAreClosed(String sql) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                exec(sql);
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }

    @Test
    void lockWaitsNeverBlockAnEventLoop() throws Exception {
        List<String> blocked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler catcher = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null && m.contains("has been blocked for")) blocked.add(m);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(catcher);
        try (Session holder = new Session()) {
            exec("INSERT INTO g (id, name) VALUES (1, 'x')");
            holder.send(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(CS).setAutocommit(false)));
            holder.sql("UPDATE g SET name = 'held' WHERE id = 1", 0);
            // Twenty writers wait up to 5 s for the row; the event loop's blocked-thread checker
            // warns after 2 s, so waiting on an event loop would be reported.
            List<java.util.concurrent.CompletableFuture<ExecuteResponse>> waiters = new java.util.ArrayList<>();
            for (int k = 0; k < 20; k++) {
                waiters.add(client.execute(ExecuteRequest.newBuilder().setConnectionString(CS + ";LockWait=5")
                        .setSql("UPDATE g SET name = 'w' WHERE id = 1").build()).subscribeAsCompletionStage());
            }
            Thread.sleep(3000);
            assertEquals(1, exec("SELECT COUNT(*) FROM g").getRows(0).getValues(0).getIntValue(), "still serving");
            holder.send(SessionRequest.newBuilder().setCommit(Commit.getDefaultInstance()));
            for (var w : waiters) assertEquals(1, w.get(30, TimeUnit.SECONDS).getUpdateCount());
        } finally {
            root.removeHandler(catcher);
        }
        assertTrue(blocked.isEmpty(), "blocked-thread warnings: " + blocked);
    }

    @GrpcClient("hourglass")
    io.grpc.Channel channel;

    @Inject
    MeterRegistry registry;

    private double meter(String name) {
        io.micrometer.core.instrument.Gauge g = registry.find(name).tag("database", "testdb").gauge();
        return (g != null ? g : registry.find(name).gauge()).value();
    }

    private void awaitMeter(String name, double value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (meter(name) != value) {
            assertTrue(System.nanoTime() < deadline, name + " stayed " + meter(name) + ", expected " + value);
            Thread.sleep(20);
        }
    }

    /** A session whose client reads only what it asks for (grpc-java's manual flow control). */
    private static final class SlowReader implements ClientResponseObserver<SessionRequest, SessionResponse> {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        volatile ClientCallStreamObserver<SessionRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<SessionRequest> c) {
            call = c;
            c.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(SessionResponse r) { received.add(r); }

        @Override
        public void onError(Throwable t) { received.add(t); }

        @Override
        public void onCompleted() { received.add("completed"); }

        SessionResponse next() throws InterruptedException {
            Object o = received.poll(30, TimeUnit.SECONDS);
            assertTrue(o instanceof SessionResponse, "a response, got " + o);
            return (SessionResponse) o;
        }
    }

    /** 16 rows of 256 KB: their cross join is 256 rows, 128 MB, more than testdb's TempSize (48 MB) as a list. */
    private static final String WIDE_JOIN = "SELECT a.id, b.id, a.s, b.s FROM wide a, wide b";

    private void wideTable() {
        exec("CREATE TABLE wide (id INTEGER PRIMARY KEY, s VARCHAR2(300000))");
        for (int i = 0; i < 16; i++) exec("INSERT INTO wide VALUES (?, ?)", i(i), s(Character.toString('a' + i).repeat(1 << 18)));
    }

    private StreamObserver<SessionRequest> startWideJoin(SlowReader reader) throws InterruptedException {
        StreamObserver<SessionRequest> requests = SqlGrpc.newStub(channel).session(reader);
        requests.onNext(SessionRequest.newBuilder().setRequestId(1).setConnect(Connect.newBuilder().setConnectionString(CS)).build());
        assertTrue(reader.next().hasConnected());
        requests.onNext(SessionRequest.newBuilder().setRequestId(2).setExecute(Statement.newBuilder().setSql(WIDE_JOIN).setBatchSize(1))
                .build());
        return requests;
    }

    /**
     * A session streams a query's rows as the engine makes them (a result larger than TempSize
     * goes through), and a client that stops reading holds the server back by HTTP/2 flow control
     * instead of having the rest queued in the server's memory; once it reads, all of it arrives.
     */
    @Test
    void aResultLargerThanTempSizeStreamsAtTheClientsPace() throws Exception {
        wideTable();
        try {
            StatusRuntimeException whole = assertThrows(StatusRuntimeException.class, () -> exec(WIDE_JOIN));
            assertEquals("802", whole.getTrailers().get(ProtoValues.ERROR_CODE), "Execute answers in one message, built whole");
            SlowReader reader = new SlowReader();
            StreamObserver<SessionRequest> requests = startWideJoin(reader);
            awaitMeter("hourglass.grpc.sessions.waiting", 1); // the server stopped, its client's window full
            Thread.sleep(200);
            assertTrue(reader.received.isEmpty(), "nothing delivered that was not asked for");
            reader.call.request(Integer.MAX_VALUE);
            assertTrue(reader.next().hasHeader());
            int rows = 0;
            java.util.Set<String> pairs = new java.util.HashSet<>();
            while (true) {
                SessionResponse r = reader.next();
                assertTrue(r.hasRows(), "rows, not " + r);
                for (io.hourglass.api.grpc.v1.Row row : r.getRows().getRowsList()) {
                    rows++;
                    assertEquals(1 << 18, row.getValues(3).getStringValue().length());
                    pairs.add(row.getValues(0).getIntValue() + "," + row.getValues(1).getIntValue());
                }
                if (r.getRows().getLast()) break;
            }
            assertEquals(256, rows);
            assertEquals(256, pairs.size(), "every pair once");
            awaitMeter("hourglass.grpc.sessions.waiting", 0);
            requests.onCompleted();
            assertEquals("completed", reader.received.poll(30, TimeUnit.SECONDS));
        } finally {
            exec("DROP TABLE wide");
        }
    }

    /** A client that cancels while the server waits for it: the statement stops and the connection closes. */
    @Test
    void aClientThatLeavesMidResultStopsTheStatement() throws Exception {
        whileAWideJoinWaits((reader, before) -> {
            assertEquals(before + 1, meter("hourglass.connections"));
            reader.call.cancel("the client leaves", null);
            awaitMeter("hourglass.grpc.sessions.waiting", 0);
            awaitMeter("hourglass.connections", before);
        });
    }

    /** What a test does while a wide join's session waits for its client, which has read nothing. */
    private interface WaitingSession {
        void run(SlowReader reader, double connectionsBefore) throws Exception;
    }

    /** Starts the wide join for a client that reads nothing, runs {@code body} once the server waits for it, then drops the table. */
    private void whileAWideJoinWaits(WaitingSession body) throws Exception {
        wideTable();
        try {
            double before = meter("hourglass.connections");
            SlowReader reader = new SlowReader();
            startWideJoin(reader);
            awaitMeter("hourglass.grpc.sessions.waiting", 1);
            body.run(reader, before);
        } finally {
            exec("DROP TABLE wide");
        }
    }

    /**
     * A client that reads nothing for the stall timeout (4 s under test) loses its session: the
     * statement is stopped, the stream fails with TT90036 and the connection closes, so that no
     * snapshot is held by a client that does not read.
     */
    @Test
    void aClientThatStopsReadingLosesItsSessionAfterTheStallTimeout() throws Exception {
        whileAWideJoinWaits((reader, before) -> {
            Thread.sleep(1000);
            assertEquals(before + 1, meter("hourglass.connections"), "within the stall timeout the session waits");
            awaitMeter("hourglass.grpc.sessions.waiting", 0);
            awaitMeter("hourglass.connections", before);
            reader.call.request(Integer.MAX_VALUE);
            Object last;
            do last = reader.received.poll(30, TimeUnit.SECONDS); while (last instanceof SessionResponse);
            assertTrue(last instanceof StatusRuntimeException, "the stream failed: " + last);
            assertEquals("90036", ((StatusRuntimeException) last).getTrailers().get(ProtoValues.ERROR_CODE));
        });
    }
}
