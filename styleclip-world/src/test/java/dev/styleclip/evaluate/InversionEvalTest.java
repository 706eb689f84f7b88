package dev.styleclip.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.bundled.BundledModels;
import dev.styleclip.train.classifier.AttributeClassifier;
import dev.styleclip.world.AttributeCategory;
import dev.styleclip.world.WorldSample;
import java.awt.image.BufferedImage;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The held-out pictures, their variants, their true attributes, and the judge's agreement with them. */
class InversionEvalTest {
    @Test
    void variantsChangeThePictureAndTheJudgeReadsTheRendersThemselves() throws Exception {
        List<WorldSample> samples = InversionEval.heldOut(40);
        assertEquals(InversionEval.FIRST_SEED, samples.get(0).seed());
        BufferedImage render = InversionEval.picture(samples.get(0), 64, InversionEval.Variant.RENDER);
        for (InversionEval.Variant v : List.of(InversionEval.Variant.SHIFTED, InversionEval.Variant.ROTATED, InversionEval.Variant.JPEG)) {
            BufferedImage changed = InversionEval.picture(samples.get(0), 64, v);
            assertEquals(64, changed.getWidth());
            int differ = 0;
            for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) if (changed.getRGB(x, y) != render.getRGB(x, y)) differ++;
            assertTrue(differ > 64, v + " changed only " + differ + " pixels");
        }
        assertEquals(render.getRGB(0, 0), InversionEval.picture(samples.get(0), 64, InversionEval.Variant.SHIFTED).getRGB(1, 1),
                "the shifted border takes the background's colour");

        try (AttributeClassifier judge = AttributeClassifier.load(BundledModels.path(BundledModels.CLASSIFIER));
             PointerScope scope = new PointerScope()) {
            InversionEval eval = new InversionEval(judge, java.util.Set.of(AttributeCategory.SPECIES, AttributeCategory.HAIR_STYLE,
                    AttributeCategory.EYEWEAR));
            Tensor renders = InversionEval.pictures(samples, 64, InversionEval.Variant.RENDER);
            InversionEval.Agreement a = eval.agreement(samples, renders);
            assertEquals(40, a.images());
            assertTrue(a.agreement() > 0.9, "the judge reads the renders it learned from: " + a);
            assertTrue(a.byCategory().get("species") > 0.95, a.toString());
        }

        WorldEval.Target beard = WorldEval.TARGETS.stream().filter(t -> t.prompt().equals("beard")).findFirst().orElseThrow();
        List<Integer> men = InversionEval.eligible(beard, samples, 5);
        int presentation = AttributeCategory.ALL.indexOf(AttributeCategory.PRESENTATION);
        for (int i : men) {
            int[] c = InversionEval.trueClasses(samples.get(i));
            assertEquals("man", AttributeCategory.PRESENTATION.classNames().get(c[presentation]));
            assertNotEquals(beard.classIndex(), c[AttributeCategory.ALL.indexOf(AttributeCategory.FACIAL_HAIR)]);
        }
    }
}
