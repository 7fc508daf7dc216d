package io.sluice.sink.kafka;

import io.sluice.engine.event.TableId;
import io.sluice.config.transform.Routes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The topic each table's events go to, from a template such as {@code shop.{schema}.{table}}.
 *
 * <p>Placeholders are {@code {database}}, {@code {schema}} and {@code {table}}; everything else is literal text and
 * must itself be valid in a Kafka topic name (ASCII letters, digits, {@code .}, {@code _} and {@code -}). The
 * template is parsed once; rendering joins prepared parts and is cached per table, since a pipeline captures few
 * tables.
 *
 * <p>A transform may give some tables a template of their own ({@link Routes}); every template is parsed up front.
 *
 * <p>Each table must get its own topic. Records are keyed by primary key alone, so two tables sharing a topic would
 * overwrite each other's rows under log compaction and tombstones; rendering a second table to a topic already
 * taken is refused. A rendered name that Kafka would refuse (too long, or a table name with characters topics cannot
 * hold) is refused too, naming the table, rather than silently rewritten into a name that could collide.
 *
 * <p>Thread-safe.
 */
public final class TopicTemplate {
    private static final int MAX_TOPIC_LENGTH = 249;
    private static final Map<String, Function<TableId, String>> PLACEHOLDERS = Map.of(
            "database", TableId::database,
            "schema", TableId::schema,
            "table", TableId::table);

    private final String template;
    private final Routes routes;
    private final Map<String, List<Function<TableId, String>>> parsed;
    private final Map<TableId, String> topics = new ConcurrentHashMap<>();
    private final Map<String, TableId> owners = new ConcurrentHashMap<>();

    private TopicTemplate(String template, Routes routes, Map<String, List<Function<TableId, String>>> parsed) {
        this.template = template;
        this.routes = routes;
        this.parsed = parsed;
    }

    /**
     * Parses a template that every table uses.
     *
     * @throws IllegalArgumentException for an empty template, an unknown placeholder, an unclosed or stray brace, or
     *                                  literal text that cannot appear in a topic name
     */
    public static TopicTemplate parse(String template) {
        return parse(template, Routes.NONE);
    }

    /**
     * Parses the sink's template and the templates transforms set for some tables.
     *
     * @throws IllegalArgumentException when one of them is not a valid template, see {@link #parse(String)}
     */
    public static TopicTemplate parse(String template, Routes routes) {
        Map<String, List<Function<TableId, String>>> parsed = new HashMap<>();
        parsed.put(template, parts(template));
        for (String routed : routes.templates()) {
            parsed.put(routed, parts(routed));
        }
        return new TopicTemplate(template, routes, Map.copyOf(parsed));
    }

    private static List<Function<TableId, String>> parts(String template) {
        Objects.requireNonNull(template, "template");
        if (template.isEmpty()) {
            throw new IllegalArgumentException("the topic template is empty");
        }
        List<Function<TableId, String>> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{') {
                int close = template.indexOf('}', i);
                if (close < 0) {
                    throw invalid(template, "'{' at position " + i + " is never closed");
                }
                String name = template.substring(i + 1, close);
                Function<TableId, String> placeholder = PLACEHOLDERS.get(name);
                if (placeholder == null) {
                    throw invalid(template, "unknown placeholder {" + name
                            + "}; supported: {database}, {schema}, {table}");
                }
                parts.add(placeholder);
                i = close + 1;
            } else {
                int end = i;
                while (end < template.length() && template.charAt(end) != '{') {
                    char literal = template.charAt(end);
                    if (!isTopicChar(literal)) {
                        throw invalid(template, (literal == '}' ? "stray '}'" : "character '" + literal + "'")
                                + " at position " + end + " cannot appear in a Kafka topic name"
                                + " (allowed: ASCII letters, digits, '.', '_', '-')");
                    }
                    end++;
                }
                String text = template.substring(i, end);
                parts.add(table -> text);
                i = end;
            }
        }
        return List.copyOf(parts);
    }

    /**
     * The topic for a table's events.
     *
     * @throws IllegalArgumentException when the rendered name is not a valid topic name, or is already the topic of
     *                                  another table
     */
    public String render(TableId table) {
        String topic = topics.get(table);
        return topic != null ? topic : topics.computeIfAbsent(table, this::renderNew);
    }

    /** The template as written. */
    public String template() {
        return template;
    }

    @Override
    public String toString() {
        return template;
    }

    private String renderNew(TableId table) {
        String template = routes.templateFor(table.schema(), table.table(), this.template);
        StringBuilder topic = new StringBuilder(template.length() + 32);
        for (Function<TableId, String> part : parsed.get(template)) {
            topic.append(part.apply(table));
        }
        String name = topic.toString();
        String problem = topicNameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("table " + table + " renders to topic '" + name + "' with template '"
                    + template + "', which Kafka does not accept: " + problem);
        }
        TableId owner = owners.putIfAbsent(name, table);
        if (owner != null && !owner.equals(table)) {
            throw new IllegalArgumentException("tables " + owner + " and " + table + " both render to topic '" + name
                    + "' (template '" + template + "'); records are keyed by primary key only, so their rows"
                    + " would overwrite each other: make the template name each table's own topic, e.g. with {table}");
        }
        return name;
    }

    private static String topicNameProblem(String name) {
        if (name.isEmpty()) {
            return "the name is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'.' and '..' are reserved";
        }
        if (name.length() > MAX_TOPIC_LENGTH) {
            return "the name is longer than " + MAX_TOPIC_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTopicChar(name.charAt(i))) {
                return "character '" + name.charAt(i) + "' is not allowed (allowed: ASCII letters, digits, '.', '_',"
                        + " '-')";
            }
        }
        return null;
    }

    private static boolean isTopicChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    private static IllegalArgumentException invalid(String template, String problem) {
        return new IllegalArgumentException("invalid topic template '" + template + "': " + problem);
    }
}
