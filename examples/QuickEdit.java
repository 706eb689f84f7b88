import dev.styleclip.EditResult;
import dev.styleclip.Latent;
import dev.styleclip.StyleClip;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.edit.optimize.LatentOptimization;
import dev.styleclip.edit.optimize.OptimizationPreset;
import java.nio.file.Path;

/**
 * Edits the bundled portrait of seed 8 towards "purple hair" by each of StyleCLIP's three methods, saves each result
 * (before_after.png, final.png, latent.npy, provenance.json) and prints how CLIP's similarity to the prompt moved.
 *
 * <pre>
 * java -cp "styleclip-cli/target/styleclip-cli.jar:styleclip-cli/target/lib/*" examples/QuickEdit.java out/java-example
 * </pre>
 */
public final class QuickEdit {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "out/java-example");
        String prompt = "purple hair";
        try (StyleClip sc = StyleClip.bundled()) {
            Latent start = sc.seed(8);

            // 1. latent optimization with the bundled set's defaults (25 steps in W; the settings can be changed)
            LatentOptimization.Settings settings = OptimizationPreset.BUNDLED.settings(prompt, 8);
            EditResult optimized = sc.optimize(start, settings, null);
            optimized.save(out.resolve("optimize"));

            // 2. the latent mapper trained for the prompt (the bundled set has ten)
            EditResult mapped = sc.mapper(start, prompt);
            mapped.save(out.resolve("mapper"));

            // 3. a global direction from "a portrait" to the prompt, a little stronger than the default
            EditResult global = sc.global(start, new GlobalDirections.Settings("a portrait", prompt, 5.0, 0.15), null);
            global.save(out.resolve("global"));

            double before = sc.similarity(start, prompt)[0];
            for (EditResult r : new EditResult[] {optimized, mapped, global}) {
                System.out.printf("%s: CLIP similarity to \"%s\" %.3f -> %.3f%n", r.method(), prompt, before,
                        sc.similarity(r.latent(), prompt)[0]);
            }
        }
    }
}
