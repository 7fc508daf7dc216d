package io.sluice.app.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void namesAreReadInAnyCase() {
        assertThat(LogFormat.parse("json")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse(" JSON ")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse("Text")).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void anUnknownNameSaysWhatIsAccepted() {
        assertThatThrownBy(() -> LogFormat.parse("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown log format 'xml'; use text or json");
    }
}
