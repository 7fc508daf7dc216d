package io.sluice.bench;

import io.sluice.bench.env.Servers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What the figures were measured on, for the heading of the table and the results file: the machine, its load
 * average before and after (a busy machine shows there), the Java and server versions and the commit measured.
 */
final class Environment {
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Environment() {
    }

    static Environment capture(BenchOptions options) {
        Environment environment = new Environment();
        environment.values.put("started", Instant.now().toString());
        environment.values.put("cpus", Runtime.getRuntime().availableProcessors());
        environment.values.put("memory", memTotal());
        environment.values.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        environment.values.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        environment.values.put("loadAverageAtStart", loadAverageNow());
        environment.values.put("commit", gitCommit(options.root()));
        return environment;
    }

    void servers(Servers servers) {
        values.put("postgres", servers.postgres().majorVersion() + " (" + servers.postgres().binaries().name()
                .toLowerCase(Locale.ROOT) + " binaries)");
        values.put("kafka", AppInfoParser.getVersion());
    }

    void finish() {
        values.put("finished", Instant.now().toString());
        values.put("loadAverageAtEnd", loadAverage());
    }

    /** The load average as {@code /proc/loadavg} gives it now (1, 5 and 15 minutes). */
    String loadAverage() {
        return loadAverageNow();
    }

    Map<String, Object> describe() {
        return new LinkedHashMap<>(values);
    }

    List<String> heading(BenchOptions options, List<String> ceilingReaders) {
        List<String> lines = new ArrayList<>();
        lines.add("Sluice benchmark, commit " + values.get("commit") + ", " + values.get("started"));
        lines.add("Machine: " + values.get("cpus") + " CPUs, " + values.get("memory") + ", " + values.get("os") + ", "
                + values.get("java") + "; PostgreSQL " + values.getOrDefault("postgres", "?") + ", Kafka "
                + values.getOrDefault("kafka", "?"));
        lines.add("Load average (1, 5, 15 min) at start " + values.get("loadAverageAtStart") + ", at end "
                + values.getOrDefault("loadAverageAtEnd", "?") + " (busy machines give low, noisy figures)");
        lines.add("N = " + options.rows() + " rows (" + (2L * options.rows() + 1) + " events inserted+updated+marker), "
                + options.repeats() + " repeat(s), " + options.transactionRows() + " rows per transaction; ceiling: "
                + String.join(", ", ceilingReaders) + " and COPY");
        lines.add("Sluice: " + options.launcher() + " (its default JVM options" + (options.sluiceJvmOptions().isEmpty()
                ? ")" : ", then " + String.join(" ", options.sluiceJvmOptions()) + ")"));
        return lines;
    }

    private static String loadAverageNow() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB RAM", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // reported as unknown below
        }
        return "unknown RAM";
    }

    private static String gitCommit(Path root) {
        try {
            Process git = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? output : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
