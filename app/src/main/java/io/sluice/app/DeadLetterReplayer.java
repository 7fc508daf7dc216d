package io.sluice.app;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.engine.Dispatcher;
import io.sluice.engine.PipelineException;
import io.sluice.engine.RetryPolicy;
import io.sluice.engine.SinkBinding;
import io.sluice.engine.StopSignal;
import io.sluice.engine.TableSelection;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.transform.Transforms;
import io.sluice.sink.deadletter.DeadLetterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Applies dead letters to the sink they came from, through a {@link Dispatcher} as the pipeline does: in the sink's
 * batches, with its backoff for transient failures, and with the letters it rejects again collected (with their new
 * reason) instead of written anywhere. Events go to the sink as they are: the pipeline's transforms and the sink's
 * {@code tables} were applied before the letter was written.
 *
 * <p>Transient failures are retried for at most {@code giveUpAfter} per batch (and per opening of the sink); then
 * the replay stops with the batch unsettled, as an operator waiting at a terminal should not wait forever.
 */
final class DeadLetterReplayer implements DeadLetterStore.Replayer, AutoCloseable {
    private final SinkBinding binding;
    private final Duration giveUpAfter;
    private final RetryPolicy retryPolicy;
    private final RandomGenerator random;
    private final Rejected rejected;
    private final StopSignal stop = new StopSignal();
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-replay-timer");
        t.setDaemon(true);
        return t;
    });
    private boolean opened;
    private long applied;
    private final Map<String, Long> rejectedByReason = new LinkedHashMap<>();

    /** The letters the sink rejected again in the current batch. */
    private static final class Rejected implements DeadLetterQueue {
        private final String target;
        private final List<DeadLetter> letters = new ArrayList<>();

        Rejected(String target) {
            this.target = target;
        }

        @Override
        public void open() {
        }

        @Override
        public void write(List<DeadLetter> batch) {
            letters.addAll(batch);
        }

        @Override
        public String describe() {
            return target + " again";
        }

        @Override
        public void close() {
        }
    }

    /** @param target the dead-letter target being replayed, in words, for the log */
    DeadLetterReplayer(String pipeline, SinkBinding binding, String target, Duration giveUpAfter,
            RandomGenerator random) {
        this.binding = binding;
        this.giveUpAfter = giveUpAfter;
        this.random = random;
        this.retryPolicy = binding.retry() != null ? binding.retry() : RetryPolicy.DEFAULT;
        this.rejected = new Rejected(target);
        SinkBinding replaying = new SinkBinding(binding.name(), binding.sink(), FailurePolicy.DEAD_LETTER,
                TableSelection.ALL, binding.batchSize(), retryPolicy);
        this.dispatcher = new Dispatcher(pipeline, Transforms.NONE, List.of(replaying), rejected, retryPolicy, stop,
                random);
    }

    @Override
    public List<DeadLetter> apply(List<DeadLetter> batch) throws SinkException, InterruptedException {
        if (!opened) {
            open();
        }
        rejected.letters.clear();
        List<ChangeEvent> events = batch.stream().map(DeadLetter::event).toList();
        ScheduledFuture<?> deadline = timer.schedule(stop::request, giveUpAfter.toMillis(), TimeUnit.MILLISECONDS);
        try {
            dispatcher.deliver(events);
        } catch (PipelineException e) {
            throw new SinkException(e.getMessage(), e);
        } catch (InterruptedException e) {
            if (!stop.isRequested()) {
                throw e;
            }
            throw new SinkException("sink " + binding.name() + " still failed after " + giveUpAfter.toSeconds()
                    + " s of retries (see the warnings above)", e);
        } finally {
            deadline.cancel(false);
        }
        List<DeadLetter> again = List.copyOf(rejected.letters);
        applied += batch.size() - again.size();
        again.forEach(letter -> rejectedByReason.merge(letter.event().table().qualifiedName() + ": "
                + letter.error(), 1L, Long::sum));
        return again;
    }

    /** Opens the sink, retrying while it is unreachable, for at most {@code giveUpAfter}. */
    private void open() throws SinkException, InterruptedException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        for (int attempt = 0; ; attempt++) {
            try {
                binding.sink().open();
                opened = true;
                return;
            } catch (RetriableSinkException e) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SinkException(e.getMessage() + " (gave up after " + giveUpAfter.toSeconds() + " s)", e);
                }
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1,
                        retryPolicy.delay(attempt, random).toMillis()));
            }
        }
    }

    /** Letters the sink took during this replay. */
    long applied() {
        return applied;
    }

    /** Letters the sink rejected again, per table and reason. */
    Map<String, Long> rejectedByReason() {
        return rejectedByReason;
    }

    long rejectedCount() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Leaves the sink open: whoever made it closes it. */
    @Override
    public void close() {
        timer.shutdownNow();
        dispatcher.close();
    }
}
