package io.hourglass.api.rest;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.service.HttpTransactions;
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

/**
 * Multi-statement transactions: begin, statements, commit or rollback. Each request carries
 * HTTP Basic credentials; only the user who began a transaction can use it.
 */
@Path("/v1")
@Tag(name = "Transactions")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TransactionResource {
    @Inject
    SqlGateway gateway;

    @Inject
    HttpTransactions transactions;

    public record Begun(String id) {}

    public record CommitRequest(Boolean durable) {}

    public record Ended(String id, String outcome) {}

    @POST
    @Path("/databases/{dsn}/transactions")
    @RunOnVirtualThread
    @Operation(summary = "Begin a transaction", description = "Answers its id; it expires when left idle.")
    public Begun begin(@PathParam("dsn") String dsn, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                       @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerResponse response) {
        Credentials cred = Credentials.fromHeader(auth);
        Connection c = gateway.connect(dsn, cred.user(), cred.password());
        Warnings.login(c, response);
        return new Begun(transactions.begin(c));
    }

    @POST
    @Path("/transactions/{id}/sql")
    @RunOnVirtualThread
    @Operation(summary = "Run a statement in the transaction")
    public SqlResult execute(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth, SqlRequest req) {
        HttpTransactions.Entry e = entry(id, auth);
        if (req == null || req.sql() == null) throw ErrorCode.SYNTAX_ERROR.error(1, "no statement given");
        return JsonValues.result(e.connection().execute(req.sql(), JsonValues.params(req.params())));
    }

    @POST
    @Path("/transactions/{id}/commit")
    @RunOnVirtualThread
    @Operation(summary = "Commit and end the transaction",
            description = "With {\"durable\": true} the answer waits until the commit is durable.")
    public Ended commit(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth, CommitRequest body) {
        HttpTransactions.Entry e = entry(id, auth);
        try {
            Connection.join(e.connection().commit(body != null && Boolean.TRUE.equals(body.durable())));
        } finally {
            transactions.end(e);
        }
        return new Ended(id, "committed");
    }

    @POST
    @Path("/transactions/{id}/rollback")
    @RunOnVirtualThread
    @Operation(summary = "Roll back and end the transaction")
    public Ended rollback(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        HttpTransactions.Entry e = entry(id, auth);
        try {
            e.connection().rollback();
        } finally {
            transactions.end(e);
        }
        return new Ended(id, "rolled back");
    }

    private HttpTransactions.Entry entry(String id, String auth) {
        Credentials cred = Credentials.fromHeader(auth);
        HttpTransactions.Entry e = transactions.get(id, cred.user());
        // Re-check the password on every request: the id alone is not a credential.
        var catalog = e.connection().database().catalog();
        var user = catalog.authenticate(cred.user().toUpperCase(java.util.Locale.ROOT), cred.password());
        // (as at a login: a password that expired since the transaction began may only be changed)
        if (catalog.loginPasswordStatus(user) == io.hourglass.engine.catalog.Catalog.PasswordStatus.EXPIRED) {
            e.connection().restrictToPasswordChange();
        }
        return e;
    }
}
