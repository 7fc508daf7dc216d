package io.sluice.engine.debezium;

/**
 * One column value could not be converted. The message says which column and why, never the value; the normalizer
 * adds the table and the LSN. No cause is kept because parser and number-format errors quote the input.
 */
final class UnconvertibleValueException extends Exception {
    UnconvertibleValueException(String message) {
        super(message, null, false, false);
    }
}
