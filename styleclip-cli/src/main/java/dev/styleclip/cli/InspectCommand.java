package dev.styleclip.cli;

import dev.styleclip.inspect.Inspection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a checkpoint's format, model family, inferred configuration, and tensor count and size.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A .pt/.pth (zip or legacy), TorchScript archive, .npy, .npz or .safetensors file.")
    Path file;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Inspection i = Inspection.of(file);
        var out = spec.commandLine().getOut();
        out.println("file:    " + file);
        out.println("format:  " + i.format().description);
        out.println("family:  " + i.family().description);
        for (String d : i.details()) out.println("config:  " + d);
        out.printf("tensors: %d (%,d values, %.1f MB)%n", i.tensorCount(), i.valueCount(), i.byteCount() / 1e6);
        out.flush();
        return 0;
    }
}
