package io.sluice.bench.probe;

import io.sluice.bench.load.PacedInserter;
import io.sluice.bench.probe.WatchedRows.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A thread that asks one sink, every {@code interval}, which sampled rows it holds that it was not yet seen holding,
 * and records the time of the answer. The recorded time is late by at most the interval plus the request's round
 * trip, and never early.
 *
 * <p>Each question covers at most the {@value #MAX_IDS_PER_POLL} oldest rows not yet seen: rows arrive in commit
 * order, so newer ones are rarely there before older ones, and a Sluice that falls behind is not buried under
 * ever larger requests from the poller on top of its backlog.
 */
public final class VisibilityPoller implements AutoCloseable {
    static final int MAX_IDS_PER_POLL = 100;

    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** @param visible which of the given row ids the sink holds */
    public VisibilityPoller(String name, WatchedRows watched, int slot, Function<List<Long>, Set<Long>> visible,
            Duration interval) {
        thread = new Thread(() -> poll(watched, slot, visible, interval), "bench-visibility-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void poll(WatchedRows watched, int slot, Function<List<Long>, Set<Long>> visible, Duration interval) {
        List<Watch> pending = new ArrayList<>();
        int cursor = 0;
        try {
            while (running) {
                List<Watch> added = watched.from(cursor);
                cursor += added.size();
                pending.addAll(added);
                if (!pending.isEmpty()) {
                    List<Watch> asked = pending.subList(0, Math.min(pending.size(), MAX_IDS_PER_POLL));
                    Set<Long> seen = visible.apply(asked.stream().map(Watch::id).toList());
                    long now = PacedInserter.nowMicros();
                    for (Iterator<Watch> it = asked.iterator(); it.hasNext(); ) {
                        Watch watch = it.next();
                        if (seen.contains(watch.id())) {
                            watch.seen(slot, now);
                            it.remove();
                        }
                    }
                }
                Thread.sleep(interval.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Fails with the poller's own failure, if it had one. */
    public void requireHealthy() {
        if (failure != null) {
            throw new IllegalStateException("polling " + thread.getName() + " failed: " + failure.getMessage(),
                    failure);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
