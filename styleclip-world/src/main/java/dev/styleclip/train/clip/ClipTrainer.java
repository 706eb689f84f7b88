package dev.styleclip.train.clip;

import dev.styleclip.clip.ClipConfig;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ClipOps;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.optim.Adam;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.DType;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.train.WorldData;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.train.classifier.ClassifierTrainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains a small ViT CLIP from scratch on image-caption pairs ({@link ImageTextBatches}) and writes it as an
 * OpenAI-layout state dict that {@link ClipModel#load} and {@code styleclip inspect} read unchanged.
 *
 * <p>Each update: captions tokenised with the real BPE tokenizer ({@link ClipTokenizer}, truncated to 77), images
 * mapped from [-1, 1] to the CLIP input by {@link GeneratorToClip} (CLIP mean/std normalisation; no resize when the
 * image side equals the input resolution), features L2-normalised, logits = exp(logit_scale) * img . txt^T, and the
 * symmetric InfoNCE loss (cross-entropy image->text and text->image, averaged). Identical captions within a batch
 * are all positives for each other's images (the target row is uniform over them), so a world with repeated
 * captions gives no contradictory targets; with distinct captions this is exactly CLIP's loss. Then AdamW
 * ({@link ClipTrainOptions}), and logit_scale is clamped to [0, ln 100] as CLIP's training loop does.
 *
 * <p>With a label weight ({@link ClipTrainOptions#labelWeight()}, 0 by default) the loss gains a second term, a
 * departure from CLIP's recipe: linear heads on the normalised image features ({@link LabelHeads}) predict the batch's
 * labels (every category of the world, or those {@link ClipTrainOptions#labelCategories()} names), and that
 * cross-entropy, times the weight, is added. Contrastive training alone
 * leaves the small image tower blind to what captions rarely tell apart (the mouth: smiling, makeup), and with it the
 * text tower, so neither side ever starts to separate them; the labels make the image features carry every labelled
 * attribute, and the contrastive loss then aligns the captions to them. The heads are not part of the written model.
 *
 * <p>The model trained is a {@link ClipModel#trainable} one: the inference model's own modules and forward pass over
 * float32 masters, which it reads through convert_weights' fp16 round trip (straight-through), so the saved file,
 * loaded by {@link ClipModel#load} (which applies that round trip), computes what the trainer computed (image
 * features exactly; text features to ~1e-7, because the trainer skips the positions after the last end token,
 * {@link ClipModel.TextPositions#THROUGH_LAST_END_TOKEN}, which the causal mask makes irrelevant). The file stores
 * those tensors, and the token embedding, as float16 (the layout of OpenAI's own checkpoints; about half the size)
 * and the rest as float32.
 *
 * <p>Files: the model ({@link #saveModel}, a torch.save zip of an OrderedDict) and a training state ({@link #saveState}:
 * float32 weights, AdamW moments and step counts, next step, options, configuration) from which {@link #resume}
 * continues exactly. Both are written atomically. {@link #train} is the entry point for the command line.
 */
public final class ClipTrainer implements AutoCloseable {
    public static final String MODEL_FILE = "clip.pt";
    public static final String STATE_FILE = "clip_train_state.pt";
    static final String STATE_FORMAT = "styleclip-jvm clip training state";
    /** CLIP clamps logit_scale to ln(100) in training. */
    public static final double MAX_LOGIT_SCALE = Math.log(100);

    /**
     * What one update measured, before the update.
     *
     * @param loss      the whole loss (contrastive plus the weighted label loss)
     * @param labelLoss the label loss before its weight, or NaN in a run without one
     */
    public record StepResult(long step, double loss, double lr, double logitScale, double labelLoss) {
    }

    /** Scale of the label heads' logits over the unit-norm image features (a fixed temperature of 0.1). */
    static final double HEAD_SCALE = 10;
    /** The label heads learn at this multiple of the schedule's learning rate (they start at zero). */
    static final double HEAD_LR_FACTOR = 10;
    /** The text positions the trained model computes (see the class comment). */
    static final ClipModel.TextPositions TEXT_POSITIONS = ClipModel.TextPositions.THROUGH_LAST_END_TOKEN;

    /** Progress of {@link #train}. */
    public interface Listener {
        void onStep(StepResult result, long totalSteps);

        default void onFileWritten(Path file) {
        }

        /** Asked after each step; true stops the run after writing the state. */
        default boolean stopRequested() {
            return false;
        }
    }

    /** How {@link #train} ended. */
    public enum Outcome { FINISHED, STOPPED }

    private final ClipTrainOptions opts;
    /** A {@link ClipModel#trainable} model, owning its masters. */
    private final ClipModel model;
    private final List<String> keys;
    private final List<Boolean> decay;
    private final Adam adam;
    private final ClipTokenizer tokenizer = ClipTokenizer.load();
    /** The label heads (weight [embed_dim, all classes], bias) of a run with a label weight, else null. */
    private final LabelHeads heads;
    private long nextStep;
    /** Owns the AdamW moments and the label heads until {@link #close()} (the model owns its weights). */
    private final PointerScope owned;

    private ClipTrainer(ClipTrainOptions opts, ClipModel model, PointerScope owned) {
        this.owned = owned;
        this.opts = opts;
        this.model = model;
        this.keys = List.copyOf(model.parameters().keySet());
        List<Tensor> ps = new ArrayList<>();
        this.decay = new ArrayList<>();
        for (String k : keys) {
            Tensor p = model.parameters().get(k);
            ps.add(p);
            decay.add(p.dim() >= 2 && !k.contains("embedding"));
        }
        this.adam = new Adam(ps, opts.lr(), opts.beta1(), opts.beta2(), opts.eps());
        this.heads = opts.labelWeight() > 0 ? new LabelHeads(WorldData.categories(), model.config().embedDim(), opts) : null;
    }

    /**
     * Linear heads on the normalised image features, one softmax per label category, trained beside the CLIP (the
     * auxiliary label loss of {@link ClipTrainOptions#labelWeight()}). They start at zero, have no weight decay, and
     * are kept in the training state but not in the model file: the CLIP a run writes has OpenAI's layout only.
     */
    static final class LabelHeads {
        /** The categories of the batches' label rows. */
        final List<AttributeClassifier.Category> categories;
        /** Indices into {@link #categories} of those the heads predict. */
        final int[] read;
        final Tensor weight;
        final Tensor bias;
        final Adam adam;

        LabelHeads(List<AttributeClassifier.Category> categories, int embedDim, ClipTrainOptions opts) {
            this.categories = List.copyOf(categories);
            this.read = chosen(categories, opts.labelCategories());
            int total = 0;
            for (int c : read) total += categories.get(c).classes();
            weight = torch.zeros(embedDim, total);
            weight.set_requires_grad(true);
            bias = torch.zeros(total);
            bias.set_requires_grad(true);
            adam = new Adam(List.of(weight, bias), opts.lr() * HEAD_LR_FACTOR, opts.beta1(), opts.beta2(), opts.eps());
        }

        /** The label loss of unit-norm image features {@code img} [N, embed_dim] against the batch's labels. */
        Tensor loss(Tensor img, ImageTextBatches.Batch batch) {
            if (batch.labels() == null) throw new IllegalArgumentException("a run with a label weight needs labelled batches; this batch has none");
            if (!batch.categories().equals(categories)) {
                throw new IllegalArgumentException("the batch's label categories " + batch.categories() + " are not the heads' " + categories);
            }
            Tensor logits = img.mul(new Scalar(HEAD_SCALE)).matmul(weight).add(bias);
            List<Tensor> perCategory = new ArrayList<>();
            List<AttributeClassifier.Category> cats = new ArrayList<>();
            long at = 0;
            for (int c : read) {
                AttributeClassifier.Category cat = categories.get(c);
                cats.add(cat);
                perCategory.add(logits.narrow(1, at, cat.classes()));
                at += cat.classes();
            }
            int[][] rows = new int[batch.labels().length][];
            for (int i = 0; i < rows.length; i++) {
                int[] full = batch.labels()[i];
                if (full.length != categories.size()) {
                    throw new IllegalArgumentException("label row " + i + " has " + full.length + " entries, expected " + categories.size());
                }
                rows[i] = new int[read.length];
                for (int k = 0; k < read.length; k++) rows[i][k] = full[read[k]];
            }
            return ClassifierTrainer.labelLoss(cats, perCategory, rows);
        }

        /** The indices of the comma-separated category names {@code names} (all for an empty string), or a clear error. */
        static int[] chosen(List<AttributeClassifier.Category> categories, String names) {
            if (names.isEmpty()) return java.util.stream.IntStream.range(0, categories.size()).toArray();
            List<String> all = categories.stream().map(AttributeClassifier.Category::name).toList();
            java.util.LinkedHashSet<Integer> out = new java.util.LinkedHashSet<>();
            for (String n : names.split(",")) {
                int i = all.indexOf(n.strip());
                if (i < 0) throw new IllegalArgumentException("no label category '" + n.strip() + "'; the categories are " + String.join(", ", all));
                out.add(i);
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * The project's small CLIP for 64 x 64 images: patch 8 (8 x 8 grid), image transformer width 192 (3 heads),
     * 4 layers; text transformer width 128 (2 heads), 4 layers, 77 positions, the real 49408-token vocabulary;
     * embed_dim 128. Head counts are width / 64 because that is how build_model (and {@link ClipConfig#infer})
     * derives them from a file: any other count would not survive a save and load.
     */
    public static ClipConfig smallConfig() {
        return new ClipConfig(128, 64, 4, 192, 8, ClipTokenizer.CONTEXT_LENGTH, 49408, 128, 2, 4);
    }

    /** A new run: weights initialised from {@code opts.seed()}. */
    public static ClipTrainer create(ClipConfig cfg, ClipTrainOptions opts) {
        Engine.init();
        check(cfg);
        try {
            return owning(() -> ClipModel.trainable(cfg, ClipInit.weights(cfg, opts.seed()), TEXT_POSITIONS), opts, t -> { });
        } catch (CheckpointException e) {
            throw new IllegalStateException("a fresh initialisation makes every key the model takes", e);
        }
    }

    /**
     * A new run (fresh AdamW moments, its own schedule from step 0) that starts from the weights of a CLIP file in
     * OpenAI's state-dict layout, as this tool writes them (a fine-tune). Its configuration comes from the file.
     */
    public static ClipTrainer createFrom(Path clipFile, ClipTrainOptions opts) throws IOException {
        Engine.init();
        Object root = CheckpointReader.read(clipFile).root();
        if (!(root instanceof Map<?, ?>)) throw new CheckpointException(clipFile, "not a CLIP state dict (top level is not a dict)");
        Map<String, TensorRef> refs = Checkpoint.tensors(root);
        ClipConfig cfg = ClipConfig.infer(StateDict.of(clipFile.getFileName().toString(), refs), clipFile.toString());
        check(cfg);
        return fromWeights(cfg, clipFile.toString(), () -> read(root), opts, t -> { });
    }

    /**
     * A trainer over weights read by {@code weights} (in a scope of its own, freed once the model has copied them:
     * read strictly, every key of the model and no other).
     */
    private static ClipTrainer fromWeights(ClipConfig cfg, String source, java.util.function.Supplier<Map<String, Tensor>> weights,
                                           ClipTrainOptions opts, java.util.function.Consumer<ClipTrainer> then) throws CheckpointException {
        return owning(() -> {
            try (PointerScope tmp = new PointerScope()) {
                return ClipModel.trainable(cfg, StateDict.ofTensors(source, weights.get()), TEXT_POSITIONS);
            }
        }, opts, then);
    }

    /** Makes the model a trainer trains. */
    private interface ModelSource {
        ClipModel make() throws CheckpointException;
    }

    /**
     * A trainer over the model {@code model} makes, then {@code then} (restoring a saved state, say); the trainer's
     * scope stays open, owning the optimizer state, until {@link #close()}, and it and the model are closed at once on
     * failure.
     */
    private static ClipTrainer owning(ModelSource model, ClipTrainOptions opts, java.util.function.Consumer<ClipTrainer> then)
            throws CheckpointException {
        PointerScope owned = new PointerScope();
        ClipModel made = null;
        try {
            made = model.make();
            ClipTrainer t = new ClipTrainer(opts, made, owned);
            then.accept(t);
            owned.extend(); // keep the scope open: it owns the optimizer state until close()
            owned.close();
            return t;
        } catch (CheckpointException | RuntimeException e) {
            owned.close();
            if (made != null) made.close();
            throw e;
        }
    }

    private static void check(ClipConfig cfg) {
        if (cfg.transformerHeads() != cfg.transformerWidth() / ClipConfig.HEAD_WIDTH || cfg.visionHeads() < 1
                || cfg.transformerHeads() < 1 || cfg.visionWidth() % ClipConfig.HEAD_WIDTH != 0) {
            throw new IllegalArgumentException("widths must be multiples of 64 with heads = width / 64 (build_model's rule): " + cfg);
        }
        if (cfg.contextLength() != ClipTokenizer.CONTEXT_LENGTH || cfg.vocabSize() != 49408) {
            throw new IllegalArgumentException("context length must be 77 and vocabulary 49408 (the real tokenizer): " + cfg);
        }
        if (cfg.imageResolution() % cfg.visionPatchSize() != 0) {
            throw new IllegalArgumentException("image resolution must be a multiple of the patch size: " + cfg);
        }
    }

    /**
     * Continues a run from a training state. {@code opts} may differ from the saved options only in steps and
     * saveEvery (a run may be extended); null takes the saved ones.
     */
    public static ClipTrainer resume(Path stateFile, ClipTrainOptions opts) throws IOException {
        Engine.init();
        Map<?, ?> root = CheckpointReader.read(stateFile).rootMap();
        if (!STATE_FORMAT.equals(root.get("format"))) {
            throw new CheckpointException(stateFile, "not a CLIP training state written by this tool (no format '" + STATE_FORMAT + "')");
        }
        if (!(root.get("version") instanceof Number v) || v.intValue() != 1) {
            throw new CheckpointException(stateFile, "unsupported CLIP training state version " + root.get("version"));
        }
        ClipTrainOptions saved = ClipTrainOptions.fromMap((Map<?, ?>) root.get("options"));
        if (opts == null) opts = saved;
        if (!opts.withSteps(saved.steps()).withSaveEvery(saved.saveEvery()).equals(saved)) {
            throw new IllegalArgumentException("the saved run had other options: " + saved.toMap() + " saved, " + opts.toMap() + " now");
        }
        Map<?, ?> c = (Map<?, ?>) root.get("config");
        ClipConfig cfg = new ClipConfig(i(c, "embed_dim"), i(c, "image_resolution"), i(c, "vision_layers"), i(c, "vision_width"),
                i(c, "vision_patch_size"), i(c, "context_length"), i(c, "vocab_size"), i(c, "transformer_width"),
                i(c, "transformer_heads"), i(c, "transformer_layers"));
        return fromWeights(cfg, stateFile + " (params)", () -> read(root.get("params")), opts, t -> {
            try (PointerScope tmp = new PointerScope()) {
                t.restoreMoments(root);
            }
            t.nextStep = ((Number) root.get("next_step")).longValue();
        });
    }

    private void restoreMoments(Map<?, ?> root) {
        {
            ClipTrainer t = this;
            Map<String, Tensor> m1 = read(root.get("exp_avg")), m2 = read(root.get("exp_avg_sq"));
            List<?> counts = (List<?>) root.get("adam_steps");
            for (int k = 0; k < t.keys.size(); k++) {
                String key = t.keys.get(k);
                t.adam.restore(k, m1.get(key), m2.get(key), ((Number) counts.get(k)).longValue());
            }
            if (t.heads != null) {
                if (!(root.get("label_heads") instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("the training state has a label weight but no label heads");
                }
                Map<String, Tensor> hp = read(root.get("label_heads")), h1 = read(root.get("label_heads_exp_avg")),
                        h2 = read(root.get("label_heads_exp_avg_sq"));
                List<?> hc = (List<?>) root.get("label_heads_adam_steps");
                String[] names = {"weight", "bias"};
                Tensor[] hs = {t.heads.weight, t.heads.bias};
                try (NoGradGuard ng = new NoGradGuard()) {
                    for (int k = 0; k < 2; k++) {
                        hs[k].copy_(hp.get(names[k]));
                        t.heads.adam.restore(k, h1.get(names[k]), h2.get(names[k]), ((Number) hc.get(k)).longValue());
                    }
                }
            }
        }
    }

    private static int i(Map<?, ?> m, String k) {
        return ((Number) m.get(k)).intValue();
    }

    private static Map<String, Tensor> read(Object node) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : Checkpoint.tensors(node).entrySet()) {
            out.put(e.getKey(), Tensors.fromRawAsFloat(e.getValue().read()));
        }
        return out;
    }

    public ClipConfig config() {
        return model.config();
    }

    public ClipTrainOptions options() {
        return opts;
    }

    /** Global step of the next update (0 for a new run). */
    public long nextStep() {
        return nextStep;
    }

    /** Token ids [N, 77] int64 of captions (real BPE, truncated as {@code clip.tokenize(truncate=True)}). */
    public Tensor tokens(List<String> captions) {
        int[][] ids = tokenizer.tokenize(captions, TruncationPolicy.TRUNCATE);
        int ctx = ClipTokenizer.CONTEXT_LENGTH;
        long[] flat = new long[ids.length * ctx];
        for (int r = 0; r < ids.length; r++) for (int j = 0; j < ctx; j++) flat[r * ctx + j] = ids[r][j];
        try (LongPointer p = new LongPointer(Math.max(1, flat.length))) {
            p.put(flat);
            return torch.from_blob(p, new long[] {ids.length, ctx}, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    /** Image features [N, embed_dim] (not normalised) of [-1, 1] images, as the trained model computes them. */
    public Tensor encodeImages(Tensor images) {
        return model.encodeImage(GeneratorToClip.apply(images, model.config().imageResolution()));
    }

    /** Text features [N, embed_dim] (not normalised) of captions. */
    public Tensor encodeTexts(List<String> captions) {
        return model.encodeText(tokens(captions));
    }

    /**
     * The loss of a batch (differentiable in the weights): the symmetric InfoNCE loss, plus, in a run with a label
     * weight, that weight times the label heads' loss.
     */
    public Tensor loss(ImageTextBatches.Batch batch) {
        return losses(batch)[0];
    }

    /** The label heads' loss of a batch, before its weight (a run with a label weight only). */
    Tensor labelLoss(ImageTextBatches.Batch batch) {
        if (heads == null) throw new IllegalStateException("this run has no label heads");
        return heads.loss(ClipOps.l2Normalize(encodeImages(batch.images())), batch);
    }

    /** The whole loss and the unweighted label loss (null in a run without label heads). */
    private Tensor[] losses(ImageTextBatches.Batch batch) {
        Tensor img = ClipOps.l2Normalize(encodeImages(batch.images()));
        Tensor txt = ClipOps.l2Normalize(encodeTexts(batch.captions()));
        Tensor logits = model.logits(img, txt); // [N, N]
        Tensor target = targets(batch.captions());
        Tensor i2t = torch.log_softmax(logits, 1).mul(target).sum().neg();
        Tensor t2i = torch.log_softmax(logits.t(), 1).mul(target).sum().neg();
        Tensor contrastive = i2t.add(t2i).div(new Scalar(2.0 * batch.captions().size()));
        if (heads == null) return new Tensor[] {contrastive, null};
        Tensor label = heads.loss(img, batch);
        return new Tensor[] {contrastive.add(label.mul(new Scalar(opts.labelWeight()))), label};
    }

    /** Row-normalised caption equality: identity for distinct captions. Symmetric. */
    static Tensor targets(List<String> captions) {
        int n = captions.size();
        float[] t = new float[n * n];
        for (int a = 0; a < n; a++) {
            int same = 0;
            for (int b = 0; b < n; b++) if (captions.get(a).equals(captions.get(b))) same++;
            for (int b = 0; b < n; b++) if (captions.get(a).equals(captions.get(b))) t[a * n + b] = 1f / same;
        }
        return Tensors.floats(t, n, n);
    }

    /** One AdamW update on {@code batch} at step {@link #nextStep()}. */
    public StepResult step(ImageTextBatches.Batch batch) {
        long s = nextStep;
        double lr = opts.lrAt(s);
        double loss, scale, labelLoss = Double.NaN;
        try (PointerScope scope = new PointerScope()) {
            adam.zeroGrad();
            if (heads != null) heads.adam.zeroGrad();
            Tensor[] ls = losses(batch);
            Tensor l = ls[0];
            loss = l.item_double();
            if (ls[1] != null) labelLoss = ls[1].item_double();
            scale = logitScale().item_double();
            l.backward();
            try (NoGradGuard ng = new NoGradGuard()) {
                if (opts.weightDecay() > 0) {
                    for (int k = 0; k < keys.size(); k++) {
                        if (decay.get(k)) model.parameters().get(keys.get(k)).mul_(new Scalar(1 - lr * opts.weightDecay()));
                    }
                }
                adam.setLr(lr);
                adam.step();
                if (heads != null) {
                    heads.adam.setLr(lr * HEAD_LR_FACTOR);
                    heads.adam.step();
                }
                logitScale().clamp_(new org.bytedeco.pytorch.ScalarOptional(new Scalar(0.0)),
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(MAX_LOGIT_SCALE)));
            }
        }
        nextStep = s + 1;
        return new StepResult(s, loss, lr, scale, labelLoss);
    }

    /** logit_scale's master, the log of the logits' temperature. */
    private Tensor logitScale() {
        return model.parameters().get("logit_scale");
    }

    /** A {@link ClipModel} with a copy of the current weights, built as {@link ClipModel#load} builds one. */
    public ClipModel toModel() throws CheckpointException {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Map<String, Tensor> copy = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                Tensor v = e.getValue().detach();
                if (e.getKey().equals("token_embedding.weight")) v = v.to(ScalarType.Half).to(ScalarType.Float);
                copy.put(e.getKey(), v);
            }
            return ClipModel.fromStateDict(StateDict.ofTensors("trained CLIP", copy), "trained CLIP");
        }
    }

    /** The model's state dict as the file stores it (float16 for convert_weights' tensors and the token embedding). */
    public Map<String, Object> modelStateDict() {
        Map<String, Object> sd = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                Tensor v = e.getValue();
                sd.put(e.getKey(), model.fp16RoundTripKeys().contains(e.getKey()) ? toRawHalf(v) : Tensors.toRaw(v));
            }
        }
        return sd;
    }

    /** Writes the model as {@code torch.save(model.state_dict(), file)} (an OrderedDict), atomically. */
    public void saveModel(Path file) throws IOException {
        TorchWriter.writeZip(file, new TorchWriter.OrderedDict(modelStateDict()));
    }

    /** Writes the training state atomically. */
    public void saveState(Path file) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", STATE_FORMAT);
        s.put("version", 1);
        s.put("next_step", nextStep);
        s.put("options", opts.toMap());
        ClipConfig c = model.config();
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("embed_dim", c.embedDim());
        cm.put("image_resolution", c.imageResolution());
        cm.put("vision_layers", c.visionLayers());
        cm.put("vision_width", c.visionWidth());
        cm.put("vision_patch_size", c.visionPatchSize());
        cm.put("context_length", c.contextLength());
        cm.put("vocab_size", c.vocabSize());
        cm.put("transformer_width", c.transformerWidth());
        cm.put("transformer_heads", c.transformerHeads());
        cm.put("transformer_layers", c.transformerLayers());
        s.put("config", cm);
        Map<String, Object> params = new LinkedHashMap<>(), m1 = new LinkedHashMap<>(), m2 = new LinkedHashMap<>();
        List<Long> counts = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                params.put(key, Tensors.toRaw(model.parameters().get(key)));
                Tensor[] mom = adam.moments(k);
                m1.put(key, Tensors.toRaw(mom[0]));
                m2.put(key, Tensors.toRaw(mom[1]));
                counts.add(adam.stepCount(k));
            }
        }
        s.put("params", new TorchWriter.OrderedDict(params));
        s.put("exp_avg", new TorchWriter.OrderedDict(m1));
        s.put("exp_avg_sq", new TorchWriter.OrderedDict(m2));
        s.put("adam_steps", counts);
        if (heads != null) {
            try (PointerScope scope = new PointerScope()) {
                Map<String, Object> hp = new LinkedHashMap<>(), h1 = new LinkedHashMap<>(), h2 = new LinkedHashMap<>();
                List<Long> hc = new ArrayList<>();
                Tensor[] hs = {heads.weight, heads.bias};
                String[] names = {"weight", "bias"};
                for (int k = 0; k < 2; k++) {
                    hp.put(names[k], Tensors.toRaw(hs[k]));
                    Tensor[] mom = heads.adam.moments(k);
                    h1.put(names[k], Tensors.toRaw(mom[0]));
                    h2.put(names[k], Tensors.toRaw(mom[1]));
                    hc.add(heads.adam.stepCount(k));
                }
                s.put("label_heads", new TorchWriter.OrderedDict(hp));
                s.put("label_heads_exp_avg", new TorchWriter.OrderedDict(h1));
                s.put("label_heads_exp_avg_sq", new TorchWriter.OrderedDict(h2));
                s.put("label_heads_adam_steps", hc);
            }
        }
        TorchWriter.writeZip(file, s);
    }

    /** A float16 file tensor of {@code t}'s values (round to nearest even). */
    static RawTensor toRawHalf(Tensor t) {
        return Tensors.toRawHalf(t);
    }

    /**
     * The command-line entry point: trains into {@code outDir}, writing {@value #MODEL_FILE} and
     * {@value #STATE_FILE} every {@code opts.saveEvery()} steps and at the end. If {@code outDir} already holds a
     * training state, the run continues from it (options must match, except steps and saveEvery).
     *
     * @param cfg the model configuration of a new run (e.g. {@link #smallConfig()}); ignored when resuming
     */
    public static Outcome train(ClipConfig cfg, ClipTrainOptions opts, ImageTextBatches data, Path outDir, Listener listener)
            throws IOException {
        return train(cfg, null, opts, data, outDir, listener);
    }

    /** As {@link #train(ClipConfig, ClipTrainOptions, ImageTextBatches, Path, Listener)}; a new run starts from {@code init}'s weights when it is not null. */
    public static Outcome train(ClipConfig cfg, Path init, ClipTrainOptions opts, ImageTextBatches data, Path outDir, Listener listener)
            throws IOException {
        Path stateFile = outDir.resolve(STATE_FILE);
        Files.createDirectories(outDir);
        try (ClipTrainer t = Files.exists(stateFile) ? resume(stateFile, opts) : init != null ? createFrom(init, opts) : create(cfg, opts)) {
            long total = opts.steps();
            while (t.nextStep < total) {
                StepResult r;
                try (PointerScope scope = new PointerScope()) {
                    r = t.step(data.batch(t.nextStep, opts.batchSize()));
                }
                listener.onStep(r, total);
                boolean last = t.nextStep == total;
                boolean stop = !last && listener.stopRequested();
                if (last || stop || t.nextStep % opts.saveEvery() == 0) {
                    t.saveModel(outDir.resolve(MODEL_FILE));
                    listener.onFileWritten(outDir.resolve(MODEL_FILE));
                    t.saveState(stateFile);
                    listener.onFileWritten(stateFile);
                }
                if (stop) return Outcome.STOPPED;
            }
            return Outcome.FINISHED;
        }
    }

    /** The float32 master weights (state_dict order); for tests and inspection. */
    public Map<String, Tensor> parameters() {
        return model.parameters();
    }

    @Override
    public void close() {
        owned.deallocate();
        model.close();
    }
}
