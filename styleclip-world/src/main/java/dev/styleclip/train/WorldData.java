package dev.styleclip.train;

import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.Captions;
import dev.styleclip.world.WorldAttributes;
import dev.styleclip.world.WorldDataset;
import dev.styleclip.world.WorldSample;

import dev.styleclip.evaluate.InversionEval;
import dev.styleclip.invert.encoder.RealImages;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.train.classifier.LabeledImageBatches;
import dev.styleclip.train.clip.ImageTextBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The world as training data: the batch of step t holds the portraits of seeds {@code base + t * n ... + n - 1},
 * so a batch is a function of (step, size) alone and a resumed run sees what an uninterrupted one would. Training
 * seeds start at {@link #TRAINING_SEEDS} so that they never meet the small seeds used to look at and evaluate
 * models.
 */
public final class WorldData {
    /** First seed of the training portraits. */
    public static final long TRAINING_SEEDS = 1_000_000L;

    private WorldData() {
    }

    /** Image-caption pairs for CLIP: one caption per portrait, drawn with a seed of its own. */
    public static ImageTextBatches captioned(int imageSize, long seedOffset) {
        return captioned(imageSize, seedOffset, 0);
    }

    /** As {@link #captioned(int, long)}, with a fraction {@code blur} of the portraits softened ({@link #blurSome}). */
    public static ImageTextBatches captioned(int imageSize, long seedOffset, double blur) {
        return captionedPairs(imageSize, seedOffset, blur, 0);
    }

    /**
     * As {@link #captioned(int, long, double)}, with a fraction {@code pairs} of each batch made of twins: a human
     * portrait and a copy (same nuisance) that differs in one attribute, chosen with {@link #TWIN_TOPICS}'
     * weights, both captioned so as to name it ({@link Captions#sample(WorldAttributes, SplittableRandom,
     * Captions.Topic)}). The contrastive loss then can only match such a pair to its captions by that attribute:
     * hard negatives for the attributes a caption mentions least (expression, facial hair, makeup).
     */
    public static ImageTextBatches captionedPairs(int imageSize, long seedOffset, double blur, double pairs) {
        if (pairs < 0 || pairs > 1) throw new IllegalArgumentException("pair fraction must be in [0, 1]: " + pairs);
        return (step, n) -> {
            long first = TRAINING_SEEDS + seedOffset + step * n;
            List<WorldSample> samples = new ArrayList<>(WorldDataset.samples(first, n));
            List<String> captions = new ArrayList<>(n);
            for (WorldSample s : samples) captions.add(Captions.sample(s.attributes(), new SplittableRandom(s.seed() * 31 + 7)));
            int twins = (int) Math.round(pairs * n / 2);
            for (int k = 0; k < twins && 2 * k + 1 < n; k++) {
                WorldSample base = samples.get(2 * k);
                if (!base.attributes().isHuman()) continue;
                SplittableRandom r = new SplittableRandom(base.seed() * 131 + 11);
                Captions.Topic topic = twinTopic(base.attributes(), r);
                WorldAttributes other = twinOf(base.attributes(), topic, r);
                samples.set(2 * k + 1, new WorldSample(base.seed(), other, base.nuisance()));
                captions.set(2 * k, Captions.sample(base.attributes(), r, topic));
                captions.set(2 * k + 1, Captions.sample(other, r, topic));
            }
            WorldDataset.Batch b = WorldDataset.batch(samples, imageSize);
            int[][] labels = new int[n][];
            for (int i = 0; i < n; i++) labels[i] = labels(samples.get(i).attributes());
            return new ImageTextBatches.Batch(blurSome(b.images(), blur, first), captions, categories(), labels);
        };
    }

    /** The attributes twins differ in, with their weights (facial hair falls back to makeup for women). */
    static final List<Captions.Topic> TWIN_TOPICS = List.of(Captions.Topic.EXPRESSION, Captions.Topic.FACIAL_HAIR,
            Captions.Topic.MAKEUP, Captions.Topic.EYEWEAR, Captions.Topic.HAIR);
    static final double[] TWIN_WEIGHTS = {0.4, 0.25, 0.25, 0.05, 0.05};

    static Captions.Topic twinTopic(WorldAttributes a, SplittableRandom r) {
        double u = r.nextDouble(), acc = 0;
        Captions.Topic t = TWIN_TOPICS.get(TWIN_TOPICS.size() - 1);
        for (int i = 0; i < TWIN_TOPICS.size(); i++) {
            acc += TWIN_WEIGHTS[i];
            if (u < acc) {
                t = TWIN_TOPICS.get(i);
                break;
            }
        }
        if (t == Captions.Topic.FACIAL_HAIR && a.presentation() != WorldAttributes.Presentation.MAN) t = Captions.Topic.MAKEUP;
        return t;
    }

    /** {@code a} with the attribute of {@code topic} changed to another value (human portraits). */
    static WorldAttributes twinOf(WorldAttributes a, Captions.Topic topic, SplittableRandom r) {
        return switch (topic) {
            case EXPRESSION -> a.withExpression(other(a.expression(), WorldAttributes.Expression.values(), r));
            case FACIAL_HAIR -> a.withFacialHair(other(a.facialHair(), WorldAttributes.FacialHair.values(), r));
            case MAKEUP -> a.withMakeup(other(a.makeup(), WorldAttributes.Makeup.values(), r));
            case EYEWEAR -> a.withEyewear(other(a.eyewear(), WorldAttributes.Eyewear.values(), r));
            case HAIR -> r.nextBoolean()
                    ? a.withHair(other(a.hairStyle(), WorldAttributes.HairStyle.values(), r), a.hairColor())
                    : a.withHair(a.hairStyle(), other(a.hairColor(), WorldAttributes.HairColor.values(), r));
            default -> throw new IllegalArgumentException("no twins differ in " + topic);
        };
    }

    private static <T> T other(T current, T[] values, SplittableRandom r) {
        T v;
        do {
            v = values[r.nextInt(values.length)];
        } while (v == current);
        return v;
    }

    /** The categories {@link #detailMask} handles: the small features of a human face. */
    public static final List<AttributeCategory> DETAIL_CATEGORIES = List.of(AttributeCategory.MAKEUP,
            AttributeCategory.EYE_COLOR, AttributeCategory.EXPRESSION, AttributeCategory.FACIAL_HAIR, AttributeCategory.EYEWEAR);

    /**
     * Where the attributes of {@code categories} show in the generator's canonical pose ({@link dev.styleclip.world.WorldPrior}),
     * [size * size] row-major in [0, 1]. Per category: per pixel, over {@code portraits} human portraits of the prior
     * (drawn from {@code seed}) and every other class of the category, the summed largest channel difference between
     * the portrait and the same portrait with that class, scaled so that its largest value is 1; the mask is the
     * largest of the categories' at each pixel, so that a pair of eyes weighs as much as a beard. Render distillation
     * weights its L1 with it ({@code RenderDistillation#setPixelWeights}): a lipstick covers a few dozen of 4096
     * pixels, and an unweighted mean hardly asks for it.
     */
    public static float[] detailMask(List<AttributeCategory> categories, int portraits, int size, long seed) {
        if (categories.isEmpty()) throw new IllegalArgumentException("no categories for the detail mask");
        for (AttributeCategory c : categories) {
            if (!DETAIL_CATEGORIES.contains(c)) throw new IllegalArgumentException("no detail mask for " + c.name() + "; known: " + DETAIL_CATEGORIES);
        }
        if (portraits < 1) throw new IllegalArgumentException("need at least one portrait for the detail mask");
        double[][] sum = new double[categories.size()][size * size];
        java.util.Random r = new java.util.Random(seed);
        int found = 0;
        for (int tries = 0; found < portraits; tries++) {
            if (tries > 100 * portraits) throw new IllegalStateException("the prior drew too few humans");
            float[] z = new float[dev.styleclip.world.WorldPrior.USED_DIMENSIONS];
            for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
            WorldSample s = dev.styleclip.world.WorldPrior.sample(z, tries);
            if (!s.attributes().isHuman()) continue;
            found++;
            java.awt.image.BufferedImage base = dev.styleclip.world.PortraitRenderer.render(s.attributes(), s.nuisance(), size);
            for (int ci = 0; ci < categories.size(); ci++) {
                AttributeCategory c = categories.get(ci);
                int own = c.index(s.attributes());
                for (int k = 0; k < c.numClasses(); k++) {
                    if (k == own) continue;
                    java.awt.image.BufferedImage other = dev.styleclip.world.PortraitRenderer.render(c.withClass(s.attributes(), k), s.nuisance(), size);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int a = base.getRGB(x, y), b = other.getRGB(x, y), d = 0;
                            for (int sh = 0; sh <= 16; sh += 8) d = Math.max(d, Math.abs(((a >> sh) & 255) - ((b >> sh) & 255)));
                            sum[ci][y * size + x] += d;
                        }
                    }
                }
            }
        }
        float[] mask = new float[size * size];
        for (double[] m : sum) {
            double max = 0;
            for (double v : m) max = Math.max(max, v);
            if (max == 0) continue;
            for (int i = 0; i < mask.length; i++) mask[i] = (float) Math.max(mask[i], m[i] / max);
        }
        return mask;
    }

    /**
     * Renders for encoder training ({@code encoder train} on the bundled generator): the portraits of step t are seeds
     * {@code TRAINING_SEEDS + seedOffset + t * n ...}, each as it is or, with equal odds drawn from its seed, shifted by
     * 4 px, rotated by 5 degrees or JPEG-compressed at quality 60 ({@link InversionEval.Variant}): the changes a picture
     * a user brings has. The held-out renders of {@link InversionEval} are seeds far below these.
     */
    public static RealImages renders(int imageSize, long seedOffset) {
        InversionEval.Variant[] variants = InversionEval.Variant.values();
        return (step, n) -> {
            List<java.awt.image.BufferedImage> images = new ArrayList<>(n);
            for (WorldSample s : WorldDataset.samples(TRAINING_SEEDS + seedOffset + step * n, n)) {
                InversionEval.Variant v = variants[new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L + 5).nextInt(variants.length)];
                images.add(InversionEval.picture(s, imageSize, v));
            }
            return WorldDataset.toTensor(images);
        };
    }

    /** Portraits labelled with the class of every {@link AttributeCategory} (-1 where it does not apply). */
    public static LabeledImageBatches labeled(int imageSize, long seedOffset) {
        return labeled(imageSize, seedOffset, 0);
    }

    /** As {@link #labeled(int, long)}, with a fraction {@code blur} of the portraits softened ({@link #blurSome}). */
    public static LabeledImageBatches labeled(int imageSize, long seedOffset, double blur) {
        return (step, n) -> {
            long first = TRAINING_SEEDS + seedOffset + step * n;
            List<WorldSample> samples = WorldDataset.samples(first, n);
            WorldDataset.Batch b = WorldDataset.batch(samples, imageSize);
            int[][] labels = new int[n][];
            for (int i = 0; i < n; i++) labels[i] = labels(samples.get(i).attributes());
            return new LabeledImageBatches.Batch(blurSome(b.images(), blur, first), labels);
        };
    }

    /** Standard deviation, in pixels, of the Gaussian that {@link #blurSome} mixes in. */
    public static final double BLUR_SIGMA = 1.5;

    /**
     * Softens a random {@code fraction} of a batch [N, C, H, W]: each chosen image becomes {@code (1 - a) x + a g(x)},
     * g a Gaussian blur of {@link #BLUR_SIGMA} px (edges replicated) and a uniform in [0.3, 1]. The choice is a
     * function of {@code seed}, so a batch stays a function of its step. Generator samples are softer than renders;
     * models that look at both (CLIP, the judging classifier) learn the attributes at either sharpness.
     */
    public static org.bytedeco.pytorch.Tensor blurSome(org.bytedeco.pytorch.Tensor images, double fraction, long seed) {
        if (fraction <= 0) return images;
        int n = (int) images.size(0);
        long c = images.size(1);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble() < fraction ? (float) (0.3 + 0.7 * r.nextDouble()) : 0f;
        int radius = 3, k = 2 * radius + 1;
        float[] g1 = new float[k];
        double sum = 0;
        for (int i = 0; i < k; i++) sum += g1[i] = (float) Math.exp(-0.5 * Math.pow((i - radius) / BLUR_SIGMA, 2));
        float[] g2 = new float[(int) c * k * k];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < k; y++) for (int x = 0; x < k; x++) g2[(ch * k + y) * k + x] = (float) (g1[y] * g1[x] / (sum * sum));
        }
        org.bytedeco.pytorch.Tensor w = dev.styleclip.tensor.Tensors.floats(g2, c, 1, k, k);
        org.bytedeco.pytorch.Tensor padded = org.bytedeco.pytorch.global.torch.replication_pad2d(images, radius, radius, radius, radius);
        org.bytedeco.pytorch.Tensor blurred = dev.styleclip.tensor.Conv.conv2d(padded, w, null, new long[] {1, 1}, new long[] {0, 0}, c);
        org.bytedeco.pytorch.Tensor mix = dev.styleclip.tensor.Tensors.floats(a, n, 1, 1, 1);
        return images.add(blurred.sub(images).mul(mix));
    }

    /** The class index of each category, in {@link AttributeCategory#ALL} order. */
    public static int[] labels(WorldAttributes a) {
        int[] l = new int[AttributeCategory.ALL.size()];
        for (int c = 0; c < l.length; c++) l[c] = AttributeCategory.ALL.get(c).index(a);
        return l;
    }

    /** The classifier's head table for the world: one head per {@link AttributeCategory}. */
    public static List<AttributeClassifier.Category> categories() {
        List<AttributeClassifier.Category> out = new ArrayList<>();
        for (AttributeCategory c : AttributeCategory.ALL) out.add(new AttributeClassifier.Category(c.name(), c.numClasses()));
        return out;
    }

    /**
     * The world's factorization of a generator latent for codes-mode render distillation: one discrete factor per
     * attribute slot (its cells between {@link dev.styleclip.world.WorldSampler#slotCuts}) and the nuisance uniforms
     * as continuous factors, all read from z as {@link dev.styleclip.world.WorldPrior} reads it.
     */
    public static dev.styleclip.train.gan.LatentCodes.Factorization priorFactors() {
        int slots = dev.styleclip.world.WorldSampler.ATTRIBUTE_SLOTS;
        int cont = dev.styleclip.world.WorldSampler.NUISANCE_SLOTS;
        int[] counts = new int[slots];
        for (int i = 0; i < slots; i++) counts[i] = dev.styleclip.world.WorldSampler.slotCuts(i).length + 1;
        return new dev.styleclip.train.gan.LatentCodes.Factorization() {
            @Override
            public int[] cellCounts() {
                return counts.clone();
            }

            @Override
            public int continuous() {
                return cont;
            }

            @Override
            public double[] thresholds(int factor) {
                double[] cuts = dev.styleclip.world.WorldSampler.slotCuts(factor);
                double[] t = new double[cuts.length];
                for (int i = 0; i < t.length; i++) t[i] = dev.styleclip.train.gan.MappingCompiler.inverseCdf(cuts[i]);
                return t;
            }

            @Override
            public boolean continuousMatters(int c) {
                return c >= dev.styleclip.world.WorldPrior.FIRST_POSED_NUISANCE; // the generator's portraits stand in one pose
            }

            @Override
            public dev.styleclip.train.gan.LatentCodes.Factors of(org.bytedeco.pytorch.Tensor z) {
                float[] all = dev.styleclip.tensor.Tensors.toFloatArray(z);
                int n = (int) z.size(0), d = (int) z.size(1);
                long[] cells = new long[n * slots];
                float[] c = new float[n * cont];
                for (int b = 0; b < n; b++) {
                    double[] u = dev.styleclip.world.WorldPrior.uniforms(java.util.Arrays.copyOfRange(all, b * d, (b + 1) * d));
                    for (int i = 0; i < slots; i++) cells[b * slots + i] = dev.styleclip.world.WorldSampler.slotCell(i, u[i]);
                    for (int j = 0; j < cont; j++) c[b * cont + j] = (float) u[slots + j];
                }
                return new dev.styleclip.train.gan.LatentCodes.Factors(n, cells, c);
            }
        };
    }

    /** What each generator latent stands for ({@link dev.styleclip.world.WorldPrior}), rendered at {@code imageSize}. */
    public static dev.styleclip.train.gan.RenderDistillation.Targets priorRenders(int imageSize) {
        return new dev.styleclip.train.gan.RenderDistillation.Targets() {
            @Override
            public org.bytedeco.pytorch.Tensor render(org.bytedeco.pytorch.Tensor z) {
                float[] all = dev.styleclip.tensor.Tensors.toFloatArray(z);
                int n = (int) z.size(0), d = (int) z.size(1);
                List<WorldSample> samples = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    samples.add(dev.styleclip.world.WorldPrior.sample(java.util.Arrays.copyOfRange(all, i * d, (i + 1) * d), i));
                }
                return WorldDataset.batch(samples, imageSize).images();
            }

            /** priorFactors' factors: each cell at the middle of its uniforms, the continuous factors as they are. */
            @Override
            public org.bytedeco.pytorch.Tensor render(dev.styleclip.train.gan.LatentCodes.Factors f) {
                int slots = dev.styleclip.world.WorldSampler.ATTRIBUTE_SLOTS, cont = dev.styleclip.world.WorldSampler.NUISANCE_SLOTS;
                List<WorldSample> samples = new ArrayList<>(f.batch());
                for (int i = 0; i < f.batch(); i++) {
                    double[] u = new double[slots + cont];
                    for (int s = 0; s < slots; s++) u[s] = cellMiddle(s, (int) f.cells()[i * slots + s]);
                    for (int c = 0; c < cont; c++) u[slots + c] = f.continuous()[i * cont + c];
                    samples.add(dev.styleclip.world.WorldPrior.sampleOfUniforms(u, i));
                }
                return WorldDataset.batch(samples, imageSize).images();
            }
        };
    }

    /** The uniform in the middle of cell {@code cell} of attribute slot {@code slot}. */
    static double cellMiddle(int slot, int cell) {
        double[] cuts = dev.styleclip.world.WorldSampler.slotCuts(slot);
        double lo = cell == 0 ? 0 : cuts[cell - 1], hi = cell == cuts.length ? 1 : cuts[cell];
        return (lo + hi) / 2;
    }
}
