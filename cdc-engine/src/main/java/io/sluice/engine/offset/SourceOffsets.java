package io.sluice.engine.offset;

import java.util.Map;

/**
 * The stored source position of a pipeline, as Debezium serializes it: each entry maps a source partition (JSON)
 * to its offset (JSON), e.g. {@code ["sluice-orders",{"server":"orders"}]} to {@code {"lsn":24023128,...}}. Kept
 * as text so that stores need no Debezium types and operators can read it.
 */
public record SourceOffsets(Map<String, String> entries) {
    private static final SourceOffsets NONE = new SourceOffsets(Map.of());

    public SourceOffsets {
        entries = Map.copyOf(entries);
    }

    public static SourceOffsets none() {
        return NONE;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
