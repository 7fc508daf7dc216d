package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice's log as an operator reads it, from the packaged command line: JSON lines that name their pipeline and
 * sink, one line per change of state (a sink down and back, the PostgreSQL connection lost and back, stopping and
 * stopped), and never a secret, even at debug level and when a password is wrong.
 */
class LogsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PG_PASSWORD = "pg-PASSWORD-7c1e0b";
    private static final String REDIS_PASSWORD = "redis-PASSWORD-52d0aa";
    private static final String ADMIN_TOKEN = "admin-TOKEN-3f9a11";
    private static final List<String> SECRETS = List.of(PG_PASSWORD, REDIS_PASSWORD, ADMIN_TOKEN);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static LocalRedis redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        redis = LocalRedis.start(LocalRedis.Options.DEFAULT.withPassword(REDIS_PASSWORD)
                .withPersistence(LocalRedis.Persistence.APPEND_ONLY));
    }

    @AfterAll
    static void stopServers() {
        Servers.stopAll(redis, kafka, postgres);
    }

    @Test
    void jsonLinesNameTheirPipelineAndSinkSayEachChangeOfStateOnceAndShowNoSecret() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "logs", dir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        Path config = config(f, REDIS_PASSWORD);
        Path log = dir.resolve("logs.log");
        Process sluice = SluiceProcess.startTiedToThisThread(log, List.of("-Dsluice.log.level=debug"),
                "--log-format", "json", "run", "--config", config.toString());
        try {
            awaitLine(sluice, log, line -> message(line).equals("pipeline 'logs': streaming"));

            redis.stop();
            f.sql("UPDATE orders SET status = 'paid' WHERE id <= 5");
            awaitLine(sluice, log, line -> message(line).startsWith("pipeline 'logs', sink redis is down"));
            redis.restart();
            awaitLine(sluice, log, line -> message(line).startsWith("pipeline 'logs', sink redis recovered"));

            postgres.stop();
            awaitLine(sluice, log, line -> message(line).startsWith("pipeline 'logs': lost the replication"
                    + " connection to PostgreSQL"));
            postgres.restart();
            awaitLine(sluice, log, line -> message(line).startsWith("pipeline 'logs': reconnected to PostgreSQL"));
        } finally {
            sluice.destroy();
            sluice.waitFor(60, TimeUnit.SECONDS);
            // Kept for a look after the test: the temporary directory goes.
            Path kept = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target",
                    "logs-it.log");
            Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(sluice.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        assertThat(sluice.exitValue()).as("exit code after SIGTERM").isZero();

        List<JsonNode> lines = lines(log);
        for (JsonNode line : lines) {
            assertThat(line.fieldNames()).toIterable().as("fields of %s", line)
                    .contains("time", "level", "logger", "thread", "message");
        }
        assertThat(messages(lines, "io.sluice.engine.Pipeline")).as("the pipeline's changes of state").containsExactly(
                "pipeline 'logs': starting", "pipeline 'logs': snapshotting", "pipeline 'logs': streaming",
                "pipeline 'logs': stopping", "pipeline 'logs': stopped");
        assertThat(count(lines, "pipeline 'logs', sink redis is down")).as("sink down lines").isEqualTo(1);
        assertThat(count(lines, "pipeline 'logs', sink redis recovered")).as("sink recovered lines").isEqualTo(1);
        assertThat(count(lines, "pipeline 'logs': lost the replication connection")).as("connection lost lines")
                .isEqualTo(1);
        assertThat(count(lines, "pipeline 'logs': reconnected to PostgreSQL")).as("reconnected lines")
                .isEqualTo(1);
        for (JsonNode line : lines) {
            if (message(line).startsWith("pipeline 'logs', sink redis ")) {
                assertThat(line.path("pipeline").asText()).as("pipeline of %s", line).isEqualTo("logs");
                assertThat(line.path("sink").asText()).as("sink of %s", line).isEqualTo("redis");
            } else if (message(line).startsWith("pipeline 'logs'")) {
                assertThat(line.path("pipeline").asText()).as("pipeline of %s", line).isEqualTo("logs");
            }
        }
        assertNoSecret(Files.readString(log));
    }

    @Test
    void aWrongPasswordIsReportedWithoutShowingIt() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "wrong_password", dir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        String wrong = REDIS_PASSWORD + "-wrong";
        Path config = config(f, wrong);

        SluiceProcess.Outcome outcome = SluiceProcess.run(java.util.Map.of(), 90, "--log-format", "json", "run",
                "--config", config.toString());

        assertThat(outcome.exitCode()).as("exit code; output:\n%s", outcome.output()).isEqualTo(3);
        assertThat(outcome.output()).contains("redis");
        assertNoSecret(outcome.output());
        assertThat(outcome.output()).doesNotContain(wrong);
    }

    private Path config(SluiceFixture f, String redisPassword) throws IOException {
        Path config = dir.resolve(f.name + ".yaml");
        Files.writeString(config, """
                admin:
                  token: "%s"
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: %s
                        user: postgres
                        password: "%s"
                        slot: %s
                        publication: %s_pub
                        tables: [public.orders]
                    sinks:
                      - kafka:
                          bootstrap-servers: %s
                          topic: "%s{schema}.{table}"
                      - redis:
                          host: %s
                          port: %d
                          password: "%s"
                          key: "logs:{table}:{key}"
                          timeout: 2s
                    offsets:
                      file: %s
                """.formatted(ADMIN_TOKEN, f.name, postgres.port(), f.name, PG_PASSWORD, f.slot(), f.name,
                kafka.bootstrapServers(), f.topicPrefix(), redis.host(), redis.port(), redisPassword, f.offsets));
        return config;
    }

    private static void assertNoSecret(String output) {
        for (String secret : SECRETS) {
            assertThat(output).as("output with secret %s", secret).doesNotContain(secret);
        }
    }

    /** Waits until a JSON line matches, failing if Sluice exits first. */
    private static void awaitLine(Process sluice, Path log, Predicate<JsonNode> wanted) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (completeLines(log).stream().noneMatch(wanted)) {
            assertThat(sluice.isAlive()).as("Sluice running; log:\n%s", Files.readString(log)).isTrue();
            assertThat(Instant.now()).as("time waiting; log:\n%s", Files.readString(log)).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** The lines of a log being written, without the last one while it is still incomplete. */
    private static List<JsonNode> completeLines(Path log) throws IOException {
        String text = Files.readString(log);
        Path complete = Files.createTempFile("complete", ".log");
        try {
            Files.writeString(complete, text.substring(0, text.lastIndexOf('\n') + 1));
            return lines(complete);
        } finally {
            Files.delete(complete);
        }
    }

    /** Every line of the log, each of which must be one JSON object. */
    private static List<JsonNode> lines(Path log) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
                lines.add(node);
            } catch (IOException e) {
                throw new UncheckedIOException("a log line that is not JSON: " + line, e);
            }
        }
        return lines;
    }

    private static String message(JsonNode line) {
        return line.path("message").asText();
    }

    private static List<String> messages(List<JsonNode> lines, String logger) {
        return lines.stream().filter(l -> l.path("logger").asText().equals(logger)).map(LogsIT::message).toList();
    }

    private static long count(List<JsonNode> lines, String prefix) {
        return lines.stream().filter(l -> message(l).startsWith(prefix)).count();
    }
}
