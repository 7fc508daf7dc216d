package io.sluice.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, located so that the user can go straight to it.
 *
 * @param file    the file as the user named it (or the source name given to the loader)
 * @param line    1-based line, or 0 when the problem concerns the whole file (e.g. it cannot be read)
 * @param column  1-based column, or 0 together with line 0
 * @param path    key path such as {@code pipelines[0].source.postgres.port}; empty when the problem has no key
 * @param message what is wrong, in plain words; never contains a value that came from the environment
 * @param hint    how to fix it, e.g. {@code did you mean "host"?}; empty when there is nothing to add
 */
public record ConfigProblem(String file, int line, int column, String path, String message, String hint) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(hint, "hint");
    }

    /** {@code file:line:column: path: message (hint)}, the shape compilers use so editors can jump to it. */
    public String render() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!path.isEmpty()) {
            out.append(path).append(": ");
        }
        out.append(message);
        if (!hint.isEmpty()) {
            out.append(" (").append(hint).append(')');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
