package io.sluice.bench.ceiling;

import io.sluice.bench.env.BenchDatabase;
import io.sluice.bench.report.CeilingRun;
import io.sluice.it.support.LocalPostgres;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * A minimal pgjdbc replication client: streams the slot with {@code pgoutput} ({@code proto_version=1}), counts the
 * insert, update and delete messages and throws everything away. What a Java client could do at best with the same
 * driver Debezium uses.
 */
public final class JdbcReplicationReader implements WalReader {
    private final LocalPostgres postgres;

    public JdbcReplicationReader(LocalPostgres postgres) {
        this.postgres = postgres;
    }

    @Override
    public String kind() {
        return CeilingRun.DRAIN_JDBC;
    }

    @Override
    public long drain(String slot, String publication, long endLsn) throws SQLException {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, postgres.superuser());
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(BenchDatabase.NAME), properties);
                PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
                        .replicationStream().logical()
                        .withSlotName(slot)
                        .withStartPosition(LogSequenceNumber.valueOf(0))
                        .withSlotOption("proto_version", 1)
                        .withSlotOption("publication_names", publication)
                        .start()) {
            long changes = 0;
            while (true) {
                ByteBuffer message = stream.read();
                byte type = message.get(0);
                if (type == 'I' || type == 'U' || type == 'D') {
                    changes++;
                }
                // Messages of the measured transactions all start before endLsn; the last commit ends at it.
                if (stream.getLastReceiveLSN().asLong() >= endLsn) {
                    return changes;
                }
            }
        }
    }
}
