package io.sluice.config.sink;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a pipeline does with an event a sink rejects for good (a mapping conflict, a record too large...). */
public enum FailurePolicy {
    /** Stop the pipeline with a message naming the sink, table, key and LSN; the event's offset is not committed. */
    FAIL("fail"),
    /**
     * Write the event, with the sink's reason, to the pipeline's dead-letter target and go on; the event counts as
     * handled once the target durably acknowledged it.
     */
    DEAD_LETTER("dead-letter"),
    /** Log the event (table, key, LSN and the sink's reason) as skipped, count it, and go on. */
    SKIP("skip");

    private final String yamlName;

    FailurePolicy(String yamlName) {
        this.yamlName = yamlName;
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }
}
