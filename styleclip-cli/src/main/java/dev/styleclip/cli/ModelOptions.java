package dev.styleclip.cli;

import dev.styleclip.StyleClip;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model files of commands that default to the bundled set: a file not given is the bundled one. */
final class ModelOptions {
    @Option(names = "--generator", paramLabel = "G", description = "StyleGAN2 checkpoint (default: the bundled 64-px world generator; "
            + "a file with the bundled generator's SHA-256 gets the bundled defaults).")
    Path generator;

    @Option(names = "--clip", paramLabel = "C", description = "CLIP checkpoint (default: the bundled small CLIP).")
    Path clip;

    @Option(names = "--arcface", paramLabel = "A", description = "IR-SE50 weights (model_ir_se50.pth) for the identity loss (--id-lambda).")
    Path arcface;

    StyleClip.Models models() {
        return StyleClip.Models.orBundled(generator, clip, arcface);
    }
}
