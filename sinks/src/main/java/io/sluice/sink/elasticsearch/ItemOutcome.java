package io.sluice.sink.elasticsearch;

import java.util.Set;

/**
 * How the sink reads Elasticsearch's answer for one operation, or for a whole request that failed. Decided on
 * status codes and Elasticsearch's error types, never on message text.
 */
enum ItemOutcome {
    /** Written (or, for a delete, the document was already absent: its tombstone now carries the version). */
    APPLIED,
    /** The stored version is newer: the event was already applied or outranked; a success, counted. */
    ALREADY_APPLIED,
    /** Worth trying again: throttled, shards unavailable, the index is missing for the moment. */
    RETRIABLE,
    /** Elasticsearch will never accept this document as it is (mapping conflict, unparsable value...). */
    PERMANENT;

    private static final Set<String> RETRIABLE_TYPES = Set.of("es_rejected_execution_exception",
            "unavailable_shards_exception", "no_shard_available_action_exception", "cluster_block_exception",
            "index_not_found_exception", "node_not_connected_exception", "circuit_breaking_exception",
            "process_cluster_event_timeout_exception", "timeout_exception");

    /**
     * The outcome of one bulk item.
     *
     * @param status    the item's HTTP status
     * @param errorType the item's {@code error.type}, or {@code null} when it has no error
     */
    static ItemOutcome ofItem(int status, String errorType) {
        if (errorType == null) {
            // A delete of an absent document answers 404 "not_found" without an error: the tombstone is written.
            return status < 300 || status == 404 ? APPLIED : RETRIABLE;
        }
        if (status == 409 || errorType.equals("version_conflict_engine_exception")) {
            return ALREADY_APPLIED;
        }
        if (RETRIABLE_TYPES.contains(errorType) || isRetriableStatus(status)) {
            return RETRIABLE;
        }
        return PERMANENT;
    }

    /** Whether a whole request that failed with this HTTP status may succeed later. */
    static boolean isRetriableStatus(int status) {
        return status == 408 || status == 429 || status >= 500;
    }
}
