package dev.styleclip.invert.encoder;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.invert.ClipFeatureDistance;
import dev.styleclip.io.Hashes;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A whole encoder training run from files, what {@code styleclip encoder train} does: the generator is read (the
 * bundled one when none is given), the trainer made or resumed from the state file beside the encoder file, and run
 * until its steps are done or a stop is requested. The encoder file and the state are written every {@code every}
 * steps, at the end and on a stop; a run that fails before its first write leaves nothing behind.
 */
public final class EncoderTraining {
    /**
     * Where a run reads and writes.
     *
     * @param generator the generator checkpoint, or null for the bundled generator
     * @param clip      the CLIP checkpoint of the image loss's CLIP-feature distance (read only when its weight is above
     *                  0), or null for the bundled CLIP
     * @param real      images without a latent to train on as well (e.g. the world's renders), or null; needed when
     *                  the run's real_batch is above 0
     * @param out       the encoder file; the state goes beside it ({@link EncoderTrainer#stateFile})
     * @param every     write both files every this many steps (1 or more)
     */
    public record Settings(Path generator, Path clip, RealImages real, Path out, int every) {
        public Settings {
            Checks.given("out", out);
            Checks.atLeast("every", every, 1);
        }

        /** The state file beside {@link #out}. */
        public Path state() {
            return EncoderTrainer.stateFile(out);
        }
    }

    /** What a run reports; every method is optional. */
    public interface Listener extends EncoderTrainer.Listener {
        /** Before the first step: the generator (a path, or "bundled:generator.pt"), the encoder and the steps ahead. */
        default void onStart(String generator, EncoderTrainer trainer) {
        }
    }

    /** How a run ended, and how many steps are done. */
    public record Result(EncoderTrainer.Outcome outcome, long stepsDone) {
    }

    private EncoderTraining() {
    }

    /**
     * A new run. Refuses to start over an existing state file (it is the only way to continue that run).
     *
     * @throws SettingException for bad options (named as on the command line), before anything is read or written
     */
    public static Result start(Settings s, EncoderTrainer.Options opts, Listener listener) throws IOException {
        if (Files.exists(s.state())) {
            throw new IllegalStateException(s.state() + " exists: continue that run with --resume, or remove it to start a new one");
        }
        OutputFiles.checkFile(s.out());
        Path file = generatorPath(s);
        String sha = Hashes.sha256(file);
        if (opts.realBatch() > 0 && s.real() == null) throw new SettingException("real-batch", "above 0 needs images to train on");
        try (Generator g = generator(file, sha); ClipModel clip = clip(s, opts, g)) {
            try (EncoderTrainer t = EncoderTrainer.create(g, sha, opts, s.real(), features(clip, g))) {
                return run(s, t, listener);
            }
        }
    }

    /**
     * Continues the run whose state is beside {@code s.out()}, on the generator it started on.
     *
     * @param steps the new end of the run, above the steps it has done; 0 keeps the saved end
     */
    public static Result resume(Settings s, int steps, Listener listener) throws IOException {
        if (!Files.exists(s.state())) throw new IllegalStateException("no " + s.state() + " to continue a run from");
        EncoderTrainer.Options saved = EncoderTrainer.savedOptions(s.state());
        Path file = generatorPath(s);
        String sha = Hashes.sha256(file);
        try (Generator g = generator(file, sha); ClipModel clip = clip(s, saved, g)) {
            try (EncoderTrainer t = EncoderTrainer.resume(s.state(), g, sha, s.real(), features(clip, g), steps)) {
                if (t.nextStep() >= t.options().steps()) {
                    throw new SettingException("steps", "must be above the " + t.nextStep() + " steps the run has done, not "
                            + (steps > 0 ? steps : saved.steps()));
                }
                return run(s, t, listener);
            }
        }
    }

    /** The options of the run whose state is beside {@code s.out()}. */
    public static EncoderTrainer.Options savedOptions(Settings s) throws IOException {
        return EncoderTrainer.savedOptions(s.state());
    }

    private static Result run(Settings s, EncoderTrainer t, Listener listener) throws IOException {
        listener.onStart(generatorLabel(s), t);
        try (OutputFiles files = new OutputFiles()) {
            files.claim(s.out());
            files.claim(s.state());
            EncoderTrainer.Outcome o = t.run(s.out(), s.every(), new EncoderTrainer.Listener() {
                @Override
                public void onStep(long step, long steps, EncoderTrainer.StepLosses losses) {
                    listener.onStep(step, steps, losses);
                }

                @Override
                public void onFileWritten(long step, Path file) {
                    files.commit(); // from the first write on, the files stay: they are the run's to resume from
                    listener.onFileWritten(step, file);
                }

                @Override
                public boolean stopRequested() {
                    return listener.stopRequested();
                }
            });
            return new Result(o, t.nextStep());
        }
    }

    private static Generator generator(Path file, String sha) throws IOException {
        // the bundled generator and its encoder are small: OpenMP hand-offs cost more than their ops (measured here: a
        // training step at batch 8 took 1.2 s on one thread and from 1.3 to 6 s on two, on a busy 2-core machine)
        if (BundledModels.available() && sha.equals(BundledModels.generatorSha256())) Engine.preferThreads(1);
        return Generator.load(file);
    }

    /** The CLIP model of the image loss, or null when its CLIP-feature weight is 0. */
    private static ClipModel clip(Settings s, EncoderTrainer.Options opts, Generator g) throws IOException {
        if (opts.clipFeatureWeight() == 0) return null;
        return ClipModel.load(s.clip() != null ? s.clip() : BundledModels.path(BundledModels.CLIP));
    }

    private static ClipFeatureDistance features(ClipModel clip, Generator g) {
        return clip == null ? null : new ClipFeatureDistance(clip, g.config().size());
    }

    private static Path generatorPath(Settings s) {
        return s.generator() != null ? s.generator() : BundledModels.path(BundledModels.GENERATOR);
    }

    private static String generatorLabel(Settings s) {
        return s.generator() != null ? s.generator().toString() : "bundled:" + BundledModels.GENERATOR;
    }
}
