package dev.styleclip.cli;

import dev.styleclip.edit.mapper.LossDict;
import dev.styleclip.edit.mapper.TrainListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training progress bar: every board_interval steps (and the last) one line on stderr with the step, a bar, the
 * losses, the time per step and the time left; validation results and written checkpoints on stdout.
 */
final class TrainProgress implements TrainListener {
    private static final int WIDTH = 20;
    private final PrintWriter err;
    private final PrintWriter out;
    private final Path expDir;
    private final long start = System.nanoTime();
    private long firstStep = -1;
    private final int board;

    TrainProgress(PrintWriter err, PrintWriter out, Path expDir, int boardInterval) {
        this.err = err;
        this.out = out;
        this.expDir = expDir;
        this.board = Math.max(1, boardInterval);
    }

    @Override
    public void onStep(long step, long maxSteps, LossDict losses) {
        if (firstStep < 0) firstStep = step;
        if (step % board != 0 && step != maxSteps - 1) return;
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = step - firstStep + 1;
        double perStep = elapsed / done;
        double left = perStep * (maxSteps - step - 1);
        int filled = (int) Math.round(WIDTH * (step + 1) / (double) maxSteps);
        err.printf("step %d/%d [%s%s] %5.1f%% %s | %.2f s/step, elapsed %s, left %s%n", step + 1, maxSteps,
                "#".repeat(filled), "-".repeat(WIDTH - filled), 100.0 * (step + 1) / maxSteps, format(losses), perStep,
                clock(elapsed), clock(left));
        err.flush();
    }

    @Override
    public void onValidation(long step, LossDict losses, boolean best) {
        out.printf("validation at step %d: %s%s%n", step, format(losses), best ? " (best so far)" : "");
        out.flush();
    }

    @Override
    public void onFileWritten(long step, Path file) {
        if (file.toString().endsWith(".pt")) {
            out.println("wrote " + (expDir == null ? file : expDir.relativize(file)));
            out.flush();
        }
    }

    @Override
    public boolean stopRequested() {
        return dev.styleclip.stop.Stop.requested();
    }

    static String format(LossDict d) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : d.values().entrySet()) {
            if (e.getKey().equals(LossDict.ID_IMPROVE)) continue;
            String name = e.getKey().equals(LossDict.TOTAL) ? "loss" : e.getKey().replace("loss_", "").replace("_latent", "");
            sb.append(sb.length() == 0 ? "" : " ").append(name).append(' ').append(String.format("%.4f", e.getValue()));
        }
        return sb.toString();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
