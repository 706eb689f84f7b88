package dev.styleclip.invert.encoder;

import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.invert.InversionLoss;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.optim.Adam;
import dev.styleclip.stop.Stop;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains an {@link Encoder4Editing} for one generator on pairs the generator makes ({@link TrainingPairs}), each step:
 * <pre>
 *   (w, x)  = the step's pairs: W+ codes and the generator's images of them (constant noise)
 *   w_hat   = E(x) + latent_avg                          (BatchNorm on batch statistics)
 *   x_hat   = G(w_hat)                                   (constant noise; the generator is not trained)
 *   loss    = latent_weight * MSE(w_hat, w) / spread^2 + image_weight * image_loss(x_hat, x)
 * </pre>
 * where spread is the spread of the generator's w ({@link TrainingPairs#spread()}): the latent term is the squared
 * error in units of the codes' own variance, 1 for an encoder no better than the mean latent, whatever the generator's
 * scale of w (0.13 for the bundled generator, 0.77 for the tiny test fixture).
 * then one Adam step over the encoder's parameters. With a {@link RealImages} source and {@code real_batch} > 0, each
 * step also encodes that many real images (no latent: the image loss alone), in the same forward pass; the image term
 * is then the mean over all B + R images. Images above 256 px are compared at the encoder's input size, as e4e's
 * {@code face_pool} does. The image loss is {@link #imageLoss}.
 *
 * <p>This is e4e's training (omertov/encoder4editing, training/coach.py) cut to what a generator's own samples allow:
 * e4e learns from real photos with LPIPS, L2 and identity losses and regularises the deltas; here the true latent is
 * known, so it is regressed directly, which keeps the codes inside the generator's W+ (e4e's aim in its delta
 * regularisation).
 *
 * <p>Deterministic: the initial weights come from {@code torch.manual_seed(seed)} and each step's data from (seed,
 * step) alone, so a step is a function of the weights, the Adam state and the step number. The state file
 * ({@link #saveState}: weights, BatchNorm statistics, Adam moments, the step, the options) lets {@link #resume}
 * continue bit for bit as if the run had not stopped. Every step runs in its own {@link PointerScope}.
 */
public final class EncoderTrainer implements AutoCloseable {
    static final String STATE_FORMAT = "styleclip-jvm encoder training state";

    /**
     * A run's settings; each is checked here, a bad one a {@link SettingException} named as the command line names it.
     *
     * @param steps        train until this many steps are done
     * @param batch        generated pairs per step
     * @param lr           Adam's learning rate, in (0, 1]
     * @param seed         seed of the initial weights and of every step's data
     * @param latentWeight weight of MSE(w_hat, w) / spread^2
     * @param imageWeight  weight of the image loss
     * @param ssimWeight   weight of 1 - SSIM inside the image loss ({@link InversionLoss}; the pixel MSE's weight is 1)
     * @param clipFeatureWeight weight of the CLIP-feature distance inside the image loss; above 0 it needs a CLIP model
     * @param mixing       probability that a pair is style-mixed, in [0, 1]
     * @param jitter       per-row Gaussian offset of the codes, in units of the spread of w
     * @param truncation   truncation psi of the codes, in (0, 1]; 1 = none
     * @param realBatch    real images per step from the {@link RealImages} source; 0 = none
     */
    public record Options(int steps, int batch, double lr, long seed, double latentWeight, double imageWeight, double ssimWeight,
                          double clipFeatureWeight, double mixing, double jitter, double truncation, int realBatch) {
        /** The defaults of {@code styleclip encoder train}. */
        public static final Options DEFAULTS = new Options(2000, 8, 1e-3, 0, 1.0, 1.0, 1.0, 0.0, 0.5, 0.05, 1.0, 0);

        public Options {
            Checks.atLeast("steps", steps, 1);
            Checks.atLeast("batch", batch, 1);
            Checks.openClosed("lr", lr, 0, 1);
            Checks.nonNegative("latent-weight", latentWeight);
            Checks.nonNegative("image-weight", imageWeight);
            if (latentWeight == 0 && imageWeight == 0) {
                throw new SettingException("image-weight", "must be above 0 when --latent-weight is 0: there would be nothing to learn from");
            }
            Checks.nonNegative("ssim-weight", ssimWeight);
            Checks.nonNegative("clip-feature-weight", clipFeatureWeight);
            Checks.closed("mixing", mixing, 0, 1);
            Checks.nonNegative("jitter", jitter);
            Checks.openClosed("truncation", truncation, 0, 1);
            Checks.atLeast("real-batch", realBatch, 0);
        }

        public Options withSteps(int s) {
            return new Options(s, batch, lr, seed, latentWeight, imageWeight, ssimWeight, clipFeatureWeight, mixing, jitter, truncation, realBatch);
        }

        public Options withBatch(int b) {
            return new Options(steps, b, lr, seed, latentWeight, imageWeight, ssimWeight, clipFeatureWeight, mixing, jitter, truncation, realBatch);
        }

        public Options withLr(double l) {
            return new Options(steps, batch, l, seed, latentWeight, imageWeight, ssimWeight, clipFeatureWeight, mixing, jitter, truncation, realBatch);
        }

        public Options withSeed(long s) {
            return new Options(steps, batch, lr, s, latentWeight, imageWeight, ssimWeight, clipFeatureWeight, mixing, jitter, truncation, realBatch);
        }

        public Options withRealBatch(int r) {
            return new Options(steps, batch, lr, seed, latentWeight, imageWeight, ssimWeight, clipFeatureWeight, mixing, jitter, truncation, r);
        }

        /** As a plain dict, for the state file and the encoder file's provenance. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("seed", seed);
            m.put("latent_weight", latentWeight);
            m.put("image_weight", imageWeight);
            m.put("ssim_weight", ssimWeight);
            m.put("clip_feature_weight", clipFeatureWeight);
            m.put("mixing", mixing);
            m.put("jitter", jitter);
            m.put("truncation", truncation);
            m.put("real_batch", realBatch);
            return m;
        }

        static Options fromMap(Map<?, ?> m) {
            return new Options(num(m, "steps").intValue(), num(m, "batch").intValue(), num(m, "lr").doubleValue(), num(m, "seed").longValue(),
                    num(m, "latent_weight").doubleValue(), num(m, "image_weight").doubleValue(), num(m, "ssim_weight").doubleValue(),
                    num(m, "clip_feature_weight").doubleValue(),
                    num(m, "mixing").doubleValue(), num(m, "jitter").doubleValue(), num(m, "truncation").doubleValue(),
                    num(m, "real_batch").intValue());
        }

        private static Number num(Map<?, ?> m, String key) {
            if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException("the saved options have no number '" + key + "'");
            return n;
        }
    }

    /**
     * The losses of one step, computed before its update.
     *
     * @param latent MSE(w_hat, w) / spread^2 over the generated pairs (1: no better than the mean latent)
     * @param image  the image loss over the generated pairs (NaN when image_weight is 0)
     * @param real   the image loss over the real images (NaN without them)
     * @param total  the loss minimised
     */
    public record StepLosses(long step, double latent, double image, double real, double total) {
    }

    /** How {@link #run} ended. */
    public enum Outcome { FINISHED, STOPPED }

    /** What a run reports as it goes; every method is optional. */
    public interface Listener {
        /** After step {@code step} (0-based) of a run that ends at {@code steps}. */
        default void onStep(long step, long steps, StepLosses losses) {
        }

        /** After the encoder file or the state file was written. */
        default void onFileWritten(long step, Path file) {
        }

        /** Polled after every step: true ends the run there, after saving the encoder and the state. */
        default boolean stopRequested() {
            return Stop.requested();
        }
    }

    private final Generator g;
    private final String generatorSha256;
    private final Options opts;
    private final InversionLoss imageLoss;
    private final RealImages real;
    private final TrainingPairs pairs;
    private final Encoder4Editing net;
    private final List<String> keys;
    private final Adam adam;
    private final Tensor latentAvg; // [n_latent, style_dim]
    private final PointerScope owned;
    private long nextStep;

    private EncoderTrainer(Generator g, String generatorSha256, EncoderConfig config, Options opts, InversionLoss imageLoss, RealImages real)
            throws CheckpointException {
        String problem = EncoderCheckpoint.mismatch(config, g.config(), "the generator");
        if (problem != null) throw new IllegalArgumentException(problem);
        if (opts.realBatch() > 0 && real == null) {
            throw new IllegalArgumentException("real_batch " + opts.realBatch() + " needs a source of real images");
        }
        this.g = g;
        this.generatorSha256 = generatorSha256;
        this.opts = opts;
        this.imageLoss = imageLoss;
        this.real = real;
        this.pairs = new TrainingPairs(g, opts.batch(), opts.seed(), opts.mixing(), opts.jitter(), opts.truncation());
        this.net = Encoder4Editing.initialize(config, opts.seed());
        this.owned = new PointerScope(); // owns Adam's moments and the mean latent
        try {
            Map<String, Tensor> params = net.parameters();
            params.values().forEach(p -> p.set_requires_grad(true));
            this.keys = List.copyOf(params.keySet());
            this.adam = new Adam(new ArrayList<>(params.values()), opts.lr());
            this.latentAvg = EncoderCheckpoint.rows(g.latentAvg(), config, "latent_avg").clone();
        } catch (RuntimeException e) {
            owned.close();
            net.close();
            throw e;
        }
        owned.extend();
        owned.close();
    }

    /**
     * The image loss of encoder training: inversion's own {@link InversionLoss}, pixel MSE + ssim_weight * (1 - SSIM) +
     * clip_feature_weight * the CLIP-feature distance (no identity term).
     *
     * @param clip the CLIP-feature distance, or null when {@code o.clipFeatureWeight()} is 0
     */
    public static InversionLoss imageLoss(Options o, ClipFeatureDistance clip) {
        if (o.clipFeatureWeight() > 0 && clip == null) {
            throw new SettingException("clip-feature-weight", "above 0 needs a CLIP model (--clip)");
        }
        return new InversionLoss(new InversionLoss.Weights(1, o.ssimWeight(), o.clipFeatureWeight(), 0), clip, null);
    }

    /** A new run for {@code g} with the encoder {@link EncoderConfig#forGenerator} sizes and the {@link #imageLoss}. */
    public static EncoderTrainer create(Generator g, String generatorSha256, Options opts, RealImages real, ClipFeatureDistance clip)
            throws CheckpointException {
        return create(g, generatorSha256, EncoderConfig.forGenerator(g.config()), opts, imageLoss(opts, clip), real);
    }

    /**
     * A new run: the encoder of {@code config} initialised from {@code opts.seed()}.
     *
     * @param g               the generator (borrowed: the caller closes it)
     * @param generatorSha256 the generator file's SHA-256, written into the encoder file (null when there is none)
     * @param real            real images, or null (needed when {@code opts.realBatch()} > 0)
     */
    public static EncoderTrainer create(Generator g, String generatorSha256, EncoderConfig config, Options opts, InversionLoss imageLoss,
                                        RealImages real) throws CheckpointException {
        return new EncoderTrainer(g, generatorSha256, config, opts, imageLoss, real);
    }

    /** The state file of the encoder file {@code encoderFile}: {@code NAME.state.pt} beside it ({@code E.pt} -> {@code E.state.pt}). */
    public static Path stateFile(Path encoderFile) {
        String name = encoderFile.getFileName().toString();
        String stem = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
        return encoderFile.resolveSibling(stem + ".state.pt");
    }

    /** The options a state file was written with. */
    public static Options savedOptions(Path stateFile) throws IOException {
        Map<?, ?> root = readState(stateFile);
        try {
            return Options.fromMap((Map<?, ?>) root.get("options"));
        } catch (RuntimeException e) {
            throw new CheckpointException(stateFile, "the saved options are not readable: " + e.getMessage());
        }
    }

    /**
     * Continues a run from its state file, exactly: the weights, BatchNorm statistics, Adam moments and step are the
     * saved ones, and so are the options except the number of steps, which may grow.
     *
     * @param steps           the new end of the run (steps done when it finishes), or 0 to keep the saved one
     * @param generatorSha256 the SHA-256 of {@code g}'s file: the run continues only on the generator it started on
     */
    public static EncoderTrainer resume(Path stateFile, Generator g, String generatorSha256, RealImages real, ClipFeatureDistance clip, int steps)
            throws IOException {
        Map<?, ?> root = readState(stateFile);
        Options opts = savedOptions(stateFile);
        if (steps > 0) opts = opts.withSteps(steps);
        Object saved = root.get("generator_sha256");
        if (saved != null && generatorSha256 != null && !saved.equals(generatorSha256)) {
            throw new CheckpointException(stateFile, "the run trained on a generator with SHA-256 " + saved + ", not this one (" + generatorSha256
                    + "): it continues only on the generator it started on");
        }
        String name = stateFile.getFileName().toString();
        if (!(root.get("config") instanceof Map<?, ?> cfg)) throw new CheckpointException(stateFile, "the state has no encoder config");
        EncoderConfig config = EncoderConfig.fromMap(cfg, name);
        String problem = EncoderCheckpoint.mismatch(config, g.config(), "the generator");
        if (problem != null) throw new CheckpointException(stateFile, problem);
        EncoderTrainer t = new EncoderTrainer(g, generatorSha256, config, opts, imageLoss(opts, clip), real);
        try {
            t.restore(stateFile, root);
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static Map<?, ?> readState(Path stateFile) throws IOException {
        Map<?, ?> root = CheckpointReader.read(stateFile).rootMap();
        if (!STATE_FORMAT.equals(root.get("format"))) {
            throw new CheckpointException(stateFile, "not an encoder training state written by this tool (no format '" + STATE_FORMAT + "')");
        }
        if (!(root.get("version") instanceof Number v) || v.intValue() != 1) {
            throw new CheckpointException(stateFile, "unsupported encoder training state version " + root.get("version"));
        }
        return root;
    }

    private void restore(Path stateFile, Map<?, ?> root) throws CheckpointException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : Checkpoint.tensors(root.get("state_dict")).entrySet()) {
                values.put(e.getKey(), Tensors.fromRawAsFloat(e.getValue().read()));
            }
            net.load(values);
            if (!(root.get("adam") instanceof Map<?, ?> state)) throw new CheckpointException(stateFile, "the state has no Adam state");
            adam.loadStateDict(keys, state);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CheckpointException(stateFile, "the saved run does not match this encoder: " + e.getMessage());
        }
        nextStep = ((Number) root.get("next_step")).longValue();
    }

    public Options options() {
        return opts;
    }

    /** The step the next update is (the number of steps done). */
    public long nextStep() {
        return nextStep;
    }

    /** The network being trained (its parameters are updated in place). */
    public Encoder4Editing network() {
        return net;
    }

    /** The data of the run. */
    public TrainingPairs pairs() {
        return pairs;
    }

    /** One step (step number {@link #nextStep()}): its pairs, the forward pass, the backward pass and the Adam update. */
    public StepLosses step() {
        long step = nextStep;
        int b = opts.batch(), r = opts.realBatch(), in = net.config().inputSize();
        StepLosses out;
        try (PointerScope scope = new PointerScope()) {
            TrainingPairs.Pair p = pairs.batch(step);
            Tensor x = EncoderOps.toInput(p.images(), in); // [B, 3, in, in]
            if (r > 0) {
                Tensor realImages = real.batch(step, r);
                Tensors.checkShape("real images", realImages, r, 3, g.config().size(), g.config().size());
                x = torch.cat(new TensorVector(x, EncoderOps.toInput(realImages, in)), 0); // [B + R, 3, in, in]
            }
            adam.zeroGrad();
            Tensor wHat = net.forward(x, NormStatistics.BATCH).add(latentAvg); // [B + R, L, D]
            double spread = pairs.spread();
            Tensor latent = torch.mse_loss(wHat.narrow(0, 0, b), p.latents()).div(new Scalar(spread * spread));
            Tensor loss = latent.mul(new Scalar(opts.latentWeight()));
            double image = Double.NaN, realLoss = Double.NaN;
            if (opts.imageWeight() > 0) {
                Tensor xHat = EncoderOps.toInput(g.synthesize(wHat, NoiseMode.CONST), in); // [B + R, 3, in, in]
                Tensor generated = imageLoss.forward(xHat.narrow(0, 0, b), x.narrow(0, 0, b));
                image = generated.item_double();
                loss = loss.add(generated.mul(new Scalar(opts.imageWeight() * b / (b + r))));
                if (r > 0) {
                    Tensor reals = imageLoss.forward(xHat.narrow(0, b, r), x.narrow(0, b, r));
                    realLoss = reals.item_double();
                    loss = loss.add(reals.mul(new Scalar(opts.imageWeight() * r / (b + r))));
                }
            }
            loss.backward();
            adam.step();
            out = new StepLosses(step, latent.item_double(), image, realLoss, loss.item_double());
        }
        nextStep = step + 1;
        return out;
    }

    /**
     * Steps until {@code options().steps()} are done, writing the encoder file {@code out} and its state file
     * ({@link #stateFile}) every {@code every} steps, after the last step, and when the listener asks to stop (it does
     * when {@link Stop} was requested, e.g. by Ctrl-C).
     */
    public Outcome run(Path out, int every, Listener listener) throws IOException {
        Checks.atLeast("every", every, 1);
        long until = opts.steps();
        while (nextStep < until) {
            StepLosses l = step();
            long done = nextStep;
            boolean last = done == until;
            listener.onStep(l.step(), until, l);
            boolean stop = !last && listener.stopRequested();
            if (done % every == 0 || last || stop) {
                writeEncoder(out);
                listener.onFileWritten(l.step(), out);
                Path state = stateFile(out);
                saveState(state);
                listener.onFileWritten(l.step(), state);
            }
            if (stop) return Outcome.STOPPED;
        }
        return Outcome.FINISHED;
    }

    /** Writes the encoder file ({@link EncoderCheckpoint}) of the weights as they are now. */
    public void writeEncoder(Path file) throws IOException {
        Map<String, Object> training = new LinkedHashMap<>(opts.toMap());
        training.put("steps_done", nextStep);
        training.put("image_loss", "mse + ssim_weight (1 - SSIM) + clip_feature_weight CLIP-feature distance");
        EncoderCheckpoint.write(file, net, latentAvg, generatorSha256, training);
    }

    /** Everything {@link #resume} needs, in one torch zip file, written atomically. */
    public void saveState(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            root.put("format", STATE_FORMAT);
            root.put("version", 1);
            root.put("next_step", nextStep);
            root.put("options", opts.toMap());
            root.put("config", net.config().toMap());
            root.put("generator_sha256", generatorSha256);
            root.put("state_dict", new TorchWriter.OrderedDict(net.stateDict()));
            root.put("adam", adam.stateDict(keys));
        }
        TorchWriter.writeZip(file, root);
    }

    @Override
    public void close() {
        owned.deallocate();
        net.close();
    }
}
