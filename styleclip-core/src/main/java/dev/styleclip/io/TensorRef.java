package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor named inside a pickle: a view (offset, shape, stride in elements) of a storage whose bytes are
 * read only when asked for, so that inspecting a 350 MB checkpoint does not load it.
 */
public final class TensorRef {
    /** A torch storage: element type, element count and a source of its bytes. */
    public interface Storage {
        DType dtype();

        long numel();

        /**
         * All of the storage's bytes, little-endian. Bytes read from the file only now (a torch zip's records)
         * that prove damaged, or cannot be read, throw {@link java.io.UncheckedIOException} whose cause is a
         * {@link CheckpointException} with the same message.
         */
        ByteBuffer bytes();
    }

    private final Storage storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;

    public TensorRef(Storage storage, long offset, long[] shape, long[] stride) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) return;
            last += (shape[i] - 1) * stride[i];
        }
        if (RawTensor.numel(shape) > 0 && last >= storage.numel()) {
            throw new IllegalArgumentException("tensor view " + Arrays.toString(shape) + " at offset " + offset
                    + " reaches past its storage of " + storage.numel() + " elements");
        }
    }

    public DType dtype() {
        return storage.dtype();
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return RawTensor.numel(shape);
    }

    /**
     * Reads the bytes and gathers the view into a contiguous C-order tensor.
     *
     * @throws java.io.UncheckedIOException with a {@link CheckpointException} cause, where the storage's
     *                                      bytes prove damaged or cannot be read (see {@link Storage#bytes})
     */
    public RawTensor read() {
        ByteBuffer all = storage.bytes().order(ByteOrder.LITTLE_ENDIAN);
        int es = storage.dtype().bytes;
        long n = numel();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(n * es)).order(ByteOrder.LITTLE_ENDIAN);
        if (isContiguous()) {
            ByteBuffer slice = all.duplicate();
            slice.position(Math.toIntExact(offset * es));
            slice.limit(Math.toIntExact((offset + n) * es));
            out.put(slice);
        } else {
            gather(all, out, es);
        }
        out.flip();
        return new RawTensor(storage.dtype(), shape, out);
    }

    private void gather(ByteBuffer all, ByteBuffer out, int es) {
        long n = numel();
        long[] index = new long[shape.length];
        byte[] element = new byte[es];
        for (long k = 0; k < n; k++) {
            long pos = offset;
            for (int d = 0; d < shape.length; d++) pos += index[d] * stride[d];
            all.get(Math.toIntExact(pos * es), element);
            out.put(element);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
    }

    private boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    @Override
    public String toString() {
        return storage.dtype() + Arrays.toString(shape);
    }
}
