package io.sluice.engine.check;

import io.sluice.engine.event.TableId;
import java.util.List;
import java.util.Objects;

/**
 * A captured table as its events reach the sinks, as a preflight check found it in the catalog.
 *
 * @param table   the table
 * @param columns its columns in table order, after the source's column filters and the pipeline's transforms
 */
public record TableShape(TableId table, List<ColumnShape> columns) {
    public TableShape {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
    }
}
