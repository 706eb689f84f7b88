package dev.styleclip.invert.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.check.SettingException;
import dev.styleclip.io.CheckpointException;
import dev.styleclip.io.RawTensor;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.GeneratorConfig;
import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoder training on the tiny fixture generator (32 px): it lowers both losses, a stopped run resumed from its state
 * file continues bit for bit, the written encoder encodes what the trainer's network does, and bad settings and foreign
 * files are refused by name.
 */
class EncoderTrainingTest {
    static Generator g;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        g = Generator.load(Fixtures.path("stylegan2/tiny_g32.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
    }

    static EncoderTrainer.Options options(int steps) {
        return new EncoderTrainer.Options(steps, 4, 1e-3, 0, 1, 1, 1, 0, 0.5, 0.05, 1, 0);
    }

    /** Real images for the tiny generator: a fixed pattern per step (a function of the step alone). */
    static final RealImages PATTERN = (step, n) -> {
        torch.manual_seed(1000 + step);
        return torch.rand(n, 3, 32, 32).mul(new org.bytedeco.pytorch.Scalar(2)).sub(new org.bytedeco.pytorch.Scalar(1));
    };

    @Test
    void trainingLowersTheLatentAndImageLosses() throws IOException {
        EncoderTrainer.Options o = options(40).withLr(3e-3);
        List<EncoderTrainer.StepLosses> losses = new ArrayList<>();
        try (EncoderTrainer t = EncoderTrainer.create(g, null, o, null, null)) {
            while (t.nextStep() < o.steps()) losses.add(t.step());
        }
        double latentFirst = mean(losses.subList(0, 5), true), latentLast = mean(losses.subList(35, 40), true);
        double imageFirst = mean(losses.subList(0, 5), false), imageLast = mean(losses.subList(35, 40), false);
        assertTrue(latentLast < 0.8 * latentFirst, "latent loss " + latentFirst + " -> " + latentLast);
        assertTrue(imageLast < 0.8 * imageFirst, "image loss " + imageFirst + " -> " + imageLast);
    }

    @Test
    void aStoppedRunResumesExactly() throws IOException {
        EncoderTrainer.Options o = options(6).withRealBatch(2);
        Path whole = dir.resolve("whole.pt"), parted = dir.resolve("parted.pt");
        List<EncoderTrainer.StepLosses> straight = new ArrayList<>(), resumed = new ArrayList<>();
        try (EncoderTrainer t = EncoderTrainer.create(g, "abc", o, PATTERN, null)) {
            assertEquals(EncoderTrainer.Outcome.FINISHED, t.run(whole, 100, recorder(straight, -1)));
        }
        try (EncoderTrainer t = EncoderTrainer.create(g, "abc", o, PATTERN, null)) {
            assertEquals(EncoderTrainer.Outcome.STOPPED, t.run(parted, 100, recorder(resumed, 2)));
        }
        assertEquals(3, resumed.size());
        assertTrue(Files.isRegularFile(EncoderTrainer.stateFile(parted)));
        try (EncoderTrainer t = EncoderTrainer.resume(EncoderTrainer.stateFile(parted), g, "abc", PATTERN, null, 0)) {
            assertEquals(3, t.nextStep());
            assertEquals(EncoderTrainer.Outcome.FINISHED, t.run(parted, 100, recorder(resumed, -1)));
        }
        assertEquals(straight, resumed); // every loss of every step, bit for bit
        try (Encoder a = Encoder.load(whole); Encoder b = Encoder.load(parted); PointerScope s = new PointerScope()) {
            Map<String, RawTensor> wa = a.network().stateDict(), wb = b.network().stateDict();
            assertEquals(wa.keySet(), wb.keySet());
            for (String k : wa.keySet()) assertArrayEquals(wa.get(k).toFloatArray(), wb.get(k).toFloatArray(), 0f, k);
        }
        // a run continues only on the generator it began on
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> EncoderTrainer.resume(EncoderTrainer.stateFile(parted), g, "other", PATTERN, null, 10));
        assertTrue(e.getMessage().contains("only on the generator it started on"), e.getMessage());
    }

    @Test
    void theEncoderFileEncodesAsTheTrainedNetworkDoes() throws IOException {
        Path file = dir.resolve("e.pt");
        try (EncoderTrainer t = EncoderTrainer.create(g, null, options(3), null, null); PointerScope s = new PointerScope()) {
            t.run(file, 100, new EncoderTrainer.Listener() {
                @Override
                public boolean stopRequested() {
                    return false;
                }
            });
            try (Encoder e = Encoder.load(file, g.config(), "tiny_g32.pt")) {
                torch.manual_seed(3);
                Tensor x = torch.rand(2, 3, 32, 32);
                Tensor codes = e.encode(x);
                assertArrayEquals(new long[] {2, g.config().nLatent(), g.config().styleDim()}, codes.shape());
                Tensor expected;
                try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
                    expected = t.network().forward(EncoderOps.toInput(x, e.config().inputSize()), NormStatistics.RUNNING).add(e.latentAvg());
                }
                assertArrayEquals(Tensors.toFloatArray(expected), Tensors.toFloatArray(codes), 1e-6f);
            }
        }
        // an encoder for another generator's shape is refused, naming the generator
        GeneratorConfig other = GeneratorConfig.standard(64, g.config().styleDim(), 2, 2);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Encoder.load(file, other, "big.pt"));
        assertTrue(e.getMessage().contains("big.pt"), e.getMessage());
        // a file that is not an encoder is refused by name
        Path generatorFile = Fixtures.path("stylegan2/tiny_g32.pt");
        CheckpointException notEncoder = assertThrows(CheckpointException.class, () -> Encoder.load(generatorFile));
        assertTrue(notEncoder.getMessage().contains("tiny_g32.pt"), notEncoder.getMessage());
    }

    @Test
    void badOptionsAreRefusedByTheirOptionsNames() {
        EncoderTrainer.Options o = options(5);
        assertEquals("steps", assertThrows(SettingException.class, () -> o.withSteps(0)).setting());
        assertEquals("lr", assertThrows(SettingException.class, () -> o.withLr(Double.NaN)).setting());
        assertEquals("real-batch", assertThrows(SettingException.class, () -> o.withRealBatch(-1)).setting());
        assertEquals("clip-feature-weight", assertThrows(SettingException.class,
                () -> EncoderTrainer.imageLoss(new EncoderTrainer.Options(5, 2, 1e-3, 0, 1, 1, 1, 0.5, 0.5, 0.05, 1, 0), null)).setting());
    }

    private static EncoderTrainer.Listener recorder(List<EncoderTrainer.StepLosses> into, long stopAfter) {
        return new EncoderTrainer.Listener() {
            @Override
            public void onStep(long step, long steps, EncoderTrainer.StepLosses l) {
                into.add(l);
            }

            @Override
            public boolean stopRequested() {
                return into.get(into.size() - 1).step() == stopAfter;
            }
        };
    }

    private static double mean(List<EncoderTrainer.StepLosses> l, boolean latent) {
        return l.stream().mapToDouble(x -> latent ? x.latent() : x.image()).average().orElseThrow();
    }
}
