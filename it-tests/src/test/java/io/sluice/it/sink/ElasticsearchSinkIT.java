package io.sluice.it.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.TruncateAction;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.Sink;
import io.sluice.engine.sink.SinkContract;
import io.sluice.engine.sink.WriteResult;
import io.sluice.it.support.ElasticsearchHttp;
import io.sluice.it.support.ElasticsearchHttp.Document;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalElasticsearch;
import io.sluice.sink.elasticsearch.ElasticsearchSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link SinkContract} and the Elasticsearch sink's own promises (document ids and sources, external versions,
 * unchanged TOAST columns, index creation, gc_deletes, truncate, mapping failures, parallel bulk requests) against a
 * real single-node Elasticsearch.
 */
class ElasticsearchSinkIT extends SinkContract {
    private static final String PIPELINE = "sink-it";
    private static final String PREFIX = "sinkit-";
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static LocalElasticsearch elasticsearch;
    private static ElasticsearchHttp http;

    /** Sinks the Elasticsearch-specific tests open themselves, closed after each test. */
    private final List<Sink> ownSinks = new ArrayList<>();

    @BeforeAll
    static void startElasticsearch() {
        elasticsearch = LocalElasticsearch.start();
        http = new ElasticsearchHttp(elasticsearch.url());
    }

    @AfterAll
    static void stopElasticsearch() {
        if (elasticsearch != null) {
            elasticsearch.close();
        }
    }

    @AfterEach
    void closeOwnSinks() {
        ownSinks.forEach(Sink::close);
    }

    // ---- The contract's hooks

    @Override
    protected Sink openSink() throws Exception {
        ElasticsearchSink sink = new ElasticsearchSink(PIPELINE, config(b -> b));
        sink.open();
        return sink;
    }

    /**
     * Every document of the table's index, keyed back by its id: a composite key's id is the key's JSON object, a
     * single column's id is that column's value, and that column comes first in the document (rows keep their
     * column order, key columns first as the contract writes them). Deleted documents are absent.
     */
    @Override
    protected Map<Key, StoredRow> readState(TableId table) {
        Map<Key, StoredRow> state = new HashMap<>();
        http.documents(indexOf(table)).forEach((id, document) ->
                state.put(keyOf(id, document), StoredRow.present(document.version(), Row.of(document.source()))));
        return state;
    }

    @Override
    protected void stopServer() {
        elasticsearch.stop();
    }

    @Override
    protected void restartServer() {
        elasticsearch.restart();
    }

    /** A truncate removes every document of the table's index that is not newer than the truncate. */
    @Override
    protected void assertTruncateApplied(ChangeEvent truncate, Map<Key, StoredRow> before, Map<Key, StoredRow> after) {
        assertThat(before).isNotEmpty().allSatisfy((key, row) ->
                assertThat(row.version()).isLessThan(truncate.version()));
        assertThat(after).as("documents left by the truncate").isEmpty();
    }

    // ---- Elasticsearch's own promises

    @Test
    void documentsAreTheRowsWithIdsFromThePrimaryKey() throws Exception {
        TableId orders = table("es_ids_orders");
        TableId lines = table("es_ids_lines");
        TableId tags = table("es_ids_tags");
        ElasticsearchSink sink = openOwnSink(config(b -> b));
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("colour", "red");
        attributes.put("sizes", List.of(1L, 2L));
        ChangeEvent order = EventBuilder.insert(orders).key("id", 42L)
                .column("amount", new BigDecimal("12345678901234567890.123456789")).column("attributes", attributes)
                .column("note", null).version(100).build();
        ChangeEvent line = EventBuilder.insert(lines).key("order_id", 42L).key("line", 2L).column("sku", "A-1")
                .version(100).build();
        ChangeEvent tag = EventBuilder.insert(tags).key("name", "a \"quoted\" tag").column("uses", 3L)
                .version(100).build();

        assertThat(sink.write(List.of(order, line, tag)).failures()).isEmpty();

        Map<String, Document> orderDocs = http.documents(indexOf(orders));
        assertThat(orderDocs).containsOnlyKeys("42");
        // Exactly the row: a big exact decimal keeps every digit, jsonb is an object, null stays null.
        assertThat(orderDocs.get("42").raw()).isEqualTo("{\"id\":42,\"amount\":12345678901234567890.123456789,"
                + "\"attributes\":{\"colour\":\"red\",\"sizes\":[1,2]},\"note\":null}");
        assertThat(orderDocs.get("42").version()).isEqualTo(100);
        assertThat(http.documents(indexOf(lines))).containsOnlyKeys("{\"order_id\":42,\"line\":2}");
        assertThat(http.documents(indexOf(tags))).containsOnlyKeys("a \"quoted\" tag");
    }

    @Test
    void replayedAndOlderEventsAreCountedAsAlreadyApplied() throws Exception {
        TableId items = table("es_conflicts");
        ElasticsearchSink sink = openOwnSink(config(b -> b));
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(items).key("id", 1L).column("name", "one").version(100).build(),
                EventBuilder.insert(items).key("id", 2L).column("name", "two").version(101).build(),
                EventBuilder.delete(items).key("id", 2L).version(102).build());
        assertThat(sink.write(batch).failures()).isEmpty();
        assertThat(sink.versionConflictCount()).isZero();

        assertThat(sink.write(batch).failures()).isEmpty();

        // The insert of id 1 and the delete tie with what is stored and apply again (equal versions apply in order);
        // the insert of id 2 is older than the delete's tombstone.
        assertThat(sink.versionConflictCount()).isEqualTo(1);
        assertThat(http.documents(indexOf(items))).containsOnlyKeys("1");
    }

    @Test
    void unchangedToastColumnsKeepTheirStoredValue() throws Exception {
        TableId docs = table("es_toast");
        ElasticsearchSink sink = openOwnSink(config(b -> b));
        String body = "x".repeat(10_000);
        assertThat(sink.write(List.of(
                EventBuilder.insert(docs).key("id", 1L).column("title", "first").column("body", body).version(100)
                        .build(),
                EventBuilder.insert(docs).key("id", 2L).column("title", "first").column("body", body).version(100)
                        .build())).failures()).isEmpty();

        // Id 1: the value comes back from the stored document (a later write). Id 2: an earlier event of the same
        // batch set it, then one without it follows. Id 3: REPLICA IDENTITY FULL, the before image holds it.
        ChangeEvent readBack = unchangedBody(docs, 1L, "second", null, 200);
        ChangeEvent inBatchFirst = EventBuilder.update(docs).key("id", 2L).column("title", "second")
                .column("body", "rewritten").version(200).build();
        ChangeEvent inBatchThen = unchangedBody(docs, 2L, "third", null, 200);
        ChangeEvent fromBefore = unchangedBody(docs, 3L, "second", Row.of(Map.of("id", 3L, "title", "first",
                "body", "from the before image")), 200);
        assertThat(sink.write(List.of(readBack, inBatchFirst, inBatchThen, fromBefore)).failures()).isEmpty();

        Map<String, Document> stored = http.documents(indexOf(docs));
        assertThat(stored.get("1").source()).containsEntry("title", "second").containsEntry("body", body);
        assertThat(stored.get("1").version()).isEqualTo(200);
        assertThat(stored.get("2").source()).containsEntry("title", "third").containsEntry("body", "rewritten");
        assertThat(stored.get("3").source()).containsEntry("title", "second")
                .containsEntry("body", "from the before image");
        assertThat(sink.unchangedValuesNotFoundCount()).isZero();

        // A replay of the read-back update after a newer change keeps the newer document whole.
        assertThat(sink.write(List.of(unchangedBody(docs, 1L, "newest", null, 300))).failures()).isEmpty();
        assertThat(sink.write(List.of(readBack)).failures()).isEmpty();
        assertThat(http.documents(indexOf(docs)).get("1").source()).containsEntry("title", "newest")
                .containsEntry("body", body);
    }

    @Test
    void missingIndexIsCreatedWithSettingsMappingsAliasAndGcDeletes() throws Exception {
        TableId accounts = table("es_created");
        ElasticsearchSink sink = openOwnSink(config(b -> b.alias(PREFIX + "all-{schema}")
                .settings(Map.of("index", Map.of("number_of_shards", 2, "number_of_replicas", 0)))
                .mappings(Map.of("properties", Map.of("balance", Map.of("type", "long"))))
                .gcDeletes(Duration.ofHours(6))));

        assertThat(sink.write(List.of(EventBuilder.insert(accounts).key("id", 1L).column("balance", 5L).version(100)
                .build())).failures()).isEmpty();

        String index = indexOf(accounts);
        JsonNode settings = http.get("/" + index + "/_settings").path(index).path("settings").path("index");
        assertThat(settings.path("gc_deletes").asText()).isEqualTo("21600000ms");
        assertThat(settings.path("number_of_shards").asText()).isEqualTo("2");
        assertThat(http.get("/" + index + "/_mapping").path(index).path("mappings").path("properties")
                .path("balance").path("type").asText()).isEqualTo("long");
        assertThat(http.get("/" + index + "/_alias").path(index).path("aliases").has(PREFIX + "all-contract")).isTrue();
    }

    @Test
    void existingIndexIsUsedAsItIs() throws Exception {
        TableId accounts = table("es_existing");
        String index = indexOf(accounts);
        http.put("/" + index, "{\"settings\":{\"index\":{\"number_of_replicas\":0}}}");
        ElasticsearchSink sink = openOwnSink(config(b -> b.gcDeletes(Duration.ofHours(6))));

        assertThat(sink.write(List.of(EventBuilder.insert(accounts).key("id", 1L).column("balance", 5L).version(100)
                .build())).failures()).isEmpty();

        JsonNode settings = http.get("/" + index + "/_settings").path(index).path("settings").path("index");
        assertThat(settings.has("gc_deletes")).as("settings of an index Sluice did not create").isFalse();
        assertThat(http.documents(index)).containsOnlyKeys("1");
    }

    /**
     * The replay window of docs/sinks/elasticsearch.md: once Elasticsearch forgot a delete (after gc_deletes), a
     * replayed older upsert brings the document back until the replayed delete that follows it; within gc_deletes
     * it is refused like any older version. Two indices, one with a one-second gc_deletes and one with Sluice's
     * default, see the same events.
     */
    @Test
    void gcDeletesBoundsHowLongAReplayedUpsertCannotResurrectADeletedDocument() throws Exception {
        TableId shortMemory = table("es_gc_short");
        TableId defaultMemory = table("es_gc_default");
        ElasticsearchSink forgetful = openOwnSink(config(b -> b.gcDeletes(Duration.ofSeconds(1))));
        ElasticsearchSink sink = openOwnSink(config(b -> b));
        for (TableId table : List.of(shortMemory, defaultMemory)) {
            ElasticsearchSink writer = table == shortMemory ? forgetful : sink;
            assertThat(writer.write(List.of(EventBuilder.insert(table).key("id", 1L).column("v", "old").version(100)
                    .build(), EventBuilder.delete(table).key("id", 1L).version(200).build())).failures()).isEmpty();
        }
        ChangeEvent replayedShort = EventBuilder.insert(shortMemory).key("id", 1L).column("v", "old").version(100)
                .build();

        // Elasticsearch prunes forgotten deletes lazily (on refreshes, once gc_deletes passed): poll for it.
        Instant deadline = Instant.now().plusSeconds(60);
        while (http.documents(indexOf(shortMemory)).isEmpty()) {
            assertThat(Instant.now()).as("the one-second index forgot the delete in time").isBefore(deadline);
            Thread.sleep(500);
            assertThat(forgetful.write(List.of(replayedShort)).failures()).isEmpty();
        }
        assertThat(sink.write(List.of(EventBuilder.insert(defaultMemory).key("id", 1L).column("v", "old")
                .version(100).build())).failures()).isEmpty();

        assertThat(http.documents(indexOf(defaultMemory))).as("default gc_deletes: the delete is remembered").isEmpty();
        // The replay goes on to the delete, which removes the resurrected document again.
        assertThat(forgetful.write(List.of(EventBuilder.delete(shortMemory).key("id", 1L).version(200).build()))
                .failures()).isEmpty();
        assertThat(http.documents(indexOf(shortMemory))).isEmpty();
    }

    @Test
    void replayedTruncateLeavesDocumentsNewerThanItself() throws Exception {
        TableId sessions = table("es_truncate_replay");
        ElasticsearchSink sink = openOwnSink(config(b -> b));
        List<ChangeEvent> events = List.of(
                EventBuilder.insert(sessions).key("id", 1L).column("user_name", "a").version(100).build(),
                EventBuilder.insert(sessions).key("id", 2L).column("user_name", "b").version(100).build(),
                EventBuilder.truncate(sessions).version(200).build(),
                EventBuilder.insert(sessions).key("id", 2L).column("user_name", "b again").version(300).build());
        assertThat(sink.write(events).failures()).isEmpty();
        assertThat(http.documents(indexOf(sessions))).containsOnlyKeys("2");

        // A crash before the offset commit replays all of it: the truncate must not remove the newer document 2
        // (delete-by-query would, and the replayed insert, then older than its tombstone, would not bring it back).
        assertThat(sink.write(events).failures()).isEmpty();

        Map<String, Document> after = http.documents(indexOf(sessions));
        assertThat(after).containsOnlyKeys("2");
        assertThat(after.get("2").source()).containsEntry("user_name", "b again");
        assertThat(after.get("2").version()).isEqualTo(300);
    }

    @Test
    void truncateIsIgnoredWhenConfiguredSo() throws Exception {
        TableId sessions = table("es_truncate_ignored");
        ElasticsearchSink sink = openOwnSink(config(b -> b.truncate(TruncateAction.IGNORE)));
        assertThat(sink.write(List.of(
                EventBuilder.insert(sessions).key("id", 1L).column("user_name", "a").version(100).build(),
                EventBuilder.truncate(sessions).version(200).build())).failures()).isEmpty();

        assertThat(http.documents(indexOf(sessions))).containsOnlyKeys("1");
        assertThat(sink.truncatesIgnoredCount()).isEqualTo(1);
    }

    @Test
    void documentThatViolatesTheMappingFailsAloneAndForGood() throws Exception {
        TableId payments = table("es_mapping_conflict");
        ElasticsearchSink sink = openOwnSink(config(b -> b.mappings(Map.of("properties",
                Map.of("amount", Map.of("type", "long"))))));
        List<ChangeEvent> batch = List.of(
                EventBuilder.insert(payments).key("id", 1L).column("amount", 10L).version(100).build(),
                EventBuilder.insert(payments).key("id", 2L).column("amount", "secret-looking text").version(101)
                        .build(),
                EventBuilder.insert(payments).key("id", 3L).column("amount", 30L).version(102).build());

        WriteResult result = sink.write(batch);

        assertThat(result.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.index()).isEqualTo(1);
            assertThat(failure.retriable()).as("retriable").isFalse();
            assertThat(failure.reason()).contains("index '" + indexOf(payments) + "'").contains("id '2'")
                    .contains("HTTP 400").contains("amount");
            // Reasons go into logs: Elasticsearch's preview of the refused value is cut off.
            assertThat(failure.reason()).doesNotContain("secret-looking");
        });
        assertThat(http.documents(indexOf(payments))).containsOnlyKeys("1", "3");
    }

    @Test
    void manySmallBulkRequestsInFlightKeepEachDocumentsOrder() throws Exception {
        TableId counters = table("es_lanes");
        ElasticsearchSink sink = openOwnSink(config(b -> b.bulk(new ElasticsearchSinkConfig.Bulk(7, 2048, 4))));
        List<ChangeEvent> batch = new ArrayList<>();
        // One transaction (equal versions) touching 30 rows ten times each, interleaved: only order decides.
        for (long round = 0; round < 10; round++) {
            for (long id = 1; id <= 30; id++) {
                EventBuilder change = round == 0 ? EventBuilder.insert(counters) : EventBuilder.update(counters);
                batch.add(change.key("id", id).column("round", round).column("pad", "p".repeat(100)).version(500)
                        .build());
            }
        }

        assertThat(sink.write(batch).failures()).isEmpty();

        Map<String, Document> stored = http.documents(indexOf(counters));
        assertThat(stored).hasSize(30).allSatisfy((id, document) ->
                assertThat(document.source()).containsEntry("round", 9L));
    }

    @Test
    void unreachableClusterFailsOpenRetriably() {
        ElasticsearchSinkConfig nowhere = ElasticsearchSinkConfig.of(List.of("http://127.0.0.1:" + FreePorts.pick()));
        ElasticsearchSink sink = new ElasticsearchSink("unreachable", nowhere);
        ownSinks.add(sink);

        assertThat(catchThrowable(sink::open)).isInstanceOf(RetriableSinkException.class)
                .hasMessageContaining("pipeline 'unreachable'").hasMessageContaining("ConnectException");
    }

    // ---- Helpers

    /** An update whose {@code body} column PostgreSQL did not send (an unchanged TOAST value). */
    private static ChangeEvent unchangedBody(TableId table, long id, String title, Row before, long version) {
        ChangeEvent shape = EventBuilder.update(table).key("id", id).column("title", title).version(version).build();
        return new ChangeEvent(table, Op.UPDATE, shape.key(), before == null ? shape.before() : before, shape.after(),
                Set.of("body"), shape.position(), version);
    }

    private ElasticsearchSink openOwnSink(ElasticsearchSinkConfig config) throws Exception {
        ElasticsearchSink sink = new ElasticsearchSink(PIPELINE, config);
        ownSinks.add(sink);
        sink.open();
        return sink;
    }

    /** Spelled out rather than rendered by the sink's template, so a template bug cannot hide itself. */
    private static String indexOf(TableId table) {
        return PREFIX + table.table();
    }

    private static TableId table(String name) {
        return new TableId(DATABASE, SCHEMA, name);
    }

    private static Key keyOf(String id, Document document) {
        if (id.startsWith("{")) {
            try {
                return new Key(ElasticsearchHttp.JSON.readValue(id, OBJECT));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map.Entry<String, Object> first = document.source().entrySet().iterator().next();
        assertThat(String.valueOf(first.getValue())).as("first column of document %s", id).isEqualTo(id);
        return new Key(Map.of(first.getKey(), first.getValue()));
    }

    private static ElasticsearchSinkConfig config(java.util.function.UnaryOperator<ConfigBuilder> edit) {
        return edit.apply(new ConfigBuilder()).build();
    }

    /** The sink configuration the tests use, with the one or two keys a test changes. */
    private static final class ConfigBuilder {
        private String alias;
        private Map<String, Object> settings = Map.of("index", Map.of("number_of_replicas", 0));
        private Map<String, Object> mappings;
        private Duration gcDeletes;
        private TruncateAction truncate;
        private ElasticsearchSinkConfig.Bulk bulk;

        ConfigBuilder alias(String alias) {
            this.alias = alias;
            return this;
        }

        ConfigBuilder settings(Map<String, Object> settings) {
            this.settings = settings;
            return this;
        }

        ConfigBuilder mappings(Map<String, Object> mappings) {
            this.mappings = mappings;
            return this;
        }

        ConfigBuilder gcDeletes(Duration gcDeletes) {
            this.gcDeletes = gcDeletes;
            return this;
        }

        ConfigBuilder truncate(TruncateAction truncate) {
            this.truncate = truncate;
            return this;
        }

        ConfigBuilder bulk(ElasticsearchSinkConfig.Bulk bulk) {
            this.bulk = bulk;
            return this;
        }

        ElasticsearchSinkConfig build() {
            // Short timeouts: a write to a stopped server then fails in seconds, not after the default 30 s.
            return new ElasticsearchSinkConfig(List.of(elasticsearch.url()), PREFIX + "{table}", alias, settings,
                    mappings, null, gcDeletes, truncate, null, null, bulk, Duration.ofSeconds(10),
                    Duration.ofSeconds(2), null, null, null, null);
        }
    }
}
