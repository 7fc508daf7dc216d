package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged command line as users run it: streaming, SIGTERM, and a restart that resumes. */
class CommandLineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void sigtermStopsAfterCommittingOffsetsAndARestartResumesWithoutASecondSnapshot() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "cli", dir);
        f.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 10) g");
        Path config = dir.resolve("pipelines.yaml");
        Files.writeString(config, """
                %s
                pipelines:
                  - name: cli
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: cli
                        user: postgres
                        password: ${PG_PASSWORD:-unused}
                        slot: cli_slot
                        publication: cli_pub
                        tables: [public.orders]
                    sinks:
                      - kafka:
                          bootstrap-servers: %s
                          topic: "%s{schema}.{table}"
                    offsets:
                      file: %s
                """.formatted(SluiceFixture.ADMIN_ON_ANY_PORT, postgres.port(), kafka.bootstrapServers(),
                f.topicPrefix(), f.offsets));

        try (KafkaEvents events = f.events()) {
            Process first = SluiceProcess.builder(Map.of(), "run", "--config", config.toString())
                    .redirectOutput(dir.resolve("first.log").toFile()).start();
            try {
                events.awaitCount(10, WAIT);
                f.sql("UPDATE orders SET status = 'paid' WHERE id <= 5");
                events.awaitUntil(r -> r.stream().filter(e -> e.op().equals("u")).count() == 5, WAIT,
                        "five updates");
            } finally {
                first.destroy();
            }
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            assertThat(first.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("first.log"))).contains("pipeline 'cli': stopped");
            assertThat(Files.readString(f.offsets)).contains("\"pipeline\" : \"cli\"");

            f.sql("INSERT INTO orders VALUES (11, 'while stopped')");
            Process second = SluiceProcess.builder(Map.of(), "run", "--config", config.toString())
                    .redirectOutput(dir.resolve("second.log").toFile()).start();
            try {
                List<Received> all = events.awaitUntil(
                        r -> r.stream().anyMatch(e -> e.key().toString().equals("{\"id\":11}")), WAIT,
                        "the insert made while stopped");
                all = events.drain(Duration.ofSeconds(2));
                assertThat(all.stream().filter(e -> !e.isTombstone() && e.op().equals("r"))).hasSize(10);
                assertThat(all.stream().filter(e -> e.op().equals("u"))).hasSizeBetween(5, 10);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
