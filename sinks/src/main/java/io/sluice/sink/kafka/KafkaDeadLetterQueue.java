package io.sluice.sink.kafka;

import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.DeadLetterQueue;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.codec.DeadLetterJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes dead letters to a Kafka topic: value in the {@link DeadLetterJson} form, key {@code {"table":...,"key":...}}
 * (so one row's letters stay in order on one partition), with the Kafka sink's producer guarantees
 * ({@code acks=all}, idempotent, at most 5 requests in flight; refused overrides are listed by {@link #open()}).
 * {@code open} creates the topic when missing. A write returns once every record was acknowledged.
 */
public final class KafkaDeadLetterQueue implements DeadLetterQueue {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterQueue.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String pipeline;
    private final KafkaDeadLetterConfig config;
    private final Clock clock;
    private final DeadLetterJson json = new DeadLetterJson();
    private DeadLetterTopic topic;
    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean closed;

    public KafkaDeadLetterQueue(String pipeline, KafkaDeadLetterConfig config, Clock clock) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Checks the producer settings, creates the topic when missing, and creates the producer.
     *
     * @throws RetriableSinkException when the cluster cannot be reached now
     * @throws SinkException          when a setting is refused or the cluster refuses the client
     */
    @Override
    public void open() throws SinkException, InterruptedException {
        if (closed || producer != null) {
            throw new IllegalStateException(describe() + ": open() after " + (closed ? "close()" : "open()"));
        }
        if (topic == null) {
            topic = DeadLetterTopic.of(pipeline, config);
        }
        topic.createIfMissing();
        try {
            producer = new KafkaProducer<>(topic.settings.producer());
        } catch (InterruptException e) {
            throw topic.interrupted(e);
        } catch (KafkaException e) {
            throw topic.failure("cannot create the producer", e);
        }
        if (closed) {
            producer.close(Duration.ZERO);
            throw new InterruptedException(topic.where + ": closed while opening");
        }
        LOG.info("{}: connected; producer settings given: {}", topic.where, topic.settings.overrideKeys());
    }

    /**
     * Sends every letter and waits until all are acknowledged.
     *
     * @throws RetriableSinkException when a record failed for a transient reason (all are sent again)
     * @throws SinkException          when the cluster refuses a record for good (e.g. larger than the topic takes)
     *                                or the producer cannot go on
     */
    @Override
    public void write(List<DeadLetter> letters) throws SinkException, InterruptedException {
        Producer<byte[], byte[]> current = producer;
        if (closed) {
            throw new InterruptedException(describe() + ": closed");
        }
        if (current == null) {
            throw new IllegalStateException(describe() + ": write() before open()");
        }
        Instant now = clock.instant();
        List<Future<RecordMetadata>> sent = new ArrayList<>(letters.size());
        try {
            for (DeadLetter letter : letters) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic.name, json.key(letter),
                        json.encode(letter, now));
                sent.add(send(current, record));
            }
            current.flush();
        } catch (InterruptException e) {
            throw topic.interrupted(e);
        } catch (IllegalArgumentException e) {
            throw new SinkException(topic.where + ": " + e.getMessage(), e);
        } catch (KafkaException | IllegalStateException e) {
            if (closed) {
                throw new InterruptedException(describe() + ": closed while writing");
            }
            throw topic.failure("cannot flush the producer", e);
        }
        SinkException worst = null;
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get();
            } catch (ExecutionException e) {
                SinkException failure = topic.failure("cannot write the dead letter of "
                        + letters.get(i).event().describe(), e.getCause() == null ? e : e.getCause());
                // A refusal for good outranks a transient failure: retrying cannot help the batch.
                if (worst == null || worst instanceof RetriableSinkException
                        && !(failure instanceof RetriableSinkException)) {
                    worst = failure;
                }
            }
        }
        if (worst != null) {
            throw worst;
        }
    }

    private static Future<RecordMetadata> send(Producer<byte[], byte[]> producer,
            ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String describe() {
        return DeadLetterTopic.describe(config.topicFor(pipeline), config.bootstrapServers());
    }

    /** Idempotent, from any thread; never throws. */
    @Override
    public void close() {
        closed = true;
        Producer<byte[], byte[]> current = producer;
        if (current != null) {
            producer = null;
            try {
                current.close(CLOSE_TIMEOUT);
            } catch (KafkaException e) {
                LOG.warn("{}: the producer did not close cleanly: {}", describe(),
                        KafkaErrors.explain(e, topic.settings::redact));
            }
        }
    }

    /** Shows the setting keys, never their values. */
    @Override
    public String toString() {
        return "KafkaDeadLetterQueue[pipeline=" + pipeline + ", " + config + "]";
    }
}
