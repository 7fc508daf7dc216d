package io.sluice.engine.sink;

/** A sink cannot go on: the pipeline stops with this message (no stack trace shown to the user). */
public class SinkException extends Exception {
    public SinkException(String message) {
        super(message);
    }

    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
