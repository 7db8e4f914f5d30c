package io.hourglass.api.rest;

import io.hourglass.engine.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP Basic credentials: database user and password. */
record Credentials(String user, String password) {
    static Credentials fromHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ErrorCode.AUTHENTICATION_FAILED.error();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.AUTHENTICATION_FAILED.error();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) throw ErrorCode.AUTHENTICATION_FAILED.error();
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
