package io.sluice.config;

import io.sluice.config.deadletter.DeadLetterConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.source.SourceConfig;
import io.sluice.config.transform.TransformConfig;
import java.util.List;

/**
 * One pipeline: a source whose changes are applied to every sink, with offsets stored so a restart resumes.
 *
 * @param name    unique in the file; names the pipeline in logs, errors and metrics
 * @param source  where changes come from
 * @param sinks   where changes go; an offset advances only once every sink acknowledged the events before it
 * @param offsets where the pipeline's source position is stored
 * @param transforms changes applied to events before any sink sees them, in order
 * @param deadLetter where events go that a sink with {@code on-failure: dead-letter} rejected for good; null when
 *                   the pipeline has no dead-letter target
 */
public record PipelineConfig(String name, SourceConfig source, List<SinkConfig> sinks, OffsetStoreConfig offsets,
        List<TransformConfig> transforms, DeadLetterConfig deadLetter) {
    public PipelineConfig {
        sinks = sinks == null ? List.of() : List.copyOf(sinks);
        transforms = transforms == null ? List.of() : List.copyOf(transforms);
    }

    /** A pipeline without transforms or dead-letter target. */
    public PipelineConfig(String name, SourceConfig source, List<SinkConfig> sinks, OffsetStoreConfig offsets) {
        this(name, source, sinks, offsets, null, null);
    }
}
