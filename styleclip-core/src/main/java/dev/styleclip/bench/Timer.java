package dev.styleclip.bench;

import dev.styleclip.stop.Stop;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;

/** Wall-clock measurement with warm-up; each run inside its own native scope. Medians, never means. */
public final class Timer {
    /** Milliseconds of the repeats, sorted. */
    public record Stats(double[] sortedMs) {
        public double median() {
            int n = sortedMs.length;
            return n % 2 == 1 ? sortedMs[n / 2] : (sortedMs[n / 2 - 1] + sortedMs[n / 2]) / 2;
        }

        public double p25() {
            return sortedMs[(int) Math.floor((sortedMs.length - 1) * 0.25)];
        }

        public String format() {
            return String.format("median_ms=%.1f p25_ms=%.1f repeats=%d", median(), p25(), sortedMs.length);
        }
    }

    private Timer() {
    }

    public static Stats measure(int warmup, int repeats, Runnable body) {
        for (int i = 0; i < warmup; i++) {
            Stop.check();
            once(body);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            Stop.check();
            ms[i] = once(body);
        }
        Arrays.sort(ms);
        return new Stats(ms);
    }

    private static double once(Runnable body) {
        try (PointerScope scope = new PointerScope()) {
            long t0 = System.nanoTime();
            body.run();
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
