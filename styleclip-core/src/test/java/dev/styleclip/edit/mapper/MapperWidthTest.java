package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.clip.ImageNormalization;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapper's width is the generator's style_dim: a mapper for a small generator of style_dim 128 (10 W+ rows at
 * 64 px, the bundled generator's shape, random weights here) trains, is written with [128, 128] weights, reads back
 * and edits; a mapper and a generator of different widths, or levels of different widths, are refused with
 * messages naming both widths.
 */
class MapperWidthTest {
    static final int WIDTH = 128;
    static final GeneratorConfig CFG = new GeneratorConfig(64, WIDTH, 2, channels());

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static DecoderWeights decoderWeights;
    static Generator g;
    static ClipModel clip;
    static ClipLoss clipLoss;

    private static Map<Integer, Integer> channels() {
        Map<Integer, Integer> ch = new LinkedHashMap<>();
        ch.put(4, 32);
        ch.put(8, 32);
        ch.put(16, 16);
        ch.put(32, 16);
        ch.put(64, 8);
        return ch;
    }

    /** A generator checkpoint {'g_ema': state dict} of {@code cfg} with N(0, 1) weights and make_kernel([1,3,3,1]) * 4 blur kernels. */
    static Path writeGenerator(Path file, GeneratorConfig cfg, long seed) throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            float[] k = new float[16];
            float[] k1 = {1, 3, 3, 1};
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) k[i * 4 + j] = k1[i] * k1[j] / 64f * 4f;
            MapperLayout.decoderKeys(cfg).forEach((key, shape) ->
                    sd.put(key, Tensors.toRaw(key.endsWith("kernel") ? Tensors.floats(k, 4, 4) : torch.randn(shape))));
        }
        TorchWriter.writeZip(file, Map.of("g_ema", new TorchWriter.OrderedDict(sd)));
        return file;
    }

    @BeforeAll
    static void load() throws IOException {
        decoderWeights = DecoderWeights.fromGeneratorFile(writeGenerator(shared.resolve("g128.pt"), CFG, 5));
        g = decoderWeights.generator();
        clip = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
        clipLoss = new ClipLoss(clip, 64, ImageNormalization.NONE);
    }

    @AfterAll
    static void close() {
        clip.close();
        g.close();
    }

    static Map<String, long[]> prefixed(String prefix, Map<String, long[]> keys) {
        Map<String, long[]> out = new LinkedHashMap<>();
        keys.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    MapperOptions options(Path exp, int maxSteps) {
        return MapperOptions.defaults(TrainFixture.PROMPT).with(Map.of("stylegan_size", 64, "max_steps", maxSteps,
                "save_interval", 1, "image_interval", 1, "board_interval", 1, "val_interval", 1, "id_lambda", 0.0,
                "batch_size", 2, "test_batch_size", 2)).with("exp_dir", exp.toString());
    }

    @Test
    void aMapperOfStyleDim128TrainsWritesReadsBackAndEdits() throws IOException {
        assertEquals(WIDTH, decoderWeights.config().styleDim());
        assertEquals(10, g.config().nLatent());
        Path exp = dir.resolve("exp");
        MapperOptions opts = options(exp, 2);
        Map<String, RawTensor> trained;
        try (LevelsMapper mapper = LevelsMapper.initialize(MapperLevel.all(), 3, WIDTH);
             TrainingLatents train = TrainingLatents.sample(g, 4, 0.7, 0);
             TrainingLatents test = TrainingLatents.sample(g, 2, 0.7, 1)) {
            assertEquals(WIDTH, mapper.width());
            mapper.parameters().forEach((k, p) -> assertArrayEquals(
                    k.endsWith(".weight") ? new long[] {WIDTH, WIDTH} : new long[] {WIDTH}, p.shape(), k));
            assertArrayEquals(new long[] {2, 10, WIDTH}, train.range(0, 2).shape());
            Map<String, RawTensor> initial = mapper.stateDict();
            MapperTrainer.Models models = new MapperTrainer.Models(mapper, g, decoderWeights, clipLoss, null);
            try (MapperTrainer t = new MapperTrainer(opts, models, train, test, BatchOrder.shuffled(train.size(), 2, opts.seed()))) {
                Map<Long, LossDict> losses = new LinkedHashMap<>();
                assertEquals(MapperTrainer.Outcome.FINISHED, t.run(new TrainListener() {
                    @Override
                    public void onStep(long step, long maxSteps, LossDict l) {
                        losses.put(step, l);
                    }
                }));
                assertEquals(2, losses.size());
                losses.values().forEach(l -> assertTrue(Double.isFinite(l.loss()), l.toString()));
            }
            trained = mapper.stateDict();
            assertNotEquals(initial.get("course_mapping.mapping.1.weight").data(), trained.get("course_mapping.mapping.1.weight").data(),
                    "two updates change the weights");
        }

        // the checkpoint: [128, 128] mapper weights, then the decoder, in the reference's layout
        Path file = exp.resolve("checkpoints/iteration_1.pt");
        assertTrue(Files.isRegularFile(file));
        MapperCheckpoint ckpt = MapperCheckpoint.read(file);
        assertEquals(MapperLevel.all(), ckpt.levels());
        assertEquals(WIDTH, ckpt.width());
        Map<String, long[]> expected = prefixed("mapper.", MapperLayout.mapperKeys(MapperLevel.all(), WIDTH));
        expected.putAll(prefixed("decoder.", MapperLayout.decoderKeys(CFG)));
        Map<?, ?> sd = (Map<?, ?>) dev.styleclip.io.CheckpointReader.read(file).rootMap().get("state_dict");
        Map<String, TensorRef> tensors = Checkpoint.tensors(sd);
        assertEquals(new java.util.ArrayList<>(expected.keySet()), new java.util.ArrayList<>(tensors.keySet()));
        expected.forEach((k, s) -> assertArrayEquals(s, tensors.get(k).shape(), k));
        assertArrayEquals(new long[] {WIDTH, WIDTH}, tensors.get("mapper.fine_mapping.mapping.4.weight").shape());
        assertEquals(MapperLayout.metadata(MapperLevel.all(), CFG), Checkpoint.stateDictMetadata(sd));
        assertEquals(CFG.styleDim(), ckpt.decoder().config().styleDim());

        try (LevelsMapper back = ckpt.mapper(); PointerScope scope = new PointerScope();
             TrainingLatents latents = TrainingLatents.sample(g, 3, 0.7, 9)) {
            assertEquals(WIDTH, back.width());
            back.stateDict().forEach((k, t) -> assertEquals(trained.get(k).data(), t.data(), k + " reads back unchanged"));
            MapperEdit.Result r = MapperEdit.apply(back, g, latents.range(0, 3));
            assertArrayEquals(new long[] {3, 10, WIDTH}, r.wHat().shape());
            assertArrayEquals(new long[] {3, 3, 64, 64}, r.edited().shape());
            assertArrayEquals(new long[] {3, 3, 64, 64}, r.original().shape());
            assertTrue(Tensors.maxAbsDiff(r.wHat(), latents.range(0, 3)) > 0, "the edit moves the latents");
        }

        // resuming checks the saved mapper's width
        TrainState state = TrainState.read(exp.resolve("checkpoints").resolve(MapperTrainer.STATE_FILE));
        try (LevelsMapper mapper = LevelsMapper.initialize(MapperLevel.all(), 3, WIDTH);
             TrainingLatents train = TrainingLatents.sample(g, 4, 0.7, 0);
             MapperTrainer t = new MapperTrainer(options(exp, 3), new MapperTrainer.Models(mapper, g, decoderWeights, clipLoss, null), train, null, BatchOrder.shuffled(4, 2, 0))) {
            t.restore(state);
            assertEquals(2, t.nextStep());
            mapper.stateDict().forEach((k, v) -> assertEquals(trained.get(k).data(), v.data(), k));
            TrainState wide = new TrainState(state.options(), state.nextStep(), state.bestValLoss(), state.optimizer(),
                    state.optimizerState(), MapperCheckpoint.read(MapperCheckpointTest.FIXTURE).mapperTensors());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restore(wide));
            assertTrue(e.getMessage().contains("512 wide") && e.getMessage().contains("style_dim 128"), e.getMessage());
        }
    }

    @Test
    void aMapperAndAGeneratorOfDifferentWidthsAreRefusedNamingBoth() throws IOException {
        MapperCheckpoint ffhqSized = MapperCheckpoint.read(MapperCheckpointTest.FIXTURE); // 512 wide, tiny 512-d decoder
        DecoderWeights d512 = ffhqSized.decoder();
        assertEquals(512, ffhqSized.width());
        try (LevelsMapper m128 = LevelsMapper.initialize(MapperLevel.all(), 0, WIDTH);
             LevelsMapper m512 = ffhqSized.mapper();
             Generator g512 = d512.generator();
             PointerScope scope = new PointerScope()) {
            Tensor w512 = g512.toWPlus(g512.mapping(torch.randn(1, 512)));
            Tensor w128 = g.toWPlus(g.mapping(torch.randn(1, WIDTH)));

            // mapper 128, generator 512
            assertWidths(assertThrows(IllegalArgumentException.class, () -> MapperEdit.apply(m128, g512, w512)), 128, 512);
            assertWidths(assertThrows(IllegalArgumentException.class, () -> new MapperTrainer(options(dir, 1),
                    new MapperTrainer.Models(m128, g512, d512, clipLoss, null), null, null, null)), 128, 512);
            assertWidths(assertThrows(IllegalArgumentException.class,
                    () -> MapperCheckpoint.write(dir.resolve("bad.pt"), m128, d512, Map.of())), 128, 512);
            assertFalse(Files.exists(dir.resolve("bad.pt")));
            // mapper 512, generator 128
            assertWidths(assertThrows(IllegalArgumentException.class, () -> MapperEdit.apply(m512, g, w128)), 512, 128);
            // latents of the wrong width
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m128.forward(w512));
            assertTrue(e.getMessage().contains("width 512") && e.getMessage().contains("128 wide"), e.getMessage());

            // a checkpoint whose mapper (128) and embedded decoder (512) disagree
            Map<String, Object> sd = new LinkedHashMap<>();
            m128.stateDict().forEach((k, t) -> sd.put("mapper." + k, t));
            d512.tensors().forEach((k, t) -> sd.put("decoder." + k, t));
            Path mixed = dir.resolve("mixed.pt");
            TorchWriter.writeZip(mixed, Map.of("state_dict", new TorchWriter.OrderedDict(sd), "opts", Map.of()));
            MapperCheckpoint ckpt = MapperCheckpoint.read(mixed);
            assertEquals(WIDTH, ckpt.width());
            assertWidths(assertThrows(CheckpointException.class, ckpt::decoder), 128, 512);
        }
    }

    @Test
    void levelsOrLayersOfDifferentWidthsAreRefused() throws IOException {
        try (LevelsMapper coarse128 = LevelsMapper.initialize(EnumSet.of(MapperLevel.COARSE), 0, WIDTH);
             LevelsMapper medium512 = LevelsMapper.initialize(EnumSet.of(MapperLevel.MEDIUM), 0);
             PointerScope scope = new PointerScope()) {
            Map<String, Tensor> mixed = new LinkedHashMap<>(coarse128.parameters());
            mixed.putAll(medium512.parameters());
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> new LevelsMapper(StateDict.ofTensors("mixed.pt", mixed), EnumSet.of(MapperLevel.COARSE, MapperLevel.MEDIUM)).close());
            assertTrue(e.getMessage().contains("differ in width") && e.getMessage().contains("coarse 128")
                    && e.getMessage().contains("medium 512") && e.getMessage().contains("course_mapping.mapping.1.weight [128, 128]"), e.getMessage());
            // asking only for the 128-wide level is fine
            try (LevelsMapper only = new LevelsMapper(StateDict.ofTensors("mixed.pt", mixed), EnumSet.of(MapperLevel.COARSE))) {
                assertEquals(WIDTH, only.width());
            }

            // one layer of another width inside a level: the strict loader names the key and both shapes
            Map<String, Tensor> oneOff = new LinkedHashMap<>(coarse128.parameters());
            oneOff.put("course_mapping.mapping.3.weight", torch.zeros(WIDTH, 64));
            oneOff.put("course_mapping.mapping.4.bias", torch.zeros(64));
            CheckpointException e2 = assertThrows(CheckpointException.class,
                    () -> new LevelsMapper(StateDict.ofTensors("one_off.pt", oneOff), EnumSet.of(MapperLevel.COARSE)).close());
            assertTrue(e2.getMessage().contains("course_mapping.mapping.3.weight: file has [128, 64], model needs [128, 128]")
                    && e2.getMessage().contains("course_mapping.mapping.4.bias: file has [64], model needs [128]"), e2.getMessage());
        }
        assertEquals(MapperLayout.mapperKeys(MapperLevel.all()).keySet(), MapperLayout.mapperKeys(MapperLevel.all(), WIDTH).keySet());
        assertArrayEquals(new long[] {512, 512}, MapperLayout.mapperKeys(MapperLevel.all()).get("course_mapping.mapping.1.weight"));
    }

    private static void assertWidths(Exception e, int mapper, int generator) {
        assertTrue(e.getMessage().contains("mapper is " + mapper + " wide") && e.getMessage().contains("style_dim " + generator), e.getMessage());
    }
}
