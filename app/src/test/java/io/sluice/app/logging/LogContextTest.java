package io.sluice.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.LogContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The engine's {@link LogContext} as the log layouts read it ({@link LogFields}). */
class LogContextTest {
    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void nestedContextsAddTheirFieldsAndRestoreTheOuterOnesOnClose() {
        try (LogContext pipeline = LogContext.pipeline("orders")) {
            try (LogContext sink = LogContext.sink("orders", "kafka")) {
                try (LogContext table = LogContext.table("public.orders")) {
                    assertThat(fields()).isEqualTo(new LogFields("orders", "kafka", "public.orders"));
                }
                assertThat(fields()).isEqualTo(new LogFields("orders", "kafka", null));
            }
            assertThat(fields()).isEqualTo(new LogFields("orders", null, null));
        }
        assertThat(fields()).isEqualTo(new LogFields(null, null, null));
    }

    @Test
    void aPipelineContextHidesASinkOfOuterWorkUntilItCloses() {
        MDC.put(LogContext.SINK, "redis");
        try (LogContext pipeline = LogContext.pipeline("orders")) {
            assertThat(fields()).isEqualTo(new LogFields("orders", null, null));
        }
        assertThat(MDC.get(LogContext.SINK)).isEqualTo("redis");
    }

    private static LogFields fields() {
        java.util.Map<String, String> mdc = MDC.getCopyOfContextMap();
        return LogFields.of(mdc == null ? java.util.Map.of() : mdc);
    }
}
