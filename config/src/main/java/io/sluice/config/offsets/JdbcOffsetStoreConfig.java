package io.sluice.config.offsets;

import io.sluice.config.Secret;

/**
 * Offsets in a PostgreSQL table, one row per pipeline, each save one transaction. Written as
 * {@code offsets: {jdbc: {...}}}; with no {@code url} the table lives in the pipeline's source database and the
 * source's user and password are used.
 *
 * @param url      {@code jdbc:postgresql://host:port/database} of another database; absent = the source database
 * @param user     role for {@code url}; absent = the source's user
 * @param password password for {@code url}; absent = the source's password
 * @param schema   schema of the offsets table, which must exist (default {@code public})
 * @param table    offsets table, created when missing (default {@code sluice_offsets})
 */
public record JdbcOffsetStoreConfig(String url, String user, Secret password, String schema, String table)
        implements OffsetStoreConfig {

    public static final String DEFAULT_SCHEMA = "public";
    public static final String DEFAULT_TABLE = "sluice_offsets";

    public JdbcOffsetStoreConfig {
        schema = schema == null ? DEFAULT_SCHEMA : schema;
        table = table == null ? DEFAULT_TABLE : table;
    }

    /** True when the offsets live in the pipeline's own source database. */
    public boolean inSourceDatabase() {
        return url == null;
    }

    @Override
    public String kind() {
        return "jdbc";
    }
}
