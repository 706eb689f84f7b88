package dev.styleclip.check;

import java.util.Locale;

/**
 * The checks of numeric settings that every front end shares (the command line, the Java API, the web API): each
 * returns the value when it is acceptable and otherwise throws a {@link SettingException} naming the setting, what
 * it must be and the value it got. NaN and the infinities fail every check that asks for a number.
 */
public final class Checks {
    private Checks() {
    }

    /** Any finite number. */
    public static double finite(String setting, double v) {
        if (!Double.isFinite(v)) throw new SettingException(setting, "must be a finite number, not " + show(v));
        return v;
    }

    /** A finite number above 0. */
    public static double positive(String setting, double v) {
        if (!Double.isFinite(v) || v <= 0) throw new SettingException(setting, "must be a finite number above 0, not " + show(v));
        return v;
    }

    /** A finite number of 0 or more. */
    public static double nonNegative(String setting, double v) {
        if (!Double.isFinite(v) || v < 0) throw new SettingException(setting, "must be a finite number of 0 or more, not " + show(v));
        return v;
    }

    /** A number in [lo, hi]. */
    public static double closed(String setting, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new SettingException(setting, "must lie in [" + show(lo) + ", " + show(hi) + "], not " + show(v));
        return v;
    }

    /** A number in (lo, hi]. */
    public static double openClosed(String setting, double v, double lo, double hi) {
        if (!(v > lo && v <= hi)) throw new SettingException(setting, "must lie in (" + show(lo) + ", " + show(hi) + "], not " + show(v));
        return v;
    }

    /** A whole number of at least {@code min}. */
    public static int atLeast(String setting, int v, int min) {
        if (v < min) throw new SettingException(setting, "must be " + min + " or more, not " + v);
        return v;
    }

    /** A whole number in [min, max]. */
    public static int between(String setting, int v, int min, int max) {
        if (v < min || v > max) throw new SettingException(setting, "must lie in [" + min + ", " + max + "], not " + v);
        return v;
    }

    /** A value that must be given. */
    public static <T> T given(String setting, T v) {
        if (v == null) throw new SettingException(setting, "must be given");
        return v;
    }

    /** How a number shows in a message: integers without ".0", NaN and infinities as Java spells them. */
    static String show(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%d", (long) v);
        return Double.toString(v);
    }
}
