package io.hourglass.api.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.sql.ResultColumn;
import io.hourglass.engine.sql.ResultSink;
import io.hourglass.engine.sql.StatementResult;
import io.hourglass.engine.store.TempSpace;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One statement's answer over HTTP as a cursor. The statement runs on an engine thread into a
 * {@link ResultSink}; its rows travel to the response in chunks through a short queue, so a plain
 * query's result is not bounded by TempSize and a client that reads slowly holds the statement
 * back instead of filling the server's memory.
 *
 * <p>The first chunk (up to {@link #CHUNK_ROWS} rows or {@link #CHUNK_BYTES}) is kept until it is
 * full: a statement that ends, or fails, before then is answered as before, with its status (a
 * syntax error is a 400, TT0802 a 507). Only a larger result is sent as it comes, with status
 * 200; if its statement then fails, the body ends with {@code "error": {"code": n, "message":
 * ".."}} after the rows sent (and the statement is undone).
 */
final class StreamedResult implements ResultSink {
    static final int CHUNK_ROWS = 1000;
    static final long CHUNK_BYTES = 1 << 20;
    /** How long the engine thread waits for room before it looks whether the client is still there. */
    private static final long OFFER_RECHECK_MILLIS = 100;

    /** What the engine thread hands over: the first chunk, later chunks, the end. */
    private record Head(List<ResultColumn> columns, List<Object[]> rows, StatementResult done) {}

    private record Rows(List<Object[]> rows) {}

    private record End(HourglassException failure) {}

    private final BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(4);
    private final HttpServerResponse response;
    private final long stallNanos;
    /** The statement's connection: closing it (the service stopping) ends a wait for the client. */
    private final Connection connection;
    private List<ResultColumn> columns;
    private List<Object[]> chunk = new ArrayList<>();
    private long chunkBytes;
    private boolean streaming;
    private volatile boolean gone;

    private StreamedResult(HttpServerResponse response, Duration stall, Connection connection) {
        this.response = response;
        this.stallNanos = stall.toNanos();
        this.connection = connection;
    }

    /**
     * Runs {@code statement} (given this cursor as its sink) on {@code engine} and answers: the
     * whole result if it is small, else a response that streams it. Blocks until that is known.
     */
    static Response run(Executor engine, ObjectMapper json, HttpServerResponse response, Duration stall, Connection connection,
                        Function<ResultSink, StatementResult> statement) {
        StreamedResult s = new StreamedResult(response, stall, connection);
        // A connection that closes (the client gone, the service stopping) stops the statement at
        // its next row even while no write is under way; a failed write says so too.
        if (response != null) response.closeHandler(v -> s.gone = true);
        engine.execute(() -> {
            Object last;
            try {
                StatementResult r = statement.apply(s);
                // the rows after the last full chunk (without this, a streamed result lost its tail)
                if (s.streaming && !s.chunk.isEmpty()) s.hand(new Rows(s.chunk));
                last = s.streaming ? new End(null) : new Head(s.columns, s.chunk, r);
            } catch (RuntimeException | Error e) {
                HourglassException he = HourglassException.of(e, "the statement");
                last = s.streaming ? new End(he) : he;
            }
            s.hand(last);
        });
        Object first = s.take();
        if (first instanceof HourglassException e) throw e;
        Head head = (Head) first;
        if (head.done() != null) {
            StatementResult r = head.done();
            return Response.ok(JsonValues.result(new StatementResult(r.isQuery() ? head.columns() : r.columns(), head.rows(),
                    r.updateCount())), MediaType.APPLICATION_JSON).build();
        }
        return Response.ok((StreamingOutput) out -> s.write(out, json, head), MediaType.APPLICATION_JSON).build();
    }

    // ---- the engine's side ----------------------------------------------------------------------

    @Override
    public void columns(List<ResultColumn> cols) { columns = cols; }

    @Override
    public void row(Object[] row) {
        if (gone) throw ErrorCode.STATEMENT_CANCELLED.error("its client went away");
        chunk.add(row);
        chunkBytes += TempSpace.footprint(row);
        if (chunk.size() >= CHUNK_ROWS || chunkBytes >= CHUNK_BYTES) {
            hand(streaming ? new Rows(chunk) : new Head(columns, chunk, null));
            streaming = true;
            chunk = new ArrayList<>();
            chunkBytes = 0;
        }
    }

    /**
     * Queues {@code item} for the response, waiting while the queue is full; TT90036 once the
     * client has gone, or has read nothing for the stall timeout (the response is then reset,
     * which also frees the thread blocked writing to it).
     */
    private void hand(Object item) {
        long since = System.nanoTime();
        try {
            while (!chunks.offer(item, OFFER_RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                if (gone) throw ErrorCode.STATEMENT_CANCELLED.error("its client went away");
                String closing = connection.cancelled();
                if (closing != null) throw ErrorCode.STATEMENT_CANCELLED.error(closing);
                if (System.nanoTime() - since > stallNanos) {
                    gone = true;
                    if (response != null) response.reset();
                    throw ErrorCode.STATEMENT_CANCELLED.error("its client read nothing for " + Duration.ofNanos(stallNanos).toSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ErrorCode.STATEMENT_CANCELLED.error("the service is stopping");
        }
    }

    // ---- the response's side --------------------------------------------------------------------

    private Object take() {
        try {
            return chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gone = true;
            throw ErrorCode.STATEMENT_CANCELLED.error("the service is stopping");
        }
    }

    /** The SqlResult shape, written as the chunks come; a failure after rows ends it with an "error". */
    private void write(OutputStream out, ObjectMapper json, Head head) throws IOException {
        try (JsonGenerator g = json.createGenerator(out).configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)) {
            g.writeStartObject();
            g.writeArrayFieldStart("columns");
            for (ResultColumn c : head.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("type", c.type().sqlName());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            writeRows(g, head.rows());
            while (true) {
                Object next = take();
                if (next instanceof Rows r) {
                    writeRows(g, r.rows());
                    continue;
                }
                g.writeEndArray();
                g.writeNumberField("updateCount", -1);
                HourglassException failure = ((End) next).failure();
                if (failure != null) {
                    g.writeObjectFieldStart("error");
                    g.writeNumberField("code", failure.number());
                    g.writeStringField("message", failure.getMessage());
                    g.writeEndObject();
                }
                g.writeEndObject();
                return;
            }
        } catch (IOException | RuntimeException e) {
            gone = true; // the client went away: the engine's next row stops the statement
            chunks.clear();
            throw e;
        }
    }

    private static void writeRows(JsonGenerator g, List<Object[]> rows) throws IOException {
        for (Object[] row : rows) {
            g.writeStartArray();
            for (Object v : row) g.writeObject(JsonValues.toJson(v));
            g.writeEndArray();
        }
        g.flush();
    }
}
