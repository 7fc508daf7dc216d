package io.sluice.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = new LoggerContext();
    private final JsonLineLayout layout = new JsonLineLayout();

    @Test
    void aLineIsOneJsonObjectWithTimeLevelLoggerThreadContextAndMessage() throws IOException {
        LoggingEvent event = event("pipeline '{}': \"streaming\"\nagain", null, "orders");
        event.setMDCPropertyMap(Map.of("pipeline", "orders", "sink", "kafka", "table", "public.orders"));

        String line = layout.doLayout(event);

        assertThat(line).endsWith("\n").doesNotContain("\r").hasLineCount(1);
        JsonNode json = JSON.readTree(line);
        assertThat(json.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("logger").asText()).isEqualTo("io.sluice.engine.Pipeline");
        assertThat(json.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(json.path("pipeline").asText()).isEqualTo("orders");
        assertThat(json.path("sink").asText()).isEqualTo("kafka");
        assertThat(json.path("table").asText()).isEqualTo("public.orders");
        assertThat(json.path("message").asText()).isEqualTo("pipeline 'orders': \"streaming\"\nagain");
        assertThat(json.has("error")).isFalse();
    }

    @Test
    void debeziumsConnectorNameStandsForThePipelineOnItsThreads() throws IOException {
        LoggingEvent event = event("Producer failure", null);
        event.setMDCPropertyMap(Map.of(LogFields.DEBEZIUM_CONNECTOR, "orders", "dbz.taskId", "0"));

        JsonNode json = JSON.readTree(layout.doLayout(event));

        assertThat(json.path("pipeline").asText()).isEqualTo("orders");
        assertThat(json.has("sink")).isFalse();
        assertThat(json.has("dbz.taskId")).isFalse();
    }

    @Test
    void anExceptionIsOneErrorFieldNamingItsCausesWithoutStackTrace() throws IOException {
        Exception failure = new IllegalStateException("engine failed",
                new java.sql.SQLException("connection refused"));
        LoggingEvent event = event("Engine has failed with ", failure);
        event.setMDCPropertyMap(Map.of());

        JsonNode json = JSON.readTree(layout.doLayout(event));

        assertThat(json.path("error").asText())
                .isEqualTo("IllegalStateException: engine failed; caused by SQLException: connection refused");
        assertThat(json.has("pipeline")).isFalse();
    }

    @Test
    void textContextNamesThePresentFieldsInOrder() {
        assertThat(new LogFields("orders", "kafka", "public.orders").bracketed())
                .isEqualTo("[orders/kafka/public.orders] ");
        assertThat(new LogFields("orders", null, null).bracketed()).isEqualTo("[orders] ");
        assertThat(new LogFields(null, null, null).bracketed()).isEmpty();
    }

    private LoggingEvent event(String message, Throwable throwable, Object... arguments) {
        return new LoggingEvent(JsonLineLayoutTest.class.getName(), context.getLogger("io.sluice.engine.Pipeline"),
                Level.INFO, message, throwable, arguments);
    }
}
