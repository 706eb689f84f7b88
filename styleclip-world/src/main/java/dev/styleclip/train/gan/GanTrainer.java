package dev.styleclip.train.gan;

import com.google.gson.GsonBuilder;
import dev.styleclip.optim.Adam;
import dev.styleclip.image.Images;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a StyleGAN2 generator and discriminator as rosinality's stylegan2-pytorch train.py does, per step:
 * <ol>
 *   <li>D: non-saturating logistic loss softplus(-D(x)) + softplus(D(G(z))) (G not trained), one Adam step;</li>
 *   <li>every d_reg_every steps, R1: (r1 / 2) * d_reg_every * E[|grad_x D(x)|^2] on the same reals, one Adam step;</li>
 *   <li>G: softplus(-D(G(z))) (D not trained), one Adam step;</li>
 *   <li>every g_reg_every steps, if path_regularize > 0, the path-length penalty on a batch / path_batch_shrink;</li>
 *   <li>g_ema = decay * g_ema + (1 - decay) * g over the parameters (buffers are not averaged).</li>
 * </ol>
 * z are style-mixed with probability {@code mixing} (two z, a random inject index in [1, n_latent - 1]); training
 * syntheses use fresh random noise maps. Adam lr 0.002 and betas (0, 0.99) take the lazy-regularisation ratio
 * k / (k + 1): lr * ratio, beta ** ratio.
 *
 * <p>Deterministic: the initial weights come from {@code torch.manual_seed(seed)}; each step reseeds torch and a
 * {@link Random} from (seed, step), so a step is a function of the weights, the optimizer state and the step number,
 * and {@link #resume} continues exactly. The weights are leaf tensors owned by this trainer, handed to
 * {@link Generator#create} and {@link Discriminator} without copies; {@link #close} frees them.
 */
public final class GanTrainer implements AutoCloseable {
    public static final String STATE_FILE = "train_state.pt";
    static final String STATE_FORMAT = "styleclip-jvm stylegan2 training state";
    /** Sample grid size (z drawn from seed + 1, fixed for the run). */
    public static final int SAMPLES = 16;

    /** The losses of one step; r1 and path are the latest computed values (0 before the first). */
    public record StepLosses(long step, double d, double g, double r1, double path, double realScore, double fakeScore) {
        public Map<String, Double> values() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("d", d);
            m.put("g", g);
            m.put("r1", r1);
            m.put("path", path);
            m.put("real_score", realScore);
            m.put("fake_score", fakeScore);
            return m;
        }
    }

    public enum Outcome { FINISHED, STOPPED }

    private final GanOptions opts;
    private final ImageBatches images;
    private final PointerScope owned;
    private final Map<String, Tensor> gParams;
    private final Map<String, Tensor> dParams;
    private final Map<String, Tensor> emaParams;
    private final List<String> gKeys;
    private final List<String> dKeys;
    private final Generator g;
    private final Generator gEma;
    private final Discriminator d;
    private final Adam gOptim;
    private final Adam dOptim;
    private long nextStep;
    private double meanPathLength;
    private double lastR1;
    private double lastPath;

    private GanTrainer(GanOptions opts, ImageBatches images, Map<String, Tensor> gInit, Map<String, Tensor> dInit,
                       Map<String, Tensor> emaInit) throws CheckpointException {
        this.opts = opts;
        this.images = images;
        this.owned = new PointerScope();
        try {
            gParams = gInit;
            dParams = dInit;
            emaParams = emaInit;
            gKeys = trainableKeys(gParams);
            dKeys = trainableKeys(dParams);
            for (String k : gKeys) gParams.get(k).set_requires_grad(true);
            for (String k : dKeys) dParams.get(k).set_requires_grad(true);
            Tensor avg = torch.zeros(1, opts.styleDim()); // placeholder: the trainer computes latent_avg when saving
            g = Generator.create(opts.generatorConfig(), StateDict.ofTensors("g", gParams), avg, "g");
            gEma = Generator.create(opts.generatorConfig(), StateDict.ofTensors("g_ema", emaParams), avg, "g_ema");
            d = new Discriminator(StateDict.ofTensors("d", dParams), opts.size(), opts.channels());
            double gRatio = opts.pathRegularize() > 0 ? opts.gRegEvery() / (opts.gRegEvery() + 1.0) : 1.0;
            double dRatio = opts.r1() > 0 ? opts.dRegEvery() / (opts.dRegEvery() + 1.0) : 1.0;
            gOptim = new Adam(values(gParams, gKeys), opts.lr() * gRatio, 0.0, Math.pow(0.99, gRatio), 1e-8);
            dOptim = new Adam(values(dParams, dKeys), opts.lr() * dRatio, 0.0, Math.pow(0.99, dRatio), 1e-8);
        } catch (CheckpointException | RuntimeException e) {
            owned.deallocate();
            throw e;
        }
        owned.extend(); // keep the scope: it owns the weights and moments until close()
        owned.close();
    }

    /**
     * A new run: weights initialised as rosinality's model.py does after {@code torch.manual_seed(seed)}; g_ema starts
     * as a copy of g's parameters, with its own noise buffers. This is the entry point for any image source (a folder,
     * the procedural renderer).
     */
    public static GanTrainer create(GanOptions opts, ImageBatches images) throws CheckpointException {
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(opts.seed());
            Map<String, Tensor> gInit = GanWeights.generator(opts.generatorConfig());
            Map<String, Tensor> dInit = GanWeights.discriminator(opts.size(), opts.channels());
            Map<String, Tensor> emaInit = GanWeights.generator(opts.generatorConfig());
            for (String k : gInit.keySet()) if (!GanWeights.isBuffer(k)) emaInit.put(k, gInit.get(k).clone());
            return adopt(scope, opts, images, gInit, dInit, emaInit);
        }
    }

    /** The options of the run saved in a {@link #STATE_FILE}. */
    public static GanOptions savedOptions(Path stateFile) throws IOException {
        return GanOptions.fromMap((Map<?, ?>) readState(stateFile).get("args"));
    }

    private static Map<?, ?> readState(Path stateFile) throws IOException {
        Map<?, ?> root = CheckpointReader.read(stateFile).rootMap();
        if (!STATE_FORMAT.equals(root.get("format"))) {
            throw new CheckpointException(stateFile, "not a StyleGAN2 training state written by this tool (no format '" + STATE_FORMAT + "')");
        }
        if (!(root.get("version") instanceof Number v) || v.intValue() != 1) {
            throw new CheckpointException(stateFile, "unsupported training state version " + root.get("version"));
        }
        return root;
    }

    /** Continues a run from its {@link #STATE_FILE}: weights, g_ema, Adam moments, next step. */
    public static GanTrainer resume(Path stateFile, ImageBatches images) throws IOException {
        Engine.init();
        Map<?, ?> root = readState(stateFile);
        GanOptions opts = GanOptions.fromMap((Map<?, ?>) root.get("args"));
        GanTrainer t;
        try (PointerScope scope = new PointerScope()) {
            t = adopt(scope, opts, images, read(root.get("g")), read(root.get("d")), read(root.get("g_ema")));
        }
        t.nextStep = ((Number) root.get("next_step")).longValue();
        t.meanPathLength = ((Number) root.get("mean_path_length")).doubleValue();
        t.lastR1 = ((Number) root.get("r1")).doubleValue();
        t.lastPath = ((Number) root.get("path")).doubleValue();
        restore(t.gOptim, t.gKeys, (Map<?, ?>) root.get("g_optim"), stateFile);
        restore(t.dOptim, t.dKeys, (Map<?, ?>) root.get("d_optim"), stateFile);
        return t;
    }

    /** Builds the trainer from tensors made in {@code scope}, moving them out of it: the trainer owns them. */
    private static GanTrainer adopt(PointerScope scope, GanOptions opts, ImageBatches images, Map<String, Tensor> gInit,
                                    Map<String, Tensor> dInit, Map<String, Tensor> emaInit) throws CheckpointException {
        List<Tensor> all = new ArrayList<>();
        all.addAll(gInit.values());
        all.addAll(dInit.values());
        all.addAll(emaInit.values());
        for (Tensor t : all) Tensors.keep(scope, t);
        try {
            GanTrainer trainer = new GanTrainer(opts, images, gInit, dInit, emaInit);
            trainer.ownedTensors.addAll(all);
            return trainer;
        } catch (CheckpointException | RuntimeException e) {
            for (Tensor t : all) t.releaseReference();
            throw e;
        }
    }

    private final List<Tensor> ownedTensors = new ArrayList<>();

    private static Map<String, Tensor> read(Object stateDict) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : Checkpoint.tensors(stateDict).entrySet()) m.put(e.getKey(), Tensors.fromRawAsFloat(e.getValue().read()));
        return m;
    }

    private static List<String> trainableKeys(Map<String, Tensor> params) {
        List<String> keys = new ArrayList<>();
        for (String k : params.keySet()) if (!GanWeights.isBuffer(k)) keys.add(k);
        return keys;
    }

    private static List<Tensor> values(Map<String, Tensor> params, List<String> keys) {
        List<Tensor> out = new ArrayList<>();
        for (String k : keys) out.add(params.get(k));
        return out;
    }

    public GanOptions options() {
        return opts;
    }

    public long nextStep() {
        return nextStep;
    }

    /** The generator being trained (borrowed: weights change with every step). */
    public Generator generator() {
        return g;
    }

    /** The moving average of the generator (what checkpoints' g_ema holds). */
    public Generator generatorEma() {
        return gEma;
    }

    public Discriminator discriminator() {
        return d;
    }

    // ---- one step ----------------------------------------------------------------------------------------------

    private static long stepSeed(long seed, long step) {
        long x = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        return x;
    }

    private Tensor z(Random rnd, int b) {
        float[] v = new float[b * opts.styleDim()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Tensors.floats(v, b, opts.styleDim());
    }

    /** rosinality's mixing_noise + Generator.forward up to W+: one z, or two with a random inject index. */
    private Tensor latents(Generator gen, Random rnd, int b) {
        if (opts.mixing() > 0 && rnd.nextDouble() < opts.mixing()) {
            Tensor z1 = z(rnd, b);
            Tensor z2 = z(rnd, b);
            int inject = 1 + rnd.nextInt(opts.generatorConfig().nLatent() - 1);
            return gen.mix(gen.mapping(z1), gen.mapping(z2), inject);
        }
        return gen.toWPlus(gen.mapping(z(rnd, b)));
    }

    private void trainable(Map<String, Tensor> params, List<String> keys, boolean on) {
        for (String k : keys) params.get(k).set_requires_grad(on);
    }

    /** One training step (step number {@link #nextStep()}); returns its losses. */
    public StepLosses step() {
        long step = nextStep;
        int b = opts.batch();
        try (PointerScope scope = new PointerScope()) {
            Random rnd = new Random(stepSeed(opts.seed(), step));
            torch.manual_seed(rnd.nextLong());
            Tensor real = images.batch(step, b);
            Tensors.checkShape("real images", real, b, 3, opts.size(), opts.size());

            // discriminator
            trainable(gParams, gKeys, false);
            trainable(dParams, dKeys, true);
            Tensor fake;
            try (NoGradGuard ng = new NoGradGuard()) {
                fake = g.synthesize(latents(g, rnd, b), NoiseMode.RANDOM);
            }
            Tensor fakePred = d.forward(fake);
            Tensor realPred = d.forward(real);
            Tensor dLoss = torch.softplus(realPred.neg()).mean().add(torch.softplus(fakePred).mean());
            dOptim.zeroGrad();
            dLoss.backward();
            dOptim.step();
            double dValue = dLoss.item_double();
            double realScore = realPred.mean().item_double();
            double fakeScore = fakePred.mean().item_double();

            if (opts.r1() > 0 && step % opts.dRegEvery() == 0) {
                Tensor x = real.detach().clone();
                x.set_requires_grad(true);
                Tensor pred = d.forward(x);
                TensorVector grads = torch.grad(new TensorVector(pred.sum()), new TensorVector(x), new TensorVector(), new BoolOptional(true), true, false);
                Tensor gr = grads.get(0);
                Tensor r1 = gr.square().reshape(gr.size(0), -1).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).mean();
                dOptim.zeroGrad();
                r1.mul(new Scalar(opts.r1() / 2 * opts.dRegEvery())).add(pred.reshape(-1).select(0, 0).mul(new Scalar(0.0))).backward();
                dOptim.step();
                lastR1 = r1.item_double();
            }

            // generator
            trainable(gParams, gKeys, true);
            trainable(dParams, dKeys, false);
            Tensor gFake = g.synthesize(latents(g, rnd, b), NoiseMode.RANDOM);
            Tensor gLoss = torch.softplus(d.forward(gFake).neg()).mean();
            gOptim.zeroGrad();
            gLoss.backward();
            gOptim.step();
            double gValue = gLoss.item_double();

            if (opts.pathRegularize() > 0 && step % opts.gRegEvery() == 0) pathRegularize(rnd);
            trainable(dParams, dKeys, true);

            accumulateEma();
            nextStep = step + 1;
            return new StepLosses(step, dValue, gValue, lastR1, lastPath, realScore, fakeScore);
        }
    }

    /** rosinality's g_path_regularize (decay 0.01) on batch / path_batch_shrink, weighted path_regularize * g_reg_every. */
    private void pathRegularize(Random rnd) {
        int pb = Math.max(1, opts.batch() / opts.pathBatchShrink());
        Tensor w = latents(g, rnd, pb);
        Tensor img = g.synthesize(w, NoiseMode.RANDOM);
        Tensor noise = torch.randn_like(img).div(new Scalar(Math.sqrt(img.size(2) * img.size(3))));
        TensorVector grads = torch.grad(new TensorVector(img.mul(noise).sum()), new TensorVector(w), new TensorVector(), new BoolOptional(true), true, false);
        Tensor grad = grads.get(0);
        var none = new org.bytedeco.pytorch.ScalarTypeOptional();
        Tensor lengths = grad.square().sum(new long[] {2}, false, none).mean(new long[] {1}, false, none).sqrt();
        Tensor pathMean = lengths.mean().sub(new Scalar(meanPathLength)).mul(new Scalar(0.01)).add(new Scalar(meanPathLength));
        Tensor penalty = lengths.sub(pathMean).square().mean();
        Tensor weighted = penalty.mul(new Scalar(opts.pathRegularize() * opts.gRegEvery()))
                .add(img.reshape(-1).select(0, 0).mul(new Scalar(0.0)));
        gOptim.zeroGrad();
        weighted.backward();
        gOptim.step();
        meanPathLength = pathMean.item_double();
        lastPath = penalty.item_double();
    }

    /** accumulate(g_ema, g, decay): parameters only, as rosinality's named_parameters loop. */
    private void accumulateEma() {
        double decay = opts.emaDecay();
        try (NoGradGuard ng = new NoGradGuard()) {
            for (String k : gKeys) emaParams.get(k).mul_(new Scalar(decay)).add_(gParams.get(k), new Scalar(1 - decay));
        }
    }

    // ---- runs and files ---------------------------------------------------------------------------------------

    /**
     * Steps until {@code untilStep}. With {@code outDir}: a sample grid of g_ema every {@code every} steps (and after the
     * last) in {@code samples/NNNNNN.png}, and every {@code every} steps (and at the end or on a stop) a checkpoint
     * {@code checkpoints/NNNNNN.pt} (NNNNNN = steps done) and {@code checkpoints/train_state.pt}.
     */
    public Outcome run(long untilStep, Path outDir, int every, GanListener listener) throws IOException {
        if (every < 1) throw new IllegalArgumentException("every must be >= 1");
        while (nextStep < untilStep) {
            StepLosses l = step();
            long done = nextStep;
            boolean last = done == untilStep;
            listener.onStep(l.step(), untilStep, l);
            boolean stop = !last && listener.stopRequested();
            if (outDir != null) {
                if (done % every == 0 || last || stop) {
                    Path s = outDir.resolve("samples").resolve(String.format("%06d.png", done));
                    writeSamples(s);
                    listener.onFileWritten(l.step(), s);
                    Path c = outDir.resolve("checkpoints").resolve(String.format("%06d.pt", done));
                    saveCheckpoint(c);
                    listener.onFileWritten(l.step(), c);
                    Path st = outDir.resolve("checkpoints").resolve(STATE_FILE);
                    saveState(st);
                    listener.onFileWritten(l.step(), st);
                }
            }
            if (stop) return Outcome.STOPPED;
        }
        return Outcome.FINISHED;
    }

    /** g_ema images [SAMPLES, 3, size, size] of the run's fixed sample z (constant noise), without gradients. */
    public Tensor samples() {
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor z = z(new Random(opts.seed() + 1), SAMPLES);
            return gEma.synthesize(gEma.toWPlus(gEma.mapping(z)), NoiseMode.CONST);
        }
    }

    /** A 4 x 4 grid of {@link #samples()} as a PNG with the run's options as provenance. */
    public void writeSamples(Path file) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            List<BufferedImage> imgs = Images.toImages(samples());
            int n = (int) Math.ceil(Math.sqrt(imgs.size()));
            int s = opts.size();
            BufferedImage grid = new BufferedImage(n * s, n * s, BufferedImage.TYPE_INT_RGB);
            var gr = grid.createGraphics();
            for (int i = 0; i < imgs.size(); i++) gr.drawImage(imgs.get(i), (i % n) * s, (i / n) * s, null);
            gr.dispose();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("tool", "styleclip world train-gan");
            p.put("step", nextStep);
            p.put("args", opts.toMap());
            Images.write(file, grid, Map.of("styleclip", new GsonBuilder().create().toJson(p)));
        }
    }

    /** latent_avg: the mean of g_ema's w over 4096 z drawn after torch.manual_seed(1001) ({@link Generator#MEAN_LATENT_SEED}). */
    public Tensor latentAvg() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            torch.manual_seed(Generator.MEAN_LATENT_SEED);
            Tensor z = torch.randn(Generator.MEAN_LATENT_SAMPLES, opts.styleDim());
            Tensor mean = gEma.mapping(z).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
            return Tensors.keep(scope, mean);
        }
    }

    private static TorchWriter.OrderedDict raw(Map<String, Tensor> params) {
        Map<String, Object> m = new LinkedHashMap<>();
        params.forEach((k, t) -> m.put(k, Tensors.toRaw(t)));
        return new TorchWriter.OrderedDict(m);
    }

    /**
     * rosinality's training checkpoint, {'g', 'd', 'g_ema', 'args', 'latent_avg'} (no optimizer states: those are in
     * the training state), written atomically. {@link Generator#load} takes its g_ema and latent_avg [style_dim].
     */
    public void saveCheckpoint(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            root.put("g", raw(gParams));
            root.put("d", raw(dParams));
            root.put("g_ema", raw(emaParams));
            root.put("args", opts.toMap());
            root.put("latent_avg", Tensors.toRaw(latentAvg()));
        }
        TorchWriter.writeZip(file, root);
    }

    private static void restore(Adam adam, List<String> keys, Map<?, ?> saved, Path file) throws CheckpointException {
        if (saved == null) throw new CheckpointException(file, "optimizer state is missing");
        try {
            adam.loadStateDict(keys, saved);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CheckpointException(file, "optimizer state does not match the model's parameters: " + e.getMessage());
        }
    }

    /** Everything {@link #resume} needs, in one torch zip file, written atomically. */
    public void saveState(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            root.put("format", STATE_FORMAT);
            root.put("version", 1);
            root.put("next_step", nextStep);
            root.put("mean_path_length", meanPathLength);
            root.put("r1", lastR1);
            root.put("path", lastPath);
            root.put("args", opts.toMap());
            root.put("g", raw(gParams));
            root.put("d", raw(dParams));
            root.put("g_ema", raw(emaParams));
            root.put("g_optim", gOptim.stateDict(gKeys));
            root.put("d_optim", dOptim.stateDict(dKeys));
        }
        TorchWriter.writeZip(file, root);
    }

    @Override
    public void close() {
        g.close();
        gEma.close();
        owned.deallocate();
        for (Tensor t : ownedTensors) t.releaseReference();
        ownedTensors.clear();
    }
}
