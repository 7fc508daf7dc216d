package io.sluice.sink.elasticsearch;

import io.sluice.engine.debezium.OrdersFixture;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.sink.codec.EventJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A dispatcher batch (2048 events, the default batch size) to bulk actions ({@link BulkRequestMapper}) and those to
 * requests per lane ({@link BulkPlanner}, default limits); times are per event. In the sink's package (in the
 * benchmark module) because both classes are package-private. Building the client's {@code BulkRequest} objects and
 * serializing them (ElasticsearchSink, private) is not covered.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BulkRequestBenchmark {
    static final int BATCH = 2048;

    private BulkRequestMapper mapper;
    private BulkPlanner planner;
    private List<ChangeEvent> batch;
    private List<BulkAction> actions;

    @Setup
    public void setUp() {
        mapper = new BulkRequestMapper(IndexNameTemplate.forIndex("{table}"), new EventJson());
        planner = new BulkPlanner(1000, 5 * 1024 * 1024, 2);
        batch = OrdersFixture.batch(BATCH);
        actions = mapper.map(batch, Map.of());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object map() {
        return mapper.map(batch, Map.of());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object plan() {
        return planner.plan(actions);
    }
}
