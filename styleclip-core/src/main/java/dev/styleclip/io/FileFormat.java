package dev.styleclip.io;

/** The container formats a checkpoint or tensor file can have. */
public enum FileFormat {
    TORCH_ZIP("torch.save zip archive"),
    TORCH_LEGACY("torch.save legacy (pre-1.6) format"),
    TORCHSCRIPT("TorchScript archive"),
    PICKLE("Python pickle (data only)"),
    NPY("NumPy .npy array"),
    NPZ("NumPy .npz archive"),
    SAFETENSORS("safetensors");

    public final String description;

    FileFormat(String description) {
        this.description = description;
    }
}
