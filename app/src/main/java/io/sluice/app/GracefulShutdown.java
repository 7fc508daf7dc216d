package io.sluice.app;

import io.sluice.engine.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * How {@code sluice run} ends on a signal. The first SIGTERM or SIGINT stops every pipeline gracefully: reading
 * stops, the sinks acknowledge what was read, the offsets are committed, and the process exits 0. The grace period
 * bounds that stop; when it runs out the process exits at once with {@link #EXIT_GRACE_PERIOD_OVER}. A second
 * signal exits at once with 128 + the signal's number (143 for SIGTERM, 130 for SIGINT). Exiting at once is safe:
 * only acknowledged events are ever committed, so what was cut short is read again on the next start.
 *
 * <p>Why {@code sun.misc.Signal}: the JVM's own handler turns SIGTERM into {@code System.exit}, which runs the
 * shutdown hooks; while they run, a second SIGTERM calls {@code System.exit} again, which blocks behind the first,
 * so a hook can neither notice the second signal nor be cut short by it. {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, kept available on purpose by JEP 260 and present in every OpenJDK runtime image that
 * includes that module) replaces the JVM's handler for these two signals, so the process decides what a signal
 * means. If it cannot be used, the JVM's handling stays and a shutdown hook still stops the pipelines gracefully
 * (without the second-signal exit). The hook also covers other orderly exits, e.g. SIGHUP.
 */
final class GracefulShutdown {
    /** Exit code when the grace period ran out before every pipeline stopped. */
    static final int EXIT_GRACE_PERIOD_OVER = 4;
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final int SIGNAL_EXIT_BASE = 128;

    private final Duration gracePeriod;
    private final IntConsumer halt;
    private final List<Pipeline> pipelines = new ArrayList<>();
    private boolean stopping;
    private String firstSignal;

    /** @param halt ends the process at once with the given code ({@code Runtime::halt} outside tests) */
    GracefulShutdown(Duration gracePeriod, IntConsumer halt) {
        this.gracePeriod = gracePeriod;
        this.halt = halt;
    }

    /** Handles SIGTERM and SIGINT from now on, and stops the pipelines on any other orderly exit. */
    void install() {
        try {
            Signal.handle(new Signal("TERM"), this::onSignal);
            Signal.handle(new Signal("INT"), this::onSignal);
        } catch (IllegalArgumentException | LinkageError e) {
            // E.g. -Xrs, or a runtime image without jdk.unsupported: the JVM keeps its handlers; the hook below still
            // stops gracefully, only a second signal cannot cut the stop short.
            LOG.debug("signals stay with the JVM: {}", e.toString());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll();
            awaitStopped();
        }, "sluice-shutdown"));
    }

    /**
     * Adds a pipeline to stop on a signal, before it starts.
     *
     * @return {@code false} when a stop was already asked for: the pipeline must not start
     */
    synchronized boolean register(Pipeline pipeline) {
        if (stopping) {
            return false;
        }
        pipelines.add(pipeline);
        return true;
    }

    synchronized List<Pipeline> pipelines() {
        return List.copyOf(pipelines);
    }

    void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        String first;
        synchronized (this) {
            first = firstSignal;
            if (first == null) {
                firstSignal = name;
            }
        }
        if (first != null) {
            int code = SIGNAL_EXIT_BASE + signal.getNumber();
            LOG.warn("received {} while stopping (after {}): exiting at once with code {}; offsets cover only"
                    + " acknowledged events, so what was not acknowledged is read again on the next start", name,
                    first, code);
            halt.accept(code);
            return;
        }
        LOG.info("received {}: stopping {} pipeline(s) gracefully within the grace period of {} (another SIGTERM or"
                + " SIGINT exits at once)", name, pipelines().size(), readable(gracePeriod));
        stopAll();
        Thread deadline = new Thread(this::haltWhenGracePeriodIsOver, "sluice-grace-period");
        deadline.setDaemon(true);
        deadline.start();
    }

    /** Stops every pipeline gracefully; returns at once (each pipeline's termination completes when it stopped). */
    void stopAll() {
        for (Pipeline pipeline : stopAllPipelines()) {
            pipeline.stop();
        }
    }

    private synchronized List<Pipeline> stopAllPipelines() {
        stopping = true;
        return List.copyOf(pipelines);
    }

    /** Waits up to the grace period for every pipeline to end; returns whether they all did. */
    boolean awaitStopped() {
        CompletableFuture<?>[] terminations = pipelines().stream()
                .map(p -> p.termination().exceptionally(e -> null))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(terminations).get(gracePeriod.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot happen: failures are mapped to null", e);
        }
    }

    private void haltWhenGracePeriodIsOver() {
        if (awaitStopped()) {
            return;
        }
        List<String> running = pipelines().stream().filter(p -> !p.termination().isDone())
                .map(p -> "'" + p.name() + "' (" + p.state().name().toLowerCase() + ")").toList();
        LOG.error("the grace period of {} ran out before pipeline(s) {} stopped (their sinks had not acknowledged"
                + " everything read): exiting at once with code {}; offsets cover only acknowledged events, so what"
                + " was not acknowledged is read again on the next start", readable(gracePeriod),
                String.join(", ", running), EXIT_GRACE_PERIOD_OVER);
        halt.accept(EXIT_GRACE_PERIOD_OVER);
    }

    private static String readable(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
