package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.styleclip.check.SettingException;
import dev.styleclip.optim.OptimizerName;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link MapperOptions.Builder}: the opts dict of a new run, and the setting named when a value is refused. */
class MapperOptionsTest {
    static final Path CLIP = Path.of("models/clip.pt");
    static final Path GENERATOR = Path.of("models/g.pt");

    static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** A complete, valid new run: what every refusal below changes one thing of. */
    static MapperOptions.Builder valid() {
        return MapperOptions.builder().description("a person with purple hair").clip(CLIP).generator(GENERATOR).expDir(Path.of("exp"));
    }

    @Test
    void everySettingLandsInItsOptsKey() {
        MapperOptions built = valid().checkpoint(Path.of("m.pt")).latentsTrain(Path.of("train.pt")).latentsTest(Path.of("test.pt"))
                .trainDatasetSize(7).testDatasetSize(0).truncation(0.5).levels(EnumSet.of(MapperLevel.COARSE, MapperLevel.FINE))
                .optimizer("adam").lr(1.5).batchSize(3).testBatchSize(4).clipLambda(2).latentL2Lambda(0).idLambda(0.2)
                .irSe50(Path.of("ir.pth")).maxSteps(9).imageInterval(2).boardInterval(3).valInterval(4).saveInterval(5).seed(-3)
                .build();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("exp_dir", abs(Path.of("exp")));
        o.put("no_medium_mapper", true);
        o.put("latents_train_path", abs(Path.of("train.pt")));
        o.put("latents_test_path", abs(Path.of("test.pt")));
        o.put("train_dataset_size", 7);
        o.put("test_dataset_size", 0);
        o.put("batch_size", 3);
        o.put("test_batch_size", 4);
        o.put("learning_rate", 1.5);
        o.put("optim_name", "adam");
        o.put("id_lambda", 0.2);
        o.put("clip_lambda", 2.0);
        o.put("latent_l2_lambda", 0.0);
        o.put("stylegan_weights", abs(GENERATOR));
        o.put("ir_se50_weights", abs(Path.of("ir.pth")));
        o.put("checkpoint_path", abs(Path.of("m.pt")));
        o.put("max_steps", 9);
        o.put("image_interval", 2);
        o.put("board_interval", 3);
        o.put("val_interval", 4);
        o.put("save_interval", 5);
        o.put("clip_weights", abs(CLIP));
        o.put("seed", -3L);
        o.put("latents_truncation", 0.5);
        assertEquals(MapperOptions.defaults("a person with purple hair").with(o), built);
    }

    @Test
    void unsetValuesSampleTheLatentsAndKeepTheReferenceDefaults() {
        MapperOptions o = valid().idLambda(0).build();
        MapperOptions d = MapperOptions.defaults("");
        assertEquals(d.idLambda(), valid().irSe50(Path.of("ir.pth")).build().idLambda());
        assertNull(o.latentsTrainPath());
        assertNull(o.latentsTestPath());
        assertNull(o.checkpointPath());
        assertEquals(d.irSe50Weights(), o.irSe50Weights(), "the reference's default path when no identity weights are given");
        assertEquals(d.styleganSize(), o.styleganSize());
        assertEquals(OptimizerName.RANGER, o.optimizer());
        assertEquals(MapperLevel.all(), o.levels());
        assertEquals(List.of(d.learningRate(), d.clipLambda(), d.latentL2Lambda(), d.latentsTruncation()),
                List.of(o.learningRate(), o.clipLambda(), o.latentL2Lambda(), o.latentsTruncation()));
        assertEquals(List.of(d.trainDatasetSize(), d.testDatasetSize(), d.batchSize(), d.testBatchSize(), d.maxSteps(), d.saveInterval()),
                List.of(o.trainDatasetSize(), o.testDatasetSize(), o.batchSize(), o.testBatchSize(), o.maxSteps(), o.saveInterval()));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refused("description", b -> b.description(null)),
                refused("clip", b -> b.clip(null)),
                refused("exp-dir", b -> b.expDir(null)),
                refused("generator", b -> b.generator(null)),
                refused("train-dataset-size", b -> b.trainDatasetSize(0)),
                refused("test-dataset-size", b -> b.testDatasetSize(-1)),
                refused("truncation", b -> b.truncation(0)),
                refused("truncation", b -> b.truncation(1.5)),
                refused("truncation", b -> b.truncation(Double.NaN)),
                refused("levels", b -> b.levels(EnumSet.noneOf(MapperLevel.class))),
                refused("optimizer", b -> b.optimizer("sgd")),
                refused("lr", b -> b.lr(0)),
                refused("lr", b -> b.lr(Double.NaN)),
                refused("lr", b -> b.lr(Double.POSITIVE_INFINITY)),
                refused("batch-size", b -> b.batchSize(0)),
                refused("test-batch-size", b -> b.testBatchSize(0)),
                refused("clip-lambda", b -> b.clipLambda(-1)),
                refused("latent-l2-lambda", b -> b.latentL2Lambda(Double.NaN)),
                refused("id-lambda", b -> b.idLambda(Double.POSITIVE_INFINITY)),
                refused("clip-lambda", b -> b.clipLambda(0).latentL2Lambda(0).idLambda(0)),
                refused("ir-se50", b -> b.idLambda(0.1)),
                refused("max-steps", b -> b.maxSteps(0)),
                refused("image-interval", b -> b.imageInterval(0)),
                refused("board-interval", b -> b.boardInterval(0)),
                refused("val-interval", b -> b.valInterval(0)),
                refused("save-interval", b -> b.saveInterval(0)));
    }

    static Arguments refused(String setting, UnaryOperator<MapperOptions.Builder> change) {
        return Arguments.of(setting, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aBadValueNamesItsSetting(String setting, UnaryOperator<MapperOptions.Builder> change) {
        MapperOptions.Builder b = valid().idLambda(0);
        SettingException e = assertThrows(SettingException.class, () -> change.apply(b).build());
        assertEquals(setting, e.setting(), e.getMessage());
    }

    @Test
    void aContinuedRunMayChangeOnlyItsLengthAndFolder() {
        MapperOptions o = valid().idLambda(0).build();
        MapperOptions longer = o.withMaxSteps(50).withExpDir(Path.of("elsewhere"));
        assertEquals(50, longer.maxSteps());
        assertEquals(abs(Path.of("elsewhere")), longer.expDir());
        assertEquals(o, longer.with(Map.of("max_steps", o.maxSteps(), "exp_dir", o.expDir())));
        assertEquals("max-steps", assertThrows(SettingException.class, () -> o.withMaxSteps(0)).setting());
        assertEquals("exp-dir", assertThrows(SettingException.class, () -> o.withExpDir(null)).setting());
    }

    @Test
    void levelsAreParsedAsTheLevelsSetting() {
        assertEquals(EnumSet.of(MapperLevel.COARSE, MapperLevel.FINE), MapperLevel.parseLevels(List.of("fine", " Coarse")));
        assertEquals("levels", assertThrows(SettingException.class, () -> MapperLevel.parseLevels(List.of("coarse", "middle"))).setting());
        assertEquals("levels", assertThrows(SettingException.class, () -> MapperLevel.parseLevels(List.of())).setting());
    }
}
