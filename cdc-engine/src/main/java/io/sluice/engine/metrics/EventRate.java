package io.sluice.engine.metrics;

import java.time.Clock;
import java.util.Objects;

/**
 * A short moving rate: events per second over the last {@value #WINDOW_SECONDS} whole seconds, kept in one bucket
 * per second. The second in progress is left out, so the rate does not dip at the start of every second.
 *
 * <p>Added to once per delivered batch, read by the admin endpoint: both synchronize on the instance.
 */
final class EventRate {
    static final int WINDOW_SECONDS = 10;

    private final Clock clock;
    /** One bucket per second; the extra one holds the second in progress. */
    private final long[] buckets = new long[WINDOW_SECONDS + 1];
    private long currentSecond;

    EventRate(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.currentSecond = second();
    }

    synchronized void add(long events) {
        roll();
        buckets[index(currentSecond)] += events;
    }

    synchronized double perSecond() {
        roll();
        long sum = 0;
        for (int i = 1; i <= WINDOW_SECONDS; i++) {
            sum += buckets[index(currentSecond - i)];
        }
        return (double) sum / WINDOW_SECONDS;
    }

    /** Empties the buckets of the seconds that passed since the last call. */
    private void roll() {
        long now = second();
        if (now <= currentSecond) {
            return;
        }
        long passed = Math.min(now - currentSecond, buckets.length);
        for (long s = now - passed + 1; s <= now; s++) {
            buckets[index(s)] = 0;
        }
        currentSecond = now;
    }

    private int index(long second) {
        return (int) Math.floorMod(second, (long) buckets.length);
    }

    private long second() {
        return Math.floorDiv(clock.millis(), 1000L);
    }
}
