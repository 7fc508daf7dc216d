package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigModel.Definition;
import io.sluice.config.ConfigModel.EnumDef;
import io.sluice.config.ConfigModel.ListOf;
import io.sluice.config.ConfigModel.MapOf;
import io.sluice.config.ConfigModel.Property;
import io.sluice.config.ConfigModel.RecordDef;
import io.sluice.config.ConfigModel.Ref;
import io.sluice.config.ConfigModel.Scalar;
import io.sluice.config.ConfigModel.Shape;
import io.sluice.config.ConfigModel.TextDef;
import io.sluice.config.ConfigModel.WrapperDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON Schema (draft 2020-12) of a Sluice configuration file, generated from {@link ConfigModel}: the keys the
 * loader knows, their types, defaults and descriptions. Editors use it to complete and check files as they are
 * written; it is checked in as {@code config/src/main/resources/sluice-config.schema.json} (so it ships in the jar
 * as {@value #RESOURCE}), and {@code ConfigSchemaTest} fails when that file is stale. To regenerate it, run
 * {@code mvn -pl config test -Dtest=ConfigSchemaTest -Dsluice.schema.write=true}, or this class's {@code main}.
 *
 * <p>The schema accepts every file the loader accepts and rejects what it can see without running: unknown keys,
 * wrong types, enum values, bounds and required keys. It cannot run {@code ConfigValidator}'s other rules (names,
 * templates, files that must exist). Keys the loader requires are required only when the file has no
 * {@code defaults:} block, because a pipeline may inherit them from it. Values that are not text may be written as
 * a {@code ${...}} reference.
 */
public final class ConfigSchema {

    /** Where the schema is in the jar. */
    public static final String RESOURCE = "/sluice-config.schema.json";
    /** Where the schema is in the repository, from its root. */
    static final String SOURCE_FILE = "config/src/main/resources" + RESOURCE;

    private static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final String DEFS = "#/$defs/";
    private static final String SUBSTITUTION = "substitution";

    private final ConfigModel model;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    ConfigSchema(ConfigModel model) {
        this.model = model;
    }

    /** The schema of the configuration file, as the checked-in file holds it. */
    public static String generate() {
        return new ConfigSchema(ConfigModel.load()).json();
    }

    /** Writes the schema to the path given, or to {@value #SOURCE_FILE} under the working directory. */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : SOURCE_FILE);
        Files.writeString(target, generate());
        System.out.println("wrote " + target);
    }

    String json() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return new ObjectMapper().writer(printer).writeValueAsString(document()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built in memory does not print", e);
        }
    }

    ObjectNode document() {
        RecordDef root = model.root();
        ObjectNode schema = nodes.objectNode();
        schema.put("$schema", DIALECT);
        schema.put("title", "Sluice configuration");
        record(schema, root, false);
        ObjectNode withoutDefaults = nodes.objectNode();
        for (Property property : root.properties()) {
            JsonNode required = property.key().equals(Defaults.KEY) ? null : requiredWithoutDefaults(property.shape());
            if (required != null) {
                withoutDefaults.withObject("properties").set(property.key(), required);
            }
        }
        if (!withoutDefaults.isEmpty()) {
            schema.putObject("if").putArray("required").add(Defaults.KEY);
            schema.set("else", withoutDefaults);
        }
        ObjectNode defs = schema.putObject("$defs");
        for (Definition definition : model.definitions()) {
            if (definition != root) {
                defs.set(definition.name(), definition(definition));
            }
        }
        valueDefinitions(defs);
        return schema;
    }

    private ObjectNode definition(Definition definition) {
        ObjectNode schema = nodes.objectNode();
        if (definition instanceof RecordDef record) {
            record(schema, record, true);
        } else if (definition instanceof WrapperDef wrapper) {
            schema.put("title", wrapper.title());
            schema.put("description", wrapper.description());
            schema.put("type", "object");
            ArrayNode oneOf = schema.putArray("oneOf");
            wrapper.alternatives().forEach((kind, shape) -> {
                ObjectNode alternative = oneOf.addObject();
                alternative.put("type", "object");
                alternative.putArray("required").add(kind);
                // "- kafka:" alone takes defaults.sinks.kafka whole.
                boolean fromDefaults = shape instanceof Ref ref && model.definition(ref.name()) instanceof RecordDef
                        record && record.inheritable();
                alternative.putObject("properties").set(kind, shape(shape, fromDefaults, null, null, false));
                alternative.put("additionalProperties", false);
            });
        } else if (definition instanceof EnumDef enumeration) {
            StringBuilder meanings = new StringBuilder(enumeration.description());
            enumeration.values().forEach((value, meaning) -> meanings.append(' ').append(value).append(": ")
                    .append(meaning));
            schema.put("description", meanings.toString());
            ArrayNode anyOf = schema.putArray("anyOf");
            ArrayNode values = anyOf.addObject().putArray("enum");
            enumeration.values().keySet().forEach(values::add);
            anyOf.addObject().put("$ref", DEFS + SUBSTITUTION);
        } else if (definition instanceof TextDef text) {
            schema.put("title", text.title());
            schema.put("description", text.description());
            schema.put("type", "string");
            if (text.example() != null) {
                schema.putArray("examples").add(text.example());
            }
        }
        return schema;
    }

    /** A record's mapping: its keys, and the rules that hold wherever it is written. */
    private void record(ObjectNode schema, RecordDef record, boolean titled) {
        if (titled) {
            schema.put("title", record.title());
        }
        schema.put("description", record.description());
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (Property property : record.properties()) {
            properties.set(property.key(), property(property));
        }
        schema.put("additionalProperties", false);
        rules(schema, record, false);
    }

    /**
     * {@code required}, {@code dependentRequired} and exactly-one-of: with {@code inherited} false those that hold
     * wherever the record is written, with true those that hold only once the defaults block is merged in.
     */
    private void rules(ObjectNode schema, RecordDef record, boolean inherited) {
        ArrayNode required = nodes.arrayNode();
        ObjectNode dependent = nodes.objectNode();
        ObjectNode dependentLists = nodes.objectNode();
        for (Property property : record.properties()) {
            if (property.inheritable() != inherited) {
                continue;
            }
            if (property.required()) {
                required.add(property.key());
            }
            if (!property.requires().isEmpty()) {
                ArrayNode others = dependent.putArray(property.key());
                property.requires().forEach(others::add);
                // A required list counts only with an item: hash-key needs a hash that names a column.
                record.properties().stream()
                        .filter(other -> property.requires().contains(other.key()) && other.shape() instanceof ListOf)
                        .forEach(list -> dependentLists.withObject(property.key()).withObject("properties")
                                .putObject(list.key()).put("minItems", 1));
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        if (!dependent.isEmpty()) {
            schema.set("dependentRequired", dependent);
        }
        if (!dependentLists.isEmpty()) {
            schema.set("dependentSchemas", dependentLists);
        }
        if (!record.exactlyOneOf().isEmpty() && record.inheritable() == inherited) {
            ArrayNode oneOf = schema.putArray("oneOf");
            record.exactlyOneOf().forEach(key -> oneOf.addObject().putArray("required").add(key));
        }
    }

    private ObjectNode property(Property property) {
        ObjectNode schema = nodes.objectNode();
        schema.put("description", property.description());
        if (property.defaultValue() != null) {
            schema.set("default", property.defaultValue());
        }
        if (property.example() != null) {
            schema.putArray("examples").add(property.example());
        }
        boolean nonEmpty = property.required() && !property.inheritable();
        schema.setAll(shape(property.shape(), property.inheritable(), property.minimum(), property.maximum(),
                nonEmpty));
        return schema;
    }

    /**
     * @param nullable whether a mapping may be left empty, to be filled from the defaults block
     * @param nonEmpty whether a list must have an item
     */
    private ObjectNode shape(Shape shape, boolean nullable, Long minimum, Long maximum, boolean nonEmpty) {
        ObjectNode schema = nodes.objectNode();
        if (shape instanceof Ref ref) {
            Definition definition = model.definition(ref.name());
            if (nullable && (definition instanceof RecordDef || definition instanceof WrapperDef)) {
                ArrayNode anyOf = schema.putArray("anyOf");
                anyOf.addObject().put("$ref", DEFS + ref.name());
                // Left empty: YAML reads "key:" as null, or as "" depending on the scalar's style.
                anyOf.addObject().put("type", "null");
                anyOf.addObject().put("const", "");
            } else {
                schema.put("$ref", DEFS + ref.name());
            }
        } else if (shape instanceof ListOf list) {
            schema.put("type", "array");
            schema.set("items", shape(list.item(), false, null, null, false));
            if (nonEmpty) {
                schema.put("minItems", 1);
            }
        } else if (shape instanceof MapOf map) {
            schema.put("type", "object");
            if (map.value().kind() == ConfigModel.Kind.TEXT) {
                // Passed through as text; YAML numbers and booleans are read as their text.
                schema.putObject("additionalProperties").set("type", types("string", "number", "boolean", "null"));
            }
        } else if (shape instanceof Scalar scalar) {
            scalar(schema, scalar.kind(), minimum, maximum);
        }
        return schema;
    }

    private void scalar(ObjectNode schema, ConfigModel.Kind kind, Long minimum, Long maximum) {
        switch (kind) {
            case TEXT -> schema.set("type", types("string", "number", "boolean"));
            case INTEGER -> {
                ArrayNode anyOf = schema.putArray("anyOf");
                ObjectNode number = anyOf.addObject().put("type", "integer");
                if (minimum != null) {
                    number.put("minimum", minimum);
                }
                if (maximum != null) {
                    number.put("maximum", maximum);
                }
                anyOf.addObject().put("$ref", DEFS + "integer-text");
            }
            case BOOLEAN -> {
                ArrayNode anyOf = schema.putArray("anyOf");
                anyOf.addObject().put("type", "boolean");
                anyOf.addObject().put("$ref", DEFS + "boolean-text");
            }
            case DURATION -> schema.put("$ref", DEFS + "duration");
            case SIZE -> schema.put("$ref", DEFS + "size");
            case SECRET -> schema.put("$ref", DEFS + "secret");
            case PATH -> schema.put("type", "string");
            case ANY -> {
                // Anything YAML can hold.
            }
        }
    }

    /** The constraints that hold only when there is no defaults block; null where there are none. */
    private ObjectNode requiredWithoutDefaults(Shape shape) {
        if (shape instanceof ListOf list) {
            ObjectNode items = requiredWithoutDefaults(list.item());
            return items == null ? null : nodes.objectNode().set("items", items);
        }
        if (!(shape instanceof Ref ref)) {
            return null;
        }
        Definition definition = model.definition(ref.name());
        ObjectNode schema = nodes.objectNode();
        if (definition instanceof RecordDef record) {
            // An empty mapping may be filled from the defaults block; without one it is an error.
            schema.put("type", "object");
            rules(schema, record, true);
            for (Property property : record.properties()) {
                ObjectNode below = requiredWithoutDefaults(property.shape());
                if (property.inheritable() && property.required() && property.shape() instanceof ListOf) {
                    below = (below == null ? nodes.objectNode() : below).put("minItems", 1);
                }
                if (below != null) {
                    schema.withObject("properties").set(property.key(), below);
                }
            }
            // Only "type": which the record's own definition already says where nothing can be inherited.
            return record.inheritable() || schema.size() > 1 ? schema : null;
        }
        if (definition instanceof WrapperDef wrapper) {
            schema.put("type", "object");
            wrapper.alternatives().forEach((kind, alternative) -> {
                ObjectNode below = requiredWithoutDefaults(alternative);
                if (below != null) {
                    schema.withObject("properties").set(kind, below);
                }
            });
            return schema;
        }
        return null;
    }

    /** The value types every definition refers to. */
    private void valueDefinitions(ObjectNode defs) {
        String reference = "|\\$\\{";
        defs.putObject(SUBSTITUTION)
                .put("description", "A ${NAME} or ${NAME:-default} environment variable, or ${file:/path} for the"
                        + " content of a file, resolved when the file is loaded.")
                .put("type", "string")
                .put("pattern", "\\$\\{");
        defs.putObject("integer-text")
                .put("description", "A whole number written as text, or a ${...} reference.")
                .put("type", "string")
                .put("pattern", "^[-+]?[0-9]+$" + reference);
        defs.putObject("boolean-text")
                .put("description", "true or false written as text, or a ${...} reference.")
                .put("type", "string")
                .put("pattern", "^(?:true|True|TRUE|false|False|FALSE)$" + reference);
        defs.putObject("duration")
                .put("description", "A duration: 500ms, 10s, 2m, 1h, 1d, or ISO-8601 such as PT1M30S.")
                .put("type", "string")
                .put("pattern", Durations.SCHEMA_PATTERN + reference);
        ObjectNode size = defs.putObject("size")
                .put("description", "A size: 512MB, 1GB, 64KB or a number of bytes; units are binary (1KB = 1024"
                        + " bytes).");
        ArrayNode sizes = size.putArray("anyOf");
        sizes.addObject().put("type", "integer").put("minimum", 0);
        sizes.addObject().put("type", "string").put("pattern", ByteSize.SCHEMA_PATTERN + reference);
        defs.putObject("secret")
                .put("description", "A secret: any scalar, usually a ${...} reference; never logged or shown.")
                .set("type", types("string", "number", "boolean"));
    }

    private ArrayNode types(String... names) {
        ArrayNode types = nodes.arrayNode();
        for (String name : names) {
            types.add(name);
        }
        return types;
    }
}
