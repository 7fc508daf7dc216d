package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The words and simple rules of every key, read from {@code descriptions.yaml} (its header explains the format).
 * While {@link ConfigModel} walks the config types it asks for each type and key here; every key without a
 * description, every entry naming no key, and every field this reader does not know is collected, and
 * {@link #throwIfProblems()} reports them all at once.
 */
final class Descriptions {

    /** What kind of type an entry describes, and so which fields it may have. */
    enum Form {
        RECORD(Set.of("title", "description", "keys", "exactly-one-of")),
        WRAPPER(Set.of("title", "description")),
        ENUM(Set.of("description", "values")),
        TEXT(Set.of("title", "description", "example"));

        private final Set<String> fields;

        Form(Set<String> fields) {
            this.fields = fields;
        }
    }

    private static final Set<String> KEY_FIELDS =
            Set.of("description", "required", "requires", "minimum", "maximum", "default", "example");

    private final JsonNode root;
    private final String source;
    private final List<String> problems = new ArrayList<>();

    private Descriptions(JsonNode root, String source) {
        this.root = root;
        this.source = source;
    }

    static Descriptions fromResource(String resource) {
        try (InputStream in = Descriptions.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    static Descriptions parse(String yaml, String source) {
        try {
            JsonNode root = new YAMLMapper().readTree(yaml);
            if (root == null || !root.isObject()) {
                throw new IllegalStateException(source + " must hold a mapping of type names");
            }
            return new Descriptions(root, source);
        } catch (IOException e) {
            throw new IllegalStateException(source + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The entry of a type; a missing entry is a problem, and reads as empty so that the walk can go on. */
    Type type(String name, Form form) {
        JsonNode entry = root.path(name);
        if (!entry.isObject()) {
            problems.add(name + ": no entry; describe the type and each of its keys");
            return new Type(name, JsonNodeFactory.instance.objectNode());
        }
        checkFields(name, entry, form.fields);
        text(name, entry, "description");
        if (form.fields.contains("title")) {
            text(name, entry, "title");
        }
        return new Type(name, entry);
    }

    void checkKey(String type, String key, Key about, boolean codeDefault, ConfigModel.Shape shape) {
        String at = type + ".keys." + key;
        if (codeDefault && about.defaultText() != null) {
            problems.add(at + ": \"default\" is read from the record's constructor; remove it here");
        }
        boolean integer = shape instanceof ConfigModel.Scalar scalar && scalar.kind() == ConfigModel.Kind.INTEGER;
        if (!integer && (about.minimum() != null || about.maximum() != null)) {
            problems.add(at + ": minimum and maximum apply only to whole numbers");
        }
    }

    /** Entries for keys the type does not have, and rules naming such keys. */
    void checkNoOtherKeys(String type, List<String> keys) {
        JsonNode entry = root.path(type);
        for (String described : names(entry.path("keys"))) {
            if (!keys.contains(described)) {
                problems.add(type + ".keys." + described + ": the type has no such key (keys: "
                        + String.join(", ", keys) + ")");
            }
            for (JsonNode required : entry.path("keys").path(described).path("requires")) {
                if (!keys.contains(required.asText())) {
                    problems.add(type + ".keys." + described + ".requires: the type has no key " + required.asText());
                }
            }
        }
        for (JsonNode one : entry.path("exactly-one-of")) {
            if (!keys.contains(one.asText())) {
                problems.add(type + ".exactly-one-of: the type has no key " + one.asText());
            }
        }
    }

    void checkNoOtherValues(String type, Collection<String> values) {
        for (String described : names(root.path(type).path("values"))) {
            if (!values.contains(described)) {
                problems.add(type + ".values." + described + ": the enum has no such value (values: "
                        + String.join(", ", values) + ")");
            }
        }
    }

    /** Entries for types the configuration does not use. */
    void checkAllUsed(Collection<String> types) {
        for (String described : names(root)) {
            if (!types.contains(described)) {
                problems.add(described + ": no config type of that name is used by the configuration file");
            }
        }
    }

    void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new IllegalStateException(source + " does not match the config records:\n  "
                    + String.join("\n  ", new TreeSet<>(problems)));
        }
    }

    private void checkFields(String at, JsonNode entry, Set<String> allowed) {
        for (String field : names(entry)) {
            if (!allowed.contains(field)) {
                problems.add(at + "." + field + ": unknown field (fields: " + String.join(", ", new TreeSet<>(allowed))
                        + ")");
            }
        }
    }

    private String text(String at, JsonNode entry, String field) {
        JsonNode value = entry.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(at + ": no " + field);
            return "";
        }
        return value.asText().strip();
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    /** The entry of one type. */
    final class Type {
        private final String name;
        private final JsonNode entry;

        private Type(String name, JsonNode entry) {
            this.name = name;
            this.entry = entry;
        }

        String title() {
            return entry.path("title").asText(name);
        }

        String description() {
            return entry.path("description").asText("").strip();
        }

        JsonNode example() {
            return entry.get("example");
        }

        List<String> exactlyOneOf() {
            List<String> keys = new ArrayList<>();
            entry.path("exactly-one-of").forEach(key -> keys.add(key.asText()));
            return List.copyOf(keys);
        }

        Key key(String key) {
            String at = name + ".keys." + key;
            JsonNode about = entry.path("keys").path(key);
            if (!about.isObject()) {
                problems.add(at + ": no entry; every key needs a description");
                return new Key("", null, null, false, List.of(), null, null);
            }
            checkFields(at, about, KEY_FIELDS);
            List<String> requires = new ArrayList<>();
            about.path("requires").forEach(other -> requires.add(other.asText()));
            return new Key(text(at, about, "description"), about.hasNonNull("default") ? about.get("default").asText()
                    : null, about.get("example"), about.path("required").asBoolean(false), List.copyOf(requires),
                    about.hasNonNull("minimum") ? about.get("minimum").asLong() : null,
                    about.hasNonNull("maximum") ? about.get("maximum").asLong() : null);
        }

        /** The meaning of an enum value. */
        String value(String value) {
            JsonNode text = entry.path("values").path(value);
            if (!text.isTextual() || text.asText().isBlank()) {
                problems.add(name + ".values." + value + ": no description of this value");
                return "";
            }
            return text.asText().strip();
        }
    }

    record Key(String description, String defaultText, JsonNode example, boolean required, List<String> requires,
            Long minimum, Long maximum) {
    }
}
