package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.Pipeline;
import io.sluice.it.KafkaEvents.Received;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tables, columns and rows reach the sinks: source patterns and exclusions, and transforms. */
class SourceOptionsIT {
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
    void tablePatternsExclusionsAndExcludedColumnsDecideWhatIsCaptured() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "patterns", workDir);
        f.sql("CREATE TABLE shop_orders (id int PRIMARY KEY, note text)",
                "CREATE TABLE shop_customers (id int PRIMARY KEY, name text, ssn text)",
                "CREATE TABLE shop_audit (id int PRIMARY KEY, entry text)",
                "CREATE TABLE other (id int PRIMARY KEY)",
                "INSERT INTO shop_orders VALUES (1, 'first')",
                "INSERT INTO shop_customers VALUES (1, 'Ada', '123-45-6789')",
                "INSERT INTO shop_audit VALUES (1, 'x')",
                "INSERT INTO other VALUES (1)");

        PipelineConfig config = f.config("\"public.shop_*\"", """
                exclude-tables: [public.shop_audit]
                exclude-columns: ["public.shop_customers.ssn"]""");
        try (Pipeline pipeline = f.start(config); KafkaEvents events = f.events()) {
            events.awaitCount(2, WAIT);
            f.sql("INSERT INTO shop_audit VALUES (2, 'y')", "INSERT INTO other VALUES (2)",
                    "UPDATE shop_customers SET ssn = '987-65-4321', name = 'Ada L.' WHERE id = 1");
            List<Received> all = events.awaitUntil(r -> r.stream().anyMatch(e -> e.op().equals("u")), WAIT,
                    "the update of shop_customers");
            events.drain(Duration.ofSeconds(2));

            assertThat(all).extracting(Received::topic).containsOnly(f.topicPrefix() + "public.shop_orders",
                    f.topicPrefix() + "public.shop_customers");
            assertThat(all).filteredOn(r -> r.topic().endsWith("shop_customers"))
                    .allSatisfy(r -> assertThat(r.value().toString()).doesNotContain("ssn").doesNotContain("6789")
                            .doesNotContain("4321"));
        }
    }

    @Test
    void transformsMaskHashAndFilterBeforeAnySinkSeesTheRow() throws Exception {
        SluiceFixture f = new SluiceFixture(postgres, kafka, "transforms", workDir);
        f.sql("CREATE TABLE customers (id int PRIMARY KEY, email text, phone text, status text)",
                "INSERT INTO customers VALUES (1, 'ada@example.com', '+44 1', 'active')",
                "INSERT INTO customers VALUES (2, 'bob@example.com', '+44 2', 'closed')");
        String yaml = f.yaml("public.customers", "") + """
                    transforms:
                      - tables: [public.customers]
                        mask: [phone]
                        hash: [email]
                        hash-key: k3y
                        filter: "status = 'active'"
                """;
        PipelineConfig config = new ConfigLoader(v -> null).load(yaml, "transforms.yaml").pipelines().get(0);

        try (Pipeline pipeline = f.start(config); KafkaEvents events = f.events()) {
            events.awaitCount(1, WAIT);
            f.sql("INSERT INTO customers VALUES (3, 'cy@example.com', '+44 3', 'closed')",
                    "UPDATE customers SET status = 'closed' WHERE id = 1",
                    "INSERT INTO customers VALUES (4, 'di@example.com', '+44 4', 'active')");
            List<Received> all = events.awaitUntil(r -> r.stream().anyMatch(e -> !e.isTombstone()
                    && e.key().path("id").asInt() == 4), WAIT, "the insert of customer 4");
            events.drain(Duration.ofSeconds(2));
            List<Received> changes = all.stream().filter(r -> !r.isTombstone()).toList();

            assertThat(changes).extracting(r -> r.key().path("id").asInt() + ":" + r.op())
                    .containsExactly("1:r", "1:d", "4:c");
            Received four = changes.get(2);
            assertThat(four.after().path("phone").asText()).isEqualTo("****");
            assertThat(four.after().path("email").asText()).hasSize(64).doesNotContain("@");
            assertThat(all).allSatisfy(r -> assertThat(String.valueOf(r.value()))
                    .doesNotContain("example.com").doesNotContain("+44"));
        }
    }
}
