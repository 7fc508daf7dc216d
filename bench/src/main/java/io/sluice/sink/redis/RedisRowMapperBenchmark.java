package io.sluice.sink.redis;

import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.debezium.OrdersFixture;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.sink.codec.EventJson;
import java.time.Duration;
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

/**
 * One event to the keys and arguments of its versioned-write script call ({@link RedisRowMapper}), in both value
 * modes, with the sink's default key template. In the sink's package (in the benchmark module) because the mapper is
 * package-private (so are the results, hence {@code Object}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RedisRowMapperBenchmark {
    private RedisRowMapper hash;
    private RedisRowMapper json;
    private ChangeEvent update;

    @Setup
    public void setUp() {
        EventJson codec = new EventJson();
        RedisKeyMapper keys = RedisKeyMapper.parse("{table}:{key}", codec);
        hash = new RedisRowMapper(keys, codec, RedisValueMode.HASH, null, Duration.ofHours(24));
        json = new RedisRowMapper(keys, codec, RedisValueMode.JSON, null, Duration.ofHours(24));
        update = OrdersFixture.updateEvent(42);
    }

    @Benchmark
    public Object hashValue() {
        return hash.map(update);
    }

    @Benchmark
    public Object jsonValue() {
        return json.map(update);
    }
}
