package io.sluice.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.sink.elasticsearch.MappingCompatibility.MappedField;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top level of an index mapping: its {@code dynamic} setting and its fields. Columns become top-level fields of
 * a document, so nothing deeper matters here.
 *
 * @param dynamic {@code true} (the default), {@code runtime}, {@code false} or {@code strict}
 * @param fields  the top-level fields by name
 */
record IndexMapping(String dynamic, Map<String, MappedField> fields) {
    IndexMapping {
        fields = Map.copyOf(fields);
    }

    /** Whether a document with a field the mapping lacks is refused as a whole. */
    boolean strict() {
        return dynamic.equals("strict");
    }

    /** Whether a field the mapping lacks is mapped on the first document that has it. */
    boolean mapsNewFields() {
        return dynamic.equals("true") || dynamic.equals("runtime");
    }

    /** Reads the {@code mappings} object of an index (as {@code GET <index>/_mapping} or a create request has it). */
    static IndexMapping parse(JsonNode mappings) {
        JsonNode dynamic = mappings.path("dynamic");
        Map<String, MappedField> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = mappings.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode definition = field.getValue();
            JsonNode format = definition.get("format");
            fields.put(field.getKey(), new MappedField(definition.path("type").asText("object"),
                    format == null ? null : format.asText(), definition.path("enabled").asBoolean(true)));
        }
        return new IndexMapping(dynamic.isMissingNode() || dynamic.isNull() ? "true" : dynamic.asText(), fields);
    }
}
