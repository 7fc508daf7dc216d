package io.sluice.it.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One contract, run against every offset store on real servers: the file store in a directory, the JDBC store in
 * a PostgreSQL database other than the source's (schema {@code sluice_meta}, a role with a password), and the Kafka
 * store in a topic shared by the tests' pipelines.
 */
class OffsetStoreIT {
    private static final String OFFSETS_DATABASE = "offsets_db";
    private static final String KEEPER = "offsets_keeper";
    private static final String KEEPER_PASSWORD = "keeper-pw-0815";
    private static final AtomicInteger PIPELINES = new AtomicInteger();

    private static LocalPostgres postgres;
    private static LocalKafka kafka;

    @BeforeAll
    static void startServers() {
        postgres = LocalPostgres.start();
        kafka = LocalKafka.start();
        postgres.createDatabase("source_db");
        postgres.createDatabase(OFFSETS_DATABASE);
        postgres.createRole(KEEPER, KEEPER_PASSWORD, false);
        postgres.execute(OFFSETS_DATABASE, "CREATE SCHEMA sluice_meta AUTHORIZATION " + KEEPER);
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

    /** What every store must do; each nested class says how to open its store and how to make its server fail. */
    abstract static class Contract {

        /** A new store instance for {@code pipeline}, over the same place as every earlier one. */
        abstract OffsetStore open(PipelineId pipeline) throws OffsetStoreException;

        /** Makes the store's server unable to take a save. */
        abstract void breakServer() throws Exception;

        /** Brings the server back as it was. */
        abstract void repairServer() throws Exception;

        @Test
        void holdsNoOffsetsBeforeTheFirstSave() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                assertThat(store.load(pipeline).isEmpty()).isTrue();
            }
        }

        @Test
        void loadReturnsWhatWasSaved() throws Exception {
            PipelineId pipeline = newPipeline();
            SourceOffsets saved = new SourceOffsets(Map.of(
                    partition(pipeline, "main"), "{\"lsn\":24023128,\"txId\":771,\"ts_usec\":1732270530000000}",
                    partition(pipeline, "other"), "{\"lsn\":99,\"lsn_commit\":98}"));
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, saved);

                assertThat(store.load(pipeline)).isEqualTo(saved);
            }
        }

        @Test
        void recordsWhenTheOffsetsWereSaved() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                assertThat(store.savedAt(pipeline)).isEmpty();
                Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                store.save(pipeline, offsets(pipeline, 3));

                assertThat(store.savedAt(pipeline)).hasValueSatisfying(savedAt ->
                        assertThat(savedAt).isBetween(before, Instant.now().plusSeconds(1)));
            }
        }

        @Test
        void secondSaveReplacesTheFirst() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, new SourceOffsets(Map.of(partition(pipeline, "main"), lsn(1),
                        partition(pipeline, "gone"), lsn(1))));
                store.save(pipeline, offsets(pipeline, 2));

                assertThat(store.load(pipeline)).isEqualTo(offsets(pipeline, 2));
            }
        }

        @Test
        void pipelinesSharingTheStoreDoNotSeeEachOther() throws Exception {
            PipelineId orders = newPipeline();
            PipelineId customers = newPipeline();
            try (OffsetStore ordersStore = open(orders); OffsetStore customersStore = open(customers)) {
                ordersStore.save(orders, offsets(orders, 10));
                customersStore.save(customers, offsets(customers, 20));
                ordersStore.save(orders, offsets(orders, 11));

                assertThat(ordersStore.load(orders)).isEqualTo(offsets(orders, 11));
                assertThat(customersStore.load(customers)).isEqualTo(offsets(customers, 20));
            }
        }

        @Test
        void newStoreInstanceReadsWhatTheOldOneSaved() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore before = open(pipeline)) {
                before.save(pipeline, offsets(pipeline, 5));
                before.save(pipeline, offsets(pipeline, 6));
            }
            try (OffsetStore after = open(pipeline)) {
                assertThat(after.load(pipeline)).isEqualTo(offsets(pipeline, 6));
            }
        }

        @Test
        void failedSaveNamesTheStoreAndLeavesThePreviousOffsets() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, offsets(pipeline, 100));
                OffsetStoreException failure;
                breakServer();
                try {
                    failure = catchThrowableOfType(OffsetStoreException.class,
                            () -> store.save(pipeline, offsets(pipeline, 101)));
                } finally {
                    repairServer();
                }

                assertThat(failure).as("a save while the server is down fails").isNotNull();
                assertThat(failure.getMessage()).contains(store.describe(), "'" + pipeline + "'")
                        .doesNotContain("\n", "Exception", KEEPER_PASSWORD);
                try (OffsetStore restarted = open(pipeline)) {
                    assertThat(restarted.load(pipeline)).isEqualTo(offsets(pipeline, 100));
                }
                store.save(pipeline, offsets(pipeline, 102));
                assertThat(store.load(pipeline)).isEqualTo(offsets(pipeline, 102));
            }
        }
    }

    @Nested
    class FileStore extends Contract {
        @TempDir
        Path dir;

        @Override
        OffsetStore open(PipelineId pipeline) throws OffsetStoreException {
            return openStore(pipeline, "file: " + file(pipeline));
        }

        /** A directory where the store writes its temporary file: no account, root included, can write there. */
        @Override
        void breakServer() throws Exception {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.createDirectory(Path.of(file + ".tmp"));
                }
            }
        }

        @Override
        void repairServer() throws Exception {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".tmp")).toList()) {
                    Files.delete(file);
                }
            }
        }

        @Test
        void eachPipelineHasItsOwnFileInTheDirectory() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, offsets(pipeline, 1));
            }
            assertThat(Files.readString(file(pipeline))).contains("\"pipeline\" : \"" + pipeline + "\"");
        }

        private Path file(PipelineId pipeline) {
            return dir.resolve(pipeline + ".offsets");
        }
    }

    @Nested
    class JdbcStore extends Contract {
        @Override
        OffsetStore open(PipelineId pipeline) throws OffsetStoreException {
            return openStore(pipeline, jdbcOffsets("sluice_meta", KEEPER, KEEPER_PASSWORD));
        }

        @Override
        void breakServer() {
            postgres.stop();
        }

        @Override
        void repairServer() {
            postgres.restart();
        }

        @Test
        void tableHoldsOneRowPerPipelineThatAnOperatorCanRead() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, offsets(pipeline, 7));
                store.save(pipeline, offsets(pipeline, 8));
            }
            try (Connection c = postgres.connect(OFFSETS_DATABASE); Statement s = c.createStatement();
                    ResultSet row = s.executeQuery("SELECT offsets::json ->> '" + partition(pipeline, "main")
                            + "', saved_at > now() - interval '1 minute', tableowner"
                            + " FROM sluice_meta.sluice_offsets, pg_tables"
                            + " WHERE pipeline = '" + pipeline + "' AND schemaname = 'sluice_meta'"
                            + " AND tablename = 'sluice_offsets'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo(lsn(8));
                assertThat(row.getBoolean(2)).isTrue();
                assertThat(row.getString(3)).isEqualTo(KEEPER);
                assertThat(row.next()).isFalse();
            }
        }

        @Test
        void missingSchemaIsNamedWithItsServer() {
            PipelineId pipeline = newPipeline();

            assertThatThrownBy(() -> openStore(pipeline, jdbcOffsets("no_such_schema", KEEPER, KEEPER_PASSWORD)))
                    .isInstanceOf(OffsetStoreException.class)
                    .hasMessageContaining("schema 'no_such_schema' does not exist in "
                            + postgres.jdbcUrl(OFFSETS_DATABASE))
                    .hasMessageContaining("CREATE SCHEMA");
        }

        @Test
        void roleWithoutRightsIsToldWhatToGrant() {
            postgres.createRole("offsets_reader", "reader-pw-4711", false);
            postgres.execute(OFFSETS_DATABASE, "CREATE SCHEMA locked AUTHORIZATION " + KEEPER);
            PipelineId pipeline = newPipeline();

            assertThatThrownBy(() -> openStore(pipeline, jdbcOffsets("locked", "offsets_reader", "reader-pw-4711")))
                    .isInstanceOf(OffsetStoreException.class)
                    .hasMessageContaining("role 'offsets_reader' may not use or create the offsets table"
                            + " locked.sluice_offsets in " + postgres.jdbcUrl(OFFSETS_DATABASE))
                    .hasMessageContaining("permission denied for schema locked")
                    .hasMessageContaining("CREATE on schema locked")
                    .hasMessageContaining("CREATE TABLE IF NOT EXISTS \"locked\".\"sluice_offsets\"")
                    .message().doesNotContain("reader-pw-4711");
        }

        @Test
        void unreachableServerIsReportedWithTheTableAndAddress() {
            PipelineId pipeline = newPipeline();
            String url = "jdbc:postgresql://127.0.0.1:1/" + OFFSETS_DATABASE;

            assertThatThrownBy(() -> openStore(pipeline, "jdbc: {url: '" + url + "?password=pw-in-url'}"))
                    .isInstanceOf(OffsetStoreException.class)
                    .hasMessageContaining("PostgreSQL table public.sluice_offsets in " + url + ":")
                    .hasMessageContaining("refused")
                    .message().doesNotContain("pw-in-url");
        }
    }

    @Nested
    class KafkaStore extends Contract {
        private static final String TOPIC = "it-offsets";

        @Override
        OffsetStore open(PipelineId pipeline) throws OffsetStoreException {
            PipelineConfig config = config(pipeline, kafkaOffsets(TOPIC));
            Map<String, String> settings = new LinkedHashMap<>(
                    OffsetStores.settings(config.offsets(), config.source().postgres()));
            // Short, so that a save while the broker is down fails within the test's patience.
            settings.put("timeout-ms", "3000");
            return OffsetStores.open("kafka", settings);
        }

        @Override
        void breakServer() {
            kafka.stop();
        }

        @Override
        void repairServer() {
            kafka.restart();
        }

        @Test
        void createsACompactedTopicWithOnePartition() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, offsets(pipeline, 1));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(TOPIC);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);

                assertThat(topic.partitions()).hasSize(1);
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }
        }

        @Test
        void topicThatIsNotCompactedIsRefused() {
            kafka.createTopic("it-offsets-deleting", 1);
            PipelineId pipeline = newPipeline();

            assertThatThrownBy(() -> openStore(pipeline, kafkaOffsets("it-offsets-deleting")))
                    .isInstanceOf(OffsetStoreException.class)
                    .hasMessageContaining("Kafka topic it-offsets-deleting at " + kafka.bootstrapServers())
                    .hasMessageContaining("cleanup.policy is 'delete', not 'compact'");
        }

        @Test
        void tombstoneMeansNoOffsets() throws Exception {
            PipelineId pipeline = newPipeline();
            try (OffsetStore store = open(pipeline)) {
                store.save(pipeline, offsets(pipeline, 3));
            }
            try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                producer.send(new ProducerRecord<>(TOPIC, pipeline.name().getBytes(StandardCharsets.UTF_8), null))
                        .get(30, TimeUnit.SECONDS);
            }
            try (OffsetStore store = open(pipeline)) {
                assertThat(store.load(pipeline).isEmpty()).isTrue();
            }
        }

        private static String kafkaOffsets(String topic) {
            return "kafka: {bootstrap-servers: '" + kafka.bootstrapServers() + "', topic: " + topic + "}";
        }
    }

    private static String jdbcOffsets(String schema, String user, String password) {
        return "jdbc: {url: '" + postgres.jdbcUrl(OFFSETS_DATABASE) + "', user: " + user + ", password: '" + password
                + "', schema: " + schema + "}";
    }

    /** Opens the store of a pipeline whose config has the given offsets, as the engine and commands do. */
    private static OffsetStore openStore(PipelineId pipeline, String offsetsYaml) throws OffsetStoreException {
        PipelineConfig config = config(pipeline, offsetsYaml);
        return OffsetStores.open(config.offsets(), config.source().postgres());
    }

    /** A pipeline's config with the given offsets, through Sluice's own loader and validation. */
    private static PipelineConfig config(PipelineId pipeline, String offsetsYaml) {
        String yaml = """
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        database: source_db
                        user: %s
                        slot: %s_slot
                        publication: %s_pub
                        tables: [public.t]
                        connect-timeout: 2s
                    sinks:
                      - kafka:
                          bootstrap-servers: 127.0.0.1:9
                    offsets:
                      %s
                """.formatted(pipeline, postgres.port(), LocalPostgres.SUPERUSER, pipeline.name().replace('-', '_'),
                pipeline.name().replace('-', '_'), offsetsYaml);
        try {
            return new ConfigLoader(variable -> null).load(yaml, pipeline + ".yaml").pipelines().get(0);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static PipelineId newPipeline() {
        return new PipelineId("p" + PIPELINES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100_000, 36));
    }

    /** Debezium's partition key, as the engine writes it. */
    private static String partition(PipelineId pipeline, String server) {
        return "[\"sluice-" + pipeline + "\",{\"server\":\"" + server + "\"}]";
    }

    private static String lsn(long lsn) {
        return "{\"lsn\":" + lsn + ",\"lsn_proc\":" + lsn + "}";
    }

    private static SourceOffsets offsets(PipelineId pipeline, long lsn) {
        return new SourceOffsets(Map.of(partition(pipeline, "main"), lsn(lsn)));
    }
}
