package dev.styleclip.clip;

import static dev.styleclip.clip.ClipGolden.check;
import static dev.styleclip.clip.ClipGolden.tokens;
import static dev.styleclip.testing.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.tensor.Tensors;
import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The clip_loss_* cases: StyleCLIP's CLIPLoss (criteria/clip_loss.py) on the tiny CLIP, loss and image gradient. */
class ClipLossTest {
    static ClipModel model;

    @BeforeAll
    static void load() throws IOException {
        model = ClipModel.load(Fixtures.path("clip/tiny_clip_jit.pt"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void stylegan32SumBackward() {
        ClipLoss loss = new ClipLoss(model, 32, ImageNormalization.NONE);
        Tensor image = tensor("clip/clip_loss_s32.image.npy");
        image.set_requires_grad(true);
        Tensor l = loss.forward(image, tokens("clip_loss_s32.tokens.npy")); // [1, 1]
        l.sum().backward();
        check("clip_loss_s32", "similarity_loss", l);
        check("clip_loss_s32", "grad_image", image.grad());
    }

    @Test
    void stylegan64BatchOfTwoMeanBackward() {
        ClipLoss loss = new ClipLoss(model, 64, ImageNormalization.NONE);
        Tensor image = tensor("clip/clip_loss_s64_b2_mean.image.npy");
        image.set_requires_grad(true);
        Tensor l = loss.forward(image, tokens("clip_loss_s64_b2_mean.tokens.npy")); // [2, 1]
        Tensor mean = l.mean();
        mean.backward();
        check("clip_loss_s64_b2_mean", "similarity_loss", l);
        check("clip_loss_s64_b2_mean", "mean_loss", mean.view(1));
        check("clip_loss_s64_b2_mean", "grad_image", image.grad());
    }

    @Test
    void recipeGives224AndEachPixelIsTheMeanOfItsBlock() {
        Tensor image = torch.randn(1, 3, 64, 64);
        Tensor x = GeneratorImageRecipe.apply(image, 64, ImageNormalization.NONE);
        assertArrayEquals(new long[] {1, 3, 224, 224}, x.shape());
        // 64 -> 448 (each pixel 7 x 7) -> pool 2: output (i, j) averages source pixels floor(2i/7) .. floor((2i+1)/7).
        float[] src = Tensors.toFloatArray(image), out = Tensors.toFloatArray(x);
        for (int c = 0; c < 3; c++) for (int i = 0; i < 224; i += 37) for (int j = 0; j < 224; j += 13) {
            double sum = 0;
            for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++) sum += src[c * 4096 + ((2 * i + a) / 7) * 64 + (2 * j + b) / 7];
            assertTrue(Math.abs(sum / 4 - out[c * 224 * 224 + i * 224 + j]) < 1e-6);
        }
    }

    @Test
    void recipeForASmallClipPassesA64PixelImageThroughUnchangedAndRejectsMisfits() {
        Tensor image = torch.randn(2, 3, 64, 64);
        Tensor x = GeneratorImageRecipe.apply(image, 64, ImageNormalization.NONE, 64);
        assertArrayEquals(new long[] {2, 3, 64, 64}, x.shape());
        assertTrue(Tensors.maxAbsDiff(image, x) < 1e-5, "mean of 49 equal floats");
        assertArrayEquals(new long[] {2, 3, 32, 32}, GeneratorImageRecipe.apply(image, 64, ImageNormalization.NONE, 32).shape());
        assertThrows(IllegalArgumentException.class, () -> GeneratorImageRecipe.apply(image, 64, ImageNormalization.NONE, 60));
    }

    @Test
    void clipMeanStdOptionMapsMinusOneToOneOntoClipsRange() {
        Tensor image = torch.ones(1, 3, 32, 32).neg(); // black in [-1, 1]
        Tensor x = GeneratorImageRecipe.apply(image, 32, ImageNormalization.CLIP_MEAN_STD);
        float[] v = Tensors.toFloatArray(x);
        assertTrue(Math.abs(v[0] - (0 - 0.48145466) / 0.26862954) < 1e-5);
        assertTrue(Math.abs(v[2 * 224 * 224] - (0 - 0.40821073) / 0.27577711) < 1e-5);
    }

    @Test
    void sizesThatAreNotMultiplesOf32OrDoNotMatchTheImageAreRejected() {
        Tensor image = torch.zeros(1, 3, 48, 48);
        assertThrows(IllegalArgumentException.class, () -> GeneratorImageRecipe.apply(image, 48, ImageNormalization.NONE));
        assertThrows(IllegalArgumentException.class, () -> GeneratorImageRecipe.apply(image, 64, ImageNormalization.NONE));
    }
}
