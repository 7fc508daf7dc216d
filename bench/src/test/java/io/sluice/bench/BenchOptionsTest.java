package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsMeasureEverythingThreeTimesWith200kRows() {
        BenchOptions options = BenchOptions.from(name -> null);

        assertThat(options.rows()).isEqualTo(200_000);
        assertThat(options.repeats()).isEqualTo(3);
        assertThat(options.sinkSets()).extracting(SinkSet::label)
                .containsExactly("kafka", "elasticsearch", "redis", "all");
        assertThat(options.modes()).containsExactly(Mode.STREAMING, Mode.BACKLOG, Mode.SNAPSHOT, Mode.LATENCY);
        assertThat(options.latencyRates()).containsExactly(5000, 10000);
        assertThat(options.warmupRows()).isEqualTo(20_000);
        assertThat(options.sluiceJvmOptions()).isEmpty();
        assertThat(options.launcher()).isEqualTo(Path.of("sluice").toAbsolutePath());
    }

    @Test
    void countsTakeThousandAndMillionSuffixes() {
        BenchOptions options = BenchOptions.from(Map.of("bench.rows", "1M", "bench.warmupRows", "20k")::get);

        assertThat(options.rows()).isEqualTo(1_000_000);
        assertThat(options.warmupRows()).isEqualTo(20_000);
    }

    @Test
    void listsAndJvmOptionsAreSplit() {
        BenchOptions options = BenchOptions.from(Map.of(
                "bench.sinks", "kafka, es+redis",
                "bench.modes", "backlog,latency",
                "bench.latencyRates", "5k,40000",
                "bench.latencySeconds", "10",
                "bench.sluiceJvmArgs", " -Xmx512m  -XX:StartFlightRecording=filename={run}.jfr ")::get);

        assertThat(options.sinkSets()).extracting(SinkSet::label).containsExactly("kafka", "elasticsearch+redis");
        assertThat(options.modes()).containsExactly(Mode.BACKLOG, Mode.LATENCY);
        assertThat(options.latencyRates()).containsExactly(5000, 40000);
        assertThat(options.latencyWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.sluiceJvmOptions())
                .isEqualTo(List.of("-Xmx512m", "-XX:StartFlightRecording=filename={run}.jfr"));
    }

    @Test
    void badValuesNameTheProperty() {
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.from(Map.of("bench.rows", "many")::get))
                .withMessageContaining("-Dbench.rows=many");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.from(Map.of("bench.repeats", "0")::get))
                .withMessageContaining("-Dbench.repeats must be at least 1");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.from(Map.of("bench.sinks", "mongo")::get))
                .withMessageContaining("-Dbench.sinks=mongo").withMessageContaining("unknown sink 'mongo'");
        assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.from(Map.of("bench.modes", "fast")::get))
                .withMessageContaining("unknown mode 'fast'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> BenchOptions.from(Map.of("bench.latencyRates", "5000,x")::get))
                .withMessageContaining("'x' is not a count");
    }

    @Test
    void allIsTheSetOfEverySink() {
        assertThat(SinkSet.parse("all").sinks()).containsExactlyInAnyOrder(Sink.values());
        assertThat(SinkSet.parse("kafka+elasticsearch+redis").label()).isEqualTo("all");
    }
}
