package io.sluice.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LatencyScenarioTest {

    @Test
    void lagGrowthIsNearZeroWhenLatencyIsSteady() {
        double[] steady = IntStream.range(0, 100).mapToDouble(i -> 20 + i % 3).toArray();

        assertThat(LatencyScenario.lagGrowth(steady)).isZero();
    }

    @Test
    void lagGrowthShowsLatencyThatGrowsOverTheWindow() {
        double[] growing = IntStream.range(0, 100).mapToDouble(i -> 10.0 * i).toArray();

        assertThat(LatencyScenario.lagGrowth(growing)).isEqualTo(945 - 45);
    }

    @Test
    void tooFewSamplesGiveNoFigure() {
        assertThat(LatencyScenario.lagGrowth(new double[] {1, 2, 3})).isNaN();
    }
}
