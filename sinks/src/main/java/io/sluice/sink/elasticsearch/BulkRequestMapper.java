package io.sluice.sink.elasticsearch;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.sink.codec.EventJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns change events into bulk actions: one per event, in the batch's order.
 *
 * <ul>
 *   <li>Reads, inserts and updates index the whole row as the document ({@link EventJson#rowBytes}: the same values
 *       Kafka records carry), deletes delete it; both with {@code version = event.version()} and
 *       {@code version_type=external_gte}, so an older event is refused by Elasticsearch (a version conflict, which
 *       the sink counts as already applied) and the events of one transaction, which share a version, apply in
 *       order.</li>
 *   <li>A truncate becomes a {@link BulkAction.Kind#TRUNCATE} of the table's index, which the sink carries out.</li>
 *   <li><b>Unchanged TOAST columns</b> ({@link ChangeEvent#unchanged()}) must keep their stored values. The update
 *       API cannot help (it does not take external versions), so the document is still indexed whole, with each
 *       missing value taken from, in this order: the event's {@code before} image (complete with
 *       {@code REPLICA IDENTITY FULL}), the document as an earlier event of the same batch left it, or the stored
 *       document, which the sink reads ({@link #documentsToRead}) before mapping. This is race-free because Sluice is
 *       the only writer of its documents and writes each document's events in order, one batch after the other; see
 *       docs/adr/0004-elasticsearch-versions-and-toast.md.</li>
 * </ul>
 *
 * <p>Not thread-safe (it keeps the counters of the last mapping); the sink uses it from its writing thread.
 */
final class BulkRequestMapper {
    private final IndexNameTemplate indices;
    private final EventJson json;
    private long unchangedValuesNotFound;

    BulkRequestMapper(IndexNameTemplate indices, EventJson json) {
        this.indices = Objects.requireNonNull(indices, "indices");
        this.json = Objects.requireNonNull(json, "json");
    }

    /** The index of a table's documents. */
    String indexOf(TableId table) {
        return indices.render(table);
    }

    /**
     * The documents whose stored source is needed to fill unchanged TOAST columns: those of updates whose
     * {@code before} image lacks a value and that no earlier event of the batch wrote or deleted (and no earlier
     * truncate of the batch emptied).
     */
    Set<DocumentRef> documentsToRead(List<ChangeEvent> batch) {
        Set<DocumentRef> toRead = new LinkedHashSet<>();
        Set<DocumentRef> known = new HashSet<>();
        Set<String> truncated = new HashSet<>();
        for (ChangeEvent event : batch) {
            if (event.op() == Op.TRUNCATE) {
                truncated.add(indexOf(event.table()));
                continue;
            }
            DocumentRef document = documentOf(event);
            if (document == null) {
                continue;
            }
            if (!known.contains(document) && !truncated.contains(document.index())
                    && !missingFrom(event.unchanged(), event.before()).isEmpty()) {
                toRead.add(document);
            }
            known.add(document);
        }
        return toRead;
    }

    /**
     * One action per event, in order.
     *
     * @param stored the stored sources of {@link #documentsToRead} as Elasticsearch returned them (values of the
     *               types {@link Row} allows); a document absent from the map was not found
     * @throws IllegalArgumentException when a table has no valid index of its own, or a value cannot be encoded
     */
    List<BulkAction> map(List<ChangeEvent> batch, Map<DocumentRef, Map<String, Object>> stored) {
        unchangedValuesNotFound = 0;
        List<BulkAction> actions = new ArrayList<>(batch.size());
        // The document as the batch left it so far; a null value is a document the batch deleted.
        Map<DocumentRef, Map<String, Object>> current = new HashMap<>();
        Set<String> truncated = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            ChangeEvent event = batch.get(i);
            if (event.op() == Op.TRUNCATE) {
                String index = indexOf(event.table());
                truncated.add(index);
                current.replaceAll((document, source) -> document.index().equals(index) ? null : source);
                actions.add(BulkAction.truncate(i, index, event.version()));
                continue;
            }
            String index = indexOf(event.table());
            String id = DocumentId.of(event.key(), json);
            DocumentRef document = new DocumentRef(index, id);
            String idProblem = DocumentId.problem(id);
            if (idProblem != null) {
                actions.add(BulkAction.reject(i, document, idProblem));
                continue;
            }
            if (event.isDelete()) {
                current.put(document, null);
                actions.add(BulkAction.delete(i, document, event.version()));
                continue;
            }
            Map<String, Object> source = new LinkedHashMap<>(event.after().asMap());
            if (!event.unchanged().isEmpty()) {
                Map<String, Object> previous = current.containsKey(document) ? current.get(document)
                        : truncated.contains(index) ? null : stored.get(document);
                fillUnchanged(event, source, previous);
            }
            current.put(document, source);
            actions.add(BulkAction.index(i, document, event.version(), json.rowBytes(Row.of(source))));
        }
        return actions;
    }

    /** Unchanged columns of the last {@link #map} that no source held (the document was not found). */
    long unchangedValuesNotFound() {
        return unchangedValuesNotFound;
    }

    private void fillUnchanged(ChangeEvent event, Map<String, Object> source, Map<String, Object> previous) {
        for (String column : event.unchanged()) {
            if (event.before() != null && event.before().has(column)) {
                source.put(column, event.before().get(column));
            } else if (previous != null && previous.containsKey(column)) {
                source.put(column, previous.get(column));
            } else {
                // Nothing holds the value: the row's document was never written (e.g. the sink was added without a
                // snapshot) or is gone. The document is written without the column rather than with a wrong value.
                unchangedValuesNotFound++;
            }
        }
    }

    private DocumentRef documentOf(ChangeEvent event) {
        String id = DocumentId.of(event.key(), json);
        return DocumentId.problem(id) == null ? new DocumentRef(indexOf(event.table()), id) : null;
    }

    private static Set<String> missingFrom(Set<String> unchanged, Row before) {
        if (unchanged.isEmpty()) {
            return Set.of();
        }
        Set<String> missing = new HashSet<>(unchanged);
        if (before != null) {
            missing.removeIf(before::has);
        }
        return missing;
    }
}
