package io.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what Sluice wrote to Kafka: every record of the topics matching a prefix, from the beginning, parsed from
 * Sluice's JSON form. Tombstones are kept (value {@code null}).
 */
final class KafkaEvents implements AutoCloseable {
    /** Keeps numbers exactly as written (2.50 stays 2.50), so tests see what consumers see. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    /** One record as a test sees it. */
    record Received(String topic, int partition, long offset, JsonNode key, JsonNode value, Map<String, String> headers) {
        boolean isTombstone() {
            return value == null;
        }

        String op() {
            return value.path("op").asText();
        }

        long version() {
            return value.path("version").asLong();
        }

        JsonNode after() {
            return value.path("after");
        }

        JsonNode before() {
            return value.path("before");
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Received> received = new ArrayList<>();

    KafkaEvents(String bootstrapServers, String topicPrefix) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(Pattern.compile(Pattern.quote(topicPrefix) + ".*"));
    }

    /** Polls until {@code done} holds for everything received so far, or fails after {@code timeout}. */
    List<Received> awaitUntil(Predicate<List<Received>> done, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.test(received)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what
                        + "; received " + received.size() + " records: " + summary());
            }
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(received);
    }

    /** Polls until {@code count} records arrived. */
    List<Received> awaitCount(int count, Duration timeout) {
        return awaitUntil(r -> r.size() >= count, timeout, count + " records");
    }

    /** Reads whatever else arrives within {@code quiet} and returns everything received. */
    List<Received> drain(Duration quiet) {
        Instant end = Instant.now().plus(quiet);
        while (Instant.now().isBefore(end)) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(received);
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            received.add(new Received(record.topic(), record.partition(), record.offset(), parse(record.key()),
                    parse(record.value()), headers));
        }
    }

    private String summary() {
        StringBuilder out = new StringBuilder();
        for (Received r : received.subList(Math.max(0, received.size() - 20), received.size())) {
            out.append("\n  ").append(r.topic()).append(' ').append(r.key()).append(' ')
                    .append(r.isTombstone() ? "tombstone" : r.op() + " v" + r.version() + " " + r.after());
        }
        return out.toString();
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
