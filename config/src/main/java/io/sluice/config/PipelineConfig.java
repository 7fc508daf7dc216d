package io.sluice.config;

import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.source.SourceConfig;
import java.util.List;

/**
 * One pipeline: a source whose changes are applied to every sink, with offsets stored so a restart resumes.
 *
 * @param name    unique in the file; names the pipeline in logs, errors and metrics
 * @param source  where changes come from
 * @param sinks   where changes go; an offset advances only once every sink acknowledged the events before it
 * @param offsets where the pipeline's source position is stored
 */
public record PipelineConfig(String name, SourceConfig source, List<SinkConfig> sinks, OffsetStoreConfig offsets) {
    public PipelineConfig {
        sinks = sinks == null ? List.of() : List.copyOf(sinks);
    }
}
