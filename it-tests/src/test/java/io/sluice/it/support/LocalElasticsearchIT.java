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
import org.junit.jupiter.api.Test;

/** The Elasticsearch launcher: a real server that keeps its data across restarts and never outlives its JVM. */
class LocalElasticsearchIT {

    @Test
    void restartKeepsPortAndDataAndCloseDeletesEverything() throws Exception {
        Path workDir;
        try (LocalElasticsearch elasticsearch = LocalElasticsearch.start()) {
            ElasticsearchHttp http = new ElasticsearchHttp(elasticsearch.url());
            workDir = elasticsearch.logFile().getParent();
            if (OsAccount.currentUserIsRoot()) {
                assertThat((Integer) Files.getAttribute(workDir, "unix:uid")).as("owner of the data as root")
                        .isNotZero();
            }
            http.put("/kept/_doc/1", "{\"n\":1}");

            elasticsearch.stop();
            assertThat(elasticsearch.isRunning()).isFalse();
            elasticsearch.restart();

            assertThat(http.documents("kept")).containsOnlyKeys("1");
            assertThat(http.get("/_cluster/health").path("number_of_nodes").asInt()).isEqualTo(1);
        }
        assertThat(workDir).doesNotExist();
    }

    @Test
    void serverDiesWithAJvmThatIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AbandonedElasticsearchMain.class.getName()).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        String line = output.readLine();
        StringBuilder seen = new StringBuilder();
        while (line != null && !line.startsWith("SERVER ")) {
            seen.append(line).append('\n');
            line = output.readLine();
        }
        assertThat(line).as("the child started Elasticsearch; its output:\n%s", seen).isNotNull();
        String[] fields = line.split(" ");
        List<Long> pids = Arrays.stream(fields).skip(2).map(Long::valueOf).toList();
        // The launcher script's JVM and the server JVM below it, at least.
        assertThat(pids).hasSizeGreaterThanOrEqualTo(2);
        try {
            jvm.destroyForcibly().waitFor();

            Deadline deadline = Deadline.in(Duration.ofSeconds(30));
            List<Long> running = pids;
            while (!running.isEmpty() && !deadline.hasPassed()) {
                deadline.pause(Duration.ofMillis(100));
                running = running.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false) && !isZombie(pid)).toList();
            }
            assertThat(running).as("processes of the killed JVM's Elasticsearch still running").isEmpty();
        } finally {
            // No shutdown hook ran in the killed JVM, so its directory is left for us.
            WorkDirectory.deleteRecursively(Path.of(fields[1]).getParent());
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }
}
