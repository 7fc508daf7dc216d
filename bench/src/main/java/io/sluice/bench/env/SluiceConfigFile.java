package io.sluice.bench.env;

import io.sluice.bench.Sink;
import io.sluice.bench.SinkSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pipelines file of one run: pipeline {@value #PIPELINE} reading {@code public.orders} of the bench database into
 * the run's sinks, each with Sluice's defaults except for the names the run owns (topic, index, key prefix), and
 * offsets in a file of the run. The password comes from the environment variable {@value #PASSWORD_VARIABLE}.
 */
public final class SluiceConfigFile {
    public static final String PIPELINE = "bench";
    public static final String SLOT = "sluice_bench";
    public static final String PASSWORD_VARIABLE = "BENCH_PG_PASSWORD";

    private SluiceConfigFile() {
    }

    /**
     * Where the servers listen; the address of a sink that is not in the run's set may be {@code null}.
     */
    public record Endpoints(String postgresHost, int postgresPort, String kafkaBootstrap, String elasticsearchUrl,
            String redisHost, int redisPort) {

        public static Endpoints of(Servers servers, SinkSet sinks) {
            return new Endpoints(servers.postgres().host(), servers.postgres().port(),
                    sinks.has(Sink.KAFKA) ? servers.kafka().bootstrapServers() : null,
                    sinks.has(Sink.ELASTICSEARCH) ? servers.elasticsearch().url() : null,
                    sinks.has(Sink.REDIS) ? servers.redis().host() : null,
                    sinks.has(Sink.REDIS) ? servers.redis().port() : 0);
        }
    }

    /** Writes {@code <runDir>/<name>.yaml} and returns it. */
    public static Path write(Path runDir, String name, Endpoints endpoints, SinkSet sinks, RunNames names) {
        Path file = runDir.resolve(name + ".yaml");
        try {
            Files.writeString(file, render(endpoints, sinks, names, runDir.resolve(name + ".offsets")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }

    static String render(Endpoints endpoints, SinkSet sinks, RunNames names, Path offsets) {
        StringBuilder yaml = new StringBuilder("""
                # Written by the Sluice benchmark harness (bench/README.md).
                pipelines:
                  - name: %s
                    source:
                      postgres:
                        host: %s
                        port: %d
                        database: %s
                        user: %s
                        password: ${%s}
                        slot: %s
                        publication: %s
                        tables: [public.%s]
                        snapshot: initial
                    sinks:
                """.formatted(PIPELINE, endpoints.postgresHost(), endpoints.postgresPort(), BenchDatabase.NAME,
                BenchDatabase.ROLE, PASSWORD_VARIABLE, SLOT, SLOT, BenchDatabase.TABLE));
        if (sinks.has(Sink.KAFKA)) {
            yaml.append("""
                      - kafka:
                          bootstrap-servers: %s
                          topic: "%s"
                """.formatted(endpoints.kafkaBootstrap(), names.topicTemplate()));
        }
        if (sinks.has(Sink.ELASTICSEARCH)) {
            yaml.append("""
                      - elasticsearch:
                          urls: [%s]
                          index: "%s"
                """.formatted(endpoints.elasticsearchUrl(), names.indexTemplate()));
        }
        if (sinks.has(Sink.REDIS)) {
            yaml.append("""
                      - redis:
                          host: %s
                          port: %d
                          key: "%s"
                """.formatted(endpoints.redisHost(), endpoints.redisPort(), names.redisKeyTemplate()));
        }
        yaml.append("""
                    offsets:
                      file: %s
                """.formatted(offsets));
        return yaml.toString();
    }
}
