package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.transform.Routes;
import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.SinkBinding;
import io.sluice.engine.sink.Sink;
import io.sluice.sink.elasticsearch.ElasticsearchSink;
import io.sluice.sink.kafka.KafkaSink;
import io.sluice.sink.redis.RedisCacheSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Maps each configured sink to its implementation in one place: no scanning, no registry. */
public final class SinkFactory {
    private SinkFactory() {
    }

    public static List<SinkBinding> create(PipelineConfig pipeline) {
        List<String> names = names(pipeline);
        List<SinkBinding> bindings = new ArrayList<>();
        for (int i = 0; i < pipeline.sinks().size(); i++) {
            SinkConfig config = pipeline.sinks().get(i);
            bindings.add(SinkBinding.of(names.get(i), create(pipeline, config), config));
        }
        return bindings;
    }

    /**
     * The names of the pipeline's sinks, in order: the kind ({@code kafka}), and {@code kafka#2}, {@code kafka#3}...
     * for further sinks of a kind. Logs, messages and dead letters name sinks so.
     */
    public static List<String> names(PipelineConfig pipeline) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (SinkConfig config : pipeline.sinks()) {
            int n = seen.merge(config.kind(), 1, Integer::sum);
            names.add(n == 1 ? config.kind() : config.kind() + "#" + n);
        }
        return names;
    }

    private static Sink create(PipelineConfig pipeline, SinkConfig config) {
        // SinkConfig is sealed; when Sluice moves to Java 21 this becomes an exhaustive pattern switch.
        if (config instanceof KafkaSinkConfig kafka) {
            return new KafkaSink(pipeline.name(), kafka, Routes.of(pipeline.transforms(), TransformConfig::topic));
        }
        if (config instanceof ElasticsearchSinkConfig elasticsearch) {
            return new ElasticsearchSink(pipeline.name(), elasticsearch,
                    Routes.of(pipeline.transforms(), TransformConfig::index));
        }
        if (config instanceof RedisSinkConfig redis) {
            return new RedisCacheSink(pipeline.name(), redis, Routes.of(pipeline.transforms(), TransformConfig::key));
        }
        throw new IllegalArgumentException("no sink for " + config.kind());
    }
}
