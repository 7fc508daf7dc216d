package io.sluice.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void inlineSettingsAndMappingsGetGcDeletesAndTheAlias() throws Exception {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(List.of("http://localhost:9200"), null, null,
                Map.of("index", Map.of("number_of_shards", 3)), Map.of("dynamic", "strict"), null,
                Duration.ofMinutes(90), null, null, null, null, null, null, null, null, null, null);

        JsonNode body = JSON.readTree(IndexDefinition.of(config).createBody("orders_current"));

        assertThat(body.path("settings").path("index").path("number_of_shards").asInt()).isEqualTo(3);
        assertThat(body.path("settings").path("index.gc_deletes").asText()).isEqualTo("5400000ms");
        assertThat(body.path("mappings").path("dynamic").asText()).isEqualTo("strict");
        assertThat(body.path("aliases").has("orders_current")).isTrue();
    }

    @Test
    void indexFileProvidesSettingsAndMappingsAndDefaultsApply() throws Exception {
        Path file = dir.resolve("index.json");
        Files.writeString(file, "{\"mappings\":{\"properties\":{\"body\":{\"type\":\"text\"}}}}");
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(List.of("http://localhost:9200"), null, null,
                null, null, file, null, null, null, null, null, null, null, null, null, null, null);

        JsonNode body = JSON.readTree(IndexDefinition.of(config).createBody(null));

        assertThat(body.path("settings").path("index.gc_deletes").asText()).isEqualTo("3600000ms");
        assertThat(body.path("mappings").path("properties").path("body").path("type").asText()).isEqualTo("text");
        assertThat(body.has("aliases")).isFalse();
    }
}
