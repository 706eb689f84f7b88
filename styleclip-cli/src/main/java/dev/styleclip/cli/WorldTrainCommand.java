package dev.styleclip.cli;

import dev.styleclip.train.WorldTraining;
import dev.styleclip.train.classifier.ClassifierTrainer;
import dev.styleclip.train.clip.ClipTrainOptions;
import dev.styleclip.train.clip.ClipTrainer;
import dev.styleclip.world.AttributeCategory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code styleclip world train}: options into the trainers' options and {@link WorldTraining.Data}; progress on stderr. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one model of the bundled set on the world, reproducibly from --seed.",
                "classifier: the attribute classifier that judges edits, written to DIR/classifier.pt.",
                "clip: the small CLIP, contrastive on portraits and their captions, written to DIR/clip.pt; resumable: "
                        + "rerun the same command to continue from DIR/clip_train_state.pt.",
                "The generator is trained with 'styleclip world train-generator' (render distillation, the bundled one) or 'styleclip world train-gan'."})
public final class WorldTrainCommand implements Callable<Integer> {
    enum Model { classifier, clip }

    @Option(names = "--model", required = true, paramLabel = "M", description = "What to train: ${COMPLETION-CANDIDATES}.")
    Model model;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Training steps.")
    long steps;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "Portraits per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default: 1e-3 classifier, 5e-4 clip).")
    Double lr;

    @Option(names = "--warmup", paramLabel = "N", description = "clip: warm-up steps (default: 5%% of --steps; a resumed run must give its original value).")
    Long warmup;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "Image size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--blur", defaultValue = "0", paramLabel = "F",
            description = "Fraction of portraits softened by a Gaussian blur (sigma 1.5 px, random strength), so that the model "
                    + "also knows the attributes on soft images such as generator samples (default: ${DEFAULT-VALUE}).")
    double blur;

    @Option(names = "--pairs", defaultValue = "0", paramLabel = "F",
            description = "clip: fraction of each batch made of twin portraits that differ in one attribute (expression, facial "
                    + "hair, makeup, eyewear or hair), captioned to name it: hard negatives for what captions rarely say "
                    + "(default: ${DEFAULT-VALUE}).")
    double pairs;

    @Option(names = "--labels", defaultValue = "0", paramLabel = "W",
            description = "clip: weight of an auxiliary label loss: linear heads on the image features predict the renderer's "
                    + "labels (every attribute, or those of --label-categories), beside the contrastive loss. A departure from CLIP's recipe, for what captions "
                    + "alone leave the small image tower blind to (the mouth); the heads are not written to clip.pt "
                    + "(default: ${DEFAULT-VALUE}: purely contrastive).")
    double labels;

    @Option(names = "--label-categories", split = ",", paramLabel = "NAME",
            description = "clip: the categories the label loss reads (default: all of them), e.g. expression,makeup,facial_hair.")
    List<String> labelCategories;

    @Option(names = "--init", paramLabel = "CLIP",
            description = "clip: start a new run from the weights of this CLIP file (as this command writes them): a fine-tune,"
                    + " with a fresh optimiser and its own schedule. When OUT already holds a training state, the run continues from that instead.")
    Path init;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Initialisation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--every", defaultValue = "50", paramLabel = "K", description = "Print progress every K steps (default: ${DEFAULT-VALUE}).")
    long every;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw usage("--steps must be at least 1");
        if (batch < 2) throw usage("--batch must be at least 2");
        if (lr != null && lr <= 0) throw usage("--lr must be positive");
        if (init != null && model != Model.clip) throw usage("--init applies to clip only");
        if (!(labels >= 0) || Double.isInfinite(labels)) throw usage("--labels must be a finite weight >= 0");
        if (labels > 0 && model != Model.clip) throw usage("--labels applies to clip only");
        if (labelCategories != null && labels == 0) throw usage("--label-categories needs --labels W > 0");
        if (labelCategories != null) {
            for (String n : labelCategories) {
                if (AttributeCategory.ALL.stream().noneMatch(c -> c.name().equals(n))) {
                    throw usage("--label-categories: no category '" + n + "'; the categories are "
                            + String.join(", ", AttributeCategory.ALL.stream().map(AttributeCategory::name).toList()));
                }
            }
        }
        if (init != null && !Files.isRegularFile(init)) throw usage("--init: no such file: " + init);
        WorldTraining.Data data = new WorldTraining.Data(size, blur, pairs);
        var o = spec.commandLine().getOut();
        StepPrinter printer = new StepPrinter(spec.commandLine().getErr(), model.name(), every);
        switch (model) {
            case classifier -> {
                var opts = new ClassifierTrainer.Options(seed, steps, batch, lr != null ? lr : 1e-3);
                Path file = WorldTraining.trainClassifier(opts, data, out,
                        (step, total, loss) -> printer.step(step, total, String.format("loss %.4f", loss)));
                o.println("wrote " + file);
            }
            case clip -> {
                ClipTrainOptions opts = ClipTrainOptions.defaults(steps).withSeed(seed).withBatchSize(batch).withSaveEvery(WorldTraining.CLIP_SAVE_EVERY)
                        .withLabelWeight(labels).withLabelCategories(labelCategories == null ? "" : String.join(",", labelCategories));
                if (lr != null || warmup != null) {
                    opts = opts.withLr(lr != null ? lr : opts.lr(), warmup != null ? warmup : opts.warmupSteps());
                }
                ClipTrainer.Outcome outcome = WorldTraining.trainClip(opts, init, data, out, (r, total) -> printer.step(r.step(), total,
                        String.format("loss %.4f lr %.2e scale %.1f", r.loss(), r.lr(), Math.exp(r.logitScale()))
                                + (Double.isNaN(r.labelLoss()) ? "" : String.format(" labels %.4f", r.labelLoss()))));
                o.println(outcome + ": wrote " + out.resolve(ClipTrainer.MODEL_FILE));
            }
        }
        return 0;
    }

    private CommandLine.ParameterException usage(String msg) {
        return new CommandLine.ParameterException(spec.commandLine(), msg);
    }
}
