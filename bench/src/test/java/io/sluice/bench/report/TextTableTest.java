package io.sluice.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void firstColumnIsLeftAlignedAndFiguresAreRightAligned() {
        String table = new TextTable("mode", "events/s")
                .row("streaming", "52,300")
                .row("snapshot", "900")
                .render();

        assertThat(table).isEqualTo("""
                mode       events/s
                ---------  --------
                streaming    52,300
                snapshot        900
                """);
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TextTable("a", "b").row("only one"))
                .withMessageContaining("1 cells").withMessageContaining("2 columns");
    }
}
