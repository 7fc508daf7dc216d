package io.sluice.it.support;

import java.time.Duration;
import java.time.Instant;

/** The end of a bounded wait, for readiness polling loops. */
record Deadline(Instant at, Duration timeout) {

    static Deadline in(Duration timeout) {
        return new Deadline(Instant.now().plus(timeout), timeout);
    }

    boolean hasPassed() {
        return !Instant.now().isBefore(at);
    }

    /** Waits {@code interval} before the next poll, never past the deadline. */
    void pause(Duration interval) {
        long millis = Math.min(interval.toMillis(), Math.max(0, Duration.between(Instant.now(), at).toMillis()));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalServerException("interrupted while waiting for a local server", e);
        }
    }
}
