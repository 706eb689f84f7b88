import dev.styleclip.EditResult;
import dev.styleclip.InversionResult;
import dev.styleclip.Latent;
import dev.styleclip.StyleClip;
import dev.styleclip.edit.global.GlobalDirections;
import dev.styleclip.image.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The README's picture of editing a picture of one's own: {@code examples/portrait.png} (a 256-px render of the
 * procedural world, seed 30005, which no model of the bundled set saw) inverted with the bundled defaults
 * (encoder+optimize), then edited by each method. Columns: the picture as the generator sees it (64 px), its
 * reconstruction as the edits start from it, latent optimization, latent mapper, global direction; one row per
 * prompt; enlarged 2x.
 *
 * <pre>
 * java -cp "styleclip-cli/target/styleclip-cli.jar:styleclip-cli/target/lib/*" examples/OwnPicture.java \
 *     examples/portrait.png docs/images/own-picture.png
 * </pre>
 */
public final class OwnPicture {
    private static final int SCALE = 2;

    public static void main(String[] args) throws Exception {
        Path picture = Path.of(args.length > 0 ? args[0] : "examples/portrait.png");
        Path out = Path.of(args.length > 1 ? args[1] : "own-picture.png");
        List<String> prompts = List.of("purple hair", "smiling", "sunglasses");
        List<BufferedImage> cells = new ArrayList<>();
        try (StyleClip sc = StyleClip.bundled()) {
            InversionResult inversion = sc.invert(picture);
            Latent start = inversion.latent();
            for (String prompt : prompts) {
                EditResult optimized = sc.optimize(start, prompt).ofPicture(inversion);
                EditResult mapped = sc.mapper(start, prompt);
                EditResult global = sc.global(start, new GlobalDirections.Settings(StyleClip.DEFAULT_NEUTRAL, prompt,
                        GlobalDirections.DEFAULT_ALPHA, GlobalDirections.DEFAULT_BETA), null);
                for (BufferedImage img : List.of(optimized.input(), optimized.before(), optimized.after(), mapped.after(), global.after())) {
                    cells.add(Images.enlarge(img, SCALE));
                }
            }
            System.out.printf("inverted %s: PSNR %.2f dB, SSIM %.4f%n", picture, inversion.metrics().psnr(), inversion.metrics().ssim());
        }
        Images.write(out, Images.grid(cells, 5), Map.of("styleclip", "examples/OwnPicture.java: " + picture + ", rows " + prompts
                + "; columns: picture, reconstruction, optimize, mapper, global"));
        System.out.println("wrote " + out);
    }
}
