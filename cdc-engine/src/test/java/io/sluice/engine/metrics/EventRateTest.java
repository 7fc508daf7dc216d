package io.sluice.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventRateTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    private final EventRate rate = new EventRate(clock);

    @Test
    void theSecondInProgressIsNotCountedYet() {
        rate.add(50);

        assertThat(rate.perSecond()).isZero();
    }

    @Test
    void averagesTheEventsOfTheLastTenWholeSeconds() {
        for (int i = 0; i < 10; i++) {
            rate.add(30);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(rate.perSecond()).isEqualTo(30.0);
    }

    @Test
    void eventsOlderThanTheWindowDropOut() {
        rate.add(1000);
        clock.advance(Duration.ofSeconds(5));
        rate.add(100);
        clock.advance(Duration.ofSeconds(1));

        assertThat(rate.perSecond()).isEqualTo(110.0);

        clock.advance(Duration.ofSeconds(5));
        assertThat(rate.perSecond()).isEqualTo(10.0);

        clock.advance(Duration.ofMinutes(3));
        assertThat(rate.perSecond()).isZero();
    }
}
