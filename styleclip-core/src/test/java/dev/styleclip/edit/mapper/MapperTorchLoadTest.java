package dev.styleclip.edit.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.styleclip.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's torch.load reads a mapper checkpoint written here the way StyleCLIP's code does (styleclip_mapper.get_keys,
 * inference.py's opts reload), with the same keys, order, _metadata and tensors as the reference's own file. Runs only
 * where a Python with torch is installed ($STYLECLIP_PYTHON, /usr/bin/python3 or python3); skipped elsewhere.
 */
class MapperTorchLoadTest {
    @TempDir
    Path tmp;

    static final String SCRIPT = """
            import sys, collections, torch
            from argparse import Namespace
            written, original = sys.argv[1:3]
            ckpt = torch.load(written, map_location='cpu')
            ref = torch.load(original, map_location='cpu')
            def get_keys(d, name):  # mapper/styleclip_mapper.py
                if 'state_dict' in d:
                    d = d['state_dict']
                return {k[len(name) + 1:]: v for k, v in d.items() if k[:len(name)] == name}
            assert type(ckpt) is dict and type(ckpt['opts']) is dict
            sd = ckpt['state_dict']
            assert type(sd) is collections.OrderedDict
            assert list(sd) == list(ref['state_dict'])
            assert sd._metadata == ref['state_dict']._metadata
            for k, v in ref['state_dict'].items():
                assert sd[k].dtype == v.dtype and torch.equal(sd[k], v), k
            assert list(get_keys(ckpt, 'mapper')) == list(get_keys(ref, 'mapper'))
            assert list(get_keys(ckpt, 'decoder')) == list(get_keys(ref, 'decoder'))
            opts = ckpt['opts']
            opts.update({'couple_outputs': True, 'n_images': None})  # inference.py: opts.update(vars(test_opts))
            opts = Namespace(**opts)
            assert opts.mapper_type == 'LevelsMapper' and opts.no_fine_mapper is False and opts.description
            print('ok', len(sd))
            """;

    @Test
    void pythonTorchLoadsAWrittenCheckpointAsTheReferencesOwn() throws Exception {
        String python = pythonWithTorch();
        assumeTrue(python != null, "no Python with torch here");
        Path original = Fixtures.path("mapper/levels_mapper_seed2.pt");
        MapperCheckpoint ckpt = MapperCheckpoint.read(original);
        Path written = tmp.resolve("written.pt");
        try (LevelsMapper m = ckpt.mapper()) {
            MapperCheckpoint.write(written, m, ckpt.decoder(), MapperOptions.fromOpts(ckpt.opts()).toOpts());
        }
        Path py = tmp.resolve("check.py");
        Files.writeString(py, SCRIPT);
        Process p = new ProcessBuilder(python, py.toString(), written.toString(), original.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok 123"), out);
    }

    private static String pythonWithTorch() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("STYLECLIP_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import torch").redirectErrorStream(true).start();
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return c;
                p.destroy();
            } catch (IOException | InterruptedException e) {
                // not there: try the next
            }
        }
        return null;
    }
}
