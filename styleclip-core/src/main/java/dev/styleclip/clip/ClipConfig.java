package dev.styleclip.clip;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.tensor.StateDict;
import java.util.TreeSet;

/**
 * The hyper-parameters of a ViT CLIP, named as the arguments of {@code CLIP.__init__} in openai/CLIP
 * {@code clip/model.py} and read from the weights exactly as {@code build_model(state_dict)} reads them, so
 * they cannot disagree with the checkpoint.
 *
 * @param embedDim          joint embedding size: {@code text_projection.shape[1]} (512 for ViT-B/32)
 * @param imageResolution   input side in pixels: patch * round(sqrt(visual.positional_embedding rows - 1))
 * @param visionLayers      residual blocks of the image transformer (count of visual.transformer.resblocks.i)
 * @param visionWidth       image transformer width: conv1 output channels (768 for ViT-B/32)
 * @param visionPatchSize   conv1 kernel = stride (32 for ViT-B/32, 16 for ViT-B/16)
 * @param contextLength     text positions: positional_embedding rows (77)
 * @param vocabSize         token_embedding rows (49408)
 * @param transformerWidth  text transformer width: ln_final.weight size (512 for ViT-B/32)
 * @param transformerHeads  text attention heads: width // 64, as build_model derives it
 * @param transformerLayers residual blocks of the text transformer (count of transformer.resblocks.i)
 */
public record ClipConfig(int embedDim, int imageResolution, int visionLayers, int visionWidth, int visionPatchSize,
                         int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
                         int transformerLayers) {

    /** Head width that build_model and CLIP.__init__ assume when they derive head counts (width // 64). */
    public static final int HEAD_WIDTH = 64;

    /** OpenAI's ViT-B/32, the model StyleCLIP's CLIPLoss loads ({@code clip.load("ViT-B/32")}). */
    public static ClipConfig vitB32() {
        return new ClipConfig(512, 224, 12, 768, 32, 77, 49408, 512, 8, 12);
    }

    /** Image attention heads: {@code vision_width // 64} in CLIP.__init__ (12 for ViT-B/32). */
    public int visionHeads() {
        return visionWidth / HEAD_WIDTH;
    }

    /** Patches per image side (7 for ViT-B/32 at 224). */
    public int grid() {
        return imageResolution / visionPatchSize;
    }

    /**
     * Reads the configuration from the keys and shapes of a CLIP state dict, as {@code build_model} does.
     * Only the ViT image encoder is supported; a ResNet one (RN50, RN101, RN50x4, ...) is rejected by name.
     */
    public static ClipConfig infer(StateDict sd, String source) throws CheckpointException {
        if (!sd.contains("visual.proj")) {
            if (sd.contains("visual.layer1.0.conv1.weight") || hasPrefix(sd, "visual.layer1.")) {
                throw new CheckpointException(source + ": CLIP with a ResNet image encoder (RN50 family: visual.layer1..."
                        + " visual.attnpool) is not supported yet; use a ViT CLIP such as ViT-B/32 or ViT-B/16");
            }
            throw new CheckpointException(source + ": not a CLIP checkpoint (no visual.proj key)");
        }
        for (String key : new String[] {"visual.conv1.weight", "visual.positional_embedding", "text_projection",
                "positional_embedding", "token_embedding.weight", "ln_final.weight"}) {
            if (!sd.contains(key)) throw new CheckpointException(source + ": not a CLIP checkpoint (no " + key + " key)");
        }
        long[] conv1 = sd.shape("visual.conv1.weight"); // [width, 3, patch, patch]
        int patch = (int) conv1[conv1.length - 1];
        int grid = (int) Math.round(Math.sqrt(sd.shape("visual.positional_embedding")[0] - 1));
        int width = (int) sd.shape("ln_final.weight")[0];
        ClipConfig cfg = new ClipConfig(
                (int) sd.shape("text_projection")[1],
                patch * grid,
                countBlocks(sd, "visual.transformer.resblocks."),
                (int) conv1[0],
                patch,
                (int) sd.shape("positional_embedding")[0],
                (int) sd.shape("token_embedding.weight")[0],
                width,
                width / HEAD_WIDTH,
                countBlocks(sd, "transformer.resblocks."));
        cfg.checkHeads(source);
        return cfg;
    }

    /** MultiheadAttention needs at least one head and a width that the heads divide. */
    void checkHeads(String source) throws CheckpointException {
        check(source, "text", transformerWidth, transformerHeads);
        check(source, "image", visionWidth, visionHeads());
    }

    private static void check(String source, String tower, int width, int heads) throws CheckpointException {
        if (heads < 1 || width % heads != 0) {
            throw new CheckpointException(source + ": " + tower + " transformer width " + width + " gives " + heads
                    + " attention heads (width // 64, as build_model derives them); CLIP cannot be built from it");
        }
    }

    /** Distinct block indices i of keys {@code <prefix><i>.*}, as build_model counts them. */
    private static int countBlocks(StateDict sd, String prefix) {
        TreeSet<String> ids = new TreeSet<>();
        for (String k : sd.keys()) {
            if (k.startsWith(prefix)) ids.add(k.substring(prefix.length()).split("\\.", 2)[0]);
        }
        return ids.size();
    }

    private static boolean hasPrefix(StateDict sd, String prefix) {
        for (String k : sd.keys()) if (k.startsWith(prefix)) return true;
        return false;
    }

    @Override
    public String toString() {
        return "embed_dim=" + embedDim + " image_resolution=" + imageResolution + " vision_layers=" + visionLayers
                + " vision_width=" + visionWidth + " vision_heads=" + visionHeads() + " vision_patch_size="
                + visionPatchSize + " context_length=" + contextLength + " vocab_size=" + vocabSize
                + " transformer_width=" + transformerWidth + " transformer_heads=" + transformerHeads
                + " transformer_layers=" + transformerLayers;
    }
}
