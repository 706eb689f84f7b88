/**
 * Inverting a user's picture into the generator's latent space, so that it can be edited like a generated image.
 *
 * <ul>
 *   <li>{@link dev.styleclip.invert.Projector}: optimization of a latent and the noise maps against the picture, after
 *       rosinality's projector.py; {@link dev.styleclip.invert.NoiseMaps} holds its noise regularizer and
 *       renormalisation.</li>
 *   <li>{@link dev.styleclip.invert.InversionLoss}: the image loss (pixel MSE, 1 - SSIM, the
 *       {@link dev.styleclip.invert.ClipFeatureDistance CLIP-feature distance}, the ArcFace identity loss), shared with
 *       encoder training.</li>
 *   <li>{@link dev.styleclip.invert.ImageMetrics}: PSNR, SSIM and the CLIP-feature distance of a reconstruction.</li>
 *   <li>{@link dev.styleclip.invert.InversionSettings}, {@link dev.styleclip.invert.InversionPreset}: what the Java API
 *       ({@code StyleClip.invert}) and the command line ({@code styleclip invert}) run.</li>
 * </ul>
 * Pictures are read by {@link dev.styleclip.image.InputImages}.
 */
package dev.styleclip.invert;
