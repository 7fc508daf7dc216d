package io.sluice.config.source;

import io.sluice.config.ByteSize;
import io.sluice.config.Secret;
import java.time.Duration;
import java.util.List;

/**
 * A PostgreSQL database read through a logical replication slot with the built-in {@code pgoutput} plugin.
 *
 * @param host           server host name
 * @param port           server port (default 5432)
 * @param database       database whose tables are captured
 * @param user           role with REPLICATION and SELECT on the captured tables
 * @param password       the role's password, usually {@code ${ENV_VAR}}
 * @param slot           replication slot; created on first start and reused after
 * @param publication    publication for the captured tables; created when missing
 * @param tables         captured tables as {@code schema.table}; {@code *} matches any characters
 *                       ({@code public.*}), resolved against the catalog at start-up
 * @param excludeTables  tables that {@code tables} patterns match but are not captured
 * @param includeColumns when set, only these columns ({@code schema.table.column}, {@code *} allowed) are read;
 *                       primary key columns are always read
 * @param excludeColumns columns ({@code schema.table.column}, {@code *} allowed) never read; their values do not
 *                       leave Sluice
 * @param publicationCreate whether the publication is created when missing (default {@code filtered})
 * @param tls            TLS to the server (default: {@code sslmode=prefer})
 * @param snapshot       when to read the tables in full (default {@code initial})
 * @param decimals       how {@code numeric} values are written (default {@code string})
 * @param connectTimeout how long to wait for the server to answer (default 10s)
 * @param maxTransactionChanges how many changes of one transaction are held in memory until its commit gives them
 *                       their commit-ordered version (default 500000, about 1-2 KB of heap each); a larger
 *                       transaction stops the pipeline with an error
 * @param heartbeat      heartbeats that let the slot advance while the captured tables are quiet
 * @param walLagWarning  warn when the slot retains more WAL than this (default 1GB); the retained WAL is
 *                       reported every {@link #WAL_CHECK_INTERVAL}
 * @param signalTable    {@code schema.table} of Debezium's signal table; when set, inserting a signal row there
 *                       re-snapshots tables while the pipeline runs (optional)
 */
public record PostgresSourceConfig(
        String host,
        Integer port,
        String database,
        String user,
        Secret password,
        String slot,
        String publication,
        List<String> tables,
        List<String> excludeTables,
        List<String> includeColumns,
        List<String> excludeColumns,
        PublicationMode publicationCreate,
        PostgresTlsConfig tls,
        SnapshotMode snapshot,
        DecimalMode decimals,
        Duration connectTimeout,
        Integer maxTransactionChanges,
        HeartbeatConfig heartbeat,
        ByteSize walLagWarning,
        String signalTable) {

    public static final int DEFAULT_PORT = 5432;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_TRANSACTION_CHANGES = 500_000;
    public static final ByteSize DEFAULT_WAL_LAG_WARNING = ByteSize.ofBytes(1L << 30);
    public static final Duration WAL_CHECK_INTERVAL = Duration.ofSeconds(30);

    public PostgresSourceConfig {
        port = port == null ? DEFAULT_PORT : port;
        tables = tables == null ? List.of() : List.copyOf(tables);
        excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
        includeColumns = includeColumns == null ? List.of() : List.copyOf(includeColumns);
        excludeColumns = excludeColumns == null ? List.of() : List.copyOf(excludeColumns);
        publicationCreate = publicationCreate == null ? PublicationMode.FILTERED : publicationCreate;
        tls = tls == null ? PostgresTlsConfig.DEFAULT : tls;
        snapshot = snapshot == null ? SnapshotMode.INITIAL : snapshot;
        decimals = decimals == null ? DecimalMode.STRING : decimals;
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        maxTransactionChanges = maxTransactionChanges == null ? DEFAULT_MAX_TRANSACTION_CHANGES : maxTransactionChanges;
        heartbeat = heartbeat == null ? HeartbeatConfig.DEFAULT : heartbeat;
        walLagWarning = walLagWarning == null ? DEFAULT_WAL_LAG_WARNING : walLagWarning;
    }

    /** {@code host:port/database}, for messages; never includes credentials. */
    public String address() {
        return host + ":" + port + "/" + database;
    }
}
