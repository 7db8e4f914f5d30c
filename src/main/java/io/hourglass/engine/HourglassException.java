package io.hourglass.engine;

/**
 * Every failure the engine reports to a client. The message is prefixed by TimesTen's
 * {@code TTnnnn:} convention so a log line or a shell shows the number without the code.
 */
public final class HourglassException extends RuntimeException {
    private final ErrorCode code;
    private final String detail;

    public HourglassException(ErrorCode code, String detail) {
        super("TT" + String.format("%04d", code.number()) + ": " + detail);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code() { return code; }

    public int number() { return code.number(); }

    /** The message without the {@code TTnnnn:} prefix. */
    public String detail() { return detail; }
}
