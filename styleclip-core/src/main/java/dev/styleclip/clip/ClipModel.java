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
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Weights are native tensors owned by this object; {@link #close()} frees them. They never require
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

    private final ClipConfig config;
    private final VisionTransformer visual;
    private final Tensor tokenEmbedding;      // [vocab, width]
    private final Tensor positionalEmbedding; // [context, width]
    private final Transformer transformer;
    private final Tensor lnFinalWeight;
    private final Tensor lnFinalBias;
    private final Tensor textProjection;      // [width, embed_dim]
    private final Tensor logitScale;          // [] (log of the scale)
    private final Tensor attentionMask;       // [context, context], -inf above the diagonal
    private final Set<String> fp16Keys;
    private final PointerScope weights;

    private ClipModel(StateDict sd, ClipConfig cfg) throws CheckpointException {
        this.weights = new PointerScope();
        try {
            this.config = cfg;
            ConvertWeights w = new ConvertWeights(sd, weights);
            int width = cfg.transformerWidth();
            positionalEmbedding = w.fp32("positional_embedding", cfg.contextLength(), width);
            textProjection = w.fp16RoundTrip("text_projection", width, cfg.embedDim());
            logitScale = w.fp32("logit_scale");
            visual = new VisionTransformer(w, "visual.", cfg);
            transformer = new Transformer(w, "transformer.", width, cfg.transformerLayers(), cfg.transformerHeads());
            tokenEmbedding = w.fp32("token_embedding.weight", cfg.vocabSize(), width);
            lnFinalWeight = w.fp32("ln_final.weight", width);
            lnFinalBias = w.fp32("ln_final.bias", width);
            JIT_ARCHIVE_BUFFERS.forEach(sd::ignore);
            sd.finish("ViT CLIP (" + cfg + ")");
            attentionMask = ClipOps.causalMask(cfg.contextLength());
            fp16Keys = Set.copyOf(w.roundedKeys());
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
        weights.extend(); // keep the scope open: it owns the weights until close()
        weights.close();
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
        return new ClipModel(sd, ClipConfig.infer(sd, source));
    }

    /** A model of a given configuration with the weights {@code sd} provides (e.g. {@link StateDict#random}). */
    public static ClipModel create(ClipConfig cfg, StateDict sd, String source) throws CheckpointException {
        Engine.init();
        cfg.checkHeads(source);
        return new ClipModel(sd, cfg);
    }

    public ClipConfig config() {
        return config;
    }

    /** exp(logit_scale), the temperature of the logits (100 for OpenAI's models). */
    public double logitScaleExp() {
        return logitScale.exp().item_double();
    }

    /** {@code encode_image}: float32 images [N, 3, R, R], already preprocessed -> features [N, embed_dim]. */
    public Tensor encodeImage(Tensor image) {
        return visual.forward(image);
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
        Tensor x = torch.embedding(tokenEmbedding, ids).add(positionalEmbedding); // [N, context, width]
        x = transformer.forward(x, attentionMask);
        x = ClipOps.layerNorm(x, lnFinalWeight, lnFinalBias);
        Tensor at = poolPositions(ids).view(n, 1, 1).expand(n, 1, width); // [N, 1, width]
        return x.gather(1, at, false).squeeze(1).matmul(textProjection); // [N, embed_dim]
    }

    /** {@code CLIP.forward}: both features L2-normalised, scaled cosine similarities (no clamp at inference). */
    public Logits forward(Tensor image, Tensor tokens) {
        Tensor img = ClipOps.l2Normalize(encodeImage(image));
        Tensor txt = ClipOps.l2Normalize(encodeText(tokens));
        Tensor perImage = img.mul(logitScale.exp()).matmul(txt.t()); // [N_image, N_text]
        return new Logits(perImage, perImage.t());
    }

    public Logits forward(Tensor image, int[][] tokens) {
        return forward(image, tokenTensor(tokens));
    }

    /** {@code text.argmax(dim=-1)}: per row, the FIRST index of the largest id. [N, L] -> [N] int64. */
    static Tensor poolPositions(Tensor ids) {
        return torch.argmax(ids, new org.bytedeco.pytorch.LongOptional(-1), false);
    }

    /** Keys that went through the fp16 round trip of convert_weights. */
    Set<String> fp16RoundTripKeys() {
        return fp16Keys;
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
