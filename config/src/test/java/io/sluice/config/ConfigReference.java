package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/configuration.md}: the hand-written parts from {@value #TEMPLATE}, and in place of its
 * {@value #KEYS} line one section per mapping of the file, with a table of its keys, from the same
 * {@link ConfigModel} as the JSON Schema. {@code ConfigReferenceTest} checks that the checked-in file is current.
 */
final class ConfigReference {

    static final String TEMPLATE = "/io/sluice/config/configuration.template.md";
    static final String KEYS = "{{keys}}";

    private static final Pattern NEEDS_QUOTES = Pattern.compile(
            "^[\\[\\]{}&*!|>'\"%@`#,?:-].*|.*(: | #|[{}]).*|^\\s.*|.*\\s$|^(true|false|null|~|[-+]?[0-9][0-9.]*)$",
            Pattern.DOTALL);

    private final ConfigModel model;

    ConfigReference(ConfigModel model) {
        this.model = model;
    }

    static String generate() {
        return new ConfigReference(ConfigModel.load()).render(template());
    }

    String render(String template) {
        if (!template.contains(KEYS + "\n")) {
            throw new IllegalStateException(TEMPLATE + " has no line " + KEYS + " for the generated sections");
        }
        StringBuilder sections = new StringBuilder();
        for (Definition definition : model.definitions()) {
            if (definition instanceof RecordDef record) {
                heading(sections, record.title(), record.paths(), record.description());
                recordTable(sections, record);
            } else if (definition instanceof WrapperDef wrapper) {
                heading(sections, wrapper.title(), wrapper.paths(), wrapper.description());
                sections.append("| Key | Value | Description |\n| --- | --- | --- |\n");
                wrapper.alternatives().forEach((kind, shape) -> sections.append("| `").append(kind).append("` | ")
                        .append(type(shape, null, null)).append(" | ").append(cell(describe(shape))).append(" |\n"));
                sections.append('\n');
            } else if (definition instanceof TextDef text) {
                heading(sections, text.title(), text.paths(), text.description());
                if (text.example() != null) {
                    sections.append("Example: `").append(flow(text.example())).append("`.\n\n");
                }
            }
        }
        return template.replace(KEYS + "\n", sections.toString().stripTrailing() + "\n");
    }

    private static void heading(StringBuilder out, String title, List<String> paths, String description) {
        out.append("### ").append(title).append("\n\n");
        String where = paths.stream().map(path -> path.isEmpty() ? "the top level of the file" : "`" + path + "`")
                .collect(Collectors.joining(", "));
        out.append("Where: ").append(where).append(".\n\n").append(description).append("\n\n");
    }

    private void recordTable(StringBuilder out, RecordDef record) {
        out.append("| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n");
        for (Property property : record.properties()) {
            out.append("| `").append(property.key()).append("` | ")
                    .append(type(property.shape(), property.minimum(), property.maximum())).append(" | ")
                    .append(cell(defaultOf(record, property))).append(" | ")
                    .append(cell(description(property))).append(" |\n");
        }
        out.append('\n');
    }

    private static String defaultOf(RecordDef record, Property property) {
        if (property.required()) {
            return "**required**";
        }
        if (property.defaultValue() != null) {
            return "`" + flow(property.defaultValue()) + "`";
        }
        if (record.exactlyOneOf().contains(property.key())) {
            return "one of " + record.exactlyOneOf().stream().map(key -> "`" + key + "`")
                    .collect(Collectors.joining(", "));
        }
        return property.defaultText() != null ? property.defaultText() : "—";
    }

    private String description(Property property) {
        StringBuilder text = new StringBuilder(property.description());
        Shape shape = property.shape() instanceof ListOf list ? list.item() : property.shape();
        if (shape instanceof Ref ref && model.definition(ref.name()) instanceof EnumDef enumeration) {
            text.append(enumeration.values().entrySet().stream()
                    .map(value -> "`" + value.getKey() + "`: " + value.getValue())
                    .collect(Collectors.joining(" ", " ", "")));
        }
        if (property.example() != null) {
            text.append(" Example: `").append(flow(property.example())).append("`.");
        }
        return text.toString();
    }

    private String describe(Shape shape) {
        return shape instanceof Ref ref ? model.definition(ref.name()).description() : "";
    }

    private String type(Shape shape, Long minimum, Long maximum) {
        if (shape instanceof ListOf list) {
            return "list of " + type(list.item(), null, null);
        }
        if (shape instanceof MapOf map) {
            return map.value().kind() == ConfigModel.Kind.TEXT ? "mapping of text" : "mapping";
        }
        if (shape instanceof Ref ref) {
            Definition definition = model.definition(ref.name());
            if (definition instanceof EnumDef enumeration) {
                return enumeration.values().keySet().stream().map(value -> "`" + value + "`")
                        .collect(Collectors.joining(" \\| "));
            }
            String title = definition instanceof RecordDef r ? r.title() : definition instanceof WrapperDef w
                    ? w.title() : ((TextDef) definition).title();
            return "[" + title + "](#" + slug(title) + ")";
        }
        return switch (((Scalar) shape).kind()) {
            case TEXT -> "text";
            case INTEGER -> integer(minimum, maximum);
            case BOOLEAN -> "boolean";
            case DURATION -> "[duration](#durations-and-sizes)";
            case SIZE -> "[size](#durations-and-sizes)";
            case SECRET -> "[secret](#secrets)";
            case PATH -> "file path";
            case ANY -> "any";
        };
    }

    private static String integer(Long minimum, Long maximum) {
        if (minimum != null && maximum != null) {
            return "integer, " + minimum + " to " + maximum;
        }
        if (minimum != null) {
            return "integer, at least " + minimum;
        }
        return maximum != null ? "integer, at most " + maximum : "integer";
    }

    /** The anchor GitHub gives a heading. */
    static String slug(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** A value as YAML flow style, for one line of Markdown. */
    static String flow(JsonNode value) {
        if (value.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
                out.append(flow(it.next())).append(it.hasNext() ? ", " : "");
            }
            return out.append(']').toString();
        }
        if (value.isObject()) {
            StringBuilder out = new StringBuilder("{");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                out.append(entry.getKey()).append(": ").append(flow(entry.getValue())).append(it.hasNext() ? ", " : "");
            }
            return out.append('}').toString();
        }
        String text = value.asText();
        return value.isTextual() && NEEDS_QUOTES.matcher(text).matches()
                ? "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : text;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    static String template() {
        try (InputStream in = ConfigReference.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
