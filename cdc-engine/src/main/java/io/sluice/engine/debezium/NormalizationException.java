package io.sluice.engine.debezium;

import io.sluice.engine.event.TableId;

/**
 * A Debezium change record could not be turned into a {@link io.sluice.engine.event.ChangeEvent}. The message names
 * the table and the LSN and says what could not be converted; it never contains row values, so it is safe to log
 * and to show to users.
 */
public class NormalizationException extends Exception {
    private final transient TableId table;

    public NormalizationException(TableId table, String message) {
        super(message);
        this.table = table;
    }

    /** The table the record belongs to, or {@code null} when the record did not say. */
    public TableId table() {
        return table;
    }
}
