package io.sluice.it.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart's README documents every value, and only values the chart has. */
class ChartReadmeTest {

    private static final Pattern VALUE_ROW = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyValueHasARowInTheReadmeAndEveryRowIsAValue() throws IOException {
        Path chart = RepositoryFiles.chart();
        JsonNode values = Manifests.YAML.readTree(chart.resolve("values.yaml").toFile());
        JsonNode schema = new ObjectMapper().readTree(chart.resolve("values.schema.json").toFile());
        String readme = Files.readString(chart.resolve("README.md"));
        String valuesSection = readme.substring(readme.indexOf("\n## Values\n"));

        Set<String> documented = new TreeSet<>();
        Matcher row = VALUE_ROW.matcher(valuesSection);
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> required = new TreeSet<>();
        collectKeys("", values, schema, required);
        Set<String> declared = new TreeSet<>();
        collectDeclared("", schema, declared);

        assertThat(required).as("keys of values.yaml").contains("image.repository", "config.pipelines", "dashboard.labels");
        assertThat(documented).as("rows of the README's Values table").containsAll(required);
        assertThat(declared).as("keys of values.schema.json").containsAll(documented);
    }

    /**
     * The values values.yaml sets: its keys, down to where the schema stops declaring properties (free-form maps
     * such as {@code resources} are one value).
     */
    private static void collectKeys(String prefix, JsonNode values, JsonNode schema, Set<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = values.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode declared = schema.path("properties").path(field.getKey());
            if (field.getValue().isObject() && declared.has("properties")) {
                collectKeys(key + ".", field.getValue(), declared, keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static void collectDeclared(String prefix, JsonNode schema, Set<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = schema.path("properties").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            keys.add(prefix + field.getKey());
            collectDeclared(prefix + field.getKey() + ".", field.getValue(), keys);
        }
    }
}
