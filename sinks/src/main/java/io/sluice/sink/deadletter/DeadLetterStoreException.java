package io.sluice.sink.deadletter;

/** A dead-letter store cannot be read or changed; the message is meant for the operator as is. */
public class DeadLetterStoreException extends Exception {
    public DeadLetterStoreException(String message) {
        super(message);
    }

    public DeadLetterStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
