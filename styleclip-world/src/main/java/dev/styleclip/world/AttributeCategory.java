package dev.styleclip.world;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One attribute category of the world, for generic code (the attribute classifier has one softmax head per
 * category): its name, its class names (the enum constants in lower case, in ordinal order) and the class
 * index of a portrait, or {@link #NOT_APPLICABLE} where the category does not apply to the portrait's
 * species (hair style on a cat, mane on a human). {@code species} and {@code background} apply to all.
 */
public final class AttributeCategory {
    /** The index of a category that does not apply to a portrait. */
    public static final int NOT_APPLICABLE = -1;

    public static final AttributeCategory SPECIES = of("species", WorldAttributes.Species.class, WorldAttributes::species);
    public static final AttributeCategory BACKGROUND = of("background", WorldAttributes.Background.class, WorldAttributes::background);
    public static final AttributeCategory HAIR_STYLE = of("hair_style", WorldAttributes.HairStyle.class, WorldAttributes::hairStyle);
    public static final AttributeCategory HAIR_COLOR = of("hair_color", WorldAttributes.HairColor.class, WorldAttributes::hairColor);
    public static final AttributeCategory SKIN_TONE = of("skin_tone", WorldAttributes.SkinTone.class, WorldAttributes::skinTone);
    public static final AttributeCategory EYE_COLOR = of("eye_color", WorldAttributes.EyeColor.class, WorldAttributes::eyeColor);
    public static final AttributeCategory EXPRESSION = of("expression", WorldAttributes.Expression.class, WorldAttributes::expression);
    public static final AttributeCategory EYEWEAR = of("eyewear", WorldAttributes.Eyewear.class, WorldAttributes::eyewear);
    public static final AttributeCategory FACIAL_HAIR = of("facial_hair", WorldAttributes.FacialHair.class, WorldAttributes::facialHair);
    public static final AttributeCategory MAKEUP = of("makeup", WorldAttributes.Makeup.class, WorldAttributes::makeup);
    public static final AttributeCategory PRESENTATION = of("presentation", WorldAttributes.Presentation.class, WorldAttributes::presentation);
    public static final AttributeCategory CAT_COAT = of("cat_coat", WorldAttributes.CatCoat.class, WorldAttributes::coat);
    public static final AttributeCategory LION_MANE = of("lion_mane", WorldAttributes.Mane.class, WorldAttributes::mane);

    /** Every category, in a fixed order (the classifier's head order). */
    public static final List<AttributeCategory> ALL = List.of(SPECIES, BACKGROUND, HAIR_STYLE, HAIR_COLOR, SKIN_TONE,
            EYE_COLOR, EXPRESSION, EYEWEAR, FACIAL_HAIR, MAKEUP, PRESENTATION, CAT_COAT, LION_MANE);

    private final String name;
    private final List<String> classNames;
    private final List<? extends Enum<?>> values;
    private final Function<WorldAttributes, ? extends Enum<?>> getter;

    private AttributeCategory(String name, List<? extends Enum<?>> values, Function<WorldAttributes, ? extends Enum<?>> getter) {
        this.name = name;
        this.values = values;
        this.classNames = values.stream().map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
        this.getter = getter;
    }

    private static <E extends Enum<E>> AttributeCategory of(String name, Class<E> type, Function<WorldAttributes, E> getter) {
        return new AttributeCategory(name, Arrays.asList(type.getEnumConstants()), getter);
    }

    public String name() {
        return name;
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The enum constants of this category, in class-index order. */
    public List<? extends Enum<?>> values() {
        return values;
    }

    /** The class index of {@code a} in this category, or {@link #NOT_APPLICABLE}. */
    public int index(WorldAttributes a) {
        Enum<?> v = getter.apply(a);
        return v == null ? NOT_APPLICABLE : v.ordinal();
    }

    /** The class name of {@code a} in this category, or {@code null} where it does not apply. */
    public String className(WorldAttributes a) {
        int i = index(a);
        return i == NOT_APPLICABLE ? null : classNames.get(i);
    }

    /**
     * {@code a} with class {@code k} of this category, everything else kept: the features of a human portrait that a
     * copy can change alone (hair style, hair colour, skin tone, eye colour, expression, eyewear, facial hair, makeup).
     * The other categories decide what a portrait is, and throw.
     */
    public WorldAttributes withClass(WorldAttributes a, int k) {
        Object v = values.get(k);
        return switch (name) {
            case "hair_style" -> a.withHair((WorldAttributes.HairStyle) v, a.hairColor());
            case "hair_color" -> a.withHair(a.hairStyle(), (WorldAttributes.HairColor) v);
            case "skin_tone" -> a.withSkinTone((WorldAttributes.SkinTone) v);
            case "eye_color" -> a.withEyeColor((WorldAttributes.EyeColor) v);
            case "expression" -> a.withExpression((WorldAttributes.Expression) v);
            case "eyewear" -> a.withEyewear((WorldAttributes.Eyewear) v);
            case "facial_hair" -> a.withFacialHair((WorldAttributes.FacialHair) v);
            case "makeup" -> a.withMakeup((WorldAttributes.Makeup) v);
            default -> throw new IllegalArgumentException("a copy cannot change " + name + " alone");
        };
    }

    /** The category of that name. */
    public static AttributeCategory byName(String name) {
        for (AttributeCategory c : ALL) if (c.name.equals(name)) return c;
        throw new IllegalArgumentException("unknown attribute category '" + name + "'");
    }

    @Override
    public String toString() {
        return name + classNames;
    }
}
