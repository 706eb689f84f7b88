package dev.styleclip.bench;

import dev.styleclip.clip.ClipModel;
import dev.styleclip.io.CheckpointException;
import java.io.PrintWriter;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Image-encoding timing of a ViT-B/32-sized CLIP (the model StyleCLIP's CLIP loss uses) with random weights made
 * in memory (no file needed): one 224 x 224 image, forward alone and forward + backward to the image, which is
 * what every step of latent optimisation or mapper training pays.
 */
public final class ClipBench {
    private ClipBench() {
    }

    public static void run(int warmup, int repeats, PrintWriter out) throws CheckpointException {
        try (ClipModel clip = RandomModels.clipVitB32(0)) {
            Tensor image = torch.randn(1, 3, 224, 224);
            Timer.Stats fwd = Timer.measure(warmup, repeats, () -> {
                try (NoGradGuard ng = new NoGradGuard()) {
                    clip.encodeImage(image);
                }
            });
            out.println("clip pass=forward " + fwd.format());
            out.flush();
            Timer.Stats fb = Timer.measure(warmup, repeats, () -> {
                Tensor x = image.detach().clone();
                x.set_requires_grad(true);
                clip.encodeImage(x).square().mean().backward();
            });
            out.println("clip pass=forward+backward " + fb.format());
            out.flush();
        }
    }
}
