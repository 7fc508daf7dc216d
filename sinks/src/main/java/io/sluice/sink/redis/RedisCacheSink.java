package io.sluice.sink.redis;

import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.transform.Routes;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.sink.codec.EventJson;
import io.sluice.sink.redis.RedisErrors.Kind;
import io.sluice.sink.redis.RedisRowMapper.ScriptCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Keeps a Redis cache exactly in step with the captured rows: one key per row ({@link RedisKeyMapper}), holding the
 * row as a hash or a JSON string ({@link RedisRowMapper}), written only if the change is not older than what the
 * key holds.
 *
 * <h2>Idempotent and ordered</h2>
 * Every event runs {@code versioned-write.lua} on its row's data key and version key ({@code {<data key>}:version},
 * the same Redis Cluster slot). The script compares the event's version with the stored one and applies the event
 * only if it is not older, atomically: an older event is already applied (counted in {@link #olderSkippedCount()},
 * not a failure), an equal one belongs to the same transaction and applies in order. A delete removes the data key
 * and keeps the version for {@code delete-marker-ttl}, so a replayed older upsert cannot bring the row back within
 * that time. Both keys are passed as {@code KEYS}, so ACL key patterns and Cluster slot routing see them.
 *
 * <h2>Data loss in Redis</h2>
 * At open the sink adopts the pipeline's marker {@code sluice:<pipeline>:epoch} (created with a random epoch if
 * missing), and every pipeline of commands it sends ends with {@code epoch-marker.lua}, which counts the batch. If
 * the marker is gone, holds another epoch, or its count went back, Redis lost writes that may already be committed
 * offsets: the script records the loss in the marker, and the sink throws a non-retriable {@link SinkException}
 * saying so and how to re-sync. Because the check comes last on the same connection, a batch is never acknowledged
 * by a Redis that lost data before the batch's last command. (In Redis Cluster the check runs on the marker's shard
 * only; see docs/sinks/redis.md.)
 *
 * <h2>Truncate</h2>
 * The table's keys are found with {@code SCAN MATCH <prefix>*<suffix>} a page at a time (on every master of a
 * cluster) and each is deleted through the script with the truncate's version, leaving delete markers like row
 * deletes do. Redis is never blocked: each page is one pipeline of short scripts, and {@code UNLINK} frees values in
 * the background.
 *
 * <h2>Failures in {@code write}</h2>
 * <ul>
 *   <li>No connection, a failover, a Redis loading its data, out of memory, a busy script: the whole batch fails with
 *       {@link RetriableSinkException} and the dispatcher retries it; what of it was applied already is applied
 *       again, which changes nothing, since every event is idempotent. A transient
 *       error of one event fails the batch too, because a later event of the same row and version may already be
 *       applied, and retrying only the failed one would put it after that later event.</li>
 *   <li>Redis refuses an event for good (e.g. {@code WRONGTYPE}: the key holds another type of value): the event
 *       fails non-retriably and the rest of the batch is applied.</li>
 *   <li>Credentials or rights, an event that cannot be mapped to a key, or lost data: {@link SinkException}.</li>
 * </ul>
 * A script unknown to the server ({@code NOSCRIPT}, e.g. after a restart or {@code SCRIPT FLUSH}) is sent again in
 * full for the events it failed; nothing of those events had run.
 *
 * <p>Threading as in {@link Sink}: {@code open} and {@code write} from one thread at a time, {@code close} from any.
 * A {@code close} during a write closes the client; the write then fails within the configured timeout.
 */
public final class RedisCacheSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCacheSink.class);
    private static final String WRITE_SCRIPT = resource("versioned-write.lua");
    private static final String MARKER_SCRIPT = resource("epoch-marker.lua");
    static final String WRITE_SHA = sha1(WRITE_SCRIPT);
    static final String MARKER_SHA = sha1(MARKER_SCRIPT);
    /** Keys asked for per SCAN call: large enough to cross an empty keyspace quickly, small enough to stay short. */
    private static final int SCAN_COUNT = 1000;
    private static final long APPLIED = 1;
    private static final long OLDER = 0;
    private static final long INVALIDATED = 2;

    private final String pipeline;
    private final RedisSinkConfig config;
    private final Routes keyRoutes;
    private final String where;
    private final String markerKey;
    private final Supplier<String> newEpoch;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong olderSkipped = new AtomicLong();
    private final AtomicLong invalidated = new AtomicLong();
    // Set by open() before it publishes the client; write() reads them only after reading a non-null client.
    private RedisRowMapper rows;
    private RedisKeyMapper keys;
    private String epoch;
    private long lastSeq;
    private volatile UnifiedJedis client;

    /** The sink as production uses it, every table on the sink's key template. Connects nothing. */
    public RedisCacheSink(String pipeline, RedisSinkConfig config) {
        this(pipeline, config, Routes.NONE);
    }

    /**
     * The sink as production uses it. Connects nothing; see {@link #open()}.
     *
     * @param keyRoutes the key templates transforms set for some tables
     */
    public RedisCacheSink(String pipeline, RedisSinkConfig config, Routes keyRoutes) {
        this(pipeline, config, keyRoutes, () -> UUID.randomUUID().toString());
    }

    /** @param newEpoch the id of a new data set, used when Redis holds no marker for the pipeline yet */
    RedisCacheSink(String pipeline, RedisSinkConfig config, Routes keyRoutes, Supplier<String> newEpoch) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.config = Objects.requireNonNull(config, "config");
        this.keyRoutes = Objects.requireNonNull(keyRoutes, "keyRoutes");
        this.newEpoch = Objects.requireNonNull(newEpoch, "newEpoch");
        this.where = "pipeline '" + pipeline + "', sink redis (" + config.address() + ")";
        this.markerKey = markerKey(pipeline);
    }

    /** The key of a pipeline's data-loss marker, e.g. {@code sluice:orders:epoch}. */
    public static String markerKey(String pipeline) {
        return "sluice:" + pipeline + ":epoch";
    }

    /**
     * Checks the key template, connects, loads the scripts and adopts the pipeline's marker.
     *
     * @throws SinkException          when the key template is invalid, Redis refuses the credentials or rights, or
     *                                the marker records lost data
     * @throws RetriableSinkException when Redis cannot be reached now; {@code open} may be called again
     */
    @Override
    public void open() throws SinkException, InterruptedException {
        if (closed.get()) {
            throw new IllegalStateException(where + ": open() after close()");
        }
        if (client != null) {
            throw new IllegalStateException(where + ": already open");
        }
        if (rows == null) {
            try {
                EventJson json = new EventJson();
                keys = RedisKeyMapper.parse(config.key(), keyRoutes, json);
                rows = new RedisRowMapper(keys, json, config.value(), config.ttl(), config.deleteMarkerTtl());
            } catch (IllegalArgumentException e) {
                throw new SinkException(where + ": " + e.getMessage(), e);
            }
        }
        UnifiedJedis created = null;
        try {
            created = RedisClients.create("sluice-" + pipeline, config);
            loadScript(created, WRITE_SCRIPT, WRITE_SHA);
            loadScript(created, MARKER_SCRIPT, MARKER_SHA);
            adoptMarker(created);
            warnWithoutAppendOnlyFile(created);
        } catch (JedisException e) {
            closeQuietly(created);
            throw openFailure(e);
        } catch (SinkException | RuntimeException e) {
            closeQuietly(created);
            throw e;
        }
        client = created;
        if (closed.get()) {
            created.close();
            throw new InterruptedException(where + ": closed while opening");
        }
        LOG.info("{}: connected; key template '{}', value {}, ttl {}, delete markers kept {}, marker {} epoch {}",
                where, config.key(), config.value().yamlName(), config.ttl() == null ? "none" : config.ttl(),
                config.deleteMarkerTtl(), markerKey, epoch);
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) throws SinkException, InterruptedException {
        UnifiedJedis client = this.client;
        if (closed.get()) {
            throw new InterruptedException(where + ": closed");
        }
        if (client == null) {
            throw new IllegalStateException(where + ": write() before open()");
        }
        if (batch.isEmpty()) {
            return WriteResult.allApplied();
        }
        List<ScriptCall> calls = map(batch);
        List<EventFailure> failures = new ArrayList<>();
        List<Pending> rowEvents = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            ChangeEvent event = batch.get(i);
            if (event.op() != Op.TRUNCATE) {
                rowEvents.add(new Pending(i, event, calls.get(i)));
                continue;
            }
            // The rows before a truncate must be written before it scans, the rows after it only once it is done.
            if (!rowEvents.isEmpty()) {
                failures.addAll(apply(client, rowEvents));
                rowEvents = new ArrayList<>();
            }
            truncate(client, event, i).ifPresent(failures::add);
        }
        if (!rowEvents.isEmpty()) {
            failures.addAll(apply(client, rowEvents));
        }
        return failures.isEmpty() ? WriteResult.allApplied() : new WriteResult(failures);
    }

    /** Idempotent; safe from any thread; never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(client);
    }

    /** Events applied since open (including those applied by removing a row that could not be completed). */
    public long appliedCount() {
        return applied.get();
    }

    /** Events not applied because the row already held a newer version: replays and late older events. */
    public long olderSkippedCount() {
        return olderSkipped.get();
    }

    /**
     * Updates applied by removing the cached row, because it lacked the value of a column the update left unchanged
     * (a TOAST value PostgreSQL did not send); readers then fall back to the source for that row.
     */
    public long invalidatedCount() {
        return invalidated.get();
    }

    /** Shows the configuration without secrets. */
    @Override
    public String toString() {
        return "RedisCacheSink[pipeline=" + pipeline + ", " + config + "]";
    }

    /** All script calls first, so an event that cannot be mapped stops the batch before anything is sent. */
    private List<ScriptCall> map(List<ChangeEvent> batch) throws SinkException {
        List<ScriptCall> calls = new ArrayList<>(batch.size());
        for (ChangeEvent event : batch) {
            try {
                calls.add(event.op() == Op.TRUNCATE ? null : rows.map(event));
            } catch (IllegalArgumentException e) {
                throw new SinkException(where + ": cannot write " + event.describe() + ": " + e.getMessage(), e);
            }
        }
        return calls;
    }

    /** One script call to make for the event at {@code index} of the batch. */
    private record Pending(int index, ChangeEvent event, ScriptCall call) {
    }

    /** Applies the calls in one pipeline; returns the events Redis refused for good. */
    private List<EventFailure> apply(UnifiedJedis client, List<Pending> pending)
            throws SinkException, InterruptedException {
        List<ScriptCall> calls = pending.stream().map(Pending::call).toList();
        List<Object> replies = send(client, calls, true);
        List<Integer> unknownScript = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof JedisNoScriptException) {
                unknownScript.add(i);
            }
        }
        if (!unknownScript.isEmpty()) {
            // The script cache was emptied after open (SCRIPT FLUSH, a restart with persistence): nothing of these
            // calls ran, and they are a suffix of each row's calls, so sending them again in order is safe.
            List<ScriptCall> again = unknownScript.stream().map(calls::get).toList();
            List<Object> secondReplies = send(client, again, false);
            for (int i = 0; i < unknownScript.size(); i++) {
                replies.set(unknownScript.get(i), secondReplies.get(i));
            }
        }
        return outcomes(pending, replies);
    }

    /**
     * Sends the calls and then the marker check in one pipeline and waits for every reply. Returns each call's reply
     * or the {@link JedisDataException} Redis answered it with; the marker's answer is checked here.
     *
     * @param cached EVALSHA (the script is loaded) or EVAL (the script text travels, and is cached again)
     */
    private List<Object> send(UnifiedJedis client, List<ScriptCall> calls, boolean cached)
            throws SinkException, InterruptedException {
        List<Response<Object>> responses = new ArrayList<>(calls.size());
        Response<Object> marker;
        try (AbstractPipeline pipe = client.pipelined()) {
            for (ScriptCall call : calls) {
                responses.add(cached ? pipe.evalsha(WRITE_SHA, call.keys(), call.args())
                        : pipe.eval(WRITE_SCRIPT, call.keys(), call.args()));
            }
            List<String> markerArgs = List.of("check", epoch, Long.toString(lastSeq));
            marker = cached ? pipe.evalsha(MARKER_SHA, List.of(markerKey), markerArgs)
                    : pipe.eval(MARKER_SCRIPT, List.of(markerKey), markerArgs);
            pipe.sync();
        } catch (JedisException e) {
            throw batchFailure(e);
        }
        checkMarker(client, marker);
        List<Object> replies = new ArrayList<>(responses.size());
        for (Response<Object> response : responses) {
            try {
                replies.add(response.get());
            } catch (JedisDataException e) {
                replies.add(e);
            }
        }
        return replies;
    }

    private void checkMarker(UnifiedJedis client, Response<Object> marker) throws SinkException, InterruptedException {
        Object reply;
        try {
            reply = marker.get();
        } catch (JedisNoScriptException e) {
            reply = runMarker(client, List.of("check", epoch, Long.toString(lastSeq)));
        } catch (JedisDataException e) {
            throw batchFailure(e);
        }
        List<String> state = strings(reply);
        if (state.get(0).equals("lost")) {
            throw lostData(state.get(1));
        }
        lastSeq = Long.parseLong(state.get(2));
    }

    /**
     * What the replies mean for the batch: lost data and fatal errors stop it, a transient error fails it as a whole
     * (see the class comment), a refusal fails its event.
     */
    private List<EventFailure> outcomes(List<Pending> pending, List<Object> replies) throws SinkException {
        List<EventFailure> refused = new ArrayList<>();
        String transientProblem = null;
        for (int i = 0; i < replies.size(); i++) {
            Object reply = replies.get(i);
            ChangeEvent event = pending.get(i).event();
            if (reply instanceof JedisDataException error) {
                Kind kind = RedisErrors.classify(error);
                if (kind == Kind.FATAL) {
                    throw new SinkException(where + ": cannot write " + event.describe() + ": "
                            + RedisErrors.describe(error), error);
                }
                if (kind == Kind.RETRIABLE) {
                    transientProblem = transientProblem != null ? transientProblem
                            : event.describe() + ": " + RedisErrors.describe(error);
                } else {
                    refused.add(new EventFailure(pending.get(i).index(), false, RedisErrors.describe(error)));
                }
            } else {
                count(reply, event);
            }
        }
        if (transientProblem != null) {
            throw new RetriableSinkException(where + ": Redis could not apply " + transientProblem
                    + "; the batch will be written again");
        }
        return refused;
    }

    private void count(Object reply, ChangeEvent event) throws SinkException {
        if (!(reply instanceof Long code)) {
            throw new SinkException(where + ": unexpected reply to " + event.describe() + ": " + reply);
        }
        if (code == OLDER) {
            olderSkipped.incrementAndGet();
        } else if (code == APPLIED || code == INVALIDATED) {
            applied.incrementAndGet();
            if (code == INVALIDATED) {
                invalidated.incrementAndGet();
            }
        } else {
            throw new SinkException(where + ": unexpected reply to " + event.describe() + ": " + code);
        }
    }

    /**
     * Deletes every row of the truncated table, a SCAN page at a time; returns the truncate's failure when Redis
     * refused to delete one of its rows for good.
     */
    private Optional<EventFailure> truncate(UnifiedJedis client, ChangeEvent truncate, int index)
            throws SinkException, InterruptedException {
        String pattern;
        try {
            pattern = keys.scanPattern(truncate.table());
        } catch (IllegalArgumentException e) {
            throw new SinkException(where + ": cannot write " + truncate.describe() + ": " + e.getMessage(), e);
        }
        long removed = 0;
        try {
            ScanIteration scan = client.scanIteration(SCAN_COUNT, pattern);
            while (!scan.isIterationCompleted()) {
                if (closed.get()) {
                    throw new InterruptedException(where + ": closed during " + truncate.describe());
                }
                List<Pending> deletes = new ArrayList<>();
                for (String key : scan.nextBatchList()) {
                    if (keys.isDataKeyOf(truncate.table(), key)) {
                        deletes.add(new Pending(index, truncate, rows.delete(key, truncate.version())));
                    }
                }
                if (deletes.isEmpty()) {
                    continue;
                }
                List<EventFailure> refused = apply(client, deletes);
                if (!refused.isEmpty()) {
                    return Optional.of(refused.get(0));
                }
                removed += deletes.size();
            }
        } catch (JedisException e) {
            throw batchFailure(e);
        }
        LOG.info("{}: {} removed {} cached rows", where, truncate.describe(), removed);
        return Optional.empty();
    }

    private void loadScript(UnifiedJedis client, String script, String sha) throws SinkException {
        // In a cluster the sample key routes the load to the marker's node; other nodes learn the scripts through
        // the NOSCRIPT fallback on first use.
        String loaded = client.scriptLoad(script, markerKey);
        if (!sha.equalsIgnoreCase(loaded)) {
            throw new SinkException(where + ": Redis answered SCRIPT LOAD with digest " + loaded + " instead of "
                    + sha);
        }
    }

    private void adoptMarker(UnifiedJedis client) throws SinkException {
        List<String> state = strings(runMarker(client, List.of("open", newEpoch.get())));
        if (state.get(0).equals("lost")) {
            throw lostData(state.get(1));
        }
        epoch = state.get(1);
        lastSeq = Long.parseLong(state.get(2));
    }

    private Object runMarker(UnifiedJedis client, List<String> args) throws SinkException {
        try {
            return client.evalsha(MARKER_SHA, List.of(markerKey), args);
        } catch (JedisNoScriptException e) {
            return client.eval(MARKER_SCRIPT, List.of(markerKey), args);
        } catch (JedisException e) {
            throw RedisErrors.classify(e) == Kind.RETRIABLE
                    ? new RetriableSinkException(where + ": " + RedisErrors.describe(e), e)
                    : new SinkException(where + ": cannot use the marker " + markerKey + ": "
                            + RedisErrors.describe(e), e);
        }
    }

    /**
     * An advice, not a requirement: without an append-only file a restart loses recent writes, which the marker
     * then reports and the pipeline stops. Redis may deny INFO to the sink's ACL user; then nothing is said.
     */
    private void warnWithoutAppendOnlyFile(UnifiedJedis client) {
        String persistence;
        try {
            persistence = client.info("persistence");
        } catch (JedisDataException e) {
            LOG.debug("{}: cannot read INFO persistence: {}", where, RedisErrors.describe(e));
            return;
        }
        if (persistence != null && persistence.lines().anyMatch(line -> line.strip().equals("aof_enabled:0"))) {
            LOG.warn("{}: Redis runs without an append-only file (appendonly no), so a restart loses writes Sluice"
                    + " already committed; the sink will notice and stop the pipeline. Recommended: appendonly yes"
                    + " (see docs/sinks/redis.md)", where);
        }
    }

    private SinkException lostData(String reason) {
        return new SinkException(where + ": Redis lost data the pipeline had already written (" + reason
                + "), so cached rows may be missing or stale. Sluice stops rather than serve an incomplete cache."
                + " To re-sync: stop Sluice, remove the pipeline's cached keys, drop its replication slot and"
                + " offsets so the next start takes a new snapshot, then delete the marker key " + markerKey
                + " (it keeps this error until then). See docs/sinks/redis.md.");
    }

    private SinkException openFailure(JedisException e) {
        Kind kind = RedisErrors.classify(e);
        return kind == Kind.RETRIABLE
                ? new RetriableSinkException(where + ": cannot reach Redis: " + RedisErrors.describe(e), e)
                : new SinkException(where + ": cannot use Redis: " + RedisErrors.describe(e), e);
    }

    /** A whole-batch failure: nothing of the batch counts as acknowledged. */
    private SinkException batchFailure(JedisException e) throws InterruptedException {
        if (closed.get()) {
            InterruptedException interrupted = new InterruptedException(where
                    + ": closed while writing; the batch was not fully acknowledged");
            interrupted.initCause(e);
            throw interrupted;
        }
        return switch (RedisErrors.classify(e)) {
            case RETRIABLE -> new RetriableSinkException(where + ": "
                    + (e instanceof JedisConnectionException ? "no connection to Redis: " : "")
                    + RedisErrors.describe(e), e);
            case FATAL -> new SinkException(where + ": Redis refused the sink: " + RedisErrors.describe(e), e);
            case REJECTED -> new SinkException(where + ": unexpected Redis error: " + RedisErrors.describe(e), e);
        };
    }

    @SuppressWarnings("unchecked")
    private List<String> strings(Object reply) throws SinkException {
        if (!(reply instanceof List<?> list) || list.isEmpty()) {
            throw new SinkException(where + ": unexpected reply from the marker script: " + reply);
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            out.add(item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(item));
        }
        return out;
    }

    private void closeQuietly(UnifiedJedis client) {
        if (client == null) {
            return;
        }
        try {
            client.close();
        } catch (JedisException e) {
            // Nobody above can act on a failed close (the sink is being dropped), so this is where it is reported.
            LOG.warn("{}: the Redis client did not close cleanly: {}", where, RedisErrors.describe(e));
        }
    }

    private static String resource(String name) {
        try (InputStream in = RedisCacheSink.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the Sluice jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Redis names a script by the SHA-1 of its text, in lower-case hex. */
    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
