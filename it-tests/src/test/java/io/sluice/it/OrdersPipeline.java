package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.SluiceProcess.Outcome;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test's pipeline over one table {@code orders (id, status)} holding rows 1 to 3, with its configuration in a file
 * for the packaged command line.
 */
final class OrdersPipeline {
    /** Something to do while Sluice runs. */
    interface WhileRunning {
        void run() throws Exception;
    }

    final SluiceFixture fixture;
    final Path config;
    private final Path dir;

    OrdersPipeline(LocalPostgres postgres, LocalKafka kafka, String name, Path dir) throws IOException {
        this.fixture = new SluiceFixture(postgres, kafka, name, dir);
        this.dir = dir;
        fixture.sql("CREATE TABLE orders (id int PRIMARY KEY, status text)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 3) g");
        config = dir.resolve(name + ".yaml");
        Files.writeString(config, fixture.yaml("public.orders", ""));
    }

    /** Runs {@code sluice run} while {@code body} runs, then stops it with SIGTERM and checks it stopped cleanly. */
    void runWhile(WhileRunning body) throws Exception {
        try (RunningSluice sluice = RunningSluice.start(config, Files.createTempFile(dir, fixture.name, ".log"))) {
            body.run();
            sluice.stop();
        }
    }

    /** {@code sluice run} when it is expected to fail at start-up: within seconds. */
    Outcome failingStart() throws Exception {
        Outcome outcome = SluiceProcess.run(java.util.Map.of(), 60, "run", "--config", config.toString());
        assertThat(outcome.millis()).as("failed within seconds").isLessThan(20_000);
        return outcome;
    }

    /** The row's id, or -1 for a record without a key. */
    static int id(Received event) {
        return event.key() == null ? -1 : event.key().path("id").asInt();
    }

    /** How many snapshot reads ({@code op=r}) of the row arrived. */
    static long snapshotReads(List<Received> events, int id) {
        return events.stream().filter(e -> id(e) == id && !e.isTombstone() && e.op().equals("r")).count();
    }

    /** A message for people: no exception names, no stack trace. */
    static void assertPlain(Outcome outcome) {
        assertThat(outcome.output()).doesNotContain("Exception").doesNotContainPattern("\\n\\s+at [a-z]+\\.");
    }
}
