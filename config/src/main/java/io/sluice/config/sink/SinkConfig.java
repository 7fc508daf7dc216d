package io.sluice.config.sink;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

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

    /** What to do with an event this sink rejects for good (default {@code fail}). */
    FailurePolicy onFailure();
}
