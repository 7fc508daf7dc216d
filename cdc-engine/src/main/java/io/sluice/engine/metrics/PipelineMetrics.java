package io.sluice.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.engine.PipelineState;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.TableId;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one pipeline (names and labels in docs/operations.md) and the figures its status shows: events
 * received and filtered per table, the queue of events read but not yet acknowledged, the pipeline's state, and one
 * {@link SinkMetrics} per sink. Counters are looked up once per table and kept, so a batch costs a map lookup per
 * run of one table, not a tag list per event. Labels are low-cardinality only: pipeline, table, sink, state.
 *
 * <p>The source's thread reports (through the dispatcher); the admin endpoint reads from its own threads.
 */
public final class PipelineMetrics {
    /** The states {@code sluice_pipeline_state} has a series for; a pipeline not yet started has none at 1. */
    private static final Set<PipelineState> STATES = EnumSet.complementOf(EnumSet.of(PipelineState.CREATED));

    /** A problem and when it was reported. */
    public record Problem(String message, Instant at) {
    }

    private final String name;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Tags tags;
    private final Map<TableId, Counter> received = new ConcurrentHashMap<>();
    private final Map<TableId, Counter> filtered = new ConcurrentHashMap<>();
    private final Map<String, SinkMetrics> sinks = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong receivedTotal = new AtomicLong();
    private final AtomicLong acknowledgedTotal = new AtomicLong();
    private final EventRate rate;
    private volatile long lastReceivedLsn = -1;
    private volatile long lastAcknowledgedLsn = -1;
    private volatile Problem lastError;

    /** Metrics of pipeline {@code name} in {@code registry}, with the host's clock. */
    public PipelineMetrics(String name, MeterRegistry registry) {
        this(name, registry, Clock.systemUTC());
    }

    public PipelineMetrics(String name, MeterRegistry registry, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tags = Tags.of("pipeline", name);
        this.rate = new EventRate(clock);
        Gauge.builder("sluice.queue.depth", this, PipelineMetrics::queueDepth)
                .description("Events read from the source and not yet acknowledged by every sink")
                .tags(tags).strongReference(true).register(registry);
    }

    /** Metrics kept only in memory, for pipelines whose metrics nobody scrapes (tests, embedded use). */
    public static PipelineMetrics inMemory(String name) {
        return new PipelineMetrics(name, new SimpleMeterRegistry());
    }

    public String name() {
        return name;
    }

    /** The sink's metrics, made on first use. */
    public SinkMetrics sink(String sinkName) {
        return sinks.computeIfAbsent(sinkName, s -> new SinkMetrics(this, s, registry, clock));
    }

    /** The health of the sinks made so far through {@link #sink}, in no particular order. */
    public List<SinkHealth> sinkHealth() {
        return sinks.values().stream().map(SinkMetrics::health).toList();
    }

    /** Exposes the pipeline's state: one series per state, 1 for the current one, and whether it is up. */
    public void bindState(Supplier<PipelineState> state) {
        for (PipelineState s : STATES) {
            Gauge.builder("sluice.pipeline.state", () -> state.get() == s ? 1 : 0)
                    .description("1 for the pipeline's current state").tags(tags)
                    .tag("state", s.name().toLowerCase(Locale.ROOT)).strongReference(true).register(registry);
        }
        Gauge.builder("sluice.pipeline.up", () -> isUp(state.get()) ? 1 : 0)
                .description("1 while the pipeline snapshots or streams").tags(tags).strongReference(true)
                .register(registry);
    }

    /** Whether a pipeline in this state reads and delivers. */
    public static boolean isUp(PipelineState state) {
        return state == PipelineState.STREAMING || state == PipelineState.SNAPSHOTTING;
    }

    /**
     * Exposes the replication slot's figures; each supplier gives {@link Double#NaN} while they are unknown.
     *
     * @param retainedBytes WAL the server keeps for the slot
     * @param lagBytes      how far the slot's confirmed position is behind the server's WAL
     */
    public void bindSlot(DoubleSupplier retainedBytes, DoubleSupplier lagBytes) {
        Gauge.builder("sluice.slot.retained.wal", retainedBytes::getAsDouble).baseUnit("bytes")
                .description("WAL the replication slot keeps on the source").tags(tags).strongReference(true)
                .register(registry);
        Gauge.builder("sluice.slot.lag", lagBytes::getAsDouble).baseUnit("bytes")
                .description("WAL written since the slot's confirmed position").tags(tags).strongReference(true)
                .register(registry);
    }

    /** Events the source handed over, before transforms. */
    public void received(List<ChangeEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        TableId runTable = null;
        int run = 0;
        for (ChangeEvent event : events) {
            if (!event.table().equals(runTable)) {
                count(received, "sluice.events.received", "Events read from the source", runTable, run);
                runTable = event.table();
                run = 0;
            }
            run++;
        }
        count(received, "sluice.events.received", "Events read from the source", runTable, run);
        receivedTotal.addAndGet(events.size());
        lastReceivedLsn = events.get(events.size() - 1).position().commitLsn();
    }

    /** What the transforms made of {@code before}: the events missing from {@code after} were filtered out. */
    public void filtered(List<ChangeEvent> before, List<ChangeEvent> after) {
        if (after.size() >= before.size()) {
            return;
        }
        // Transforms keep each event's table and order and only drop events, so the difference per table is exact.
        Map<TableId, Integer> counts = new HashMap<>();
        before.forEach(e -> counts.merge(e.table(), 1, Integer::sum));
        after.forEach(e -> counts.merge(e.table(), -1, Integer::sum));
        counts.forEach((table, dropped) -> count(filtered, "sluice.events.filtered",
                "Events a transform's row filter dropped", table, dropped));
    }

    /**
     * Every sink acknowledged these events (the source's batch, before transforms), of which {@code delivered}
     * reached a sink.
     */
    public void acknowledged(List<ChangeEvent> events, int delivered) {
        if (events.isEmpty()) {
            return;
        }
        acknowledgedTotal.addAndGet(events.size());
        rate.add(delivered);
        lastAcknowledgedLsn = events.get(events.size() - 1).position().commitLsn();
    }

    /** Events being delivered right now; 0 when the delivery ended. */
    public void inFlight(int events) {
        inFlight.set(events);
    }

    /** Events the source holds until their transaction's commit (or an incremental snapshot chunk's end). */
    public void held(int events) {
        held.set(events);
    }

    /** Events read from the source and not yet acknowledged by every sink: held and in flight. */
    public long queueDepth() {
        return held.get() + inFlight.get();
    }

    /** Records the latest problem, for the status. */
    public void error(String message) {
        error(message, clock.instant());
    }

    void error(String message, Instant at) {
        lastError = new Problem(message, at);
    }

    public Optional<Problem> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Events per second every sink acknowledged, over the last few seconds. */
    public double eventsPerSecond() {
        return rate.perSecond();
    }

    /** Events the source handed over since start. */
    public long receivedCount() {
        return receivedTotal.get();
    }

    /** Events of the source every sink acknowledged (or that transforms dropped) since start. */
    public long acknowledgedCount() {
        return acknowledgedTotal.get();
    }

    /** Commit LSN of the last event the source handed over. */
    public OptionalLong lastReceivedLsn() {
        long lsn = lastReceivedLsn;
        return lsn < 0 ? OptionalLong.empty() : OptionalLong.of(lsn);
    }

    /** Commit LSN of the last event every sink acknowledged; its offset is stored at the next flush. */
    public OptionalLong lastAcknowledgedLsn() {
        long lsn = lastAcknowledgedLsn;
        return lsn < 0 ? OptionalLong.empty() : OptionalLong.of(lsn);
    }

    private void count(Map<TableId, Counter> counters, String meter, String description, TableId table, int events) {
        if (events > 0) {
            counters.computeIfAbsent(table, t -> Counter.builder(meter).description(description).tags(tags)
                    .tag("table", t.qualifiedName()).register(registry)).increment(events);
        }
    }
}
