package io.hourglass.api.rest;

import io.hourglass.service.SqlGateway;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One autocommitted statement per request, as the HTTP Basic user. */
@Path("/v1/databases/{dsn}/sql")
@Tag(name = "SQL")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SqlResource {
    @Inject
    SqlGateway gateway;

    @POST
    @RunOnVirtualThread
    @Operation(summary = "Run one statement in its own transaction",
            description = "Queries and CALLs return columns and rows; DML returns the update count.")
    public SqlResult execute(@PathParam("dsn") String dsn, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                             SqlRequest req) {
        Credentials cred = Credentials.fromHeader(auth);
        String sql = req == null ? null : req.sql();
        Object[] params = req == null ? new Object[0] : JsonValues.params(req.params());
        return JsonValues.result(gateway.autocommit(gateway.connect(dsn, cred.user(), cred.password()), sql, params, false));
    }
}
