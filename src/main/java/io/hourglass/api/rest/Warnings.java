package io.hourglass.api.rest;

import io.hourglass.engine.lifecycle.Connection;
import io.vertx.core.http.HttpServerResponse;

/**
 * Warnings a response carries beside its result, as HTTP {@code Warning} headers with RFC 7234's
 * code 299 ("miscellaneous persistent warning"; RFC 9111 retired the field from caching, but
 * clients and proxies still show it).
 */
final class Warnings {
    private Warnings() {}

    /** The login's warning, if it had one (a password within its grace period): the client is told at each request, as TimesTen tells at each connect. */
    static void login(Connection c, HttpServerResponse response) {
        String w = c.loginWarning();
        if (w != null && response != null) {
            response.putHeader("Warning", "299 hourglass \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
    }
}
