package io.sluice.engine;

import io.sluice.config.PipelineConfig;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.debezium.CapturedTables;
import io.sluice.engine.debezium.DebeziumSource;
import io.sluice.engine.debezium.PostgresPreflight;
import io.sluice.engine.debezium.ReplicationSlotCheck;
import io.sluice.engine.debezium.SlotMonitor;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.SinkMetrics;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.transform.Transforms;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pipeline: a PostgreSQL source, its sinks, and its offsets. Moves through {@link PipelineState}
 * and hands the work to {@link DebeziumSource} and {@link Dispatcher}.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** How long sinks may stay unreachable at start-up before the pipeline gives up. */
    public static final Duration SINK_STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final PipelineConfig config;
    private final PostgresSourceConfig source;
    private final List<SinkBinding> sinks;
    private final RetryPolicy retryPolicy;
    private final RandomGenerator random;
    /** A stop was asked for: ends waits at start-up. */
    private final StopSignal stop = new StopSignal();
    /** The stop must not wait for the sinks: the dispatcher gives up retrying. */
    private final StopSignal abandon = new StopSignal();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final Dispatcher dispatcher;
    private final DeadLetterQueue deadLetters;
    private final PipelineMetrics metrics;
    private volatile PipelineState state = PipelineState.CREATED;
    private DebeziumSource debezium;
    private volatile SlotMonitor slotMonitor;

    public Pipeline(PipelineConfig config, List<SinkBinding> sinks, RetryPolicy retryPolicy, RandomGenerator random) {
        this(config, sinks, null, retryPolicy, random);
    }

    /**
     * @param deadLetters the dead-letter target of the sinks with {@code on-failure: dead-letter}; null when no sink
     *                    has that policy. The pipeline opens it after the sinks and closes it with them
     */
    public Pipeline(PipelineConfig config, List<SinkBinding> sinks, DeadLetterQueue deadLetters,
            RetryPolicy retryPolicy, RandomGenerator random) {
        this(config, sinks, deadLetters, retryPolicy, random, PipelineMetrics.inMemory(config.name()));
    }

    /**
     * @param deadLetters the dead-letter target of the sinks with {@code on-failure: dead-letter}; null when no sink
     *                    has that policy. The pipeline opens it after the sinks and closes it with them
     * @param metrics     where the pipeline's metrics go, e.g. into the process's Prometheus registry
     */
    public Pipeline(PipelineConfig config, List<SinkBinding> sinks, DeadLetterQueue deadLetters,
            RetryPolicy retryPolicy, RandomGenerator random, PipelineMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.config = Objects.requireNonNull(config, "config");
        this.source = Objects.requireNonNull(config.source().postgres(), "source.postgres");
        this.sinks = List.copyOf(sinks);
        this.deadLetters = deadLetters;
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.random = Objects.requireNonNull(random, "random");
        this.dispatcher = new Dispatcher(config.name(), Transforms.of(config.name(), config.transforms()), this.sinks,
                deadLetters, retryPolicy, abandon, random, metrics);
        metrics.bindState(this::state);
        metrics.bindSlot(() -> slotStatus().map(s -> (double) s.retainedBytes()).orElse(Double.NaN),
                () -> slotStatus().map(s -> (double) s.confirmedLagBytes()).orElse(Double.NaN));
    }

    public String name() {
        return config.name();
    }

    public PipelineState state() {
        return state;
    }

    /** Events every sink acknowledged since start. */
    public long deliveredCount() {
        return dispatcher.deliveredCount();
    }

    /** Events a sink rejected for good that the dead-letter target took, since start. */
    public long deadLetteredCount() {
        return dispatcher.deadLetteredCount();
    }

    /** The replication slot's retained WAL at the last check; empty before the first check or when not running. */
    public Optional<SlotMonitor.SlotStatus> slotStatus() {
        SlotMonitor monitor = slotMonitor;
        return monitor == null ? Optional.empty() : monitor.latest();
    }

    /** What the pipeline is doing now: state, positions, slot, sinks, last problem. */
    public PipelineStatus status() {
        return new PipelineStatus(name(), state, metrics.lastReceivedLsn(), metrics.lastAcknowledgedLsn(),
                slotStatus(), metrics.eventsPerSecond(), metrics.receivedCount(), metrics.acknowledgedCount(),
                metrics.queueDepth(), sinks.stream().map(b -> metrics.sink(b.name()).health()).toList(),
                metrics.lastError());
    }

    /** Completes when the pipeline stopped; exceptionally, with a {@link PipelineException}, when it failed. */
    public CompletableFuture<Void> termination() {
        return termination;
    }

    /**
     * Checks the source and its replication slot, opens every sink and starts reading. Returns once reading
     * started, or at once when a {@link #stop} came meanwhile (the pipeline is then stopped).
     *
     * @throws PipelineException when the source or a sink is unusable; nothing was started then
     */
    public void start() throws PipelineException, InterruptedException {
        try (LogContext context = LogContext.pipeline(name())) {
            moveTo(PipelineState.STARTING);
            CapturedTables captured;
            try {
                captured = PostgresPreflight.check(config.name(), source, config.offsets());
                PostgresPreflight.checkSignalTable(config.name(), source);
                ReplicationSlotCheck.check(new PipelineId(config.name()), source, config.offsets());
                boolean opened = true;
                for (SinkBinding binding : sinks) {
                    opened = open("sink " + binding.name(), binding.name(), binding.sink()::open,
                            metrics.sink(binding.name()));
                    if (!opened) {
                        break;
                    }
                }
                if (opened && deadLetters != null) {
                    open("the " + deadLetters.describe(), null, deadLetters::open, null);
                }
            } catch (PipelineException | InterruptedException e) {
                closeSinks();
                dispatcher.close();
                fail(e instanceof PipelineException pe ? pe : new PipelineException("pipeline '" + name()
                        + "': interrupted while starting", e));
                throw e;
            }
            synchronized (this) {
                if (stop.isRequested()) {
                    endStopped();
                    return;
                }
                debezium = new DebeziumSource(new PipelineId(config.name()), source, config.offsets(), dispatcher,
                        captured);
                debezium.start(new DebeziumSource.Listener() {
                    @Override
                    public void snapshotting() {
                        moveTo(PipelineState.SNAPSHOTTING);
                    }

                    @Override
                    public void streaming() {
                        moveTo(PipelineState.STREAMING);
                    }

                    @Override
                    public void stopped(Throwable failure) {
                        onSourceStopped(failure);
                    }
                });
            }
            startSlotMonitor();
        }
    }

    private synchronized void startSlotMonitor() {
        if (!state.isTerminal() && !stop.isRequested()) {
            slotMonitor = new SlotMonitor(name(), source, PostgresSourceConfig.WAL_CHECK_INTERVAL, Clock.systemUTC());
            slotMonitor.start();
        }
    }

    private void stopSlotMonitor() {
        SlotMonitor monitor;
        synchronized (this) {
            monitor = slotMonitor;
        }
        // Outside the lock: closing waits for a check in progress, which must not hold up state changes.
        if (monitor != null) {
            monitor.close();
        }
    }

    /** What {@link #open} opens: a sink or the dead-letter target. */
    @FunctionalInterface
    private interface Opening {
        void open() throws SinkException, InterruptedException;
    }

    /**
     * Opens a sink or the dead-letter target, retrying while it is unreachable, up to the start-up timeout.
     *
     * @param sink   the sink's name for the log context, or null for the dead-letter target
     * @param health the sink's health to report, or null for the dead-letter target
     * @return {@code false} when a stop came meanwhile
     */
    private boolean open(String what, String sink, Opening opening, SinkMetrics health) throws PipelineException,
            InterruptedException {
        Instant deadline = Instant.now().plus(SINK_STARTUP_TIMEOUT);
        int attempt = 0;
        try (LogContext context = sink == null ? null : LogContext.sink(name(), sink)) {
            while (true) {
                try {
                    opening.open();
                    if (health != null) {
                        health.up();
                    }
                    return true;
                } catch (RetriableSinkException e) {
                    if (health != null) {
                        health.retrying(e.getMessage());
                    }
                    if (Instant.now().isAfter(deadline)) {
                        throw new PipelineException(e.getMessage() + " (gave up after "
                                + SINK_STARTUP_TIMEOUT.toSeconds() + "s)", e);
                    }
                    Duration delay = retryPolicy.delay(attempt++, random);
                    LOG.warn("{}; retrying {} in {} ms", e.getMessage(), what, delay.toMillis());
                    if (stop.await(delay)) {
                        return false;
                    }
                } catch (SinkException e) {
                    throw new PipelineException(e.getMessage(), e);
                }
            }
        }
    }

    private void onSourceStopped(Throwable failure) {
        try (LogContext context = LogContext.pipeline(name())) {
            stopSlotMonitor();
            // A failure of Sluice's own (a sink rejected an event) is one even during a graceful stop; anything else
            // then is the engine ending because it was asked to stop.
            if (failure == null || abandon.isRequested() || stop.isRequested() && !isOwnFailure(failure)) {
                endStopped();
            } else {
                closeSinks();
                dispatcher.close();
                fail(asPipelineException(failure));
            }
        }
    }

    private static boolean isOwnFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PipelineException) {
                return true;
            }
        }
        return false;
    }

    /** Closes the sinks and reports the pipeline stopped. */
    private void endStopped() {
        closeSinks();
        dispatcher.close();
        moveTo(PipelineState.STOPPED);
        termination.complete(null);
    }

    private PipelineException asPipelineException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PipelineException pe) {
                return pe;
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new PipelineException("pipeline '" + name() + "': the PostgreSQL source stopped: " + reason, failure);
    }

    private void fail(PipelineException e) {
        synchronized (this) {
            if (state.isTerminal()) {
                return;
            }
            state = PipelineState.FAILED;
        }
        metrics.error(e.getMessage());
        // Whoever awaits termination reports the message; the cause chain is only for debugging.
        LOG.debug("pipeline '{}' failed", name(), e);
        termination.completeExceptionally(e);
    }

    private synchronized void moveTo(PipelineState next) {
        if (state == next || !state.canMoveTo(next)) {
            return;
        }
        state = next;
        try (LogContext context = LogContext.pipeline(name())) {
            LOG.info("pipeline '{}': {}", name(), next.name().toLowerCase());
        }
    }

    private void closeSinks() {
        for (SinkBinding binding : sinks) {
            try (LogContext context = LogContext.sink(name(), binding.name())) {
                binding.sink().close();
            }
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
    }

    /**
     * Stops gracefully and returns at once; {@link #termination()} completes when the pipeline has stopped. Reading
     * stops, the sinks acknowledge every event already read (retried for as long as it takes, so a sink that stays
     * down keeps the stop waiting: bound it from outside, or call {@link #close()}), the offsets of everything
     * acknowledged are stored and confirmed to the replication slot, and the sinks are closed. A stop during
     * {@link #start()} ends the start instead.
     */
    public void stop() {
        DebeziumSource reading;
        synchronized (this) {
            if (state.isTerminal() || stop.isRequested()) {
                return;
            }
            stop.request();
            if (state == PipelineState.CREATED) {
                endStopped();
                return;
            }
            moveTo(PipelineState.STOPPING);
            reading = debezium;
        }
        Thread stopping = new Thread(() -> {
            try (LogContext context = LogContext.pipeline(name())) {
                stopSlotMonitor();
                if (reading != null) {
                    reading.stop();
                }
                // else start() is still checking the source or opening sinks: it sees the stop and ends the pipeline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-" + name() + "-stop");
        stopping.start();
    }

    /**
     * Stops without waiting for the sinks: a batch that is being retried is given up, so its events are not
     * committed and are read again on the next start. The offsets of what was acknowledged are stored. Returns
     * once the pipeline has stopped.
     */
    @Override
    public void close() {
        abandon.request();
        stop();
        DebeziumSource reading;
        synchronized (this) {
            reading = debezium;
        }
        if (reading != null) {
            // Also interrupts a sink write that blocks, which the dispatcher's stop signal cannot end.
            reading.close();
        }
        try {
            termination.exceptionally(e -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot happen: failures are mapped to null", e);
        }
    }
}
