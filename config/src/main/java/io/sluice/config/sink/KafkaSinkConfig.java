package io.sluice.config.sink;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes every change event to a Kafka topic, keyed by the row's primary key.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param topic            topic template; {@code {database}}, {@code {schema}} and {@code {table}} are replaced per event
 * @param tombstones       write a null-valued record after each delete so compacted topics forget the row
 *                         (default true)
 * @param producer         further kafka-clients producer settings (TLS, SASL, compression, linger...), passed
 *                         through as written; values may use {@code ${...}} and are never logged
 * @param onFailure        what to do with an event Kafka rejects for good, e.g. a record too large (default fail)
 * @param tables           the captured tables this sink receives (default all), see {@link SinkConfig#tables()}
 * @param batchSize        most events per write (default {@value SinkConfig#DEFAULT_BATCH_SIZE})
 * @param retry            backoff after transient failures (default: the pipeline's)
 */
public record KafkaSinkConfig(String bootstrapServers, String topic, Boolean tombstones, Map<String, String> producer,
        FailurePolicy onFailure, List<String> tables, Integer batchSize, RetryConfig retry) implements SinkConfig {

    public static final String DEFAULT_TOPIC = "{database}.{schema}.{table}";

    public KafkaSinkConfig {
        topic = topic == null ? DEFAULT_TOPIC : topic;
        tombstones = tombstones == null ? Boolean.TRUE : tombstones;
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        onFailure = onFailure == null ? FailurePolicy.FAIL : onFailure;
        tables = tables == null ? List.of() : List.copyOf(tables);
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    /** A sink for every table that stops the pipeline on a rejected event. */
    public KafkaSinkConfig(String bootstrapServers, String topic, Boolean tombstones, Map<String, String> producer) {
        this(bootstrapServers, topic, tombstones, producer, null, null, null, null);
    }

    @Override
    public String kind() {
        return "kafka";
    }

    /** Producer values may hold credentials (e.g. {@code sasl.jaas.config}), so only their keys are shown. */
    @Override
    public String toString() {
        return "KafkaSinkConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", tombstones="
                + tombstones + ", producer keys=" + new TreeMap<>(producer).keySet() + ", onFailure=" + onFailure + ", tables=" + tables + ", batchSize=" + batchSize + ", retry=" + retry + "]";
    }
}
