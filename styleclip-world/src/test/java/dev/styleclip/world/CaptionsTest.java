package dev.styleclip.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.styleclip.world.WorldAttributes.Background;
import dev.styleclip.world.WorldAttributes.CatCoat;
import dev.styleclip.world.WorldAttributes.EyeColor;
import dev.styleclip.world.WorldAttributes.Expression;
import dev.styleclip.world.WorldAttributes.Eyewear;
import dev.styleclip.world.WorldAttributes.FacialHair;
import dev.styleclip.world.WorldAttributes.HairColor;
import dev.styleclip.world.WorldAttributes.HairStyle;
import dev.styleclip.world.WorldAttributes.Makeup;
import dev.styleclip.world.WorldAttributes.Mane;
import dev.styleclip.world.WorldAttributes.Presentation;
import dev.styleclip.world.WorldAttributes.SkinTone;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CaptionsTest {
    static final WorldAttributes MOHAWK_MAN = WorldAttributes.human(Background.GREEN, HairStyle.MOHAWK, HairColor.PURPLE, SkinTone.LIGHT,
            EyeColor.BROWN, Expression.SMILING, Eyewear.SUNGLASSES, FacialHair.BEARD, Makeup.NONE, Presentation.MAN);
    static final WorldAttributes BOB_WOMAN = WorldAttributes.human(Background.PINK, HairStyle.BOB_CUT, HairColor.BLOND, SkinTone.DARK,
            EyeColor.GREEN, Expression.NEUTRAL, Eyewear.NONE, FacialHair.NONE, Makeup.NONE, Presentation.WOMAN);
    static final WorldAttributes BALD_MAN = WorldAttributes.human(Background.GREY, HairStyle.BALD, HairColor.BLACK, SkinTone.TAN,
            EyeColor.BLUE, Expression.SURPRISED, Eyewear.GLASSES, FacialHair.MOUSTACHE, Makeup.MAKEUP, Presentation.MAN);
    static final WorldAttributes CAT = WorldAttributes.cat(Background.YELLOW, CatCoat.ORANGE, EyeColor.GREEN);
    static final WorldAttributes LION = WorldAttributes.lion(Background.BLUE, Mane.FULL);

    static List<String> sampled(WorldAttributes a, int n) {
        SplittableRandom r = new SplittableRandom(7);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Captions.sample(a, r));
        return out;
    }

    @Test
    void captionsMentionTheAttributes() {
        assertTrue(Captions.all(MOHAWK_MAN).stream().anyMatch(c -> c.contains("mohawk")));
        assertTrue(Captions.all(MOHAWK_MAN).contains("mohawk hairstyle"));
        assertTrue(Captions.all(MOHAWK_MAN).contains("purple hair"));
        assertTrue(Captions.all(MOHAWK_MAN).contains("sunglasses"));
        assertTrue(Captions.all(MOHAWK_MAN).contains("smiling"));
        assertTrue(Captions.all(MOHAWK_MAN).contains("beard"));
        assertTrue(Captions.all(BOB_WOMAN).contains("without makeup"));
        assertTrue(Captions.all(BOB_WOMAN).contains("blond hair"));
        assertTrue(Captions.all(BOB_WOMAN).contains("a woman with blond bob cut hair"));
        assertTrue(Captions.all(BALD_MAN).contains("bald"));
        assertTrue(Captions.all(BALD_MAN).contains("a face with lipstick and eye shadow"));
        assertTrue(Captions.all(CAT).contains("cute cat"));
        assertTrue(Captions.all(CAT).contains("an orange cat"));
        assertTrue(Captions.all(LION).contains("lion"));
        assertTrue(Captions.all(LION).contains("portrait of a majestic lion with a big mane on a blue background")
                || Captions.all(LION).stream().anyMatch(c -> c.startsWith("portrait of a ") && c.contains("lion")));
        // the long description names several attributes at once
        String full = Captions.all(MOHAWK_MAN).stream().filter(c -> c.startsWith("a photo of")).findFirst().orElseThrow();
        for (String w : List.of("smiling", "man", "mohawk", "sunglasses", "beard")) assertTrue(full.contains(w), full);
    }

    @Test
    void aFocusedCaptionAlwaysNamesItsTopic() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 300; i++) {
            String smile = Captions.sample(MOHAWK_MAN, r, Captions.Topic.EXPRESSION);
            assertTrue(smile.contains("smil") || smile.contains("happy"), smile);
            String beard = Captions.sample(MOHAWK_MAN, r, Captions.Topic.FACIAL_HAIR);
            assertTrue(beard.contains("beard"), beard);
            String neutral = Captions.sample(BOB_WOMAN, r, Captions.Topic.EXPRESSION);
            assertTrue(neutral.contains("serious") || neutral.contains("neutral"), neutral);
            String bare = Captions.sample(BOB_WOMAN, r, Captions.Topic.MAKEUP);
            assertTrue(bare.contains("makeup"), bare);
            String lips = Captions.sample(BALD_MAN, r, Captions.Topic.MAKEUP);
            assertTrue(lips.contains("makeup") || lips.contains("lipstick") || lips.contains("eye shadow"), lips);
        }
        // a topic the portrait has no fact about leaves an ordinary caption
        for (int i = 0; i < 50; i++) assertTrue(Captions.sample(CAT, r, Captions.Topic.FACIAL_HAIR).contains("cat"));
    }

    @Test
    void animalsAreAlwaysNamed() {
        for (String c : sampled(CAT, 300)) assertTrue(c.contains("cat"), c);
        for (String c : sampled(WorldAttributes.cat(Background.BLUE, CatCoat.CALICO, EyeColor.BLUE), 300)) assertTrue(c.contains("cat"), c);
        for (String c : sampled(LION, 300)) assertTrue(c.contains("lion"), c);
        for (String c : sampled(WorldAttributes.lion(Background.BLUE, Mane.NONE), 300)) assertTrue(c.contains("lion"), c);
        for (String c : Captions.all(CAT)) assertTrue(c.contains("cat"), c);
    }

    @Test
    void captionsNeverStateWhatIsNotThere() {
        for (String c : sampled(BOB_WOMAN, 500)) {
            for (String absent : List.of("mohawk", "sunglasses", "beard", "moustache", "lipstick", "smil", "cat", "lion", "purple", "bald")) {
                assertFalse(c.contains(absent), c);
            }
            assertFalse(c.contains(" man") || c.startsWith("man"), c);
        }
        for (String c : sampled(MOHAWK_MAN, 500)) {
            for (String absent : List.of("bob", "curly", "long", "lipstick", "woman", "blond")) {
                assertFalse(c.contains(absent), c);
            }
        }
    }

    @Test
    void samplingIsDeterministicAndVaried() {
        assertEquals(sampled(MOHAWK_MAN, 50), sampled(MOHAWK_MAN, 50));
        assertEquals(Captions.sample(CAT, 3L), Captions.sample(CAT, 3L));
        Set<String> distinct = new HashSet<>(sampled(MOHAWK_MAN, 400));
        assertTrue(distinct.size() > 150, distinct.size() + " distinct captions");
        boolean shortOne = false;
        boolean longOne = false;
        for (String c : distinct) {
            assertFalse(c.isBlank() || c.contains("  ") || c.startsWith(" ") || c.endsWith(" "), "'" + c + "'");
            assertFalse(c.contains(" a a") || c.contains(" a an "), c);
            if (!c.contains(" ")) shortOne = true;
            if (c.split(",| and ").length >= 3) longOne = true;
        }
        assertTrue(shortOne && longOne);
        // every sampled portrait has captions; articles agree with the next word
        for (long seed = 0; seed < 300; seed++) {
            WorldAttributes a = WorldSampler.sample(seed).attributes();
            String c = Captions.sample(a, seed);
            assertFalse(c.isBlank());
            assertFalse(c.matches(".*\\ba [aeiou].*"), c);
            assertFalse(Captions.all(a).isEmpty());
        }
    }
}
