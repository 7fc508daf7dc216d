package io.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.engine.transform.Transforms;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 2.0);
    private final StopSignal stop = new StopSignal();
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void closeDispatchers() {
        dispatchers.forEach(Dispatcher::close);
    }

    @Test
    void deliversEveryEventToEverySinkInOrder() throws Exception {
        ScriptedSink a = new ScriptedSink();
        ScriptedSink b = new ScriptedSink();
        List<ChangeEvent> events = List.of(TestEvents.upsert(1, "new", 10), TestEvents.upsert(2, "new", 11),
                TestEvents.delete(1, 12));

        dispatcher(3, a, b).deliver(events);

        assertThat(a.applied).containsExactlyElementsOf(events);
        assertThat(b.applied).containsExactlyElementsOf(events);
    }

    @Test
    void splitsLargeDeliveriesIntoBatchesOfAtMostMaxSize() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(TestEvents.upsert(i, "s", 100 + i));
        }

        dispatcher(3, sink).deliver(events);

        assertThat(sink.batchSizes).containsExactly(3, 3, 1);
        assertThat(sink.applied).containsExactlyElementsOf(events);
    }

    @Test
    void retriesABatchThatFailedTransientlyUntilItIsApplied() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> {
            throw new RetriableSinkException("connection refused");
        });
        sink.script.add(batch -> {
            throw new RetriableSinkException("connection refused");
        });
        List<ChangeEvent> events = List.of(TestEvents.upsert(1, "new", 10));

        Dispatcher dispatcher = dispatcher(10, sink);
        dispatcher.deliver(events);

        assertThat(sink.batchSizes).containsExactly(1, 1, 1);
        assertThat(sink.applied).containsExactlyElementsOf(events);
        assertThat(dispatcher.deliveredCount()).isEqualTo(1);
    }

    @Test
    void retriesOnlyTheEventsThatFailedTransiently() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(1, true, "throttled"))));
        ChangeEvent first = TestEvents.upsert(1, "a", 10);
        ChangeEvent second = TestEvents.upsert(2, "b", 11);

        dispatcher(10, sink).deliver(List.of(first, second));

        assertThat(sink.batchSizes).containsExactly(2, 1);
        assertThat(sink.lastBatch).containsExactly(second);
    }

    @Test
    void permanentlyRejectedEventStopsDeliveryWithAMessageNamingPipelineSinkAndTable() {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "record too large"))));

        assertThatThrownBy(() -> dispatcher(10, sink).deliver(List.of(TestEvents.upsert(7, "x", 10))))
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("pipeline 'orders'")
                .hasMessageContaining("sink s0")
                .hasMessageContaining("public.orders")
                .hasMessageContaining("record too large");
    }

    @Test
    void eachSinkReceivesOnlyTheEventsOfItsTablesInItsOwnBatchSize() throws Exception {
        ScriptedSink everything = new ScriptedSink();
        ScriptedSink ordersOnly = new ScriptedSink();
        ChangeEvent order1 = TestEvents.upsert(1, "new", 10);
        ChangeEvent customer = TestEvents.upsert(TestEvents.CUSTOMERS, 5, "x", 11);
        ChangeEvent order2 = TestEvents.upsert(2, "new", 12);
        ChangeEvent order3 = TestEvents.delete(1, 13);
        Dispatcher dispatcher = new Dispatcher("orders", List.of(
                new SinkBinding("all", everything, FailurePolicy.FAIL, TableSelection.ALL, 10, null),
                new SinkBinding("orders", ordersOnly, FailurePolicy.FAIL, TableSelection.of(List.of("public.ord*")),
                        2, null)), FAST, stop, new Random(1));
        dispatchers.add(dispatcher);

        dispatcher.deliver(List.of(order1, customer, order2, order3));

        assertThat(everything.applied).containsExactly(order1, customer, order2, order3);
        assertThat(everything.batchSizes).containsExactly(4);
        assertThat(ordersOnly.applied).containsExactly(order1, order2, order3);
        assertThat(ordersOnly.batchSizes).containsExactly(2, 1);
        assertThat(dispatcher.deliveredCount()).isEqualTo(4);
    }

    @Test
    void aSinkWithNoEventOfItsTablesIsNotCalled() throws Exception {
        ScriptedSink customersOnly = new ScriptedSink();
        Dispatcher dispatcher = new Dispatcher("orders", List.of(new SinkBinding("customers", customersOnly,
                FailurePolicy.FAIL, TableSelection.of(List.of("public.customers")), 10, null)), FAST, stop,
                new Random(1));
        dispatchers.add(dispatcher);

        dispatcher.deliver(List.of(TestEvents.upsert(1, "new", 10)));

        assertThat(customersOnly.batchSizes).isEmpty();
        assertThat(dispatcher.deliveredCount()).isEqualTo(1);
    }

    @Test
    void aSinkRetriesWithItsOwnBackoff() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> {
            throw new RetriableSinkException("connection refused");
        });
        // The pipeline's default would wait 30 s; the sink's own backoff waits 1 ms.
        Dispatcher dispatcher = new Dispatcher("orders", List.of(new SinkBinding("s0", sink, FailurePolicy.FAIL,
                TableSelection.ALL, 10, new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 2.0))),
                new RetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30), 1.0), stop, new Random(1));
        dispatchers.add(dispatcher);
        ChangeEvent event = TestEvents.upsert(1, "x", 1);

        CompletableFuture<Void> delivery = CompletableFuture.runAsync(() -> {
            try {
                dispatcher.deliver(List.of(event));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        delivery.get(10, TimeUnit.SECONDS);
        assertThat(sink.applied).containsExactly(event);
    }

    @Test
    void permanentlyRejectedEventIsSkippedAndCountedUnderTheSkipPolicy() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "mapping conflict"))));
        ChangeEvent poison = TestEvents.upsert(7, "x", 10);
        ChangeEvent fine = TestEvents.upsert(8, "y", 11);
        Dispatcher dispatcher = new Dispatcher("orders",
                List.of(new SinkBinding("s0", sink, io.sluice.config.sink.FailurePolicy.SKIP)), FAST, stop,
                new Random(1));
        dispatchers.add(dispatcher);

        dispatcher.deliver(List.of(poison, fine));

        assertThat(sink.applied).containsExactly(fine);
        assertThat(sink.batchSizes).containsExactly(2);
        assertThat(dispatcher.skippedCount()).isEqualTo(1);
        assertThat(dispatcher.deliveredCount()).isEqualTo(2);
    }

    @Test
    void permanentlyRejectedEventIsDeadLetteredCountedAndDeliveryGoesOn() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "mapping conflict"))));
        ScriptedTarget target = new ScriptedTarget();
        ChangeEvent poison = TestEvents.upsert(7, "x", 10);
        ChangeEvent fine = TestEvents.upsert(8, "y", 11);
        Dispatcher dispatcher = deadLettering(sink, target);

        dispatcher.deliver(List.of(poison, fine));

        assertThat(target.stored).containsExactly(new DeadLetter("orders", "s0", poison, "mapping conflict"));
        assertThat(sink.applied).containsExactly(fine);
        assertThat(dispatcher.deadLetteredCount()).isEqualTo(1);
        assertThat(dispatcher.skippedCount()).isZero();
        assertThat(dispatcher.deliveredCount()).isEqualTo(2);
    }

    @Test
    void deliveryWaitsUntilTheDeadLetterTargetAcknowledged() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "WRONGTYPE"))));
        ScriptedTarget target = new ScriptedTarget();
        target.down = true;
        Dispatcher dispatcher = deadLettering(sink, target);
        CompletableFuture<Void> delivery = CompletableFuture.runAsync(() -> {
            try {
                dispatcher.deliver(List.of(TestEvents.upsert(7, "x", 10)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(target.attempts.await(10, TimeUnit.SECONDS)).as("the target was tried three times").isTrue();

        assertThat(delivery).as("delivery (and so the offset) waits for the target").isNotDone();
        assertThat(dispatcher.deadLetteredCount()).isZero();
        target.down = false;

        delivery.get(10, TimeUnit.SECONDS);
        assertThat(target.stored).hasSize(1);
        assertThat(dispatcher.deadLetteredCount()).isEqualTo(1);
    }

    @Test
    void deadLetterTargetThatRefusesForGoodFailsDeliveryNamingTheEvent() {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "record too large"))));
        ScriptedTarget target = new ScriptedTarget();
        target.refusal = "the topic does not take records that large";
        Dispatcher dispatcher = deadLettering(sink, target);

        assertThatThrownBy(() -> dispatcher.deliver(List.of(TestEvents.upsert(7, "x", 10))))
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("pipeline 'orders', sink s0: public.orders update key={id=7} lsn=0/A was"
                        + " rejected, and the scripted target refused it too: the topic does not take records that"
                        + " large; nothing past it is committed");
        assertThat(dispatcher.deadLetteredCount()).isZero();
        assertThat(dispatcher.deliveredCount()).isZero();
    }

    @Test
    void stopRequestedWhileTheDeadLetterTargetIsDownAbandonsTheBatch() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        sink.script.add(batch -> new WriteResult(List.of(new EventFailure(0, false, "mapping conflict"))));
        ScriptedTarget target = new ScriptedTarget();
        target.down = true;
        Dispatcher dispatcher = new Dispatcher("orders", Transforms.NONE,
                List.of(new SinkBinding("s0", sink, FailurePolicy.DEAD_LETTER)), target,
                new RetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30), 1.0), stop, new Random(1));
        dispatchers.add(dispatcher);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                dispatcher.deliver(List.of(TestEvents.upsert(1, "x", 1)));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(target.firstAttempt.await(10, TimeUnit.SECONDS)).isTrue();

        stop.request();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(dispatcher.deliveredCount()).isZero();
        assertThat(dispatcher.deadLetteredCount()).isZero();
    }

    @Test
    void aDeadLetterPolicyNeedsATarget() {
        assertThatThrownBy(() -> new Dispatcher("orders", Transforms.NONE,
                List.of(new SinkBinding("s0", new ScriptedSink(), FailurePolicy.DEAD_LETTER)), null, FAST, stop,
                new Random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no dead-letter target");
    }

    @Test
    void sinkThatCannotGoOnFailsDeliveryEvenWhenAnotherSinkSucceeded() {
        ScriptedSink healthy = new ScriptedSink();
        ScriptedSink broken = new ScriptedSink();
        broken.script.add(batch -> {
            throw new SinkException("not authorized");
        });

        assertThatThrownBy(() -> dispatcher(10, healthy, broken).deliver(List.of(TestEvents.upsert(1, "x", 1))))
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("not authorized");
    }

    @Test
    void stopRequestedWhileRetryingAbandonsTheBatch() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        CountDownLatch failing = new CountDownLatch(1);
        Step down = batch -> {
            failing.countDown();
            throw new RetriableSinkException("connection refused");
        };
        for (int i = 0; i < 1000; i++) {
            sink.script.add(down);
        }
        Dispatcher dispatcher = new Dispatcher("orders", List.of(new SinkBinding("s0", sink)),
                new RetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30), 1.0), stop, new Random(1));
        dispatchers.add(dispatcher);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                dispatcher.deliver(List.of(TestEvents.upsert(1, "x", 1)));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(failing.await(10, TimeUnit.SECONDS)).isTrue();

        stop.request();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(sink.applied).isEmpty();
        assertThat(dispatcher.deliveredCount()).isZero();
    }

    private Dispatcher dispatcher(int maxBatch, Sink... sinks) {
        List<SinkBinding> bindings = new ArrayList<>();
        for (int i = 0; i < sinks.length; i++) {
            bindings.add(new SinkBinding("s" + i, sinks[i], FailurePolicy.FAIL, TableSelection.ALL, maxBatch, null));
        }
        Dispatcher dispatcher = new Dispatcher("orders", bindings, FAST, stop, new Random(1));
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    private Dispatcher deadLettering(Sink sink, DeadLetterQueue target) {
        Dispatcher dispatcher = new Dispatcher("orders", Transforms.NONE,
                List.of(new SinkBinding("s0", sink, FailurePolicy.DEAD_LETTER)), target, FAST, stop, new Random(1));
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    /** A dead-letter target that is down while {@link #down} is set, refuses everything once {@link #refusal} is. */
    private static final class ScriptedTarget implements DeadLetterQueue {
        final List<DeadLetter> stored = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstAttempt = new CountDownLatch(1);
        final CountDownLatch attempts = new CountDownLatch(3);
        volatile boolean down;
        volatile String refusal;

        @Override
        public void open() {
        }

        @Override
        public void write(List<DeadLetter> letters) throws SinkException {
            firstAttempt.countDown();
            attempts.countDown();
            if (refusal != null) {
                throw new SinkException(refusal);
            }
            if (down) {
                throw new RetriableSinkException("disk full");
            }
            stored.addAll(letters);
        }

        @Override
        public String describe() {
            return "scripted target";
        }

        @Override
        public void close() {
        }
    }

    /** A sink that follows a script of outcomes, then applies everything; records what it applied. */
    private static final class ScriptedSink implements Sink {
        final Deque<Step> script = new ArrayDeque<>();
        final List<ChangeEvent> applied = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        volatile List<ChangeEvent> lastBatch = List.of();

        @Override
        public void open() {
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) throws SinkException {
            batchSizes.add(batch.size());
            lastBatch = List.copyOf(batch);
            Step step = script.poll();
            WriteResult result = step == null ? WriteResult.allApplied() : step.apply(batch);
            for (int i = 0; i < batch.size(); i++) {
                int index = i;
                if (result.failures().stream().noneMatch(f -> f.index() == index)) {
                    applied.add(batch.get(i));
                }
            }
            return result;
        }

        @Override
        public void close() {
        }
    }

    @FunctionalInterface
    private interface Step {
        WriteResult apply(List<ChangeEvent> batch) throws SinkException;
    }
}
