package io.sluice.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertThat(Spread.of(30, 10, 20)).isEqualTo(new Spread(20, 10, 30, 3));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(Spread.of(4, 1, 3, 2).median()).isEqualTo(2.5);
    }

    @Test
    void unmeasuredValuesAreLeftOut() {
        assertThat(Spread.of(Arrays.asList(5.0, Double.NaN, 7.0, null))).isEqualTo(new Spread(6, 5, 7, 2));
    }

    @Test
    void noValuesGiveAnEmptySpread() {
        assertThat(Spread.of(Double.NaN).isEmpty()).isTrue();
        assertThat(Spread.of().median()).isNaN();
    }
}
