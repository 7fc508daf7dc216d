package io.sluice.sink.elasticsearch;

import io.sluice.engine.event.TableId;
import java.nio.charset.StandardCharsets;
import io.sluice.config.transform.Routes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Index (or alias) names from a template such as {@code shop_{schema}_{table}}.
 *
 * <p>Placeholders are {@code {database}}, {@code {schema}} and {@code {table}}. The rendered name is lower-cased
 * (Elasticsearch accepts only lower-case index names, and PostgreSQL folds unquoted identifiers to lower case
 * anyway), then checked against Elasticsearch's naming rules; a name it would refuse is refused here, naming the
 * table, rather than rewritten into a name that could collide.
 *
 * <p>An index template must give each table an index of its own: documents are keyed by primary key alone, so two
 * tables in one index would overwrite each other's documents, and a truncate of one would remove the other's.
 * Rendering a second table to an index already taken is refused. Alias templates may share names (an alias over
 * several tables' indices is a normal way to search them together).
 *
 * <p>A transform may give some tables an index template of their own ({@link Routes}); every template is parsed
 * up front.
 *
 * <p>Thread-safe; renders are cached per table.
 */
final class IndexNameTemplate {
    private static final int MAX_NAME_BYTES = 255;
    private static final String FORBIDDEN = "\\/*?\"<>|,# :";
    private static final Map<String, Function<TableId, String>> PLACEHOLDERS = Map.of(
            "database", TableId::database,
            "schema", TableId::schema,
            "table", TableId::table);

    private final String template;
    private final Routes routes;
    private final String what;
    private final boolean exclusive;
    private final Map<String, List<Function<TableId, String>>> parsed;
    private final Map<TableId, String> names = new ConcurrentHashMap<>();
    private final Map<String, TableId> owners = new ConcurrentHashMap<>();

    private IndexNameTemplate(String template, Routes routes, String what, boolean exclusive,
            Map<String, List<Function<TableId, String>>> parsed) {
        this.template = template;
        this.routes = routes;
        this.what = what;
        this.exclusive = exclusive;
        this.parsed = parsed;
    }

    /** A template for index names that every table uses: one table per index. */
    static IndexNameTemplate forIndex(String template) {
        return forIndex(template, Routes.NONE);
    }

    /** The sink's template for index names and the templates transforms set for some tables: one table per index. */
    static IndexNameTemplate forIndex(String template, Routes routes) {
        Map<String, List<Function<TableId, String>>> parsed = new HashMap<>();
        parsed.put(template, parse(template, "index"));
        for (String routed : routes.templates()) {
            parsed.put(routed, parse(routed, "index"));
        }
        return new IndexNameTemplate(template, routes, "index", true, Map.copyOf(parsed));
    }

    /** A template for alias names: several tables may share one. */
    static IndexNameTemplate forAlias(String template) {
        return new IndexNameTemplate(template, Routes.NONE, "alias", false, Map.of(template, parse(template, "alias")));
    }

    /**
     * @throws IllegalArgumentException for an empty template, an unknown placeholder or an unclosed brace
     */
    private static List<Function<TableId, String>> parse(String template, String what) {
        Objects.requireNonNull(template, "template");
        if (template.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " template is empty");
        }
        List<Function<TableId, String>> parts = new ArrayList<>();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                String text = template.substring(i);
                parts.add(table -> text);
                break;
            }
            if (open > i) {
                String text = template.substring(i, open);
                parts.add(table -> text);
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("invalid " + what + " template '" + template + "': '{' at position "
                        + open + " is never closed");
            }
            String name = template.substring(open + 1, close);
            Function<TableId, String> placeholder = PLACEHOLDERS.get(name);
            if (placeholder == null) {
                throw new IllegalArgumentException("invalid " + what + " template '" + template
                        + "': unknown placeholder {" + name + "}; supported: {database}, {schema}, {table}");
            }
            parts.add(placeholder);
            i = close + 1;
        }
        return List.copyOf(parts);
    }

    /**
     * The name for a table.
     *
     * @throws IllegalArgumentException when the name is not one Elasticsearch accepts, or (for index templates) is
     *                                  already the index of another table
     */
    String render(TableId table) {
        String name = names.get(table);
        return name != null ? name : names.computeIfAbsent(table, this::renderNew);
    }

    String template() {
        return template;
    }

    @Override
    public String toString() {
        return template;
    }

    private String renderNew(TableId table) {
        String template = routes.templateFor(table.schema(), table.table(), this.template);
        StringBuilder rendered = new StringBuilder(template.length() + 32);
        for (Function<TableId, String> part : parsed.get(template)) {
            rendered.append(part.apply(table));
        }
        String name = rendered.toString().toLowerCase(Locale.ROOT);
        String problem = nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("table " + table + " renders to " + what + " '" + name
                    + "' with template '" + template + "', which Elasticsearch does not accept: " + problem);
        }
        if (exclusive) {
            TableId owner = owners.putIfAbsent(name, table);
            if (owner != null && !owner.equals(table)) {
                throw new IllegalArgumentException("tables " + owner + " and " + table + " both render to index '"
                        + name + "' (template '" + template + "'); documents are keyed by primary key only, so"
                        + " their rows would overwrite each other: make the template name each table's own index,"
                        + " e.g. with {table}");
            }
        }
        return name;
    }

    private static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "the name is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'.' and '..' are reserved";
        }
        char first = name.charAt(0);
        if (first == '-' || first == '_' || first == '+') {
            return "a name cannot start with '-', '_' or '+'";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "the name is longer than " + MAX_NAME_BYTES + " bytes";
        }
        for (int i = 0; i < name.length(); i++) {
            if (FORBIDDEN.indexOf(name.charAt(i)) >= 0) {
                return "character '" + name.charAt(i) + "' is not allowed";
            }
        }
        return null;
    }
}
