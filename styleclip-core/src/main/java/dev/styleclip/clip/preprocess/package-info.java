/**
 * CLIP's image preprocessing in pure Java, bit-exact with {@code clip.load(...)[1]} (torchvision 0.14 on Pillow 9.4).
 *
 * <p>{@link dev.styleclip.clip.preprocess.ClipImagePreprocess} is the entry point: PNG/JPEG file -> Resize(224,
 * BICUBIC) -> CenterCrop(224) -> RGB -> {@code [3, 224, 224]} normalised floats, with the constants in one place.
 * {@link dev.styleclip.clip.preprocess.PillowBicubic} is the port of Pillow's resampler that makes the resize exact;
 * {@link dev.styleclip.clip.preprocess.Rgb8Image} holds the 224x224 uint8 image between the two halves.
 *
 * <p>StyleCLIP's own CLIP loss does not use this path (it feeds generator output, upsampled and pooled, without
 * normalisation); this is for encoding image files as CLIP itself would.
 */
package dev.styleclip.clip.preprocess;
