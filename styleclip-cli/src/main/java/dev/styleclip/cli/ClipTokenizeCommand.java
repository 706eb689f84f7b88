package dev.styleclip.cli;

import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.io.DType;
import dev.styleclip.io.Npy;
import dev.styleclip.io.RawTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"CLIP token ids of each text (start and end tokens included, zero padded to 77).",
                "Prints one line of ids per text, or writes int32 [N,77] with --out."})
public final class ClipTokenizeCommand implements Callable<Integer> {
    @Option(names = "--text", required = true, arity = "1..*", paramLabel = "T", description = "Text(s); repeat for several rows.")
    List<String> texts;

    @Option(names = "--truncate", description = "Cut texts longer than the 77-token context instead of failing.")
    boolean truncate;

    @Option(names = "--out", paramLabel = "IDS.npy", description = "Write the [N,77] int32 ids here instead of printing.")
    Path out;

    @Mixin
    Verbosity verbosity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int[][] ids = Texts.tokenize(spec.commandLine(), texts, truncate);
        var o = spec.commandLine().getOut();
        if (out != null) {
            ByteBuffer b = ByteBuffer.allocate(ids.length * ClipTokenizer.CONTEXT_LENGTH * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] row : ids) for (int id : row) b.putInt(id);
            b.flip();
            Npy.write(out, new RawTensor(DType.INT32, new long[] {ids.length, ClipTokenizer.CONTEXT_LENGTH}, b));
            o.println("wrote " + out);
        } else {
            for (int[] row : ids) {
                StringBuilder sb = new StringBuilder();
                for (int id : row) {
                    if (id == 0) break;
                    if (sb.length() > 0) sb.append(' ');
                    sb.append(id);
                }
                o.println(sb);
            }
        }
        o.flush();
        return 0;
    }
}
