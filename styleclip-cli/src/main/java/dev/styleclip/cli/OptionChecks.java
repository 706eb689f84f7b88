package dev.styleclip.cli;

import dev.styleclip.check.SettingException;
import dev.styleclip.stylegan2.LatentSpace;

/** Parsing of option values that several commands share; a bad value is a {@link SettingException} naming the option (exit 2). */
final class OptionChecks {
    private OptionChecks() {
    }

    /** z, w or w+. */
    static LatentSpace latentSpace(String setting, String value) {
        try {
            return LatentSpace.parse(value);
        } catch (IllegalArgumentException e) {
            throw new SettingException(setting, "must be z, w or w+, not " + value);
        }
    }
}
