package dev.styleclip.world;

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
import java.util.SplittableRandom;

/**
 * Draws portraits from a {@code long} seed, deterministically ({@link SplittableRandom}): 70% humans, 18% cats,
 * 12% lions; each attribute uniform over its values, except that facial hair is drawn for men only (women are
 * clean shaven) and makeup is worn by half of the women and a quarter of the men.
 */
public final class WorldSampler {
    public static final double HUMAN_FRACTION = 0.70;
    public static final double CAT_FRACTION = 0.18;
    public static final double LION_FRACTION = 0.12;

    private WorldSampler() {
    }

    /** Uniforms that decide the attributes: one fixed slot per category, so a latent can carry them. */
    public static final int ATTRIBUTE_SLOTS = 13;
    /** Uniforms that decide the nuisance parameters. */
    public static final int NUISANCE_SLOTS = 9;

    public static WorldSample sample(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // attributes and nuisance come from separate streams, so adding an attribute later leaves the
        // nuisance of old seeds alone (and the other way round)
        SplittableRandom ra = r.split();
        SplittableRandom rn = r.split();
        return new WorldSample(seed, attributes(uniforms(ra, ATTRIBUTE_SLOTS)), nuisance(uniforms(rn, NUISANCE_SLOTS)));
    }

    /**
     * The sample that {@code attributeU} (13 numbers) and {@code nuisanceU} (9 numbers), each in [0, 1), decide:
     * the same function {@link #sample(long)} applies to its random draws. {@link WorldPrior} feeds it a latent.
     */
    public static WorldSample fromUniforms(long seed, double[] attributeU, double[] nuisanceU) {
        if (attributeU.length != ATTRIBUTE_SLOTS || nuisanceU.length != NUISANCE_SLOTS) {
            throw new IllegalArgumentException("need " + ATTRIBUTE_SLOTS + " attribute and " + NUISANCE_SLOTS
                    + " nuisance uniforms, got " + attributeU.length + " and " + nuisanceU.length);
        }
        return new WorldSample(seed, attributes(attributeU), nuisance(nuisanceU));
    }

    /**
     * Where attribute slot {@code slot}'s uniform changes what {@link #attributes} makes of it: the cut points in
     * (0, 1), ascending. Two uniforms between the same cuts give the same attributes, whatever the other slots hold.
     */
    public static double[] slotCuts(int slot) {
        return switch (slot) {
            case 0 -> new double[] {HUMAN_FRACTION, HUMAN_FRACTION + CAT_FRACTION};
            case 1 -> even(Background.values().length);
            case 2 -> even(Presentation.values().length);
            case 3 -> even(HairStyle.values().length);
            case 4 -> even(HairColor.values().length);
            case 5 -> even(SkinTone.values().length);
            case 6 -> even(EyeColor.values().length);
            case 7 -> even(Expression.values().length);
            case 8 -> even(Eyewear.values().length);
            case 9 -> even(FacialHair.values().length);
            case 10 -> new double[] {0.25, 0.5}; // makeup: worn below 0.5 (women) or 0.25 (men)
            case 11 -> even(CatCoat.values().length);
            case 12 -> even(Mane.values().length);
            default -> throw new IllegalArgumentException("no attribute slot " + slot);
        };
    }

    /** The cell of {@code u} among {@link #slotCuts}: how many cuts lie at or below it. */
    public static int slotCell(int slot, double u) {
        int cell = 0;
        for (double c : slotCuts(slot)) if (u >= c) cell++;
        return cell;
    }

    private static double[] even(int n) {
        double[] c = new double[n - 1];
        for (int k = 1; k < n; k++) c[k - 1] = k / (double) n;
        return c;
    }

    private static double[] uniforms(SplittableRandom r, int n) {
        double[] u = new double[n];
        for (int i = 0; i < n; i++) u[i] = r.nextDouble();
        return u;
    }

    // slots: 0 species, 1 background, 2 presentation, 3 hair style, 4 hair colour, 5 skin, 6 eyes, 7 expression,
    // 8 eyewear, 9 facial hair, 10 makeup, 11 cat coat, 12 mane
    static WorldAttributes attributes(double[] u) {
        Background bg = pick(u[1], Background.values());
        if (u[0] < HUMAN_FRACTION) {
            Presentation p = pick(u[2], Presentation.values());
            HairStyle style = pick(u[3], HairStyle.values());
            HairColor color = pick(u[4], HairColor.values());
            SkinTone skin = pick(u[5], SkinTone.values());
            EyeColor eyes = pick(u[6], EyeColor.values());
            Expression ex = pick(u[7], Expression.values());
            Eyewear ew = pick(u[8], Eyewear.values());
            FacialHair fh = pick(u[9], FacialHair.values());
            if (p == Presentation.WOMAN) fh = FacialHair.NONE;
            Makeup mk = u[10] < (p == Presentation.WOMAN ? 0.5 : 0.25) ? Makeup.MAKEUP : Makeup.NONE;
            return WorldAttributes.human(bg, style, color, skin, eyes, ex, ew, fh, mk, p);
        } else if (u[0] < HUMAN_FRACTION + CAT_FRACTION) {
            return WorldAttributes.cat(bg, pick(u[11], CatCoat.values()), pick(u[6], EyeColor.values()));
        } else {
            return WorldAttributes.lion(bg, pick(u[12], Mane.values()));
        }
    }

    static Nuisance nuisance(double[] u) {
        return new Nuisance(
                1 + 0.08 * sym(u[0]), 1 + 0.06 * sym(u[1]),
                0.03 * sym(u[2]), 0.03 * sym(u[3]),
                1 + 0.15 * sym(u[4]),
                sym(u[5]), sym(u[6]),
                u[7], u[8]);
    }

    private static double sym(double u) {
        return 2 * u - 1;
    }

    private static <E> E pick(double u, E[] values) {
        return values[Math.min(values.length - 1, Math.max(0, (int) (u * values.length)))];
    }
}
