package dev.styleclip.bench;

import dev.styleclip.clip.ClipConfig;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import org.bytedeco.pytorch.global.torch;

/** The random-weight models the benchmarks time, at published shapes (no file needed). */
final class RandomModels {
    /** The style_dim of {@link #generator} (FFHQ's), hence the width of a mapper for it. */
    static final int STYLE_DIM = 512;

    private RandomModels() {
    }

    /** A config-f generator (style dim 512, 8 mapping layers, channel multiplier 2) at {@code size}. */
    static Generator generator(int size, long seed) throws CheckpointException {
        return generator(size, seed, Generator.Options.DEFAULT);
    }

    /** As {@link #generator(int, long)}, computing with {@code options}; the same seed gives the same weights. */
    static Generator generator(int size, long seed, Generator.Options options) throws CheckpointException {
        GeneratorConfig cfg = GeneratorConfig.standard(size, STYLE_DIM, 8, 2);
        return Generator.create(cfg, StateDict.random("random config-f " + size, seed), torch.zeros(STYLE_DIM), "random", options);
    }

    /** A ViT-B/32-sized CLIP. */
    static ClipModel clipVitB32(long seed) throws CheckpointException {
        return ClipModel.create(ClipConfig.vitB32(), StateDict.random("random ViT-B/32", seed), "random");
    }
}
