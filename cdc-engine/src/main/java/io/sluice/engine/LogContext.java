package io.sluice.engine;

import org.slf4j.MDC;

/**
 * The pipeline, sink and table the current thread works for, in SLF4J's MDC, so that every line logged meanwhile
 * names them (the log layout prints them as {@code [orders/kafka]} or as JSON fields). Set by whoever starts work on
 * a thread: the dispatcher around a sink's writes, the source handler around a batch, the slot monitor around a
 * check. Closing restores what the thread had before, so contexts nest (a sink inside a pipeline).
 */
public final class LogContext implements AutoCloseable {
    public static final String PIPELINE = "pipeline";
    public static final String SINK = "sink";
    public static final String TABLE = "table";

    private final String[] keys;
    private final String[] previous;

    private LogContext(String... keysAndValues) {
        keys = new String[keysAndValues.length / 2];
        previous = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = keysAndValues[2 * i];
            previous[i] = MDC.get(keys[i]);
            put(keys[i], keysAndValues[2 * i + 1]);
        }
    }

    /** Work for one pipeline, no particular sink or table. */
    public static LogContext pipeline(String pipeline) {
        return new LogContext(PIPELINE, pipeline, SINK, null, TABLE, null);
    }

    /** Work for one sink of a pipeline. */
    public static LogContext sink(String pipeline, String sink) {
        return new LogContext(PIPELINE, pipeline, SINK, sink);
    }

    /** Work on one table's events, within the pipeline and sink already set. */
    public static LogContext table(String table) {
        return new LogContext(TABLE, table);
    }

    @Override
    public void close() {
        for (int i = keys.length - 1; i >= 0; i--) {
            put(keys[i], previous[i]);
        }
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
