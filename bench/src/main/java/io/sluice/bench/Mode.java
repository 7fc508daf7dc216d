package io.sluice.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What is measured; see bench/README.md for how each is measured. */
public enum Mode {
    /** Sluice running while the rows are inserted and then updated. */
    STREAMING,
    /** The same changes written while Sluice is stopped, then its catch-up. */
    BACKLOG,
    /** The initial snapshot of a pre-filled table. */
    SNAPSHOT,
    /** Commit-to-sink latency at fixed offered rates. */
    LATENCY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String text) {
        for (Mode mode : values()) {
            if (mode.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text.trim() + "'; use "
                + Arrays.stream(values()).map(Mode::label).collect(Collectors.joining(", ")));
    }
}
