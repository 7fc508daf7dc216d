package io.sluice.bench.env;

import io.sluice.bench.report.Cost;
import io.sluice.it.support.Executables;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sluice running {@code sluice run --config FILE} in a process of its own, started by the launcher script as users
 * start it (the script execs the JVM, so the process is the JVM), so that its resident set and CPU time can be read
 * from {@code /proc} apart from the harness and the servers.
 *
 * <p>The JVM gets the launcher's default options, then, through {@code JAVA_OPTS}, the options the harness was given
 * ({@code -Dbench.sluiceJvmArgs}, where {@code {run}} stands for the run's name, e.g. for a JFR file per run) plus
 * {@code -Xlog:gc} into the run's directory, from which the peak heap is read. Where {@code setpriv} exists the
 * process gets SIGKILL when the thread that started it ends, so a killed harness leaves no Sluice behind; start it
 * from the harness's main thread.
 */
public final class SluiceChild implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 30;
    /** Sluice's exit code after a SIGTERM that let it deliver what it read and commit its offsets in time. */
    public static final int STOPPED_CLEANLY = 0;

    private final String name;
    private final Process process;
    private final Path log;
    private final Path gcLog;
    private final CpuClock clock;
    private long peakHeapAtEnd = -1;
    private long peakRssAtEnd = -1;

    private SluiceChild(String name, Process process, Path log, Path gcLog, CpuClock clock) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
        this.clock = clock;
    }

    /**
     * @param name    the run's name, e.g. {@code streaming-kafka-1}; names the log files and replaces {@code {run}}
     *                in {@code jvmOptions}
     * @param env     environment variables the configuration refers to
     */
    public static SluiceChild start(Path launcher, Path config, Path runDir, String name, List<String> jvmOptions,
            Map<String, String> env, CpuClock clock) {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is not an executable file (bench.launcher)");
        }
        Path log = runDir.resolve(name + ".log");
        Path gcLog = runDir.resolve(name + ".gc.log");
        List<String> command = new ArrayList<>();
        Executables.onPath("setpriv").ifPresent(setpriv -> command.addAll(List.of(setpriv.toString(), "--pdeathsig",
                "KILL", "--")));
        command.addAll(List.of(launcher.toString(), "run", "--config", config.toString()));
        List<String> javaOptions = new ArrayList<>();
        jvmOptions.forEach(option -> javaOptions.add(option.replace("{run}", name)));
        javaOptions.add("-Xlog:gc:file=" + gcLog);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("JAVA_OPTS", String.join(" ", javaOptions));
        // The harness's own JVM is the one the launcher should use.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv().getOrDefault("PATH", ""));
        try {
            return new SluiceChild(name, builder.start(), log, gcLog, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Sluice: " + String.join(" ", command), e);
        }
    }

    public Path log() {
        return log;
    }

    /** CPU time the process used so far (all threads, user and system), in microseconds. */
    public long cpuMicros() {
        return clock.micros(ProcFiles.cpuTicks(read(procFile("stat"))));
    }

    /** Fails with the end of Sluice's log when the process has exited. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Sluice (" + name + ") exited with code " + process.exitValue()
                    + "; the end of " + log + ":\n" + tail());
        }
    }

    /** Waits until Sluice's log holds {@code text}, e.g. the line saying a pipeline is streaming. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!readIfExists(log).contains(text)) {
            requireAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Sluice (" + name + ") did not log \"" + text + "\" within "
                        + timeout.toSeconds() + " s; the end of " + log + ":\n" + tail());
            }
            Thread.sleep(20);
        }
    }

    /**
     * Reads the peak resident set and the heap in use from the running process; call it at the end of the measured
     * window, before {@link #stop}.
     */
    public void recordPeaks() {
        requireAlive();
        peakRssAtEnd = ProcFiles.peakRssBytes(read(procFile("status")));
        peakHeapAtEnd = heapInUse();
    }

    /** The cost of a window that used {@code cpuMicros} of CPU for {@code events} events; after {@link #recordPeaks}. */
    public Cost cost(long cpuMicros, long events) {
        long fromGcLog = HeapFigures.peakBeforeCollection(readIfExists(gcLog));
        return new Cost(peakRssAtEnd, Math.max(fromGcLog, peakHeapAtEnd),
                events > 0 ? (double) cpuMicros / events : Double.NaN);
    }

    /** Stops Sluice with SIGTERM as a user would (it delivers what it read and commits offsets); returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("Sluice (" + name + ") did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM and was killed; see " + log);
        }
        return process.exitValue();
    }

    /** Kills Sluice if it still runs (after a failed run); a measured run stops it with {@link #stop}. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last lines of Sluice's log. */
    public String tail() {
        List<String> lines = readIfExists(log).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    private long heapInUse() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            Process info = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.heap_info")
                    .redirectErrorStream(true).start();
            String output = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!info.waitFor(30, TimeUnit.SECONDS) || info.exitValue() != 0) {
                return -1;
            }
            return HeapFigures.usedFromHeapInfo(output);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Path procFile(String file) {
        return Path.of("/proc", Long.toString(process.pid()), file);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private static String readIfExists(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
