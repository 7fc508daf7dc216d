package io.sluice.config.sink;

import java.time.Duration;

/**
 * How a sink is retried after a transient failure (server down, overloaded, timed out): exponential backoff with
 * jitter, for as long as it takes. The pipeline waits meanwhile and reads nothing more from the source, so an outage
 * pauses it instead of filling memory; events a sink rejects for good go to its {@code on-failure} policy instead.
 *
 * @param initialBackoff the bound of the first delay (default 200ms)
 * @param maxBackoff     the largest delay between two attempts (default 30s); the bound doubles per attempt up to it
 */
public record RetryConfig(Duration initialBackoff, Duration maxBackoff) {
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    public RetryConfig {
        initialBackoff = initialBackoff == null ? DEFAULT_INITIAL_BACKOFF : initialBackoff;
        maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
    }
}
