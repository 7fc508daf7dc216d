package io.sluice.bench.jmh;

import io.sluice.engine.debezium.OrdersFixture;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.sink.codec.EventJson;
import io.sluice.sink.kafka.KafkaRecordMapper;
import io.sluice.sink.kafka.TopicTemplate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One event to its Kafka producer record (topic, key, value, headers) with the sink's default template. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KafkaRecordMapperBenchmark {
    private KafkaRecordMapper mapper;
    private ChangeEvent update;

    @Setup
    public void setUp() {
        mapper = new KafkaRecordMapper(TopicTemplate.parse("{database}.{schema}.{table}"), new EventJson(), true);
        update = OrdersFixture.updateEvent(42);
    }

    @Benchmark
    public List<ProducerRecord<byte[], byte[]>> map() {
        return mapper.map(update);
    }
}
