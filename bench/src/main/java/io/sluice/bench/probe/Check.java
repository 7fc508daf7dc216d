package io.sluice.bench.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * What a sink holds after a run, compared with what was written.
 *
 * @param problem what is missing or wrong, which makes the run invalid; {@code null} when nothing is
 * @param note    what is there more than once, which at-least-once delivery allows (a suffix replayed after a
 *                restart); reported, but the run stays valid; {@code null} when nothing is
 */
public record Check(String problem, String note) {
    public static final Check OK = new Check(null, null);

    public static Check problem(String problem) {
        return new Check(problem, null);
    }

    public static Check note(String note) {
        return new Check(null, note);
    }

    /** The checks of several sinks as one: problems and notes joined with {@code ; }. */
    public static Check all(List<Check> checks) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Check check : checks) {
            if (check.problem() != null) {
                problems.add(check.problem());
            }
            if (check.note() != null) {
                notes.add(check.note());
            }
        }
        return new Check(problems.isEmpty() ? null : String.join("; ", problems),
                notes.isEmpty() ? null : String.join("; ", notes));
    }

    /** This check with a further problem, e.g. how Sluice stopped. */
    public Check withProblem(String more) {
        if (more == null) {
            return this;
        }
        return new Check(problem == null ? more : problem + "; " + more, note);
    }
}
