package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Merges the {@code defaults:} block into every pipeline of a parsed file, then removes it. Mappings merge key by
 * key, recursively; a value the pipeline writes (a scalar or a list) replaces the default. A sink inherits
 * the defaults of its kind ({@code defaults.sinks.kafka} for {@code - kafka:}); {@code offsets} and
 * {@code dead-letter} are inherited whole.
 *
 * <p>Each inherited value is remembered by its path in the pipeline and the path it came from, so a problem with
 * it is reported at the line where it is written, in the defaults block.
 */
final class Defaults {
    static final String KEY = "defaults";
    /** Keys a pipeline inherits whole when it does not write them. */
    private static final List<String> WHOLE = List.of("offsets", "dead-letter");

    /** Path in a pipeline to the path in the defaults block it was inherited from. */
    private final Map<String, String> inherited = new HashMap<>();

    private Defaults() {
    }

    /** Merges in place; returns the inherited paths. */
    static Map<String, String> apply(JsonNode root) {
        Defaults defaults = new Defaults();
        if (root instanceof ObjectNode file && file.get(KEY) instanceof ObjectNode block) {
            file.remove(KEY);
            if (file.get("pipelines") instanceof ArrayNode pipelines) {
                for (int i = 0; i < pipelines.size(); i++) {
                    if (pipelines.get(i) instanceof ObjectNode pipeline) {
                        defaults.applyTo(pipeline, KeyPath.index("pipelines", i), block);
                    }
                }
            }
        }
        return Map.copyOf(defaults.inherited);
    }

    private void applyTo(ObjectNode pipeline, String path, ObjectNode block) {
        String from = KEY;
        if (block.get("source") instanceof ObjectNode source) {
            merge(pipeline, "source", source, path, KeyPath.key(from, "source"));
        }
        // A store or target is a choice of one kind, so it is inherited whole, never merged key by key.
        for (String whole : WHOLE) {
            if (block.has(whole) && !pipeline.hasNonNull(whole)) {
                pipeline.set(whole, block.get(whole).deepCopy());
                inherited.put(KeyPath.key(path, whole), KeyPath.key(from, whole));
            }
        }
        if (block.get("sinks") instanceof ObjectNode sinkDefaults && pipeline.get("sinks") instanceof ArrayNode sinks) {
            for (int i = 0; i < sinks.size(); i++) {
                if (!(sinks.get(i) instanceof ObjectNode sink) || sink.size() != 1) {
                    continue;
                }
                String kind = sink.fieldNames().next();
                if (sinkDefaults.get(kind) instanceof ObjectNode kindDefaults) {
                    merge(sink, kind, kindDefaults, KeyPath.index(KeyPath.key(path, "sinks"), i),
                            KeyPath.key(KeyPath.key(from, "sinks"), kind));
                }
            }
        }
    }

    /** Merges {@code defaults} under {@code parent[key]}; a missing or empty value there takes the defaults whole. */
    private void merge(ObjectNode parent, String key, ObjectNode defaults, String parentPath, String defaultsPath) {
        String path = KeyPath.key(parentPath, key);
        JsonNode own = parent.get(key);
        // "- kafka:" with nothing after it reads as null or as empty text, depending on the YAML scalar style.
        if (own == null || own.isNull() || (own.isTextual() && own.asText().isEmpty())) {
            parent.set(key, defaults.deepCopy());
            inherited.put(path, defaultsPath);
            return;
        }
        if (!(own instanceof ObjectNode ownObject)) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            if (entry.getValue() instanceof ObjectNode nested) {
                merge(ownObject, name, nested, path, KeyPath.key(defaultsPath, name));
            } else if (!ownObject.has(name)) {
                ownObject.set(name, entry.getValue().deepCopy());
                inherited.put(KeyPath.key(path, name), KeyPath.key(defaultsPath, name));
            }
        }
    }
}
