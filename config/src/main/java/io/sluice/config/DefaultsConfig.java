package io.sluice.config;

import io.sluice.config.deadletter.DeadLetterConfig;
import io.sluice.config.offsets.OffsetStoreConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.source.SourceConfig;

/**
 * The {@code defaults:} block: settings every pipeline inherits unless it writes its own. Only its shape matters
 * here (the scan checks its keys against these types); {@link Defaults} merges it into each pipeline before
 * binding, so its values are checked where pipelines use them.
 *
 * @param source  merged under each pipeline's {@code source}
 * @param sinks   per sink kind, merged under each sink of that kind
 * @param offsets    used by pipelines that have no {@code offsets} of their own
 * @param deadLetter used by pipelines that have no {@code dead-letter} of their own
 */
record DefaultsConfig(SourceConfig source, SinkDefaults sinks, OffsetStoreConfig offsets, DeadLetterConfig deadLetter) {

    /** Defaults for each kind of sink. */
    record SinkDefaults(KafkaSinkConfig kafka, ElasticsearchSinkConfig elasticsearch, RedisSinkConfig redis) {
    }

    /**
     * The shape of a whole configuration file, for the scan: what is bound, plus the defaults. (Pipelines come
     * first so that the generated reference describes them before the defaults that repeat their keys.)
     */
    record File(java.util.List<PipelineConfig> pipelines, DefaultsConfig defaults, AdminConfig admin,
            ShutdownConfig shutdown) {
    }
}
