package io.sluice.bench.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.bench.SinkSet;
import io.sluice.config.ConfigLoader;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SluiceConfigFileTest {
    private static final SluiceConfigFile.Endpoints ENDPOINTS = new SluiceConfigFile.Endpoints("127.0.0.1", 15432,
            "127.0.0.1:19092", "http://127.0.0.1:19200", "127.0.0.1", 16379);

    @Test
    void theFileIsAValidPipelineWithEverySinkOfTheSetAndTheRunsOwnNames() throws Exception {
        String yaml = SluiceConfigFile.render(ENDPOINTS, SinkSet.parse("all"), RunNames.of(7),
                Path.of("/tmp/run/r7.offsets"));

        SluiceConfig config = new ConfigLoader(Map.of(SluiceConfigFile.PASSWORD_VARIABLE, "secret")::get)
                .load(yaml, "bench.yaml");

        PipelineConfig pipeline = config.pipelines().get(0);
        assertThat(pipeline.name()).isEqualTo("bench");
        assertThat(pipeline.sinks()).hasSize(3);
        assertThat(pipeline.sinks()).filteredOn(KafkaSinkConfig.class::isInstance)
                .singleElement().extracting(sink -> ((KafkaSinkConfig) sink).topic()).isEqualTo("r7.{schema}.{table}");
        assertThat(pipeline.sinks()).filteredOn(ElasticsearchSinkConfig.class::isInstance)
                .singleElement().extracting(sink -> ((ElasticsearchSinkConfig) sink).index()).isEqualTo("r7_{table}");
        assertThat(pipeline.sinks()).filteredOn(RedisSinkConfig.class::isInstance)
                .singleElement().extracting(sink -> ((RedisSinkConfig) sink).key()).isEqualTo("r7:{table}:{key}");
    }

    @Test
    void onlyTheSinksOfTheSetAreConfigured() throws Exception {
        String yaml = SluiceConfigFile.render(ENDPOINTS, SinkSet.parse("redis"), RunNames.of(1),
                Path.of("/tmp/r1.offsets"));

        SluiceConfig config = new ConfigLoader(Map.of(SluiceConfigFile.PASSWORD_VARIABLE, "secret")::get)
                .load(yaml, "bench.yaml");

        assertThat(config.pipelines().get(0).sinks()).singleElement().isInstanceOf(RedisSinkConfig.class);
    }
}
