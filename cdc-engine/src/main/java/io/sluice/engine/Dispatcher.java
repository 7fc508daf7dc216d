package io.sluice.engine;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.SinkMetrics;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.engine.transform.Transforms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to every sink of a pipeline and returns only when all of them acknowledged every event: the
 * caller advances the source offset on that return (invariant M in docs/architecture.md).
 *
 * <p>The dispatcher owns everything a sink must not do itself: splitting into batches, writing to the sinks in
 * parallel, retrying transient failures with backoff (for as long as it takes; the source waits meanwhile, which is
 * the backpressure that keeps memory bounded), and applying the failure policy to events a sink rejects for good:
 * stop, skip, or write them to the pipeline's {@link DeadLetterQueue}, where they count as acknowledged only once
 * the target durably holds them. Retrying is safe because sinks are idempotent.
 *
 * <p>Called from one thread at a time (the source's).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final String pipeline;
    private final List<SinkBinding> sinks;
    private final RetryPolicy retryPolicy;
    private final StopSignal stop;
    private final RandomGenerator random;
    private final ExecutorService writers;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Transforms transforms;
    private final DeadLetterQueue deadLetters;
    private final PipelineMetrics metrics;
    /** The metrics of each sink, by binding name; looked up once per batch. */
    private final Map<String, SinkMetrics> sinkMetrics;

    /** @param retryPolicy backoff for sinks without one of their own */
    public Dispatcher(String pipeline, List<SinkBinding> sinks, RetryPolicy retryPolicy, StopSignal stop,
            RandomGenerator random) {
        this(pipeline, Transforms.NONE, sinks, retryPolicy, stop, random);
    }

    /**
     * @param transforms  applied to every event before the sinks see it
     * @param retryPolicy backoff for sinks without one of their own
     * @param stop        when requested, a batch that is being retried is given up (and so never acknowledged):
     *                    the pipeline is stopping without waiting for its sinks
     */
    public Dispatcher(String pipeline, Transforms transforms, List<SinkBinding> sinks, RetryPolicy retryPolicy,
            StopSignal stop, RandomGenerator random) {
        this(pipeline, transforms, sinks, null, retryPolicy, stop, random);
    }

    /**
     * @param transforms  applied to every event before the sinks see it
     * @param deadLetters where the sinks with {@code on-failure: dead-letter} put the events they reject for good;
     *                    null when no sink has that policy. Opened and closed by the caller
     * @param retryPolicy backoff for sinks without one of their own
     */
    public Dispatcher(String pipeline, Transforms transforms, List<SinkBinding> sinks, DeadLetterQueue deadLetters,
            RetryPolicy retryPolicy, StopSignal stop, RandomGenerator random) {
        this(pipeline, transforms, sinks, deadLetters, retryPolicy, stop, random, PipelineMetrics.inMemory(pipeline));
    }

    /**
     * @param transforms  applied to every event before the sinks see it
     * @param deadLetters where the sinks with {@code on-failure: dead-letter} put the events they reject for good;
     *                    null when no sink has that policy. Opened and closed by the caller
     * @param retryPolicy backoff for sinks without one of their own
     * @param metrics     where deliveries, writes, retries and sink health are reported
     */
    public Dispatcher(String pipeline, Transforms transforms, List<SinkBinding> sinks, DeadLetterQueue deadLetters,
            RetryPolicy retryPolicy, StopSignal stop, RandomGenerator random, PipelineMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.transforms = Objects.requireNonNull(transforms, "transforms");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.sinks = List.copyOf(sinks);
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        if (this.sinks.isEmpty()) {
            throw new IllegalArgumentException("need at least one sink");
        }
        this.deadLetters = deadLetters;
        if (deadLetters == null && this.sinks.stream().anyMatch(b -> b.onFailure() == FailurePolicy.DEAD_LETTER)) {
            throw new IllegalArgumentException("a sink's policy is dead-letter, but there is no dead-letter target");
        }
        this.stop = Objects.requireNonNull(stop, "stop");
        this.random = Objects.requireNonNull(random, "random");
        this.sinkMetrics = new HashMap<>();
        this.sinks.forEach(binding -> sinkMetrics.put(binding.name(), metrics.sink(binding.name())));
        // One writer per sink beyond the first: the calling thread writes to the first sink itself.
        this.writers = this.sinks.size() == 1 ? null : Executors.newFixedThreadPool(this.sinks.size() - 1, r -> {
            Thread t = new Thread(r, "sluice-" + pipeline + "-sink-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Applies the pipeline's transforms, then writes the events, in order, to every sink that takes their tables,
     * in batches of the sink's size, and waits for every acknowledgement. Sinks are written in parallel, each at its
     * own pace.
     *
     * @throws PipelineException    when a sink cannot go on or rejected an event and the policy is to fail
     * @throws InterruptedException when a stop was requested before every sink acknowledged; nothing may be
     *                              committed for these events then
     */
    public void deliver(List<ChangeEvent> source) throws PipelineException, InterruptedException {
        metrics.received(source);
        metrics.inFlight(source.size());
        try {
            List<ChangeEvent> events = transforms.apply(source);
            metrics.filtered(source, events);
            if (!events.isEmpty()) {
                if (writers == null) {
                    writeAll(sinks.get(0), events);
                } else {
                    writeInParallel(events);
                }
                delivered.addAndGet(events.size());
            }
            metrics.acknowledged(source, events.size());
        } finally {
            metrics.inFlight(0);
        }
    }

    /** Where this dispatcher reports; the source reports the events it holds here too. */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Events every sink acknowledged since start. */
    public long deliveredCount() {
        return delivered.get();
    }

    /** Events a sink rejected for good and the policy skipped, since start. */
    public long skippedCount() {
        return skipped.get();
    }

    /** Events a sink rejected for good that the dead-letter target durably took, since start. */
    public long deadLetteredCount() {
        return deadLettered.get();
    }

    private void writeInParallel(List<ChangeEvent> events) throws PipelineException, InterruptedException {
        List<Future<Void>> others = new ArrayList<>(sinks.size() - 1);
        for (SinkBinding binding : sinks.subList(1, sinks.size())) {
            others.add(writers.submit(() -> {
                writeAll(binding, events);
                return null;
            }));
        }
        PipelineException failure = null;
        try {
            writeAll(sinks.get(0), events);
        } catch (PipelineException e) {
            failure = e;
            others.forEach(f -> f.cancel(true));
        }
        for (Future<Void> other : others) {
            try {
                other.get();
            } catch (ExecutionException e) {
                if (failure == null && e.getCause() instanceof PipelineException pe) {
                    failure = pe;
                    others.forEach(f -> f.cancel(true));
                } else if (failure == null && e.getCause() instanceof InterruptedException ie) {
                    throw ie;
                } else if (failure == null) {
                    throw new PipelineException("pipeline '" + pipeline + "': a sink writer failed unexpectedly: "
                            + e.getCause(), e.getCause());
                }
            } catch (java.util.concurrent.CancellationException e) {
                // cancelled because another sink failed; that failure is reported below
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Writes the events of the sink's tables, in batches of at most its batch size. */
    private void writeAll(SinkBinding binding, List<ChangeEvent> events) throws PipelineException, InterruptedException {
        try (LogContext context = LogContext.sink(pipeline, binding.name())) {
            writeSelected(binding, events);
        }
    }

    private void writeSelected(SinkBinding binding, List<ChangeEvent> events)
            throws PipelineException, InterruptedException {
        List<ChangeEvent> selected = events;
        if (binding.tables() != TableSelection.ALL) {
            selected = new ArrayList<>(events.size());
            for (ChangeEvent event : events) {
                if (binding.tables().includes(event.table())) {
                    selected.add(event);
                }
            }
        }
        SinkMetrics meters = sinkMetrics.get(binding.name());
        for (int from = 0; from < selected.size(); from += binding.batchSize()) {
            writeUntilApplied(binding, selected.subList(from, Math.min(selected.size(), from + binding.batchSize())),
                    meters);
        }
    }

    private void writeUntilApplied(SinkBinding binding, List<ChangeEvent> batch, SinkMetrics meters)
            throws PipelineException, InterruptedException {
        List<ChangeEvent> pending = batch;
        int attempt = 0;
        Outage outage = null;
        while (true) {
            if (stop.isRequested() && attempt > 0) {
                throw new InterruptedException("stop requested while retrying sink " + binding.name());
            }
            String problem;
            long started = System.nanoTime();
            try {
                WriteResult result = binding.sink().write(pending);
                meters.wrote(pending, result, System.nanoTime() - started);
                if (!result.isAllApplied()) {
                    pending = handleFailures(binding, pending, result);
                }
                if (result.isAllApplied() || pending.isEmpty()) {
                    if (outage != null) {
                        LOG.info("pipeline '{}', sink {} recovered after {} retries in {} s", pipeline, binding.name(),
                                attempt, outage.seconds());
                    }
                    return;
                }
                problem = pending.size() + " event(s) failed transiently, e.g. "
                        + result.failures().stream().filter(EventFailure::retriable).findFirst()
                                .map(EventFailure::reason).orElse("?");
            } catch (RetriableSinkException e) {
                meters.writeFailed(pending.size(), System.nanoTime() - started);
                problem = e.getMessage();
            } catch (SinkException e) {
                meters.writeFailed(pending.size(), System.nanoTime() - started);
                throw new PipelineException(e.getMessage(), e);
            }
            meters.retrying(problem);
            Duration delay = delay(binding, attempt++);
            if (outage == null) {
                outage = new Outage(System.nanoTime());
                LOG.warn("pipeline '{}', sink {} is down: {}; retrying with backoff until it acknowledges, the pipeline"
                        + " waits meanwhile", pipeline, binding.name(), problem);
            } else if (outage.dueForReminder()) {
                LOG.warn("pipeline '{}', sink {} still down after {} s: {}; still retrying", pipeline, binding.name(),
                        outage.seconds(), problem);
            } else {
                LOG.debug("pipeline '{}', sink {}: {}; retrying in {} ms", pipeline, binding.name(), problem,
                        delay.toMillis());
            }
            await(binding, delay);
        }
    }

    /** Waits the sink's backoff before attempt {@code attempt + 1}; a stop requested meanwhile ends the wait. */
    private void backOff(SinkBinding binding, int attempt, String problem, boolean log) throws InterruptedException {
        Duration delay = delay(binding, attempt);
        if (log) {
            LOG.warn("pipeline '{}', sink {}: {}; retrying with backoff (next in {} ms)", pipeline, binding.name(),
                    problem, delay.toMillis());
        }
        await(binding, delay);
    }

    private Duration delay(SinkBinding binding, int attempt) {
        return (binding.retry() != null ? binding.retry() : retryPolicy).delay(attempt, random);
    }

    private void await(SinkBinding binding, Duration delay) throws InterruptedException {
        if (stop.await(delay)) {
            throw new InterruptedException("stop requested while retrying sink " + binding.name());
        }
    }

    /**
     * A sink failing one write after another: logged once when it starts, again every {@link #REMINDER} while it
     * lasts (the problem may have changed), and once when it ends.
     */
    private static final class Outage {
        private static final long REMINDER = Duration.ofMinutes(5).toNanos();
        private final long since;
        private long remindedAt;

        Outage(long since) {
            this.since = since;
            this.remindedAt = since;
        }

        boolean dueForReminder() {
            long now = System.nanoTime();
            if (now - remindedAt < REMINDER) {
                return false;
            }
            remindedAt = now;
            return true;
        }

        long seconds() {
            return Duration.ofNanos(System.nanoTime() - since).toSeconds();
        }
    }

    /**
     * Applies the failure policy; returns the events to try again (the transient failures, in order). Under
     * {@code dead-letter} it returns only once the target holds the rejected events.
     */
    private List<ChangeEvent> handleFailures(SinkBinding binding, List<ChangeEvent> batch, WriteResult result)
            throws PipelineException, InterruptedException {
        List<ChangeEvent> retry = new ArrayList<>();
        List<DeadLetter> letters = new ArrayList<>();
        for (EventFailure failure : result.failures()) {
            ChangeEvent event = batch.get(failure.index());
            if (failure.retriable()) {
                retry.add(event);
            } else if (binding.onFailure() == FailurePolicy.SKIP) {
                // The log line is the only record of a skipped event.
                skipped.incrementAndGet();
                try (LogContext context = LogContext.table(event.table().qualifiedName())) {
                    LOG.warn("pipeline '{}', sink {}: skipped {} (on-failure: skip): {}", pipeline, binding.name(),
                            event.describe(), failure.reason());
                }
            } else if (binding.onFailure() == FailurePolicy.DEAD_LETTER) {
                letters.add(new DeadLetter(pipeline, binding.name(), event, failure.reason()));
            } else {
                throw new PipelineException("pipeline '" + pipeline + "', sink " + binding.name() + ": "
                        + event.describe() + " was rejected: " + failure.reason()
                        + " (set on-failure: skip on the sink to skip such events, or on-failure: dead-letter to"
                        + " keep them for a replay)");
            }
        }
        if (!letters.isEmpty()) {
            deadLetter(binding, letters);
        }
        return retry;
    }

    /**
     * Writes the letters to the dead-letter target until it acknowledges them, backing off as the sink does; the
     * source waits meanwhile. A target that refuses them for good fails delivery, so nothing past them is committed.
     */
    private void deadLetter(SinkBinding binding, List<DeadLetter> letters)
            throws PipelineException, InterruptedException {
        String first = letters.get(0).event().describe() + (letters.size() == 1 ? ""
                : " and " + (letters.size() - 1) + " more event(s)");
        String lastProblem = null;
        for (int attempt = 0; ; attempt++) {
            String problem;
            try {
                // The sinks' writers run in parallel; the target takes one sink's letters at a time.
                synchronized (deadLetters) {
                    deadLetters.write(letters);
                }
                deadLettered.addAndGet(letters.size());
                sinkMetrics.get(binding.name()).deadLettered(letters.size());
                if (lastProblem != null) {
                    LOG.info("pipeline '{}', sink {}: the {} recovered after {} retries", pipeline, binding.name(),
                            deadLetters.describe(), attempt);
                }
                for (DeadLetter letter : letters) {
                    LOG.warn("pipeline '{}', sink {}: {} was rejected and written to the {}: {}", pipeline,
                            binding.name(), letter.event().describe(), deadLetters.describe(), letter.error());
                }
                return;
            } catch (RetriableSinkException e) {
                problem = "cannot write " + first + " to the " + deadLetters.describe() + " yet: " + e.getMessage();
            } catch (SinkException e) {
                throw new PipelineException("pipeline '" + pipeline + "', sink " + binding.name() + ": " + first
                        + " was rejected, and the " + deadLetters.describe() + " refused it too: " + e.getMessage()
                        + "; nothing past it is committed", e);
            }
            backOff(binding, attempt, problem, !problem.equals(lastProblem));
            lastProblem = problem;
        }
    }

    @Override
    public void close() {
        if (writers != null) {
            writers.shutdownNow();
        }
    }
}
