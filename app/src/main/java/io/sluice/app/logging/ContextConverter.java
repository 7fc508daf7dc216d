package io.sluice.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %context} in a logback pattern: the line's pipeline, sink and table, e.g. {@code [orders/kafka] }. */
public final class ContextConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogFields.of(event.getMDCPropertyMap()).bracketed();
    }
}
