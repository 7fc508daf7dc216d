package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The generated JSON Schema as a validator (networknt's, as an editor would use one), and YAML read as the loader
 * reads it (yes/no stay text), so that tests can ask the schema and the loader the same question.
 */
final class SchemaCheck {

    private static final ObjectMapper YAML = ConfigLoader.newMapper();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(new ConfigSchema(ConfigModel.load()).document());

    private SchemaCheck() {
    }

    static JsonNode tree(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String yaml(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the schema finds wrong, one line per error: where, and what. */
    static List<String> problems(JsonNode document) {
        return SCHEMA.validate(document).stream()
                .map(error -> error.getInstanceLocation() + ": " + error.getMessage())
                .toList();
    }

    static List<String> problems(String yaml) {
        return problems(tree(yaml));
    }
}
