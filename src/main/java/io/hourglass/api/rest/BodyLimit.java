package io.hourglass.api.rest;

import io.hourglass.engine.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request body whose Content-Length is past {@code quarkus.http.limits.max-body-size} gets
 * TT90058 as JSON, as every other error does, where Quarkus answers 413 with no body: checked
 * before Quarkus's own check (route order -2), from the headers, so a client that waits for
 * {@code 100 Continue} (curl past 1 MB) reads the answer without sending the body. A chunked body
 * (no Content-Length) that runs past the limit is still stopped by Quarkus while it is read, with
 * its bare 413: the endpoint's reader answers and closes before any handler here could.
 */
@ApplicationScoped
public class BodyLimit {
    /** Before Quarkus's upload limit (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT, -2). */
    static final int ORDER = -3;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize limit;

    void install(@Observes Router router) {
        long most = limit.asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long n;
            try {
                n = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = -1; // (Vert.x itself refuses a malformed length)
            }
            if (n > most) {
                refuse(ctx, String.format("%,d", n), most);
            } else {
                ctx.next();
            }
        });
    }

    private static void refuse(RoutingContext ctx, String bytes, long most) {
        String message = ErrorCode.REQUEST_TOO_LARGE.error(bytes, String.format("%,d", most)).getMessage();
        // Close the connection after the answer: the rest of the body is not read.
        ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CONNECTION, "close")
                .end(new JsonObject().put("error", new JsonObject().put("code", ErrorCode.REQUEST_TOO_LARGE.number()).put("message", message)).encode());
    }
}
