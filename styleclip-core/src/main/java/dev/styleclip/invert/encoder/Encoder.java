package dev.styleclip.invert.encoder;

import dev.styleclip.io.CheckpointException;
import dev.styleclip.stylegan2.GeneratorConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A trained encoder, ready to invert images in one forward pass: the {@link Encoder4Editing} network and the mean
 * latent it predicts offsets from, as e4e's pSp runs them ({@code codes = encoder(x) + latent_avg}, in eval mode).
 * Loaded from an encoder file ({@link EncoderCheckpoint}); owns its native memory until {@link #close()}.
 */
public final class Encoder implements AutoCloseable {
    private final Encoder4Editing net;
    private final Tensor latentAvg; // [n_latent, style_dim]
    private final String generatorSha256;
    private final String source;
    private final PointerScope owned;

    /** Takes ownership of {@code net}; {@code latentAvg} [1, D], [D] or [n_latent, D] is copied. */
    Encoder(Encoder4Editing net, Tensor latentAvg, String generatorSha256, String source) {
        this.net = net;
        this.generatorSha256 = generatorSha256;
        this.source = source;
        this.owned = new PointerScope();
        try {
            this.latentAvg = EncoderCheckpoint.rows(latentAvg, net.config(), "latent_avg").clone();
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        owned.extend();
        owned.close();
    }

    /** Reads an encoder file ({@link EncoderCheckpoint#read}, strict). */
    public static Encoder load(Path file) throws IOException {
        return EncoderCheckpoint.read(file).encoder();
    }

    /**
     * Reads an encoder file for a given generator: a file for a generator of another style_dim or number of W+ rows is
     * refused before its weights are read, with a message naming the file and {@code generator}.
     */
    public static Encoder load(Path file, GeneratorConfig g, String generator) throws IOException {
        EncoderCheckpoint ckpt = EncoderCheckpoint.read(file);
        ckpt.requireFits(g, generator);
        return ckpt.encoder();
    }

    /**
     * W+ codes of images, one forward pass without gradients (BatchNorm on its running statistics, so each image's
     * code is its own).
     *
     * @param images [B, 3, S, S] in [-1, 1], S the generator's size or the encoder's input size (larger images are
     *               averaged down to the input size, as e4e does for 1024 px)
     * @return W+ [B, n_latent, style_dim]
     */
    public Tensor encode(Tensor images) {
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor x = EncoderOps.toInput(images, net.config().inputSize());
            return net.forward(x, NormStatistics.RUNNING).add(latentAvg); // [B, L, D] + [L, D]
        }
    }

    /** Fails unless this encoder fits a generator of {@code g}'s shape (see {@link EncoderCheckpoint#requireFits}). */
    public void requireFits(GeneratorConfig g, String generator) throws CheckpointException {
        String problem = EncoderCheckpoint.mismatch(net.config(), g, generator);
        if (problem != null) throw new CheckpointException(source + ": " + problem);
    }

    public EncoderConfig config() {
        return net.config();
    }

    /** The network (for its parameters and state dict). */
    public Encoder4Editing network() {
        return net;
    }

    /** The mean latent the codes are offsets from, [n_latent, style_dim]. */
    public Tensor latentAvg() {
        return latentAvg;
    }

    /** The SHA-256 of the generator file it was trained on, or null. */
    public String generatorSha256() {
        return generatorSha256;
    }

    @Override
    public String toString() {
        return "encoder " + source + " (" + net.config() + ", " + net.parameterCount() + " parameters)";
    }

    @Override
    public void close() {
        owned.deallocate();
        net.close();
    }
}
