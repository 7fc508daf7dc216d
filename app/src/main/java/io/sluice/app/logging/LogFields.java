package io.sluice.app.logging;

import io.sluice.engine.LogContext;
import java.util.Map;

/**
 * The pipeline, sink and table of a log line, from its MDC. Sluice's own threads set them ({@link LogContext});
 * Debezium's threads carry the connector's logical name, which Sluice makes the pipeline's name, so their lines
 * name the pipeline too.
 */
record LogFields(String pipeline, String sink, String table) {
    /** Debezium's MDC key for the connector's logical name ({@code topic.prefix}, the pipeline's name in Sluice). */
    static final String DEBEZIUM_CONNECTOR = "dbz.connectorLogicalName";

    static LogFields of(Map<String, String> mdc) {
        String pipeline = mdc.get(LogContext.PIPELINE);
        return new LogFields(pipeline != null ? pipeline : mdc.get(DEBEZIUM_CONNECTOR), mdc.get(LogContext.SINK),
                mdc.get(LogContext.TABLE));
    }

    /** {@code [orders/kafka/public.orders] }: the fields present, or nothing when none is. */
    String bracketed() {
        StringBuilder text = new StringBuilder();
        for (String field : new String[] {pipeline, sink, table}) {
            if (field != null) {
                text.append(text.length() == 0 ? "[" : "/").append(field);
            }
        }
        return text.length() == 0 ? "" : text.append("] ").toString();
    }
}
