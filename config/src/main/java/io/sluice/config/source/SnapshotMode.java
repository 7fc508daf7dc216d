package io.sluice.config.source;

import com.fasterxml.jackson.annotation.JsonValue;

/** When the captured tables are read in full before streaming. */
public enum SnapshotMode {
    /** Snapshot once, when the pipeline has no stored offset; then stream. */
    INITIAL("initial"),
    /** Never snapshot; stream from the slot's position. */
    NEVER("never"),
    /** Snapshot once, then stop without streaming. */
    INITIAL_ONLY("initial-only"),
    /** Snapshot when there is no stored offset or the stored position is no longer available in the slot. */
    WHEN_NEEDED("when-needed");

    private final String yamlName;

    SnapshotMode(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
