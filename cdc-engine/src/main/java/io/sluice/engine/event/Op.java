package io.sluice.engine.event;

/** What happened to a row. */
public enum Op {
    /** A row read by a snapshot: the row's state at the snapshot's position. */
    READ("r"),
    INSERT("c"),
    UPDATE("u"),
    DELETE("d"),
    /** Every row of the table was removed; the event has no key and no row images. */
    TRUNCATE("t");

    private final String code;

    Op(String code) {
        this.code = code;
    }

    /** The one-letter code used in the JSON form and Kafka headers (Debezium's letters, so consumers feel at home). */
    public String code() {
        return code;
    }
}
