package dev.styleclip.tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Child-process probe: starts the engine, does one op, prints where libtorch was mapped from. */
public final class EngineProbe {
    public static void main(String[] args) throws Exception {
        Engine.init();
        Tensor t = torch.ones(3).mul(torch.ones(3)).sum();
        System.out.println("sum=" + t.item_float());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("libtorch_cpu") || line.contains("libc10")) System.out.println("mapped " + line.substring(line.lastIndexOf(' ') + 1));
        }
    }
}
