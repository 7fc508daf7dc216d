package io.sluice.config;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The problems found in one file, from scanning, binding and validation. Problems are located by key path
 * through the {@link YamlDocument}. Only the first problem at a key is kept: a later one there (a value that
 * failed to resolve, then failed to bind) is a consequence, not news.
 */
final class Problems {

    private static final int LONGEST_SHOWN_VALUE = 60;

    private final String source;
    private final YamlDocument document;
    private final Map<String, String> inherited;
    private final Map<String, ConfigProblem> byPath = new LinkedHashMap<>();

    /** @param inherited paths in pipelines whose values came from the defaults block, to the paths written there */
    Problems(String source, YamlDocument document, Map<String, String> inherited) {
        this.source = source;
        this.document = document;
        this.inherited = Map.copyOf(inherited);
    }

    void add(ConfigProblem problem) {
        byPath.putIfAbsent(problem.path(), problem);
    }

    void add(String path, String message) {
        add(path, message, "");
    }

    void add(String path, String message, String hint) {
        YamlDocument.Position at = document.locate(written(path));
        add(new ConfigProblem(source, at.line(), at.column(), path, message, hint));
    }

    /**
     * Reports a key that is required but absent, or present with a null value; not when the user wrote a
     * misspelling of it, which is already reported as an unknown key with "did you mean" this one.
     */
    void missing(String path) {
        if (!document.wasSuggested(written(path))) {
            add(path, hasKey(path) ? "needs a value" : "missing required key");
        }
    }

    boolean hasKey(String path) {
        return document.hasKey(written(path));
    }

    int lineOf(String path) {
        return document.locate(written(path)).line();
    }

    /** Where the value at {@code path} is written: in the pipeline itself, or in the defaults block it inherited. */
    private String written(String path) {
        for (String at = path; !at.isEmpty(); at = KeyPath.parent(at)) {
            String from = inherited.get(at);
            if (from != null) {
                return from + path.substring(at.length());
            }
        }
        return path;
    }

    /**
     * How a message may refer to the value at {@code path}: quoted as written, or, when it came from the
     * environment, only by the variables it came from. A substituted value may be a secret, so it never appears.
     */
    String show(String path, String value) {
        return substitution(path).orElseGet(() -> quote(value));
    }

    /** "the value from ${NAME}" when the value at {@code path} came from the environment. */
    Optional<String> substitution(String path) {
        List<String> variables = document.variablesAt(written(path));
        if (variables.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the value from " + variables.stream().map(name -> "${" + name + "}")
                .collect(Collectors.joining(", ")));
    }

    void throwIfAny() throws ConfigException {
        if (!byPath.isEmpty()) {
            throw new ConfigException(byPath.values().stream()
                    .sorted(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column))
                    .toList());
        }
    }

    static String quote(String value) {
        String shown = value.length() > LONGEST_SHOWN_VALUE ? value.substring(0, LONGEST_SHOWN_VALUE) + "..." : value;
        return '"' + shown.replace("\n", "\\n") + '"';
    }
}
