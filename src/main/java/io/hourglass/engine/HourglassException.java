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

    /**
     * What a client is told about {@code failure}, which stopped work that {@code undone} names
     * ("the statement", "the transaction") and that the caller has undone: the engine's own
     * error as it is, the heap running out as TT90037, anything else as an internal error.
     */
    public static HourglassException of(Throwable failure, String undone) {
        HourglassException e = switch (failure) {
            case HourglassException he -> he;
            case OutOfMemoryError oom -> ErrorCode.OUT_OF_MEMORY.error(oom.getMessage(), undone);
            default -> ErrorCode.INTERNAL.error(String.valueOf(failure));
        };
        if (e != failure) e.initCause(failure);
        return e;
    }

    public ErrorCode code() { return code; }

    public int number() { return code.number(); }

    /** The message without the {@code TTnnnn:} prefix. */
    public String detail() { return detail; }
}
