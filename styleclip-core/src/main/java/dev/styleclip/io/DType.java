package dev.styleclip.io;

/** Element types that checkpoint files carry, with their size in bytes and their names in each format. */
public enum DType {
    FLOAT32(4, "<f4", "F32", "FloatStorage"),
    FLOAT64(8, "<f8", "F64", "DoubleStorage"),
    FLOAT16(2, "<f2", "F16", "HalfStorage"),
    BFLOAT16(2, null, "BF16", "BFloat16Storage"),
    INT64(8, "<i8", "I64", "LongStorage"),
    INT32(4, "<i4", "I32", "IntStorage"),
    INT16(2, "<i2", "I16", "ShortStorage"),
    INT8(1, "|i1", "I8", "CharStorage"),
    UINT8(1, "|u1", "U8", "ByteStorage"),
    BOOL(1, "|b1", "BOOL", "BoolStorage");

    public final int bytes;
    /** numpy descr string (little-endian), or null where numpy has none. */
    public final String npyDescr;
    /** safetensors dtype name. */
    public final String safetensorsName;
    /** torch storage class name, as pickled by {@code torch.save}. */
    public final String torchStorage;

    DType(int bytes, String npyDescr, String safetensorsName, String torchStorage) {
        this.bytes = bytes;
        this.npyDescr = npyDescr;
        this.safetensorsName = safetensorsName;
        this.torchStorage = torchStorage;
    }

    public static DType fromTorchStorage(String name) {
        for (DType d : values()) if (d.torchStorage.equals(name)) return d;
        return null;
    }

    public static DType fromSafetensors(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        return null;
    }

    /** Accepts '<f4', '=f4', '|u1', 'f4' etc. Big-endian descrs return null (not supported). */
    public static DType fromNpyDescr(String descr) {
        if (descr.isEmpty() || descr.charAt(0) == '>') return null;
        String core = (descr.charAt(0) == '<' || descr.charAt(0) == '|' || descr.charAt(0) == '=') ? descr.substring(1) : descr;
        for (DType d : values()) if (d.npyDescr != null && d.npyDescr.substring(1).equals(core)) return d;
        return null;
    }
}
