/**
 * Training a small ViT CLIP from scratch with the project's own code, for the bundled model set.
 *
 * <p>{@link dev.styleclip.train.clip.ClipTrainer#train} is the entry point (data through
 * {@link dev.styleclip.train.clip.ImageTextBatches}, options {@link dev.styleclip.train.clip.ClipTrainOptions},
 * configuration {@link dev.styleclip.train.clip.ClipTrainer#smallConfig()}); it writes an OpenAI-layout state dict that
 * {@link dev.styleclip.clip.ClipModel#load} reads unchanged, and a resumable training state. Images reach the CLIP
 * through {@link dev.styleclip.train.clip.GeneratorToClip}, in training and in any later CLIP loss.
 */
package dev.styleclip.train.clip;
