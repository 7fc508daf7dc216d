package io.sluice.config.deadletter;

import java.util.Map;
import java.util.TreeMap;

/**
 * Dead letters written to a Kafka topic with {@code acks=all} and the idempotent producer, keyed by table and
 * primary key. Written as {@code dead-letter: {kafka: {...}}}.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param topic            the topic, created when missing; {@code {pipeline}} is replaced by the pipeline's name
 *                         (default {@value #DEFAULT_TOPIC})
 * @param producer         further kafka-clients settings (TLS, SASL...) for the producer and for the consumer of
 *                         {@code sluice dead-letters}, passed through as written; values are never logged
 */
public record KafkaDeadLetterConfig(String bootstrapServers, String topic, Map<String, String> producer)
        implements DeadLetterConfig {

    public static final String DEFAULT_TOPIC = "sluice.{pipeline}.dead-letters";

    public KafkaDeadLetterConfig {
        topic = topic == null ? DEFAULT_TOPIC : topic;
        producer = producer == null ? Map.of() : Map.copyOf(producer);
    }

    /** The topic of the named pipeline. */
    public String topicFor(String pipeline) {
        return DeadLetterConfig.forPipeline(topic, pipeline);
    }

    @Override
    public String kind() {
        return "kafka";
    }

    /** Producer values may hold credentials (e.g. {@code sasl.jaas.config}), so only their keys are shown. */
    @Override
    public String toString() {
        return "KafkaDeadLetterConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", producer keys="
                + new TreeMap<>(producer).keySet() + "]";
    }
}
