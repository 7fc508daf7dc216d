package io.sluice.engine.debezium;

import io.debezium.connector.AbstractSourceInfo;
import io.debezium.connector.postgresql.SourceInfo;
import io.debezium.data.Envelope;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Builds change records for one table shaped like those of Debezium's PostgreSQL connector: envelope from
 * Debezium's own {@link Envelope}, a source block with the connector's field names and types, and a key Struct of
 * the primary key columns. Immutable; each test builds the table it needs.
 */
final class PostgresChangeRecords {
    static final String PLACEHOLDER = "__debezium_unavailable_value";
    static final long LSN = 0x1A2B3C4DL;
    static final long TX_ID = 745L;
    static final long TS_US = 1_709_214_310_123_456L;

    static final Schema SOURCE_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Source")
            .field(AbstractSourceInfo.DEBEZIUM_VERSION_KEY, Schema.STRING_SCHEMA)
            .field(AbstractSourceInfo.DEBEZIUM_CONNECTOR_KEY, Schema.STRING_SCHEMA)
            .field(AbstractSourceInfo.SERVER_NAME_KEY, Schema.STRING_SCHEMA)
            .field(AbstractSourceInfo.TIMESTAMP_KEY, Schema.INT64_SCHEMA)
            .field(AbstractSourceInfo.SNAPSHOT_KEY, io.debezium.data.Enum
                    .builder("true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
                    .defaultValue("false").optional().build())
            .field(AbstractSourceInfo.DATABASE_NAME_KEY, Schema.STRING_SCHEMA)
            .field(AbstractSourceInfo.SEQUENCE_KEY, Schema.OPTIONAL_STRING_SCHEMA)
            .field(AbstractSourceInfo.TIMESTAMP_US_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(AbstractSourceInfo.TIMESTAMP_NS_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(AbstractSourceInfo.SCHEMA_NAME_KEY, Schema.STRING_SCHEMA)
            .field(AbstractSourceInfo.TABLE_NAME_KEY, Schema.STRING_SCHEMA)
            .field(SourceInfo.TXID_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.LSN_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.XMIN_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .field(SourceInfo.ORIGIN_KEY, Schema.OPTIONAL_STRING_SCHEMA)
            .field(SourceInfo.ORIGIN_LSN_KEY, Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private final String schema;
    private final String table;
    private final Schema keySchema;
    private final Schema rowSchema;
    private final Envelope envelope;

    private PostgresChangeRecords(String schema, String table, Schema keySchema, Schema rowSchema) {
        this.schema = schema;
        this.table = table;
        this.keySchema = keySchema;
        this.rowSchema = rowSchema;
        this.envelope = Envelope.defineSchema()
                .withName(topic() + ".Envelope")
                .withRecord(rowSchema)
                .withSource(SOURCE_SCHEMA)
                .build();
    }

    static Builder table(String schema, String table) {
        return new Builder(schema, table);
    }

    String topic() {
        return "sluice." + schema + "." + table;
    }

    /** A row image; columns not named are {@code null}. */
    Struct row(Object... namesAndValues) {
        Struct row = new Struct(rowSchema);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return row;
    }

    Struct source(Long lsn, Long txId, Long tsUs, long tsMs, String snapshot) {
        return new Struct(SOURCE_SCHEMA)
                .put(AbstractSourceInfo.DEBEZIUM_VERSION_KEY, "3.6.1.Final")
                .put(AbstractSourceInfo.DEBEZIUM_CONNECTOR_KEY, "postgresql")
                .put(AbstractSourceInfo.SERVER_NAME_KEY, "sluice")
                .put(AbstractSourceInfo.TIMESTAMP_KEY, tsMs)
                .put(AbstractSourceInfo.SNAPSHOT_KEY, snapshot)
                .put(AbstractSourceInfo.DATABASE_NAME_KEY, "shop")
                .put(AbstractSourceInfo.TIMESTAMP_US_KEY, tsUs)
                .put(AbstractSourceInfo.SCHEMA_NAME_KEY, schema)
                .put(AbstractSourceInfo.TABLE_NAME_KEY, table)
                .put(SourceInfo.TXID_KEY, txId)
                .put(SourceInfo.LSN_KEY, lsn);
    }

    Struct streamedSource() {
        return source(LSN, TX_ID, TS_US, TS_US / 1000, null);
    }

    SourceRecord read(Struct after) {
        Struct snapshotSource = source(LSN, TX_ID, TS_US, TS_US / 1000, "true");
        return record(keyOf(after), envelope.read(after, snapshotSource, Instant.now()));
    }

    /** An incremental snapshot read, which carries neither LSN nor transaction id (Debezium 3.6). */
    SourceRecord incrementalRead(Struct after) {
        Struct snapshotSource = source(null, null, TS_US, TS_US / 1000, "incremental");
        return record(keyOf(after), envelope.read(after, snapshotSource, Instant.now()));
    }

    SourceRecord insert(Struct after) {
        return record(keyOf(after), envelope.create(after, streamedSource(), Instant.now()));
    }

    SourceRecord update(Struct before, Struct after) {
        return record(keyOf(after), envelope.update(before, after, streamedSource(), Instant.now()));
    }

    SourceRecord delete(Struct before) {
        return record(keyOf(before), envelope.delete(before, streamedSource(), Instant.now()));
    }

    SourceRecord truncate() {
        return new SourceRecord(Map.of(), Map.of(), topic(), null, null, null, envelope.schema(),
                envelope.truncate(streamedSource(), Instant.now()));
    }

    SourceRecord insertWithSource(Struct after, Struct source) {
        return record(keyOf(after), envelope.create(after, source, Instant.now()));
    }

    private SourceRecord record(Struct key, Struct value) {
        return new SourceRecord(Map.of(), Map.of(), topic(), null, keySchema, key, envelope.schema(), value);
    }

    private Struct keyOf(Struct row) {
        if (keySchema == null) {
            return null;
        }
        Struct key = new Struct(keySchema);
        for (Field field : keySchema.fields()) {
            key.put(field.name(), row.get(field.name()));
        }
        return key;
    }

    static final class Builder {
        private final String schema;
        private final String table;
        private final Map<String, Schema> keyColumns = new LinkedHashMap<>();
        private final Map<String, Schema> columns = new LinkedHashMap<>();

        private Builder(String schema, String table) {
            this.schema = schema;
            this.table = table;
        }

        Builder key(String name, Schema type) {
            keyColumns.put(name, type);
            columns.put(name, type);
            return this;
        }

        Builder column(String name, Schema type) {
            columns.put(name, type);
            return this;
        }

        PostgresChangeRecords build() {
            String topic = "sluice." + schema + "." + table;
            SchemaBuilder row = SchemaBuilder.struct().name(topic + ".Value").optional();
            columns.forEach(row::field);
            Schema key = null;
            if (!keyColumns.isEmpty()) {
                SchemaBuilder keyBuilder = SchemaBuilder.struct().name(topic + ".Key");
                keyColumns.forEach(keyBuilder::field);
                key = keyBuilder.build();
            }
            return new PostgresChangeRecords(schema, table, key, row.build());
        }
    }
}
