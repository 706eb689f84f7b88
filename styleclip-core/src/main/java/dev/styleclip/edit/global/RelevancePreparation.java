package dev.styleclip.edit.global;

import dev.styleclip.stop.Stop;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.preprocess.ClipImagePreprocess;
import dev.styleclip.clip.preprocess.Rgb8Image;
import dev.styleclip.image.Images;
import dev.styleclip.io.Npy;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.stylegan2.StyleLayer;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Computes fs3, the per-channel CLIP relevance of global directions, as global_torch/SingleChannel.py does:
 * for every non-ToRGB S entry up to {@code maxEntry} and every channel, the channel of M images is set to
 * its mean and moved by -k and +k standard deviations, the 2M images are rendered (uint8, as
 * {@code GenerateImg}), CLIP-embedded with CLIP's own preprocessing, and {@link ChannelRelevance} turns the
 * features into fs3.
 *
 * <p>Like the reference (whose {@code copy.copy} of the code list is shallow), a channel once processed
 * stays at its mean for every later channel: the edits accumulate. That makes the state before any
 * channel a pure function of its position, which is what makes the work resumable: finished chunks of
 * channels are saved under the work folder and a rerun continues after the last one, giving the same
 * matrix bit for bit (chunks are aligned, so batches are the same).
 *
 * <p>Faster than the reference without changing a value: entries before the one being varied are the same
 * for every channel of that entry, so synthesis up to it runs once per entry and is reused
 * ({@link Generator#advance}); images are rendered and encoded in batches.
 */
public final class RelevancePreparation {
    /**
     * @param numImages    M, images per channel (the reference uses 100)
     * @param alpha        k, the move in standard deviations (the reference's 5)
     * @param maxEntry     highest S index included (16 in global_torch: "below or equal to 128 resolution")
     * @param chunk        channels per saved chunk
     * @param batchImages  images synthesised together (memory grows with it and the resolution)
     */
    public record Settings(int numImages, double alpha, int maxEntry, int chunk, int batchImages) {
        /** The reference's choices; {@code batchImages} images are synthesised at a time. */
        public static Settings reference(int batchImages) {
            return new Settings(100, 5.0, 16, 8, batchImages);
        }
    }

    /** Told after each finished chunk. */
    public interface Progress {
        void rowsDone(int done, int total);
    }

    private final Generator g;
    private final ClipModel clip;
    private final StyleStats stats;
    private final Settings settings;
    private final List<StyleLayer> layout;
    private final int[] offsets;

    public RelevancePreparation(Generator g, ClipModel clip, StyleStats stats, Settings settings) {
        this.g = g;
        this.clip = clip;
        this.stats = stats;
        this.settings = settings;
        this.layout = g.styleLayout();
        this.offsets = StyleCodes.offsets(layout);
    }

    /** The S entries fs3 covers, in order. */
    public List<StyleLayer> entries() {
        return entries(layout, settings.maxEntry());
    }

    /** The non-ToRGB entries of {@code layout} up to S index {@code maxEntry}: the rows of fs3, in order. */
    public static List<StyleLayer> entries(List<StyleLayer> layout, int maxEntry) {
        List<StyleLayer> out = new ArrayList<>();
        for (StyleLayer l : layout) if (!l.toRgb() && l.index() <= maxEntry) out.add(l);
        return out;
    }

    /** (S index, channel) of every fs3 row. */
    public int[][] rows() {
        List<int[]> rows = new ArrayList<>();
        for (StyleLayer l : entries()) for (int c = 0; c < l.channels(); c++) rows.add(new int[] {l.index(), c});
        return rows.toArray(new int[0][]);
    }

    /**
     * Runs (or resumes) the preparation. {@code base} [M, sum C] are the flat S codes of the M images; chunks
     * of features are kept in {@code workDir}. Returns fs3 [rows, D].
     */
    public Tensor run(Tensor base, Path workDir, Progress progress) throws IOException {
        Tensors.checkShape("base S codes", base, settings.numImages(), StyleCodes.totalChannels(layout));
        Files.createDirectories(workDir);
        int total = rows().length;
        int done = 0;
        TensorVector features = new TensorVector();
        for (StyleLayer l : entries()) {
            Generator.SynthesisState before = null;
            for (int c0 = 0; c0 < l.channels(); c0 += settings.chunk()) {
                Stop.check(); // between chunks: every finished chunk is on disk, so a rerun resumes here
                int n = Math.min(settings.chunk(), l.channels() - c0);
                Path file = workDir.resolve(String.format("allf_s%02d_c%05d.npy", l.index(), c0));
                Tensor chunkF;
                if (Files.exists(file)) {
                    chunkF = Tensors.fromRawAsFloat(Npy.read(file));
                    Tensors.checkShape("saved chunk " + file.getFileName(), chunkF, n, settings.numImages(), 2, -1);
                } else {
                    if (before == null) before = stateBefore(base, l);
                    chunkF = computeChunk(base, l, c0, n, before);
                    Npy.write(file, Tensors.toRaw(chunkF));
                }
                features.push_back(chunkF);
                done += n;
                if (progress != null) progress.rowsDone(done, total);
            }
        }
        return ChannelRelevance.fromFeatures(torch.cat(features, 0));
    }

    /** Computes (and discards) one chunk of {@code n} channels of entry {@code l}: for timing. */
    public void timeChunk(Tensor base, StyleLayer l, int n) {
        try (PointerScope scope = new PointerScope()) {
            computeChunk(base, l, 0, n, stateBefore(base, l));
        }
    }

    /**
     * The codes the reference renders for channel {@code c} of entry {@code l}: [M, 2, sum C] for alpha -k and
     * +k. Every entry processed before {@code l} is at its mean, channels 0..c of {@code l} too (the
     * reference's accumulation), and channel c then moves by alpha times its std.
     */
    public Tensor editedCodes(Tensor base, StyleLayer l, int c) {
        Tensor current = accumulated(base, l, c);
        int col = offsets[l.index()] + c;
        double std = Tensors.toFloatArray(stats.std().narrow(0, col, 1))[0];
        Tensor minus = current.clone();
        Tensor plus = current.clone();
        minus.narrow(1, col, 1).add_(new org.bytedeco.pytorch.Scalar(-settings.alpha() * std));
        plus.narrow(1, col, 1).add_(new org.bytedeco.pytorch.Scalar(settings.alpha() * std));
        return torch.stack(new TensorVector(minus, plus), 1);
    }

    /** base with every covered entry before {@code l} and channels 0..lastChannel of {@code l} at their means. */
    private Tensor accumulated(Tensor base, StyleLayer l, int lastChannel) {
        Tensor codes = base.clone();
        for (StyleLayer e : entries()) {
            int n = e.index() < l.index() ? e.channels() : e.index() == l.index() ? lastChannel + 1 : 0;
            if (n > 0) setToMean(codes, e, 0, n);
        }
        return codes;
    }

    /** Synthesis state after the entries before {@code l} (all at their means by then). */
    private Generator.SynthesisState stateBefore(Tensor base, StyleLayer l) {
        try (NoGradGuard ng = new NoGradGuard()) {
            List<Tensor> s = StyleCodes.unflatten(accumulated(base, l, -1), layout);
            return g.advance(g.start(base.size(0)), s, l.index(), NoiseMode.CONST);
        }
    }

    /** Features [n, M, 2, D] of channels c0..c0+n-1 of entry l, rendered and encoded as one batch. */
    private Tensor computeChunk(Tensor base, StyleLayer l, int c0, int n, Generator.SynthesisState before) {
        int m = settings.numImages();
        try (NoGradGuard ng = new NoGradGuard(); PointerScope scope = new PointerScope()) {
            TensorVector codes = new TensorVector();
            for (int k = 0; k < n; k++) codes.push_back(editedCodes(base, l, c0 + k).view(2L * m, -1));
            Tensor all = torch.cat(codes, 0); // [(channel, image, alpha), sumC]
            Tensor f = encode(render(all, l, before, n)).view(n, m, 2, -1);
            return Tensors.keep(scope, f);
        }
    }

    /**
     * Renders codes [(channel, image, alpha), sum C] from the cached state (which holds the M images once),
     * {@code batchImages} at a time.
     */
    private Tensor render(Tensor all, StyleLayer l, Generator.SynthesisState before, int channels) {
        Tensor feat = repeatEach(before.features(), 2, channels);
        Tensor skip = before.skip() == null ? null : repeatEach(before.skip(), 2, channels);
        TensorVector out = new TensorVector();
        long count = all.size(0);
        for (long i = 0; i < count; i += settings.batchImages()) {
            long n = Math.min(settings.batchImages(), count - i);
            List<Tensor> s = StyleCodes.unflatten(all.narrow(0, i, n), layout);
            Generator.SynthesisState start = new Generator.SynthesisState(feat.narrow(0, i, n),
                    skip == null ? null : skip.narrow(0, i, n), l.index());
            out.push_back(g.advance(start, s, layout.size(), NoiseMode.CONST).skip());
        }
        return torch.cat(out, 0);
    }

    /** [M, ...] -> [channels * M * 2, ...] ordered (channel, image, alpha): each image twice, the lot repeated. */
    private static Tensor repeatEach(Tensor x, int times, int channels) {
        long[] shape = x.shape();
        long[] expanded = new long[shape.length + 2];
        expanded[0] = channels;
        expanded[1] = shape[0];
        expanded[2] = times;
        System.arraycopy(shape, 1, expanded, 3, shape.length - 1);
        long[] merged = shape.clone();
        merged[0] = shape[0] * times * channels;
        return x.unsqueeze(0).unsqueeze(2).expand(expanded).reshape(merged);
    }

    /** CLIP features [B, D] of generator images [B, 3, H, W], via uint8 and CLIP's own preprocessing. */
    private Tensor encode(Tensor images) {
        Tensor u8 = Images.toUint8Nhwc(images);
        int s = clip.config().imageResolution();
        TensorVector inputs = new TensorVector();
        for (int i = 0; i < u8.size(0); i++) inputs.push_back(Tensors.floats(clipInput(u8.select(0, i), s), 1, 3, s, s));
        Tensor x = torch.cat(inputs, 0);
        TensorVector out = new TensorVector();
        for (long i = 0; i < x.size(0); i += settings.batchImages()) {
            out.push_back(clip.encodeImage(x.narrow(0, i, Math.min(settings.batchImages(), x.size(0) - i))));
        }
        return torch.cat(out, 0);
    }

    private void setToMean(Tensor codes, StyleLayer l, int c0, int n) {
        int col = offsets[l.index()] + c0;
        codes.narrow(1, col, n).copy_(stats.mean().narrow(0, col, n).unsqueeze(0).expand(codes.size(0), n));
    }

    /** CLIP's own preprocessing of a generator image, through uint8 as the reference's GetImgF does. */
    static float[] clipInput(Tensor uint8Hwc, int side) {
        int h = (int) uint8Hwc.size(0);
        int w = (int) uint8Hwc.size(1);
        float[] v = Tensors.toFloatArray(uint8Hwc);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                img.setRGB(x, y, ((int) v[p] << 16) | ((int) v[p + 1] << 8) | (int) v[p + 2]);
            }
        }
        Rgb8Image r = ClipImagePreprocess.resizeAndCrop(img, side);
        return ClipImagePreprocess.toNormalizedChw(r);
    }
}
