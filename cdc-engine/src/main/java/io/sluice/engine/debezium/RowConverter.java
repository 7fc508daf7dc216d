package io.sluice.engine.debezium;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/** Converts the row (or key) Structs of one Connect schema; built once per schema and reused for every record. */
final class RowConverter {
    private final Column[] columns;
    private final boolean knowsKey;

    /**
     * @param keyColumns the table's key columns, used to recognise key-only {@code before} images; empty for a
     *                   converter of keys
     */
    RowConverter(Schema schema, Set<String> keyColumns, ValueConverters converters, ToastPlaceholder placeholder) {
        List<Field> fields = schema.fields();
        columns = new Column[fields.size()];
        for (int i = 0; i < columns.length; i++) {
            Field field = fields.get(i);
            Schema fieldSchema = field.schema();
            columns[i] = new Column(field.name(), field, fieldSchema.defaultValue() != null,
                    keyColumns.contains(field.name()), converters.forSchema(fieldSchema, field.name()),
                    placeholder.matcherFor(fieldSchema));
        }
        knowsKey = !keyColumns.isEmpty();
    }

    /** Every column as sent; for keys and for rows PostgreSQL sends in full (inserts and snapshot reads). */
    Map<String, Object> convert(Struct row) throws UnconvertibleValueException {
        Map<String, Object> values = new LinkedHashMap<>(capacity());
        for (Column column : columns) {
            values.put(column.name(), column.convert(column.raw(row)));
        }
        return values;
    }

    /** The new row of an update: unchanged TOAST columns are left out and their names added to {@code unchanged}. */
    Map<String, Object> convertOmittingUnchanged(Struct row, Set<String> unchanged) throws UnconvertibleValueException {
        Map<String, Object> values = new LinkedHashMap<>(capacity());
        for (Column column : columns) {
            Object raw = column.raw(row);
            if (column.isPlaceholder(raw)) {
                unchanged.add(column.name());
            } else {
                values.put(column.name(), column.convert(raw));
            }
        }
        return values;
    }

    /**
     * The old row. Unless the table has {@code REPLICA IDENTITY FULL}, PostgreSQL sends only the key columns and
     * Debezium fills the others with nulls or empty values that are not the row's, so such an image is cut down to
     * the key columns. Placeholders are left out as in new rows.
     */
    Map<String, Object> convertBefore(Struct row, boolean fullImage) throws UnconvertibleValueException {
        boolean keyOnly = knowsKey && !fullImage;
        Map<String, Object> values = new LinkedHashMap<>(capacity());
        for (Column column : columns) {
            if (keyOnly && !column.key()) {
                continue;
            }
            Object raw = column.raw(row);
            if (!column.isPlaceholder(raw)) {
                values.put(column.name(), column.convert(raw));
            }
        }
        return values;
    }

    private int capacity() {
        return columns.length * 4 / 3 + 1;
    }

    private record Column(String name, Field field, boolean hasDefault, boolean key, ValueConverter converter,
                          Predicate<Object> placeholder) {

        /**
         * {@link Struct#get(Field)} replaces {@code null} with the schema's default, and Debezium puts column
         * defaults in the schema, so a real {@code NULL} would read as the default.
         */
        Object raw(Struct row) {
            return hasDefault ? row.getWithoutDefault(name) : row.get(field);
        }

        boolean isPlaceholder(Object raw) {
            return raw != null && placeholder.test(raw);
        }

        Object convert(Object raw) throws UnconvertibleValueException {
            return raw == null ? null : converter.convert(raw);
        }
    }
}
