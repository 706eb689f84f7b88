package dev.styleclip.io;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A pickle reader that treats a checkpoint as data: every Python global the stream names must be on an
 * allow-list, and each allowed global maps to a Java constructor that builds plain data (maps, lists,
 * tensor references). Anything else ({@code os.system}, {@code builtins.eval}, a user class) is refused
 * with {@link DisallowedGlobalException} before it could be called; the INST/OBJ/EXT opcodes, which
 * name classes in other ways, are refused too. Nothing in a file is ever executed.
 *
 * <p>Built on Pyrolite ({@code net.razorvine.pickle}); globals are intercepted in {@link #dispatch}.
 */
final class SafeUnpickler extends Unpickler {
    private static final short GLOBAL = 'c';
    private static final short STACK_GLOBAL = 0x93;
    private static final short INST = 'i';
    private static final short OBJ = 'o';
    private static final short EXT1 = 0x82;
    private static final short EXT2 = 0x83;
    private static final short EXT4 = 0x84;
    private static final short EMPTY_DICT = '}';
    private static final short DICT = 'd';
    private static final short SETITEMS = 'u';
    private static final short SETITEM = 's';

    private static final short BINUNICODE = 'X';
    private static final short BINBYTES = 'B';
    private static final short BINSTRING = 'T';
    private static final short LONG4 = 0x8b;
    private static final short BINUNICODE8 = 0x8d;
    private static final short BINBYTES8 = 0x8e;
    private static final short BYTEARRAY8 = 0x96;

    private final Map<String, IObjectConstructor> allowed;
    private final Function<Object, Object> persistentLoader;
    /** No length-prefixed item may be longer than this (the size of the data the pickle comes from). */
    private long maxItemBytes = Long.MAX_VALUE;

    /**
     * @param allowed          "module.name" -> constructor, the only globals this stream may name
     * @param persistentLoader resolves persistent ids (torch's storage references); null refuses them
     */
    SafeUnpickler(Map<String, IObjectConstructor> allowed, Function<Object, Object> persistentLoader) {
        this.allowed = allowed;
        this.persistentLoader = persistentLoader;
    }

    static Object load(byte[] pickle, Map<String, IObjectConstructor> allowed, Function<Object, Object> persistent)
            throws IOException {
        return load(new ByteArrayInputStream(pickle), allowed, persistent, pickle.length);
    }

    static Object load(InputStream in, Map<String, IObjectConstructor> allowed, Function<Object, Object> persistent)
            throws IOException {
        return load(in, allowed, persistent, Long.MAX_VALUE);
    }

    /**
     * Reads one pickle from {@code in}. A stream that ends inside the pickle gives {@link EOFException};
     * a length-prefixed item longer than {@code maxItemBytes} (a corrupt length) is refused before anything
     * is allocated for it.
     */
    static Object load(InputStream in, Map<String, IObjectConstructor> allowed, Function<Object, Object> persistent,
                       long maxItemBytes) throws IOException {
        SafeUnpickler u = new SafeUnpickler(allowed, persistent);
        u.maxItemBytes = maxItemBytes;
        EofWatch watched = new EofWatch(in);
        try {
            return u.load(watched);
        } catch (EOFException | DisallowedGlobalException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Pyrolite reports the end of the data as a plain IOException ("premature end of file", ...) or,
            // where it reads single bytes, as a -1 that fails later ("invalid memo key"): when the data ran
            // out, that is what is wrong
            if (!watched.ended) throw e;
            throw (EOFException) new EOFException("the pickle ends early (" + e.getMessage() + ")").initCause(e);
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                endedInsideName();
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case STACK_GLOBAL -> {
                String name = (String) stack.pop();
                String module = (String) stack.pop();
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            // Dicts keep file order (Pyrolite's own dicts are HashMaps), so key listings read as saved.
            case EMPTY_DICT -> {
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            }
            case DICT -> {
                LinkedHashMap<Object, Object> d = new LinkedHashMap<>();
                putPairs(d, stack.pop_all_since_marker());
                stack.add(d);
                return NO_RETURN_VALUE;
            }
            case SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(asMap(stack.peek()), items);
                return NO_RETURN_VALUE;
            }
            case SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                asMap(stack.peek()).put(k, value);
                return NO_RETURN_VALUE;
            }
            case INST -> {
                // INST names its class inline (protocol 0): report that name, refused whether listed or not
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                endedInsideName();
                resolve(module, name);
                throw DisallowedGlobalException.opcode(key, module + "." + name);
            }
            case OBJ, EXT1, EXT2, EXT4 -> throw DisallowedGlobalException.opcode(key, null);
            default -> {
                int lengthBytes = switch (key) {
                    case BINUNICODE, BINBYTES, BINSTRING, LONG4 -> 4;
                    case BINUNICODE8, BINBYTES8, BYTEARRAY8 -> 8;
                    default -> 0;
                };
                if (lengthBytes > 0) checkLength(key, lengthBytes);
                return super.dispatch(key);
            }
        }
    }

    /** Pyrolite's readline returns a partial line at the end of the data: a truncated name, not a real one. */
    private void endedInsideName() throws EOFException {
        if (input instanceof EofWatch w && w.ended) throw new EOFException("the pickle ends inside a global's name");
    }

    /** Peeks at an item's length prefix; Pyrolite would allocate that many bytes before reading them. */
    private void checkLength(short key, int n) throws IOException {
        if (!input.markSupported()) return;
        input.mark(n);
        byte[] b = input.readNBytes(n);
        input.reset();
        if (b.length < n) return; // Pyrolite reports the end of the data
        long len = 0;
        for (int i = n - 1; i >= 0; i--) len = (len << 8) | (b[i] & 0xff);
        if (n == 4 && (key == BINSTRING || key == LONG4)) len = (int) len; // signed in the pickle format
        if (len < 0 || len > maxItemBytes) {
            throw new PickleException("pickle opcode 0x" + Integer.toHexString(key) + " announces " + len
                    + " bytes, more than the " + maxItemBytes + " bytes of the data");
        }
    }

    /** Notes whether the underlying stream ran out; adds no buffering, so what follows the pickle stays unread. */
    private static final class EofWatch extends FilterInputStream {
        boolean ended;

        EofWatch(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) ended = true;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n < 0) ended = true;
            return n;
        }
    }

    private static void putPairs(Map<Object, Object> d, List<Object> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw new PickleException("SETITEM(S) on a " + (o == null ? "None" : o.getClass().getSimpleName()));
    }

    private IObjectConstructor resolve(String module, String name) {
        String full = module + "." + name;
        IObjectConstructor c = allowed.get(full);
        if (c == null) {
            // A prefix entry "pkg.*" admits a family of data classes (TorchScript's __torch__.* modules).
            int dot = full.lastIndexOf('.');
            while (c == null && dot > 0) {
                c = allowed.get(full.substring(0, dot) + ".*");
                dot = full.lastIndexOf('.', dot - 1);
            }
            if (c instanceof PrefixConstructor p) c = p.forClass(full);
        }
        if (c == null) throw new DisallowedGlobalException(full);
        return c;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (persistentLoader == null) throw new PickleException("unexpected persistent id in this pickle");
        return persistentLoader.apply(pid);
    }

    /** An allow-list entry for a family of classes ("pkg.*"), told the full name it is building. */
    interface PrefixConstructor extends IObjectConstructor {
        IObjectConstructor forClass(String fullName);

        @Override
        default Object construct(Object[] args) {
            throw new PickleException("prefix constructor used directly");
        }
    }

    /** A global outside the allow-list; the message names it. */
    static final class DisallowedGlobalException extends PickleException {
        final String global;

        DisallowedGlobalException(String global) {
            this(global, "refused Python global '" + global + "': not on the allow-list of data types"
                    + " (a checkpoint is data, never code)");
        }

        private DisallowedGlobalException(String global, String message) {
            super(message);
            this.global = global;
        }

        /** A class-referencing opcode (INST, OBJ, EXT*) that this reader refuses; {@code global} if it names one. */
        static DisallowedGlobalException opcode(short key, String global) {
            return new DisallowedGlobalException(global, "refused pickle opcode 0x" + Integer.toHexString(key)
                    + (global == null ? "" : " naming '" + global + "'")
                    + " (a class reference this reader does not accept; a checkpoint is data, never code)");
        }
    }

    /** collections.OrderedDict; keeps torch's {@code _metadata} attribute that BUILD sets. */
    public static final class PyOrderedDict extends LinkedHashMap<Object, Object> {
        private Object metadata;

        public void __setstate__(LinkedHashMap<?, ?> state) {
            metadata = state.get("_metadata");
        }

        Object metadata() {
            return metadata;
        }
    }

    /** An object of a data class (argparse.Namespace, a TorchScript module): a class name and attributes. */
    public static final class PyObject {
        final String className;
        final Map<Object, Object> attributes = new LinkedHashMap<>();

        PyObject(String className) {
            this.className = className;
        }

        public void __setstate__(LinkedHashMap<?, ?> state) {
            attributes.putAll(state);
        }

        public void __setstate__(Object[] state) {
            // (dict, slotstate) form; take the dict part when present
            if (state.length > 0 && state[0] instanceof Map<?, ?> m) attributes.putAll(m);
            if (state.length > 1 && state[1] instanceof Map<?, ?> m) attributes.putAll(m);
        }

        @Override
        public String toString() {
            return className + attributes.keySet();
        }
    }
}
