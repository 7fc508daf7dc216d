package io.sluice.it.crash;

import io.sluice.it.SluiceFixture;
import java.util.Locale;

/** The offsets stores a crash test runs with, as the lines under {@code offsets:} of the pipeline's YAML. */
enum OffsetsStore {
    FILE {
        @Override
        String yaml(SluiceFixture pipeline) {
            return "file: " + pipeline.offsets;
        }
    },
    /** A table in the source database (the store's default). */
    JDBC {
        @Override
        String yaml(SluiceFixture pipeline) {
            return "jdbc: {}";
        }
    },
    KAFKA {
        @Override
        String yaml(SluiceFixture pipeline) {
            return """
                    kafka:
                      bootstrap-servers: %s
                      topic: sluice-offsets""".formatted(pipeline.kafka.bootstrapServers());
        }
    };

    abstract String yaml(SluiceFixture pipeline);

    /** As written in YAML and in report names: {@code file}, {@code jdbc}, {@code kafka}. */
    String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
