package io.sluice.engine.offset;

/** Offsets could not be read or written; the message names the store. */
public class OffsetStoreException extends Exception {
    public OffsetStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public OffsetStoreException(String message) {
        super(message);
    }
}
