package io.sluice.config.offsets;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Where a pipeline's source offsets are stored, chosen by its key in YAML: {@code file}, {@code jdbc}, {@code kafka}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
        @JsonSubTypes.Type(value = FileOffsetStoreConfig.class, name = "file"),
        @JsonSubTypes.Type(value = JdbcOffsetStoreConfig.class, name = "jdbc"),
        @JsonSubTypes.Type(value = KafkaOffsetStoreConfig.class, name = "kafka"),
})
public sealed interface OffsetStoreConfig permits FileOffsetStoreConfig, JdbcOffsetStoreConfig, KafkaOffsetStoreConfig {
    /** The store's kind as written in YAML, e.g. {@code file}. */
    String kind();
}
