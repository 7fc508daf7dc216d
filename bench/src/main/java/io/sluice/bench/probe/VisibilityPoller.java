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
 */
public final class VisibilityPoller implements AutoCloseable {
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
                    Set<Long> seen = visible.apply(pending.stream().map(Watch::id).toList());
                    long now = PacedInserter.nowMicros();
                    for (Iterator<Watch> it = pending.iterator(); it.hasNext(); ) {
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
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
