package io.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what Sluice wrote to Kafka: every record of the topics matching a prefix (or of named topics), from the
 * beginning, parsed from Sluice's JSON form. Tombstones are kept (value {@code null}).
 */
public final class KafkaEvents implements AutoCloseable {
    /** Keeps numbers exactly as written (2.50 stays 2.50), so tests see what consumers see. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    /**
     * One record as a test sees it.
     *
     * @param raw the record's key, value and header values as they were stored, read as UTF-8 text, to search
     *            for what must not be there
     */
    public record Received(String topic, int partition, long offset, JsonNode key, JsonNode value,
            Map<String, String> headers, String raw) {
        public boolean isTombstone() {
            return value == null;
        }

        public String op() {
            return value.path("op").asText();
        }

        public long version() {
            return value.path("version").asLong();
        }

        public JsonNode after() {
            return value.path("after");
        }

        public JsonNode before() {
            return value.path("before");
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Received> received = new ArrayList<>();

    KafkaEvents(String bootstrapServers, String topicPrefix) {
        consumer = consumer(bootstrapServers);
        consumer.subscribe(Pattern.compile(Pattern.quote(topicPrefix) + ".*"));
    }

    private KafkaEvents(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /**
     * Reads every partition of the named topics, which must exist, from the beginning. Unlike a prefix
     * subscription it needs no group rebalance, so {@link #readToEnd} sees every partition from the first call.
     */
    public static KafkaEvents ofTopics(String bootstrapServers, Collection<String> topics, Duration timeout) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                // A topic created a moment ago may not be in the broker's metadata yet (notably right after a
                // broker restart): ask again until the timeout before calling it missing.
                long deadline = System.nanoTime() + timeout.toNanos();
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                while ((infos == null || infos.isEmpty()) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    infos = consumer.partitionsFor(topic, timeout);
                }
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrapServers);
                }
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (InterruptedException e) {
            consumer.close(Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topics " + topics, e);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return new KafkaEvents(consumer);
    }

    /** The topics whose names start with {@code prefix}. */
    public static Set<String> topics(String bootstrapServers, String prefix, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            return consumer.listTopics(timeout).keySet().stream().filter(topic -> topic.startsWith(prefix))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Every record of the topics whose names start with {@code prefix}, read from the beginning up to their end
     * offsets as of this call; none when there is no such topic.
     */
    public static List<Received> readAll(String bootstrapServers, String prefix, Duration timeout) {
        Set<String> topics = topics(bootstrapServers, prefix, timeout);
        if (topics.isEmpty()) {
            return List.of();
        }
        try (KafkaEvents events = ofTopics(bootstrapServers, topics, timeout)) {
            return events.readToEnd(timeout);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads until every assigned partition is read up to its end offset as of this call, so everything Kafka
     * acknowledged before the call is in the answer; returns everything received so far.
     *
     * @throws TimeoutException when Kafka does not answer, or the records up to those end offsets do not arrive,
     *                          within {@code timeout}
     */
    public List<Received> readToEnd(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        for (Map.Entry<TopicPartition, Long> end : endOffsets(timeout).entrySet()) {
            while (consumer.position(end.getKey(), timeout) < end.getValue()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new TimeoutException("timed out after " + timeout.toMillis() + " ms reading "
                            + end.getKey() + " up to offset " + end.getValue() + "; at "
                            + consumer.position(end.getKey(), timeout));
                }
                poll(Duration.ofMillis(100));
            }
        }
        return List.copyOf(received);
    }

    /** The end offset of every assigned partition now. */
    public Map<TopicPartition, Long> endOffsets(Duration timeout) {
        return consumer.endOffsets(consumer.assignment(), timeout);
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
            StringBuilder raw = new StringBuilder(text(record.key())).append('\n').append(text(record.value()));
            for (Header header : record.headers()) {
                headers.put(header.key(), text(header.value()));
                raw.append('\n').append(header.key()).append('=').append(text(header.value()));
            }
            received.add(new Received(record.topic(), record.partition(), record.offset(), parse(record.key()),
                    parse(record.value()), headers, raw.toString()));
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

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
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
