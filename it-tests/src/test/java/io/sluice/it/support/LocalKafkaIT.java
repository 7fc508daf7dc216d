package io.sluice.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LocalKafkaIT {

    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void producesAndConsumesARecordThroughAConsumerGroup() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            send(kafka, "orders", "order-1", "created");

            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(kafka, "sluice-test"))) {
                consumer.subscribe(List.of("orders"));
                Deadline deadline = Deadline.in(RECEIVE_TIMEOUT);
                while (received.isEmpty() && !deadline.hasPassed()) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                consumer.commitSync();
            }

            assertThat(received).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("order-1");
                assertThat(record.value()).isEqualTo("created");
            });
        }
    }

    @Test
    void createsTopicsWithTheRequestedPartitions() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(3); Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            kafka.createTopic("explicit", 2);
            send(kafka, "automatic", "k", "v");

            assertThat(partitions(admin, "explicit")).isEqualTo(2);
            assertThat(partitions(admin, "automatic")).isEqualTo(3);
        }
    }

    @Test
    void restartAfterStopKeepsTheTopicsRecordsAndPort() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("kept", 1);
            send(kafka, "kept", "a", "1");

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.restart();

            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            send(kafka, "kept", "b", "2");
            assertThat(readAll(kafka, "kept", 2)).containsExactly("a=1", "b=2");
        }
    }

    @Test
    void restartAfterKillKeepsAcknowledgedRecords() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopic("crash", 1);
            send(kafka, "crash", "a", "1");

            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            kafka.restart();

            assertThat(readAll(kafka, "crash", 1)).containsExactly("a=1");
        }
    }

    private static void send(LocalKafka kafka, String topic, String key, String value)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(LocalKafka kafka, String topic, int expected) {
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(kafka, null))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Deadline deadline = Deadline.in(RECEIVE_TIMEOUT);
            while (received.size() < expected && !deadline.hasPassed()) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.key() + "=" + r.value()));
            }
        }
        return received;
    }

    private static Map<String, Object> consumerConfig(LocalKafka kafka, String groupId) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return config;
    }

    private static int partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
    }
}
