package io.sluice.bench.probe;

import io.sluice.bench.Sink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka: the sum of the topic's end offsets (high watermarks). A record is below the high watermark once every
 * in-sync replica has it, which is exactly when a producer with {@code acks=all} gets its acknowledgement; the
 * workload deletes nothing, so one event is one record.
 */
public final class KafkaProbe implements SinkProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final List<TopicPartition> partitions;

    public KafkaProbe(String bootstrapServers, String topic) {
        this.topic = topic;
        this.consumer = consumer(bootstrapServers);
        this.partitions = partitions(consumer, topic);
        // Assigned, so that the consumer keeps the end offsets it fetches instead of warning about them.
        consumer.assign(partitions);
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("Kafka topic " + topic + " does not exist; the harness creates it first");
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    @Override
    public Sink sink() {
        return Sink.KAFKA;
    }

    @Override
    public long progress() {
        return consumer.endOffsets(partitions, TIMEOUT).values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public boolean reached(Target target) {
        return progress() >= target.events();
    }

    @Override
    public Check check(Target target) {
        long records = progress();
        if (records < target.events()) {
            return Check.problem("Kafka topic " + topic + " holds " + records + " records, expected "
                    + target.events());
        }
        return records == target.events() ? Check.OK : Check.note("Kafka topic " + topic + " holds "
                + (records - target.events()) + " records more than the " + target.events() + " events written");
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
