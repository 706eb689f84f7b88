package dev.styleclip.stop;

import java.util.concurrent.Callable;

/**
 * A request to stop long work at its next step boundary. Loops that take more than a moment (optimization steps,
 * training steps, preparation chunks, evaluation batches) call {@link #check()} between steps, never inside one:
 * native work is never abandoned half-way, so the engine's memory is released in order and the process can exit
 * cleanly afterwards.
 *
 * <p>Two sources: the whole process ({@link #requestAll}, which the command line's SIGINT/SIGTERM handler calls), and
 * a {@link Token} that work on one thread runs under ({@link #under}), e.g. one web request that a user cancels.
 */
public final class Stop {
    private static volatile String processReason;
    private static final ThreadLocal<Token> TOKEN = new ThreadLocal<>();

    private Stop() {
    }

    /** Asks every piece of work in the process to stop at its next step boundary; {@code reason} e.g. "SIGINT". */
    public static void requestAll(String reason) {
        processReason = reason;
    }

    /** Whether the process was asked to stop, and why (null: it was not). */
    public static String processRequest() {
        return processReason;
    }

    /** Forgets a process-wide request (for tests that run several commands in one JVM). */
    public static void clearAll() {
        processReason = null;
    }

    /** Whether the work on this thread should stop: the process or this thread's token asked for it. */
    public static boolean requested() {
        Token t = TOKEN.get();
        return processReason != null || (t != null && t.cancelled);
    }

    /** Throws {@link StoppedException} when {@link #requested()}; call it between steps. */
    public static void check() {
        Token t = TOKEN.get();
        if (processReason != null) throw new StoppedException(processReason);
        if (t != null && t.cancelled) throw new StoppedException(t.reason);
    }

    /** Runs {@code work} on this thread under {@code token}: {@link #check()} there also answers to the token. */
    public static <T> T under(Token token, Callable<T> work) throws Exception {
        Token previous = TOKEN.get();
        TOKEN.set(token);
        try {
            return work.call();
        } finally {
            if (previous == null) TOKEN.remove();
            else TOKEN.set(previous);
        }
    }

    /** A request to stop one piece of work, e.g. a user's cancel button. */
    public static final class Token {
        private volatile boolean cancelled;
        private volatile String reason = "cancelled";

        public void cancel(String why) {
            reason = why;
            cancelled = true;
        }

        public boolean cancelled() {
            return cancelled;
        }
    }
}
