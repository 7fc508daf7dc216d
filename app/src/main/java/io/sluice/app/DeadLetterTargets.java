package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.deadletter.DeadLetterConfig;
import io.sluice.config.deadletter.FileDeadLetterConfig;
import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.config.sink.FailurePolicy;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.sink.deadletter.DeadLetterFile;
import io.sluice.sink.deadletter.DeadLetterStore;
import io.sluice.sink.deadletter.FileDeadLetterQueue;
import io.sluice.sink.kafka.KafkaDeadLetterQueue;
import io.sluice.sink.kafka.KafkaDeadLetterStore;
import java.time.Clock;
import java.util.Objects;

/** Maps a pipeline's dead-letter target to its implementation, for writing and for reading back. */
public final class DeadLetterTargets {
    private DeadLetterTargets() {
    }

    /**
     * The target the pipeline's sinks write to; null when no sink has {@code on-failure: dead-letter} (a target
     * inherited from {@code defaults:} is then neither opened nor locked).
     */
    public static DeadLetterQueue queue(PipelineConfig pipeline, Clock clock) {
        if (pipeline.deadLetter() == null
                || pipeline.sinks().stream().noneMatch(s -> s.onFailure() == FailurePolicy.DEAD_LETTER)) {
            return null;
        }
        DeadLetterConfig config = pipeline.deadLetter();
        // DeadLetterConfig is sealed; when Sluice moves to Java 21 this becomes an exhaustive pattern switch.
        if (config instanceof FileDeadLetterConfig file) {
            return new FileDeadLetterQueue(pipeline.name(), file.pathFor(pipeline.name()), clock);
        }
        if (config instanceof KafkaDeadLetterConfig kafka) {
            return new KafkaDeadLetterQueue(pipeline.name(), kafka, clock);
        }
        throw new IllegalArgumentException("no dead-letter target for " + config.kind());
    }

    /** The pipeline's dead letters, read back; the pipeline must have a {@code dead-letter} target. */
    static DeadLetterStore store(PipelineConfig pipeline, Clock clock) {
        DeadLetterConfig config = Objects.requireNonNull(pipeline.deadLetter(), "dead-letter");
        if (config instanceof FileDeadLetterConfig file) {
            return new DeadLetterFile(pipeline.name(), file.pathFor(pipeline.name()), clock);
        }
        if (config instanceof KafkaDeadLetterConfig kafka) {
            return new KafkaDeadLetterStore(pipeline.name(), kafka, clock);
        }
        throw new IllegalArgumentException("no dead-letter store for " + config.kind());
    }
}
