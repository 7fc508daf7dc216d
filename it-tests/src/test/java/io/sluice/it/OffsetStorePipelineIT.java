package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.PipelineConfig;
import io.sluice.engine.Pipeline;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline whose offsets live in PostgreSQL or in Kafka stops, misses changes while stopped, starts again and
 * resumes where it was: no second snapshot, nothing lost.
 */
class OffsetStorePipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @TempDir
    Path workDir;

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
    void resumesFromOffsetsInATableOfTheSourceDatabase() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "jdbc_resume", workDir);

        stopChangeAndResume(f, f.config("public.items", "", "jdbc: {}"));

        try (Connection c = postgres.connect(f.name); Statement s = c.createStatement();
                ResultSet row = s.executeQuery("SELECT offsets FROM public.sluice_offsets WHERE pipeline = '"
                        + f.name + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).contains("lsn");
        }
    }

    @Test
    void resumesFromOffsetsInACompactedKafkaTopic() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "kafka_resume", workDir);

        stopChangeAndResume(f, f.config("public.items", "",
                "kafka: {bootstrap-servers: '" + kafka.bootstrapServers() + "'}"));
    }

    private void stopChangeAndResume(SluiceFixture f, PipelineConfig config) throws Exception {
        f.sql("CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        try (KafkaEvents events = f.events()) {
            try (Pipeline pipeline = f.start(config)) {
                events.awaitCount(3, WAIT);
                f.sql("INSERT INTO items VALUES (4, 'live')");
                events.awaitCount(4, WAIT);
            }
            try (OffsetStore store = OffsetStores.open(config.offsets(), config.source().postgres())) {
                SourceOffsets stored = store.load(new PipelineId(f.name));
                assertThat(stored.entries().values()).as("offsets in %s", store.describe())
                        .singleElement().asString().contains("\"lsn\"");
            }
            f.sql("INSERT INTO items VALUES (5, 'while stopped')",
                    "UPDATE items SET name = 'renamed while stopped' WHERE id = 1",
                    "DELETE FROM items WHERE id = 2");

            try (Pipeline pipeline = f.start(config)) {
                events.awaitUntil(r -> r.stream().anyMatch(e -> !e.isTombstone() && e.op().equals("d")), WAIT,
                        "the delete made while stopped");
                f.sql("INSERT INTO items VALUES (6, 'after restart')");
                events.awaitUntil(r -> r.stream().anyMatch(e -> key(e).equals("{\"id\":6}")), WAIT,
                        "the insert after restart");
                List<Received> changes = events.drain(Duration.ofSeconds(2)).stream()
                        .filter(r -> !r.isTombstone()).toList();

                assertThat(changes.stream().filter(r -> r.op().equals("r"))).as("one snapshot only").hasSize(3);
                assertThat(ops(changes, "{\"id\":4}")).containsOnly("c");
                assertThat(ops(changes, "{\"id\":5}")).containsExactly("c");
                assertThat(ops(changes, "{\"id\":1}")).containsExactly("r", "u");
                assertThat(ops(changes, "{\"id\":2}")).containsExactly("r", "d");
                assertThat(ops(changes, "{\"id\":6}")).containsExactly("c");
            }
        }
    }

    private static List<String> ops(List<Received> changes, String key) {
        return changes.stream().filter(r -> key(r).equals(key)).map(Received::op).toList();
    }

    private static String key(Received record) {
        return record.key() == null ? "" : record.key().toString();
    }
}
