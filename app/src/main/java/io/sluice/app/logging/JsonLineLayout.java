package io.sluice.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One JSON object per line, for log collectors:
 * {@code {"time":"2026-11-22T10:15:30.123Z","level":"INFO","logger":"io.sluice.engine.Pipeline","thread":"main",
 * "pipeline":"orders","message":"pipeline 'orders': streaming"}}. {@code pipeline}, {@code sink} and {@code table}
 * appear when the line has them; {@code error} names an attached exception and its causes on one line (no stack
 * trace: messages say what went wrong).
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter line = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            LogFields fields = LogFields.of(event.getMDCPropertyMap());
            writeIfPresent(json, "pipeline", fields.pipeline());
            writeIfPresent(json, "sink", fields.sink());
            writeIfPresent(json, "table", fields.table());
            json.writeStringField("message", event.getFormattedMessage());
            writeIfPresent(json, "error", describe(event.getThrowableProxy()));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a log line as JSON", e);
        }
        return line.append('\n').toString();
    }

    private static void writeIfPresent(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    /** {@code SomeException: message; caused by OtherException: message}, or null without an exception. */
    private static String describe(IThrowableProxy throwable) {
        if (throwable == null) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
            if (text.length() > 0) {
                text.append("; caused by ");
            }
            String type = t.getClassName();
            text.append(type.substring(type.lastIndexOf('.') + 1));
            if (t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
        }
        return text.toString();
    }
}
