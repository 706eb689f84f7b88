package dev.styleclip.cli;

/** A command whose help ends with text computed from the library (e.g. the defaults of its presets). */
interface HelpFooter {
    String[] helpFooter();
}
