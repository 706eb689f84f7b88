package dev.styleclip.cli;

import java.io.PrintWriter;

/** One progress line on stderr every {@code every} steps (and the last): step, bar, losses, s/step, time left. */
final class StepPrinter {
    private static final int WIDTH = 20;
    private final PrintWriter err;
    private final String task;
    private final long every;
    private final long start = System.nanoTime();
    private long firstStep = -1;

    StepPrinter(PrintWriter err, String task, long every) {
        this.err = err;
        this.task = task;
        this.every = Math.max(1, every);
    }

    /** @param step 0-based step just finished; @param values e.g. "loss 0.123" */
    void step(long step, long total, String values) {
        if (firstStep < 0) firstStep = step;
        if ((step + 1) % every != 0 && step != total - 1 && step != firstStep) return;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perStep = elapsed / (step - firstStep + 1);
        double left = perStep * (total - step - 1);
        int filled = (int) Math.round(WIDTH * (step + 1) / (double) total);
        err.printf("%s %d/%d [%s%s] %s | %.2f s/step, left %s%n", task, step + 1, total, "#".repeat(filled),
                "-".repeat(WIDTH - filled), values, perStep, clock(left));
        err.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    /** An observer that prints an optimization's steps (and announces its loose retry) on {@code err}. */
    static dev.styleclip.edit.optimize.LatentOptimization.Observer forOptimization(PrintWriter err,
            dev.styleclip.edit.optimize.LatentOptimization.Settings s) {
        return new dev.styleclip.edit.optimize.LatentOptimization.Observer() {
            StepPrinter printer = new StepPrinter(err, "optimize", Math.max(1, s.steps() / 10));

            @Override
            public void onStep(dev.styleclip.edit.optimize.LatentOptimization.StepLosses l, org.bytedeco.pytorch.Tensor image,
                               org.bytedeco.pytorch.Tensor latent, org.bytedeco.pytorch.Tensor grad) {
                printer.step(l.step(), s.steps(), String.format("clip %.4f l2 %.4f l1 %.4f", l.clip(), l.l2(), l.l1()));
            }

            @Override
            public void onRetry(long[] rows, double l1) {
                err.printf("optimize: CLIP's cosine rose by less than %s; again from the start with L1 weight %s%n", s.retry().minGain(), l1);
                printer = new StepPrinter(err, "optimize (retry)", Math.max(1, s.steps() / 10));
            }
        };
    }
}
