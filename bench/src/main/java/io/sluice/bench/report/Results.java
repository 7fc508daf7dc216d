package io.sluice.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Every run of one benchmark invocation, and their summaries (medians and ranges over the repeats). */
public final class Results {
    private final List<CeilingRun> ceiling = new ArrayList<>();
    private final List<ThroughputRun> throughput = new ArrayList<>();
    private final List<LatencyRun> latency = new ArrayList<>();

    public synchronized void add(CeilingRun run) {
        ceiling.add(run);
    }

    public synchronized void add(ThroughputRun run) {
        throughput.add(run);
    }

    public synchronized void add(LatencyRun run) {
        latency.add(run);
    }

    public synchronized List<CeilingRun> ceilingRuns() {
        return List.copyOf(ceiling);
    }

    public synchronized List<ThroughputRun> throughputRuns() {
        return List.copyOf(throughput);
    }

    public synchronized List<LatencyRun> latencyRuns() {
        return List.copyOf(latency);
    }

    /** Per ceiling kind, in the order first measured. */
    public synchronized List<CeilingSummary> ceilingSummaries() {
        List<CeilingSummary> summaries = new ArrayList<>();
        groups(ceiling, CeilingRun::kind).forEach((kind, runs) -> {
            List<CeilingRun> ok = runs.stream().filter(CeilingRun::ok).toList();
            summaries.add(new CeilingSummary(kind, Spread.of(values(ok, CeilingRun::perSecond)), ok.size(),
                    runs.size()));
        });
        return summaries;
    }

    /**
     * The ceiling a mode's rate is compared with: the WAL drain rate of pg_recvlogical (or, without it, of the pgjdbc
     * reader) for streaming and backlog, COPY for snapshot.
     */
    public synchronized CeilingSummary ceilingFor(String mode) {
        List<String> kinds = "snapshot".equals(mode) ? List.of(CeilingRun.COPY)
                : List.of(CeilingRun.DRAIN_RECVLOGICAL, CeilingRun.DRAIN_JDBC);
        for (String kind : kinds) {
            for (CeilingSummary summary : ceilingSummaries()) {
                if (summary.kind().equals(kind) && !summary.perSecond().isEmpty()) {
                    return summary;
                }
            }
        }
        return new CeilingSummary(kinds.get(0), Spread.NONE, 0, 0);
    }

    /** Per mode and sink set, in the order first measured. */
    public synchronized List<ThroughputSummary> throughputSummaries() {
        List<ThroughputSummary> summaries = new ArrayList<>();
        groups(throughput, run -> run.mode() + "/" + run.sinks()).forEach((group, runs) -> {
            List<ThroughputRun> ok = runs.stream().filter(ThroughputRun::ok).toList();
            ThroughputRun first = runs.get(0);
            Spread rate = Spread.of(values(ok, ThroughputRun::perSecond));
            CeilingSummary ceilingSummary = ceilingFor(first.mode());
            summaries.add(new ThroughputSummary(first.mode(), first.sinks(), rate, ceilingSummary.kind(),
                    ceilingSummary.perSecond().median(), rate.median() / ceilingSummary.perSecond().median(),
                    median(ok, ThroughputRun::startupSeconds), median(ok, ThroughputRun::writerPerSecond),
                    median(ok, ThroughputRun::drainSeconds), median(ok, run -> bytes(run.cost().peakRssBytes())),
                    median(ok, run -> bytes(run.cost().peakHeapBytes())),
                    median(ok, run -> run.cost().cpuMicrosPerEvent()), ok.size(), runs.size()));
        });
        return summaries;
    }

    /** Per sink set and offered rate, in the order first measured. */
    public synchronized List<LatencySummary> latencySummaries() {
        List<LatencySummary> summaries = new ArrayList<>();
        groups(latency, run -> run.sinks() + "/" + run.offeredRate()).forEach((group, runs) -> {
            List<LatencyRun> ok = runs.stream().filter(LatencyRun::ok).toList();
            LatencyRun first = runs.get(0);
            summaries.add(new LatencySummary(first.sinks(), first.offeredRate(), median(ok, LatencyRun::achievedRate),
                    Spread.of(values(ok, run -> run.visible().p50())), Spread.of(values(ok, run -> run.visible().p95())),
                    Spread.of(values(ok, run -> run.visible().p99())), Spread.of(values(ok, run -> run.visible().max())),
                    Spread.of(values(ok, run -> run.kafkaEveryEvent().p99())), median(ok, LatencyRun::drainMillis),
                    median(ok, LatencyRun::lagGrowthMillis), median(ok, run -> bytes(run.cost().peakRssBytes())),
                    median(ok, run -> run.cost().cpuMicrosPerEvent()), ok.size(), runs.size()));
        });
        return summaries;
    }

    /** Every problem of a run, one line each, for the end of the report. */
    public synchronized List<String> problems() {
        List<String> problems = new ArrayList<>();
        ceiling.stream().filter(run -> !run.ok())
                .forEach(run -> problems.add("ceiling " + run.kind() + " #" + run.repeat() + ": " + run.problem()));
        throughput.stream().filter(run -> !run.ok()).forEach(run -> problems.add(run.mode() + " " + run.sinks()
                + " #" + run.repeat() + ": " + run.problem()));
        latency.stream().filter(run -> !run.ok()).forEach(run -> problems.add("latency " + run.sinks() + " @"
                + run.offeredRate() + "/s #" + run.repeat() + ": " + run.problem()));
        return Collections.unmodifiableList(problems);
    }

    /** Notes of valid runs (e.g. events a sink applied twice), one line each. */
    public synchronized List<String> notes() {
        return throughput.stream().filter(run -> run.ok() && run.note() != null)
                .map(run -> run.mode() + " " + run.sinks() + " #" + run.repeat() + ": " + run.note()).toList();
    }

    private static <T> Map<String, List<T>> groups(List<T> runs, Function<T, String> key) {
        Map<String, List<T>> groups = new LinkedHashMap<>();
        for (T run : runs) {
            groups.computeIfAbsent(key.apply(run), k -> new ArrayList<>()).add(run);
        }
        return groups;
    }

    private static <T> List<Double> values(List<T> runs, ToDoubleFunction<T> value) {
        return runs.stream().map(run -> value.applyAsDouble(run)).toList();
    }

    private static <T> double median(List<T> runs, ToDoubleFunction<T> value) {
        return Spread.of(values(runs, value)).median();
    }

    private static double bytes(long bytes) {
        return bytes < 0 ? Double.NaN : bytes;
    }

    /** A ceiling kind over the repeats. */
    public record CeilingSummary(String kind, Spread perSecond, int okRuns, int runs) {
    }

    /** A throughput mode and sink set over the repeats; cost and secondary figures are medians. */
    public record ThroughputSummary(String mode, String sinks, Spread perSecond, String ceilingKind,
            double ceilingPerSecond, double ofCeiling, double startupSeconds, double writerPerSecond,
            double drainSeconds, double peakRssBytes, double peakHeapBytes, double cpuMicrosPerEvent, int okRuns,
            int runs) {
    }

    /** A latency sink set and offered rate over the repeats; single figures are medians. */
    public record LatencySummary(String sinks, int offeredRate, double achievedRate, Spread p50, Spread p95,
            Spread p99, Spread max, Spread kafkaEveryEventP99, double drainMillis, double lagGrowthMillis,
            double peakRssBytes, double cpuMicrosPerEvent, int okRuns, int runs) {
    }
}
