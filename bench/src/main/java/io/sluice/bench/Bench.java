package io.sluice.bench;

import io.sluice.bench.env.BenchDatabase;
import io.sluice.bench.env.CpuClock;
import io.sluice.bench.env.KafkaTopics;
import io.sluice.bench.env.Servers;
import io.sluice.bench.report.CeilingRun;
import io.sluice.bench.report.LatencyRun;
import io.sluice.bench.report.Report;
import io.sluice.bench.report.Results;
import io.sluice.bench.report.ResultsFile;
import io.sluice.bench.report.ThroughputRun;
import io.sluice.bench.scenario.CeilingScenario;
import io.sluice.bench.scenario.LatencyScenario;
import io.sluice.bench.scenario.RunContext;
import io.sluice.bench.scenario.ThroughputScenarios;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark harness: starts the servers, measures the ceiling and every requested mode and sink set, repeat
 * after repeat (so that slow drift of the machine spreads over all figures alike), then prints the table and writes
 * the JSON file. Options are {@code -Dbench.*} system properties ({@link BenchOptions}); bench/README.md explains
 * the figures.
 */
public final class Bench {
    private static final PrintStream OUT = System.out;
    private static final List<Mode> THROUGHPUT_MODES = List.of(Mode.STREAMING, Mode.BACKLOG, Mode.SNAPSHOT);

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = Files.createDirectories(options.workDir().resolve(stamp));
        Environment environment = Environment.capture(options);
        OUT.println("Sluice benchmark " + stamp + ": N = " + options.rows() + " rows, " + options.repeats()
                + " repeat(s); Sluice logs in " + runDir);
        OUT.println("Load average at start: " + environment.loadAverage());

        Results results = new Results();
        List<String> kinds;
        try (Servers servers = Servers.start(sinksNeeded(options), options.kafkaPartitions());
                KafkaTopics topics = servers.hasKafka() ? new KafkaTopics(servers.kafka().bootstrapServers())
                        : null) {
            BenchDatabase database = BenchDatabase.on(servers.postgres());
            RunContext context = new RunContext(options, servers, database, topics, CpuClock.ofThisMachine(),
                    runDir);
            CeilingScenario ceiling = new CeilingScenario(context);
            kinds = ceiling.readerKinds();
            ThroughputScenarios throughput = new ThroughputScenarios(context);
            LatencyScenario latency = new LatencyScenario(context);
            environment.servers(servers);
            for (int repeat = 1; repeat <= options.repeats(); repeat++) {
                if (THROUGHPUT_MODES.stream().anyMatch(options::measures)) {
                    measureCeiling(ceiling, options, repeat, results);
                }
                for (SinkSet sinks : options.sinkSets()) {
                    for (Mode mode : THROUGHPUT_MODES) {
                        if (options.measures(mode)) {
                            results.add(measureThroughput(throughput, mode, sinks, repeat));
                        }
                    }
                }
                if (options.measures(Mode.LATENCY)) {
                    for (SinkSet sinks : options.sinkSets()) {
                        for (int rate : options.latencyRates()) {
                            results.add(measureLatency(latency, sinks, rate, repeat));
                        }
                    }
                }
            }
        }
        environment.finish();
        List<String> heading = environment.heading(options, kinds);
        OUT.println();
        OUT.print(Report.render(heading, results));
        Path file = options.resultsDir().resolve(stamp + ".json");
        ResultsFile.write(file, environment.describe(), options.describe(), results);
        OUT.println();
        OUT.println("Results: " + file);
    }

    private static void measureCeiling(CeilingScenario ceiling, BenchOptions options, int repeat, Results results) {
        progress("ceiling: WAL drain " + String.join(", ", ceiling.readerKinds()), repeat);
        try {
            ceiling.drain(repeat).forEach(run -> report(results, run));
        } catch (Exception e) {
            ceiling.readerKinds().forEach(kind -> report(results, CeilingRun.failed(kind, repeat, message(e))));
        }
        if (options.measures(Mode.SNAPSHOT)) {
            progress("ceiling: COPY", repeat);
            try {
                report(results, ceiling.copy(repeat));
            } catch (Exception e) {
                report(results, CeilingRun.failed(CeilingRun.COPY, repeat, message(e)));
            }
        }
    }

    private static void report(Results results, CeilingRun run) {
        results.add(run);
        OUT.printf("    %s: %s%n", run.kind(), run.ok() ? String.format("%,.0f per second", run.perSecond())
                : "FAILED: " + run.problem());
    }

    private static ThroughputRun measureThroughput(ThroughputScenarios scenarios, Mode mode, SinkSet sinks,
            int repeat) {
        progress(mode.label() + " " + sinks.label(), repeat);
        ThroughputRun run;
        try {
            run = switch (mode) {
                case STREAMING -> scenarios.streaming(sinks, repeat);
                case BACKLOG -> scenarios.backlog(sinks, repeat);
                case SNAPSHOT -> scenarios.snapshot(sinks, repeat);
                case LATENCY -> throw new IllegalArgumentException("latency is not a throughput mode");
            };
        } catch (Exception e) {
            run = ThroughputRun.failed(mode.label(), sinks.label(), repeat, message(e));
        }
        OUT.printf("    %s%n", run.ok() ? String.format("%,.0f per second over %.1f s", run.perSecond(),
                run.seconds()) : "FAILED: " + run.problem());
        return run;
    }

    private static LatencyRun measureLatency(LatencyScenario scenario, SinkSet sinks, int rate, int repeat) {
        progress("latency " + sinks.label() + " at " + rate + " rows/s", repeat);
        LatencyRun run;
        try {
            run = scenario.run(sinks, rate, repeat);
        } catch (Exception e) {
            run = LatencyRun.failed(sinks.label(), repeat, rate, message(e));
        }
        OUT.printf("    %s%n", run.ok() ? String.format("p50 %.1f ms, p99 %.1f ms over %d samples",
                run.visible().p50(), run.visible().p99(), run.visible().samples()) : "FAILED: " + run.problem());
        return run;
    }

    private static Set<Sink> sinksNeeded(BenchOptions options) {
        Set<Sink> sinks = EnumSet.noneOf(Sink.class);
        options.sinkSets().forEach(set -> sinks.addAll(set.sinks()));
        return sinks;
    }

    private static void progress(String what, int repeat) {
        OUT.printf("[%s] #%d %s%n", LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), repeat,
                what);
    }

    private static String message(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e.getCause() != null && e.getCause().getMessage() != null && !message.contains(e.getCause().getMessage())
                ? message + ": " + e.getCause().getMessage() : message;
    }
}
