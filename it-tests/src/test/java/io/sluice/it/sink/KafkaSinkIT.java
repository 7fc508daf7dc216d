package io.sluice.it.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkContract;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalKafka;
import io.sluice.sink.kafka.KafkaClients;
import io.sluice.sink.kafka.KafkaSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link SinkContract} and Kafka's own promises (keys, partitions, tombstones, headers, refused settings,
 * start-up and poison failures) against a real broker.
 *
 * <p>The consumer's view of a topic is read from the beginning up to the end offsets of the moment, so no test waits
 * for records to "stop arriving".
 */
class KafkaSinkIT extends SinkContract {
    private static final String PIPELINE = "sink-it";
    private static final String TOPIC_PREFIX = "sinkit.";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Without these a write to a stopped broker waits out the default delivery timeout of two minutes before it is
     * reported; with them it fails in seconds. A healthy single broker answers in milliseconds, so they cost nothing
     * elsewhere.
     */
    private static final Map<String, String> FAST_FAILING = Map.of(
            "delivery.timeout.ms", "6000",
            "request.timeout.ms", "3000",
            "max.block.ms", "6000");
    private static final ObjectMapper JSON = new ObjectMapper()
            // The contract's values are Longs; Jackson would read small JSON integers as Integers.
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static LocalKafka kafka;

    /** Sinks the Kafka-specific tests open themselves, closed after each test. */
    private final List<Sink> ownSinks = new ArrayList<>();

    @BeforeAll
    static void startKafka() {
        // Three partitions for every topic the sink creates, so per-key placement and order are really tested.
        kafka = LocalKafka.start(3);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void closeOwnSinks() {
        ownSinks.forEach(Sink::close);
    }

    // ---- The contract's hooks

    @Override
    protected Sink openSink() throws Exception {
        KafkaSink sink = new KafkaSink(PIPELINE, config(true, Map.of()), KafkaClients.live(), CONNECT_TIMEOUT);
        sink.open();
        return sink;
    }

    /**
     * A consumer that keeps, per record key, the record with the highest version (a later one on a tie). A delete
     * record is the row's state from then on; tombstones only tell compaction to forget the key, and a truncate has
     * no row: neither counts.
     */
    @Override
    protected Map<Key, StoredRow> readState(TableId table) {
        Map<Key, StoredRow> state = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : readTopic(topicOf(table))) {
            if (record.value() == null) {
                continue;
            }
            Map<String, Object> value = parse(record.value());
            String op = (String) value.get("op");
            if (op.equals("t")) {
                continue;
            }
            long version = (Long) value.get("version");
            @SuppressWarnings("unchecked")
            StoredRow next = op.equals("d") ? StoredRow.deleted(version)
                    : StoredRow.present(version, Row.of((Map<String, Object>) value.get("after")));
            state.merge(new Key(parse(record.key())), next,
                    (held, candidate) -> candidate.version() >= held.version() ? candidate : held);
        }
        return state;
    }

    @Override
    protected void stopServer() {
        kafka.stop();
    }

    @Override
    protected void restartServer() {
        kafka.restart();
    }

    /**
     * Kafka cannot remove a table's rows from a topic: the truncate is one record on partition 0 for consumers to act
     * on, and the rows stay as they were.
     */
    @Override
    protected void assertTruncateApplied(ChangeEvent truncate, Map<Key, StoredRow> before,
            Map<Key, StoredRow> after) {
        assertThat(after).as("per-key state after the truncate").isEqualTo(before);
        List<ConsumerRecord<byte[], byte[]>> truncates = readTopic(topicOf(truncate.table())).stream()
                .filter(r -> "t".equals(header(r, "sluice.op")))
                .toList();
        assertThat(truncates).singleElement().satisfies(record -> {
            assertThat(record.partition()).isZero();
            // {} rather than null: a compacted topic refuses records without a key.
            assertThat(utf8(record.key())).isEqualTo("{}");
            assertThat(header(record, "sluice.version")).isEqualTo(Long.toString(truncate.version()));
            assertThat(parse(record.value())).containsEntry("op", "t").containsEntry("version", truncate.version())
                    .containsEntry("after", null).containsEntry("key", Map.of());
        });
    }

    // ---- Kafka's own promises

    @Test
    void recordsAreKeyedByPrimaryKeyJsonAndEachKeyStaysInOnePartitionInOrder() throws Exception {
        TableId orders = new TableId("sluice", "kafka", "partitioned");
        TableId lines = new TableId("sluice", "kafka", "partitioned_lines");
        kafka.createTopic(topicOf(orders), 3);
        kafka.createTopic(topicOf(lines), 3);
        Sink sink = openOwnSink(config(true, Map.of()));
        Map<String, List<Long>> writtenVersions = new LinkedHashMap<>();
        // Five rounds over 24 rows, in two batches: every row's changes interleave with the other rows'.
        for (int[] rounds : new int[][] {{0, 1, 2}, {3, 4}}) {
            List<ChangeEvent> batch = new ArrayList<>();
            for (int round : rounds) {
                for (long id = 1; id <= 24; id++) {
                    long version = 1_000L * (round + 1) + id;
                    EventBuilder change = round == 0 ? EventBuilder.insert(orders) : EventBuilder.update(orders);
                    batch.add(change.key("id", id).column("status", "round " + round).version(version).build());
                    writtenVersions.computeIfAbsent("{\"id\":" + id + "}", k -> new ArrayList<>()).add(version);
                }
            }
            assertThat(sink.write(batch).failures()).isEmpty();
        }
        // Key columns in key column order, which here is not alphabetical: the bytes must not depend on sorting.
        ChangeEvent line = EventBuilder.insert(lines).key("order_id", 7L).key("line", 2L).column("sku", "A-1")
                .version(9_000).build();
        assertThat(sink.write(List.of(line)).failures()).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> records = readTopic(topicOf(orders));

        assertThat(records).hasSize(24 * 5);
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = records.stream()
                .collect(Collectors.groupingBy(r -> utf8(r.key()), LinkedHashMap::new, Collectors.toList()));
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(writtenVersions.keySet());
        byKey.forEach((key, ofKey) -> {
            assertThat(ofKey).as("partitions of key %s", key).extracting(ConsumerRecord::partition).containsOnly(
                    ofKey.get(0).partition());
            // readTopic keeps each partition's offset order.
            assertThat(ofKey).as("versions of key %s in offset order", key)
                    .extracting(r -> (Long) parse(r.value()).get("version"))
                    .containsExactlyElementsOf(writtenVersions.get(key));
        });
        assertThat(records).as("the 24 keys spread over the partitions, so placement by key is really tested")
                .extracting(ConsumerRecord::partition).contains(0, 1, 2);
        assertThat(readTopic(topicOf(lines))).singleElement()
                .satisfies(r -> assertThat(utf8(r.key())).isEqualTo("{\"order_id\":7,\"line\":2}"));
    }

    @Test
    void deleteIsFollowedByATombstoneWithTheSameKey() throws Exception {
        TableId carts = new TableId("sluice", "kafka", "tombstones");
        Sink sink = openOwnSink(config(true, Map.of()));

        assertThat(sink.write(List.of(
                EventBuilder.insert(carts).key("id", 5L).column("items", 2L).version(100).build(),
                EventBuilder.delete(carts).key("id", 5L).version(200).build())).failures()).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> records = readTopic(topicOf(carts));
        assertThat(records).hasSize(3);
        ConsumerRecord<byte[], byte[]> delete = records.get(1);
        ConsumerRecord<byte[], byte[]> tombstone = records.get(2);
        assertThat(parse(delete.value())).containsEntry("op", "d").containsEntry("version", 200L);
        assertThat(tombstone.value()).isNull();
        assertThat(utf8(tombstone.key())).isEqualTo(utf8(delete.key())).isEqualTo("{\"id\":5}");
        // Right behind the delete in the same partition, so compaction can never keep the delete and lose the
        // tombstone's effect, and with the delete's headers, so consumers can route it without a value.
        assertThat(tombstone.partition()).isEqualTo(delete.partition());
        assertThat(tombstone.offset()).isEqualTo(delete.offset() + 1);
        assertThat(headers(tombstone)).containsEntry("sluice.op", "d").containsEntry("sluice.version", "200");
    }

    @Test
    void noTombstoneIsWrittenWhenTombstonesAreOff() throws Exception {
        TableId carts = new TableId("sluice", "kafka", "no_tombstones");
        Sink sink = openOwnSink(config(false, Map.of()));

        assertThat(sink.write(List.of(
                EventBuilder.insert(carts).key("id", 5L).column("items", 2L).version(100).build(),
                EventBuilder.delete(carts).key("id", 5L).version(200).build())).failures()).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> records = readTopic(topicOf(carts));
        assertThat(records).extracting(ConsumerRecord::value).as("record values").doesNotContainNull();
        assertThat(records).extracting(r -> (String) parse(r.value()).get("op")).containsExactly("c", "d");
    }

    @Test
    void headersCarryOpLsnsVersionAndTransaction() throws Exception {
        TableId accounts = new TableId("sluice", "kafka", "headers");
        Sink sink = openOwnSink(config(true, Map.of()));
        // Above 2^32, so the LSNs' high halves show, and a change LSN apart from the commit LSN (the version).
        ChangeEvent update = EventBuilder.update(accounts).key("id", 1L).column("status", "paid")
                .version(0x2_0000_0100L).lsn(0x2_0000_00F0L).build();
        ChangeEvent snapshotRead = EventBuilder.read(accounts).key("id", 2L).column("status", "new")
                .version(0x1_0000_0000L).build();

        assertThat(sink.write(List.of(update, snapshotRead)).failures()).isEmpty();

        Map<String, ConsumerRecord<byte[], byte[]>> byKey = readTopic(topicOf(accounts)).stream()
                .collect(Collectors.toMap(r -> utf8(r.key()), r -> r));
        assertThat(headers(byKey.get("{\"id\":1}"))).isEqualTo(Map.of(
                "sluice.op", "u",
                "sluice.lsn", "2/F0",
                "sluice.commit_lsn", "2/100",
                "sluice.version", "8589934848",
                "sluice.tx_id", "751"));
        assertThat(parse(byKey.get("{\"id\":1}").value())).containsEntry("version", 8589934848L);
        // A snapshot read has no transaction id: the header is left out rather than sent empty.
        assertThat(headers(byKey.get("{\"id\":2}"))).isEqualTo(Map.of(
                "sluice.op", "r",
                "sluice.lsn", "1/0",
                "sluice.commit_lsn", "1/0",
                "sluice.version", "4294967296"));
    }

    @Test
    void producerOverridesThatWouldWeakenDeliveryAreRefusedAtOpen() {
        // acks=all and idempotence cannot be read back from a producer; what can be shown is that no config can turn
        // them off, and that the refusal is a plain (not retriable) error that names the setting.
        KafkaSink acksOne = ownSink("weak-acks", config(true, Map.of("acks", "1")), CONNECT_TIMEOUT);
        assertThatThrownBy(acksOne::open)
                .isExactlyInstanceOf(SinkException.class)
                .hasMessageStartingWith("pipeline 'weak-acks', sink kafka (" + kafka.bootstrapServers() + ")")
                .hasMessageContaining("producer setting 'acks' must be 'all'");

        KafkaSink notIdempotent = ownSink("weak-idempotence", config(true, Map.of("enable.idempotence", "false")),
                CONNECT_TIMEOUT);
        assertThatThrownBy(notIdempotent::open)
                .isExactlyInstanceOf(SinkException.class)
                .hasMessageContaining("pipeline 'weak-idempotence'")
                .hasMessageContaining("producer setting 'enable.idempotence' must be 'true'");
    }

    @Test
    void unreachableBootstrapServerFailsOpenRetriablyWithinTheConnectTimeout() {
        // Free a moment ago, so nothing listens there: every connection attempt is refused.
        String nowhere = "127.0.0.1:" + FreePorts.pick();
        Duration connectTimeout = Duration.ofSeconds(2);
        KafkaSink sink = ownSink("unreachable", new KafkaSinkConfig(nowhere, TOPIC_PREFIX + "{schema}.{table}", true,
                Map.of()), connectTimeout);

        Instant begin = Instant.now();
        Throwable thrown = catchThrowable(sink::open);
        Duration took = Duration.between(begin, Instant.now());

        assertThat(thrown).isInstanceOf(RetriableSinkException.class)
                .hasMessageContaining("pipeline 'unreachable'")
                .hasMessageContaining(nowhere);
        // The timeout plus the admin client's start and stop; far below the producer's own minute-long waits.
        assertThat(took).isLessThan(connectTimeout.plusSeconds(3));
    }

    @Test
    void recordLargerThanTheTopicAllowsIsPoisonWhileTheRestOfTheBatchIsApplied() throws Exception {
        TableId documents = new TableId("sluice", "kafka", "oversized");
        String topic = topicOf(documents);
        // One partition: the large record shares a producer batch with its neighbours, which the broker refuses as a
        // whole; the producer must split the batch so that only the large record fails.
        createTopic(topic, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096"));
        Sink sink = openOwnSink(config(true, Map.of()));
        byte[] noise = new byte[6_000];
        new Random(42).nextBytes(noise);
        // Random bytes: lz4 cannot shrink them below the topic's limit.
        String tooLarge = Base64.getEncoder().encodeToString(noise);
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(documents).key("id", 1L).column("body", "small").version(100).build(),
                EventBuilder.insert(documents).key("id", 2L).column("body", tooLarge).version(101).build(),
                EventBuilder.insert(documents).key("id", 3L).column("body", "small too").version(102).build(),
                EventBuilder.update(documents).key("id", 1L).column("body", "smaller").version(103).build());

        WriteResult result = sink.write(batch);

        assertThat(result.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.index()).isEqualTo(1);
            assertThat(failure.retriable()).as("retriable").isFalse();
            assertThat(failure.reason()).contains("topic '" + topic + "'").contains("larger than");
            // The reason goes into logs and dead letters: no row values in it.
            assertThat(failure.reason()).doesNotContain(tooLarge.substring(0, 20));
        });
        // The producer goes on after the refused record: a later write to the same partition is applied.
        ChangeEvent later = EventBuilder.update(documents).key("id", 3L).column("body", "later").version(200).build();
        assertThat(sink.write(List.of(later)).failures()).isEmpty();

        assertThat(readState(documents)).isEqualTo(Map.of(
                new Key(Map.of("id", 1L)), StoredRow.present(103, batch.get(3).after()),
                new Key(Map.of("id", 3L)), StoredRow.present(200, later.after())));
    }

    // ---- Helpers

    private static KafkaSinkConfig config(boolean tombstones, Map<String, String> producer) {
        Map<String, String> settings = new HashMap<>(FAST_FAILING);
        settings.putAll(producer);
        return new KafkaSinkConfig(kafka.bootstrapServers(), TOPIC_PREFIX + "{schema}.{table}", tombstones, settings);
    }

    /** An opened sink of this test's own, closed after the test (the contract's sink is the contract's to close). */
    private Sink openOwnSink(KafkaSinkConfig config) throws Exception {
        KafkaSink sink = ownSink(PIPELINE, config, CONNECT_TIMEOUT);
        sink.open();
        return sink;
    }

    private KafkaSink ownSink(String pipeline, KafkaSinkConfig config, Duration connectTimeout) {
        KafkaSink sink = new KafkaSink(pipeline, config, KafkaClients.live(), connectTimeout);
        ownSinks.add(sink);
        return sink;
    }

    /** Spelled out rather than rendered by the sink's TopicTemplate, so a template bug cannot hide itself. */
    private static String topicOf(TableId table) {
        return TOPIC_PREFIX + table.schema() + "." + table.table();
    }

    private static void createTopic(String topic, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all()
                    .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Every record of the topic from the beginning to the end offsets at the time of the call, each partition's in
     * offset order; nothing for a topic that does not exist.
     */
    private static List<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
        Map<String, Object> settings = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                // Reading must not create the topic it looks for.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(READ_TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within "
                            + READ_TIMEOUT.toSeconds() + " s; read " + records.size() + " records");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Map<String, Object> parse(byte[] json) {
        try {
            return JSON.readValue(json, OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + utf8(json), e);
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), utf8(header.value()));
        }
        return headers;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : utf8(header.value());
    }
}
