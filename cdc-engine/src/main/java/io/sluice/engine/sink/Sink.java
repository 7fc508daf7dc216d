package io.sluice.engine.sink;

import io.sluice.engine.event.ChangeEvent;
import java.util.List;

/**
 * A target that change events are applied to. A sink turns a batch into requests to its server and reports, per
 * event, whether it was applied; the {@code Dispatcher} owns batching, retries with backoff, failure policy and
 * backpressure, so a sink never retries, sleeps or reconnects on its own.
 *
 * <h2>Lifecycle and threading</h2>
 * {@link #open()} once, then {@link #write(List)} any number of times from one thread at a time, then
 * {@link #close()}. {@code close} may be called from another thread to abort a blocked {@code write}, and more than
 * once.
 *
 * <h2>Guarantees a sink must give</h2>
 * <ul>
 *   <li><b>Durable acknowledgement</b>: {@code write} returns only once the server durably acknowledged every event it
 *       reports as applied (Kafka {@code acks=all}, Elasticsearch bulk item success, Redis reply). The pipeline's
 *       offset advances on that return.</li>
 *   <li><b>Per-row order</b>: events of one row are applied in the order given.</li>
 *   <li><b>Idempotence</b>: applying an event again, or an event older than the row's stored
 *       {@link ChangeEvent#version() version}, leaves the target as it was; that counts as applied, not as a
 *       failure. (A Kafka topic cannot reject duplicates; its records carry the version so consumers can.)</li>
 * </ul>
 */
public interface Sink extends AutoCloseable {

    /**
     * Connects and checks that the target is reachable and usable.
     *
     * @throws RetriableSinkException when the target cannot be reached now but may be later
     * @throws SinkException          when the sink cannot work with its configuration (bad credentials, rights...)
     */
    void open() throws SinkException, InterruptedException;

    /**
     * Applies a batch, in order, and waits until the target acknowledged it.
     *
     * @return per-event failures; an event not listed there was applied
     * @throws RetriableSinkException when the whole batch could not be written for a transient reason (connection
     *                                lost, server overloaded); the dispatcher retries the batch, which is safe
     *                                because sinks are idempotent
     * @throws SinkException          when the sink cannot go on at all
     */
    WriteResult write(List<ChangeEvent> batch) throws SinkException, InterruptedException;

    /** Releases connections and threads. Idempotent. */
    @Override
    void close();
}
