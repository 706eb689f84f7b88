package dev.styleclip.stop;

/** Thrown by {@link Stop#check()} at a step boundary when the work was asked to stop. */
public final class StoppedException extends RuntimeException {
    private final String reason;

    public StoppedException(String reason) {
        super("stopped (" + reason + ")");
        this.reason = reason;
    }

    /** What asked for the stop, e.g. "SIGINT" or "cancelled". */
    public String reason() {
        return reason;
    }
}
