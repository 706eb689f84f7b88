package dev.styleclip.cli;

import dev.styleclip.evaluate.WorldEvalRun;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model files of the world's evaluations ({@code world eval}, {@code world invert-eval}): a file not given is the bundled one. */
final class WorldModelOptions {
    @Option(names = "--generator", paramLabel = "G", description = "Generator (default: the bundled one).")
    Path generator;

    @Option(names = "--clip", paramLabel = "C", description = "CLIP (default: the bundled one).")
    Path clip;

    @Option(names = "--classifier", paramLabel = "F", description = "Attribute classifier (default: the bundled one).")
    Path classifier;

    @Option(names = "--directions", paramLabel = "DIR", description = "Global-direction folder (default: the bundled one).")
    Path directions;

    @Option(names = "--mappers", paramLabel = "DIR",
            description = "mapper: folder of mapper checkpoints named after their prompt (mohawk_hairstyle.pt; default: the bundled ones).")
    Path mappers;

    WorldEvalRun.Models models() {
        return new WorldEvalRun.Models(generator, clip, classifier, directions, mappers);
    }
}
