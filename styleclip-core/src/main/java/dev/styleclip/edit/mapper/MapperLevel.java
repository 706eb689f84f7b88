package dev.styleclip.edit.mapper;

import dev.styleclip.check.SettingException;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The three parts of W+ that {@code LevelsMapper} (StyleCLIP mapper/latent_mappers.py) maps separately: rows
 * [0, 4) coarse, [4, 8) medium, [8, L) fine. Each has its own sub-mapper, stored under the reference's attribute
 * name (note the reference's spelling "course_mapping").
 */
public enum MapperLevel {
    COARSE("course_mapping", 0, 4),
    MEDIUM("medium_mapping", 4, 8),
    FINE("fine_mapping", 8, Integer.MAX_VALUE);

    /** Attribute name in LevelsMapper, hence the key prefix in its state dict. */
    public final String attribute;
    /** First W+ row of the level. */
    public final int firstRow;
    /** One past the last W+ row (capped at the number of rows). */
    private final int endRow;

    MapperLevel(String attribute, int firstRow, int endRow) {
        this.attribute = attribute;
        this.firstRow = firstRow;
        this.endRow = endRow;
    }

    /** Number of W+ rows of this level for a latent with {@code nLatent} rows (0 if it has too few). */
    public int rows(int nLatent) {
        return Math.max(0, Math.min(endRow, nLatent) - Math.min(firstRow, nLatent));
    }

    /** Lower-case name as on the command line: coarse, medium, fine. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A level by its label (any case, surrounding blanks ignored); an unknown name is an IllegalArgumentException. */
    public static MapperLevel parse(String s) {
        for (MapperLevel l : values()) if (l.label().equals(s.trim().toLowerCase(Locale.ROOT))) return l;
        throw new IllegalArgumentException("unknown mapper level '" + s + "' (expected coarse, medium or fine)");
    }

    /**
     * The levels named in a {@code levels} setting (as {@code --levels coarse,medium} gives them), in level order.
     *
     * @throws SettingException naming {@code levels} when a name is unknown or none is given
     */
    public static Set<MapperLevel> parseLevels(Collection<String> names) {
        Set<MapperLevel> out = EnumSet.noneOf(MapperLevel.class);
        for (String n : names) {
            try {
                out.add(parse(n));
            } catch (IllegalArgumentException e) {
                throw new SettingException("levels", "must name coarse, medium or fine, not '" + n + "'");
            }
        }
        if (out.isEmpty()) throw new SettingException("levels", "needs at least one of coarse, medium, fine");
        return out;
    }

    /** Every level: coarse, medium and fine. */
    public static Set<MapperLevel> all() {
        return EnumSet.allOf(MapperLevel.class);
    }
}
