package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.deadletter.FileDeadLetterConfig;
import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.source.PostgresSourceConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultsTest {

    /** Line numbers matter: tests locate problems by them. */
    private static final String YAML = """
            defaults:
              source:
                postgres:
                  host: db.internal
                  database: shop
                  user: sluice
                  password: ${PG_PASSWORD}
              sinks:
                kafka:
                  bootstrap-servers: kafka:9092
                  producer: {compression.type: lz4, linger.ms: "5"}
              offsets:
                jdbc: {}
            pipelines:
              - name: orders
                source:
                  postgres:
                    slot: sluice_orders
                    publication: sluice_orders
                    tables: [public.orders]
                sinks:
                  - kafka:
                      topic: "orders.{table}"
                      producer: {linger.ms: "20"}
              - name: customers
                source:
                  postgres:
                    database: crm
                    slot: sluice_customers
                    publication: sluice_customers
                    tables: [public.customers]
                sinks:
                  - kafka:
                  - redis: {host: cache}
            """;

    private static final Map<String, String> ENV = Map.of("PG_PASSWORD", "pg-Secret-7");

    private static SluiceConfig load(String yaml) throws ConfigException {
        return new ConfigLoader(ENV::get).load(yaml, "pipelines.yaml");
    }

    private static ConfigException failure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> load(yaml));
    }

    @Test
    void everyPipelineInheritsTheDefaultsItDoesNotOverride() throws ConfigException {
        SluiceConfig config = load(YAML);

        PostgresSourceConfig orders = config.pipelines().get(0).source().postgres();
        PostgresSourceConfig customers = config.pipelines().get(1).source().postgres();
        assertThat(orders.host()).isEqualTo("db.internal");
        assertThat(orders.database()).isEqualTo("shop");
        assertThat(orders.password().reveal()).isEqualTo("pg-Secret-7");
        assertThat(customers.host()).isEqualTo("db.internal");
        assertThat(customers.database()).isEqualTo("crm");
        assertThat(customers.slot()).isEqualTo("sluice_customers");
    }

    @Test
    void sinksInheritTheDefaultsOfTheirKindKeyByKey() throws ConfigException {
        SluiceConfig config = load(YAML);

        KafkaSinkConfig orders = (KafkaSinkConfig) config.pipelines().get(0).sinks().get(0);
        KafkaSinkConfig customers = (KafkaSinkConfig) config.pipelines().get(1).sinks().get(0);
        RedisSinkConfig cache = (RedisSinkConfig) config.pipelines().get(1).sinks().get(1);
        assertThat(orders.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(orders.topic()).isEqualTo("orders.{table}");
        assertThat(orders.producer()).containsExactlyInAnyOrderEntriesOf(
                Map.of("compression.type", "lz4", "linger.ms", "20"));
        assertThat(customers.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(customers.topic()).isEqualTo(KafkaSinkConfig.DEFAULT_TOPIC);
        assertThat(cache.host()).isEqualTo("cache");
    }

    @Test
    void offsetsAreInheritedWhole() throws ConfigException {
        SluiceConfig config = load(YAML);

        assertThat(config.pipelines()).extracting(PipelineConfig::offsets)
                .containsOnly(new JdbcOffsetStoreConfig(null, null, null, null, null));
    }

    @Test
    void aDeadLetterTargetIsInheritedWholeAndNamedPerPipeline() throws ConfigException {
        SluiceConfig config = load(YAML.replace("  offsets:\n", """
                  dead-letter:
                    file: {path: "./data/{pipeline}.dead-letters.jsonl"}
                  offsets:
                """).replace("""
                          producer: {linger.ms: "20"}
                """, """
                          producer: {linger.ms: "20"}
                          on-failure: dead-letter
                    dead-letter:
                      kafka: {bootstrap-servers: "kafka:9092"}
                """));

        PipelineConfig orders = config.pipelines().get(0);
        PipelineConfig customers = config.pipelines().get(1);
        assertThat(orders.sinks().get(0).onFailure()).isEqualTo(FailurePolicy.DEAD_LETTER);
        assertThat(orders.deadLetter()).isEqualTo(new KafkaDeadLetterConfig("kafka:9092", null, null));
        assertThat(((KafkaDeadLetterConfig) orders.deadLetter()).topicFor("orders"))
                .isEqualTo("sluice.orders.dead-letters");
        assertThat(((FileDeadLetterConfig) customers.deadLetter()).pathFor("customers"))
                .isEqualTo(Path.of("./data/customers.dead-letters.jsonl"));
    }

    @Test
    void aProblemWithAnInheritedValueIsReportedWhereTheDefaultIsWritten() {
        ConfigException error = failure(YAML.replace("bootstrap-servers: kafka:9092", "bootstrap-servers: kafka"));

        assertThat(error.problems()).extracting(ConfigProblem::line, ConfigProblem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(10, "pipelines[0].sinks[0].kafka.bootstrap-servers"),
                org.assertj.core.groups.Tuple.tuple(10, "pipelines[1].sinks[0].kafka.bootstrap-servers"));
    }

    @Test
    void aRequiredKeyMissingEverywhereIsReportedInThePipeline() {
        ConfigException error = failure(YAML.replace("      database: shop\n", ""));

        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.path()).isEqualTo("pipelines[0].source.postgres.database");
            assertThat(problem.line()).as("postgres: of the first pipeline").isEqualTo(16);
            assertThat(problem.message()).isEqualTo("missing required key");
        });
    }

    @Test
    void unknownKeysInTheDefaultsAreReportedAtTheirLine() {
        ConfigException error = failure(YAML.replace("      host: db.internal", "      hots: db.internal"));

        assertThat(error.problems()).filteredOn(p -> p.path().equals("defaults.source.postgres.hots"))
                .singleElement().satisfies(problem -> {
                    assertThat(problem.line()).isEqualTo(4);
                    assertThat(problem.hint()).contains("did you mean \"host\"?");
                });
    }

    @Test
    void anInheritedSecretIsNeverShown() {
        ConfigException error = failure(YAML.replace("slot: sluice_orders", "slot: ${PG_PASSWORD}")
                .replace("      user: sluice\n", "      user: ${PG_PASSWORD}\n      port: ${PG_PASSWORD}\n"));

        assertThat(error.getMessage()).doesNotContain("pg-Secret-7").contains("${PG_PASSWORD}");
    }
}
