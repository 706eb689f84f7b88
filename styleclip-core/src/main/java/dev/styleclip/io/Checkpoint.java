package dev.styleclip.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint file holds, as data: its format and the unpickled object tree, where dicts are maps,
 * tuples are {@code Object[]}, lists are lists, tensors are {@link TensorRef}s (read lazily), and objects of
 * allowed data classes are {@link SafeUnpickler.PyObject}s.
 */
public record Checkpoint(Path file, FileFormat format, Object root) {

    /** The root as a map; fails with a message naming the file if it is something else. */
    public Map<?, ?> rootMap() throws CheckpointException {
        if (root instanceof Map<?, ?> m) return m;
        throw new CheckpointException(file, "expected a dict at the top level, found " + describe(root));
    }

    /**
     * Every tensor under {@code node}, keyed by its dotted path (dict keys and, for TorchScript modules,
     * attribute names), in file order. This is what a state dict is.
     */
    public static Map<String, TensorRef> tensors(Object node) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        collect("", node, out);
        return out;
    }

    private static void collect(String prefix, Object node, Map<String, TensorRef> out) {
        if (node instanceof TensorRef t) {
            out.put(prefix, t);
        } else if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) collect(join(prefix, String.valueOf(e.getKey())), e.getValue(), out);
        } else if (node instanceof TorchGlobals.NumpyArray a) {
            out.put(prefix, a.asTensor());
        } else if (node instanceof SafeUnpickler.PyObject o) {
            collect(prefix, o.attributes, out);
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) collect(join(prefix, Integer.toString(i)), l.get(i), out);
        }
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** The class name of a pickled data object (argparse.Namespace, a TorchScript module), or null. */
    public static String className(Object node) {
        return node instanceof SafeUnpickler.PyObject o ? o.className : null;
    }

    /** Attributes of a pickled data object as a map (argparse.Namespace's fields, say). */
    public static Map<Object, Object> attributes(Object node) {
        return node instanceof SafeUnpickler.PyObject o ? o.attributes : Map.of();
    }

    /** Whether a node was pickled as {@code collections.OrderedDict} (a state dict) rather than a plain dict. */
    public static boolean isOrderedDict(Object node) {
        return node instanceof SafeUnpickler.PyOrderedDict;
    }

    /** The {@code _metadata} that {@code Module.state_dict()} attaches to a state dict, or null. */
    public static Object stateDictMetadata(Object node) {
        return node instanceof SafeUnpickler.PyOrderedDict d ? d.metadata() : null;
    }

    static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof SafeUnpickler.PyObject p) return "an object of " + p.className;
        if (o instanceof TensorRef t) return "a tensor " + t;
        if (o instanceof Object[] a) return "a tuple of " + a.length;
        return "a " + o.getClass().getSimpleName();
    }
}
