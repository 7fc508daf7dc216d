package io.sluice.bench.scenario;

import io.sluice.bench.BenchOptions;
import io.sluice.bench.Sink;
import io.sluice.bench.SinkSet;
import io.sluice.bench.env.Servers;
import io.sluice.bench.env.SluiceChild;
import io.sluice.bench.load.PacedInserter;
import io.sluice.bench.probe.ElasticsearchProbe;
import io.sluice.bench.probe.KafkaLatencyObserver;
import io.sluice.bench.probe.RedisProbe;
import io.sluice.bench.probe.SinkProbe;
import io.sluice.bench.probe.VisibilityPoller;
import io.sluice.bench.probe.WatchedRows;
import io.sluice.bench.probe.WatchedRows.Watch;
import io.sluice.bench.report.LatencyRun;
import io.sluice.bench.report.Percentiles;
import io.sluice.bench.report.Spread;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rows inserted at a fixed offered rate while Sluice streams; the last row of each transaction is sampled and the
 * time from its commit (as the writer saw it return) to the moment every sink of the set held it is recorded. How
 * each sink is watched, and how exact that is, is in bench/README.md.
 */
public final class LatencyScenario {
    private final RunContext context;

    public LatencyScenario(RunContext context) {
        this.context = context;
    }

    public LatencyRun run(SinkSet sinks, int rate, int repeat) throws Exception {
        BenchOptions options = context.options();
        String name = "latency-" + sinks.label() + "-" + rate + "-" + repeat;
        try (SluiceRun run = SluiceRun.prepare(context, name, sinks);
                Connection db = context.database().connect()) {
            SluiceChild sluice = run.start("");
            run.awaitStreaming(sluice);
            List<Sink> watchedSinks = Arrays.stream(Sink.values()).filter(sinks::has).toList();
            WatchedRows watched = new WatchedRows(watchedSinks.size());
            Observers observers = Observers.start(context.servers(), run, watchedSinks, watched,
                    options.probeInterval());
            try {
                PacedInserter inserter = new PacedInserter(rate);
                long warmupRows = inserter.run(db, 1, options.latencyWarmup(), (id, micros) -> { });
                long firstId = warmupRows + 1;
                long cpuBefore = sluice.cpuMicros();
                long start = System.nanoTime();
                long rows = inserter.run(db, firstId, options.latencyWindow(), watched::add);
                double seconds = (System.nanoTime() - start) / 1e9;
                long writtenMicros = PacedInserter.nowMicros();
                awaitAllSeen(watched, watchedSinks, observers, sluice);
                long cpu = sluice.cpuMicros() - cpuBefore;
                sluice.recordPeaks();
                List<Watch> samples = watched.all();
                double[] millis = samples.stream()
                        .mapToDouble(w -> (w.visibleEverywhereMicros() - w.commitMicros()) / 1000.0).toArray();
                long allSeenMicros = samples.stream().mapToLong(Watch::visibleEverywhereMicros).max()
                        .orElse(writtenMicros);
                Percentiles kafka = observers.kafka == null ? Percentiles.NONE
                        : Percentiles.of(observers.kafka.latencies(firstId, firstId + rows - 1));
                observers.close();
                int exit = sluice.stop();
                return new LatencyRun(sinks.label(), repeat, rate, rows / seconds, seconds, Percentiles.of(millis),
                        kafka, Math.max(0, (allSeenMicros - writtenMicros) / 1000.0), lagGrowth(millis), rows,
                        sluice.cost(cpu, rows), exit == SluiceChild.STOPPED_CLEANLY ? null
                                : "Sluice exited with code " + exit + " on SIGTERM; see " + sluice.log());
            } finally {
                observers.close();
            }
        }
    }

    /** Waits until every sink showed every sampled row; fails when none appears for the stall timeout. */
    private void awaitAllSeen(WatchedRows watched, List<Sink> sinks, Observers observers, SluiceChild sluice)
            throws InterruptedException {
        long lastChange = System.nanoTime();
        long seen = -1;
        while (true) {
            List<Watch> all = watched.all();
            long seenNow = all.stream().filter(Watch::seenByAll).count();
            if (seenNow == all.size()) {
                return;
            }
            long now = System.nanoTime();
            if (seenNow != seen) {
                seen = seenNow;
                lastChange = now;
            } else if (now - lastChange > context.options().stallTimeout().toNanos()) {
                Watch first = all.stream().filter(w -> !w.seenByAll()).findFirst().orElseThrow();
                List<String> missing = new ArrayList<>();
                for (int slot = 0; slot < sinks.size(); slot++) {
                    if (!first.seenBy(slot)) {
                        missing.add(sinks.get(slot).label());
                    }
                }
                throw new IllegalStateException((all.size() - seenNow) + " sampled rows did not reach every sink "
                        + "within " + context.options().stallTimeout().toSeconds() + " s (the first, id "
                        + first.id() + ", not seen in " + String.join(", ", missing) + "); the end of "
                        + sluice.log() + ":\n" + sluice.tail());
            }
            observers.requireHealthy();
            sluice.requireAlive();
            Thread.sleep(context.options().probeInterval().toMillis());
        }
    }

    /**
     * The median latency of the last tenth of the samples minus that of the first tenth: about 0 when Sluice keeps
     * up with the offered rate, and growing with the window when it falls behind.
     */
    static double lagGrowth(double[] millisInCommitOrder) {
        int tenth = millisInCommitOrder.length / 10;
        if (tenth == 0) {
            return Double.NaN;
        }
        double[] first = Arrays.copyOfRange(millisInCommitOrder, 0, tenth);
        double[] last = Arrays.copyOfRange(millisInCommitOrder, millisInCommitOrder.length - tenth,
                millisInCommitOrder.length);
        return Spread.of(last).median() - Spread.of(first).median();
    }

    /** The threads that watch each sink, with the probes they use. */
    private static final class Observers implements AutoCloseable {
        private KafkaLatencyObserver kafka;
        private final List<VisibilityPoller> pollers = new ArrayList<>();
        private final List<SinkProbe> probes = new ArrayList<>();
        private boolean closed;

        static Observers start(Servers servers, SluiceRun run, List<Sink> sinks, WatchedRows watched,
                Duration interval) {
            Observers observers = new Observers();
            try {
                for (int slot = 0; slot < sinks.size(); slot++) {
                    Sink sink = sinks.get(slot);
                    if (sink == Sink.KAFKA) {
                        observers.kafka = new KafkaLatencyObserver(servers.kafka().bootstrapServers(),
                                run.names().topic(), watched, slot);
                    } else if (sink == Sink.ELASTICSEARCH) {
                        ElasticsearchProbe probe = new ElasticsearchProbe(servers.elasticsearch().url(),
                                run.names().index());
                        observers.probes.add(probe);
                        observers.pollers.add(new VisibilityPoller("elasticsearch", watched, slot, probe::visible,
                                interval));
                    } else {
                        RedisProbe probe = new RedisProbe(servers.redis().host(), servers.redis().port(),
                                run.names());
                        observers.probes.add(probe);
                        observers.pollers.add(new VisibilityPoller("redis", watched, slot, probe::visible, interval));
                    }
                }
            } catch (RuntimeException e) {
                observers.close();
                throw e;
            }
            return observers;
        }

        void requireHealthy() {
            if (kafka != null) {
                kafka.requireHealthy();
            }
            pollers.forEach(VisibilityPoller::requireHealthy);
        }

        /** Stops the threads, then closes the probes they used; idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            pollers.forEach(VisibilityPoller::close);
            if (kafka != null) {
                kafka.close();
            }
            probes.forEach(SinkProbe::close);
        }
    }
}
