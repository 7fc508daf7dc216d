package io.sluice.engine;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Builds change events for tests of the engine and of sinks. */
public final class TestEvents {
    public static final TableId ORDERS = new TableId("shop", "public", "orders");
    public static final TableId CUSTOMERS = new TableId("shop", "public", "customers");

    private TestEvents() {
    }

    public static ChangeEvent upsert(long id, String status, long version) {
        return upsert(ORDERS, id, status, version);
    }

    public static ChangeEvent upsert(TableId table, long id, String status, long version) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", id);
        after.put("status", status);
        return new ChangeEvent(table, Op.UPDATE, new Key(Map.of("id", id)), null, Row.of(after), Set.of(),
                position(version), version);
    }

    public static ChangeEvent delete(long id, long version) {
        return new ChangeEvent(ORDERS, Op.DELETE, new Key(Map.of("id", id)), Row.of(Map.of("id", id)), null,
                Set.of(), position(version), version);
    }

    private static SourcePosition position(long version) {
        return new SourcePosition(version, version, 700L, Instant.parse("2026-11-22T10:15:30Z"), false);
    }
}
