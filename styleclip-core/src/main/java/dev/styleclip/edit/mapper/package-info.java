/**
 * StyleCLIP's latent mapper (method 2), ported from orpatashnik/StyleCLIP {@code mapper/}: a network trained per
 * prompt that maps a W+ code w to a residual, applied as {@code w + 0.1 * M(w)}.
 *
 * <p>The network: {@link dev.styleclip.edit.mapper.LevelsMapper} (latent_mappers.py) splits W+ into coarse, medium and
 * fine rows ({@link dev.styleclip.edit.mapper.MapperLevel}), each mapped by a {@link dev.styleclip.edit.mapper.Mapper}
 * (PixelNorm over the rows, four EqualLinear layers with lr_mul 0.01 and fused leaky ReLU). Checkpoints:
 * {@link dev.styleclip.edit.mapper.MapperCheckpoint} reads and writes the coach's
 * {@code {'state_dict': mapper.* + decoder.*, 'opts': dict}} in the reference's key order
 * ({@link dev.styleclip.edit.mapper.MapperLayout}); {@link dev.styleclip.edit.mapper.DecoderWeights} is the embedded
 * or separately given generator. Applying: {@link dev.styleclip.edit.mapper.MapperEdit} (inference.py run_on_batch), and
 * {@link dev.styleclip.edit.mapper.MapperInference} (the whole inference.py: a checkpoint applied to latents or seeds,
 * the images, w_hat and their provenance written).
 *
 * <p>Training: {@link dev.styleclip.edit.mapper.MapperTrainer} (training/coach.py) with
 * {@link dev.styleclip.edit.mapper.MapperOptions} (train_options.py's defaults; a new run's from its builder, checked),
 * {@link dev.styleclip.optim.Ranger} (training/ranger.py) or {@link dev.styleclip.optim.Adam}, the CLIP loss, the latent L2
 * loss and an injected identity loss ({@link dev.styleclip.edit.mapper.ImageLoss}); {@link dev.styleclip.edit.mapper.TrainingLatents} and
 * {@link dev.styleclip.edit.mapper.BatchOrder} are the data. A run saves a {@link dev.styleclip.edit.mapper.TrainState}
 * from which it continues exactly. {@link dev.styleclip.edit.mapper.MapperTraining} is scripts/train.py: it loads what
 * the options name (decoder, CLIP, mapper, latents, identity loss) and runs the trainer over them.
 */
package dev.styleclip.edit.mapper;
