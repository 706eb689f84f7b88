package dev.styleclip.tensor;

import dev.styleclip.io.DType;
import dev.styleclip.io.RawTensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small helpers over the engine: conversions to and from files' tensors, shape checks, scalars. */
public final class Tensors {
    private Tensors() {
    }

    /**
     * Moves {@code t} out of {@code scope} so it outlives it. (PointerScope.detach alone also drops the
     * scope's reference, which frees the tensor at once; the extra retain keeps it.)
     */
    public static Tensor keep(org.bytedeco.javacpp.PointerScope scope, Tensor t) {
        t.retainReference();
        scope.detach(t);
        return t;
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor floats(float[] values, long... shape) {
        if (RawTensor.numel(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        try (FloatPointer p = new FloatPointer(values)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
        }
    }

    /** An int64 tensor holding a copy of {@code values} (indices). */
    public static Tensor longs(long... values) {
        try (org.bytedeco.javacpp.LongPointer p = new org.bytedeco.javacpp.LongPointer(values)) {
            return torch.from_blob(p, new long[] {values.length}, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    /** An engine tensor with a copy of the file tensor's data, in its own element type. */
    public static Tensor fromRaw(RawTensor raw) {
        ByteBuffer src = raw.data();
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        try (BytePointer p = new BytePointer(Math.max(1, bytes.length))) {
            p.put(bytes);
            return torch.from_blob(p, raw.shape(), new TensorOptions(scalarType(raw.dtype()))).clone();
        }
    }

    /** An engine tensor converted to float32 (float16 and friends widen exactly). */
    public static Tensor fromRawAsFloat(RawTensor raw) {
        Tensor t = fromRaw(raw);
        return raw.dtype() == DType.FLOAT32 ? t : t.to(ScalarType.Float);
    }

    /** The tensor's values as a float32 file tensor (a copy; detached from autograd). */
    public static RawTensor toRaw(Tensor t) {
        return RawTensor.ofFloats(toFloatArray(t), t.shape());
    }

    /** The tensor's values as a float16 file tensor (round to nearest even; a copy, detached). */
    public static RawTensor toRawHalf(Tensor t) {
        Tensor h = t.detach().to(ScalarType.Half).contiguous().view(ScalarType.Short);
        short[] v = new short[Math.toIntExact(h.numel())];
        if (v.length > 0) h.data_ptr_short().get(v);
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(v);
        return new RawTensor(DType.FLOAT16, t.shape(), b);
    }

    /** A copy of the values as floats, C order. */
    public static float[] toFloatArray(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Float).contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        if (out.length > 0) c.data_ptr_float().get(out);
        return out;
    }

    public static long[] toLongArray(Tensor t) {
        Tensor c = t.detach().to(ScalarType.Long).contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        if (out.length > 0) c.data_ptr_long().get(out);
        return out;
    }

    public static ScalarType scalarType(DType d) {
        return switch (d) {
            case FLOAT32 -> ScalarType.Float;
            case FLOAT64 -> ScalarType.Double;
            case FLOAT16 -> ScalarType.Half;
            case BFLOAT16 -> ScalarType.BFloat16;
            case INT64 -> ScalarType.Long;
            case INT32 -> ScalarType.Int;
            case INT16 -> ScalarType.Short;
            case INT8 -> ScalarType.Char;
            case UINT8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /**
     * Checks a tensor's shape at a public entry point; -1 in {@code expected} matches any size.
     * The message names the argument, like stylegan2-ada's {@code assert_shape}.
     */
    public static void checkShape(String what, Tensor t, long... expected) {
        long[] actual = t.shape();
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < actual.length; i++) ok = expected[i] < 0 || expected[i] == actual[i];
        if (!ok) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(actual) + ", expected "
                    + Arrays.toString(expected).replace("-1", "*"));
        }
    }

    /**
     * Refuses a tensor holding NaN or infinity, for values read from a user's file (a latent, an image tensor)
     * before they reach a model, where one NaN spreads to every output. Integer tensors always pass.
     *
     * @param what names the values in the message, e.g. the file they came from ("latent.npy")
     * @throws IllegalArgumentException "latent.npy holds 3 non-finite values (NaN or infinity) out of 9216;
     *                                  its values must all be finite"
     */
    public static void requireFinite(String what, Tensor t) {
        long bad;
        try (PointerScope scope = new PointerScope()) {
            bad = t.detach().isfinite().logical_not().count_nonzero().item_long();
        }
        if (bad > 0) {
            throw new IllegalArgumentException(what + " holds " + bad + " non-finite value" + (bad == 1 ? "" : "s")
                    + " (NaN or infinity) out of " + t.numel() + "; its values must all be finite");
        }
    }

    public static String shapeString(Tensor t) {
        return Arrays.toString(t.shape());
    }

    /** Max absolute difference between two tensors (for tests and parity reports). */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        return a.detach().sub(b.detach()).abs().max().item_double();
    }
}
