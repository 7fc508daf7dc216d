package io.sluice.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.ScrollResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.mget.MultiGetOperation;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.transform.Routes;
import io.sluice.config.sink.TruncateAction;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.sink.codec.EventJson;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.elasticsearch.client.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Elasticsearch index per table in sync with the table: one document per row, the row's columns as its
 * fields, {@code _id} from the primary key ({@link DocumentId}), written through the bulk API with external versions
 * ({@link BulkRequestMapper}). docs/sinks/elasticsearch.md describes the behaviour for users;
 * docs/adr/0004-elasticsearch-versions-and-toast.md the reasoning.
 *
 * <h2>Lifecycle</h2>
 * {@link #open()} checks the configuration (index template, index definition, CA file) before it connects, then that
 * the cluster answers. Indices are created on first use, when missing, with the configured settings, mappings and
 * alias and Sluice's {@code index.gc_deletes}; an index that exists is used as it is. {@link #write} returns once
 * Elasticsearch answered for every event: an event not reported as failed is durable on its primary shard (the
 * translog is synced per request by default). {@link #close()} may run on another thread; a write it interrupts
 * throws {@link InterruptedException} and nothing it wrote counts as delivered.
 *
 * <h2>Order and parallelism</h2>
 * A write is cut into bulk requests by count and bytes and sent on up to {@code bulk.max-in-flight} lanes at once
 * ({@link BulkPlanner}); each document stays on one lane, whose requests go one after the other, so its events are
 * applied in order. A truncate waits for everything before it and holds back everything after it.
 *
 * <h2>Failures in {@code write}</h2>
 * <ul>
 *   <li>A version conflict means the document already holds this or a newer version: applied, counted in
 *       {@link #versionConflictCount()}.</li>
 *   <li>Throttling (429, {@code es_rejected_execution_exception}), 5xx and unavailable shards fail the event
 *       retriably. A request that fails as a whole for such a reason, or cannot reach a node, fails all its events
 *       retriably, and the lane's later requests are not sent. When no event got through, the write throws
 *       {@link RetriableSinkException}.</li>
 *   <li>Once an event of a document failed retriably, the document's later events of the batch are reported failed
 *       too (even if Elasticsearch took them), so the retry applies them again, in order. After any retriable
 *       failure, nothing after the next truncate is attempted.</li>
 *   <li>A document Elasticsearch refuses for good (mapping conflict, unparsable value, an id that is too long) fails
 *       its event non-retriably: the pipeline's failure policy decides. The rest of the batch is written. Reasons
 *       name the index, id and error, never field values (Elasticsearch's value previews are cut off).</li>
 *   <li>Refused credentials or rights, a table without a valid index of its own, or a create-index request
 *       Elasticsearch refuses (bad settings or mappings) throw {@link SinkException}.</li>
 * </ul>
 *
 * <p>Threading as in {@link Sink}: {@code open} and {@code write} from one thread at a time, {@code close} from any.
 */
public final class ElasticsearchSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSink.class);
    private static final String SCROLL_KEEP_ALIVE = "2m";
    /** Elasticsearch's parse errors quote the refused value after this; the value must not reach logs. */
    private static final String VALUE_PREVIEW = ". Preview of field's value";

    private final String pipeline;
    private final ElasticsearchSinkConfig config;
    private final Routes indices;
    private final String where;
    private final EventJson json = new EventJson();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong versionConflicts = new AtomicLong();
    private final AtomicLong unchangedValuesNotFound = new AtomicLong();
    private final AtomicLong truncatesIgnored = new AtomicLong();
    /** Indices known to exist; an index found missing while writing is dropped from here and created again. */
    private final Set<String> existingIndices = ConcurrentHashMap.newKeySet();
    // Set by open() before it publishes the connection; write() reads them only after reading a non-null connection.
    private BulkRequestMapper mapper;
    private IndexNameTemplate aliases;
    private IndexDefinition definition;
    private BulkPlanner planner;
    private ExecutorService lanes;
    private volatile ElasticsearchConnection connection;

    /** The sink as production uses it, every table on the sink's index template. Connects nothing. */
    public ElasticsearchSink(String pipeline, ElasticsearchSinkConfig config) {
        this(pipeline, config, Routes.NONE);
    }

    /**
     * The sink as production uses it. Connects nothing; see {@link #open()}.
     *
     * @param indices the index templates transforms set for some tables
     */
    public ElasticsearchSink(String pipeline, ElasticsearchSinkConfig config, Routes indices) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.config = Objects.requireNonNull(config, "config");
        this.indices = Objects.requireNonNull(indices, "indices");
        this.where = "pipeline '" + pipeline + "', sink elasticsearch (" + String.join(",", config.urls()) + ")";
    }

    /**
     * Checks the configuration, then that the cluster answers.
     *
     * @throws SinkException          when the templates, the index definition or the CA file are unusable, or the
     *                                cluster refuses the credentials; not retriable
     * @throws RetriableSinkException when no node can be reached now; {@code open} may be called again
     */
    @Override
    public void open() throws SinkException, InterruptedException {
        if (closed.get()) {
            throw new IllegalStateException(where + ": open() after close()");
        }
        if (connection != null) {
            throw new IllegalStateException(where + ": already open");
        }
        ElasticsearchConnection created;
        try {
            mapper = new BulkRequestMapper(IndexNameTemplate.forIndex(config.index(), indices), json);
            aliases = config.alias() == null ? null : IndexNameTemplate.forAlias(config.alias());
            definition = IndexDefinition.of(config);
            planner = new BulkPlanner(config.bulk().maxActions(), config.bulk().maxBytes(),
                    config.bulk().maxInFlight());
            created = ElasticsearchConnection.create(config);
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            throw new SinkException(where + ": " + e.getMessage(), e);
        }
        try {
            created.client().cluster().health(h -> h);
        } catch (ElasticsearchException | IOException e) {
            closeQuietly(created);
            throw requestFailure("cannot use the cluster", e);
        } catch (RuntimeException e) {
            closeQuietly(created);
            throw new SinkException(where + ": cannot use the cluster: " + e, e);
        }
        lanes = config.bulk().maxInFlight() == 1 ? null : Executors.newFixedThreadPool(config.bulk().maxInFlight(),
                r -> {
                    Thread thread = new Thread(r, "sluice-" + pipeline + "-elasticsearch-bulk");
                    thread.setDaemon(true);
                    return thread;
                });
        connection = created;
        if (closed.get()) {
            closeQuietly(created);
            throw new InterruptedException(where + ": closed while opening");
        }
        LOG.info("{}: connected; index template '{}'{}, {}, truncate: {}, bulk: {} actions / {} bytes, {} in flight",
                where, config.index(), aliases == null ? "" : ", alias '" + config.alias() + "'", definition,
                config.truncate().yamlName(), config.bulk().maxActions(), config.bulk().maxBytes(),
                config.bulk().maxInFlight());
    }

    @Override
    public WriteResult write(List<ChangeEvent> batch) throws SinkException, InterruptedException {
        ElasticsearchConnection connection = this.connection;
        if (closed.get()) {
            throw new InterruptedException(where + ": closed");
        }
        if (connection == null) {
            throw new IllegalStateException(where + ": write() before open()");
        }
        if (batch.isEmpty()) {
            return WriteResult.allApplied();
        }
        ElasticsearchClient client = connection.client();
        List<BulkAction> actions;
        try {
            ensureIndices(client, batch);
            Map<DocumentRef, Map<String, Object>> stored = readSources(client, mapper.documentsToRead(batch));
            actions = mapper.map(batch, stored);
        } catch (IllegalArgumentException e) {
            throw new SinkException(where + ": cannot write the batch: " + e.getMessage(), e);
        }
        if (mapper.unchangedValuesNotFound() > 0) {
            unchangedValuesNotFound.addAndGet(mapper.unchangedValuesNotFound());
            LOG.warn("{}: {} unchanged TOAST value(s) were neither in the events nor in the index; their documents"
                    + " were written without them", where, mapper.unchangedValuesNotFound());
        }
        Outcomes outcomes = new Outcomes(batch.size());
        apply(client, actions, outcomes);
        outcomes.failLaterEventsOfFailedDocuments(actions);
        return outcomes.result(where);
    }

    /** Idempotent; safe from any thread; never throws, so the caller goes on closing its other resources. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ElasticsearchConnection current = connection;
        if (lanes != null) {
            lanes.shutdownNow();
        }
        if (current != null) {
            closeQuietly(current);
        }
    }

    /** Events found already applied (Elasticsearch held the same or a newer version), since open. */
    public long versionConflictCount() {
        return versionConflicts.get();
    }

    /** Unchanged TOAST values no event or stored document held, so their documents lack them; since open. */
    public long unchangedValuesNotFoundCount() {
        return unchangedValuesNotFound.get();
    }

    /** Truncates left without effect because {@code truncate: ignore}; since open. */
    public long truncatesIgnoredCount() {
        return truncatesIgnored.get();
    }

    /** Shows the configuration without credentials (they are {@code Secret}s). */
    @Override
    public String toString() {
        return "ElasticsearchSink[pipeline=" + pipeline + ", " + config + "]";
    }

    // ---- Indices

    /** Creates the missing indices of the batch's tables (truncates alone create nothing). */
    private void ensureIndices(ElasticsearchClient client, List<ChangeEvent> batch)
            throws SinkException, InterruptedException {
        Set<String> seen = new HashSet<>();
        for (ChangeEvent event : batch) {
            if (event.op() == Op.TRUNCATE) {
                continue;
            }
            String index = mapper.indexOf(event.table());
            if (existingIndices.contains(index) || !seen.add(index)) {
                continue;
            }
            String alias = aliases == null ? null : aliases.render(event.table());
            try {
                if (!client.indices().exists(e -> e.index(index)).value()) {
                    createIndex(client, index, alias);
                }
            } catch (ElasticsearchException | IOException e) {
                throw requestFailure("cannot check or create index '" + index + "'", e);
            }
            existingIndices.add(index);
        }
    }

    private void createIndex(ElasticsearchClient client, String index, String alias) throws IOException {
        try {
            client.indices().create(c -> c.index(index).withJson(new StringReader(definition.createBody(alias))));
            LOG.info("{}: created index '{}'{} with index.gc_deletes={}", where, index,
                    alias == null ? "" : " with alias '" + alias + "'", definition.gcDeletes());
        } catch (ElasticsearchException e) {
            // Another writer (or a second sink of this pipeline) created it in between: use it.
            if (!"resource_already_exists_exception".equals(errorType(e))) {
                throw e;
            }
        }
    }

    // ---- Stored sources for unchanged TOAST columns

    /** The stored sources of these documents (realtime gets, so unrefreshed writes are seen); absent if not found. */
    private Map<DocumentRef, Map<String, Object>> readSources(ElasticsearchClient client, Set<DocumentRef> documents)
            throws SinkException, InterruptedException {
        Map<DocumentRef, Map<String, Object>> sources = new HashMap<>();
        List<DocumentRef> all = new ArrayList<>(documents);
        int chunk = config.bulk().maxActions();
        for (int from = 0; from < all.size(); from += chunk) {
            List<DocumentRef> part = all.subList(from, Math.min(all.size(), from + chunk));
            List<MultiGetOperation> gets = part.stream()
                    .map(d -> MultiGetOperation.of(g -> g.index(d.index()).id(d.id())))
                    .toList();
            MgetResponse<StoredSource> response;
            try {
                response = client.mget(m -> m.docs(gets), StoredSource.class);
            } catch (ElasticsearchException | IOException e) {
                throw requestFailure("cannot read stored documents for unchanged TOAST columns", e);
            }
            for (int i = 0; i < part.size(); i++) {
                MultiGetResponseItem<StoredSource> item = response.docs().get(i);
                if (item.isFailure()) {
                    throw new RetriableSinkException(where + ": cannot read stored document '" + part.get(i).id()
                            + "' of index '" + part.get(i).index() + "': " + item.failure().error().type());
                }
                if (item.result().found() && item.result().source() != null) {
                    sources.put(part.get(i), exactValues(item.result().source()));
                }
            }
        }
        return sources;
    }

    /** A stored source with values of the types a {@code Row} holds: whole numbers beyond long become decimals. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> exactValues(Map<?, ?> source) {
        Map<String, Object> values = new LinkedHashMap<>();
        source.forEach((name, value) -> values.put((String) name, exactValue(value)));
        return values;
    }

    private static Object exactValue(Object value) {
        if (value instanceof BigInteger big) {
            return new BigDecimal(big);
        }
        if (value instanceof Map<?, ?> map) {
            return exactValues(map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ElasticsearchSink::exactValue).toList();
        }
        return value;
    }

    // ---- Applying actions

    /** Runs of document actions go through the lanes; truncates run alone, between them. */
    private void apply(ElasticsearchClient client, List<BulkAction> actions, Outcomes outcomes)
            throws SinkException, InterruptedException {
        int i = 0;
        while (i < actions.size()) {
            if (outcomes.anyRetriable()) {
                for (; i < actions.size(); i++) {
                    outcomes.retriable(actions.get(i).event(), "not attempted: an earlier event of the batch failed"
                            + " and a truncate must wait for it");
                }
                return;
            }
            BulkAction action = actions.get(i);
            if (action.kind() == BulkAction.Kind.TRUNCATE) {
                truncate(client, action, outcomes);
                i++;
                continue;
            }
            List<BulkAction> run = new ArrayList<>();
            for (; i < actions.size() && actions.get(i).kind() != BulkAction.Kind.TRUNCATE; i++) {
                BulkAction next = actions.get(i);
                if (next.kind() == BulkAction.Kind.REJECT) {
                    outcomes.permanent(next.event(), describe(next.document()) + ": " + next.problem());
                } else {
                    run.add(next);
                }
            }
            sendRun(client, run, outcomes);
        }
    }

    private void sendRun(ElasticsearchClient client, List<BulkAction> run, Outcomes outcomes)
            throws SinkException, InterruptedException {
        if (run.isEmpty()) {
            return;
        }
        List<List<List<BulkAction>>> plan = planner.plan(run);
        if (plan.size() == 1 || lanes == null) {
            for (List<List<BulkAction>> lane : plan) {
                sendLane(client, lane, outcomes);
            }
            return;
        }
        List<Future<Void>> running = new ArrayList<>(plan.size());
        for (List<List<BulkAction>> lane : plan) {
            running.add(lanes.submit(() -> {
                sendLane(client, lane, outcomes);
                return null;
            }));
        }
        SinkException failure = null;
        try {
            for (Future<Void> lane : running) {
                try {
                    lane.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof SinkException se) {
                        failure = failure == null ? se : failure;
                    } else if (cause instanceof InterruptedException ie) {
                        throw ie;
                    } else {
                        throw new SinkException(where + ": a bulk lane failed unexpectedly: " + cause, cause);
                    }
                }
            }
        } catch (InterruptedException e) {
            running.forEach(lane -> lane.cancel(true));
            throw e;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Sends a lane's requests in order; after a request that failed as a whole, the rest are not sent. */
    private void sendLane(ElasticsearchClient client, List<List<BulkAction>> requests, Outcomes outcomes)
            throws SinkException, InterruptedException {
        for (int r = 0; r < requests.size(); r++) {
            List<BulkAction> request = requests.get(r);
            BulkResponse response;
            try {
                response = client.bulk(bulkRequest(request));
            } catch (IOException | RuntimeException e) {
                SinkException failure = requestFailure("bulk request failed", e);
                if (!(failure instanceof RetriableSinkException)) {
                    throw failure;
                }
                String reason = failure.getMessage();
                for (List<BulkAction> unsent : requests.subList(r, requests.size())) {
                    unsent.forEach(action -> outcomes.retriable(action.event(), reason));
                }
                return;
            }
            List<BulkResponseItem> items = response.items();
            if (items.size() != request.size()) {
                throw new SinkException(where + ": Elasticsearch answered " + items.size() + " items to a bulk"
                        + " request of " + request.size());
            }
            for (int i = 0; i < items.size(); i++) {
                record(request.get(i), items.get(i), outcomes);
            }
        }
    }

    private BulkRequest bulkRequest(List<BulkAction> request) {
        List<BulkOperation> operations = new ArrayList<>(request.size());
        for (BulkAction action : request) {
            DocumentRef document = action.document();
            if (action.kind() == BulkAction.Kind.INDEX) {
                BinaryData source = BinaryData.of(action.source(), ContentType.APPLICATION_JSON);
                operations.add(BulkOperation.of(o -> o.index(x -> x.index(document.index()).id(document.id())
                        .version(action.version()).versionType(VersionType.ExternalGte).document(source))));
            } else {
                operations.add(BulkOperation.of(o -> o.delete(x -> x.index(document.index()).id(document.id())
                        .version(action.version()).versionType(VersionType.ExternalGte))));
            }
        }
        return BulkRequest.of(b -> b.operations(operations));
    }

    private void record(BulkAction action, BulkResponseItem item, Outcomes outcomes) {
        ErrorCause error = item.error();
        ItemOutcome outcome = ItemOutcome.ofItem(item.status(), error == null ? null : error.type());
        switch (outcome) {
            case APPLIED -> {
            }
            case ALREADY_APPLIED -> versionConflicts.incrementAndGet();
            case RETRIABLE -> {
                if (error != null && "index_not_found_exception".equals(error.type())) {
                    // Deleted behind Sluice's back: created again (with its settings) on the retry.
                    existingIndices.remove(action.document().index());
                }
                outcomes.retriable(action.event(), describe(action.document()) + ": " + explain(item.status(), error));
            }
            case PERMANENT -> outcomes.permanent(action.event(),
                    describe(action.document()) + ": " + explain(item.status(), error));
        }
    }

    // ---- Truncate

    /**
     * Removes every document of the index whose version is not newer than the truncate's, with versioned deletes.
     * Not delete-by-query: its deletes carry internal versions above the documents' own, so after a replay of
     * changes that followed the truncate they would outrank, and so lose, those changes; a versioned delete leaves a
     * newer document alone and outranks only what the truncate really removed.
     */
    private void truncate(ElasticsearchClient client, BulkAction action, Outcomes outcomes)
            throws SinkException, InterruptedException {
        String index = action.document().index();
        if (config.truncate() == TruncateAction.IGNORE) {
            truncatesIgnored.incrementAndGet();
            LOG.info("{}: truncate of index '{}' ignored (truncate: ignore)", where, index);
            return;
        }
        String scrollId = null;
        try {
            if (!client.indices().exists(e -> e.index(index)).value()) {
                return;
            }
            // The scan sees only refreshed documents; a refresh makes everything written so far visible.
            client.indices().refresh(r -> r.index(index));
            SearchResponse<JsonData> page = client.search(s -> s.index(index).scroll(t -> t.time(SCROLL_KEEP_ALIVE))
                    .size(config.bulk().maxActions()).version(true).source(c -> c.fetch(false))
                    .sort(o -> o.doc(d -> d)), JsonData.class);
            scrollId = page.scrollId();
            List<Hit<JsonData>> hits = page.hits().hits();
            long removed = 0;
            while (!hits.isEmpty()) {
                removed += deleteAsOf(client, index, hits, action.version());
                String current = scrollId;
                ScrollResponse<JsonData> next = client.scroll(s -> s.scrollId(current).scroll(t -> t.time(SCROLL_KEEP_ALIVE)),
                        JsonData.class);
                scrollId = next.scrollId();
                hits = next.hits().hits();
            }
            LOG.info("{}: truncate of index '{}' removed {} document(s)", where, index, removed);
        } catch (RetriableSinkException e) {
            outcomes.retriable(action.event(), e.getMessage());
        } catch (ElasticsearchException | IOException e) {
            outcomes.retriable(action.event(), asRetriable("truncate of index '" + index + "' failed", e).getMessage());
        } finally {
            clearScroll(client, scrollId);
        }
    }

    /** Deletes the hits as of {@code version}; returns how many were removed (newer ones stay). */
    private long deleteAsOf(ElasticsearchClient client, String index, List<Hit<JsonData>> hits, long version)
            throws IOException, RetriableSinkException {
        List<BulkOperation> deletes = hits.stream()
                .map(hit -> BulkOperation.of(o -> o.delete(d -> d.index(index).id(hit.id()).version(version)
                        .versionType(VersionType.ExternalGte))))
                .toList();
        BulkResponse response = client.bulk(b -> b.operations(deletes));
        long removed = 0;
        for (BulkResponseItem item : response.items()) {
            ItemOutcome outcome = ItemOutcome.ofItem(item.status(), item.error() == null ? null : item.error().type());
            if (outcome == ItemOutcome.APPLIED) {
                removed++;
            } else if (outcome != ItemOutcome.ALREADY_APPLIED) {
                throw new RetriableSinkException(where + ": truncate of index '" + index + "' could not delete '"
                        + item.id() + "': " + explain(item.status(), item.error()));
            }
        }
        return removed;
    }

    private void clearScroll(ElasticsearchClient client, String scrollId) {
        if (scrollId == null) {
            return;
        }
        try {
            client.clearScroll(c -> c.scrollId(scrollId));
        } catch (ElasticsearchException | IOException e) {
            // The scroll expires on its own after SCROLL_KEEP_ALIVE; nothing depends on clearing it early.
            LOG.debug("{}: could not clear a truncate scroll: {}", where, e.toString());
        }
    }

    // ---- Errors

    /**
     * A failed request as the exception to report: {@link RetriableSinkException} when it may work later (no node
     * reachable, timeout, 408, 429, 5xx), a plain {@link SinkException} when no retry can fix it (credentials,
     * rights, a request Elasticsearch refuses).
     */
    private SinkException requestFailure(String what, Exception e) throws InterruptedException {
        RetriableSinkException retriable = asRetriable(what, e);
        int status = statusOf(e);
        if (status == 401 || status == 403 || (status >= 400 && !ItemOutcome.isRetriableStatus(status))) {
            return new SinkException(where + ": " + what + ": " + explainRequest(e), e);
        }
        return retriable;
    }

    /** A request failure as the retriable exception it is unless {@link #requestFailure} finds otherwise. */
    private RetriableSinkException asRetriable(String what, Exception e) throws InterruptedException {
        if (closed.get()) {
            InterruptedException interrupted = new InterruptedException(where + ": closed while writing; the batch"
                    + " was not fully acknowledged");
            interrupted.initCause(e);
            throw interrupted;
        }
        return new RetriableSinkException(where + ": " + what + ": " + explainRequest(e), e);
    }

    static int statusOf(Exception e) {
        if (e instanceof ElasticsearchException es) {
            return es.status();
        }
        if (e instanceof TransportException te) {
            return te.statusCode();
        }
        if (e instanceof ResponseException re) {
            return re.getResponse().getStatusLine().getStatusCode();
        }
        return -1;
    }

    static String explainRequest(Exception e) {
        int status = statusOf(e);
        if (e instanceof ElasticsearchException es && es.error() != null) {
            return explain(status, es.error());
        }
        if (status == 401) {
            return "HTTP 401: the credentials were refused";
        }
        if (status == 403) {
            return "HTTP 403: the credentials lack the rights for this request";
        }
        if (status > 0) {
            return "HTTP " + status;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return root.getClass().getSimpleName() + message;
    }

    /** Status, error type and reason, with any preview of the refused field value cut off. */
    private static String explain(int status, ErrorCause error) {
        if (error == null) {
            return "HTTP " + status;
        }
        String reason = error.reason() == null ? "" : error.reason();
        int preview = reason.indexOf(VALUE_PREVIEW);
        if (preview >= 0) {
            reason = reason.substring(0, preview);
        }
        String causedBy = error.causedBy() == null ? "" : " (caused by " + error.causedBy().type() + ")";
        return "HTTP " + status + " " + error.type() + ": " + reason + causedBy;
    }

    private static String errorType(ElasticsearchException e) {
        return e.error() == null ? null : e.error().type();
    }

    private static String describe(DocumentRef document) {
        return "index '" + document.index() + "', id '" + document.id() + "'";
    }

    private void closeQuietly(ElasticsearchConnection connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // Nobody above can act on a failed close (the sink is being dropped), so this is where it is reported.
            LOG.warn("{}: the client did not close cleanly: {}", where, e.toString());
        }
    }

    /**
     * What happened to each event of a write. Lanes record into disjoint events, and the writing thread reads only
     * after joining them, so plain arrays suffice.
     */
    private static final class Outcomes {
        private final String[] retriable;
        private final String[] permanent;
        private volatile boolean anyRetriable;

        Outcomes(int events) {
            retriable = new String[events];
            permanent = new String[events];
        }

        void retriable(int event, String reason) {
            retriable[event] = reason;
            anyRetriable = true;
        }

        void permanent(int event, String reason) {
            permanent[event] = reason;
        }

        boolean anyRetriable() {
            return anyRetriable;
        }

        /**
         * After a document's event failed retriably, its later events must be applied again after it, so they are
         * reported as failed too, whatever Elasticsearch said about them (applying them again is idempotent).
         */
        void failLaterEventsOfFailedDocuments(List<BulkAction> actions) {
            Map<DocumentRef, String> failed = new HashMap<>();
            for (BulkAction action : actions) {
                if (action.kind() == BulkAction.Kind.TRUNCATE) {
                    continue;
                }
                String earlier = failed.get(action.document());
                if (earlier != null && retriable[action.event()] == null) {
                    retriable[action.event()] = "not applied: an earlier event of the same document failed ("
                            + earlier + ")";
                    permanent[action.event()] = null;
                } else if (retriable[action.event()] != null) {
                    failed.putIfAbsent(action.document(), retriable[action.event()]);
                }
            }
        }

        WriteResult result(String where) throws RetriableSinkException {
            List<EventFailure> failures = new ArrayList<>();
            for (int i = 0; i < retriable.length; i++) {
                if (retriable[i] != null) {
                    failures.add(new EventFailure(i, true, retriable[i]));
                } else if (permanent[i] != null) {
                    failures.add(new EventFailure(i, false, permanent[i]));
                }
            }
            if (failures.size() == retriable.length && failures.stream().allMatch(EventFailure::retriable)) {
                throw new RetriableSinkException(where + ": no event of the batch was applied: "
                        + failures.get(0).reason());
            }
            return failures.isEmpty() ? WriteResult.allApplied() : new WriteResult(failures);
        }
    }
}
