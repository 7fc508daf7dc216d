package io.sluice.config;

import java.util.List;

/** The root of a Sluice configuration file: the pipelines this process runs. */
public record SluiceConfig(List<PipelineConfig> pipelines) {
    public SluiceConfig {
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
    }
}
