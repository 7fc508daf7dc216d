package io.sluice.bench;

/** A kind of sink the harness measures. */
public enum Sink {
    KAFKA("kafka"),
    ELASTICSEARCH("elasticsearch"),
    REDIS("redis");

    private final String label;

    Sink(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
