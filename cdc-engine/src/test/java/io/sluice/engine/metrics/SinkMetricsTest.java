package io.sluice.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.engine.TestEvents;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SinkMetricsTest {
    /** Ten seconds after the commit time of {@link TestEvents}. */
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T10:15:40Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SinkMetrics sink = new PipelineMetrics("orders", registry, clock).sink("kafka");

    @Test
    void aSuccessfulWriteCountsEveryEventPerTableWithItsBatchSizeAndDuration() {
        sink.wrote(List.of(order(1), order(2), customer(3), order(4)), WriteResult.allApplied(),
                TimeUnit.MILLISECONDS.toNanos(12));

        assertThat(delivered("public.orders")).isEqualTo(3);
        assertThat(delivered("public.customers")).isEqualTo(1);
        assertThat(registry.get("sluice.sink.batch.size").summary().totalAmount()).isEqualTo(4);
        Timer writes = registry.get("sluice.sink.write").tags("pipeline", "orders", "sink", "kafka").timer();
        assertThat(writes.count()).isEqualTo(1);
        assertThat(writes.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12);
    }

    @Test
    void eventsThatFailedAreNotCountedAsDeliveredAndPermanentOnesCountAsFailures() {
        WriteResult result = new WriteResult(List.of(new EventFailure(0, true, "throttled"),
                new EventFailure(2, false, "mapping conflict")));

        sink.wrote(List.of(order(1), order(2), order(3), order(4)), result, 1);

        assertThat(delivered("public.orders")).isEqualTo(2);
        assertThat(registry.get("sluice.sink.failures").counter().count()).isEqualTo(1);
    }

    @Test
    void latencyRunsFromTheCommitTimeToTheAcknowledgementForStreamedChangesOnly() {
        ChangeEvent snapshotRead = EventBuilder.read(TestEvents.ORDERS).key("id", 9L).version(5).build();

        sink.wrote(List.of(order(1), order(2), snapshotRead), WriteResult.allApplied(), 1);

        Timer latency = registry.get("sluice.end.to.end.latency").timer();
        assertThat(latency.count()).isEqualTo(2);
        assertThat(latency.max(TimeUnit.SECONDS)).isEqualTo(10.0);
    }

    @Test
    void aRetriedSinkIsDownSinceItsFirstRetryAndUpAgainAfterASuccessfulWrite() {
        Instant firstRetry = clock.instant();
        sink.retrying("connection refused");
        clock.advance(Duration.ofSeconds(3));
        sink.writeFailed(4, 1);
        sink.retrying("connection reset");

        SinkHealth down = sink.health();
        assertThat(down.up()).isFalse();
        assertThat(down.since()).isEqualTo(firstRetry);
        assertThat(down.lastProblem()).isEqualTo("connection reset");
        assertThat(gauge("sluice.sink.up")).isZero();
        assertThat(registry.get("sluice.sink.retries").counter().count()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(2));
        sink.wrote(List.of(order(1)), WriteResult.allApplied(), 1);

        SinkHealth up = sink.health();
        assertThat(up.up()).isTrue();
        assertThat(up.since()).isEqualTo(clock.instant());
        assertThat(up.lastProblem()).as("kept for the status").isEqualTo("connection reset");
        assertThat(gauge("sluice.sink.up")).isEqualTo(1);
    }

    @Test
    void aWriteWithTransientFailuresLeavesTheSinkDown() {
        sink.retrying("throttled");

        sink.wrote(List.of(order(1), order(2)), new WriteResult(List.of(new EventFailure(1, true, "throttled"))), 1);

        assertThat(sink.health().up()).isFalse();
    }

    @Test
    void deadLettersAreCountedPerSink() {
        sink.deadLettered(3);

        assertThat(registry.get("sluice.dead.letters").tags("pipeline", "orders", "sink", "kafka").counter().count())
                .isEqualTo(3);
    }

    @Test
    void everySinkSeriesExistsFromTheStartAtZero() {
        for (String meter : List.of("sluice.sink.retries", "sluice.sink.failures", "sluice.dead.letters")) {
            assertThat(registry.get(meter).tags("pipeline", "orders", "sink", "kafka").counter().count())
                    .as(meter).isZero();
        }
        assertThat(gauge("sluice.sink.up")).isEqualTo(1);
    }

    private double delivered(String table) {
        return registry.get("sluice.events.delivered").tags("pipeline", "orders", "sink", "kafka", "table", table)
                .counter().count();
    }

    private double gauge(String meter) {
        return registry.get(meter).tags("pipeline", "orders", "sink", "kafka").gauge().value();
    }

    private static ChangeEvent order(long id) {
        return TestEvents.upsert(id, "new", 10);
    }

    private static ChangeEvent customer(long id) {
        return TestEvents.upsert(TestEvents.CUSTOMERS, id, "x", 10);
    }
}
