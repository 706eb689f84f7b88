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

    public static WorldSample sample(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        // attributes and nuisance come from separate streams, so adding an attribute later leaves the
        // nuisance of old seeds alone (and the other way round)
        SplittableRandom ra = r.split();
        SplittableRandom rn = r.split();
        return new WorldSample(seed, attributes(ra), nuisance(rn));
    }

    static WorldAttributes attributes(SplittableRandom r) {
        double u = r.nextDouble();
        Background bg = pick(r, Background.values());
        if (u < HUMAN_FRACTION) {
            Presentation p = pick(r, Presentation.values());
            HairStyle style = pick(r, HairStyle.values());
            HairColor color = pick(r, HairColor.values());
            SkinTone skin = pick(r, SkinTone.values());
            EyeColor eyes = pick(r, EyeColor.values());
            Expression ex = pick(r, Expression.values());
            Eyewear ew = pick(r, Eyewear.values());
            FacialHair fh = pick(r, FacialHair.values());
            if (p == Presentation.WOMAN) fh = FacialHair.NONE;
            Makeup mk = r.nextDouble() < (p == Presentation.WOMAN ? 0.5 : 0.25) ? Makeup.MAKEUP : Makeup.NONE;
            return WorldAttributes.human(bg, style, color, skin, eyes, ex, ew, fh, mk, p);
        } else if (u < HUMAN_FRACTION + CAT_FRACTION) {
            return WorldAttributes.cat(bg, pick(r, CatCoat.values()), pick(r, EyeColor.values()));
        } else {
            return WorldAttributes.lion(bg, pick(r, Mane.values()));
        }
    }

    static Nuisance nuisance(SplittableRandom r) {
        return new Nuisance(
                1 + 0.08 * sym(r), 1 + 0.06 * sym(r),
                0.03 * sym(r), 0.03 * sym(r),
                1 + 0.15 * sym(r),
                sym(r), sym(r),
                r.nextDouble(), r.nextDouble());
    }

    private static double sym(SplittableRandom r) {
        return 2 * r.nextDouble() - 1;
    }

    private static <E> E pick(SplittableRandom r, E[] values) {
        return values[r.nextInt(values.length)];
    }
}
