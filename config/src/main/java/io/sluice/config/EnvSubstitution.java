package io.sluice.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${NAME}} and {@code ${NAME:-default}} in a scalar value from the environment, and
 * {@code ${file:/path}} from a file (a mounted secret; one trailing line break is dropped); <code>$${</code> is a
 * literal <code>${</code>. As in the shell, the default also applies when the variable is set but empty. Defaults are
 * plain text: references do not nest.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final String FILE_PREFIX = "file:";

    private final Function<String, String> env;

    EnvSubstitution(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /**
     * @param value     the text with every reference replaced; meaningful only when there are no failures
     * @param variables the names referenced, in order, so messages can say where a value came from
     * @param undefined referenced variables that are not set and have no default
     * @param malformed a reference that cannot be read, described from the file's own text
     * @param unreadable why a referenced file cannot be read
     */
    record Result(String value, List<String> variables, List<String> undefined, Optional<String> malformed,
            Optional<String> unreadable) {
        boolean resolved() {
            return undefined.isEmpty() && malformed.isEmpty() && unreadable.isEmpty();
        }
    }

    Result resolve(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        List<String> variables = new ArrayList<>();
        List<String> undefined = new ArrayList<>();
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!raw.startsWith("${", i)) {
                out.append(raw.charAt(i++));
                continue;
            }
            int close = raw.indexOf('}', i + 2);
            if (close < 0) {
                return malformed(raw, variables, undefined, "\"${\" is not closed by \"}\"");
            }
            String reference = raw.substring(i + 2, close);
            if (reference.startsWith(FILE_PREFIX)) {
                variables.add(reference);
                Optional<String> problem = readFile(reference.substring(FILE_PREFIX.length()), out);
                if (problem.isPresent()) {
                    return new Result(raw, List.copyOf(variables), List.copyOf(undefined), Optional.empty(), problem);
                }
                i = close + 1;
                continue;
            }
            int split = reference.indexOf(":-");
            String name = split < 0 ? reference : reference.substring(0, split);
            String fallback = split < 0 ? null : reference.substring(split + 2);
            if (!NAME.matcher(name).matches()) {
                return malformed(raw, variables, undefined, "\"${" + reference + "}\" is not a variable reference");
            }
            if (fallback != null && fallback.contains("${")) {
                return malformed(raw, variables, undefined, "a default cannot contain another \"${\"");
            }
            variables.add(name);
            String value = env.apply(name);
            if (value == null || (value.isEmpty() && fallback != null)) {
                if (fallback == null) {
                    undefined.add(name);
                }
                value = fallback == null ? "" : fallback;
            }
            out.append(value);
            i = close + 1;
        }
        return new Result(out.toString(), List.copyOf(variables), List.copyOf(undefined), Optional.empty(),
                Optional.empty());
    }

    /** Appends the file's text without its trailing line break; or says why it cannot. */
    private static Optional<String> readFile(String file, StringBuilder out) {
        if (file.isBlank()) {
            return Optional.of("\"${file:}\" names no file");
        }
        Path path = Path.of(file);
        try {
            String text = Files.readString(path);
            out.append(text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.of("file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            return Optional.of("file " + file + " cannot be read: permission denied");
        } catch (CharacterCodingException e) {
            return Optional.of("file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            return Optional.of("file " + file + " cannot be read: "
                    + Objects.requireNonNullElse(e.getMessage(), "I/O error"));
        }
    }

    private static Result malformed(String raw, List<String> variables, List<String> undefined, String problem) {
        return new Result(raw, List.copyOf(variables), List.copyOf(undefined), Optional.of(problem), Optional.empty());
    }
}
