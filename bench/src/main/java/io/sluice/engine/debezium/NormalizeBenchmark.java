package io.sluice.engine.debezium;

import io.sluice.engine.event.ChangeEvent;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
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

/** One Debezium record of {@code orders} to a Sluice change event ({@link EventNormalizer#normalize}). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NormalizeBenchmark {
    private EventNormalizer normalizer;
    private SourceRecord insert;
    private SourceRecord update;

    @Setup
    public void setUp() {
        normalizer = OrdersFixture.normalizer();
        insert = OrdersFixture.insert(42);
        update = OrdersFixture.update(42);
    }

    @Benchmark
    public ChangeEvent insert() throws NormalizationException {
        return normalizer.normalize(insert, 1000, 1000);
    }

    @Benchmark
    public ChangeEvent update() throws NormalizationException {
        return normalizer.normalize(update, 1000, 1000);
    }
}
