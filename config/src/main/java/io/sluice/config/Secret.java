package io.sluice.config;

import java.util.Objects;

/**
 * A configuration value that must never be shown: passwords, tokens, keys. {@link #toString()} is masked so a
 * secret cannot leak through a log line, an error message or a record's generated {@code toString()}. In YAML a
 * secret is any scalar ({@code password: 123456} included); {@link ConfigLoader} binds it.
 */
public final class Secret {
    private static final String MASK = "******";
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The clear value, for the one place that hands it to a client library. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
