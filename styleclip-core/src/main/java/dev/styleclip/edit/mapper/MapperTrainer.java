package dev.styleclip.edit.mapper;

import dev.styleclip.optim.KeyedOptimizer;
import com.google.gson.GsonBuilder;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.image.Images;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a latent mapper for one prompt: StyleCLIP mapper/training/coach.py. Each update takes a batch of W+ codes w
 * and computes
 * <pre>
 *   x     = decoder(w)                        (no gradient; fixed noise, no truncation)
 *   w_hat = w + 0.1 * mapper(w)
 *   x_hat = decoder(w_hat)
 *   loss  = id_lambda * ID(x_hat, x) + clip_lambda * mean(CLIPLoss(x_hat, text)) + latent_l2_lambda * MSE(w_hat, w)
 * </pre>
 * then one optimizer step over the mapper's parameters (Ranger or Adam). The identity loss is injected
 * ({@link ImageLoss}); a run with id_lambda 0 needs none.
 *
 * <p>Files under exp_dir, as the coach writes them: {@code checkpoints/iteration_<step>.pt} every save_interval and
 * at the end, {@code checkpoints/best_model.pt} when the validation loss improves, {@code checkpoints/timestamp.txt};
 * training images every image_interval and validation images every val_interval under {@code logs/}, and
 * {@code logs/metrics.jsonl}. In addition, {@code checkpoints/train_state.pt} (mapper, optimizer state, next step,
 * best loss, opts) is written atomically with every checkpoint and when a run is stopped: {@link #restore} continues
 * from it exactly as if the run had not stopped (the data order is a function of the step and seed; nothing else
 * is random).
 *
 * <p>Differences from the coach, on purpose: max_steps is the number of updates (the coach usually does one more,
 * global steps 0..max_steps); validation at step 0 covers the whole test set (the coach looks at 5 batches and
 * discards the result); images use the fixed [-1, 1] range rather than per-image min/max.
 */
public final class MapperTrainer implements AutoCloseable {
    public static final String STATE_FILE = "train_state.pt";
    static final String STATE_FORMAT = "styleclip-jvm mapper training state";
    /** The coach validates on at most 201 test batches ({@code if batch_idx > 200: break}). */
    static final int MAX_VAL_BATCHES = 201;
    /** Validation batches whose images are written. */
    static final int VAL_IMAGE_BATCHES = 4;

    /**
     * The models a run uses; borrowed (the caller closes them), except that the run updates the mapper in place.
     *
     * @param mapper         the mapper being trained; its width must be the generator's style_dim (512 for FFHQ)
     * @param decoder        the generator, as an engine model
     * @param decoderWeights the same generator as file tensors, written into every checkpoint
     * @param clipLoss       StyleCLIP's CLIP loss (needed when clip_lambda > 0)
     * @param idLoss         the identity loss ID(x_hat, x) (needed when id_lambda > 0)
     */
    public record Models(LevelsMapper mapper, Generator decoder, DecoderWeights decoderWeights, ClipLoss clipLoss,
                         ImageLoss idLoss) {
    }

    /** One forward pass: the images, the edited latents, the loss to minimise and its terms. */
    public record Forward(Tensor x, Tensor wHat, Tensor xHat, Tensor loss, LossDict losses) {
    }

    /** How {@link #run} ended. */
    public enum Outcome { FINISHED, STOPPED }

    private final MapperOptions opts;
    private final Models models;
    private final TrainingLatents train;
    private final TrainingLatents test;
    private final BatchOrder order;
    private final int[][] tokens;
    private final KeyedOptimizer optimizer;
    private long nextStep;
    private Double bestValLoss;

    /**
     * @param train training latents
     * @param test  validation latents, or null for no validation
     * @param order the batches of each step (e.g. {@link BatchOrder#shuffled} over {@code train})
     */
    public MapperTrainer(MapperOptions opts, Models models, TrainingLatents train, TrainingLatents test, BatchOrder order) {
        if (opts.idLambda() > 0 && models.idLoss() == null) {
            throw new IllegalArgumentException("id_lambda > 0 needs an identity loss (ArcFace IR-SE50); set it to 0 to train without");
        }
        if (opts.clipLambda() > 0 && models.clipLoss() == null) throw new IllegalArgumentException("clip_lambda > 0 needs a CLIP loss");
        if (opts.idLambda() <= 0 && opts.clipLambda() <= 0 && opts.latentL2Lambda() <= 0) {
            throw new IllegalArgumentException("every loss weight is 0: nothing to train");
        }
        if (!models.mapper().levels().equals(opts.levels())) {
            throw new IllegalArgumentException("the mapper's levels " + models.mapper().levels() + " differ from the options' " + opts.levels());
        }
        models.mapper().requireStyleDim(models.decoder().config().styleDim(), "the decoder");
        if (models.decoderWeights() != null) {
            models.mapper().requireStyleDim(models.decoderWeights().config().styleDim(), models.decoderWeights().source());
        }
        this.opts = opts;
        this.models = models;
        this.train = train;
        this.test = test;
        this.order = order;
        this.tokens = ClipTokenizer.load().tokenize(List.of(opts.description()), TruncationPolicy.ERROR);
        Map<String, Tensor> params = models.mapper().parameters();
        params.values().forEach(p -> p.set_requires_grad(true));
        this.optimizer = KeyedOptimizer.create(opts.optimizer(), params, opts.learningRate());
    }

    public MapperOptions options() {
        return opts;
    }

    /** Global step of the next update (0 for a new run). */
    public long nextStep() {
        return nextStep;
    }

    public KeyedOptimizer optimizer() {
        return optimizer;
    }

    /** The coach's forward pass and calc_loss on a batch w [B, L, style_dim] (512 for FFHQ); gradients flow to the mapper. */
    public Forward forward(Tensor w) {
        Generator g = models.decoder();
        Tensors.checkShape("W+ batch", w, -1, g.config().nLatent(), g.config().styleDim());
        Tensor x;
        try (NoGradGuard ng = new NoGradGuard()) {
            x = g.synthesize(w, NoiseMode.CONST);
        }
        Tensor wHat = models.mapper().edit(w);
        Tensor xHat = g.synthesize(wHat, NoiseMode.CONST);
        Map<String, Double> d = new LinkedHashMap<>();
        Tensor loss = null;
        if (opts.idLambda() > 0) {
            Tensor id = models.idLoss().forward(xHat, x);
            d.put(LossDict.ID, id.item_double());
            d.put(LossDict.ID_IMPROVE, 0.0); // IDLoss's sim_improvement is always 0 in the reference
            loss = id.mul(new Scalar(opts.idLambda()));
        }
        if (opts.clipLambda() > 0) {
            Tensor clip = models.clipLoss().forward(xHat, tokens).mean(); // [B, 1] -> mean
            d.put(LossDict.CLIP, clip.item_double());
            loss = plus(loss, clip.mul(new Scalar(opts.clipLambda())));
        }
        if (opts.latentL2Lambda() > 0) {
            Tensor l2 = torch.mse_loss(wHat, w);
            d.put(LossDict.L2_LATENT, l2.item_double());
            loss = plus(loss, l2.mul(new Scalar(opts.latentL2Lambda())));
        }
        d.put(LossDict.TOTAL, loss.item_double());
        return new Forward(x, wHat, xHat, loss, new LossDict(d));
    }

    private static Tensor plus(Tensor a, Tensor b) {
        return a == null ? b : a.add(b);
    }

    /** One update on the batch w: zero_grad, forward, backward, optimizer step. Returns the losses before it. */
    public LossDict step(Tensor w) {
        try (PointerScope scope = new PointerScope()) {
            optimizer.zeroGrad();
            Forward f = forward(w);
            f.loss().backward();
            optimizer.step();
            return f.losses();
        }
    }

    /** Runs the updates from {@link #nextStep()} to max_steps, writing files under exp_dir (if set). */
    public Outcome run(TrainListener listener) throws IOException {
        long max = opts.maxSteps();
        for (long g = nextStep; g < max; g++) {
            LossDict losses;
            try (PointerScope scope = new PointerScope()) {
                optimizer.zeroGrad();
                Forward f = forward(train.batch(order.batch(g)));
                f.loss().backward();
                optimizer.step();
                losses = f.losses();
                if (g % opts.imageInterval() == 0) writeImages("images_train", String.format("%05d", g), f.x(), f.xHat(), g, listener);
            }
            nextStep = g + 1;
            boolean last = g == max - 1;
            if (g % opts.boardInterval() == 0) logMetrics("train", g, losses);
            LossDict val = null;
            if (test != null && (g % opts.valInterval() == 0 || last)) {
                val = validate(g, listener);
                boolean best = bestValLoss == null || val.loss() < bestValLoss;
                if (best) {
                    bestValLoss = val.loss();
                    checkpoint("best_model.pt", g, val, true, listener);
                }
                listener.onValidation(g, val, best);
            }
            boolean save = g % opts.saveInterval() == 0 || last;
            if (save) {
                checkpoint("iteration_" + g + ".pt", g, val != null ? val : losses, false, listener);
                saveState(listener, g);
            }
            listener.onStep(g, max, losses);
            if (!last && listener.stopRequested()) {
                if (!save) saveState(listener, g);
                return Outcome.STOPPED;
            }
        }
        return Outcome.FINISHED;
    }

    /** The mean loss dict over the validation latents (at most 201 batches), without gradients. */
    public LossDict validate() throws IOException {
        return validate(-1, null);
    }

    private LossDict validate(long step, TrainListener listener) throws IOException {
        int bs = opts.testBatchSize();
        int batches = Math.min(test.size() / bs, MAX_VAL_BATCHES);
        if (batches < 1) throw new IllegalStateException(test.size() + " validation latents do not fill one batch of " + bs);
        List<LossDict> all = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                Forward f = forward(test.range(b * bs, bs));
                all.add(f.losses());
                if (listener != null && b < VAL_IMAGE_BATCHES) {
                    writeImages("images_val", String.format("%05d_%05d", step, b), f.x(), f.xHat(), step, listener);
                }
            }
        }
        LossDict mean = LossDict.mean(all);
        if (step >= 0) logMetrics("test", step, mean);
        return mean;
    }

    // ---- files -----------------------------------------------------------------------------------------------

    private Path dir(String sub) {
        return opts.expDir() == null ? null : Path.of(opts.expDir()).resolve(sub);
    }

    private void writeImages(String folder, String name, Tensor x, Tensor xHat, long step, TrainListener listener) throws IOException {
        Path logs = dir("logs");
        if (logs == null) return;
        Path file = logs.resolve(folder).resolve(name + ".png");
        BufferedImage top = Images.strip(Images.toImages(x));
        BufferedImage bottom = Images.strip(Images.toImages(xHat.detach()));
        BufferedImage grid = new BufferedImage(top.getWidth(), top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
        var gr = grid.createGraphics();
        gr.drawImage(top, 0, 0, null);
        gr.drawImage(bottom, 0, top.getHeight(), null);
        gr.dispose();
        Map<String, Object> p = provenance(step);
        p.put("layout", "top row decoder(w), bottom row decoder(w + 0.1 * mapper(w))");
        Images.write(file, grid, Map.of("styleclip", new GsonBuilder().create().toJson(p)));
        listener.onFileWritten(step, file);
    }

    private Map<String, Object> provenance(long step) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "styleclip mapper train");
        p.put("method", "latent mapper");
        p.put("description", opts.description());
        p.put("step", step);
        p.put("opts", opts.toOpts());
        return p;
    }

    private void logMetrics(String split, long step, LossDict losses) throws IOException {
        Path logs = dir("logs");
        if (logs == null) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("split", split);
        line.putAll(losses.values());
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("metrics.jsonl"), new GsonBuilder().create().toJson(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void checkpoint(String name, long step, LossDict losses, boolean best, TrainListener listener) throws IOException {
        Path ckpts = dir("checkpoints");
        if (ckpts == null) return;
        Path file = ckpts.resolve(name);
        MapperCheckpoint.write(file, models.mapper(), models.decoderWeights(), opts.toOpts());
        String entry = best
                ? String.format("**Best**: Step - %d, Loss - %.3f \n%s\n", step, bestValLoss, losses)
                : String.format("Step - %d, \n%s\n", step, losses);
        Files.writeString(ckpts.resolve("timestamp.txt"), entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        listener.onFileWritten(step, file);
    }

    // ---- resumable state -------------------------------------------------------------------------------------

    /** Everything a run needs to continue: the mapper, the optimizer state, the next step, the best loss, the opts. */
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", STATE_FORMAT);
        s.put("version", 1);
        s.put("next_step", nextStep);
        s.put("best_val_loss", bestValLoss);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", optimizer.name().optName());
        o.put("state", new TorchWriter.OrderedDict(optimizer.stateDict()));
        s.put("optimizer", o);
        s.put("mapper", new TorchWriter.OrderedDict(models.mapper().stateDict()));
        s.put("opts", opts.toOpts());
        return s;
    }

    /** Writes {@link #state()} atomically to {@code file}. */
    public void saveState(Path file) throws IOException {
        TorchWriter.writeZip(file, state());
    }

    private void saveState(TrainListener listener, long step) throws IOException {
        Path ckpts = dir("checkpoints");
        if (ckpts == null) return;
        Path file = ckpts.resolve(STATE_FILE);
        saveState(file);
        listener.onFileWritten(step, file);
    }

    /**
     * Continues from a saved state: mapper weights, optimizer state, next step and best loss. The state's options
     * must equal this trainer's, except max_steps (a run may be extended) and exp_dir; the saved mapper's width must
     * be this trainer's (the generator's style_dim).
     */
    public void restore(TrainState s) {
        Map<String, Object> mine = opts.toOpts();
        Map<String, Object> theirs = s.options().toOpts();
        List<String> differ = new ArrayList<>();
        for (String k : mine.keySet()) {
            if (k.equals("max_steps") || k.equals("exp_dir")) continue;
            if (!java.util.Objects.equals(mine.get(k), theirs.get(k))) differ.add(k + " (" + theirs.get(k) + " saved, " + mine.get(k) + " now)");
        }
        if (!differ.isEmpty()) throw new IllegalArgumentException("the saved run had other options: " + String.join(", ", differ));
        int width = models.mapper().width();
        s.mapper().forEach((k, ref) -> {
            long[] shape = ref.shape();
            if (shape.length == 0 || shape[0] != width) {
                throw new IllegalArgumentException("the saved run's mapper has " + k + " " + java.util.Arrays.toString(shape)
                        + ", not " + width + " wide: " + LevelsMapper.widthMismatch(Math.toIntExact(shape.length == 0 ? 0 : shape[0]),
                        models.decoder().config().styleDim(), "the decoder"));
            }
        });
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            s.mapper().forEach((k, ref) -> values.put(k, Tensors.fromRawAsFloat(ref.read())));
            models.mapper().load(values);
        }
        optimizer.loadStateDict(s.optimizerState());
        nextStep = s.nextStep();
        bestValLoss = s.bestValLoss();
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
