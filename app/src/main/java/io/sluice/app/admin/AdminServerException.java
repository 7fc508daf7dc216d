package io.sluice.app.admin;

/** The admin endpoint could not start, e.g. because its port is taken; the message says what to change. */
public final class AdminServerException extends Exception {
    private static final long serialVersionUID = 1L;

    AdminServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
