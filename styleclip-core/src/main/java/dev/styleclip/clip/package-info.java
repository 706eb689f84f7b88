/**
 * OpenAI's CLIP (ViT image encoders) and StyleCLIP's CLIP loss, ported from openai/CLIP {@code clip/model.py}
 * and orpatashnik/StyleCLIP {@code criteria/clip_loss.py}.
 *
 * <p>{@link dev.styleclip.clip.ClipModel#load} reads OpenAI's TorchScript archives ({@code ViT-B-32.pt}) as data
 * or plain state dicts, infers the {@link dev.styleclip.clip.ClipConfig} from the weights as {@code build_model}
 * does, and reproduces {@code clip.load(..., device="cpu")}: fp16 round trip of what {@code convert_weights}
 * converts, then float32 everywhere. One network per file, named as in the reference:
 * {@link dev.styleclip.clip.ResidualAttentionBlock}, {@link dev.styleclip.clip.Transformer},
 * {@link dev.styleclip.clip.VisionTransformer}, {@link dev.styleclip.clip.ClipModel} (with the text encoder);
 * the math is in {@link dev.styleclip.clip.ClipOps}. The modules read their parameters through
 * {@code ClipParameter}s: tensors loaded once ({@code ConvertWeights}), or, in a model made by
 * {@link dev.styleclip.clip.ClipModel#trainable}, float32 masters seen through the same fp16 round trip as a
 * straight-through weight transform ({@code TrainableWeights}); so training runs the inference forward pass.
 *
 * <p>{@link dev.styleclip.clip.ClipLoss} is StyleCLIP's loss, {@code 1 - logits_per_image / 100}, on generator
 * images fitted to 224 x 224 by {@link dev.styleclip.clip.GeneratorImageRecipe} (nearest x7, average pool
 * {@code stylegan_size / 32}, no normalisation by default). Token ids come from
 * {@link dev.styleclip.clip.tokenizer.ClipTokenizer}; CLIP's own file preprocessing is
 * {@link dev.styleclip.clip.preprocess.ClipImagePreprocess}. ResNet CLIPs (RN50 ...) are not supported yet.
 */
package dev.styleclip.clip;
