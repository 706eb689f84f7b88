package dev.styleclip.clip;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.TensorRef;
import dev.styleclip.tensor.Engine;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A ViT CLIP: the image encoder ({@link VisionTransformer}), the text encoder and the scaled cosine logits.
 * Mirrors {@code CLIP} in openai/CLIP {@code clip/model.py} (its text side, {@code encode_text}, lives here as
 * it does there), loaded as {@code clip.load(name, device="cpu", jit=False)} loads it: configuration inferred
 * by {@link ClipConfig#infer} ({@code build_model}), fp16 round trip of what {@code convert_weights} converts
 * ({@link ConvertWeights}), strict keys.
 *
 * <p>The same modules and forward pass also train: {@link #trainable} makes a model whose parameters are float32
 * masters requiring gradients, read through convert_weights' fp16 round trip as a straight-through weight transform
 * ({@link TrainableWeights}), so that it computes what its weights compute once saved in OpenAI's layout and loaded.
 *
 * <p>Weights are native tensors owned by this object; {@link #close()} frees them. A loaded model's never require
 * gradients; gradients flow to the inputs (the image, for CLIP-guided optimisation).
 */
public final class ClipModel implements AutoCloseable {
    /** 0-dim int64 buffers in OpenAI's TorchScript archives that {@code build_model} deletes before loading. */
    public static final List<String> JIT_ARCHIVE_BUFFERS = List.of("input_resolution", "context_length", "vocab_size");

    /**
     * What {@code CLIP.forward(image, text)} returns.
     *
     * @param perImage exp(logit_scale) * cos(image_i, text_j), [N_image, N_text]
     * @param perText  its transpose, [N_text, N_image]
     */
    public record Logits(Tensor perImage, Tensor perText) {
    }

    /** Which text positions {@link #encodeText} computes. */
    public enum TextPositions {
        /** All context_length positions, as {@code encode_text} does. */
        ALL,
        /**
         * Positions up to the batch's last end-of-text token only. With the causal mask the feature at an end token
         * does not depend on later positions, so the features are ALL's up to float rounding (the matrices are
         * smaller, so BLAS may sum in another order; differences are ~1e-7); captions are short, so this saves most
         * of the text cost. What {@code ClipTrainer} trains with.
         */
        THROUGH_LAST_END_TOKEN
    }

    private final ClipConfig config;
    private final TextPositions textPositions;
    // The parameters, in state_dict order (a module's own, then its submodules').
    private final ClipParameter positionalEmbedding; // [context, width]
    private final ClipParameter textProjection;      // [width, embed_dim]
    private final ClipParameter logitScale;          // [] (log of the scale)
    private final VisionTransformer visual;
    private final Transformer transformer;
    private final ClipParameter tokenEmbedding;      // [vocab, width]
    private final ClipParameter lnFinalWeight;
    private final ClipParameter lnFinalBias;
    private final Tensor attentionMask;              // [context, context], -inf above the diagonal
    private final Map<String, Tensor> parameters;
    private final Set<String> fp16Keys;
    private final PointerScope weights;

    /**
     * @param source the kind of parameters (loaded or trainable), given the scope that will own them
     */
    private ClipModel(StateDict sd, ClipConfig cfg, Function<PointerScope, ClipWeights> source,
                      TextPositions textPositions) throws CheckpointException {
        this.weights = new PointerScope();
        try {
            this.config = cfg;
            this.textPositions = textPositions;
            ClipWeights w = source.apply(weights);
            int width = cfg.transformerWidth();
            positionalEmbedding = w.fp32("positional_embedding", cfg.contextLength(), width);
            textProjection = w.fp16RoundTrip("text_projection", width, cfg.embedDim());
            logitScale = w.fp32("logit_scale");
            visual = new VisionTransformer(w, "visual.", cfg);
            transformer = new Transformer(w, "transformer.", width, cfg.transformerLayers(), cfg.transformerHeads());
            tokenEmbedding = w.tokenEmbedding("token_embedding.weight", cfg.vocabSize(), width);
            lnFinalWeight = w.fp32("ln_final.weight", width);
            lnFinalBias = w.fp32("ln_final.bias", width);
            JIT_ARCHIVE_BUFFERS.forEach(sd::ignore);
            sd.finish("ViT CLIP (" + cfg + ")");
            attentionMask = ClipOps.causalMask(cfg.contextLength());
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(w.tensors()));
            fp16Keys = Collections.unmodifiableSet(new LinkedHashSet<>(w.roundedKeys()));
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
        weights.extend(); // keep the scope open: it owns the weights until close()
        weights.close();
    }

    private static ClipModel loaded(StateDict sd, ClipConfig cfg) throws CheckpointException {
        return new ClipModel(sd, cfg, owner -> new ConvertWeights(sd, owner), TextPositions.ALL);
    }

    /**
     * Loads a CLIP checkpoint: an OpenAI TorchScript archive ({@code ViT-B-32.pt}, read as data: the tensors of
     * its root module) or a plain {@code state_dict} saved with {@code torch.save}.
     */
    public static ClipModel load(Path file) throws IOException {
        Engine.init();
        Checkpoint ckpt = CheckpointReader.read(file);
        Object root = ckpt.root();
        if (!(root instanceof Map<?, ?>) && Checkpoint.className(root) == null) {
            throw new CheckpointException(file, "not a CLIP checkpoint (top level is neither a state dict nor a"
                    + " TorchScript module)");
        }
        Map<String, TensorRef> tensors = Checkpoint.tensors(root);
        String name = file.getFileName().toString();
        return fromStateDict(StateDict.of(name, tensors), name);
    }

    /** Builds a model from CLIP-layout weights, inferring the configuration as build_model does. */
    public static ClipModel fromStateDict(StateDict sd, String source) throws CheckpointException {
        Engine.init();
        return loaded(sd, ClipConfig.infer(sd, source));
    }

    /** A model of a given configuration with the weights {@code sd} provides (e.g. {@link StateDict#random}). */
    public static ClipModel create(ClipConfig cfg, StateDict sd, String source) throws CheckpointException {
        Engine.init();
        cfg.checkHeads(source);
        return loaded(sd, cfg);
    }

    /**
     * A model to train, of configuration {@code cfg}, starting from {@code initial}'s values (taken as strictly as a
     * file is: every key used, every shape checked; e.g. {@link StateDict#generated} for a fresh initialisation, or
     * {@link StateDict#ofTensors}). Its {@link #parameters()} are float32 copies that require gradients, and its
     * forward pass is the one a loaded model runs, with a weight transform: the parameters that OpenAI's files store
     * as float16 ({@link #fp16RoundTripKeys()}: convert_weights' tensors and the token embedding) are read through a
     * straight-through fp16 round trip (the value of round16(p), the gradient of p).
     *
     * <p>So the model computes what its weights compute once saved that way (those keys as float16, the rest as
     * float32) and loaded by {@link #load}: the image features bit for bit, the text features bit for bit with
     * {@link TextPositions#ALL} and up to float summation order with {@link TextPositions#THROUGH_LAST_END_TOKEN}.
     */
    public static ClipModel trainable(ClipConfig cfg, StateDict initial, TextPositions textPositions)
            throws CheckpointException {
        Engine.init();
        cfg.checkHeads(initial.source());
        return new ClipModel(initial, cfg, owner -> new TrainableWeights(initial, owner), textPositions);
    }

    public ClipConfig config() {
        return config;
    }

    /** Which text positions {@link #encodeText} computes ({@link TextPositions#ALL} for a loaded model). */
    public TextPositions textPositions() {
        return textPositions;
    }

    /**
     * The tensors the modules read their parameters from, by key, in state_dict order: a loaded model's weights
     * (after the fp16 round trip), or a trainable model's float32 masters (leaves requiring gradients, which an
     * optimizer updates in place).
     */
    public Map<String, Tensor> parameters() {
        return parameters;
    }

    /**
     * Keys whose values the forward pass reads rounded to float16: what convert_weights converts (rounded once at
     * load), and for a {@link #trainable} model also the token embedding (OpenAI's files store it as float16). A file
     * storing exactly these keys as float16 loses nothing the forward pass uses.
     */
    public Set<String> fp16RoundTripKeys() {
        return fp16Keys;
    }

    /** exp(logit_scale), the temperature of the logits (100 for OpenAI's models). */
    public double logitScaleExp() {
        return logitScale.value().exp().item_double();
    }

    /** {@code encode_image}: float32 images [N, 3, R, R], already preprocessed -> features [N, embed_dim]. */
    public Tensor encodeImage(Tensor image) {
        return visual.forward(image);
    }

    /**
     * The image tower's token features after blocks {@code blocks} (1-based counts, ascending), computed as
     * {@link #encodeImage} computes them: float32 images [N, 3, R, R], already preprocessed -> one
     * [N, grid*grid + 1, vision_width] tensor per block.
     */
    public List<Tensor> imageBlockOutputs(Tensor image, int... blocks) {
        return visual.blockOutputs(image, blocks);
    }

    /** The number of residual blocks of the image tower. */
    public int visionLayers() {
        return visual.layers();
    }

    /** {@code encode_text} of token ids as {@code clip.tokenize} returns them: [N][context_length]. */
    public Tensor encodeText(int[][] tokens) {
        return encodeText(tokenTensor(tokens));
    }

    /**
     * {@code encode_text}: token ids [N, context_length] (int32 or int64) -> features [N, embed_dim]. The
     * features are taken at the first position holding the largest id ({@code text.argmax(-1)}), which is the
     * end-of-text token; positions after it cannot influence it because of the causal mask.
     */
    public Tensor encodeText(Tensor tokens) {
        Tensor ids = checkTokens(tokens);
        long n = ids.size(0);
        int width = config.transformerWidth();
        Tensor pool = poolPositions(ids); // [N]
        long len = positionsComputed(pool);
        Tensor x = tokenEmbedding.rows(ids.narrow(1, 0, len))
                .add(positionalEmbedding.value().narrow(0, 0, len)); // [N, len, width]
        x = transformer.forward(x, attentionMask.narrow(0, 0, len).narrow(1, 0, len));
        x = ClipOps.layerNorm(x, lnFinalWeight.value(), lnFinalBias.value());
        Tensor at = pool.view(n, 1, 1).expand(n, 1, width); // [N, 1, width]
        return x.gather(1, at, false).squeeze(1).matmul(textProjection.value()); // [N, embed_dim]
    }

    /** How many leading positions encode_text computes for end-token positions {@code pool} [N]. */
    private long positionsComputed(Tensor pool) {
        return switch (textPositions) {
            case ALL -> config.contextLength();
            case THROUGH_LAST_END_TOKEN -> pool.numel() == 0 ? 1 : pool.max().item_long() + 1;
        };
    }

    /** {@code CLIP.forward}: both features L2-normalised, scaled cosine similarities (no clamp at inference). */
    public Logits forward(Tensor image, Tensor tokens) {
        Tensor perImage = logits(ClipOps.l2Normalize(encodeImage(image)), ClipOps.l2Normalize(encodeText(tokens)));
        return new Logits(perImage, perImage.t());
    }

    /**
     * exp(logit_scale) * cos: the logits per image of L2-normalised features, {@code imageFeatures} [N_image,
     * embed_dim] and {@code textFeatures} [N_text, embed_dim] -> [N_image, N_text].
     */
    public Tensor logits(Tensor imageFeatures, Tensor textFeatures) {
        return imageFeatures.mul(logitScale.value().exp()).matmul(textFeatures.t()); // [N_image, N_text]
    }

    public Logits forward(Tensor image, int[][] tokens) {
        return forward(image, tokenTensor(tokens));
    }

    /** {@code text.argmax(dim=-1)}: per row, the FIRST index of the largest id. [N, L] -> [N] int64. */
    static Tensor poolPositions(Tensor ids) {
        return torch.argmax(ids, new org.bytedeco.pytorch.LongOptional(-1), false);
    }

    private Tensor checkTokens(Tensor tokens) {
        Tensors.checkShape("token ids", tokens, -1, config.contextLength());
        ScalarType type = tokens.scalar_type().intern();
        if (type != ScalarType.Long && type != ScalarType.Int) {
            throw new IllegalArgumentException("token ids must be int32 or int64, got " + type);
        }
        Tensor ids = tokens.to(ScalarType.Long);
        if (ids.numel() > 0) {
            long min = ids.min().item_long(), max = ids.max().item_long();
            if (min < 0 || max >= config.vocabSize()) {
                throw new IllegalArgumentException("token ids must lie in [0, " + config.vocabSize() + "), got ["
                        + min + ", " + max + "]");
            }
        }
        return ids;
    }

    private Tensor tokenTensor(int[][] tokens) {
        int ctx = config.contextLength();
        long[] flat = new long[tokens.length * ctx];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].length != ctx) {
                throw new IllegalArgumentException("token row " + i + " has " + tokens[i].length + " ids, expected "
                        + ctx + " (clip.tokenize pads every row to the context length)");
            }
            for (int j = 0; j < ctx; j++) flat[i * ctx + j] = tokens[i][j];
        }
        try (LongPointer p = new LongPointer(Math.max(1, flat.length))) {
            p.put(flat);
            return torch.from_blob(p, new long[] {tokens.length, ctx}, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    @Override
    public void close() {
        weights.deallocate();
    }
}
