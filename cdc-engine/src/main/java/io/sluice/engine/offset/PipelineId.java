package io.sluice.engine.offset;

import java.util.Objects;

/** The name of a pipeline, as stores key their rows and files by it. */
public record PipelineId(String name) {
    public PipelineId {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return name;
    }
}
