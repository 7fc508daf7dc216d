package io.sluice.engine.event;

import java.util.Objects;
import java.util.Set;

/**
 * One change to one row (or, for {@link Op#TRUNCATE}, to one table), in Sluice's own terms. Sinks see only this
 * type; Debezium and Kafka Connect types stop at the normalizer.
 *
 * @param table     the captured table
 * @param op        what happened
 * @param key       the row's primary key (the new key for an update that changed it); empty for truncate
 * @param before    the row before the change: for updates and deletes, the key columns, or the whole row with
 *                  {@code REPLICA IDENTITY FULL}; {@code null} for reads, inserts and truncates
 * @param after     the row after the change; {@code null} for deletes and truncates. Columns whose values the
 *                  source did not send are absent and listed in {@code unchanged}
 * @param unchanged columns of {@code after} whose stored values are unchanged and were not sent (TOAST); a sink
 *                  that upserts keeps what it holds for them
 * @param position  where the change came from
 * @param version   commit-ordered version: for each row, grows in the order changes were committed, and is the
 *                  same when the event is replayed. Equal versions belong to one transaction (or one snapshot)
 *                  and apply in order. A sink ignores an event older than the version it holds for the row.
 */
public record ChangeEvent(
        TableId table,
        Op op,
        Key key,
        Row before,
        Row after,
        Set<String> unchanged,
        SourcePosition position,
        long version) {

    public ChangeEvent {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(position, "position");
        unchanged = unchanged == null ? Set.of() : Set.copyOf(unchanged);
        if (op == Op.DELETE && after != null) {
            throw new IllegalArgumentException("a delete has no after image: " + table);
        }
        if ((op == Op.INSERT || op == Op.UPDATE || op == Op.READ) && after == null) {
            throw new IllegalArgumentException(op + " needs an after image: " + table);
        }
    }

    /** Whether this event removes the row (a delete); truncates remove whole tables and are not row deletes. */
    public boolean isDelete() {
        return op == Op.DELETE;
    }

    /** Short description for logs and errors: table, operation, key and LSN, never row values. */
    public String describe() {
        return table.qualifiedName() + " " + op.name().toLowerCase() + " key=" + key.columns()
                + " lsn=" + Lsn.format(position.lsn());
    }
}
