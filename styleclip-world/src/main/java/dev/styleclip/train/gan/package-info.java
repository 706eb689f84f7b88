/**
 * Training StyleGAN2 generators in rosinality's layout: {@link dev.styleclip.train.gan.RenderDistillation} (the bundled
 * generator learns the world's renders from the latents that stand for them; {@link dev.styleclip.train.gan.LatentCodes},
 * {@link dev.styleclip.train.gan.Crossfades} and {@link dev.styleclip.train.gan.MappingCompiler} shape its latent space)
 * and {@link dev.styleclip.train.gan.GanTrainer} (rosinality's train.py recipe with its {@link
 * dev.styleclip.train.gan.Discriminator}). The {@code *Run} classes are the commands' whole runs, stopping at a step
 * boundary and resuming exactly.
 */
package dev.styleclip.train.gan;
