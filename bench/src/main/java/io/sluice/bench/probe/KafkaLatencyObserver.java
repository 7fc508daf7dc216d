package io.sluice.bench.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.probe.WatchedRows.Watch;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A thread that reads every record of the run's topic (created with {@code message.timestamp.type=LogAppendTime},
 * so the record timestamp is when the broker appended it) and records, per inserted row, the broker's append time
 * minus the commit timestamp PostgreSQL gave the transaction (the event's {@code source.commit_time}, microseconds);
 * and for sampled rows the append time as the moment Kafka held the row. Append times have millisecond resolution.
 */
public final class KafkaLatencyObserver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Object lock = new Object();
    private long[] ids = new long[1024];
    private double[] millis = new double[1024];
    private int count;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    public KafkaLatencyObserver(String bootstrapServers, String topic, WatchedRows watched, int slot) {
        consumer = KafkaProbe.consumer(bootstrapServers);
        consumer.assign(KafkaProbe.partitions(consumer, topic));
        consumer.seekToBeginning(consumer.assignment());
        thread = new Thread(() -> read(watched, slot), "bench-kafka-latency");
        thread.setDaemon(true);
        thread.start();
    }

    private void read(WatchedRows watched, int slot) {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() != null) {
                        observe(record, watched, slot);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked the consumer to stop
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void observe(ConsumerRecord<byte[], byte[]> record, WatchedRows watched, int slot) {
        if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
            throw new IllegalStateException("topic " + record.topic() + " does not use LogAppendTime; record "
                    + "timestamps would not say when the broker appended them");
        }
        JsonNode event;
        try {
            event = JSON.readTree(record.value());
        } catch (IOException e) {
            throw new IllegalStateException("a record of " + record.topic() + " is not JSON", e);
        }
        if (!"c".equals(event.path("op").asText())) {
            return;
        }
        long id = event.path("after").path("id").asLong();
        long commitMicros = ChronoUnit.MICROS.between(Instant.EPOCH,
                Instant.parse(event.path("source").path("commit_time").asText()));
        long appendMicros = record.timestamp() * 1000;
        synchronized (lock) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                millis = Arrays.copyOf(millis, count * 2);
            }
            ids[count] = id;
            millis[count] = (appendMicros - commitMicros) / 1000.0;
            count++;
        }
        Watch watch = watched.get(id);
        if (watch != null) {
            watch.seen(slot, appendMicros);
        }
    }

    /** Append time minus commit time, in milliseconds, of every inserted row with an id in {@code first..last}. */
    public double[] latencies(long first, long last) {
        synchronized (lock) {
            double[] selected = new double[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (ids[i] >= first && ids[i] <= last) {
                    selected[n++] = millis[i];
                }
            }
            return Arrays.copyOf(selected, n);
        }
    }

    public void requireHealthy() {
        if (failure != null) {
            throw new IllegalStateException("reading Kafka failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
