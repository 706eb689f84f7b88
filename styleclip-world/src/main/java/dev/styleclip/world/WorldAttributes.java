package dev.styleclip.world;

import java.util.Objects;

/**
 * The discrete attributes of one portrait of the procedural world. Every portrait has a {@link Species}
 * and a {@link Background}; the other fields apply to some species only and are {@code null} elsewhere:
 * humans have hair, skin, eyes, expression, eyewear, facial hair, makeup and a presentation; cats have a
 * coat and eye colour; lions have a mane. {@link AttributeCategory#ALL} enumerates them generically.
 */
public record WorldAttributes(Species species, Background background,
                              HairStyle hairStyle, HairColor hairColor, SkinTone skinTone, EyeColor eyeColor,
                              Expression expression, Eyewear eyewear, FacialHair facialHair, Makeup makeup,
                              Presentation presentation, CatCoat coat, Mane mane) {

    /** A value with the words captions use for it. */
    public interface Worded {
        String words();
    }

    public enum Species implements Worded {
        HUMAN("person"), CAT("cat"), LION("lion");
        private final String words;
        Species(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Background implements Worded {
        BLUE("blue"), GREEN("green"), PINK("pink"), YELLOW("yellow"), GREY("grey"), ORANGE("orange");
        private final String words;
        Background(String w) { words = w; }
        public String words() { return words; }
    }

    public enum HairStyle implements Worded {
        BALD("bald"), SHORT("short hair"), LONG("long hair"), MOHAWK("mohawk"), BOB_CUT("bob cut"), CURLY("curly hair");
        private final String words;
        HairStyle(String w) { words = w; }
        public String words() { return words; }
    }

    public enum HairColor implements Worded {
        BLACK("black"), BROWN("brown"), BLOND("blond"), RED("red"), WHITE("white"), PURPLE("purple"), BLUE("blue");
        private final String words;
        HairColor(String w) { words = w; }
        public String words() { return words; }
    }

    public enum SkinTone implements Worded {
        LIGHT("light skin"), MEDIUM("medium skin"), TAN("tan skin"), DARK("dark skin");
        private final String words;
        SkinTone(String w) { words = w; }
        public String words() { return words; }
    }

    public enum EyeColor implements Worded {
        BROWN("brown eyes"), BLUE("blue eyes"), GREEN("green eyes");
        private final String words;
        EyeColor(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Expression implements Worded {
        NEUTRAL("neutral"), SMILING("smiling"), SURPRISED("surprised");
        private final String words;
        Expression(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Eyewear implements Worded {
        NONE("no glasses"), GLASSES("glasses"), SUNGLASSES("sunglasses");
        private final String words;
        Eyewear(String w) { words = w; }
        public String words() { return words; }
    }

    public enum FacialHair implements Worded {
        NONE("clean shaven"), BEARD("beard"), MOUSTACHE("moustache");
        private final String words;
        FacialHair(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Makeup implements Worded {
        NONE("without makeup"), MAKEUP("lipstick and eye shadow");
        private final String words;
        Makeup(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Presentation implements Worded {
        MAN("man"), WOMAN("woman");
        private final String words;
        Presentation(String w) { words = w; }
        public String words() { return words; }
    }

    public enum CatCoat implements Worded {
        ORANGE("orange"), BLACK("black"), WHITE("white"), GREY("grey"), TABBY("tabby"), CALICO("calico");
        private final String words;
        CatCoat(String w) { words = w; }
        public String words() { return words; }
    }

    public enum Mane implements Worded {
        NONE("no mane"), SMALL("small mane"), FULL("full mane");
        private final String words;
        Mane(String w) { words = w; }
        public String words() { return words; }
    }

    public WorldAttributes {
        Objects.requireNonNull(species, "species");
        Objects.requireNonNull(background, "background");
        boolean human = species == Species.HUMAN;
        requirePresence(species, human, "hairStyle", hairStyle);
        requirePresence(species, human, "hairColor", hairColor);
        requirePresence(species, human, "skinTone", skinTone);
        requirePresence(species, human || species == Species.CAT, "eyeColor", eyeColor);
        requirePresence(species, human, "expression", expression);
        requirePresence(species, human, "eyewear", eyewear);
        requirePresence(species, human, "facialHair", facialHair);
        requirePresence(species, human, "makeup", makeup);
        requirePresence(species, human, "presentation", presentation);
        requirePresence(species, species == Species.CAT, "coat", coat);
        requirePresence(species, species == Species.LION, "mane", mane);
    }

    private static void requirePresence(Species species, boolean applies, String name, Object value) {
        if (applies && value == null) throw new IllegalArgumentException(name + " is required for a " + species.words());
        if (!applies && value != null) throw new IllegalArgumentException(name + " does not apply to a " + species.words());
    }

    public static WorldAttributes human(Background bg, HairStyle style, HairColor color, SkinTone skin, EyeColor eyes,
                                        Expression expression, Eyewear eyewear, FacialHair facialHair, Makeup makeup,
                                        Presentation presentation) {
        return new WorldAttributes(Species.HUMAN, bg, style, color, skin, eyes, expression, eyewear, facialHair, makeup,
                presentation, null, null);
    }

    public static WorldAttributes cat(Background bg, CatCoat coat, EyeColor eyes) {
        return new WorldAttributes(Species.CAT, bg, null, null, null, eyes, null, null, null, null, null, coat, null);
    }

    public static WorldAttributes lion(Background bg, Mane mane) {
        return new WorldAttributes(Species.LION, bg, null, null, null, null, null, null, null, null, null, null, mane);
    }

    public boolean isHuman() {
        return species == Species.HUMAN;
    }

    /** Copies with one field changed (for tests and attribute sweeps). */
    public WorldAttributes withBackground(Background b) {
        return new WorldAttributes(species, b, hairStyle, hairColor, skinTone, eyeColor, expression, eyewear, facialHair, makeup, presentation, coat, mane);
    }

    public WorldAttributes withHair(HairStyle s, HairColor c) {
        return new WorldAttributes(species, background, s, c, skinTone, eyeColor, expression, eyewear, facialHair, makeup, presentation, coat, mane);
    }

    public WorldAttributes withEyewear(Eyewear e) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, eyeColor, expression, e, facialHair, makeup, presentation, coat, mane);
    }

    public WorldAttributes withExpression(Expression e) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, eyeColor, e, eyewear, facialHair, makeup, presentation, coat, mane);
    }

    public WorldAttributes withFacialHair(FacialHair f) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, eyeColor, expression, eyewear, f, makeup, presentation, coat, mane);
    }

    public WorldAttributes withMakeup(Makeup m) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, eyeColor, expression, eyewear, facialHair, m, presentation, coat, mane);
    }

    public WorldAttributes withPresentation(Presentation p) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, eyeColor, expression, eyewear, facialHair, makeup, p, coat, mane);
    }

    public WorldAttributes withSkinTone(SkinTone s) {
        return new WorldAttributes(species, background, hairStyle, hairColor, s, eyeColor, expression, eyewear, facialHair, makeup, presentation, coat, mane);
    }

    public WorldAttributes withEyeColor(EyeColor e) {
        return new WorldAttributes(species, background, hairStyle, hairColor, skinTone, e, expression, eyewear, facialHair, makeup, presentation, coat, mane);
    }
}
