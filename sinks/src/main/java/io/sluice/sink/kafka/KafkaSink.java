package io.sluice.sink.kafka;

import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.config.transform.Routes;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.sink.codec.EventJson;
import io.sluice.sink.kafka.KafkaErrors.Kind;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes change events to Kafka: one topic per table ({@link TopicTemplate}), keyed by primary key, value in the
 * {@link EventJson} form, records as described in {@link KafkaRecordMapper}.
 *
 * <h2>Producer</h2>
 * Idempotent with {@code acks=all}, at most 5 requests in flight (the most that keeps each partition in order with
 * idempotence), {@code linger.ms=5}, {@code compression.type=lz4}, {@code delivery.timeout.ms=120000} and
 * {@code client.id=sluice-<pipeline>}. Every {@code producer} entry of the config is passed through on top (TLS,
 * SASL, tuning), except those that would break the guarantees, which are refused by {@link #open()}:
 * {@code acks} other than {@code all}/{@code -1}, {@code enable.idempotence} other than {@code true},
 * {@code max.in.flight.requests.per.connection} outside 1 to 5, serializers, {@code transactional.id} and
 * {@code bootstrap.servers} (which belongs in {@code bootstrapServers}). Setting values may hold credentials: they
 * are never logged or put in a message (Kafka's own error text is masked too), only their keys.
 *
 * <p>Building the sink does no I/O and cannot fail on the configuration's content: the topic template and producer
 * settings are checked by {@link #open()}, before it connects, so a refused setting reaches the user through the
 * same non-retriable {@link SinkException} as any other start-up failure.
 *
 * <h2>Lifecycle</h2>
 * {@link #open()} checks with an admin client that the cluster answers (then closes it) and creates the producer; if
 * it fails it may be called again. {@link #write} sends the whole batch asynchronously, flushes, and returns only
 * when every record has completed: an event not reported as failed was acknowledged by all in-sync replicas.
 * {@link #close()} may run on another thread to abort a blocked write; that write then throws
 * {@link InterruptedException} and nothing it wrote counts as delivered.
 *
 * <h2>Failures in {@code write}</h2>
 * <ul>
 *   <li>A transient error (Kafka's {@code RetriableException}s, delivery timeouts) fails the event retriably. When
 *       a send fails at once (no metadata for the topic within {@code max.block.ms}), the rest of the batch is not
 *       sent, since each send would wait as long again, and is reported retriable too. When no event of the batch
 *       went through, the whole batch fails with {@link RetriableSinkException}.</li>
 *   <li>A record the broker refuses for good (too large, invalid, policy) fails its event non-retriably: a poison
 *       event. The rest of the batch is written.</li>
 *   <li>Anything that stops the producer itself (authentication, authorization, fencing, a lost sequence, an
 *       unsupported broker) or an event that cannot be mapped (a table without a valid topic of its own, a value
 *       that cannot be encoded) throws {@link SinkException}. The sink never recreates its producer: the runtime
 *       decides what happens next, and resuming means a new sink.</li>
 * </ul>
 * The idempotent producer recovers from transient send failures on its own (it bumps its epoch and resets the
 * sequence of the affected partitions), so the same producer serves the retries. Because only failed events are
 * retried, a retried event can land after a newer event of the same row: Kafka cannot refuse an older version, so
 * consumers keep, per key, the record with the highest version.
 *
 * <p>Threading as in {@link Sink}: {@code open} and {@code write} from one thread at a time, {@code close} from any.
 */
public final class KafkaSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
    /** Connecting at start-up must not hang a pipeline forever; the runtime retries a retriable failure. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Nothing acknowledged is pending at close (write waits for it), so waiting long would only delay shutdown. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String pipeline;
    private final KafkaSinkConfig config;
    private final Routes topics;
    private final String where;
    private final KafkaClients clients;
    private final Duration connectTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Set by open() before it publishes the producer; write() reads them only after reading a non-null producer.
    private ProducerSettings settings;
    private KafkaRecordMapper mapper;
    private volatile Producer<byte[], byte[]> producer;

    /** The sink as production uses it, every table on the sink's topic template. Connects nothing. */
    public KafkaSink(String pipelineName, KafkaSinkConfig config) {
        this(pipelineName, config, Routes.NONE);
    }

    /**
     * The sink as production uses it. Connects nothing; see {@link #open()}.
     *
     * @param topics the topic templates transforms set for some tables
     */
    public KafkaSink(String pipelineName, KafkaSinkConfig config, Routes topics) {
        this(pipelineName, config, topics, KafkaClients.live(), DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * @param clients        where the producer and the reachability check come from
     * @param connectTimeout how long {@link #open()} waits for the cluster to answer
     */
    public KafkaSink(String pipelineName, KafkaSinkConfig config, KafkaClients clients, Duration connectTimeout) {
        this(pipelineName, config, Routes.NONE, clients, connectTimeout);
    }

    private KafkaSink(String pipelineName, KafkaSinkConfig config, Routes topics, KafkaClients clients,
            Duration connectTimeout) {
        this.pipeline = Objects.requireNonNull(pipelineName, "pipelineName");
        this.config = Objects.requireNonNull(config, "config");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        this.where = "pipeline '" + pipelineName + "', sink kafka"
                + (config.bootstrapServers() == null || config.bootstrapServers().isBlank() ? ""
                        : " (" + config.bootstrapServers() + ")");
    }

    /**
     * Checks the configuration (before any connection), then that the cluster answers, then creates the producer.
     *
     * @throws SinkException          when the topic template or a producer setting is refused, or the cluster refuses
     *                                the sink (credentials, rights); not retriable
     * @throws RetriableSinkException when the cluster cannot be reached now; {@code open} may be called again
     */
    @Override
    public void open() throws SinkException, InterruptedException {
        if (closed.get()) {
            throw new IllegalStateException(where + ": open() after close()");
        }
        if (producer != null) {
            throw new IllegalStateException(where + ": already open");
        }
        if (mapper == null) {
            settings = ProducerSettings.of("sluice-" + pipeline, config, where);
            mapper = new KafkaRecordMapper(topicTemplate(), new EventJson(), config.tombstones());
        }
        requireResolvableBootstrapHost();
        try {
            clients.awaitCluster(settings.admin(), connectTimeout);
        } catch (TimeoutException e) {
            throw new RetriableSinkException(where + ": cannot reach the Kafka cluster: no broker answered within "
                    + connectTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw openFailure("cannot use the Kafka cluster", e.getCause() == null ? e : e.getCause());
        } catch (InterruptException e) {
            throw interrupted(e);
        } catch (KafkaException e) {
            throw openFailure("cannot use the Kafka cluster", e);
        }
        Producer<byte[], byte[]> created;
        try {
            created = clients.producer(settings.producer());
        } catch (InterruptException e) {
            throw interrupted(e);
        } catch (KafkaException e) {
            throw openFailure("cannot create the Kafka producer", e);
        }
        producer = created;
        if (closed.get()) {
            created.close(Duration.ZERO);
            throw new InterruptedException(where + ": closed while opening");
        }
        LOG.info("{}: connected; topic template '{}', tombstones {}, producer settings given: {}", where,
                config.topic(), config.tombstones(), settings.overrideKeys());
    }

    /**
     * Kafka's clients refuse to start when no bootstrap host resolves, as if the setting were wrong. In Compose or
     * Kubernetes the broker's name often resolves only once its container is up, so Sluice treats this as "not
     * reachable yet": the pipeline retries with backoff for its start-up timeout and then says which hosts failed.
     */
    private void requireResolvableBootstrapHost() throws RetriableSinkException {
        List<String> unresolved = new ArrayList<>();
        for (String server : config.bootstrapServers().split(",")) {
            String host = server.strip();
            int colon = host.lastIndexOf(':');
            host = colon > 0 ? host.substring(0, colon) : host;
            try {
                InetAddress.getAllByName(host.replace("[", "").replace("]", ""));
                return;
            } catch (UnknownHostException e) {
                unresolved.add(host);
            }
        }
        throw new RetriableSinkException(where + ": cannot resolve bootstrap host(s) "
                + String.join(", ", unresolved));
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) throws SinkException, InterruptedException {
        Producer<byte[], byte[]> producer = this.producer;
        if (closed.get()) {
            throw new InterruptedException(where + ": closed");
        }
        if (producer == null) {
            throw new IllegalStateException(where + ": write() before open()");
        }
        if (batch.isEmpty()) {
            return WriteResult.allApplied();
        }
        List<List<ProducerRecord<byte[], byte[]>>> records = map(batch);
        Sending sending = sendAll(producer, records);
        flush(producer);
        Map<Integer, EventFailure> failures = failures(batch, sending);
        if (failures.size() == batch.size() && failures.values().stream().allMatch(EventFailure::retriable)) {
            throw new RetriableSinkException(where + ": no event of the batch was acknowledged: "
                    + failures.values().iterator().next().reason());
        }
        return failures.isEmpty() ? WriteResult.allApplied() : new WriteResult(List.copyOf(failures.values()));
    }

    /** Idempotent; safe from any thread; never throws, so the caller goes on closing its other resources. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Producer<byte[], byte[]> current = producer;
        if (current == null) {
            return;
        }
        try {
            current.close(CLOSE_TIMEOUT);
        } catch (KafkaException e) {
            // Nobody above can act on a failed close (the sink is being dropped), so this is where it is reported.
            LOG.warn("{}: the producer did not close cleanly: {}", where, KafkaErrors.explain(e, settings::redact));
        }
    }

    /** Shows the setting keys, never their values. */
    @Override
    public String toString() {
        return "KafkaSink[pipeline=" + pipeline + ", " + config + "]";
    }

    /**
     * Sends the records of every event, in order. A send that fails at once for any reason but a refused record ends
     * the sending: the next sends would fail the same way, each after waiting as long (e.g. for topic metadata).
     */
    private Sending sendAll(Producer<byte[], byte[]> producer, List<List<ProducerRecord<byte[], byte[]>>> records)
            throws InterruptedException {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            for (ProducerRecord<byte[], byte[]> record : records.get(i)) {
                Future<RecordMetadata> future = send(producer, record);
                sent.add(new Sent(i, record.topic(), future));
                Throwable early = future.isDone() ? outcome(future) : null;
                if (early != null && KafkaErrors.classify(early) != Kind.REJECTED) {
                    return new Sending(sent, i + 1, explain(record.topic(), early));
                }
            }
        }
        return new Sending(sent, records.size(), null);
    }

    /** Waits for every record sent so far to complete: acknowledged by all in-sync replicas, or failed. */
    private void flush(Producer<byte[], byte[]> producer) throws SinkException, InterruptedException {
        try {
            producer.flush();
        } catch (InterruptException e) {
            throw interrupted(e);
        } catch (KafkaException | IllegalStateException e) {
            if (closed.get()) {
                throw closedWhileWriting();
            }
            throw new SinkException(where + ": cannot flush the producer: " + KafkaErrors.explain(e, settings::redact), e);
        }
    }

    /** Per event index, why it was not applied; an event with several records fails with the worst of them. */
    private Map<Integer, EventFailure> failures(List<ChangeEvent> batch, Sending sending)
            throws SinkException, InterruptedException {
        Map<Integer, EventFailure> failures = new TreeMap<>();
        for (Sent s : sending.sent()) {
            Throwable error = outcome(s.future());
            if (error == null) {
                continue;
            }
            if (closed.get()) {
                throw closedWhileWriting();
            }
            Kind kind = KafkaErrors.classify(error);
            if (kind == Kind.FATAL) {
                throw new SinkException(where + ": cannot write " + batch.get(s.index()).describe() + ": "
                        + explain(s.topic(), error), error);
            }
            failures.merge(s.index(), new EventFailure(s.index(), kind == Kind.RETRIABLE, explain(s.topic(), error)),
                    (first, second) -> first.retriable() ? second : first);
        }
        for (int i = sending.unsentFrom(); i < batch.size(); i++) {
            failures.put(i, new EventFailure(i, true, "not sent because an earlier record failed: "
                    + sending.stopReason()));
        }
        return failures;
    }

    private TopicTemplate topicTemplate() throws SinkException {
        try {
            return TopicTemplate.parse(config.topic(), topics);
        } catch (IllegalArgumentException e) {
            throw new SinkException(where + ": " + e.getMessage(), e);
        }
    }

    /** All records first, so an event that cannot be mapped stops the batch before anything is sent. */
    private List<List<ProducerRecord<byte[], byte[]>>> map(List<ChangeEvent> batch) throws SinkException {
        List<List<ProducerRecord<byte[], byte[]>>> records = new ArrayList<>(batch.size());
        for (ChangeEvent event : batch) {
            try {
                records.add(mapper.map(event));
            } catch (IllegalArgumentException e) {
                throw new SinkException(where + ": cannot write " + event.describe() + ": " + e.getMessage(), e);
            }
        }
        return records;
    }

    /** Kafka reports most send errors through the future, the rest by throwing; both end up in the future here. */
    private Future<RecordMetadata> send(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record)
            throws InterruptedException {
        try {
            return producer.send(record);
        } catch (InterruptException e) {
            throw interrupted(e);
        } catch (KafkaException | IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The error a completed send ended with, or {@code null} when it was acknowledged. */
    private static Throwable outcome(Future<RecordMetadata> future) throws InterruptedException {
        try {
            future.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    private String explain(String topic, Throwable error) {
        return "topic '" + topic + "': " + KafkaErrors.explain(error, settings::redact);
    }

    /** Transient failures all read "cannot reach": to the user they are the same wait-and-retry situation. */
    private SinkException openFailure(String what, Throwable error) {
        String reason = KafkaErrors.explain(error, settings::redact);
        return KafkaErrors.classify(error) == Kind.RETRIABLE
                ? new RetriableSinkException(where + ": cannot reach the Kafka cluster: " + reason, error)
                : new SinkException(where + ": " + what + ": " + reason, error);
    }

    private InterruptedException closedWhileWriting() {
        return new InterruptedException(where + ": closed while writing; the batch was not fully acknowledged");
    }

    /** Kafka's unchecked interrupt, as the checked one the SPI declares (and with the interrupt consumed by it). */
    private InterruptedException interrupted(InterruptException e) {
        Thread.interrupted();
        InterruptedException interrupted = new InterruptedException(where + ": interrupted");
        interrupted.initCause(e);
        return interrupted;
    }

    private record Sent(int index, String topic, Future<RecordMetadata> future) {
    }

    /** The records sent, and from which event on nothing was sent, and why. */
    private record Sending(List<Sent> sent, int unsentFrom, String stopReason) {
    }
}
