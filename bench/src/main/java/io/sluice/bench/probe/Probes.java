package io.sluice.bench.probe;

import io.sluice.bench.Sink;
import io.sluice.bench.SinkSet;
import io.sluice.bench.env.RunNames;
import io.sluice.bench.env.Servers;
import io.sluice.bench.env.SluiceChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The probes of one run's sinks, asked together. */
public final class Probes implements AutoCloseable {
    private final List<SinkProbe> probes;

    private Probes(List<SinkProbe> probes) {
        this.probes = List.copyOf(probes);
    }

    public static Probes open(Servers servers, SinkSet sinks, RunNames names) {
        List<SinkProbe> probes = new ArrayList<>();
        try {
            if (sinks.has(Sink.KAFKA)) {
                probes.add(new KafkaProbe(servers.kafka().bootstrapServers(), names.topic()));
            }
            if (sinks.has(Sink.ELASTICSEARCH)) {
                probes.add(new ElasticsearchProbe(servers.elasticsearch().url(), names.index()));
            }
            if (sinks.has(Sink.REDIS)) {
                probes.add(new RedisProbe(servers.redis().host(), servers.redis().port(), names));
            }
        } catch (RuntimeException e) {
            probes.forEach(SinkProbe::close);
            throw e;
        }
        return new Probes(probes);
    }

    /** Readies the sinks for a run: Redis is emptied (the run's topic and index are new names anyway). */
    public void prepareSinks() {
        for (SinkProbe probe : probes) {
            if (probe instanceof RedisProbe redis) {
                redis.flush();
            }
        }
    }

    /** Removes what a run left in Elasticsearch, the largest leftover (topics go with {@code KafkaTopics}). */
    public void cleanUpSinks() {
        for (SinkProbe probe : probes) {
            if (probe instanceof ElasticsearchProbe elasticsearch) {
                elasticsearch.deleteIndex();
            }
        }
    }

    /**
     * When the sinks first moved and when the last of them reached the target, both from {@link System#nanoTime()}.
     *
     * @param firstNanos when a poll first saw any sink move past where it was when waiting began
     * @param doneNanos  when a poll saw the last sink reach the target
     */
    public record Arrival(long firstNanos, long doneNanos) {
    }

    /** Each sink's progress now, in the order of the probes: the baseline for {@link #await}. */
    public long[] progress() {
        long[] progress = new long[probes.size()];
        for (int i = 0; i < probes.size(); i++) {
            progress[i] = probes.get(i).progress();
        }
        return progress;
    }

    /**
     * Polls every sink every {@code interval} until all reached the target.
     *
     * @param baseline        {@link #progress()} from before the awaited work began; moving past it is progress
     * @param onFirstProgress run once, right when the first progress is seen (e.g. to read Sluice's CPU time)
     * @throws IllegalStateException when Sluice exits, or no sink moves for {@code stallTimeout}
     */
    public Arrival await(Target target, long[] baseline, Duration interval, Duration stallTimeout,
            SluiceChild sluice, Runnable onFirstProgress) throws InterruptedException {
        Objects.requireNonNull(onFirstProgress, "onFirstProgress");
        boolean[] done = new boolean[probes.size()];
        long first = 0;
        long lastTotal = -1;
        long lastMove = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            long total = 0;
            boolean all = true;
            for (int i = 0; i < probes.size(); i++) {
                SinkProbe probe = probes.get(i);
                long progress = probe.progress();
                total += progress;
                if (first == 0 && progress > baseline[i]) {
                    first = now;
                    onFirstProgress.run();
                }
                if (!done[i]) {
                    done[i] = probe.reached(target);
                    all &= done[i];
                }
            }
            if (all) {
                return new Arrival(first == 0 ? now : first, now);
            }
            if (total != lastTotal) {
                lastTotal = total;
                lastMove = now;
            } else if (now - lastMove > stallTimeout.toNanos()) {
                throw new IllegalStateException("no sink made progress for " + stallTimeout.toSeconds()
                        + " s (waiting for " + target + "); the end of " + sluice.log() + ":\n" + sluice.tail());
            }
            sluice.requireAlive();
            Thread.sleep(interval.toMillis());
        }
    }

    /** After a run: every sink checked against the target (see {@link SinkProbe#check}). */
    public Check check(Target target) {
        return Check.all(probes.stream().map(probe -> probe.check(target)).toList());
    }

    @Override
    public void close() {
        probes.forEach(SinkProbe::close);
    }
}
