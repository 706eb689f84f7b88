package dev.styleclip.optim;

import java.util.Locale;

/** The coach's optimizers ({@code --optim_name}): anything but "adam" is Ranger, as in coach.py. */
public enum OptimizerName {
    RANGER,
    ADAM;

    /** The name as the reference's opts store it: "ranger" or "adam". */
    public String optName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** coach.configure_optimizers: "adam" selects Adam, every other value Ranger. */
    public static OptimizerName fromOptName(String s) {
        return "adam".equals(s) ? ADAM : RANGER;
    }

    /** Strict parsing for the command line: "ranger" or "adam". */
    public static OptimizerName parse(String s) {
        for (OptimizerName o : values()) if (o.optName().equals(s.trim().toLowerCase(Locale.ROOT))) return o;
        throw new IllegalArgumentException("unknown optimizer '" + s + "' (expected ranger or adam)");
    }
}
