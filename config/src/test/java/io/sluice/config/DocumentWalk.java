package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigModel.Definition;
import io.sluice.config.ConfigModel.ListOf;
import io.sluice.config.ConfigModel.Property;
import io.sluice.config.ConfigModel.RecordDef;
import io.sluice.config.ConfigModel.Ref;
import io.sluice.config.ConfigModel.Shape;
import io.sluice.config.ConfigModel.WrapperDef;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Walks a configuration file's tree beside the config model, so that tests know what each value is. */
final class DocumentWalk {

    /**
     * One value of the file.
     *
     * @param path     keys and list indexes from the root
     * @param owner    the record whose key holds the value (for a list item: the list's), or null
     * @param property that key, or null
     */
    record Site(List<Object> path, JsonNode value, Shape shape, RecordDef owner, Property property) {
        String dotted() {
            StringBuilder out = new StringBuilder();
            for (Object step : path) {
                out.append(step instanceof Integer i ? "[" + i + "]" : (out.length() == 0 ? "" : ".") + step);
            }
            return out.toString();
        }
    }

    private final ConfigModel model;

    DocumentWalk(ConfigModel model) {
        this.model = model;
    }

    void walk(JsonNode document, Consumer<Site> visitor) {
        walk(document, new Ref(model.root().name()), List.of(), null, null, visitor);
    }

    private void walk(JsonNode node, Shape shape, List<Object> path, RecordDef owner, Property property,
            Consumer<Site> visitor) {
        visitor.accept(new Site(path, node, shape, owner, property));
        if (shape instanceof ListOf list && node instanceof ArrayNode items) {
            for (int i = 0; i < items.size(); i++) {
                walk(items.get(i), list.item(), append(path, i), owner, property, visitor);
            }
        } else if (shape instanceof Ref ref && node instanceof ObjectNode object) {
            Definition definition = model.definition(ref.name());
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (definition instanceof RecordDef record) {
                    record.properties().stream().filter(p -> p.key().equals(field.getKey())).findFirst()
                            .ifPresent(p -> walk(field.getValue(), p.shape(), append(path, field.getKey()), record, p,
                                    visitor));
                } else if (definition instanceof WrapperDef wrapper && wrapper.alternatives().containsKey(field.getKey())) {
                    walk(field.getValue(), wrapper.alternatives().get(field.getKey()), append(path, field.getKey()),
                            null, null, visitor);
                }
            }
        }
    }

    private static List<Object> append(List<Object> path, Object step) {
        List<Object> longer = new ArrayList<>(path);
        longer.add(step);
        return List.copyOf(longer);
    }

    /** The node at {@code path} in {@code root}. */
    static JsonNode at(JsonNode root, List<Object> path) {
        JsonNode node = root;
        for (Object step : path) {
            node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        }
        return node;
    }

    /** The mapping or list holding the value at {@code path}. */
    static JsonNode parent(JsonNode root, List<Object> path) {
        return at(root, path.subList(0, path.size() - 1));
    }
}
