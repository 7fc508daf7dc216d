package io.sluice.config;

import java.util.List;

/**
 * The root of a Sluice configuration file: the pipelines this process runs, and how the process itself is reached
 * and stopped.
 *
 * @param pipelines the pipelines, each with its own source, sinks and offsets
 * @param admin     the admin HTTP endpoint (health, metrics, status)
 * @param shutdown  how a stop on SIGTERM proceeds
 */
public record SluiceConfig(List<PipelineConfig> pipelines, AdminConfig admin, ShutdownConfig shutdown) {
    public SluiceConfig {
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
        admin = admin == null ? AdminConfig.DEFAULT : admin;
        shutdown = shutdown == null ? ShutdownConfig.DEFAULT : shutdown;
    }

    /** The pipelines, with the admin endpoint and shutdown at their defaults. */
    public SluiceConfig(List<PipelineConfig> pipelines) {
        this(pipelines, null, null);
    }
}
