package io.sluice.bench.env;

import io.sluice.bench.Sink;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.it.support.LocalKafka;
import io.sluice.it.support.LocalPostgres;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalServer;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The servers of one benchmark invocation, started with the launchers the end-to-end tests use: PostgreSQL always,
 * and the sinks that some measured sink set needs. They run for the whole invocation; each run cleans up after
 * itself (its database, topic, index and keys).
 */
public final class Servers implements AutoCloseable {
    private final LocalPostgres postgres;
    private LocalKafka kafka;
    private LocalElasticsearch elasticsearch;
    private LocalRedis redis;

    private Servers(LocalPostgres postgres) {
        this.postgres = postgres;
    }

    /** @param kafkaPartitions partitions of topics the broker creates by itself */
    public static Servers start(Set<Sink> sinks, int kafkaPartitions) {
        Servers servers = new Servers(LocalPostgres.start());
        try {
            if (sinks.contains(Sink.KAFKA)) {
                servers.kafka = LocalKafka.start(kafkaPartitions);
            }
            if (sinks.contains(Sink.ELASTICSEARCH)) {
                servers.elasticsearch = LocalElasticsearch.start();
            }
            if (sinks.contains(Sink.REDIS)) {
                servers.redis = LocalRedis.start();
            }
        } catch (RuntimeException e) {
            servers.close();
            throw e;
        }
        return servers;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public boolean hasKafka() {
        return kafka != null;
    }

    public LocalKafka kafka() {
        return Optional.ofNullable(kafka).orElseThrow(() -> new IllegalStateException("Kafka was not started"));
    }

    public LocalElasticsearch elasticsearch() {
        return Optional.ofNullable(elasticsearch)
                .orElseThrow(() -> new IllegalStateException("Elasticsearch was not started"));
    }

    public LocalRedis redis() {
        return Optional.ofNullable(redis).orElseThrow(() -> new IllegalStateException("Redis was not started"));
    }

    /** Closes every server, also when closing one of them fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (LocalServer server : Arrays.asList(redis, elasticsearch, kafka, postgres)) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
