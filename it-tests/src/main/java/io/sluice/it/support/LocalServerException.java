package io.sluice.it.support;

/** A local server could not be started, stopped or used; the message carries the server log's tail. */
public class LocalServerException extends RuntimeException {

    public LocalServerException(String message) {
        super(message);
    }

    public LocalServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
