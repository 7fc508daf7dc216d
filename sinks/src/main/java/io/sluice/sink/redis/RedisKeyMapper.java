package io.sluice.sink.redis;

import io.sluice.config.transform.Routes;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.TableId;
import io.sluice.sink.codec.EventJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The Redis keys of rows, from a template such as {@code {table}:{key}}.
 *
 * <h2>Template</h2>
 * Placeholders are {@code {database}}, {@code {schema}}, {@code {table}} and {@code {key}}; everything else is
 * literal text, without braces. {@code {key}} appears exactly once, after literal text, and only literal text
 * follows it, so every key of a table is {@code <prefix><key><suffix>} with a prefix and suffix of its own table.
 *
 * <h2>Key encoding</h2>
 * {@code {key}} is the primary key's columns in key column order, each as text, joined by {@code :}. A column's text
 * is a string's own text, and any other value's JSON text as in Sluice's event JSON (numbers {@code 42}, exact
 * decimals {@code 10.50}, booleans {@code true}, jsonb objects with their fields sorted by name). In that text, and
 * in the values of the other placeholders, four characters are percent-encoded: {@code %} as {@code %25}, {@code :}
 * as {@code %3A}, <code>{</code> as {@code %7B} and <code>}</code> as {@code %7D}. So an order line with key
 * {@code (order_id 7, line 2)} is {@code order_lines:7:2}, a user with key {@code "a:b"} is {@code users:a%3Ab}, and
 * no two keys of a table can be equal or look like another key split differently.
 *
 * <p>Because neither the template nor the encoded values hold braces, a data key never carries a Redis Cluster
 * hash tag; its version key {@code {<data key>}:version} hashes to the same slot as the data key.
 *
 * <h2>One table per prefix</h2>
 * When the prefixes of two tables are equal, or one starts with the other (e.g. {@code {table}:{key}} for
 * {@code public.orders} and {@code archive.orders}), their rows would share keys and a truncate of one would remove
 * the other's. Rendering such a second table is refused, naming both.
 *
 * <p>A transform may give some tables a key template of their own ({@link Routes}); every template is parsed up
 * front, and the one-table-per-prefix rule holds across all of them.
 *
 * <p>Thread-safe; prefixes are rendered once per table.
 */
final class RedisKeyMapper {
    static final String VERSION_SUFFIX = ":version";

    private static final Map<String, Function<TableId, String>> TABLE_PLACEHOLDERS = Map.of(
            "database", TableId::database,
            "schema", TableId::schema,
            "table", TableId::table);

    /** A parsed template: the parts before {@code {key}}, and the literal text after it. */
    private record Parsed(List<Function<TableId, String>> prefixParts, String suffix) {
    }

    /** What a table's keys look like: {@code <prefix><key><suffix>}. */
    private record TableKeys(String prefix, String suffix) {
    }

    private final String template;
    private final Routes routes;
    private final EventJson json;
    private final Map<String, Parsed> parsed;
    private final Map<TableId, TableKeys> tables = new ConcurrentHashMap<>();

    private RedisKeyMapper(String template, Routes routes, EventJson json, Map<String, Parsed> parsed) {
        this.template = template;
        this.routes = routes;
        this.json = json;
        this.parsed = parsed;
    }

    /**
     * Parses a template that every table uses.
     *
     * @throws IllegalArgumentException for an unknown placeholder, a stray brace, no {@code {key}} or more than one,
     *                                  {@code {key}} right after another placeholder or before one
     */
    static RedisKeyMapper parse(String template, EventJson json) {
        return parse(template, Routes.NONE, json);
    }

    /**
     * Parses the sink's template and the templates transforms set for some tables.
     *
     * @throws IllegalArgumentException when one of them is not a valid template, see {@link #parse(String, EventJson)}
     */
    static RedisKeyMapper parse(String template, Routes routes, EventJson json) {
        Map<String, Parsed> parsed = new HashMap<>();
        parsed.put(template, parseOne(template));
        for (String routed : routes.templates()) {
            parsed.put(routed, parseOne(routed));
        }
        return new RedisKeyMapper(template, routes, json, Map.copyOf(parsed));
    }

    private static Parsed parseOne(String template) {
        Objects.requireNonNull(template, "template");
        List<Function<TableId, String>> parts = new ArrayList<>();
        String suffix = null;
        boolean previousWasPlaceholder = false;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                throw invalid(template, "'}' at position " + i + " closes no placeholder");
            }
            if (c != '{') {
                int end = i;
                while (end < template.length() && template.charAt(end) != '{' && template.charAt(end) != '}') {
                    end++;
                }
                String text = template.substring(i, end);
                if (suffix != null) {
                    suffix += text;
                } else {
                    parts.add(table -> text);
                }
                previousWasPlaceholder = false;
                i = end;
                continue;
            }
            int close = template.indexOf('}', i);
            if (close < 0) {
                throw invalid(template, "'{' at position " + i + " is never closed");
            }
            String name = template.substring(i + 1, close);
            if (name.equals("key")) {
                if (suffix != null) {
                    throw invalid(template, "{key} appears more than once");
                }
                if (previousWasPlaceholder || parts.isEmpty()) {
                    throw invalid(template, "{key} must follow literal text, e.g. {table}:{key}");
                }
                suffix = "";
            } else {
                Function<TableId, String> placeholder = TABLE_PLACEHOLDERS.get(name);
                if (placeholder == null) {
                    throw invalid(template, "unknown placeholder {" + name
                            + "}; supported: {database}, {schema}, {table}, {key}");
                }
                if (suffix != null) {
                    throw invalid(template, "only literal text may follow {key}, found {" + name + "}");
                }
                parts.add(table -> encode(placeholder.apply(table)));
            }
            previousWasPlaceholder = true;
            i = close + 1;
        }
        if (suffix == null) {
            throw invalid(template, "no {key}; each row needs its own key, e.g. {table}:{key}");
        }
        return new Parsed(List.copyOf(parts), suffix);
    }

    /**
     * The data key of a row.
     *
     * @throws IllegalArgumentException when the table shares its prefix with another table, or a key value is not of
     *                                  a type a change event may carry
     */
    String dataKey(TableId table, Key key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " has no primary key; the Redis sink keys rows by it");
        }
        TableKeys keys = keysOf(table);
        StringBuilder out = new StringBuilder(keys.prefix());
        boolean first = true;
        for (Map.Entry<String, Object> column : key.columns().entrySet()) {
            if (!first) {
                out.append(':');
            }
            first = false;
            Object value = column.getValue();
            out.append(encode(value instanceof String s ? s : json.keyValueJson(column.getKey(), value)));
        }
        return out.append(keys.suffix()).toString();
    }

    /** The key holding the version of the row at {@code dataKey}: in the same Redis Cluster slot. */
    static String versionKey(String dataKey) {
        return "{" + dataKey + "}" + VERSION_SUFFIX;
    }

    /** A SCAN MATCH pattern for every data key of the table, and possibly other keys: see {@link #isDataKeyOf}. */
    String scanPattern(TableId table) {
        TableKeys keys = keysOf(table);
        return escapeGlob(keys.prefix()) + "*" + escapeGlob(keys.suffix());
    }

    /** Whether a key found by {@link #scanPattern} is a data key of the table. */
    boolean isDataKeyOf(TableId table, String key) {
        TableKeys keys = keysOf(table);
        return key.length() > keys.prefix().length() + keys.suffix().length() && key.startsWith(keys.prefix())
                && key.endsWith(keys.suffix());
    }

    String template() {
        return template;
    }

    /**
     * The text before a table's keys. The first time a table is seen, it is checked against every table seen before.
     */
    String prefix(TableId table) {
        return keysOf(table).prefix();
    }

    private TableKeys keysOf(TableId table) {
        TableKeys keys = tables.get(table);
        return keys != null ? keys : renderKeys(table);
    }

    private synchronized TableKeys renderKeys(TableId table) {
        TableKeys known = tables.get(table);
        if (known != null) {
            return known;
        }
        String template = routes.templateFor(table.schema(), table.table(), this.template);
        Parsed chosen = parsed.get(template);
        StringBuilder out = new StringBuilder();
        for (Function<TableId, String> part : chosen.prefixParts()) {
            out.append(part.apply(table));
        }
        String prefix = out.toString();
        for (Map.Entry<TableId, TableKeys> other : tables.entrySet()) {
            String otherPrefix = other.getValue().prefix();
            if (prefix.startsWith(otherPrefix) || otherPrefix.startsWith(prefix)) {
                throw new IllegalArgumentException("tables " + other.getKey() + " and " + table + " get keys starting"
                        + " with '" + otherPrefix + "' and '" + prefix + "' (key template '" + template
                        + "'), so their rows could share keys and a truncate of one would remove the other's:"
                        + " put what tells them apart into the template, e.g. {schema}:{table}:{key}");
            }
        }
        TableKeys keys = new TableKeys(prefix, chosen.suffix());
        tables.put(table, keys);
        return keys;
    }

    /** Percent-encodes the four characters the key format reserves; see the class comment. */
    static String encode(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            String replacement = switch (text.charAt(i)) {
                case '%' -> "%25";
                case ':' -> "%3A";
                case '{' -> "%7B";
                case '}' -> "%7D";
                default -> null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (replacement != null) {
                out.append(replacement);
            } else if (out != null) {
                out.append(text.charAt(i));
            }
        }
        return out == null ? text : out.toString();
    }

    /** Escapes the characters SCAN's glob-style MATCH gives a meaning. */
    private static String escapeGlob(String text) {
        StringBuilder out = new StringBuilder(text.length() + 4);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static IllegalArgumentException invalid(String template, String problem) {
        return new IllegalArgumentException("invalid key template '" + template + "': " + problem);
    }

    @Override
    public String toString() {
        return template;
    }
}
