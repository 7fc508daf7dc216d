package io.sluice.engine.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Collects the findings of one check of one server, in the order they are made. Not thread-safe. */
public final class Findings {
    private final String pipeline;
    private final String subject;
    private final List<Finding> findings = new ArrayList<>();

    public Findings(String pipeline, String subject) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.subject = Objects.requireNonNull(subject, "subject");
    }

    public void ok(String message) {
        add(Severity.OK, message, null);
    }

    /** A check that was not made, and why. */
    public void skip(String message) {
        add(Severity.SKIP, message, null);
    }

    /** @param fix how to fix it, or {@code null} */
    public void warn(String message, String fix) {
        add(Severity.WARN, message, fix);
    }

    /** @param fix how to fix it, or {@code null} */
    public void error(String message, String fix) {
        add(Severity.ERROR, message, fix);
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
    }

    public List<Finding> list() {
        return List.copyOf(findings);
    }

    private void add(Severity severity, String message, String fix) {
        findings.add(new Finding(severity, pipeline, subject, message, fix));
    }
}
