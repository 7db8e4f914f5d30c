package io.hourglass.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as JSON with its number: {@code {"error": {"code": n, "message": ".."}}}. */
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @ServerExceptionMapper
    public Response engine(HourglassException e) {
        if (e.code() == ErrorCode.INTERNAL) LOG.error("internal error", e);
        Response.ResponseBuilder b = Response.status(status(e.code().kind()))
                .type(MediaType.APPLICATION_JSON)
                .entity(ErrorBody.of(e.number(), e.getMessage()));
        if (e.code() == ErrorCode.AUTHENTICATION_FAILED) b.header("WWW-Authenticate", "Basic realm=\"hourglass\"");
        return b.build();
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(ErrorBody.of(ErrorCode.SEMANTIC_ERROR.number(), "TT" + ErrorCode.SEMANTIC_ERROR.number()
                        + ": malformed JSON request: " + e.getOriginalMessage()))
                .build();
    }

    /** A body of the wrong shape (params not a list, a list for an object): Quarkus's own mapper answers with no body. */
    @ServerExceptionMapper
    public Response badShape(com.fasterxml.jackson.databind.exc.MismatchedInputException e) { return badJson(e); }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        // A body that does not parse reaches here wrapped, with Jackson's reason as the cause.
        if (e.getCause() instanceof JsonProcessingException j) return badJson(j);
        int status = e.getResponse().getStatus();
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ErrorBody.of(ErrorCode.SEMANTIC_ERROR.number(), "TT" + ErrorCode.SEMANTIC_ERROR.number() + ": " + e.getMessage()))
                .build();
    }

    static int status(ErrorCode.Kind k) {
        return switch (k) {
            case BAD_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case RESOURCE -> 507;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }
}
