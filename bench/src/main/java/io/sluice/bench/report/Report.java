package io.sluice.bench.report;

import static io.sluice.bench.report.Figures.mebibytes;
import static io.sluice.bench.report.Figures.micros;
import static io.sluice.bench.report.Figures.millis;
import static io.sluice.bench.report.Figures.rate;
import static io.sluice.bench.report.Figures.ratio;
import static io.sluice.bench.report.Figures.seconds;

import io.sluice.bench.report.Results.CeilingSummary;
import io.sluice.bench.report.Results.LatencySummary;
import io.sluice.bench.report.Results.ThroughputSummary;
import java.util.List;

/** The results as text tables: the ceiling, throughput next to it, latency, and any problems. */
public final class Report {
    private Report() {
    }

    /** @param heading lines printed first (what was run, on what) */
    public static String render(List<String> heading, Results results) {
        StringBuilder out = new StringBuilder();
        heading.forEach(line -> out.append(line).append('\n'));

        TextTable ceiling = new TextTable("ceiling (PostgreSQL to a do-nothing client)", "per second, median (range)",
                "unit", "runs");
        for (CeilingSummary summary : results.ceilingSummaries()) {
            ceiling.row(summary.kind(), rate(summary.perSecond()),
                    CeilingRun.COPY.equals(summary.kind()) ? "rows/s" : "events/s", runs(summary.okRuns(),
                            summary.runs()));
        }
        section(out, ceiling);

        TextTable throughput = new TextTable("mode", "sinks", "per second, median (range)", "of ceiling",
                "startup s", "writer/s", "drain s", "peak RSS MiB", "peak heap MiB", "CPU us/event", "runs");
        for (ThroughputSummary summary : results.throughputSummaries()) {
            throughput.row(summary.mode(), summary.sinks(), rate(summary.perSecond()),
                    ratio(summary.perSecond().median(), summary.ceilingPerSecond()), seconds(summary.startupSeconds()),
                    rate(summary.writerPerSecond()), seconds(summary.drainSeconds()),
                    mebibytes(summary.peakRssBytes()), mebibytes(summary.peakHeapBytes()),
                    micros(summary.cpuMicrosPerEvent()), runs(summary.okRuns(), summary.runs()));
        }
        section(out, throughput);

        TextTable latency = new TextTable("latency sinks", "offered/s", "achieved/s", "p50 ms", "p95 ms",
                "p99 ms, median (range)", "max ms", "kafka every event p99 ms", "drain ms", "lag growth ms",
                "peak RSS MiB", "CPU us/event", "runs");
        for (LatencySummary summary : results.latencySummaries()) {
            latency.row(summary.sinks(), rate(summary.offeredRate()), rate(summary.achievedRate()),
                    millis(summary.p50().median()), millis(summary.p95().median()), millis(summary.p99()),
                    millis(summary.max().median()), millis(summary.kafkaEveryEventP99().median()),
                    millis(summary.drainMillis()), millis(summary.lagGrowthMillis()),
                    mebibytes(summary.peakRssBytes()), micros(summary.cpuMicrosPerEvent()),
                    runs(summary.okRuns(), summary.runs()));
        }
        section(out, latency);

        List<String> notes = results.notes();
        if (!notes.isEmpty()) {
            out.append('\n').append("Notes:\n");
            notes.forEach(note -> out.append("  ").append(note).append('\n'));
        }
        List<String> problems = results.problems();
        if (!problems.isEmpty()) {
            out.append('\n').append("Runs left out of the figures above:\n");
            problems.forEach(problem -> out.append("  ").append(problem).append('\n'));
        }
        return out.toString();
    }

    private static void section(StringBuilder out, TextTable table) {
        if (!table.isEmpty()) {
            out.append('\n').append(table.render());
        }
    }

    private static String runs(int ok, int all) {
        return ok + "/" + all;
    }
}
