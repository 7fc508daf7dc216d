package io.sluice.bench.probe;

import io.sluice.bench.Sink;

/**
 * Asks one sink's server, from outside Sluice, how far it is: what the server itself has acknowledged, not what
 * Sluice reports. Each probe's Javadoc says what exactly it reads.
 */
public interface SinkProbe extends AutoCloseable {

    Sink sink();

    /** A count that grows while the sink applies events; it tells the first and any progress, not completion. */
    long progress();

    /** Whether the sink holds everything the target describes. Cheap: called every poll interval. */
    boolean reached(Target target);

    /**
     * After a run, whether the sink holds exactly the target: missing events are a problem, events applied more than
     * once a note. Not timed, may be slow (e.g. an index refresh).
     */
    Check check(Target target);

    @Override
    void close();
}
