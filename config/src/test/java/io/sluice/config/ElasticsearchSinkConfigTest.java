package io.sluice.config;

import static io.sluice.config.ExampleConfig.FILE;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.TruncateAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElasticsearchSinkConfigTest {
    @TempDir
    Path dir;

    private static String pipeline(String sink) {
        return """
                pipelines:
                  - name: search
                    source:
                      postgres:
                        host: localhost
                        database: shop
                        user: sluice
                        slot: sluice_search
                        publication: sluice_search
                        tables: [public.orders]
                    sinks:
                      - elasticsearch:
                %s
                    offsets:
                      file: ./data/search.offsets
                """.formatted(sink.stripTrailing().indent(10).stripTrailing());
    }

    private static ElasticsearchSinkConfig load(String sink, Map<String, String> env) throws ConfigException {
        return (ElasticsearchSinkConfig) new ConfigLoader(env::get).load(pipeline(sink), FILE).pipelines().get(0)
                .sinks().get(0);
    }

    @Test
    void everyKeyLoadsIntoTheRecord() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not checked until the sink opens");
        ElasticsearchSinkConfig es = load("""
                urls: [https://es-1:9200, https://es-2:9200]
                index: "shop_{schema}_{table}"
                alias: "shop_{table}"
                settings:
                  index:
                    number_of_shards: 3
                mappings:
                  dynamic: strict
                  properties:
                    body: {type: text}
                gc-deletes: 6h
                truncate: ignore
                auth:
                  username: sluice
                  password: ${ES_PASSWORD}
                tls:
                  ca-file: %s
                bulk:
                  max-actions: 500
                  max-bytes: 1048576
                  max-in-flight: 4
                request-timeout: 1m
                connect-timeout: 3s
                on-failure: skip
                """.formatted(ca), Map.of("ES_PASSWORD", "es-Secret-1"));

        assertThat(es.urls()).containsExactly("https://es-1:9200", "https://es-2:9200");
        assertThat(es.index()).isEqualTo("shop_{schema}_{table}");
        assertThat(es.alias()).isEqualTo("shop_{table}");
        assertThat(es.settings()).isEqualTo(Map.of("index", Map.of("number_of_shards", 3)));
        assertThat(es.mappings()).isEqualTo(Map.of("dynamic", "strict",
                "properties", Map.of("body", Map.of("type", "text"))));
        assertThat(es.gcDeletes()).isEqualTo(Duration.ofHours(6));
        assertThat(es.truncate()).isEqualTo(TruncateAction.IGNORE);
        assertThat(es.auth().username()).isEqualTo("sluice");
        assertThat(es.auth().password().reveal()).isEqualTo("es-Secret-1");
        assertThat(es.tls().caFile()).isEqualTo(ca);
        assertThat(es.bulk()).isEqualTo(new ElasticsearchSinkConfig.Bulk(500, 1_048_576, 4));
        assertThat(es.requestTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(es.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(es.onFailure()).isEqualTo(FailurePolicy.SKIP);
        assertThat(es.toString()).doesNotContain("es-Secret-1");
    }

    @Test
    void defaultsApplyToEverythingButTheUrls() throws Exception {
        ElasticsearchSinkConfig es = load("urls: [http://localhost:9200]", Map.of());

        assertThat(es).isEqualTo(ElasticsearchSinkConfig.of(List.of("http://localhost:9200")));
        assertThat(es.index()).isEqualTo("{table}");
        assertThat(es.alias()).isNull();
        assertThat(es.gcDeletes()).isEqualTo(Duration.ofHours(1));
        assertThat(es.truncate()).isEqualTo(TruncateAction.DELETE);
        assertThat(es.bulk()).isEqualTo(new ElasticsearchSinkConfig.Bulk(1000, 5 * 1024 * 1024, 2));
        assertThat(es.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(es.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(es.onFailure()).isEqualTo(FailurePolicy.FAIL);
        assertThat(es.auth().isBasic() || es.auth().isApiKey()).isFalse();
    }

    @Test
    void apiKeyAndIndexFileAreAccepted() throws Exception {
        Path file = Files.writeString(dir.resolve("index.json"), "{\"settings\":{\"number_of_shards\":1}}");
        ElasticsearchSinkConfig es = load("""
                urls: [http://localhost:9200]
                index-file: %s
                auth: {api-key: "${ES_API_KEY}"}
                """.formatted(file), Map.of("ES_API_KEY", "a2V5OnNlY3JldA=="));

        assertThat(es.indexFile()).isEqualTo(file);
        assertThat(es.auth().apiKey().reveal()).isEqualTo("a2V5OnNlY3JldA==");
    }
}
