package io.hourglass.api.rest;

/** {@code {"error": {"code": 907, "message": "TT0907: ..."}}} */
public record ErrorBody(Detail error) {
    public record Detail(int code, String message) {}

    static ErrorBody of(int code, String message) { return new ErrorBody(new Detail(code, message)); }
}
