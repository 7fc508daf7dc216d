package io.sluice.sink.kafka;

import io.sluice.config.deadletter.KafkaDeadLetterConfig;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.engine.sink.SinkException;
import io.sluice.sink.codec.DeadLetterJson;
import io.sluice.sink.codec.StoredDeadLetter;
import io.sluice.sink.deadletter.DeadLetterStore;
import io.sluice.sink.deadletter.DeadLetterStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The dead letters of a {@link KafkaDeadLetterQueue}'s topic, read back for {@code sluice dead-letters}.
 *
 * <p>Each sink of the pipeline has its own consumer group, {@value #GROUP_PREFIX}{@code <pipeline>.<sink>}: its
 * committed offsets mark how far that sink's letters were replayed, and its pending letters are those of the sink
 * after them. A replay reads up to the end the topic had when it started, and after each batch re-publishes the
 * letters the sink rejected again (with their new reason, so they come after that end and wait for the next replay)
 * and then commits the group's offsets past the batch. A replay killed between the two leaves the batch pending as
 * well as the re-published copies: replaying twice is harmless, as sinks are idempotent. The topic keeps every
 * record until its retention removes it; "replayed" only moves the group.
 *
 * <p>The reader uses no group membership, so two replays of one sink at once both apply the same letters
 * (harmless, but wasteful); run one at a time.
 */
public final class KafkaDeadLetterStore implements DeadLetterStore {
    static final String GROUP_PREFIX = "sluice.dead-letters.";
    /** A read that gets no record for this long while records are due gives up. */
    private static final Duration STALL = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String pipeline;
    private final KafkaDeadLetterConfig config;
    private final Clock clock;
    private final DeadLetterJson json = new DeadLetterJson();
    private DeadLetterTopic topic;
    private Producer<byte[], byte[]> producer;

    public KafkaDeadLetterStore(String pipeline, KafkaDeadLetterConfig config, Clock clock) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The consumer group that marks how far a sink's dead letters were replayed. */
    public static String group(String pipeline, String sink) {
        return GROUP_PREFIX + pipeline + "." + sink;
    }

    @Override
    public String describe() {
        return DeadLetterTopic.describe(config.topicFor(pipeline), config.bootstrapServers());
    }

    /** Checks the settings; connects nothing (each read connects and says why it cannot). */
    @Override
    public void open() throws DeadLetterStoreException {
        try {
            topic = DeadLetterTopic.of(pipeline, config);
        } catch (SinkException e) {
            throw new DeadLetterStoreException(e.getMessage(), e);
        }
    }

    @Override
    public void forEachPending(Collection<String> sinks, Consumer<StoredDeadLetter> each, Consumer<String> unreadable)
            throws DeadLetterStoreException, InterruptedException {
        Set<String> problems = new LinkedHashSet<>();
        for (String sink : sinks) {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(sink)) {
                read(consumer, sink, record -> {
                    try {
                        StoredDeadLetter letter = json.decode(record.value());
                        if (isOf(letter, sink)) {
                            each.accept(letter);
                        }
                    } catch (IllegalArgumentException e) {
                        problems.add(where(record) + ": " + e.getMessage());
                    }
                });
            } catch (SinkException e) {
                throw new IllegalStateException("only a replay applies letters to a sink", e);
            }
        }
        problems.forEach(unreadable);
    }

    @Override
    public void replay(String sink, int batchSize, Replayer replayer)
            throws DeadLetterStoreException, SinkException, InterruptedException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(sink)) {
            Batch batch = new Batch(consumer, replayer);
            RecordStep step = record -> {
                StoredDeadLetter letter;
                try {
                    letter = json.decode(record.value());
                } catch (IllegalArgumentException e) {
                    batch.settle();
                    throw new DeadLetterStoreException(where(record) + " cannot be read (" + e.getMessage()
                            + "); the replay of sink " + sink + " stopped before it. Skip it by committing offset "
                            + (record.offset() + 1) + " of that partition for consumer group " + group(pipeline, sink)
                            + " (kafka-consumer-groups.sh --reset-offsets)");
                }
                batch.progress.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
                if (isOf(letter, sink)) {
                    batch.letters.add(letter.letter());
                    if (batch.letters.size() == batchSize) {
                        batch.settle();
                    }
                }
            };
            read(consumer, sink, step);
            batch.settle();
        }
    }

    /** The letters read since the last settled batch, and the offsets just past them. */
    private final class Batch {
        final KafkaConsumer<byte[], byte[]> consumer;
        final Replayer replayer;
        final List<DeadLetter> letters = new ArrayList<>();
        final Map<TopicPartition, OffsetAndMetadata> progress = new HashMap<>();

        Batch(KafkaConsumer<byte[], byte[]> consumer, Replayer replayer) {
            this.consumer = consumer;
            this.replayer = replayer;
        }

        /** Replays the letters, re-publishes those rejected again, then commits the offsets past them. */
        void settle() throws DeadLetterStoreException, SinkException, InterruptedException {
            if (!letters.isEmpty()) {
                List<DeadLetter> again = replayer.apply(List.copyOf(letters));
                if (!again.isEmpty()) {
                    publish(again);
                }
            }
            if (!progress.isEmpty()) {
                try {
                    consumer.commitSync(progress, DeadLetterTopic.TIMEOUT);
                } catch (InterruptException e) {
                    throw topic.interrupted(e);
                } catch (KafkaException e) {
                    throw new DeadLetterStoreException(topic.where + ": cannot commit the replay's progress for"
                            + " consumer group " + consumer.groupMetadata().groupId() + " (the batch just replayed"
                            + " stays pending; replaying it again is harmless): " + explain(e), e);
                }
            }
            letters.clear();
            progress.clear();
        }
    }

    /** Sends the letters rejected again to the topic and waits for every acknowledgement. */
    private void publish(List<DeadLetter> letters) throws DeadLetterStoreException, InterruptedException {
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(topic.settings.producer());
            }
            Instant now = clock.instant();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (DeadLetter letter : letters) {
                sent.add(producer.send(new ProducerRecord<>(topic.name, json.key(letter), json.encode(letter, now))));
            }
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        } catch (InterruptException e) {
            throw topic.interrupted(e);
        } catch (java.util.concurrent.ExecutionException | KafkaException e) {
            Throwable cause = e.getCause() != null && !(e instanceof KafkaException) ? e.getCause() : e;
            throw new DeadLetterStoreException(topic.where + ": cannot write back the letters rejected again (the"
                    + " batch stays pending; replaying it again is harmless): " + explain(cause), cause);
        }
    }

    /** What a read does with each record. */
    @FunctionalInterface
    private interface RecordStep {
        void accept(ConsumerRecord<byte[], byte[]> record)
                throws DeadLetterStoreException, SinkException, InterruptedException;
    }

    /**
     * Hands every record from the group's committed offsets (or the start) up to the end the topic has now to
     * {@code step}, partition by partition in offset order. A missing topic holds nothing.
     */
    private void read(KafkaConsumer<byte[], byte[]> consumer, String sink, RecordStep step)
            throws DeadLetterStoreException, SinkException, InterruptedException {
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic.name, DeadLetterTopic.TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(assigned),
                    DeadLetterTopic.TIMEOUT);
            for (TopicPartition partition : assigned) {
                OffsetAndMetadata at = committed.get(partition);
                if (at == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, at);
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, DeadLetterTopic.TIMEOUT);
            Instant stalledSince = clock.instant();
            while (assigned.stream().anyMatch(p -> consumer.position(p, DeadLetterTopic.TIMEOUT) < end.get(p))) {
                var records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    if (clock.instant().isAfter(stalledSince.plus(STALL))) {
                        throw new DeadLetterStoreException(topic.where + ": no record arrived for "
                                + STALL.toSeconds() + " s while some were due (for consumer group "
                                + group(pipeline, sink) + ")");
                    }
                    continue;
                }
                stalledSince = clock.instant();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        step.accept(record);
                    }
                }
            }
        } catch (InterruptException e) {
            throw topic.interrupted(e);
        } catch (KafkaException e) {
            throw new DeadLetterStoreException(topic.where + ": cannot read the topic: " + explain(e), e);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String sink) throws DeadLetterStoreException {
        if (topic == null) {
            throw new IllegalStateException(describe() + ": not open");
        }
        try {
            return new KafkaConsumer<>(topic.settings.consumer(group(pipeline, sink)));
        } catch (KafkaException e) {
            throw new DeadLetterStoreException(topic.where + ": cannot create a consumer: " + explain(e), e);
        }
    }

    private boolean isOf(StoredDeadLetter letter, String sink) {
        return letter.letter().pipeline().equals(pipeline) && letter.letter().sink().equals(sink);
    }

    private String explain(Throwable error) {
        return KafkaErrors.explain(error, topic.settings::redact);
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return "record " + record.offset() + " of partition " + record.partition() + " of topic '" + record.topic()
                + "'";
    }

    @Override
    public void close() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                // Every letter written back was acknowledged before its batch was committed; nothing is lost.
            }
            producer = null;
        }
    }
}
