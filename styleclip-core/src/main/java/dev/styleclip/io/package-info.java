/**
 * Checkpoint and tensor files, read and written as data, without Python and without the engine.
 *
 * <p>{@link dev.styleclip.io.CheckpointReader} reads every container the StyleGAN2/CLIP/ArcFace ecosystem
 * publishes: {@code torch.save} zip archives, the legacy pre-1.6 format, the data of TorchScript archives,
 * {@code .npy}/{@code .npz} ({@link dev.styleclip.io.Npy}) and {@code .safetensors}
 * ({@link dev.styleclip.io.Safetensors}). Pickles go through {@code SafeUnpickler}, which admits only the
 * Python globals on the allow-list in {@code TorchGlobals} (tensor rebuilding, storage types,
 * {@code collections.OrderedDict}, {@code argparse.Namespace}, numpy arrays...) and refuses anything else,
 * such as {@code os.system}, before it could be called. The result is a {@link dev.styleclip.io.Checkpoint}:
 * maps, lists, tuples and {@link dev.styleclip.io.TensorRef}s whose bytes are read lazily into
 * {@link dev.styleclip.io.RawTensor}s (dtype, shape, little-endian C-order bytes). Every failure, a damaged or
 * truncated file included, is a {@link dev.styleclip.io.CheckpointException} whose one-line message starts with
 * the file name: "model.pt: no such file", "models is a directory, not a file", "model.pt is damaged: ...".
 *
 * <p>What a format records about itself is checked: each zip record (torch zips, TorchScript, {@code .npz}) against
 * the CRC-32 and size in the zip's directory, when it is read; the legacy format's element counts against the
 * pickle and the bytes left in the file; a {@code .npy} header's shape against the data that follows. A lazily read
 * storage that fails is a {@link java.io.UncheckedIOException} from {@link dev.styleclip.io.TensorRef#read} whose
 * cause is the CheckpointException. The legacy format, {@code .npy}, {@code .safetensors} and plain pickles carry no
 * checksum: a changed byte inside their data reads as a different value.
 *
 * <p>{@link dev.styleclip.io.TorchWriter} writes the two {@code torch.save} layouts (zip and legacy) that
 * Python's {@code torch.load} reads, from the same kind of object tree. Writers go through
 * {@link dev.styleclip.io.AtomicFiles} (temporary file, then rename), so an interrupted write never leaves a
 * half-written file.
 */
package dev.styleclip.io;
