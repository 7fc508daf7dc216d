package io.sluice.engine.debezium;

/** Turns one non-null Kafka Connect value into the JSON-friendly form {@link io.sluice.engine.event.Row} allows. */
@FunctionalInterface
interface ValueConverter {
    Object convert(Object value) throws UnconvertibleValueException;
}
