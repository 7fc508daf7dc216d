package io.sluice.bench.probe;

import io.sluice.bench.Sink;
import io.sluice.bench.env.RunNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;

/**
 * Redis: updates leave the number of keys alone, so completion is read from the marker row: Sluice writes a batch
 * as one pipeline on one connection, which Redis runs in order, and sends a batch only after the previous one was
 * answered; so when the marker row (the last change) shows its note, every change before it was applied. Without a
 * marker (a snapshot) completion is the key count: each row is a data key and a version key, plus Sluice's one
 * data-loss marker key. Progress is the number of script calls Redis ran ({@code INFO commandstats}), which only
 * Sluice makes.
 */
public final class RedisProbe implements SinkProbe {
    private static final Pattern SCRIPT_CALLS = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)");
    /** Keys Sluice keeps besides the rows: the pipeline's data-loss marker. */
    private static final long OTHER_KEYS = 1;

    private final RedisClient client;
    private final RunNames names;

    public RedisProbe(String host, int port, RunNames names) {
        this.client = RedisClient.create(host, port);
        this.names = names;
    }

    @Override
    public Sink sink() {
        return Sink.REDIS;
    }

    @Override
    public long progress() {
        Matcher calls = SCRIPT_CALLS.matcher(client.info("commandstats"));
        long total = 0;
        while (calls.find()) {
            total += Long.parseLong(calls.group(1));
        }
        return total;
    }

    @Override
    public boolean reached(Target target) {
        if (target.hasMarker()) {
            return target.markerNote().equals(client.hget(names.redisKey(target.markerId()), "note"));
        }
        return client.dbSize() >= 2 * target.rows() + OTHER_KEYS;
    }

    @Override
    public Check check(Target target) {
        long keys = client.dbSize();
        long expected = 2 * target.rows() + OTHER_KEYS;
        if (keys != expected) {
            return Check.problem("Redis holds " + keys + " keys, expected " + expected + " (" + target.rows()
                    + " rows)");
        }
        if (target.hasMarker() && !reached(target)) {
            return Check.problem("Redis row " + names.redisKey(target.markerId()) + " does not show the last change");
        }
        return Check.OK;
    }

    /** Which of the rows' keys exist. */
    public Set<Long> visible(List<Long> ids) {
        List<Response<Boolean>> replies = new ArrayList<>(ids.size());
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (long id : ids) {
                replies.add(pipeline.exists(names.redisKey(id)));
            }
            pipeline.sync();
        }
        Set<Long> found = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (replies.get(i).get()) {
                found.add(ids.get(i));
            }
        }
        return found;
    }

    /** Empties the server, so a run starts from no keys. */
    public void flush() {
        client.flushAll();
    }

    @Override
    public void close() {
        client.close();
    }
}
