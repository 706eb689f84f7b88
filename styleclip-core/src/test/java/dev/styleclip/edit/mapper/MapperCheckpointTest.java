package dev.styleclip.edit.mapper;

import dev.styleclip.optim.OptimizerName;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.CheckpointReader;
import dev.styleclip.io.RawTensor;
import dev.styleclip.io.TensorRef;
import dev.styleclip.io.TorchWriter;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.StateDict;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint layout of StyleCLIPMapper: key order, _metadata, opts, round trips, strict loading. */
class MapperCheckpointTest {
    static final Path FIXTURE = Fixtures.path("mapper/levels_mapper_seed2.pt");

    @TempDir
    Path dir;

    static Map<?, ?> stateDict(Path file) throws IOException {
        return (Map<?, ?>) CheckpointReader.read(file).rootMap().get("state_dict");
    }

    static Map<String, long[]> prefixed(String prefix, Map<String, long[]> keys) {
        Map<String, long[]> out = new LinkedHashMap<>();
        keys.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    static void assertSameLayout(Map<String, long[]> expected, Map<String, long[]> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "keys in order");
        expected.forEach((k, s) -> assertArrayEquals(s, actual.get(k), k));
    }

    static Map<String, long[]> shapes(Map<String, TensorRef> tensors) {
        Map<String, long[]> out = new LinkedHashMap<>();
        tensors.forEach((k, t) -> out.put(k, t.shape()));
        return out;
    }

    static Map<String, long[]> layout(GeneratorConfig cfg) {
        Map<String, long[]> expected = prefixed("mapper.", MapperLayout.mapperKeys(MapperLevel.all()));
        expected.putAll(prefixed("decoder.", MapperLayout.decoderKeys(cfg)));
        return expected;
    }

    @Test
    void fixtureHasTheLayoutKeyOrderAndMetadata() throws IOException {
        Map<?, ?> sd = stateDict(FIXTURE);
        GeneratorConfig cfg = MapperCheckpoint.read(FIXTURE).decoder().config();
        assertEquals(64, cfg.size());
        assertEquals(123, sd.size());
        assertSameLayout(layout(cfg), shapes(Checkpoint.tensors(sd)));
        assertEquals(MapperLayout.metadata(MapperLevel.all(), cfg), Checkpoint.stateDictMetadata(sd));
    }

    @Test
    void realStyleClipMapperListingMapsWithNothingMissingOrUnexpected() throws CheckpointException {
        JsonObject listing = Fixtures.json("mapper/styleclip_mapper_1024_state_dict_keys.json");
        Map<String, long[]> all = new LinkedHashMap<>();
        for (JsonElement e : listing.getAsJsonArray("state_dict")) {
            JsonArray row = e.getAsJsonArray();
            JsonArray dims = row.get(1).getAsJsonArray();
            long[] s = new long[dims.size()];
            for (int i = 0; i < s.length; i++) s[i] = dims.get(i).getAsLong();
            all.put(row.get(0).getAsString(), s);
        }
        assertEquals(listing.get("num_tensors").getAsInt(), all.size());
        assertSameLayout(layout(GeneratorConfig.standard(1024, 512, 8, 2)), all);

        Map<String, long[]> mapperPart = new LinkedHashMap<>();
        Map<String, long[]> decoderPart = new LinkedHashMap<>();
        all.forEach((k, s) -> (k.startsWith("mapper.") ? mapperPart : decoderPart).put(k.substring(k.indexOf('.') + 1), s));
        // strict: LevelsMapper and Generator each use every key of their part, and find every key they need
        try (LevelsMapper m = new LevelsMapper(StateDict.ofShapes("listing", mapperPart), MapperLevel.all());
             Generator g = Generator.fromStateDict(StateDict.ofShapes("listing", decoderPart), torch.zeros(512), "listing")) {
            assertEquals(24, m.parameters().size());
            assertEquals(18, g.config().nLatent());
        }
    }

    @Test
    void writtenCheckpointReadsBackToIdenticalTensorsInTheReferenceLayout() throws IOException {
        MapperCheckpoint ckpt = MapperCheckpoint.read(FIXTURE);
        Path out = dir.resolve("written.pt");
        try (LevelsMapper m = ckpt.mapper()) {
            MapperCheckpoint.write(out, m, ckpt.decoder(), ckpt.opts());
        }
        Map<?, ?> original = stateDict(FIXTURE);
        Map<?, ?> written = stateDict(out);
        Map<String, TensorRef> a = Checkpoint.tensors(original);
        Map<String, TensorRef> b = Checkpoint.tensors(written);
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
        for (String k : a.keySet()) {
            RawTensor x = a.get(k).read();
            RawTensor y = b.get(k).read();
            assertEquals(x.dtype(), y.dtype(), k);
            assertArrayEquals(x.shape(), y.shape(), k);
            assertEquals(x.data(), y.data(), k + ": bytes differ");
        }
        assertTrue(Checkpoint.isOrderedDict(written), "state_dict is an OrderedDict");
        assertEquals(Checkpoint.stateDictMetadata(original), Checkpoint.stateDictMetadata(written));
        Object opts = CheckpointReader.read(out).rootMap().get("opts");
        assertTrue(opts instanceof Map<?, ?> && !Checkpoint.isOrderedDict(opts), "opts is a plain dict");
        assertEquals(CheckpointReader.read(FIXTURE).rootMap().get("opts"), opts);
        assertEquals(ckpt.levels(), MapperCheckpoint.read(out).levels());
    }

    @Test
    void optionsRoundTripThroughTheOptsDict() {
        MapperOptions o = MapperOptions.defaults("a person with purple hair")
                .withLevels(EnumSet.of(MapperLevel.MEDIUM)).with("learning_rate", 500.0).with("optim_name", "adam");
        assertEquals(o, MapperOptions.fromOpts(o.toOpts()));
        assertEquals(EnumSet.of(MapperLevel.MEDIUM), o.levels());
        assertEquals(OptimizerName.ADAM, o.optimizer());
        // the fixture's saved opts (the reference's TrainOptions dict) are read as they are
        MapperOptions fromFixture = MapperOptions.fromOpts(
                Fixtures.json("mapper/manifest.json").getAsJsonObject("checkpoint").getAsJsonObject("opts").asMap().entrySet()
                        .stream().collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), jsonValue(e.getValue())), Map::putAll));
        assertEquals(64, fromFixture.styleganSize());
        assertEquals(0.8, fromFixture.latentL2Lambda());
        assertEquals(OptimizerName.RANGER, fromFixture.optimizer());
        // every TrainOptions key of the reference's saved opts is written, in the same order
        List<String> reference = new ArrayList<>(Fixtures.json("mapper/manifest.json").getAsJsonObject("checkpoint")
                .getAsJsonObject("opts").keySet());
        assertEquals(reference, new ArrayList<>(o.toOpts().keySet()).subList(0, reference.size()));
    }

    private static Object jsonValue(JsonElement e) {
        if (e.isJsonNull()) return null;
        var p = e.getAsJsonPrimitive();
        if (p.isBoolean()) return p.getAsBoolean();
        if (p.isString()) return p.getAsString();
        return p.getAsString().contains(".") ? (Object) p.getAsDouble() : (Object) p.getAsLong();
    }

    @Test
    void referenceInitialisationUnderTheSameSeed() throws IOException {
        // the fixture's mapper was built after torch.manual_seed(2); its weights (not its biases) are the init
        MapperCheckpoint ckpt = MapperCheckpoint.read(FIXTURE);
        try (LevelsMapper init = LevelsMapper.initialize(MapperLevel.all(), 2)) {
            Map<String, RawTensor> ours = init.stateDict();
            for (Map.Entry<String, TensorRef> e : ckpt.mapperTensors().entrySet()) {
                if (e.getKey().endsWith(".weight")) assertEquals(e.getValue().read().data(), ours.get(e.getKey()).data(), e.getKey());
                else assertEquals(0.0f, max(ours.get(e.getKey())), e.getKey());
            }
        }
    }

    private static float max(RawTensor t) {
        float m = 0;
        for (float v : t.toFloatArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void aLevelTheFileLacksIsAnErrorListingItsKeys() throws IOException {
        Map<String, TensorRef> tensors = new LinkedHashMap<>(MapperCheckpoint.read(FIXTURE).mapperTensors());
        tensors.keySet().removeIf(k -> k.startsWith("fine_mapping."));
        tensors.put("extra.weight", tensors.get("course_mapping.mapping.1.bias"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> new LevelsMapper(StateDict.of("m.pt", tensors), MapperLevel.all()).close());
        assertTrue(e.getMessage().contains("missing keys (8)") && e.getMessage().contains("fine_mapping.mapping.1.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected keys (1) extra.weight"), e.getMessage());
    }

    @Test
    void decoderIsOptionalWhenTheGeneratorIsGivenSeparately() throws IOException {
        MapperCheckpoint full = MapperCheckpoint.read(FIXTURE);
        Map<String, Object> sd = new LinkedHashMap<>();
        full.mapperTensors().forEach((k, t) -> { if (!k.startsWith("fine_mapping.")) sd.put("mapper." + k, t); });
        Path out = dir.resolve("mapper_only.pt");
        TorchWriter.writeZip(out, Map.of("state_dict", new TorchWriter.OrderedDict(sd), "opts", Map.of("description", "x")));
        MapperCheckpoint ckpt = MapperCheckpoint.read(out);
        assertFalse(ckpt.hasDecoder());
        assertEquals(EnumSet.of(MapperLevel.COARSE, MapperLevel.MEDIUM), ckpt.levels());
        CheckpointException e = assertThrows(CheckpointException.class, ckpt::decoder);
        assertTrue(e.getMessage().contains("no decoder"), e.getMessage());
        try (LevelsMapper m = ckpt.mapper()) {
            assertEquals(16, m.parameters().size());
        }
    }
}
