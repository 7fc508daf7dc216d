package io.sluice.engine.check;

import java.util.Objects;

/**
 * One thing a preflight check found out about one server of a pipeline.
 *
 * @param severity what it means for starting the pipeline
 * @param pipeline the pipeline's name
 * @param subject  the server as checked, e.g. {@code postgres sluice@db:5432/shop}; never with credentials
 * @param message  what was found, in plain words, naming tables, topics or indices involved
 * @param fix      how to fix it (a statement or setting), or {@code null} when there is nothing to do
 */
public record Finding(Severity severity, String pipeline, String subject, String message, String fix) {
    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }
}
