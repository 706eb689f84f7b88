package dev.styleclip.bench;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.RelevancePreparation;
import dev.styleclip.edit.global.StyleEdit;
import dev.styleclip.edit.global.StyleStats;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Global directions timing with random weights at published shapes: one edit (alpha applied, image
 * synthesised) at the given size, and the fs3 preparation rate (channels per second) with a ViT-B/32-sized CLIP.
 */
public final class GlobalEditBench {
    private GlobalEditBench() {
    }

    public static void run(int size, int warmup, int repeats, int prepareImages, PrintWriter out) throws IOException {
        try (Generator g = RandomModels.generator(size, 0)) {
            Tensor s;
            try (NoGradGuard ng = new NoGradGuard()) {
                s = StyleCodes.flatten(g.styles(g.toWPlus(g.mapping(torch.randn(1, 512)))));
            }
            Tensor ds = torch.randn(s.size(1)).mul(new org.bytedeco.pytorch.Scalar(0.1));
            Timer.Stats edit = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    g.synthesizeFromStyles(StyleCodes.unflatten(StyleEdit.apply(s, ds, 4.1), g.styleLayout()), NoiseMode.CONST);
                }
            });
            out.println("global-edit size=" + size + " pass=edit+synthesis " + edit.format());
            out.flush();
            prepareRate(g, size, prepareImages, out);
        }
    }

    /** Times one chunk of channels of the fs3 preparation (deep entry, as most channels are) and reports the rate. */
    private static void prepareRate(Generator g, int size, int images, PrintWriter out) throws IOException {
        try (ClipModel clip = RandomModels.clipVitB32(1)) {
            StyleStats stats;
            try (NoGradGuard ng = new NoGradGuard()) {
                stats = StyleStats.sample(g, 64, 0, 64);
            }
            int channels = 2;
            int lastEntry = g.styleLayout().size() - 2; // the last conv entry: synthesis before it is reused
            var settings = new RelevancePreparation.Settings(images, 5.0, lastEntry, channels, Math.max(2, 2 * images));
            RelevancePreparation prep = new RelevancePreparation(g, clip, stats, settings);
            Tensor base;
            try (NoGradGuard ng = new NoGradGuard()) {
                base = StyleCodes.flatten(g.styles(g.toWPlus(g.mapping(torch.randn(images, 512)))));
            }
            Path work = Files.createTempDirectory("fs3-bench");
            try {
                var entry = prep.entries().get(prep.entries().size() - 1);
                long t0 = System.nanoTime();
                prep.timeChunk(base, entry, channels);
                double sec = (System.nanoTime() - t0) / 1e9;
                double rate = channels / sec;
                out.printf("global-prepare size=%d images_per_channel=%d channels_per_sec=%.4f (one chunk of %d channels of %s)"
                                + " at_reference_M100_channels_per_sec=%.5f%n",
                        size, images, rate, channels, entry.name(), rate * images / 100.0);
                out.flush();
            } finally {
                try (var files = Files.walk(work)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
        }
    }
}
