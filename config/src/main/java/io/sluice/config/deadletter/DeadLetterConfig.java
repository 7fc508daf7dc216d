package io.sluice.config.deadletter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a pipeline keeps the events its sinks rejected for good under {@code on-failure: dead-letter}, chosen by its
 * key in YAML: {@code file} or {@code kafka}. Names may hold {@value #PIPELINE_PLACEHOLDER}, replaced by the
 * pipeline's name, so that one entry in {@code defaults:} gives every pipeline a target of its own.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
        @JsonSubTypes.Type(value = FileDeadLetterConfig.class, name = "file"),
        @JsonSubTypes.Type(value = KafkaDeadLetterConfig.class, name = "kafka"),
})
public sealed interface DeadLetterConfig permits FileDeadLetterConfig, KafkaDeadLetterConfig {
    /** Replaced by the pipeline's name in a file path or topic. */
    String PIPELINE_PLACEHOLDER = "{pipeline}";

    /** The target's kind as written in YAML, e.g. {@code file}. */
    String kind();

    /** The name with {@value #PIPELINE_PLACEHOLDER} replaced by the pipeline's name. */
    static String forPipeline(String template, String pipeline) {
        return template.replace(PIPELINE_PLACEHOLDER, pipeline);
    }
}
