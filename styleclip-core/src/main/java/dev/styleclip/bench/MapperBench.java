package dev.styleclip.bench;

import dev.styleclip.arcface.Backbone;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.arcface.IrSeConfig;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.edit.mapper.BatchOrder;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperLevel;
import dev.styleclip.edit.mapper.MapperOptions;
import dev.styleclip.edit.mapper.MapperTrainer;
import dev.styleclip.edit.mapper.TrainingLatents;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.tensor.StateDict;
import java.io.PrintWriter;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Latent-mapper timing with random weights made in memory (no file needed): per image (batch 1), applying the mapper
 * ({@code w + 0.1 M(w)}), synthesising, and both; and one training step of the coach at batch size 2 (mapper forward,
 * two syntheses, CLIP loss with a ViT-B/32-sized CLIP, latent L2, ID loss with an IR-SE50-sized ArcFace, backward,
 * Ranger).
 */
public final class MapperBench {
    private MapperBench() {
    }

    public static void run(int[] sizes, int warmup, int repeats, PrintWriter out) throws CheckpointException {
        try (ClipModel clip = RandomModels.clipVitB32(0);
             IdLoss id = new IdLoss(Backbone.create(IrSeConfig.irSe50(),
                     StateDict.ofTensors("random IR-SE50", ArcFaceBench.randomWeights(IrSeConfig.irSe50(), 2))));
             LevelsMapper mapper = LevelsMapper.initialize(MapperLevel.all(), 0, RandomModels.STYLE_DIM)) {
            for (int size : sizes) runSize(size, mapper, clip, id, warmup, repeats, out);
        }
    }

    private static void runSize(int size, LevelsMapper mapper, ClipModel clip, IdLoss id, int warmup, int repeats, PrintWriter out)
            throws CheckpointException {
        try (Generator g = RandomModels.generator(size, 0);
             PointerScope scope = new PointerScope()) {
            Tensor w = g.toWPlus(g.truncate(g.mapping(torch.randn(1, g.config().styleDim())), 0.7));
            String tag = "mapper-apply size=" + size + " batch=1";
            Timer.Stats m = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    mapper.edit(w);
                }
            });
            out.println(tag + " pass=mapper " + m.format());
            out.flush();
            Timer.Stats s = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    g.synthesize(w, NoiseMode.CONST);
                }
            });
            out.println(tag + " pass=synthesis " + s.format());
            out.flush();
            Timer.Stats ms = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    g.synthesize(mapper.edit(w), NoiseMode.CONST);
                }
            });
            out.println(tag + " pass=mapper+synthesis " + ms.format());
            out.flush();
            trainStep(size, g, mapper, clip, id, warmup, repeats, out);
        }
    }

    private static void trainStep(int size, Generator g, LevelsMapper mapper, ClipModel clip, IdLoss id, int warmup,
                                  int repeats, PrintWriter out) {
        MapperOptions opts = MapperOptions.defaults("a person with purple hair").with("stylegan_size", size);
        try (TrainingLatents latents = TrainingLatents.sample(g, 8, 0.7, 0);
             MapperTrainer t = new MapperTrainer(opts, new MapperTrainer.Models(mapper, g, null,
                     new ClipLoss(clip, size, ImageNormalization.NONE), id::loss), latents, null, BatchOrder.shuffled(8, 2, 0))) {
            Tensor batch = latents.batch(new int[] {0, 1});
            Timer.Stats st = Timer.measure(warmup, repeats, () -> t.step(batch));
            out.println("mapper-train-step size=" + size + " batch=2 optimizer=ranger losses=clip+latent_l2+id " + st.format());
            out.flush();
        }
    }
}
