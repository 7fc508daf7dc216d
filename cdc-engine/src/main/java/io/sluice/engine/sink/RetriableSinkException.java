package io.sluice.engine.sink;

/** The target cannot take the batch now (unreachable, overloaded) but may later: retry with backoff. */
public class RetriableSinkException extends SinkException {
    public RetriableSinkException(String message) {
        super(message);
    }

    public RetriableSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
