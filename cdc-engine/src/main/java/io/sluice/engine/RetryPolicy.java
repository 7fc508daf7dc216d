package io.sluice.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter, shared by every place that waits before trying again (sink writes,
 * connecting at start-up). Full jitter spreads retries of many pipelines so a recovering server is not hit by all
 * of them at the same instant.
 *
 * @param initial    delay before the first retry
 * @param max        upper bound of any delay
 * @param multiplier growth of the delay bound per attempt
 */
public record RetryPolicy(Duration initial, Duration max, double multiplier) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0);

    public RetryPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("need 0 < initial <= max and multiplier >= 1");
        }
    }

    /**
     * The delay before retry number {@code attempt} (0 for the first retry): a random value between half the
     * exponential bound and the bound, so delays still grow while being spread out.
     */
    public Duration delay(int attempt, RandomGenerator random) {
        double bound = initial.toMillis() * Math.pow(multiplier, Math.min(attempt, 62));
        long boundMillis = (long) Math.min(bound, max.toMillis());
        long half = boundMillis / 2;
        return Duration.ofMillis(half + random.nextLong(boundMillis - half + 1));
    }
}
