package io.sluice.sink.elasticsearch;

import java.util.Objects;

/**
 * What one change event becomes: an operation on one document, a truncate of one index, or nothing Elasticsearch
 * will ever accept (rejected before sending, e.g. an id that is too long).
 *
 * @param kind         the operation
 * @param event        the event's index in the batch given to {@code write}
 * @param document     the document ({@link Kind#TRUNCATE}: only its index; the id is empty)
 * @param version      the event's commit-ordered version, sent as the external version
 * @param source       the document's JSON, for {@link Kind#INDEX}; {@code null} otherwise
 * @param problem      why the event cannot be written, for {@link Kind#REJECT}; {@code null} otherwise
 */
record BulkAction(Kind kind, int event, DocumentRef document, long version, byte[] source, String problem) {

    enum Kind {
        /** Write the whole document, if its version is not older than the stored one. */
        INDEX,
        /** Delete the document, leaving its version behind as a tombstone. */
        DELETE,
        /** Remove every document of the index not newer than the version. */
        TRUNCATE,
        /** Nothing to send: the event fails for good with {@link #problem()}. */
        REJECT
    }

    BulkAction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(document, "document");
    }

    static BulkAction index(int event, DocumentRef document, long version, byte[] source) {
        return new BulkAction(Kind.INDEX, event, document, version, Objects.requireNonNull(source, "source"), null);
    }

    static BulkAction delete(int event, DocumentRef document, long version) {
        return new BulkAction(Kind.DELETE, event, document, version, null, null);
    }

    static BulkAction truncate(int event, String index, long version) {
        return new BulkAction(Kind.TRUNCATE, event, new DocumentRef(index, ""), version, null, null);
    }

    static BulkAction reject(int event, DocumentRef document, String problem) {
        return new BulkAction(Kind.REJECT, event, document, 0, null, Objects.requireNonNull(problem, "problem"));
    }

    /** Roughly the bytes this action adds to a bulk request body: its action line and its source line. */
    int estimatedBytes() {
        // {"index":{"_index":"...","_id":"...","version":...,"version_type":"external_gte"}} plus newlines.
        int metadata = 90 + document.index().length() + document.id().length() * 2;
        return source == null ? metadata : metadata + source.length + 1;
    }
}
