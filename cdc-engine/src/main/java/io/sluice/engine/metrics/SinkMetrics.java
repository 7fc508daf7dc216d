package io.sluice.engine.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters and the health of one sink of a pipeline. The dispatcher reports every write here, once per batch;
 * the per-event work is a loop over the batch that counts runs of one table and records each event's latency.
 *
 * <p>One writer thread per sink reports (the dispatcher writes to a sink one batch at a time); the admin endpoint
 * reads {@link #health()} from its own threads.
 */
public final class SinkMetrics {
    /** Bucket bounds of one write's duration: a fast local write takes milliseconds, a slow bulk seconds. */
    static final Duration[] WRITE_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30)};
    /** Bucket bounds of the end-to-end latency, up to an hour for a pipeline catching up after an outage. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private final PipelineMetrics pipeline;
    private final String name;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Tags tags;
    private final Map<TableId, Counter> delivered = new ConcurrentHashMap<>();
    private final DistributionSummary batchSize;
    private final Timer writes;
    private final Timer latency;
    private final Counter retries;
    private final Counter failures;
    private final Counter deadLetters;
    private volatile SinkHealth health;

    SinkMetrics(PipelineMetrics pipeline, String name, MeterRegistry registry, Clock clock) {
        this.pipeline = pipeline;
        this.name = name;
        this.registry = registry;
        this.clock = clock;
        this.tags = Tags.of("pipeline", pipeline.name(), "sink", name);
        this.health = new SinkHealth(name, true, clock.instant(), null, null);
        this.batchSize = DistributionSummary.builder("sluice.sink.batch.size")
                .description("Events per write to the sink").tags(tags).register(registry);
        this.writes = Timer.builder("sluice.sink.write")
                .description("Duration of one write to the sink, failed ones included")
                .serviceLevelObjectives(WRITE_BUCKETS).tags(tags).register(registry);
        this.latency = Timer.builder("sluice.end.to.end.latency")
                .description("From the source transaction's commit to the sink's acknowledgement (streamed changes)")
                .serviceLevelObjectives(LATENCY_BUCKETS).tags(tags).register(registry);
        this.retries = Counter.builder("sluice.sink.retries")
                .description("Writes retried after a transient failure").tags(tags).register(registry);
        this.failures = Counter.builder("sluice.sink.failures")
                .description("Events the sink rejected for good").tags(tags).register(registry);
        this.deadLetters = Counter.builder("sluice.dead.letters")
                .description("Events sent to the dead-letter target").tags(tags).register(registry);
        Gauge.builder("sluice.sink.up", this, m -> m.health.up() ? 1 : 0)
                .description("1 when the sink's last write succeeded, 0 while it is retried")
                .tags(tags).strongReference(true).register(registry);
    }

    public String name() {
        return name;
    }

    public SinkHealth health() {
        return health;
    }

    /**
     * One write that returned: counts the events it applied per table and their latency, and the events the sink
     * rejected for good. Without transient failures in it, the sink is up.
     *
     * @param nanos how long the write took
     */
    public void wrote(List<ChangeEvent> batch, WriteResult result, long nanos) {
        batchSize.record(batch.size());
        writes.record(nanos, TimeUnit.NANOSECONDS);
        long now = clock.millis();
        if (result.isAllApplied()) {
            countApplied(batch, null, now);
            up();
            return;
        }
        boolean[] notApplied = new boolean[batch.size()];
        boolean retriable = false;
        int rejected = 0;
        for (EventFailure failure : result.failures()) {
            notApplied[failure.index()] = true;
            if (failure.retriable()) {
                retriable = true;
            } else {
                rejected++;
            }
        }
        countApplied(batch, notApplied, now);
        failures.increment(rejected);
        if (!retriable) {
            up();
        }
    }

    /** One write that threw: nothing counts as applied. */
    public void writeFailed(int events, long nanos) {
        batchSize.record(events);
        writes.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The dispatcher backs off before trying again: the sink is down until a write succeeds. */
    public void retrying(String problem) {
        retries.increment();
        Instant now = clock.instant();
        SinkHealth was = health;
        health = new SinkHealth(name, false, was.up() ? now : was.since(), problem, now);
        pipeline.error("sink " + name + ": " + problem, now);
    }

    /** The sink answered (a write succeeded, or it opened). */
    public void up() {
        SinkHealth was = health;
        if (!was.up()) {
            health = new SinkHealth(name, true, clock.instant(), was.lastProblem(), was.lastProblemAt());
        }
    }

    /** Events of this sink that went to the dead-letter target. */
    public void deadLettered(int events) {
        deadLetters.increment(events);
    }

    private void countApplied(List<ChangeEvent> batch, boolean[] skip, long nowMillis) {
        TableId runTable = null;
        int run = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (skip != null && skip[i]) {
                continue;
            }
            ChangeEvent event = batch.get(i);
            if (!event.table().equals(runTable)) {
                count(runTable, run);
                runTable = event.table();
                run = 0;
            }
            run++;
            SourcePosition position = event.position();
            if (!position.snapshot() && position.commitTime() != null) {
                // Clocks of the database and this host may differ a little; a negative latency is recorded as 0.
                latency.record(Math.max(0, nowMillis - position.commitTime().toEpochMilli()), TimeUnit.MILLISECONDS);
            }
        }
        count(runTable, run);
    }

    private void count(TableId table, int events) {
        if (events > 0) {
            delivered.computeIfAbsent(table, t -> Counter.builder("sluice.events.delivered")
                    .description("Events the sink acknowledged")
                    .tags(tags).tag("table", t.qualifiedName()).register(registry)).increment(events);
        }
    }
}
