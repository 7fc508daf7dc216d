package io.sluice.engine.debezium;

import io.sluice.config.source.PostgresSourceConfig;
import io.sluice.engine.PipelineException;
import io.sluice.engine.event.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads the state of a pipeline's replication slot from the source. Changes nothing on the server. */
public final class ReplicationSlots {
    private static final int WAL_STATUS_SINCE = 130000;
    private static final int INVALIDATION_REASON_SINCE = 170000;

    private ReplicationSlots() {
    }

    /**
     * @throws PipelineException when the source cannot be reached or queried; the message names the pipeline and
     *                           server and says why
     */
    public static ReplicationSlot inspect(String pipeline, PostgresSourceConfig source) throws PipelineException {
        try (Connection connection = SourceConnections.open(pipeline, source, "slot-check")) {
            return inspect(connection, source.slot());
        } catch (SQLException e) {
            throw new PipelineException("pipeline '" + pipeline + "': cannot read the state of replication slot '"
                    + source.slot() + "' from " + PostgresPreflight.where(source) + ": "
                    + PostgresPreflight.plainReason(e), e);
        }
    }

    static ReplicationSlot inspect(Connection connection, String slot) throws SQLException {
        int version;
        Long currentWal;
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_setting('server_version_num')::int,"
                        + " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
                        + " ELSE pg_current_wal_lsn() END")) {
            rs.next();
            version = rs.getInt(1);
            currentWal = lsn(rs.getString(2));
        }
        // Columns that older servers do not have are read as NULL, so one query serves every version.
        String sql = "SELECT slot_type, plugin, database, active, active_pid, restart_lsn, confirmed_flush_lsn, "
                + (version >= WAL_STATUS_SINCE ? "wal_status" : "NULL") + ", "
                + (version >= INVALIDATION_REASON_SINCE ? "invalidation_reason" : "NULL")
                + " FROM pg_replication_slots WHERE slot_name = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, slot);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return ReplicationSlot.missing(slot, currentWal);
                }
                int pid = rs.getInt(5);
                Integer activePid = rs.wasNull() ? null : pid;
                return new ReplicationSlot(slot, true, rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getBoolean(4), activePid, lsn(rs.getString(6)), lsn(rs.getString(7)), rs.getString(8),
                        rs.getString(9), currentWal);
            }
        }
    }

    private static Long lsn(String text) {
        return text == null ? null : Lsn.parse(text);
    }
}
