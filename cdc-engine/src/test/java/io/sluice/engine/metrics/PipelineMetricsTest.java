package io.sluice.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.engine.PipelineState;
import io.sluice.engine.TestEvents;
import io.sluice.engine.event.ChangeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PipelineMetrics metrics = new PipelineMetrics("orders", registry, clock);

    @Test
    void receivedEventsAreCountedPerTable() {
        metrics.received(List.of(order(1, 10), order(2, 10), customer(3, 11), order(4, 12)));

        assertThat(count("sluice.events.received", "public.orders")).isEqualTo(3);
        assertThat(count("sluice.events.received", "public.customers")).isEqualTo(1);
        assertThat(metrics.receivedCount()).isEqualTo(4);
        assertThat(metrics.lastReceivedLsn()).hasValue(12);
    }

    @Test
    void eventsMissingAfterTheTransformsAreCountedAsFilteredPerTable() {
        ChangeEvent kept = order(1, 10);
        List<ChangeEvent> before = List.of(kept, order(2, 10), customer(3, 11), customer(4, 11));

        metrics.filtered(before, List.of(kept, before.get(2)));

        assertThat(count("sluice.events.filtered", "public.orders")).isEqualTo(1);
        assertThat(count("sluice.events.filtered", "public.customers")).isEqualTo(1);
    }

    @Test
    void nothingIsCountedAsFilteredWhenTheTransformsKeptEverything() {
        List<ChangeEvent> events = List.of(order(1, 10));

        metrics.filtered(events, events);

        assertThat(registry.find("sluice.events.filtered").counter()).isNull();
    }

    @Test
    void queueDepthIsTheEventsHeldPlusTheEventsInFlight() {
        metrics.held(7);
        metrics.inFlight(100);

        assertThat(registry.get("sluice.queue.depth").tag("pipeline", "orders").gauge().value()).isEqualTo(107);

        metrics.inFlight(0);
        assertThat(metrics.queueDepth()).isEqualTo(7);
    }

    @Test
    void stateSeriesShowOneForTheCurrentStateOnly() {
        AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.STARTING);
        metrics.bindState(state::get);

        assertThat(stateValue("starting")).isEqualTo(1);
        assertThat(stateValue("streaming")).isZero();
        assertThat(registry.get("sluice.pipeline.up").gauge().value()).isZero();

        state.set(PipelineState.STREAMING);
        assertThat(stateValue("starting")).isZero();
        assertThat(stateValue("streaming")).isEqualTo(1);
        assertThat(registry.get("sluice.pipeline.up").gauge().value()).isEqualTo(1);
        assertThat(registry.find("sluice.pipeline.state").gauges()).hasSize(6);
    }

    @Test
    void slotGaugesReadTheirSuppliersAtEachScrape() {
        double[] retained = {Double.NaN};
        metrics.bindSlot(() -> retained[0], () -> 42);

        assertThat(registry.get("sluice.slot.retained.wal").gauge().value()).isNaN();
        retained[0] = 4096;
        assertThat(registry.get("sluice.slot.retained.wal").gauge().value()).isEqualTo(4096);
        assertThat(registry.get("sluice.slot.lag").gauge().value()).isEqualTo(42);
    }

    @Test
    void acknowledgedBatchesMoveTheRateAndTheAcknowledgedPosition() {
        for (int second = 0; second < 10; second++) {
            metrics.acknowledged(List.of(order(second, 100 + second)), 20);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(metrics.eventsPerSecond()).isEqualTo(20.0);
        assertThat(metrics.lastAcknowledgedLsn()).hasValue(109);
        assertThat(metrics.acknowledgedCount()).isEqualTo(10);
    }

    @Test
    void aSinkRetryingBecomesThePipelinesLastError() {
        metrics.sink("redis").retrying("Redis at 127.0.0.1:6379 unreachable");

        assertThat(metrics.lastError()).hasValueSatisfying(problem -> {
            assertThat(problem.message()).isEqualTo("sink redis: Redis at 127.0.0.1:6379 unreachable");
            assertThat(problem.at()).isEqualTo(clock.instant());
        });
    }

    private double count(String meter, String table) {
        return registry.get(meter).tags("pipeline", "orders", "table", table).counter().count();
    }

    private double stateValue(String state) {
        return registry.get("sluice.pipeline.state").tags("pipeline", "orders", "state", state).gauge().value();
    }

    private static ChangeEvent order(long id, long version) {
        return TestEvents.upsert(id, "new", version);
    }

    private static ChangeEvent customer(long id, long version) {
        return TestEvents.upsert(TestEvents.CUSTOMERS, id, "x", version);
    }
}
