package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code sluice run} of the packaged jar in the background, its output in a log file; stopped by SIGTERM. */
final class RunningSluice implements AutoCloseable {
    private static final Pattern ADMIN_LINE = Pattern.compile("admin endpoint on http://[^ ]+:(\\d+) ");

    private final Process process;
    private final Path log;

    private RunningSluice(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static RunningSluice start(Path config, Path log) throws IOException {
        Process process = SluiceProcess.builder(Map.of(), "run", "--config", config.toString())
                .redirectOutput(log.toFile()).start();
        return new RunningSluice(process, log);
    }

    /**
     * Waits until this process streams from the fixture's slot (not only holds it, as it does during the initial
     * snapshot: {@link io.sluice.it.support.LocalPostgres#streamsFrom}), failing early if the process exits.
     */
    void awaitSlotActive(SluiceFixture f, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!streams(f)) {
            if (!process.isAlive()) {
                throw new AssertionError("sluice exited with " + process.exitValue() + ":\n" + output());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("slot " + f.slot() + " not active after " + timeout.toSeconds() + "s:\n"
                        + output());
            }
            Thread.sleep(100);
        }
    }

    private static boolean streams(SluiceFixture f) {
        try {
            return f.postgres.streamsFrom(f.slot());
        } catch (SQLException e) {
            throw new AssertionError("could not read slot " + f.slot(), e);
        }
    }

    /**
     * The port of the admin endpoint, from the log line that names it (the tests configure port 0), failing early if
     * the process exits.
     */
    int adminPort(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Matcher line = ADMIN_LINE.matcher(output());
            if (line.find()) {
                return Integer.parseInt(line.group(1));
            }
            if (!process.isAlive()) {
                throw new AssertionError("sluice exited with " + process.exitValue() + ":\n" + output());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no admin endpoint after " + timeout.toSeconds() + "s:\n" + output());
            }
            Thread.sleep(100);
        }
    }

    /** Sends SIGTERM and checks that Sluice stopped cleanly, having committed what it delivered. */
    void stop() throws IOException, InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        assertThat(process.exitValue()).as("exit code; output:\n" + output()).isZero();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Kills what a failed test left running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
