package io.sluice.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankPercentilesOfAHundredSamplesAreThoseSamples() {
        double[] samples = IntStream.rangeClosed(1, 100).mapToDouble(i -> 101 - i).toArray();

        Percentiles percentiles = Percentiles.of(samples);

        assertThat(percentiles).isEqualTo(new Percentiles(50, 95, 99, 100, 100));
    }

    @Test
    void aHighPercentileOfFewSamplesIsTheLargestSampleNotAnInterpolation() {
        Percentiles percentiles = Percentiles.of(new double[] {1, 2, 3, 1000});

        assertThat(percentiles.p50()).isEqualTo(2);
        assertThat(percentiles.p95()).isEqualTo(1000);
        assertThat(percentiles.p99()).isEqualTo(1000);
    }

    @Test
    void theSamplesAreNotReordered() {
        double[] samples = {3, 1, 2};

        Percentiles.of(samples);

        assertThat(samples).containsExactly(3, 1, 2);
    }

    @Test
    void noSamplesGiveNoFigures() {
        assertThat(Percentiles.of(new double[0])).isEqualTo(Percentiles.NONE);
        assertThat(Percentiles.NONE.p99()).isNaN();
    }

    @Test
    void percentilesOutsideTheRangeAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Percentiles.rank(new double[] {1}, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> Percentiles.rank(new double[] {1}, 101));
    }
}
