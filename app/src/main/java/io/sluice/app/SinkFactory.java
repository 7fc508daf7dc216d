package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.SinkConfig;
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
        for (int i = 0; i < names.size(); i++) {
            SinkConfig config = pipeline.sinks().get(i);
            bindings.add(new SinkBinding(names.get(i), create(pipeline.name(), config), config.onFailure()));
        }
        return bindings;
    }

    /** The name of each sink of the pipeline, in order: its kind, numbered from the second of a kind on. */
    public static List<String> names(PipelineConfig pipeline) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (SinkConfig config : pipeline.sinks()) {
            int n = seen.merge(config.kind(), 1, Integer::sum);
            names.add(n == 1 ? config.kind() : config.kind() + "#" + n);
        }
        return names;
    }

    private static Sink create(String pipeline, SinkConfig config) {
        // SinkConfig is sealed; when Sluice moves to Java 21 this becomes an exhaustive pattern switch.
        if (config instanceof KafkaSinkConfig kafka) {
            return new KafkaSink(pipeline, kafka);
        }
        if (config instanceof ElasticsearchSinkConfig elasticsearch) {
            return new ElasticsearchSink(pipeline, elasticsearch);
        }
        if (config instanceof RedisSinkConfig redis) {
            return new RedisCacheSink(pipeline, redis);
        }
        throw new IllegalArgumentException("no sink for " + config.kind());
    }
}
