package dev.styleclip.io;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A minimal pickle emitter: the protocol-2 opcodes that {@code torch.save} output uses, written the way
 * CPython's pickler writes them for the same values (TUPLE1-3 for short tuples, BININT1/BININT2/BININT/LONG1
 * by magnitude, SETITEM/APPEND for single items). No memo is written: {@code torch.save} data has no shared
 * Python objects that need it, and every unpickler accepts a stream without one.
 */
final class PickleWriter {
    static final int PROTO = 0x80;
    static final int STOP = '.';
    static final int GLOBAL = 'c';
    static final int MARK = '(';
    static final int TUPLE = 't';
    static final int EMPTY_TUPLE = ')';
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int EMPTY_DICT = '}';
    static final int SETITEM = 's';
    static final int SETITEMS = 'u';
    static final int EMPTY_LIST = ']';
    static final int APPEND = 'a';
    static final int APPENDS = 'e';
    static final int BINUNICODE = 'X';
    static final int BININT = 'J';
    static final int BININT1 = 'K';
    static final int BININT2 = 'M';
    static final int LONG1 = 0x8a;
    static final int LONG4 = 0x8b;
    static final int BINFLOAT = 'G';
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int NONE = 'N';
    static final int BINPERSID = 'Q';
    static final int REDUCE = 'R';
    static final int BUILD = 'b';

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    /** PROTO 2, the protocol {@code torch.save} uses by default. */
    PickleWriter proto2() {
        out.write(PROTO);
        out.write(2);
        return this;
    }

    PickleWriter global(String module, String name) {
        if (module.indexOf('\n') >= 0 || name.indexOf('\n') >= 0) throw new IllegalArgumentException("newline in a global name");
        out.write(GLOBAL);
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(BINUNICODE);
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v <= 0xff) {
            out.write(BININT1);
            out.write((int) v);
        } else if (v >= 0 && v <= 0xffff) {
            out.write(BININT2);
            out.write((int) (v & 0xff));
            out.write((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(BININT);
            int32((int) v);
        } else {
            bigInteger(BigInteger.valueOf(v));
        }
        return this;
    }

    /** LONG1 (or LONG4 past 255 bytes): minimal two's complement, little-endian, as pickle.encode_long. */
    PickleWriter bigInteger(BigInteger v) {
        if (v.bitLength() < 32) return integer(v.longValue());
        byte[] be = v.toByteArray(); // big-endian, minimal two's complement
        if (be.length <= 0xff) {
            out.write(LONG1);
            out.write(be.length);
        } else {
            out.write(LONG4);
            int32(be.length);
        }
        for (int i = be.length - 1; i >= 0; i--) out.write(be[i]);
        return this;
    }

    PickleWriter floating(double d) {
        out.write(BINFLOAT);
        long bits = Double.doubleToRawLongBits(d);
        for (int shift = 56; shift >= 0; shift -= 8) out.write((int) (bits >>> shift) & 0xff); // big-endian
        return this;
    }

    PickleWriter bool(boolean b) {
        out.write(b ? NEWTRUE : NEWFALSE);
        return this;
    }

    /** The opcode that closes a tuple of {@code n} items already on the stack (after MARK when n > 3). */
    PickleWriter tupleEnd(int n) {
        out.write(switch (n) {
            case 0 -> EMPTY_TUPLE;
            case 1 -> TUPLE1;
            case 2 -> TUPLE2;
            case 3 -> TUPLE3;
            default -> TUPLE;
        });
        return this;
    }

    /** Whether a tuple of {@code n} items starts with MARK. */
    static boolean tupleNeedsMark(int n) {
        return n > 3;
    }

    PickleWriter stop() {
        out.write(STOP);
        return this;
    }

    private void int32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
