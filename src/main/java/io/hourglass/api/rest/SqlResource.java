package io.hourglass.api.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.service.EngineExecutor;
import io.hourglass.service.HourglassConfig;
import io.hourglass.service.SqlGateway;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One autocommitted statement per request, as the HTTP Basic user. */
@Path("/v1/databases/{dsn}/sql")
@Tag(name = "SQL")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SqlResource {
    @Inject
    SqlGateway gateway;

    @Inject
    EngineExecutor executor;

    @Inject
    ObjectMapper json;

    @Inject
    HourglassConfig config;

    @POST
    @RunOnVirtualThread
    @Operation(summary = "Run one statement in its own transaction",
            description = "Queries and CALLs return columns and rows; DML returns the update count.")
    @APIResponse(responseCode = "200", description = "The result; a large one streams as the statement makes it, and a failure after"
            + " rows were sent ends the body with an \"error\" member", content = @Content(schema = @Schema(implementation = SqlResult.class)))
    public Response execute(@PathParam("dsn") String dsn, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                            SqlRequest req, @Context HttpServerResponse response) {
        Credentials cred = Credentials.fromHeader(auth);
        String sql = req == null ? null : req.sql();
        Object[] params = req == null ? new Object[0] : JsonValues.params(req.params());
        Connection c = gateway.connect(dsn, cred.user(), cred.password());
        Warnings.login(c, response);
        return StreamedResult.run(executor, json, response, config.resultStallTimeout(), c,
                sink -> gateway.autocommit(c, sql, params, false, sink));
    }
}
