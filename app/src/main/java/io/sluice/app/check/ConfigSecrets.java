package io.sluice.app.check;

import io.sluice.config.PipelineConfig;
import io.sluice.config.Secret;
import io.sluice.config.SluiceConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.SinkConfig;
import io.sluice.config.transform.TransformConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Masks the configuration's secrets (passwords, API keys, hash keys) in a text. Kafka client settings are masked by
 * the Kafka checks themselves, which know which of them are secrets.
 */
public final class ConfigSecrets implements UnaryOperator<String> {
    /** Shorter values are not worth hiding, and masking them would garble messages. */
    private static final int MIN_LENGTH = 4;
    private static final String MASK = "******";

    private final List<String> secrets;

    private ConfigSecrets(List<String> secrets) {
        this.secrets = secrets;
    }

    public static ConfigSecrets of(SluiceConfig config) {
        List<Secret> found = new ArrayList<>();
        for (PipelineConfig pipeline : config.pipelines()) {
            found.add(pipeline.source().postgres().password());
            for (SinkConfig sink : pipeline.sinks()) {
                if (sink instanceof ElasticsearchSinkConfig elasticsearch) {
                    found.add(elasticsearch.auth().password());
                    found.add(elasticsearch.auth().apiKey());
                } else if (sink instanceof RedisSinkConfig redis) {
                    found.add(redis.password());
                    if (redis.sentinel() != null) {
                        found.add(redis.sentinel().password());
                    }
                }
            }
            if (pipeline.offsets() instanceof JdbcOffsetStoreConfig jdbc) {
                found.add(jdbc.password());
            }
            pipeline.transforms().stream().map(TransformConfig::hashKey).forEach(found::add);
        }
        List<String> secrets = found.stream()
                .filter(s -> s != null && s.reveal().length() >= MIN_LENGTH)
                .map(Secret::reveal)
                .distinct()
                // Longest first, so a secret containing another is masked whole.
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        return new ConfigSecrets(secrets);
    }

    @Override
    public String apply(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }
}
