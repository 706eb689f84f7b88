package dev.styleclip.world;

/**
 * The continuous parameters of a portrait that no attribute names: a render is a pure function of
 * (attributes, nuisance). Offsets are in the renderer's unit square (0.03 is two pixels at 64 px); scales
 * are around 1; colour jitters are in [-1, 1] and move a colour by a few percent.
 *
 * @param faceWidth   head width scale (about 0.92 to 1.08)
 * @param faceHeight  head height scale (about 0.94 to 1.06)
 * @param offsetX     horizontal shift of the whole figure
 * @param offsetY     vertical shift of the whole figure
 * @param hairLength  hair length / volume scale (about 0.85 to 1.15)
 * @param colorJitter brightness change of skin, hair and coat colours, [-1, 1]
 * @param backgroundJitter brightness change of the background, [-1, 1]
 * @param clothesHue  hue of the clothes, [0, 1)
 * @param shade       a secondary tone in [0, 1] (mane darkness, eye shadow hue, stripe pattern phase)
 */
public record Nuisance(double faceWidth, double faceHeight, double offsetX, double offsetY, double hairLength,
                       double colorJitter, double backgroundJitter, double clothesHue, double shade) {
    /** No nuisance: the canonical figure. */
    public static final Nuisance NONE = new Nuisance(1, 1, 0, 0, 1, 0, 0, 0.6, 0.5);
}
