package io.sluice.engine;

/**
 * A pipeline cannot go on. The message is meant for the user as is: it names the pipeline and the server, sink or
 * table involved and says what went wrong in plain words; the cause is kept for debug logs only.
 */
public class PipelineException extends Exception {
    public PipelineException(String message) {
        super(message);
    }

    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
