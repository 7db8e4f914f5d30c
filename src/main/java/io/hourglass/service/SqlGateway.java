package io.hourglass.service;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.ResultSink;
import io.hourglass.engine.sql.StatementResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What the HTTP and gRPC edges share: connecting and running one autocommitted statement.
 * Blocking: call it from an engine thread ({@link EngineExecutor}), never an event loop.
 */
@ApplicationScoped
public class SqlGateway {
    @Inject
    Instance instance;

    public Connection connect(String dsn, String user, String password) {
        return instance.connect(dsn, user, password);
    }

    public Connection connect(String connectionString) {
        return instance.connect(connectionString);
    }

    /**
     * Runs {@code sql} in its own transaction. With {@code durable}, returns only once the commit
     * is as durable as a durable commit promises.
     */
    public StatementResult autocommit(Connection c, String sql, Object[] params, boolean durable) {
        return autocommit(c, sql, params, durable, null);
    }

    /** As {@link #autocommit(Connection, String, Object[], boolean)}, a query's rows handed to {@code sink} as they are made. */
    public StatementResult autocommit(Connection c, String sql, Object[] params, boolean durable, ResultSink sink) {
        try (c) {
            if (sql == null) throw ErrorCode.SYNTAX_ERROR.error(1, "no statement given");
            c.setAutocommit(false);
            StatementResult r;
            try {
                r = sink == null ? c.execute(sql, params) : c.execute(c.prepare(sql), sink, params);
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            }
            Connection.join(c.commit(durable));
            return r;
        }
    }
}
