package dev.styleclip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InspectCommandTest {
    @Test
    void generatorCheckpoint() {
        CliRun r = CliRun.of("inspect", CliRun.fixture("stylegan2/tiny_g32.pt").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("torch.save zip archive"), r.out());
        assertTrue(r.out().contains("StyleGAN2 generator"), r.out());
        assertTrue(r.out().contains("size=32 style_dim=64 n_mlp=4 n_latent=8"), r.out());
        assertTrue(r.out().contains("tensors: 74"), r.out());
    }

    @Test
    void legacyArcFace() {
        CliRun r = CliRun.of("inspect", CliRun.fixture("arcface/tiny_ir_se.pth").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("legacy") && r.out().contains("IR-SE"), r.out());
    }

    @Test
    void clipTorchScriptArchive() {
        CliRun r = CliRun.of("inspect", CliRun.fixture("clip/tiny_clip_jit.pt").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("TorchScript archive") && r.out().contains("family:  CLIP"), r.out());
        assertTrue(r.out().contains("vision: ViT width=128 layers=2 patch=32 resolution=224"), r.out());
        assertTrue(r.out().contains("embed_dim=32"), r.out());
    }

    @Test
    void singleTensorNpy() {
        CliRun r = CliRun.of("inspect", CliRun.fixture("stylegan2/wplus.npy").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("shape=[2, 8, 64]"), r.out());
    }

    @Test
    void helpListsCommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("generate") && r.out().contains("inspect") && r.out().contains("bench"), r.out());
    }

    @Test
    void everyCommandsHelpFormatsWithoutPicocliWarnings() {
        // picocli runs each description through String.format: a lone '%' makes it warn on stderr and print the raw text
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int seen = 0;
        try {
            System.setErr(new java.io.PrintStream(captured, true));
            java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(new picocli.CommandLine(new Main())));
            while (!todo.isEmpty()) {
                picocli.CommandLine c = todo.pop();
                todo.addAll(c.getSubcommands().values());
                assertTrue(c.getUsageMessage().contains("Usage:"), c.getCommandName());
                seen++;
            }
        } finally {
            System.setErr(saved);
        }
        assertTrue(seen > 20, "walked " + seen + " commands");
        assertTrue(!captured.toString().contains("picocli WARN"), captured.toString());
    }
}
