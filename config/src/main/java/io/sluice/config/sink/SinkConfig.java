package io.sluice.config.sink;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One sink of a pipeline, chosen by its key in YAML ({@code - kafka: {...}}). The runtime maps each permitted
 * type to its sink in one exhaustive switch.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
        @JsonSubTypes.Type(value = KafkaSinkConfig.class, name = "kafka"),
        @JsonSubTypes.Type(value = ElasticsearchSinkConfig.class, name = "elasticsearch"),
        @JsonSubTypes.Type(value = RedisSinkConfig.class, name = "redis"),
})
public sealed interface SinkConfig permits KafkaSinkConfig, ElasticsearchSinkConfig, RedisSinkConfig {
    /** The sink's kind as written in YAML, e.g. {@code kafka}. */
    String kind();

    /** Most events written to a sink in one call, unless the sink sets its own {@code batch-size}. */
    int DEFAULT_BATCH_SIZE = 2048;

    /** What to do with an event this sink rejects for good (default {@code fail}). */
    FailurePolicy onFailure();

    /**
     * The captured tables whose events this sink receives, as {@code schema.table} patterns where {@code *} matches
     * any characters; empty (the default) means every captured table.
     */
    List<String> tables();

    /** Most events written to the sink in one call (default {@value #DEFAULT_BATCH_SIZE}). */
    Integer batchSize();

    /** Backoff between attempts after a transient failure; null means the pipeline's default. */
    RetryConfig retry();
}
