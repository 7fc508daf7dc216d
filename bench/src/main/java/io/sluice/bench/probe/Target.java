package io.sluice.bench.probe;

/**
 * What the sinks must hold for a run (or its warm-up) to be complete, counted from the start of the run.
 *
 * @param events     events the sinks must have applied: Kafka records, Elasticsearch index operations
 * @param rows       rows the table holds: Elasticsearch documents, Redis rows (each is a data key and a version key)
 * @param markerId   the row the last transaction marked, or 0 when there is no marker (a snapshot)
 * @param markerNote the note the marker set: once Redis shows it, everything committed before it is applied
 */
public record Target(long events, long rows, long markerId, String markerNote) {

    public static Target withoutMarker(long events, long rows) {
        return new Target(events, rows, 0, null);
    }

    public boolean hasMarker() {
        return markerNote != null;
    }
}
