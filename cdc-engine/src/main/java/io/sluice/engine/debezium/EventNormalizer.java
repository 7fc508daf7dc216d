package io.sluice.engine.debezium;

import io.debezium.connector.AbstractSourceInfo;
import io.debezium.connector.postgresql.SourceInfo;
import io.debezium.data.Envelope;
import io.sluice.config.source.DecimalMode;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns one Debezium PostgreSQL data-change record (Kafka Connect {@link SourceRecord} holding a Debezium envelope)
 * into a {@link ChangeEvent}; no Debezium or Connect type leaves this class.
 *
 * <p>It relies on these connector settings: {@code decimal.handling.mode=string},
 * {@code datatype.propagate.source.type} covering {@code numeric}, {@code _numeric} and {@code money} (the only
 * way to tell a numeric column from a text column in string mode), {@code binary.handling.mode=bytes} (in base64
 * mode Debezium sends unchanged TOAST bytea as {@code null}), {@code hstore.handling.mode=json},
 * {@code interval.handling.mode=string}, {@code time.precision.mode=adaptive_time_microseconds} and
 * {@code unavailable.value.placeholder} equal to the placeholder given here.
 *
 * <p>Unchanged TOAST values are looked for only in the new row of updates, the only place PostgreSQL leaves them
 * out, so that an inserted value that happens to equal the placeholder is kept. In {@code before} images they are
 * dropped without being listed.
 *
 * <p>Per-table work (which converter each column needs, where each envelope field sits) is done once per Connect
 * schema and cached by topic; a new schema object, as Debezium creates after DDL, replaces the cached one. Instances
 * are thread-safe.
 */
public final class EventNormalizer {
    private final ValueConverters converters;
    private final ToastPlaceholder placeholder;
    private final ConcurrentMap<String, RecordLayout> layouts = new ConcurrentHashMap<>();
    private final Set<String> fullIdentityTables;

    /**
     * @param decimals           how exact numerics are written
     * @param toastPlaceholder   the connector's {@code unavailable.value.placeholder}; non-empty ASCII
     * @param fullIdentityTables {@code schema.table} names of tables with {@code REPLICA IDENTITY FULL}, whose
     *                           {@code before} images are whole rows; others' are cut to the key columns
     */
    public EventNormalizer(DecimalMode decimals, String toastPlaceholder, Set<String> fullIdentityTables) {
        this.converters = new ValueConverters(decimals);
        this.placeholder = new ToastPlaceholder(toastPlaceholder);
        this.fullIdentityTables = Set.copyOf(fullIdentityTables);
    }

    /**
     * Whether the record is a row change or truncate, as opposed to a tombstone, heartbeat, transaction marker or
     * logical decoding message.
     */
    static boolean isDataChange(SourceRecord record) {
        return record.value() instanceof Struct value
                && value.schema().field(Envelope.FieldName.OPERATION) != null
                && value.schema().field(Envelope.FieldName.AFTER) != null
                && value.schema().field(Envelope.FieldName.SOURCE) != null;
    }

    /**
     * @param version   the commit-ordered version the caller assigned to this change
     * @param commitLsn end LSN of the commit of the change's transaction (the snapshot position for snapshot reads,
     *                  the close watermark's commit for incremental snapshot reads, which also becomes their LSN)
     * @throws NormalizationException   if the record cannot be represented faithfully; the message names the table
     *                                  and the LSN, never row values
     * @throws IllegalArgumentException if the record is not a data change (see {@link #isDataChange})
     */
    public ChangeEvent normalize(SourceRecord record, long version, long commitLsn) throws NormalizationException {
        if (!isDataChange(record)) {
            throw new IllegalArgumentException("not a Debezium data change record (topic " + record.topic() + ")");
        }
        Struct envelope = (Struct) record.value();
        Struct key = record.key() instanceof Struct struct ? struct : null;
        RecordLayout layout = layoutFor(record.topic(), envelope.schema(), key == null ? null : key.schema());

        Struct source = (Struct) envelope.get(layout.source);
        TableId table = layout.table(source);
        Long lsn = (Long) source.get(layout.lsn);
        if (lsn == null && layout.isSnapshot(source)) {
            // Incremental snapshot reads carry no LSN of their own; they are placed at the commit that versions them.
            lsn = commitLsn;
        }
        if (lsn == null) {
            throw new NormalizationException(table, "Cannot normalize a change to " + table
                    + ": the record has no LSN (commit " + Lsn.format(commitLsn) + ")");
        }
        try {
            return toEvent(layout, envelope, key, table, new SourcePosition(lsn, commitLsn,
                    (Long) source.get(layout.txId), layout.commitTime(source), layout.isSnapshot(source)), version);
        } catch (UnconvertibleValueException e) {
            throw new NormalizationException(table, "Cannot normalize a change to " + table + " at LSN "
                    + Lsn.format(lsn) + " (commit " + Lsn.format(commitLsn) + "): " + e.getMessage());
        }
    }

    private ChangeEvent toEvent(RecordLayout layout, Struct envelope, Struct key, TableId table,
                                SourcePosition position, long version) throws UnconvertibleValueException {
        Op op = op((String) envelope.get(layout.op));
        if (op == Op.TRUNCATE) {
            return new ChangeEvent(table, op, Key.none(), null, null, Set.of(), position, version);
        }
        if (key == null || layout.key == null) {
            throw new UnconvertibleValueException("the table has no primary key, and Sluice needs one to apply "
                    + "changes by key; add a primary key to the table");
        }
        Struct beforeStruct = (Struct) envelope.get(layout.before);
        Struct afterStruct = (Struct) envelope.get(layout.after);
        if (op != Op.DELETE && afterStruct == null) {
            throw new UnconvertibleValueException(
                    "the " + op.name().toLowerCase(Locale.ROOT) + " has no row after the change");
        }
        Row before = beforeStruct == null ? null
                : Row.of(layout.rows.convertBefore(beforeStruct, fullIdentityTables.contains(table.qualifiedName())));
        Set<String> unchanged = Set.of();
        Row after = null;
        if (op == Op.UPDATE) {
            unchanged = new HashSet<>();
            after = Row.of(layout.rows.convertOmittingUnchanged(afterStruct, unchanged));
        } else if (op != Op.DELETE) {
            after = Row.of(layout.rows.convert(afterStruct));
        }
        return new ChangeEvent(table, op, new Key(layout.key.convert(key)), before, after, unchanged, position,
                version);
    }

    private static Op op(String code) throws UnconvertibleValueException {
        if (code == null) {
            throw new UnconvertibleValueException("the record has no operation");
        }
        return switch (code) {
            case "r" -> Op.READ;
            case "c" -> Op.INSERT;
            case "u" -> Op.UPDATE;
            case "d" -> Op.DELETE;
            case "t" -> Op.TRUNCATE;
            default -> throw new UnconvertibleValueException("unknown operation '" + code + "'");
        };
    }

    private RecordLayout layoutFor(String topic, Schema valueSchema, Schema keySchema) {
        RecordLayout layout = layouts.get(topic);
        if (layout != null && layout.fits(valueSchema, keySchema)) {
            return layout;
        }
        RecordLayout fresh = new RecordLayout(valueSchema, keySchema, converters, placeholder);
        layouts.put(topic, fresh);
        return fresh;
    }

    /** Everything needed to read records of one envelope schema (and key schema), resolved once. */
    private static final class RecordLayout {
        final Schema valueSchema;
        final Schema keySchema;
        final Field op;
        final Field before;
        final Field after;
        final Field source;
        final Field database;
        final Field schema;
        final Field table;
        final Field lsn;
        final Field txId;
        final Field timestampMicros;
        final Field timestampMillis;
        final Field snapshot;
        final RowConverter rows;
        final RowConverter key;

        RecordLayout(Schema valueSchema, Schema keySchema, ValueConverters converters, ToastPlaceholder placeholder) {
            this.valueSchema = valueSchema;
            this.keySchema = keySchema;
            op = valueSchema.field(Envelope.FieldName.OPERATION);
            before = valueSchema.field(Envelope.FieldName.BEFORE);
            after = valueSchema.field(Envelope.FieldName.AFTER);
            source = valueSchema.field(Envelope.FieldName.SOURCE);
            Schema sourceSchema = source.schema();
            database = sourceSchema.field(AbstractSourceInfo.DATABASE_NAME_KEY);
            schema = sourceSchema.field(AbstractSourceInfo.SCHEMA_NAME_KEY);
            table = sourceSchema.field(AbstractSourceInfo.TABLE_NAME_KEY);
            lsn = sourceSchema.field(SourceInfo.LSN_KEY);
            txId = sourceSchema.field(SourceInfo.TXID_KEY);
            timestampMicros = sourceSchema.field(AbstractSourceInfo.TIMESTAMP_US_KEY);
            timestampMillis = sourceSchema.field(AbstractSourceInfo.TIMESTAMP_KEY);
            snapshot = sourceSchema.field(AbstractSourceInfo.SNAPSHOT_KEY);
            Set<String> keyColumns = new LinkedHashSet<>();
            if (keySchema != null) {
                keySchema.fields().forEach(field -> keyColumns.add(field.name()));
            }
            rows = new RowConverter(after.schema(), keyColumns, converters, placeholder);
            key = keySchema == null ? null : new RowConverter(keySchema, Set.of(), converters, placeholder);
        }

        /** Truncates carry no key, so a keyless record may reuse the layout of its table's keyed records. */
        boolean fits(Schema valueSchema, Schema keySchema) {
            return this.valueSchema == valueSchema && (keySchema == null || this.keySchema == keySchema);
        }

        TableId table(Struct source) throws NormalizationException {
            String databaseName = source == null ? null : text(source, database);
            String schemaName = source == null ? null : text(source, schema);
            String tableName = source == null ? null : text(source, table);
            if (databaseName == null || schemaName == null || tableName == null) {
                throw new NormalizationException(null, "Cannot normalize a change record whose source block does "
                        + "not name its database, schema and table (record schema " + valueSchema.name() + ")");
            }
            return new TableId(databaseName, schemaName, tableName);
        }

        /** The commit time in microseconds when Debezium gives it (3.x), else in milliseconds. */
        Instant commitTime(Struct source) throws UnconvertibleValueException {
            Long micros = timestampMicros == null ? null : (Long) source.get(timestampMicros);
            if (micros != null) {
                return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1_000L);
            }
            Long millis = timestampMillis == null ? null : (Long) source.get(timestampMillis);
            if (millis == null) {
                throw new UnconvertibleValueException("the record has no commit timestamp");
            }
            return Instant.ofEpochMilli(millis);
        }

        /**
         * Debezium marks snapshot reads with {@code true}, {@code first}, {@code first_in_data_collection},
         * {@code last_in_data_collection}, {@code last} or {@code incremental}, and streamed changes with
         * {@code false} or nothing.
         */
        boolean isSnapshot(Struct source) {
            Object value = snapshot == null ? null : source.get(snapshot);
            return value != null && !"false".equals(value);
        }

        private static String text(Struct struct, Field field) {
            return field == null ? null : (String) struct.get(field);
        }
    }
}
