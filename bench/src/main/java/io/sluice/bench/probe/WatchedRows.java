package io.sluice.bench.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The rows a latency run samples (the last row of each transaction), with when their commit returned and when each
 * sink was first seen holding them. Thread-safe: the writer adds, one observer per sink marks.
 */
public final class WatchedRows {
    private final int sinks;
    private final List<Watch> inOrder = new ArrayList<>();
    private final Map<Long, Watch> byId = new ConcurrentHashMap<>();

    /** @param sinks how many sinks mark rows; each gets a slot {@code 0..sinks-1} */
    public WatchedRows(int sinks) {
        this.sinks = sinks;
    }

    /** A sampled row. Times are wall-clock microseconds since the epoch; 0 means not seen yet. */
    public static final class Watch {
        private final long id;
        private final long commitMicros;
        private final AtomicLongArray visibleMicros;

        Watch(long id, long commitMicros, int sinks) {
            this.id = id;
            this.commitMicros = commitMicros;
            this.visibleMicros = new AtomicLongArray(sinks);
        }

        public long id() {
            return id;
        }

        public long commitMicros() {
            return commitMicros;
        }

        /** Records the first time sink {@code slot} was seen holding the row; later sightings change nothing. */
        public void seen(int slot, long micros) {
            visibleMicros.compareAndSet(slot, 0, micros);
        }

        /** Whether sink {@code slot} was seen holding the row. */
        public boolean seenBy(int slot) {
            return visibleMicros.get(slot) != 0;
        }

        public boolean seenByAll() {
            for (int i = 0; i < visibleMicros.length(); i++) {
                if (visibleMicros.get(i) == 0) {
                    return false;
                }
            }
            return true;
        }

        /** When the last sink was seen holding the row; 0 while some sink has not been seen with it. */
        public long visibleEverywhereMicros() {
            long last = 0;
            for (int i = 0; i < visibleMicros.length(); i++) {
                long seen = visibleMicros.get(i);
                if (seen == 0) {
                    return 0;
                }
                last = Math.max(last, seen);
            }
            return last;
        }
    }

    public void add(long id, long commitMicros) {
        Watch watch = new Watch(id, commitMicros, sinks);
        synchronized (inOrder) {
            inOrder.add(watch);
        }
        byId.put(id, watch);
    }

    /** The watch of row {@code id}, or {@code null} when the row is not sampled. */
    public Watch get(long id) {
        return byId.get(id);
    }

    /** The watches added since the first {@code from}, in the order added. */
    public List<Watch> from(int from) {
        synchronized (inOrder) {
            return from >= inOrder.size() ? List.of() : List.copyOf(inOrder.subList(from, inOrder.size()));
        }
    }

    public List<Watch> all() {
        return from(0);
    }
}
