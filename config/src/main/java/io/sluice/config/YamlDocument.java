package io.sluice.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A configuration file read once as a token stream, before binding. The scan
 * <ul>
 *   <li>records where every key and list item is, so a problem found on the bound records can point at its line;
 *   <li>resolves {@code ${...}} in string values, keyed by token position, for {@link SubstitutingParser};
 *   <li>reports what binding would miss or stop at: unknown and duplicate keys, aliases, a second document and
 *       undefined variables, all of them at once.
 * </ul>
 * A syntax error ends the scan: nothing after it can be read reliably.
 */
final class YamlDocument {

    /** 1-based line and column of a token in the file. */
    record Position(int line, int column) {
        static Position of(JsonLocation location) {
            return new Position(location.getLineNr(), location.getColumnNr());
        }
    }

    private static final Position FILE_START = new Position(1, 1);

    private final String text;
    private final Map<String, Position> keys;
    private final Map<Position, String> replacements;
    private final Map<String, List<String>> variables;
    private final Set<String> unknownKeys;
    private final Set<String> suggestedKeys;
    private final boolean duplicateKeys;
    private final List<ConfigProblem> problems;

    private YamlDocument(String text, Scan scan) {
        this.text = text;
        this.keys = Map.copyOf(scan.keys);
        this.replacements = Map.copyOf(scan.replacements);
        this.variables = Map.copyOf(scan.variables);
        this.unknownKeys = Set.copyOf(scan.unknownKeys);
        this.suggestedKeys = Set.copyOf(scan.suggestedKeys);
        this.duplicateKeys = scan.duplicateKeys;
        this.problems = List.copyOf(scan.problems);
    }

    /**
     * @param rootType the type the whole document binds to; keys are checked against it and the types below it
     * @throws ConfigException when the file is empty or is not valid YAML
     */
    static YamlDocument scan(String text, String source, JsonFactory factory, KeySchema schema, JavaType rootType,
            EnvSubstitution substitution) throws ConfigException {
        try (JsonParser parser = factory.createParser(text)) {
            Scan scan = new Scan(parser, source, schema, substitution);
            try {
                JsonToken first = parser.nextToken();
                if (first == null || first == JsonToken.VALUE_NULL) {
                    throw new ConfigException(List.of(new ConfigProblem(source, FILE_START.line(),
                            FILE_START.column(), KeyPath.ROOT, "the file is empty",
                            "it should start with a \"pipelines:\" list")));
                }
                scan.run(rootType);
            } catch (JsonProcessingException e) {
                throw new ConfigException(List.of(YamlSyntax.describe(e, text, source, scan.lastToken)));
            }
            return new YamlDocument(text, scan);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a document held in memory failed", e);
        }
    }

    /** A parser over the same text that presents resolved {@code ${...}} values; the caller closes it. */
    JsonParser openParser(JsonFactory factory) throws IOException {
        return new SubstitutingParser(factory.createParser(text), replacements);
    }

    List<ConfigProblem> problems() {
        return problems;
    }

    /**
     * Whether binding would see what the key index describes. With a duplicate key Jackson keeps one of the
     * values while positions point at the other, so any later problem there would be reported at the wrong line.
     */
    boolean bindable() {
        return !duplicateKeys;
    }

    /** Names of keys already reported as unknown, which binding may therefore skip. */
    Set<String> unknownKeys() {
        return unknownKeys;
    }

    boolean hasKey(String path) {
        return keys.containsKey(path);
    }

    /** Whether an unknown key was reported with "did you mean" this path: then that report already covers it. */
    boolean wasSuggested(String path) {
        return suggestedKeys.contains(path);
    }

    /** Where the key at {@code path} is written, or its nearest written ancestor when the key itself is missing. */
    Position locate(String path) {
        for (String at = path; ; at = KeyPath.parent(at)) {
            Position position = keys.get(at);
            if (position != null) {
                return position;
            }
            if (at.isEmpty()) {
                return FILE_START;
            }
        }
    }

    /** The environment variables the value at {@code path} was built from; empty when it was written literally. */
    List<String> variablesAt(String path) {
        return variables.getOrDefault(path, List.of());
    }

    /** The scan's state while it walks the token stream. */
    private static final class Scan {

        /** An open mapping or list and the type it binds to (null where nothing is checked). */
        private record Container(JavaType type, boolean list) {
        }

        private final JsonParser parser;
        private final String source;
        private final KeySchema schema;
        private final EnvSubstitution substitution;
        private final List<Container> open = new ArrayList<>();
        private final Map<String, Position> keys = new HashMap<>();
        private final Map<Position, String> replacements = new HashMap<>();
        private final Map<String, List<String>> variables = new HashMap<>();
        private final Set<String> unknownKeys = new HashSet<>();
        private final Set<String> suggestedKeys = new HashSet<>();
        private final List<ConfigProblem> problems = new ArrayList<>();
        private boolean duplicateKeys;
        private JavaType nextValueType;
        /** The last token read, which helps explain a syntax error that follows it. */
        private JsonLocation lastToken;

        Scan(JsonParser parser, String source, KeySchema schema, EnvSubstitution substitution) {
            this.parser = parser;
            this.source = source;
            this.schema = schema;
            this.substitution = substitution;
        }

        /** Walks from the current (first) token to the end of the stream. */
        void run(JavaType rootType) throws IOException {
            nextValueType = rootType;
            for (JsonToken token = parser.currentToken(); token != null; token = parser.nextToken()) {
                lastToken = parser.currentTokenLocation();
                Position at = Position.of(lastToken);
                String path = KeyPath.of(parser);
                if (open.isEmpty() && !keys.isEmpty()) {
                    problems.add(problem(at, KeyPath.ROOT, "this is in a second YAML document, after '---'",
                            "a configuration file holds exactly one document"));
                    return;
                }
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    // Jackson would read "*name" as the text "name": refuse it rather than bind the wrong value.
                    problems.add(problem(at, path, "YAML aliases (*" + parser.getText() + ") are not supported",
                            "write the value out in full"));
                }
                switch (token) {
                    case FIELD_NAME -> key(path, at);
                    case START_OBJECT, START_ARRAY -> {
                        JavaType type = valueType();
                        item(path, at);
                        open.add(new Container(type, token == JsonToken.START_ARRAY));
                    }
                    case END_OBJECT, END_ARRAY -> open.remove(open.size() - 1);
                    case VALUE_STRING -> {
                        item(path, at);
                        substitute(path, at);
                    }
                    default -> item(path, at);
                }
            }
        }

        private void key(String path, Position at) throws IOException {
            String name = parser.currentName();
            Position first = keys.putIfAbsent(path, at);
            if (first != null) {
                duplicateKeys = true;
                problems.add(problem(at, path, "duplicate key \"" + name + "\", first written at line " + first.line(),
                        "YAML would silently keep only one of them"));
                // Its value would only repeat the same problem for every key below it.
                parser.nextToken();
                parser.skipChildren();
                return;
            }
            JavaType container = open.get(open.size() - 1).type();
            Optional<List<String>> known = schema.keys(container);
            if (known.isPresent() && !known.get().contains(name)) {
                unknownKeys.add(name);
                Suggestions.closest(name, known.get())
                        .ifPresent(match -> suggestedKeys.add(KeyPath.key(KeyPath.parent(path), match)));
                boolean typeName = schema.isTypeWrapper(container);
                problems.add(problem(at, path, (typeName ? "unknown type \"" : "unknown key \"") + name + "\"",
                        Suggestions.hint(name, known.get(), typeName ? "supported types" : "supported keys")));
            }
            nextValueType = schema.valueType(container, name);
        }

        /** Records the position of a list item or of the document itself; mapping values are located by key. */
        private void item(String path, Position at) {
            if (open.isEmpty() || open.get(open.size() - 1).list()) {
                keys.putIfAbsent(path, at);
            }
        }

        /** The type of the value starting at the current token. */
        private JavaType valueType() {
            if (open.isEmpty()) {
                return nextValueType;
            }
            Container container = open.get(open.size() - 1);
            return container.list() ? schema.elementType(container.type()) : nextValueType;
        }

        private void substitute(String path, Position at) throws IOException {
            String raw = parser.getText();
            if (!raw.contains("${")) {
                return;
            }
            EnvSubstitution.Result result = substitution.resolve(raw);
            if (!result.variables().isEmpty()) {
                variables.put(path, result.variables());
            }
            if (result.resolved()) {
                replacements.put(at, result.value());
            } else if (result.unreadable().isPresent()) {
                problems.add(problem(at, path, result.unreadable().get(),
                        "mount the file there, or correct the path in ${file:...}"));
            } else if (result.malformed().isPresent()) {
                problems.add(problem(at, path, result.malformed().get(),
                        "write ${NAME} or ${NAME:-default} for an environment variable, ${file:/path} for a file,"
                                + " and $${ for a literal ${"));
            } else {
                List<String> names = result.undefined();
                problems.add(problem(at, path, names.size() == 1
                                ? "environment variable " + names.get(0) + " is not set"
                                : "environment variables " + String.join(", ", names) + " are not set",
                        (names.size() == 1 ? "set it" : "set them") + ", or give a default: ${" + names.get(0)
                                + ":-value}"));
            }
        }

        private ConfigProblem problem(Position at, String path, String message, String hint) {
            return new ConfigProblem(source, at.line(), at.column(), path, message, hint);
        }
    }
}
