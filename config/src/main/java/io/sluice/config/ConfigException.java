package io.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file that cannot be used, with every problem found in it.
 *
 * <p>Checked on purpose: a bad file is an expected outcome of loading, not a bug, and the caller (the CLI) must
 * turn it into a message and an exit status; the compiler makes sure it does. The message is the whole report,
 * one {@link ConfigProblem#render() problem} per line. There is no cause and no stack trace: the location that
 * matters is in the file, and a chained parser exception could quote a value taken from the environment.
 */
public final class ConfigException extends Exception {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(render(problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    /** The problems in file order. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems.stream().map(ConfigProblem::render).collect(Collectors.joining("\n"));
    }
}
