package dev.styleclip.tensor;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * One place that brings up libtorch: loads the native libraries bundled in the Bytedeco jars (never a
 * system-wide libtorch) and sets intra-op threads to the machine's cores.
 *
 * <p>JavaCPP extracts the bundled libraries to its cache and loads them by absolute path, and the
 * system property {@code org.bytedeco.javacpp.pathsFirst} stays false, so a {@code libtorch.so} from a
 * Debian {@code libtorch-dev} on the library path is never preferred. {@link #init()} is idempotent.
 */
public final class Engine {
    private static volatile boolean started;

    private Engine() {
    }

    /** Loads libtorch and sets the thread count (the env var STYLECLIP_THREADS overrides the core count). */
    public static synchronized void init() {
        if (started) return;
        // Prefer the libraries inside the jars over any found on java.library.path / LD_LIBRARY_PATH.
        System.setProperty("org.bytedeco.javacpp.pathsFirst", "false");
        Loader.load(torch.class);
        torch.set_num_threads(threads());
        // NNPACK cannot start on many CPUs and logs a warning on every first conv; oneDNN serves instead.
        torch.globalContext().setUserEnabledNNPACK(false);
        started = true;
    }

    public static int threads() {
        String env = System.getenv("STYLECLIP_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
