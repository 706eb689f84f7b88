/**
 * Inversion by an encoder: one forward pass from an image to its W+ code, after e4e (Tov et al., "Designing an Encoder
 * for StyleGAN Image Manipulation", SIGGRAPH 2021; omertov/encoder4editing).
 *
 * <p>The network: {@link dev.styleclip.invert.encoder.Encoder4Editing} (models/encoders/psp_encoders.py) — an IR-SE
 * residual body ({@code bottleneck_IR_SE} units, helpers.py), a three-level feature pyramid, and one
 * {@code GradualStyleBlock} per W+ row predicting offsets from the generator's mean latent — sized for a generator by
 * {@link dev.styleclip.invert.encoder.EncoderConfig} (e4e's own IR-SE50 for style_dim 512, a narrower one for the
 * bundled 64 px generator). {@link dev.styleclip.invert.encoder.Encoder} is the trained encoder as an API
 * ({@code load}, {@code encode}); {@link dev.styleclip.invert.encoder.EncoderCheckpoint} is its file.
 *
 * <p>Training: {@link dev.styleclip.invert.encoder.EncoderTrainer} on (latent, image) pairs the generator makes
 * ({@link dev.styleclip.invert.encoder.TrainingPairs}) and optionally real images
 * ({@link dev.styleclip.invert.encoder.RealImages}), by latent regression plus an
 * inversion's own {@link dev.styleclip.invert.InversionLoss}, with Adam,
 * resumable exactly from a state file.
 */
package dev.styleclip.invert.encoder;
