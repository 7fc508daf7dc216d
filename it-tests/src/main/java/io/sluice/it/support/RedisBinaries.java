package io.sluice.it.support;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which {@code redis-server} {@link LocalRedis} runs. */
public enum RedisBinaries {
    /** The machine's {@code redis-server} if it has one, otherwise {@link #EMBEDDED}. */
    AUTO,
    /** {@code redis-server} on PATH (e.g. Debian's package, Redis 7); fails if there is none. */
    SYSTEM,
    /** The linux-amd64 {@code redis-server} (Redis 6.2) inside the {@code com.github.codemonstur:embedded-redis} jar. */
    EMBEDDED;

    /** The system property that chooses the binary: {@code auto} (default), {@code system} or {@code embedded}. */
    public static final String PROPERTY = "sluice.it.redis";

    /** The choice made by the {@value #PROPERTY} system property; an unknown value fails rather than defaulting. */
    public static RedisBinaries fromSystemProperty() {
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
