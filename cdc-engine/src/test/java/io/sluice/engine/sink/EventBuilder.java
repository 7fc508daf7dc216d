package io.sluice.engine.sink;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds one {@link ChangeEvent} for sink tests, e.g.
 * {@code EventBuilder.update(table).key("id", 7L).column("status", "paid").version(120).build()}.
 *
 * <p>Key columns are also written into the row images, in front of the other columns, as PostgreSQL sends them: the
 * after image of an insert or update holds the key and every {@link #column} given, the before image of an update or
 * delete holds the key columns and every {@link #before} column given. The LSN defaults to the version, the commit LSN is the version, and the transaction
 * id and commit time are fixed; {@link #lsn} sets a change LSN apart from the version, to build the case where WAL
 * order and commit order disagree.
 */
public final class EventBuilder {
    private static final Instant COMMIT_TIME = Instant.parse("2026-11-22T10:15:30.123456Z");
    private static final long TX_ID = 751L;

    private final TableId table;
    private final Op op;
    private final Map<String, Object> key = new LinkedHashMap<>();
    private final Map<String, Object> columns = new LinkedHashMap<>();
    private final Map<String, Object> beforeColumns = new LinkedHashMap<>();
    private Long version;
    private Long lsn;

    private EventBuilder(TableId table, Op op) {
        this.table = Objects.requireNonNull(table, "table");
        this.op = op;
    }

    public static EventBuilder insert(TableId table) {
        return new EventBuilder(table, Op.INSERT);
    }

    /** A snapshot read: like an insert, but the position says it came from a snapshot. */
    public static EventBuilder read(TableId table) {
        return new EventBuilder(table, Op.READ);
    }

    public static EventBuilder update(TableId table) {
        return new EventBuilder(table, Op.UPDATE);
    }

    public static EventBuilder delete(TableId table) {
        return new EventBuilder(table, Op.DELETE);
    }

    /** A truncate of the whole table: no key and no row images. */
    public static EventBuilder truncate(TableId table) {
        return new EventBuilder(table, Op.TRUNCATE);
    }

    /** Adds a primary key column; call it once per column, in key column order. */
    public EventBuilder key(String column, Object value) {
        if (op == Op.TRUNCATE) {
            throw new IllegalStateException("a truncate has no key");
        }
        key.put(column, value);
        return this;
    }

    /** Adds a non-key column of the after image. */
    public EventBuilder column(String column, Object value) {
        if (op == Op.DELETE || op == Op.TRUNCATE) {
            throw new IllegalStateException("a " + op + " has no after image");
        }
        columns.put(column, value);
        return this;
    }

    /** Adds a non-key column to the before image of an update or delete, as REPLICA IDENTITY FULL sends it. */
    public EventBuilder before(String column, Object value) {
        if (op != Op.UPDATE && op != Op.DELETE) {
            throw new IllegalStateException("a " + op + " has no before image");
        }
        beforeColumns.put(column, value);
        return this;
    }

    /** The commit-ordered version; required. */
    public EventBuilder version(long version) {
        this.version = version;
        return this;
    }

    /** The change's own LSN, when it must differ from the version. */
    public EventBuilder lsn(long lsn) {
        this.lsn = lsn;
        return this;
    }

    public ChangeEvent build() {
        if (version == null) {
            throw new IllegalStateException("version is required");
        }
        if (op != Op.TRUNCATE && key.isEmpty()) {
            throw new IllegalStateException("a row event needs at least one key column");
        }
        Row before = null;
        if (op == Op.UPDATE || op == Op.DELETE) {
            Map<String, Object> row = new LinkedHashMap<>(key);
            row.putAll(beforeColumns);
            before = Row.of(row);
        }
        Row after = null;
        if (op == Op.INSERT || op == Op.READ || op == Op.UPDATE) {
            Map<String, Object> row = new LinkedHashMap<>(key);
            row.putAll(columns);
            after = Row.of(row);
        }
        SourcePosition position = new SourcePosition(lsn == null ? version : lsn, version,
                op == Op.READ ? null : TX_ID, COMMIT_TIME, op == Op.READ);
        return new ChangeEvent(table, op, op == Op.TRUNCATE ? Key.none() : new Key(key), before, after, Set.of(),
                position, version);
    }
}
