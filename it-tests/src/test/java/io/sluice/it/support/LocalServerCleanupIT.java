package io.sluice.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Servers that a JVM started must not outlive it, whether it exits or is killed. */
class LocalServerCleanupIT {

    private static final Duration PROCESS_EXIT_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void serversThatWereNeverClosedAreStoppedAndDeletedWhenTheJvmExits() throws Exception {
        Process jvm = startAbandonedServers("exit");
        Started started = awaitServersLine(jvm);

        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("JVM with abandoned servers exits").isTrue();

        assertThat(stillRunningAfter(started.pids(), PROCESS_EXIT_TIMEOUT)).isEmpty();
        assertThat(started.postgresLog().getParent()).doesNotExist();
        assertThat(started.kafkaLog().getParent()).doesNotExist();
        assertThat(started.redisLog().getParent()).doesNotExist();
    }

    @Test
    void serversDieWithAJvmThatIsKilled() throws Exception {
        Process jvm = startAbandonedServers("wait");
        Started started = awaitServersLine(jvm);
        try {
            jvm.destroyForcibly().waitFor();

            assertThat(stillRunningAfter(started.pids(), PROCESS_EXIT_TIMEOUT)).isEmpty();
        } finally {
            // No shutdown hook ran in the killed JVM, so its directories are left for us.
            WorkDirectory.deleteRecursively(started.postgresLog().getParent());
            WorkDirectory.deleteRecursively(started.kafkaLog().getParent());
            WorkDirectory.deleteRecursively(started.redisLog().getParent());
        }
    }

    private record Started(Path postgresLog, Path kafkaLog, Path redisLog, List<Long> pids) {
    }

    private static Process startAbandonedServers(String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-D" + PostgresBinaries.PROPERTY + "=" + PostgresBinaries.fromSystemProperty().name(),
                "-D" + RedisBinaries.PROPERTY + "=" + RedisBinaries.fromSystemProperty().name(),
                AbandonedServersMain.class.getName(), mode)
                .redirectErrorStream(true)
                .start();
    }

    private static Started awaitServersLine(Process jvm) throws IOException {
        BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (line.startsWith("SERVERS ")) {
                String[] fields = line.split(" ");
                // Keep draining the child's output so that it never blocks on a full pipe.
                Thread drain = new Thread(() -> output.lines().forEach(ignored -> { }), "drain-" + jvm.pid());
                drain.setDaemon(true);
                drain.start();
                return new Started(Path.of(fields[1]), Path.of(fields[2]), Path.of(fields[3]),
                        Arrays.stream(fields).skip(4).map(Long::valueOf).toList());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the JVM ended without starting its servers:\n" + seen);
    }

    /** The processes still running once the timeout has passed, or none as soon as all have ended. */
    private static List<Long> stillRunningAfter(List<Long> pids, Duration timeout) {
        Deadline deadline = Deadline.in(timeout);
        List<Long> running = pids;
        while (!running.isEmpty() && !deadline.hasPassed()) {
            deadline.pause(Duration.ofMillis(100));
            running = running.stream().filter(pid -> !hasEnded(pid)).toList();
        }
        return running;
    }

    /** A zombie has ended too; it only waits for init to reap it. */
    private static boolean hasEnded(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }
}
