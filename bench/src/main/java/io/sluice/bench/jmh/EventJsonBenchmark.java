package io.sluice.bench.jmh;

import io.sluice.engine.debezium.OrdersFixture;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.sink.codec.EventJson;
import java.util.concurrent.TimeUnit;
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

/** The event JSON every sink writes ({@link EventJson}): a whole event, and the key Kafka records carry. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventJsonBenchmark {
    private EventJson json;
    private ChangeEvent insert;
    private ChangeEvent update;

    @Setup
    public void setUp() {
        json = new EventJson();
        insert = OrdersFixture.insertEvent(42);
        update = OrdersFixture.updateEvent(42);
    }

    @Benchmark
    public byte[] encodeInsert() {
        return json.encode(insert);
    }

    @Benchmark
    public byte[] encodeUpdate() {
        return json.encode(update);
    }

    @Benchmark
    public byte[] keyBytes() {
        return json.keyBytes(update.key());
    }
}
