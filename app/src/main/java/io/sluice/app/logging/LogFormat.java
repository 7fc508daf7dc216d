package io.sluice.app.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How log lines look: {@link #TEXT} for people (the default, from {@code logback.xml}), {@link #JSON} for log
 * collectors, one object per line ({@link JsonLineLayout}). Chosen by {@code --log-format} or the environment
 * variable {@value #ENVIRONMENT}.
 */
public enum LogFormat {
    TEXT,
    JSON;

    public static final String ENVIRONMENT = "SLUICE_LOG_FORMAT";

    /** {@code text} or {@code json}, in any case. */
    public static LogFormat parse(String name) {
        for (LogFormat format : values()) {
            if (format.name().equalsIgnoreCase(name.trim())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + name + "'; use text or json");
    }

    /**
     * Makes the console appenders of the logging configuration write this format. The text format is the one
     * {@code logback.xml} sets up, so only JSON replaces something; a logging backend other than logback (or a
     * configuration of the user's own without a console appender) is left as it is.
     */
    public void install() {
        if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME)
                .iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof ConsoleAppender<ILoggingEvent> console) {
                JsonLineLayout layout = new JsonLineLayout();
                layout.setContext(context);
                layout.start();
                LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
                encoder.setContext(context);
                encoder.setLayout(layout);
                encoder.start();
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }
}
