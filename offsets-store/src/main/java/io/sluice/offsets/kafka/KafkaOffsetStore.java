package io.sluice.offsets.kafka;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.offsets.OffsetDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets in a compacted Kafka topic that several pipelines may share: every save appends one record, key = the
 * pipeline's name (UTF-8), value = the {@link OffsetDocument} on one line; compaction keeps the last per key.
 *
 * <p>A save waits until every in-sync replica has the record ({@code acks=all}, idempotent producer), at most the
 * store's timeout. A failed save discards the producer, so a record that was not acknowledged is dropped rather than
 * written later; the next save starts a new producer. A load reads the topic from the beginning up to the end it had
 * when the load began and takes the pipeline's last record; a {@code null} value (a tombstone) means no offsets.
 */
public final class KafkaOffsetStore implements OffsetStore {
    private static final Duration POLL = Duration.ofMillis(200);
    /** Lets the producer report its own expiry (which says why) before the store stops waiting. */
    private static final Duration ACK_GRACE = Duration.ofSeconds(1);

    private final KafkaStoreSettings settings;
    private final Clock clock;
    private Producer<byte[], byte[]> producer;

    private KafkaOffsetStore(KafkaStoreSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Checks (or creates) the topic (see {@link OffsetsTopic}) and starts the producer. The caller closes the store.
     *
     * @param settings as {@link KafkaStoreSettings} reads them
     */
    public static KafkaOffsetStore open(Map<String, String> settings, Clock clock) throws OffsetStoreException {
        KafkaOffsetStore store = new KafkaOffsetStore(KafkaStoreSettings.from(settings), Objects.requireNonNull(clock));
        OffsetsTopic.ensure(store.settings, store.describe());
        try {
            store.producer();
        } catch (KafkaException e) {
            throw new OffsetStoreException("cannot start the producer for " + store.describe() + ": "
                    + KafkaStoreErrors.explain(e, store.settings::redact), e);
        }
        return store;
    }

    @Override
    public SourceOffsets load(PipelineId pipeline) throws OffsetStoreException {
        OffsetDocument document = read(pipeline);
        return document == null ? SourceOffsets.none() : document.offsets();
    }

    @Override
    public Optional<Instant> savedAt(PipelineId pipeline) throws OffsetStoreException {
        OffsetDocument document = read(pipeline);
        return document == null ? Optional.empty() : Optional.ofNullable(document.savedAt());
    }

    /** The pipeline's last document in the topic, or null when there is none or a tombstone ends it. */
    private OffsetDocument read(PipelineId pipeline) throws OffsetStoreException {
        byte[] key = key(pipeline);
        ConsumerRecord<byte[], byte[]> last = null;
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer())) {
            Duration timeout = settings.timeout();
            long deadline = System.nanoTime() + timeout.toNanos();
            List<PartitionInfo> partitions = consumer.partitionsFor(settings.topic(), timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new OffsetStoreException("cannot read offsets of pipeline '" + pipeline + "': " + describe()
                        + " does not exist");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(assigned);
            // Records saved after this moment are not waited for: the end is the one the load began with.
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            consumer.seekToBeginning(assigned);
            while (!reached(consumer, end, timeout)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new OffsetStoreException("cannot read offsets of pipeline '" + pipeline + "' from "
                            + describe() + ": the topic was not read to its end within " + timeout.toMillis() + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.getOrDefault(partition, 0L) && Arrays.equals(record.key(), key)) {
                        last = record;
                    }
                }
            }
        } catch (KafkaException e) {
            throw new OffsetStoreException("cannot read offsets of pipeline '" + pipeline + "' from " + describe()
                    + ": " + KafkaStoreErrors.explain(e, settings::redact), e);
        }
        return last == null || last.value() == null ? null : parse(pipeline, last);
    }

    private static boolean reached(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
            Duration timeout) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey(), timeout) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    private OffsetDocument parse(PipelineId pipeline, ConsumerRecord<byte[], byte[]> record)
            throws OffsetStoreException {
        String where = "the record of pipeline '" + pipeline + "' at offset " + record.offset() + " of partition "
                + record.partition() + " in " + describe();
        OffsetDocument document;
        try {
            document = OffsetDocument.parse(record.value());
        } catch (IOException e) {
            throw new OffsetStoreException(where + " is not an offsets document (" + e.getMessage() + "); write"
                    + " a tombstone for the key to start over (which re-snapshots)", e);
        }
        if (!document.belongsTo(pipeline)) {
            throw new OffsetStoreException(where + " names pipeline '" + document.pipeline() + "'; it was not"
                    + " written by Sluice");
        }
        return document;
    }

    @Override
    public void save(PipelineId pipeline, SourceOffsets offsets) throws OffsetStoreException {
        byte[] value = OffsetDocument.of(pipeline, clock.instant(), offsets).toJson();
        String failed = "cannot save offsets of pipeline '" + pipeline + "' to " + describe() + ": ";
        try {
            producer().send(new ProducerRecord<>(settings.topic(), key(pipeline), value))
                    .get(settings.timeout().plus(ACK_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | KafkaException e) {
            discardProducer();
            throw new OffsetStoreException(failed + KafkaStoreErrors.explain(e, settings::redact), e);
        } catch (TimeoutException e) {
            discardProducer();
            throw new OffsetStoreException(failed + "no acknowledgement within " + settings.timeout().toMillis()
                    + " ms", e);
        } catch (InterruptedException e) {
            discardProducer();
            Thread.currentThread().interrupt();
            throw new OffsetStoreException(failed + "interrupted while waiting for the acknowledgement", e);
        }
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(settings.producer());
        }
        return producer;
    }

    private void discardProducer() {
        if (producer != null) {
            // Zero: records not yet acknowledged are dropped, not sent after their save was reported failed.
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @Override
    public String describe() {
        return "Kafka topic " + settings.topic() + " at " + settings.bootstrapServers();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(settings.timeout());
            producer = null;
        }
    }

    private static byte[] key(PipelineId pipeline) {
        return pipeline.name().getBytes(StandardCharsets.UTF_8);
    }
}
