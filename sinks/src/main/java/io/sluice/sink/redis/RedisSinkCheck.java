package io.sluice.sink.redis;

import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.RoutedTable;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.TableId;
import io.sluice.sink.codec.EventJson;
import io.sluice.sink.redis.RedisErrors.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code sluice check} for a Redis sink: the key templates as {@link RedisCacheSink#open()} checks them, the server
 * reached with the sink's credentials and TLS, the pipeline's data-loss marker, persistence, and on Redis 7 or later
 * the user's rights for every command the sink sends (through {@code ACL DRYRUN}, which runs nothing): the scripts
 * and the commands inside them, on a sample key of each table, and {@code SCAN} for truncates. Reads only.
 */
public final class RedisSinkCheck implements ServerCheck {
    private static final int ACL_DRYRUN_SINCE = 7;
    private static final String SAMPLE_KEY_VALUE = "check";

    private final String pipeline;
    private final String sinkName;
    private final RedisSinkConfig config;
    private final Optional<List<RoutedTable>> tables;

    /**
     * @param sinkName the sink as the pipeline names it, e.g. {@code redis}
     * @param tables   the tables this sink receives with their key templates; empty when they are unknown
     */
    public RedisSinkCheck(String pipeline, String sinkName, RedisSinkConfig config,
            Optional<List<RoutedTable>> tables) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.sinkName = Objects.requireNonNull(sinkName, "sinkName");
        this.config = Objects.requireNonNull(config, "config");
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    @Override
    public String subject() {
        return sinkName + " " + config.address();
    }

    @Override
    public List<Finding> run() {
        Findings findings = new Findings(pipeline, subject());
        Map<TableId, Sample> samples = samples(findings);
        UnifiedJedis client = null;
        try {
            client = RedisClients.create("sluice-" + pipeline + "-check", config);
            client.ping();
            String version = serverInfo(client, "server", "redis_version");
            findings.ok("Redis " + (version == null ? "" : version + " ") + "reachable, credentials accepted"
                    + (config.user() == null ? "" : " (user '" + config.user() + "')"));
            checkMarker(client, findings);
            checkPersistence(client, findings);
            checkRights(client, version, samples, findings);
        } catch (JedisException e) {
            boolean refused = RedisErrors.classify(e) == Kind.FATAL;
            findings.error((refused ? "Redis refused the sink: " : "cannot reach Redis: ") + RedisErrors.describe(e),
                    refused ? "check the sink's user and password, and that the user may run PING, CLIENT SETNAME"
                            + " and SELECT" : "check the sink's host and port (or sentinel, cluster) and tls");
            findings.skip("rights and keys not checked: no usable connection");
        } finally {
            if (client != null) {
                try {
                    client.close();
                } catch (JedisException e) {
                    // The findings are made; a client that does not close cleanly changes none of them.
                }
            }
        }
        return findings.list();
    }

    /** A table's key prefix, and one data key with it. */
    private record Sample(String prefix, String dataKey) {
    }

    /** A sample data key per table, from the key templates; templates or keys the sink would refuse are reported. */
    private Map<TableId, Sample> samples(Findings findings) {
        EventJson json = new EventJson();
        Set<String> names = new LinkedHashSet<>();
        names.add(config.key());
        tables.orElse(List.of()).forEach(routed -> names.add(routed.template()));
        Map<String, RedisKeyMapper> mappers = new HashMap<>();
        for (String template : names) {
            try {
                mappers.put(template, RedisKeyMapper.parse(template, json));
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the key template (the sink's key, or a transform's)");
            }
        }
        Map<TableId, Sample> samples = new LinkedHashMap<>();
        for (RoutedTable routed : tables.orElse(List.of())) {
            TableId table = routed.shape().table();
            RedisKeyMapper mapper = mappers.get(routed.template());
            if (mapper == null) {
                continue;
            }
            try {
                String prefix = mapper.prefix(table);
                for (Map.Entry<TableId, Sample> other : samples.entrySet()) {
                    String otherPrefix = other.getValue().prefix();
                    if (prefix.startsWith(otherPrefix) || otherPrefix.startsWith(prefix)) {
                        findings.error("tables " + other.getKey() + " and " + table + " get keys starting with '"
                                + otherPrefix + "' and '" + prefix + "', so their rows could share keys",
                                "put what tells them apart into the key templates, e.g. {schema}:{table}:{key}");
                    }
                }
                samples.put(table, new Sample(prefix, mapper.dataKey(table, new Key(Map.of("id", SAMPLE_KEY_VALUE)))));
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the key template used for " + table);
            }
        }
        return samples;
    }

    /** A field of an {@code INFO} section, or {@code null} when it is missing or INFO is not allowed. */
    private static String serverInfo(UnifiedJedis client, String section, String field) {
        String info;
        try {
            info = client.info(section);
        } catch (JedisException | UnsupportedOperationException e) {
            // Not allowed to the user, or not routable in a cluster: the version is then unknown, and said so.
            return null;
        }
        return info == null ? null : info.lines().filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).strip()).findFirst().orElse(null);
    }

    /** The marker the sink keeps per pipeline records lost data, which makes the sink refuse to start. */
    private void checkMarker(UnifiedJedis client, Findings findings) {
        String marker = RedisCacheSink.markerKey(pipeline);
        List<String> state;
        try {
            state = client.hmget(marker, "epoch", "lost");
        } catch (JedisDataException e) {
            findings.skip("marker " + marker + " not read: " + RedisErrors.describe(e));
            return;
        }
        if (state.get(1) != null) {
            findings.error("marker " + marker + " records that Redis lost data the pipeline had written ("
                    + state.get(1) + "); the sink refuses to start until the cache is re-synced",
                    "re-sync as docs/sinks/redis.md says, then DEL " + marker);
        } else if (state.get(0) != null) {
            findings.ok("marker " + marker + " records no lost data");
        } else {
            findings.ok("marker " + marker + " does not exist yet; the sink creates it on start");
        }
    }

    private static void checkPersistence(UnifiedJedis client, Findings findings) {
        String aof = serverInfo(client, "persistence", "aof_enabled");
        if ("0".equals(aof)) {
            findings.warn("Redis runs without an append-only file, so a restart loses writes Sluice already"
                    + " committed; the sink then notices and stops the pipeline", "appendonly yes");
        }
    }

    /** The sink's rights, asked with ACL DRYRUN for every command it sends; skipped where Redis cannot tell. */
    private void checkRights(UnifiedJedis client, String version, Map<TableId, Sample> samples, Findings findings) {
        String user = config.user() == null ? "default" : config.user();
        if (version == null) {
            findings.skip("rights not checked: the Redis version is unknown (INFO is not allowed)");
            return;
        }
        if (majorVersion(version) < ACL_DRYRUN_SINCE) {
            findings.skip("rights not checked: Redis " + version + " has no ACL DRYRUN (Redis 7 added it); the"
                    + " sink's first write shows them");
            return;
        }
        if (tables.isEmpty()) {
            findings.skip("rights not checked: the captured tables, and so the keys, are unknown, as PostgreSQL"
                    + " could not be checked");
            return;
        }
        List<List<String>> commands = commands(samples);
        // Redis's reason for each refusal (it names the command or key refused), with the commands it refused.
        Map<String, Set<String>> denied = new LinkedHashMap<>();
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>();
            args.add("DRYRUN");
            args.add(user);
            args.addAll(command);
            Object reply;
            try {
                reply = client.sendCommand(RedisCacheSink.markerKey(pipeline), Protocol.Command.ACL,
                        args.toArray(String[]::new));
            } catch (JedisDataException e) {
                findings.skip("rights not checked: user '" + user + "' may not run ACL DRYRUN ("
                        + RedisErrors.describe(e) + "); an administrator can: ACL DRYRUN " + user + " "
                        + String.join(" ", commands.get(0)));
                return;
            }
            String answer = reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : String.valueOf(reply);
            if (!answer.equals("OK")) {
                String name = command.get(0).equals("SCRIPT") ? "SCRIPT LOAD" : command.get(0);
                denied.computeIfAbsent(answer, reason -> new LinkedHashSet<>()).add(name);
            }
        }
        if (denied.isEmpty()) {
            findings.ok("user '" + user + "' may run every command the sink sends (" + commands.size()
                    + " checked with ACL DRYRUN)");
            return;
        }
        String fix = grant(user, samples);
        for (Map.Entry<String, Set<String>> refusal : denied.entrySet()) {
            findings.error("user '" + user + "' is refused " + String.join(", ", refusal.getValue()) + ": "
                    + refusal.getKey(), fix);
            // One statement grants everything; repeating it on every line would only bury the messages.
            fix = "the ACL SETUSER above";
        }
    }

    /** Every command the sink sends, with sample keys: the scripts, what runs inside them, and truncate's SCAN. */
    private List<List<String>> commands(Map<TableId, Sample> samples) {
        String marker = RedisCacheSink.markerKey(pipeline);
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("SCRIPT", "LOAD", "return 0"));
        commands.add(List.of("EVALSHA", RedisCacheSink.MARKER_SHA, "1", marker, "check"));
        commands.add(List.of("EVAL", "return 0", "1", marker, "check"));
        commands.add(List.of("TIME"));
        commands.add(List.of("HMGET", marker, "epoch", "seq", "lost"));
        commands.add(List.of("HSET", marker, "seq", "0"));
        commands.add(List.of("HINCRBY", marker, "seq", "1"));
        for (Sample sample : samples.values()) {
            String dataKey = sample.dataKey();
            String versionKey = RedisKeyMapper.versionKey(dataKey);
            commands.add(List.of("EVALSHA", RedisCacheSink.WRITE_SHA, "2", dataKey, versionKey, "u"));
            commands.add(List.of("EVAL", "return 0", "2", dataKey, versionKey, "u"));
            commands.add(List.of("GET", versionKey));
            commands.add(List.of("SET", versionKey, "1", "PX", "1"));
            commands.add(List.of("TYPE", dataKey));
            commands.add(List.of("UNLINK", dataKey));
            commands.add(List.of("HMGET", dataKey, "column"));
            commands.add(List.of("HSET", dataKey, "column", "value"));
            commands.add(List.of("GET", dataKey));
            commands.add(List.of("SET", dataKey, "value", "PX", "1"));
            commands.add(List.of("PEXPIRE", dataKey, "1"));
            commands.add(List.of("SCAN", "0", "MATCH", dataKey, "COUNT", "1000"));
        }
        return commands;
    }

    private String grant(String user, Map<TableId, Sample> samples) {
        StringBuilder keys = new StringBuilder();
        for (Sample sample : samples.values()) {
            String prefix = sample.prefix();
            keys.append(" ~").append(prefix).append("* ~{").append(prefix).append('*');
        }
        return "ACL SETUSER " + user + keys + " ~" + RedisCacheSink.markerKey(pipeline) + " +ping +client|setname"
                + " +select +info +script|load +evalsha +eval +time +get +set +unlink +type +hmget +hset +hincrby"
                + " +pexpire +scan";
    }

    private static int majorVersion(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
