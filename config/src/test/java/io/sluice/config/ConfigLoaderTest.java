package io.sluice.config;

import io.sluice.config.transform.TransformConfig;
import io.sluice.config.sink.RetryConfig;
import io.sluice.config.sink.SinkConfig;
import static io.sluice.config.ExampleConfig.ENV;
import static io.sluice.config.ExampleConfig.FILE;
import static io.sluice.config.ExampleConfig.PASSWORD;
import static io.sluice.config.ExampleConfig.REDIS_YAML;
import static io.sluice.config.ExampleConfig.YAML;
import static io.sluice.config.ExampleConfig.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisClusterConfig;
import io.sluice.config.sink.RedisSentinelConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.config.source.DecimalMode;
import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.config.source.PublicationMode;
import io.sluice.config.source.SslMode;
import io.sluice.config.source.SnapshotMode;
import io.sluice.config.source.SourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    private static SluiceConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(env::get).load(yaml, FILE);
    }

    private static ConfigException failure(String yaml, Map<String, String> env) {
        return catchThrowableOfType(ConfigException.class, () -> load(yaml, env));
    }

    @Test
    void exampleLoadsIntoTheExpectedRecords() throws ConfigException {
        SluiceConfig config = load(YAML, ENV);

        PostgresSourceConfig postgres = new PostgresSourceConfig("localhost", 5432, "shop", "sluice",
                Secret.of(PASSWORD), "sluice_orders", "sluice_orders", List.of("public.orders", "public.customers"),
                null, null, null, null, null, SnapshotMode.INITIAL, DecimalMode.STRING, Duration.ofSeconds(10), 500_000, null, null, null);
        KafkaSinkConfig kafka = new KafkaSinkConfig("localhost:9092", "shop.{schema}.{table}", true,
                Map.of("compression.type", "lz4"));
        FileOffsetStoreConfig offsets = new FileOffsetStoreConfig(Path.of("./data/orders.offsets"));
        assertThat(config).isEqualTo(new SluiceConfig(List.of(
                new PipelineConfig("orders", new SourceConfig(postgres), List.of(kafka), offsets))));
        assertThat(postgres.password().reveal()).isEqualTo(PASSWORD);
    }

    @Test
    void jdbcOffsetsDefaultToATableInTheSourceDatabase() throws ConfigException {
        SluiceConfig config = load(with("file: ./data/orders.offsets", "jdbc: {}"), ENV);

        JdbcOffsetStoreConfig jdbc = (JdbcOffsetStoreConfig) config.pipelines().get(0).offsets();
        assertThat(jdbc).isEqualTo(new JdbcOffsetStoreConfig(null, null, null, "public", "sluice_offsets"));
        assertThat(jdbc.inSourceDatabase()).isTrue();
    }

    @Test
    void kafkaOffsetsKeepClientSettingsOutOfTheirDescription() throws ConfigException {
        SluiceConfig config = load(with("file: ./data/orders.offsets", """
                kafka:
                        bootstrap-servers: k1:9092,k2:9092
                        client: {sasl.jaas.config: "secret-jaas"}"""), ENV);

        KafkaOffsetStoreConfig kafka = (KafkaOffsetStoreConfig) config.pipelines().get(0).offsets();
        assertThat(kafka.topic()).isEqualTo("sluice-offsets");
        assertThat(kafka.client()).containsEntry("sasl.jaas.config", "secret-jaas");
        assertThat(kafka.toString()).doesNotContain("secret-jaas").contains("sasl.jaas.config");
    }

    @Test
    void sourceSafetyOptionsHaveDefaultsAndReadUnits() throws ConfigException {
        PostgresSourceConfig defaults = load(YAML, ENV).pipelines().get(0).source().postgres();
        PostgresSourceConfig set = load(with("snapshot: initial", """
                snapshot: initial
                        heartbeat: {interval: 0s}
                        wal-lag-warning: 512MB
                        signal-table: public.sluice_signal"""), ENV).pipelines().get(0).source().postgres();

        assertThat(defaults.heartbeat().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.walLagWarning().bytes()).isEqualTo(1L << 30);
        assertThat(defaults.signalTable()).isNull();
        assertThat(defaults.publicationCreate()).isEqualTo(PublicationMode.FILTERED);
        assertThat(defaults.tls().mode()).isEqualTo(SslMode.PREFER);
        assertThat(set.heartbeat().enabled()).isFalse();
        assertThat(set.walLagWarning().bytes()).isEqualTo(512L << 20);
        assertThat(set.signalTable()).isEqualTo("public.sluice_signal");
    }

    @Test
    void sinkDeliveryOptionsAndPerTableRoutesLoad() throws ConfigException {
        SluiceConfig config = load(with("topic:", """
                tables: ["public.ord*"]
                          batch-size: 500
                          retry: {initial-backoff: 1s, max-backoff: 2m}
                          topic:""") + """
                    transforms:
                      - tables: [public.customers]
                        topic: crm.customers
                        index: customers_v2
                        key: "customer:{key}"
                """, ENV);

        SinkConfig kafka = config.pipelines().get(0).sinks().get(0);
        assertThat(kafka.tables()).containsExactly("public.ord*");
        assertThat(kafka.batchSize()).isEqualTo(500);
        assertThat(kafka.retry()).isEqualTo(new RetryConfig(Duration.ofSeconds(1), Duration.ofMinutes(2)));
        assertThat(config.pipelines().get(0).transforms().get(0))
                .isEqualTo(TransformConfig.route(List.of("public.customers"), "crm.customers", "customers_v2",
                        "customer:{key}"));
        SinkConfig defaults = load(YAML, ENV).pipelines().get(0).sinks().get(0);
        assertThat(defaults.tables()).isEmpty();
        assertThat(defaults.batchSize()).isEqualTo(SinkConfig.DEFAULT_BATCH_SIZE);
        assertThat(defaults.retry()).isNull();
    }

    @Test
    void redisSinkLoadsWithItsDefaults() throws ConfigException {
        RedisSinkConfig redis = (RedisSinkConfig) load(REDIS_YAML, ENV).pipelines().get(0).sinks().get(0);

        assertThat(redis).isEqualTo(new RedisSinkConfig("cache.local", 6379, null, null, 0, null, null, false,
                "shop:{table}:{key}", RedisValueMode.JSON, null, Duration.ofHours(1), Duration.ofSeconds(10),
                FailurePolicy.FAIL, null, null, null));
        assertThat(RedisSinkConfig.standalone("localhost", 6379)).satisfies(defaults -> {
            assertThat(defaults.key()).isEqualTo("{table}:{key}");
            assertThat(defaults.value()).isEqualTo(RedisValueMode.HASH);
            assertThat(defaults.deleteMarkerTtl()).isEqualTo(Duration.ofHours(24));
            assertThat(defaults.ttl()).isNull();
        });
    }

    @Test
    void deadLetterTopicHasItsDefaultsAndHidesProducerValues() throws ConfigException {
        String yaml = with("topic:", "on-failure: dead-letter\n          topic:") + """
                    dead-letter:
                      kafka:
                        bootstrap-servers: kafka:9092
                        producer: {sasl.jaas.config: "${PG_PASSWORD}"}
                """;

        PipelineConfig pipeline = load(yaml, ENV).pipelines().get(0);

        KafkaDeadLetterConfig target = (KafkaDeadLetterConfig) pipeline.deadLetter();
        assertThat(pipeline.sinks().get(0).onFailure()).isEqualTo(FailurePolicy.DEAD_LETTER);
        assertThat(target.topic()).isEqualTo(KafkaDeadLetterConfig.DEFAULT_TOPIC);
        assertThat(target.topicFor("orders")).isEqualTo("sluice.orders.dead-letters");
        assertThat(target.producer()).containsEntry("sasl.jaas.config", PASSWORD);
        assertThat(target.toString()).doesNotContain(PASSWORD).contains("sasl.jaas.config");
    }

    @Test
    void redisSinkBehindSentinelOrClusterWithCredentials() throws ConfigException {
        String sentinel = with(REDIS_YAML, "host: cache.local", """
                sentinel:
                            master: cache
                            nodes: [s1:26379, s2:26379]
                            password: ${SENTINEL_PASSWORD}
                          user: sluice
                          password: ${REDIS_PASSWORD}
                          tls: true
                          database: 3
                          ttl: 10m
                          on-failure: skip""");
        String cluster = with(REDIS_YAML, "host: cache.local", "cluster: {nodes: [\"r1:7000\", r2:7001]}");
        Map<String, String> env = Map.of("PG_PASSWORD", PASSWORD, "REDIS_PASSWORD", "redis-Secret-1",
                "SENTINEL_PASSWORD", "sentinel-Secret-2");

        RedisSinkConfig behindSentinel = (RedisSinkConfig) load(sentinel, env).pipelines().get(0).sinks().get(0);
        RedisSinkConfig inCluster = (RedisSinkConfig) load(cluster, env).pipelines().get(0).sinks().get(0);

        assertThat(behindSentinel.sentinel()).isEqualTo(new RedisSentinelConfig("cache", List.of("s1:26379",
                "s2:26379"), null, Secret.of("sentinel-Secret-2")));
        assertThat(behindSentinel.host()).isNull();
        assertThat(behindSentinel.user()).isEqualTo("sluice");
        assertThat(behindSentinel.password().reveal()).isEqualTo("redis-Secret-1");
        assertThat(behindSentinel.tls()).isTrue();
        assertThat(behindSentinel.database()).isEqualTo(3);
        assertThat(behindSentinel.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(behindSentinel.onFailure()).isEqualTo(FailurePolicy.SKIP);
        assertThat(behindSentinel.toString()).doesNotContain("redis-Secret-1").doesNotContain("sentinel-Secret-2");
        assertThat(behindSentinel.address()).isEqualTo("sentinel master cache via s1:26379,s2:26379/3");
        assertThat(inCluster.cluster()).isEqualTo(new RedisClusterConfig(List.of("r1:7000", "r2:7001")));
        assertThat(inCluster.address()).isEqualTo("cluster r1:7000,r2:7001");
    }

    @Test
    void environmentReferencesResolveWithDefaultsAndEscapes() throws ConfigException {
        String yaml = with(with(with(with(with(YAML,
                "host: localhost", "host: ${PG_HOST}"),
                "port: 5432", "port: ${PG_PORT}"),
                "database: shop", "database: ${PG_DATABASE:-shop_default}"),
                "user: sluice", "user: ${PG_USER:-fallback_user}\n        connect-timeout: ${TIMEOUT:-2m}"),
                "compression.type: lz4", "compression.type: lz4\n            sasl.jaas.config: \"user=$${USER} x\"");
        Map<String, String> env = Map.of("PG_PASSWORD", PASSWORD, "PG_HOST", "db.internal", "PG_PORT", "6543",
                "PG_USER", "");

        SluiceConfig config = load(yaml, env);

        PostgresSourceConfig postgres = config.pipelines().get(0).source().postgres();
        assertThat(postgres.host()).isEqualTo("db.internal");
        assertThat(postgres.port()).isEqualTo(6543);
        assertThat(postgres.database()).as("unset variable takes its default").isEqualTo("shop_default");
        assertThat(postgres.user()).as("empty variable takes its default").isEqualTo("fallback_user");
        assertThat(postgres.connectTimeout()).isEqualTo(Duration.ofMinutes(2));
        KafkaSinkConfig kafka = (KafkaSinkConfig) config.pipelines().get(0).sinks().get(0);
        assertThat(kafka.producer()).containsEntry("sasl.jaas.config", "user=${USER} x");
    }

    @Test
    void problemsAfterAMultiLineSubstitutionKeepTheFileLineNumbers() {
        String yaml = with(with(YAML, "user: sluice", "user: ${PG_USER}"), "slot: sluice_orders", "slot: Bad-Slot");
        Map<String, String> env = Map.of("PG_PASSWORD", PASSWORD, "PG_USER", "a\nb\nc\nd");

        ConfigException error = failure(yaml, env);

        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(10);
            assertThat(problem.column()).isEqualTo(9);
        });
    }

    @Test
    void secretsNeverAppearInToString() throws ConfigException {
        String yaml = with("compression.type: lz4", "compression.type: lz4\n            sasl.jaas.config: ${JAAS}");
        SluiceConfig config = load(yaml, Map.of("PG_PASSWORD", PASSWORD, "JAAS", "jaas-Secret-99"));

        assertThat(config.toString()).doesNotContain(PASSWORD).doesNotContain("jaas-Secret-99").contains("******");
    }

    /** Each edit makes a value taken from the environment fail binding or validation. */
    static Stream<Arguments> secretPlacements() {
        return Stream.of(
                arguments("port: 5432", "port: ${PG_PASSWORD}"),
                arguments("snapshot: initial", "snapshot: ${PG_PASSWORD}"),
                arguments("snapshot: initial", "connect-timeout: ${PG_PASSWORD}"),
                arguments("compression.type: lz4", "compression.type: lz4\n          tombstones: ${PG_PASSWORD}"),
                arguments("name: orders", "name: ${PG_PASSWORD}"),
                arguments("slot: sluice_orders", "slot: ${PG_PASSWORD}"),
                arguments("publication: sluice_orders", "publication: ${PG_PASSWORD}"),
                arguments("public.customers", "\"${PG_PASSWORD}\""),
                arguments("localhost:9092", "${PG_PASSWORD}"),
                arguments("shop.{schema}.{table}", "shop.{${PG_PASSWORD}}"),
                arguments("shop.{schema}.{table}", "${PG_PASSWORD}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("secretPlacements")
    void substitutedValuesNeverAppearInMessages(String fragment, String replacement) {
        ConfigException error = failure(with(fragment, replacement), ENV);

        assertThat(error).isNotNull();
        assertThat(error.getMessage()).doesNotContain(PASSWORD).doesNotContain("Secret/42")
                .contains("${PG_PASSWORD}");
    }

    @Test
    void valuesReadFromAFileNeverAppearInMessages(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("slot"), PASSWORD + "\n");

        ConfigException error = failure(with("slot: sluice_orders", "slot: ${file:" + secret + "}"), ENV);

        assertThat(error.getMessage()).doesNotContain(PASSWORD).contains("${file:" + secret + "}")
                .contains("is not a valid replication slot name");
    }

    @Test
    void everyUnknownKeyIsReportedAtOnceWithValidationProblems() {
        String yaml = with(with(with(YAML, "host: localhost", "hots: localhost"), "port: 5432", "port: 0"),
                "bootstrap-servers:", "bootstrap-server:");

        ConfigException error = failure(yaml.replace("sinks:", "sink:"), ENV);

        assertThat(error.problems()).extracting(ConfigProblem::line, ConfigProblem::path).containsExactly(
                tuple(5, "pipelines[0].source.postgres.hots"),
                tuple(6, "pipelines[0].source.postgres.port"),
                tuple(14, "pipelines[0].sink"));
    }

    @Test
    void messageHasOneLinePerProblemInFileOrder() {
        String yaml = with(with(YAML, "host: localhost", "hots: localhost"), "port: 5432", "port: 70000");

        ConfigException error = failure(yaml, ENV);

        assertThat(error.getMessage()).isEqualTo(String.join("\n",
                "pipelines.yaml:5:9: pipelines[0].source.postgres.hots: unknown key \"hots\" (did you mean \"host\"?)",
                "pipelines.yaml:6:9: pipelines[0].source.postgres.port: expected a port number between 1 and 65535,"
                        + " got \"70000\""));
        assertThat(error.getStackTrace()).isEmpty();
        assertThat(error.getCause()).isNull();
    }

    @Test
    void messagesNameNoJavaOrJacksonTypes() {
        String yaml = with(with(YAML, "tables: [public.orders, public.customers]", "tables: {a: b}"),
                "bootstrap-servers:", "bootstrapServers:");

        ConfigException error = failure(yaml, ENV);

        assertThat(error.getMessage()).doesNotContainIgnoringCase("jackson").doesNotContain("java.")
                .doesNotContain("Exception").doesNotContain("`");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"500ms, PT0.5S", "10s, PT10S", "2m, PT2M", "1h, PT1H", "1d, PT24H", "PT10S, PT10S",
            "PT1M30S, PT1M30S"})
    void durationsAcceptUnitSuffixesAndIso8601(String written, String expected) throws ConfigException {
        SluiceConfig config = load(with("snapshot: initial", "connect-timeout: " + written), ENV);

        assertThat(config.pipelines().get(0).source().postgres().connectTimeout()).isEqualTo(Duration.parse(expected));
    }

    @Test
    void yamlBooleanWordsAndNumbersStayTextWhereTextIsExpected() throws ConfigException {
        String yaml = with(with(with(YAML, "host: localhost", "host: no"), "database: shop", "database: 2024"),
                "${PG_PASSWORD}", "123456");

        PostgresSourceConfig postgres = load(yaml, Map.of()).pipelines().get(0).source().postgres();

        assertThat(postgres.host()).isEqualTo("no");
        assertThat(postgres.database()).isEqualTo("2024");
        assertThat(postgres.password().reveal()).isEqualTo("123456");
    }

    @Test
    void loadsAFileAndNamesItInMessages(@TempDir Path dir) throws IOException, ConfigException {
        Path good = Files.writeString(dir.resolve("good.yaml"), YAML);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), with("port: 5432", "port: abc"));
        ConfigLoader loader = new ConfigLoader(ENV::get);

        assertThat(loader.load(good).pipelines()).hasSize(1);
        assertThatThrownBy(() -> loader.load(bad)).isInstanceOf(ConfigException.class)
                .hasMessage(bad + ":6:9: pipelines[0].source.postgres.port: expected a whole number, got \"abc\"");
        assertThatThrownBy(() -> loader.load(dir.resolve("missing.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("missing.yaml") + ": file not found");
    }
}
