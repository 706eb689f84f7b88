/**
 * The procedural portrait world the bundled models learn from: {@link dev.styleclip.world.WorldAttributes} (humans with
 * hair style and colour, skin, eyes, expression, eyewear, facial hair, make-up; cats; lions; backgrounds), a pure
 * function of the seed ({@link dev.styleclip.world.WorldSampler}, {@link dev.styleclip.world.WorldPrior} for latents),
 * drawn in Java2D by {@link dev.styleclip.world.PortraitRenderer} and described by {@link dev.styleclip.world.Captions}.
 */
package dev.styleclip.world;
