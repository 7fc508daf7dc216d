package io.sluice.engine.debezium;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@code pg_replication_slots} says about a pipeline's slot at one moment. LSNs are plain numbers
 * ({@link io.sluice.engine.event.Lsn} formats them); a {@code null} field is one the server did not report.
 *
 * @param name               the slot's name
 * @param exists             whether the server has a slot of that name; all other fields but
 *                           {@code currentWalLsn} are {@code null} or {@code false} when it does not
 * @param slotType           {@code logical} or {@code physical}
 * @param plugin             the output plugin of a logical slot, e.g. {@code pgoutput}
 * @param database           the database a logical slot decodes
 * @param active             whether a connection is streaming from the slot right now
 * @param activePid          the server process of that connection
 * @param restartLsn         the oldest WAL the slot keeps; {@code null} once the slot was invalidated
 * @param confirmedFlushLsn  how far the slot's consumer confirmed; PostgreSQL streams nothing before it
 * @param walStatus          {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (PostgreSQL 13+)
 * @param invalidationReason why PostgreSQL invalidated the slot, e.g. {@code wal_removed} (PostgreSQL 17+)
 * @param currentWalLsn      the server's current WAL position ({@code pg_current_wal_lsn()})
 */
public record ReplicationSlot(
        String name,
        boolean exists,
        String slotType,
        String plugin,
        String database,
        boolean active,
        Integer activePid,
        Long restartLsn,
        Long confirmedFlushLsn,
        String walStatus,
        String invalidationReason,
        Long currentWalLsn) {

    /** The plugin Sluice decodes with; a slot of another plugin cannot be read. */
    public static final String PLUGIN = "pgoutput";

    public ReplicationSlot {
        Objects.requireNonNull(name, "name");
    }

    static ReplicationSlot missing(String name, Long currentWalLsn) {
        return new ReplicationSlot(name, false, null, null, null, false, null, null, null, null, null,
                currentWalLsn);
    }

    /**
     * The slot can no longer stream: PostgreSQL removed WAL it needed ({@code wal_status = 'lost'}) or invalidated
     * it for another reason.
     */
    public boolean isInvalidated() {
        return exists && ("lost".equals(walStatus) || invalidationReason != null);
    }

    /** WAL the slot holds on the server's disk: current WAL position minus {@code restart_lsn}. */
    public OptionalLong retainedWalBytes() {
        if (restartLsn == null || currentWalLsn == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, currentWalLsn - restartLsn));
    }
}
