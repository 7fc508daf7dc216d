package io.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What to measure and how, from {@code -Dbench.*} system properties; every one has a default, so the full benchmark
 * needs none. A bad value fails with a message naming the property.
 *
 * @param rows             N: rows inserted then updated (streaming, backlog, the WAL ceiling) or pre-filled
 *                         (snapshot, COPY); {@code bench.rows}, default 200k, suffixes k and M allowed
 * @param repeats          runs of each measurement; {@code bench.repeats}, default 3
 * @param sinkSets         {@code bench.sinks}, default {@code kafka,elasticsearch,redis,all}
 * @param modes            {@code bench.modes}, default {@code streaming,backlog,snapshot,latency}
 * @param latencyRates     offered rows per second of the latency runs; {@code bench.latencyRates}, default 5000,10000
 * @param latencyWindow    measured part of a latency run; {@code bench.latencySeconds}, default 30
 * @param latencyWarmup    unmeasured start of a latency run; {@code bench.latencyWarmupSeconds}, default 5
 * @param warmupRows       rows inserted and updated in a streaming run before the measured N, so the measured
 *                         part does not include Sluice's JIT warm-up; {@code bench.warmupRows}, default N/10
 * @param transactionRows  rows per transaction of the writer; {@code bench.txRows}, default 1000
 * @param kafkaPartitions  partitions of the topic; {@code bench.kafkaPartitions}, default 1
 * @param pollInterval     how often the sinks are asked how far they are in throughput runs;
 *                         {@code bench.pollMillis}, default 10
 * @param probeInterval    how often Elasticsearch and Redis are asked for sampled rows in latency runs;
 *                         {@code bench.probeMillis}, default 5
 * @param stallTimeout     a run fails when no sink makes progress for this long; {@code bench.stallSeconds},
 *                         default 120
 * @param sluiceJvmOptions options for Sluice's JVM, split at spaces, after the launcher's defaults (later options
 *                         win); {@code {run}} becomes the run's name; {@code bench.sluiceJvmArgs}, default none
 * @param ceilingReader    {@code bench.ceiling}: auto, recvlogical, jdbc or both; default auto
 * @param root             the repository root; {@code bench.root}, default the working directory
 * @param launcher         the script that runs Sluice as users run it, with its default JVM options;
 *                         {@code bench.launcher}, default {@code <root>/sluice}
 * @param resultsDir       where the JSON file goes; {@code bench.results}, default {@code <root>/bench/results}
 * @param workDir          run directories with Sluice's configuration, logs and GC logs; {@code bench.work},
 *                         default {@code <root>/bench/target/runs}
 */
public record BenchOptions(int rows, int repeats, List<SinkSet> sinkSets, List<Mode> modes, List<Integer> latencyRates,
        Duration latencyWindow, Duration latencyWarmup, int warmupRows, int transactionRows, int kafkaPartitions,
        Duration pollInterval, Duration probeInterval, Duration stallTimeout, List<String> sluiceJvmOptions,
        CeilingReader ceilingReader, Path root, Path launcher, Path resultsDir, Path workDir) {

    public BenchOptions {
        sinkSets = List.copyOf(sinkSets);
        modes = List.copyOf(modes);
        latencyRates = List.copyOf(latencyRates);
        sluiceJvmOptions = List.copyOf(sluiceJvmOptions);
    }

    public static BenchOptions fromSystemProperties() {
        return from(System::getProperty);
    }

    /** @param properties the value of a property, or {@code null} when it is not set */
    static BenchOptions from(Function<String, String> properties) {
        Reader in = new Reader(properties);
        int rows = in.count("rows", 200_000, 1);
        int warmupRows = in.count("warmupRows", rows / 10, 0);
        Path root = Path.of(in.text("root", ".")).toAbsolutePath().normalize();
        return new BenchOptions(
                rows,
                in.count("repeats", 3, 1),
                in.list("sinks", "kafka,elasticsearch,redis,all", SinkSet::parse),
                in.list("modes", "streaming,backlog,snapshot,latency", Mode::parse),
                in.list("latencyRates", "5000,10000", text -> positive(parseCount(text))),
                Duration.ofSeconds(in.count("latencySeconds", 30, 1)),
                Duration.ofSeconds(in.count("latencyWarmupSeconds", 5, 0)),
                warmupRows,
                in.count("txRows", 1000, 1),
                in.count("kafkaPartitions", 1, 1),
                Duration.ofMillis(in.count("pollMillis", 10, 1)),
                Duration.ofMillis(in.count("probeMillis", 5, 1)),
                Duration.ofSeconds(in.count("stallSeconds", 120, 1)),
                words(in.text("sluiceJvmArgs", "")),
                in.parsed("ceiling", "auto", CeilingReader::parse),
                root,
                root.resolve(in.text("launcher", "sluice")),
                root.resolve(in.text("results", "bench/results")),
                root.resolve(in.text("work", "bench/target/runs")));
    }

    /** The options as the results file records them. */
    public Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rows", rows);
        map.put("repeats", repeats);
        map.put("sinks", sinkSets.stream().map(SinkSet::label).toList());
        map.put("modes", modes.stream().map(Mode::label).toList());
        map.put("latencyRates", latencyRates);
        map.put("latencySeconds", latencyWindow.toSeconds());
        map.put("latencyWarmupSeconds", latencyWarmup.toSeconds());
        map.put("warmupRows", warmupRows);
        map.put("txRows", transactionRows);
        map.put("kafkaPartitions", kafkaPartitions);
        map.put("pollMillis", pollInterval.toMillis());
        map.put("probeMillis", probeInterval.toMillis());
        map.put("stallSeconds", stallTimeout.toSeconds());
        map.put("sluiceJvmArgs", sluiceJvmOptions);
        map.put("ceiling", ceilingReader.name().toLowerCase(Locale.ROOT));
        map.put("launcher", launcher.toString());
        return map;
    }

    public boolean measures(Mode mode) {
        return modes.contains(mode);
    }

    /** A count such as {@code 200000}, {@code 200k} or {@code 1M}. */
    static int parseCount(String text) {
        String value = text.trim().replace("_", "");
        long factor = 1;
        if (value.endsWith("k") || value.endsWith("K")) {
            factor = 1_000;
            value = value.substring(0, value.length() - 1);
        } else if (value.endsWith("m") || value.endsWith("M")) {
            factor = 1_000_000;
            value = value.substring(0, value.length() - 1);
        }
        long count = Long.parseLong(value) * factor;
        if (count > Integer.MAX_VALUE) {
            throw new NumberFormatException("too large: " + text);
        }
        return (int) count;
    }

    private static int positive(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("each value must be at least 1, was " + value);
        }
        return value;
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    /** Reads {@code bench.<name>} properties and names the property in every error. */
    private record Reader(Function<String, String> properties) {
        String text(String name, String fallback) {
            String value = properties.apply("bench." + name);
            return value == null || value.isBlank() ? fallback : value;
        }

        int count(String name, int fallback, int minimum) {
            String value = properties.apply("bench." + name);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            int count;
            try {
                count = parseCount(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-Dbench." + name + "=" + value + " is not a count (e.g. 200000, "
                        + "200k, 1M)");
            }
            if (count < minimum) {
                throw new IllegalArgumentException("-Dbench." + name + " must be at least " + minimum + ", was "
                        + value);
            }
            return count;
        }

        <T> T parsed(String name, String fallback, Function<String, T> parser) {
            String value = text(name, fallback);
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-Dbench." + name + "=" + value + ": " + e.getMessage());
            }
        }

        <T> List<T> list(String name, String fallback, Function<String, T> parser) {
            String value = text(name, fallback);
            List<T> items = new ArrayList<>();
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    try {
                        items.add(parser.apply(item));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("-Dbench." + name + "=" + value + ": '" + item.trim()
                                + "' is not a count");
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("-Dbench." + name + "=" + value + ": " + e.getMessage());
                    }
                }
            }
            if (items.isEmpty()) {
                throw new IllegalArgumentException("-Dbench." + name + " is empty");
            }
            return List.copyOf(items);
        }
    }
}
