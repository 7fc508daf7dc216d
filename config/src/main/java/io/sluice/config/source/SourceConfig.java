package io.sluice.config.source;

/**
 * The source of a pipeline, written as {@code source: {postgres: {...}}} so that other databases can be added
 * beside PostgreSQL without changing the shape of existing files.
 */
public record SourceConfig(PostgresSourceConfig postgres) {
}
