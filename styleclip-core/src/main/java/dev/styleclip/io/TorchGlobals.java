package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;

/**
 * The allow-list: the only Python globals a checkpoint may name, each mapped to a constructor of plain
 * data. torch's tensor rebuild functions and storage classes, {@code collections.OrderedDict},
 * {@code argparse.Namespace}, numpy's array reconstruction, and plain containers; TorchScript archives
 * may also name their own module classes ({@code __torch__.*}), which become attribute maps.
 */
final class TorchGlobals {
    private TorchGlobals() {
    }

    /** A torch storage class such as {@code torch.FloatStorage}: only its element type matters. */
    record StorageType(DType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("a storage class cannot be called");
        }
    }

    static Map<String, IObjectConstructor> allowed(boolean torchScript) {
        Map<String, IObjectConstructor> m = new HashMap<>();
        for (DType d : DType.values()) m.put("torch." + d.torchStorage, new StorageType(d));
        m.put("torch.UntypedStorage", new StorageType(DType.UINT8));
        m.put("torch._utils._rebuild_tensor_v2", TorchGlobals::rebuildTensor);
        m.put("torch._utils._rebuild_tensor", TorchGlobals::rebuildTensor);
        m.put("torch._utils._rebuild_parameter", args -> args[0]);
        m.put("torch._utils._rebuild_parameter_with_state", args -> args[0]);
        m.put("torch._tensor._rebuild_from_type_v2", TorchGlobals::rebuildFromType);
        m.put("torch.nn.parameter.Parameter", args -> args.length > 0 ? args[0] : null);
        m.put("collections.OrderedDict", args -> new SafeUnpickler.PyOrderedDict());
        m.put("builtins.set", args -> args.length == 0 ? new HashSet<>() : new HashSet<>((List<?>) args[0]));
        m.put("builtins.frozenset", args -> args.length == 0 ? new HashSet<>() : new HashSet<>((List<?>) args[0]));
        m.put("__builtin__.set", m.get("builtins.set"));
        m.put("argparse.Namespace", args -> new SafeUnpickler.PyObject("argparse.Namespace"));
        m.put("_codecs.encode", TorchGlobals::codecsEncode);
        m.put("numpy.core.multiarray._reconstruct", args -> new NumpyArray());
        m.put("numpy._core.multiarray._reconstruct", args -> new NumpyArray());
        m.put("numpy.ndarray", args -> new NumpyArray());
        m.put("numpy.dtype", args -> new NumpyDType(String.valueOf(args[0])));
        m.put("numpy.core.multiarray.scalar", TorchGlobals::numpyScalar);
        m.put("numpy._core.multiarray.scalar", TorchGlobals::numpyScalar);
        if (torchScript) {
            m.put("__torch__.*", (SafeUnpickler.PrefixConstructor) full -> args -> new SafeUnpickler.PyObject(full));
            m.put("torch.jit._pickle.restore_type_tag", args -> args[0]);
            m.put("torch.jit._pickle.build_intlist", args -> args[0]);
            m.put("torch.jit._pickle.build_doublelist", args -> args[0]);
            m.put("torch.jit._pickle.build_boollist", args -> args[0]);
            m.put("torch.jit._pickle.build_tensorlist", args -> args[0]);
        }
        return m;
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof TensorRef.Storage storage)) {
            throw new PickleException("malformed tensor record " + Arrays.toString(args));
        }
        long offset = ((Number) args[1]).longValue();
        return new TensorRef(storage, offset, longs(args[2]), longs(args[3]));
    }

    /** _rebuild_from_type_v2(func, new_type, args, state): torch 2.x wraps Parameters this way. */
    private static Object rebuildFromType(Object[] args) {
        if (!(args[0] instanceof IObjectConstructor f) || !(args[2] instanceof Object[] inner)) {
            throw new PickleException("malformed _rebuild_from_type_v2 record");
        }
        return f.construct(inner);
    }

    private static long[] longs(Object o) {
        Object[] items = o instanceof Object[] a ? a : ((List<?>) o).toArray();
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) out[i] = ((Number) items[i]).longValue();
        return out;
    }

    /** _codecs.encode(str, 'latin1'): how protocol-2 pickles carry bytes. */
    private static Object codecsEncode(Object[] args) {
        String s = (String) args[0];
        String enc = args.length > 1 ? String.valueOf(args[1]) : "utf-8";
        return s.getBytes(enc.toLowerCase().startsWith("latin") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static Object numpyScalar(Object[] args) {
        NumpyDType dt = (NumpyDType) args[0];
        byte[] b = (byte[]) args[1];
        DType d = dt.dtype();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return new RawTensor(d, new long[0], buf).toFloatArray()[0];
    }

    /** numpy.dtype('f4', False, True) followed by BUILD (3, '<', ...). */
    public static final class NumpyDType {
        final String code;
        String order = "<";

        NumpyDType(String code) {
            this.code = code;
        }

        public void __setstate__(Object[] state) {
            if (state.length > 1 && state[1] instanceof String o) order = o;
        }

        DType dtype() {
            String descr = (code.length() > 1 && "<>|=".indexOf(code.charAt(0)) >= 0) ? code : order + code;
            if (descr.startsWith("|") || descr.startsWith("=")) descr = "<" + descr.substring(1);
            DType d = DType.fromNpyDescr(descr);
            if (d == null) throw new PickleException("numpy dtype " + descr + " is not supported");
            return d;
        }
    }

    /** numpy's ndarray reconstruction: BUILD(version, shape, dtype, is_fortran, raw bytes). */
    public static final class NumpyArray implements TensorRef.Storage {
        private DType dtype;
        private long[] shape;
        private ByteBuffer data;

        public void __setstate__(Object[] state) {
            int base = state.length == 5 ? 1 : 0;
            shape = longs(state[base]);
            dtype = ((NumpyDType) state[base + 1]).dtype();
            if (Boolean.TRUE.equals(state[base + 2])) throw new PickleException("Fortran-order numpy arrays are not supported");
            Object raw = state[base + 3];
            byte[] bytes = raw instanceof byte[] b ? b
                    : raw instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1)
                    : null;
            if (bytes == null) throw new PickleException("numpy array of objects is not data this reader accepts");
            data = ByteBuffer.wrap(bytes);
        }

        TensorRef asTensor() {
            return new TensorRef(this, 0, shape, CheckpointReader.contiguousStride(shape));
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public long numel() {
            return RawTensor.numel(shape);
        }

        @Override
        public ByteBuffer bytes() {
            return data.duplicate();
        }
    }
}
