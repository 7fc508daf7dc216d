package io.sluice.config.offsets;

import java.util.Map;
import java.util.TreeMap;

/**
 * Offsets in a compacted Kafka topic, one record per save keyed by the pipeline's name, written with
 * {@code acks=all}. Written as {@code offsets: {kafka: {...}}}. Several pipelines may share the topic.
 *
 * @param bootstrapServers  Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param topic             the offsets topic, created (compacted, one partition) when missing
 *                          (default {@code sluice-offsets})
 * @param replicationFactor replication factor when the topic is created (default: the broker's default)
 * @param client            further kafka-clients settings for the store's producer, consumer and admin client
 *                          (TLS, SASL...), passed through as written; values are never logged
 */
public record KafkaOffsetStoreConfig(String bootstrapServers, String topic, Integer replicationFactor,
        Map<String, String> client) implements OffsetStoreConfig {

    public static final String DEFAULT_TOPIC = "sluice-offsets";

    public KafkaOffsetStoreConfig {
        topic = topic == null ? DEFAULT_TOPIC : topic;
        client = client == null ? Map.of() : Map.copyOf(client);
    }

    @Override
    public String kind() {
        return "kafka";
    }

    /** Client values may hold credentials (e.g. {@code sasl.jaas.config}), so only their keys are shown. */
    @Override
    public String toString() {
        return "KafkaOffsetStoreConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic
                + ", replicationFactor=" + replicationFactor + ", client keys=" + new TreeMap<>(client).keySet() + "]";
    }
}
