import dev.styleclip.EditResult;
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
 * The picture at the top of the README: for a few prompts and seeds, the bundled portrait and its edit by each of the
 * three methods (columns: before, latent optimization, latent mapper, global direction), enlarged 2x.
 *
 * <pre>
 * java -cp "styleclip-cli/target/styleclip-cli.jar:styleclip-cli/target/lib/*" examples/Gallery.java docs/images/gallery.png
 * </pre>
 */
public final class Gallery {
    private static final int SCALE = 2;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "gallery.png");
        Map<String, Long> rows = new java.util.LinkedHashMap<>();
        rows.put("purple hair", 8L);
        rows.put("mohawk hairstyle", 15L);
        rows.put("smiling", 12L);
        rows.put("sunglasses", 13L);
        List<BufferedImage> cells = new ArrayList<>();
        try (StyleClip sc = StyleClip.bundled()) {
            for (Map.Entry<String, Long> row : rows.entrySet()) {
                Latent start = sc.seed(row.getValue());
                EditResult optimized = sc.optimize(start, row.getKey());
                EditResult mapped = sc.mapper(start, row.getKey());
                EditResult global = sc.global(start, new GlobalDirections.Settings(StyleClip.DEFAULT_NEUTRAL, row.getKey(),
                        GlobalDirections.DEFAULT_ALPHA, GlobalDirections.DEFAULT_BETA), null);
                for (BufferedImage img : List.of(optimized.before(), optimized.after(), mapped.after(), global.after())) {
                    cells.add(Images.enlarge(img, SCALE));
                }
            }
        }
        Images.write(out, Images.grid(cells, 4), Map.of("styleclip", "examples/Gallery.java: rows " + rows
                + "; columns: before, optimize, mapper, global"));
        System.out.println("wrote " + out);
    }
}
