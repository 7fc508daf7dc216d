package io.sluice.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-way "stop now" flag that waiting code can sleep on: a backoff wait ends as soon as a stop is requested,
 * so a pipeline whose sink is down still stops promptly.
 */
public final class StopSignal {
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void request() {
        stopped.countDown();
    }

    public boolean isRequested() {
        return stopped.getCount() == 0;
    }

    /** Waits up to {@code delay}; returns {@code true} if a stop was requested meanwhile. */
    public boolean await(Duration delay) throws InterruptedException {
        return stopped.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
