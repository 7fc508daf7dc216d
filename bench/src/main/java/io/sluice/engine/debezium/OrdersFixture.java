package io.sluice.engine.debezium;

import io.debezium.relational.mapping.PropagateSourceMetadataToSchemaParameter;
import io.debezium.time.ZonedTimestamp;
import io.sluice.config.source.DecimalMode;
import io.sluice.engine.event.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The benchmark table {@code orders} as Debezium's PostgreSQL connector reports it with Sluice's settings (numeric in
 * string mode with its source type, timestamptz as ISO text), for the JMH benchmarks of the per-event hot path:
 * Debezium records built with the connector tests' {@link PostgresChangeRecords}, and the change events Sluice's own
 * normalizer makes of them, so the sink benchmarks see exactly the value types a real run carries.
 *
 * <p>It lives in the normalizer's package (in the benchmark module) to reach the test fixture and the placeholder
 * Sluice configures.
 */
public final class OrdersFixture {
    private static final Schema NUMERIC = SchemaBuilder.string().optional()
            .parameter(PropagateSourceMetadataToSchemaParameter.TYPE_NAME_PARAMETER_KEY, "NUMERIC")
            .parameter(PropagateSourceMetadataToSchemaParameter.TYPE_LENGTH_PARAMETER_KEY, "12")
            .parameter(PropagateSourceMetadataToSchemaParameter.TYPE_SCALE_PARAMETER_KEY, "2")
            .build();
    private static final PostgresChangeRecords ORDERS = PostgresChangeRecords.table("public", "orders")
            .key("id", Schema.INT64_SCHEMA)
            .column("customer_id", Schema.OPTIONAL_INT32_SCHEMA)
            .column("status", Schema.OPTIONAL_STRING_SCHEMA)
            .column("amount", NUMERIC)
            .column("note", Schema.OPTIONAL_STRING_SCHEMA)
            .column("updated_at", ZonedTimestamp.builder().optional().build())
            .build();
    private static final long COMMIT_LSN = PostgresChangeRecords.LSN + 0x100;

    private OrdersFixture() {
    }

    /** A normalizer configured as Sluice's source configures it by default. */
    public static EventNormalizer normalizer() {
        return new EventNormalizer(DecimalMode.STRING, DebeziumProperties.TOAST_PLACEHOLDER, Set.of());
    }

    /** The insert of row {@code id}, with values like those the harness writes. */
    public static SourceRecord insert(long id) {
        return ORDERS.insert(row(id, "new"));
    }

    /** The update of row {@code id}: status, amount and time change; no before image (default replica identity). */
    public static SourceRecord update(long id) {
        return ORDERS.update(null, row(id, "paid"));
    }

    public static ChangeEvent insertEvent(long id) {
        return normalized(insert(id));
    }

    public static ChangeEvent updateEvent(long id) {
        return normalized(update(id));
    }

    /** A batch as a streaming run delivers it: {@code size} events, inserts of new rows and updates of earlier ones. */
    public static List<ChangeEvent> batch(int size) {
        List<ChangeEvent> events = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            events.add(i % 2 == 0 ? insertEvent(i + 1) : updateEvent(i));
        }
        return events;
    }

    private static ChangeEvent normalized(SourceRecord record) {
        try {
            return normalizer().normalize(record, COMMIT_LSN, COMMIT_LSN);
        } catch (NormalizationException e) {
            throw new IllegalStateException("the orders fixture does not normalize: " + e.getMessage(), e);
        }
    }

    private static Struct row(long id, String status) {
        return ORDERS.row("id", id, "customer_id", (int) (id % 1000), "status", status,
                "amount", String.format(java.util.Locale.ROOT, "%d.%02d", id % 100000 / 100, id % 100),
                "note", "order " + id + " 5d41402abc4b2a76b9719d911017c592",
                "updated_at", "2026-03-01T10:15:30.123456Z");
    }
}
