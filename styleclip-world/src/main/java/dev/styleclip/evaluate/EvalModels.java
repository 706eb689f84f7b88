package dev.styleclip.evaluate;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.check.SettingException;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipModel;
import dev.styleclip.edit.global.Boundary;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperCheckpoint;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationPreset;
import dev.styleclip.io.Hashes;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.tensor.Engine;
import dev.styleclip.train.classifier.AttributeClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Tensor;

/**
 * The models of an evaluation on the world, opened together and closed together: the generator, CLIP, the judge
 * classifier and, when global directions edit, the directions (the bundled files where {@link WorldEvalRun.Models}
 * names none); {@link WorldEval} over them; and world eval's three editing methods ({@link #edit}), which {@code world
 * eval} runs on generator samples and {@code world invert-eval} also on inverted pictures.
 */
final class EvalModels implements AutoCloseable {
    final Generator g;
    final ClipModel clip;
    final AttributeClassifier classifier;
    final WorldEval eval;
    private final GlobalDirections directions; // null when no edit is by global directions
    private final WorldEvalRun.Models files;

    private EvalModels(WorldEvalRun.Models files, Generator g, ClipModel clip, AttributeClassifier classifier, GlobalDirections directions) {
        this.files = files;
        this.g = g;
        this.clip = clip;
        this.classifier = classifier;
        this.directions = directions;
        this.eval = new WorldEval(g, clip, ClipLoss.forModel(clip, g.config().size()), classifier, OptimizationPreset.BUNDLED.truncation());
    }

    /** Fails, naming {@code mappers}, when a mapper folder is given that is not a folder; loads nothing. */
    static void check(WorldEvalRun.Models files) {
        if (files.mappers() != null && !Files.isDirectory(files.mappers())) {
            throw new SettingException("mappers", files.mappers() + " is not a folder");
        }
    }

    /** Opens the models; the global directions only when {@code methods} holds {@link WorldEvalRun.Method#GLOBAL}. */
    static EvalModels open(WorldEvalRun.Models files, Collection<WorldEvalRun.Method> methods) throws IOException {
        check(files);
        if (files.generator() == null) Engine.preferThreads(1); // the bundled models are small
        Path clipFile = files.clipFile();
        Generator g = Generator.load(files.generatorFile());
        ClipModel clip = null;
        AttributeClassifier classifier = null;
        try {
            clip = ClipModel.load(clipFile);
            classifier = AttributeClassifier.load(files.classifierFile());
            GlobalDirections gd = methods.contains(WorldEvalRun.Method.GLOBAL) ? GlobalDirections.open(g, clip, Hashes.sha256(clipFile),
                    files.directions() != null ? files.directions() : BundledModels.directions()) : null;
            return new EvalModels(files, g, clip, classifier, gd);
        } catch (IOException | RuntimeException e) {
            if (classifier != null) classifier.close();
            if (clip != null) clip.close();
            g.close();
            throw e;
        }
    }

    /**
     * How recognisable the generator's first {@code samples} samples are; preservation (and {@link InversionEval}'s
     * agreement) then count the categories read with an agreement of at least {@code readable}.
     */
    WorldEval.Recognition recognize(int samples, double readable) {
        WorldEval.Recognition r = eval.recognition(samples);
        eval.judgeOnly(r.readable(readable));
        return r;
    }

    /** Whether {@code m} can edit towards {@code t}: a mapper needs one trained for the prompt. */
    boolean canEdit(WorldEvalRun.Method m, WorldEval.Target t) {
        return m != WorldEvalRun.Method.MAPPER || files.mapper(t.prompt()).isPresent();
    }

    /**
     * Edits W+ latents [N, L, D] towards {@code t} with {@code m}, all at once ({@link WorldEval#edit(WorldEval.Target,
     * WorldEval.Method, Tensor)}; the tensors in the caller's scope).
     *
     * @param optimization latent optimization's settings (the prompt is replaced by the target's)
     * @param global       global directions' neutral text, alpha and beta (the target text is the prompt)
     * @param retried      told how many latents latent optimization's retry optimized again
     * @throws IllegalStateException when {@code m} cannot edit towards {@code t} ({@link #canEdit})
     */
    WorldEval.Edited edit(WorldEvalRun.Method m, WorldEval.Target t, Tensor wplus, LatentOptimization.Settings optimization,
                          GlobalDirections.Settings global, IntConsumer retried) throws IOException {
        return switch (m) {
            case OPTIMIZE -> eval.edit(t, eval.optimize(optimization, retried), wplus);
            case GLOBAL -> {
                if (directions == null) throw new IllegalStateException("the global directions were not opened");
                Boundary b = directions.boundary(global.neutral(), t.prompt(), global.beta());
                yield eval.edit(t, (w, target) -> directions.image(directions.edit(w, b, global.alpha())), wplus);
            }
            case MAPPER -> {
                Optional<Path> file = files.mapper(t.prompt());
                if (file.isEmpty()) throw new IllegalStateException("no mapper for \"" + t.prompt() + "\"");
                try (LevelsMapper mapper = MapperCheckpoint.read(file.get()).mapper()) {
                    yield eval.edit(t, eval.latentMap(mapper::edit), wplus);
                }
            }
        };
    }

    @Override
    public void close() {
        if (directions != null) directions.close();
        classifier.close();
        clip.close();
        g.close();
    }
}
