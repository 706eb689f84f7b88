import dev.styleclip.bundled.BundledModels;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.ImageMetrics;
import dev.styleclip.invert.InversionLoss;
import dev.styleclip.invert.InversionSpace;
import dev.styleclip.invert.Projector;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.Latents;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.WorldDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The measurement behind inversion's default loss weights and steps on the bundled set: it inverts generator samples
 * (seeds 100.., so the true latent is known) and procedural renders (world seeds 100.., pictures the generator never
 * made) with several weightings of the image loss, and prints per weighting and set the mean PSNR, SSIM, CLIP-feature
 * distance (the bundled CLIP's), the attribute agreement (the bundled classifier reads the same class on the
 * reconstruction as on the picture, over every category) and, for the samples, the distance of the recovered w to the
 * true one relative to sigma_w.
 *
 * <pre>
 * java -cp "styleclip-cli/target/styleclip-cli.jar:styleclip-cli/target/lib/*" examples/InversionWeights.java \
 *     [STEPS [IMAGES [SPACE [LR [WEIGHTINGS]]]]]
 * </pre>
 * STEPS defaults to 300, IMAGES (per set) to 10, SPACE (w or w+) to w, LR to 0.1 (several, comma-separated, are each
 * measured), WEIGHTINGS to {@code 1:0:0,1:1:0,1:1:1} (MSE:SSIM:CLIP-feature weights, comma-separated).
 */
public final class InversionWeights {
    @SuppressWarnings("try") // scopes and no-grad guards are opened for their effect, not referenced
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        InversionSpace space = InversionSpace.parse("space", args.length > 2 ? args[2] : "w");
        String[] lrs = (args.length > 3 ? args[3] : "0.1").split(",");
        String[] weightings = (args.length > 4 ? args[4] : "1:0:0,1:1:0,1:1:1").split(",");
        Engine.init();
        Engine.preferThreads(1);
        try (Generator g = Generator.load(BundledModels.path(BundledModels.GENERATOR));
             ClipModel clip = ClipModel.load(BundledModels.path(BundledModels.CLIP));
             AttributeClassifier classifier = AttributeClassifier.load(BundledModels.path(BundledModels.CLASSIFIER));
             PointerScope scope = new PointerScope()) {
            int size = g.config().size();
            ClipFeatureDistance features = new ClipFeatureDistance(clip, size);
            Projector projector = new Projector(g, features, null);
            double sigma = projector.sigmaW();
            List<Tensor> sampleW = new ArrayList<>();
            List<Tensor> samples = new ArrayList<>();
            List<Tensor> renders = new ArrayList<>();
            try (NoGradGuard ng = new NoGradGuard()) {
                for (int i = 0; i < images; i++) {
                    Tensor w = g.mapping(Latents.seedZ(100 + i, g.config().styleDim())); // [1, D], no truncation (the bundled preset's)
                    sampleW.add(w);
                    samples.add(g.synthesize(g.toWPlus(w), NoiseMode.CONST));
                }
                Tensor batch = WorldDataset.batch(100, images, size).images(); // [N, 3, S, S]
                for (int i = 0; i < images; i++) renders.add(batch.narrow(0, i, 1).clone());
            }
            System.out.printf(Locale.ROOT, "bundled generator, %d steps in %s, %d images per set, sigma_w %.3f%n", steps, space.label(), images, sigma);
            System.out.println("| lr | MSE:SSIM:CLIP | set | PSNR dB | SSIM | CLIP-feature distance | attribute agreement | w distance / sigma_w | s per image |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (String lr : lrs) for (String wt : weightings) {
                String[] w3 = wt.split(":");
                InversionLoss.Weights weights = new InversionLoss.Weights(Double.parseDouble(w3[0]), Double.parseDouble(w3[1]), Double.parseDouble(w3[2]), 0);
                Projector.Settings s = Projector.Settings.of(space, steps, Double.parseDouble(lr), weights);
                for (String set : List.of("samples", "renders")) {
                    List<Tensor> targets = set.equals("samples") ? samples : renders;
                    double psnr = 0, ssim = 0, dist = 0, agree = 0, wDist = 0, seconds = 0;
                    for (int i = 0; i < targets.size(); i++) {
                        try (PointerScope one = new PointerScope()) {
                            Projector.Result r = projector.run(targets.get(i), s, null);
                            ImageMetrics.Values m = ImageMetrics.measure(r.image(), targets.get(i), features);
                            psnr += m.psnr();
                            ssim += m.ssim();
                            dist += m.clipFeatureDistance();
                            seconds += r.seconds();
                            agree += agreement(classifier, r.image(), targets.get(i));
                            if (set.equals("samples")) {
                                // the mean over W+ rows (in W they are all the same w)
                                Tensor w = r.latent().mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
                                wDist += w.sub(sampleW.get(i)).norm().item_double() / sigma;
                            }
                        }
                    }
                    int n = targets.size();
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %.4f | %.4f | %.1f%% | %s | %.1f |%n", lr, wt, set, psnr / n, ssim / n,
                            dist / n, 100 * agree / n, set.equals("samples") ? String.format(Locale.ROOT, "%.3f", wDist / n) : "-", seconds / n);
                }
            }
        }
    }

    /** The share of categories in which the classifier reads the same class on the reconstruction as on the picture. */
    private static double agreement(AttributeClassifier classifier, Tensor image, Tensor target) {
        int[] a = classifier.predict(image).classes()[0];
        int[] b = classifier.predict(target).classes()[0];
        int same = 0;
        for (int c = 0; c < a.length; c++) if (a[c] == b[c]) same++;
        return (double) same / a.length;
    }
}
