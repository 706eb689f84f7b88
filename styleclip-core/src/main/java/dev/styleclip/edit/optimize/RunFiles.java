package dev.styleclip.edit.optimize;

import dev.styleclip.image.Images;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npy;
import dev.styleclip.io.OutputFiles;
import dev.styleclip.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * An optimization's record in a folder, written as it runs: {@code losses.csv} after every step (the losses each step
 * starts from: {@code step,lr,clip,l2,l1,id,total}), {@code step_NNNN.png} and {@code latent.npy} every {@code saveEvery}
 * steps; a {@link LooseRetry} pass goes to {@code losses_retry.csv} and {@code retry_step_NNNN.png}. Every file is
 * claimed in {@code files}, so a run that fails leaves none of them. Passes each step on to {@code next} (progress).
 */
public final class RunFiles implements LatentOptimization.Observer {
    private static final String HEADER = "step,lr,clip,l2,l1,id,total\n";
    private final OutputFiles files;
    private final Path dir;
    private final int saveEvery;
    private final Map<String, String> text;
    private final LatentOptimization.Observer next;
    private StringBuilder csv = new StringBuilder(HEADER);
    private String csvName = "losses.csv";
    private String stepName = "step_%04d.png";

    /**
     * @param saveEvery an image every this many steps; 0: none
     * @param text      the PNG text chunks of the step images (provenance)
     * @param next      sees every step after it is recorded (may be null)
     */
    public RunFiles(OutputFiles files, Path dir, int saveEvery, Map<String, String> text, LatentOptimization.Observer next) {
        this.files = files;
        this.dir = dir;
        this.saveEvery = saveEvery;
        this.text = text;
        this.next = next;
    }

    @Override
    public void onStep(LatentOptimization.StepLosses l, Tensor image, Tensor latent, Tensor grad) {
        csv.append(String.format("%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g%n", l.step(), l.lr(), l.clip(), l.l2(), l.l1(), l.id(), l.total()));
        try {
            AtomicFiles.write(files.claim(dir.resolve(csvName)), csv.toString().getBytes(StandardCharsets.UTF_8));
            if (saveEvery > 0 && l.step() % saveEvery == 0) {
                Images.write(files.claim(dir.resolve(String.format(stepName, l.step()))), Images.toImage(image, 0), text);
                Npy.write(files.claim(dir.resolve("latent.npy")), Tensors.toRaw(latent));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (next != null) next.onStep(l, image, latent, grad);
    }

    @Override
    public void onRetry(long[] rows, double l1Lambda) {
        csv = new StringBuilder(HEADER);
        csvName = "losses_retry.csv";
        stepName = "retry_step_%04d.png";
        if (next != null) next.onRetry(rows, l1Lambda);
    }
}
