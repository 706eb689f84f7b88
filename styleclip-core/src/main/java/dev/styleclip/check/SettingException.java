package dev.styleclip.check;

/**
 * A setting (an option of a command, a field of a settings record, a field of a web request) given a value it
 * cannot take. {@link #setting()} is the setting's name as the command line spells it without the dashes
 * ({@code lr}, {@code l2-lambda}, {@code save-every}), so that every front end can name it its own way: the CLI
 * says {@code --lr must be ...}, the Java API {@code lr must be ...}.
 */
public final class SettingException extends IllegalArgumentException {
    private final String setting;
    private final String problem;

    /**
     * @param setting the setting's name, e.g. {@code l2-lambda}
     * @param problem what is wrong, phrased to follow the name, e.g. {@code must be a finite number of 0 or more, not NaN}
     */
    public SettingException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public String setting() {
        return setting;
    }

    /** What is wrong, without the setting's name. */
    public String problem() {
        return problem;
    }

    /** The message with the setting named as a front end names it, e.g. {@code withName("--lr")}. */
    public String withName(String name) {
        return name + " " + problem;
    }
}
