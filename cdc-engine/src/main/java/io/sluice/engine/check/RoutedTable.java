package io.sluice.engine.check;

import java.util.Objects;

/**
 * A captured table as one sink receives it: its shape and the name template it is routed with (the topic, index
 * or key template a transform sets for the table, or else the sink's own).
 */
public record RoutedTable(TableShape shape, String template) {
    public RoutedTable {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(template, "template");
    }
}
