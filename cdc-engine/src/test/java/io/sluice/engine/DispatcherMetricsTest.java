package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.SinkHealth;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.transform.Transforms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the dispatcher reports to the pipeline's metrics while it delivers. */
class DispatcherMetricsTest {
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 2.0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineMetrics metrics = new PipelineMetrics("orders", registry);
    private final StopSignal stop = new StopSignal();
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void closeDispatchers() {
        dispatchers.forEach(Dispatcher::close);
    }

    @Test
    void everySinkCountsTheEventsOfItsTablesAsDelivered() throws Exception {
        Dispatcher dispatcher = dispatcher(
                new SinkBinding("all", sink(batch -> WriteResult.allApplied()), FailurePolicy.FAIL, TableSelection.ALL, 2,
                        null),
                new SinkBinding("customers", sink(batch -> WriteResult.allApplied()), FailurePolicy.FAIL,
                        TableSelection.of(List.of("public.customers")), 10, null));

        dispatcher.deliver(List.of(TestEvents.upsert(1, "a", 10), TestEvents.upsert(TestEvents.CUSTOMERS, 2, "b", 10),
                TestEvents.upsert(3, "c", 11), TestEvents.delete(1, 12), TestEvents.upsert(4, "d", 12)));

        assertThat(delivered("all", "public.orders")).isEqualTo(4);
        assertThat(delivered("all", "public.customers")).isEqualTo(1);
        assertThat(delivered("customers", "public.customers")).isEqualTo(1);
        assertThat(registry.find("sluice.events.delivered").tags("sink", "customers", "table", "public.orders")
                .counter()).isNull();
        assertThat(registry.get("sluice.events.received").tag("table", "public.orders").counter().count())
                .isEqualTo(4);
        assertThat(registry.get("sluice.sink.batch.size").tag("sink", "all").summary().count()).isEqualTo(3);
        assertThat(metrics.lastAcknowledgedLsn()).hasValue(12);
        assertThat(metrics.queueDepth()).isZero();
    }

    @Test
    void whileASinkIsRetriedItIsDownAndTheBatchCountsInTheQueue() throws Exception {
        CountDownLatch failedTwice = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Sink flaky = sink(batch -> {
            if (release.getCount() > 0) {
                failedTwice.countDown();
                throw new RetriableSinkException("Redis at 127.0.0.1:6379 unreachable");
            }
            return WriteResult.allApplied();
        });
        Dispatcher dispatcher = dispatcher(new SinkBinding("redis", flaky));
        List<ChangeEvent> batch = List.of(TestEvents.upsert(1, "a", 10), TestEvents.upsert(2, "b", 11));
        CompletableFuture<Void> delivery = CompletableFuture.runAsync(() -> {
            try {
                dispatcher.deliver(batch);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(failedTwice.await(10, TimeUnit.SECONDS)).isTrue();
        SinkHealth down = metrics.sink("redis").health();
        assertThat(down.up()).isFalse();
        assertThat(down.lastProblem()).contains("unreachable");
        assertThat(metrics.queueDepth()).isEqualTo(2);
        assertThat(registry.get("sluice.sink.retries").counter().count()).isGreaterThanOrEqualTo(1);

        release.countDown();
        delivery.get(10, TimeUnit.SECONDS);

        assertThat(metrics.sink("redis").health().up()).isTrue();
        assertThat(metrics.queueDepth()).isZero();
        assertThat(delivered("redis", "public.orders")).as("acknowledged once, not once per attempt").isEqualTo(2);
    }

    @Test
    void eventsTheRowFilterDropsCountAsFilteredNotDelivered() throws Exception {
        TransformConfig filter = new TransformConfig(List.of("public.orders"), null, null, null, null, null, null,
                "status = 'keep'", null, null, null);
        Dispatcher dispatcher = new Dispatcher("orders", Transforms.of("orders", List.of(filter)),
                List.of(new SinkBinding("s0", sink(batch -> WriteResult.allApplied()))), null, FAST, stop, new Random(1),
                metrics);
        dispatchers.add(dispatcher);

        dispatcher.deliver(List.of(insert(1, "keep"), insert(2, "drop"), insert(3, "drop")));

        assertThat(registry.get("sluice.events.filtered").counter().count()).isEqualTo(2);
        assertThat(delivered("s0", "public.orders")).isEqualTo(1);
        assertThat(registry.get("sluice.events.received").counter().count()).isEqualTo(3);
    }

    private static ChangeEvent insert(long id, String status) {
        return EventBuilder.insert(TestEvents.ORDERS).key("id", id).column("status", status).version(10 + id).build();
    }

    private Dispatcher dispatcher(SinkBinding... bindings) {
        Dispatcher dispatcher = new Dispatcher("orders", Transforms.NONE, List.of(bindings), null, FAST, stop,
                new Random(1), metrics);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    private double delivered(String sink, String table) {
        return registry.get("sluice.events.delivered").tags("pipeline", "orders", "sink", sink, "table", table)
                .counter().count();
    }

    /** The sinks of these tests only write. */
    @FunctionalInterface
    private interface Writes {
        WriteResult write(List<ChangeEvent> batch) throws SinkException;
    }

    private static Sink sink(Writes writes) {
        return new Sink() {
            @Override
            public void open() {
            }

            @Override
            public WriteResult write(List<ChangeEvent> batch) throws SinkException {
                return writes.write(batch);
            }

            @Override
            public void close() {
            }
        };
    }
}
