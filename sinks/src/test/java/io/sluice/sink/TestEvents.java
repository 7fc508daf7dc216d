package io.sluice.sink;

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

/** Change events for sink tests: each call builds a new immutable event. */
public final class TestEvents {
    public static final TableId ORDERS = new TableId("shop", "public", "orders");
    public static final Instant COMMIT_TIME = Instant.parse("2026-11-22T10:15:30.123456Z");

    private TestEvents() {
    }

    /** Ordered map from alternating column names and values (values may be null, which Map.of refuses). */
    public static Map<String, Object> columns(Object... namesAndValues) {
        Map<String, Object> columns = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            columns.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return columns;
    }

    public static SourcePosition position(long lsn, long commitLsn, Long txId) {
        return new SourcePosition(lsn, commitLsn, txId, COMMIT_TIME, false);
    }

    public static ChangeEvent insert(TableId table, long id, Map<String, Object> after) {
        return new ChangeEvent(table, Op.INSERT, new Key(columns("id", id)), null, Row.of(after), Set.of(),
                position(0x16B3748L, 0x16B37F0L, 751L), 0x16B37F0L);
    }

    public static ChangeEvent insert(long id) {
        return insert(ORDERS, id, columns("id", id, "status", "new"));
    }

    public static ChangeEvent update(long id, String status, long version) {
        return new ChangeEvent(ORDERS, Op.UPDATE, new Key(columns("id", id)), Row.of(columns("id", id)),
                Row.of(columns("id", id, "status", status)), Set.of(), position(version - 0xA8, version, 751L), version);
    }

    public static ChangeEvent delete(long id) {
        return new ChangeEvent(ORDERS, Op.DELETE, new Key(columns("id", id)), Row.of(columns("id", id)), null,
                Set.of(), position(0x16B3748L, 0x16B37F0L, 751L), 0x16B37F0L);
    }

    public static ChangeEvent truncate(TableId table) {
        return new ChangeEvent(table, Op.TRUNCATE, Key.none(), null, null, Set.of(),
                position(0x16B3748L, 0x16B37F0L, 751L), 0x16B37F0L);
    }
}
