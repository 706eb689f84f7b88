package dev.styleclip.tensor;

import java.io.File;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * One place that brings up libtorch: loads the native libraries bundled in the Bytedeco jars (never a
 * system-wide libtorch) and sets intra-op threads to the machine's cores. {@link #init()} is idempotent.
 *
 * <p>Why the explicit preload: on a fresh cache JavaCPP extracts and loads the libraries one at a time,
 * and it loads {@code libtorch.so} before {@code libtorch_cpu.so} is extracted. The dynamic linker then
 * resolves libtorch.so's dependency on libtorch_cpu.so without the bundled copy ({@code $ORIGIN} is still
 * empty) and finds a system one, e.g. Debian's {@code libtorch-dev}, whose ABI differs: a crash on the
 * very first run only. So the whole platform folder is extracted first, and libc10 and libtorch_cpu are
 * loaded from it by absolute path, which makes every later lookup of those sonames use these copies.
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
        preloadBundled();
        Loader.load(torch.class);
        torch.set_num_threads(threads());
        // NNPACK cannot start on many CPUs and logs a warning on every first conv; oneDNN serves instead.
        torch.globalContext().setUserEnabledNNPACK(false);
        started = true;
    }

    private static void preloadBundled() {
        try {
            Loader.load(org.bytedeco.openblas.global.openblas.class);
            File[] files = Loader.cacheResources("/org/bytedeco/pytorch/" + Loader.getPlatform() + "/");
            if (files == null || files.length == 0) return;
            File dir = files[0].isDirectory() ? files[0] : files[0].getParentFile();
            for (String lib : new String[] {"libgomp.so.1", "libc10.so", "libtorch_cpu.so"}) {
                File f = new File(dir, lib);
                if (f.isFile()) System.load(f.getAbsolutePath());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the bundled libtorch to the JavaCPP cache: " + e.getMessage(), e);
        }
    }

    /**
     * Small models (the bundled 64-px set) run fastest on one thread here: libtorch's OpenMP hand-offs cost more
     * than their tiny ops (measured: a small CLIP text encoding 170 ms on 2 threads, 4 ms on 1). Uses
     * {@code n} threads unless STYLECLIP_THREADS says otherwise.
     */
    public static void preferThreads(int n) {
        init();
        String env = System.getenv("STYLECLIP_THREADS");
        if (env == null || env.isBlank()) torch.set_num_threads(n);
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
