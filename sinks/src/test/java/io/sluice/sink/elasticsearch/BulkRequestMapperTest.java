package io.sluice.sink.elasticsearch;

import io.sluice.config.transform.TransformConfig;
import io.sluice.config.transform.Routes;
import static io.sluice.sink.TestEvents.columns;
import static io.sluice.sink.TestEvents.position;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.TableId;
import io.sluice.sink.codec.EventJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BulkRequestMapperTest {
    private static final TableId DOCS = new TableId("shop", "public", "Docs");
    private static final TableId LINES = new TableId("shop", "sales", "order_lines");

    private final BulkRequestMapper mapper = new BulkRequestMapper(IndexNameTemplate.forIndex("{table}"),
            new EventJson());

    @Test
    void upsertsIndexTheWholeRowWithTheEventVersionAndDeletesCarryItToo() {
        ChangeEvent insert = event(DOCS, Op.INSERT, columns("id", 7L), null,
                columns("id", 7L, "amount", new BigDecimal("10.50"), "tags", List.of("a", "b"), "meta",
                        columns("k", 1L), "note", null), Set.of(), 0x1_0000_0010L);
        ChangeEvent delete = event(DOCS, Op.DELETE, columns("id", 7L), columns("id", 7L), null, Set.of(),
                0x1_0000_0020L);

        List<BulkAction> actions = mapper.map(List.of(insert, delete), Map.of());

        assertThat(actions).hasSize(2);
        BulkAction index = actions.get(0);
        assertThat(index.kind()).isEqualTo(BulkAction.Kind.INDEX);
        assertThat(index.document()).isEqualTo(new DocumentRef("docs", "7"));
        assertThat(index.version()).isEqualTo(0x1_0000_0010L);
        assertThat(source(index)).isEqualTo(
                "{\"id\":7,\"amount\":10.50,\"tags\":[\"a\",\"b\"],\"meta\":{\"k\":1},\"note\":null}");
        assertThat(actions.get(1)).isEqualTo(BulkAction.delete(1, new DocumentRef("docs", "7"), 0x1_0000_0020L));
    }

    @Test
    void idsComeFromThePrimaryKey() {
        EventJson json = new EventJson();
        assertThat(DocumentId.of(new Key(columns("id", 42L)), json)).isEqualTo("42");
        assertThat(DocumentId.of(new Key(columns("id", "a0eebc99")), json)).isEqualTo("a0eebc99");
        assertThat(DocumentId.of(new Key(columns("id", new BigDecimal("12.50"))), json)).isEqualTo("12.50");
        assertThat(DocumentId.of(new Key(columns("flag", true)), json)).isEqualTo("true");
        // Key column order, not alphabetical; strings quoted, so "1,2" cannot pass for two columns.
        assertThat(DocumentId.of(new Key(columns("order_id", 7L, "line", 2L)), json))
                .isEqualTo("{\"order_id\":7,\"line\":2}");
        assertThat(DocumentId.of(new Key(columns("a", "1,2", "b", "x")), json)).isEqualTo("{\"a\":\"1,2\",\"b\":\"x\"}");
        assertThat(DocumentId.of(new Key(columns("a", "1", "b", "2,x")), json)).isEqualTo("{\"a\":\"1\",\"b\":\"2,x\"}");
        assertThat(DocumentId.problem("x".repeat(513))).contains("513 bytes");
        assertThat(DocumentId.problem("x".repeat(512))).isNull();
        assertThat(DocumentId.problem("")).contains("empty");
    }

    @Test
    void eventWithAnIdElasticsearchRefusesIsRejectedAlone() {
        ChangeEvent tooLong = event(DOCS, Op.INSERT, columns("id", "k".repeat(600)), null,
                columns("id", "k".repeat(600)), Set.of(), 100);
        ChangeEvent fine = event(DOCS, Op.INSERT, columns("id", 1L), null, columns("id", 1L), Set.of(), 100);

        List<BulkAction> actions = mapper.map(List.of(tooLong, fine), Map.of());

        assertThat(actions.get(0).kind()).isEqualTo(BulkAction.Kind.REJECT);
        assertThat(actions.get(0).problem()).contains("600 bytes");
        assertThat(actions.get(1).kind()).isEqualTo(BulkAction.Kind.INDEX);
    }

    @Test
    void unchangedToastValueComesFromTheBeforeImageThenTheBatchThenTheStoredDocument() {
        // 1: only the stored document has it. 2: an earlier event of the batch wrote it. 3: the before image
        // (REPLICA IDENTITY FULL) has it, and it wins over the stored one.
        ChangeEvent fromStored = event(DOCS, Op.UPDATE, columns("id", 1L), columns("id", 1L),
                columns("id", 1L, "title", "t1"), Set.of("body"), 200);
        ChangeEvent earlier = event(DOCS, Op.INSERT, columns("id", 2L), null,
                columns("id", 2L, "title", "old", "body", "in batch"), Set.of(), 150);
        ChangeEvent fromBatch = event(DOCS, Op.UPDATE, columns("id", 2L), columns("id", 2L),
                columns("id", 2L, "title", "t2"), Set.of("body"), 200);
        ChangeEvent fromBefore = event(DOCS, Op.UPDATE, columns("id", 3L), columns("id", 3L, "body", "before"),
                columns("id", 3L, "title", "t3"), Set.of("body"), 200);
        List<ChangeEvent> batch = List.of(fromStored, earlier, fromBatch, fromBefore);
        Map<DocumentRef, Map<String, Object>> stored = Map.of(
                new DocumentRef("docs", "1"), columns("id", 1L, "title", "t0", "body", "stored"),
                new DocumentRef("docs", "3"), columns("id", 3L, "title", "t0", "body", "stale stored"));

        assertThat(mapper.documentsToRead(batch)).containsExactly(new DocumentRef("docs", "1"));
        List<BulkAction> actions = mapper.map(batch, stored);

        assertThat(source(actions.get(0))).isEqualTo("{\"id\":1,\"title\":\"t1\",\"body\":\"stored\"}");
        assertThat(source(actions.get(2))).isEqualTo("{\"id\":2,\"title\":\"t2\",\"body\":\"in batch\"}");
        assertThat(source(actions.get(3))).isEqualTo("{\"id\":3,\"title\":\"t3\",\"body\":\"before\"}");
        assertThat(actions).extracting(BulkAction::version).containsExactly(200L, 150L, 200L, 200L);
        assertThat(mapper.unchangedValuesNotFound()).isZero();
    }

    @Test
    void unchangedValueNobodyHoldsIsLeftOutAndCounted() {
        ChangeEvent deleted = event(DOCS, Op.DELETE, columns("id", 1L), columns("id", 1L), null, Set.of(), 100);
        ChangeEvent orphan = event(DOCS, Op.UPDATE, columns("id", 1L), columns("id", 1L),
                columns("id", 1L, "title", "t"), Set.of("body"), 200);
        ChangeEvent notStored = event(DOCS, Op.UPDATE, columns("id", 2L), columns("id", 2L),
                columns("id", 2L, "title", "t"), Set.of("body"), 200);

        assertThat(mapper.documentsToRead(List.of(deleted, orphan, notStored)))
                .containsExactly(new DocumentRef("docs", "2"));
        List<BulkAction> actions = mapper.map(List.of(deleted, orphan, notStored), Map.of());

        assertThat(source(actions.get(1))).isEqualTo("{\"id\":1,\"title\":\"t\"}");
        assertThat(source(actions.get(2))).isEqualTo("{\"id\":2,\"title\":\"t\"}");
        assertThat(mapper.unchangedValuesNotFound()).isEqualTo(2);
    }

    @Test
    void truncateBecomesAnIndexActionAndEmptiesTheBatchStateOfItsTable() {
        ChangeEvent insert = event(DOCS, Op.INSERT, columns("id", 1L), null, columns("id", 1L, "body", "b"),
                Set.of(), 100);
        ChangeEvent truncate = new ChangeEvent(DOCS, Op.TRUNCATE, Key.none(), null, null, Set.of(),
                position(150, 150, 9L), 150);
        ChangeEvent afterTruncate = event(DOCS, Op.UPDATE, columns("id", 2L), columns("id", 2L),
                columns("id", 2L, "title", "t"), Set.of("body"), 200);
        List<ChangeEvent> batch = List.of(insert, truncate, afterTruncate);

        assertThat(mapper.documentsToRead(batch)).as("documents a truncate of the batch emptied are not read")
                .isEmpty();
        List<BulkAction> actions = mapper.map(batch, Map.of(new DocumentRef("docs", "2"), columns("body", "old")));

        assertThat(actions.get(1)).isEqualTo(BulkAction.truncate(1, "docs", 150));
        assertThat(source(actions.get(2))).isEqualTo("{\"id\":2,\"title\":\"t\"}");
    }

    @Test
    void indexTemplateRendersLowerCaseAndRefusesSharedOrInvalidNames() {
        IndexNameTemplate template = IndexNameTemplate.forIndex("{database}-{schema}.{table}");
        assertThat(template.render(LINES)).isEqualTo("shop-sales.order_lines");
        assertThat(template.render(DOCS)).isEqualTo("shop-public.docs");

        IndexNameTemplate shared = IndexNameTemplate.forIndex("all_{schema}");
        shared.render(DOCS);
        assertThatThrownBy(() -> shared.render(new TableId("shop", "public", "other")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both render to index 'all_public'");
        IndexNameTemplate alias = IndexNameTemplate.forAlias("all_{schema}");
        assertThat(alias.render(DOCS)).isEqualTo(alias.render(new TableId("shop", "public", "other")));

        assertThatThrownBy(() -> IndexNameTemplate.forIndex("{table}").render(new TableId("d", "s", "with space")))
                .hasMessageContaining("character ' ' is not allowed");
        assertThatThrownBy(() -> IndexNameTemplate.forIndex("{table}").render(new TableId("d", "s", "_hidden")))
                .hasMessageContaining("cannot start with");
        assertThatThrownBy(() -> IndexNameTemplate.forIndex("{tabel}")).hasMessageContaining("unknown placeholder");
        assertThatThrownBy(() -> IndexNameTemplate.forIndex("{table")).hasMessageContaining("never closed");
    }

    @Test
    void plannerKeepsEachDocumentOnOneLaneInOrderAndRespectsTheLimits() {
        List<BulkAction> run = new java.util.ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int id = 0; id < 20; id++) {
                run.add(BulkAction.index(round * 20 + id, new DocumentRef("docs", "d" + id), round,
                        new byte[200]));
            }
        }
        BulkPlanner planner = new BulkPlanner(4, 1_000, 3);

        List<List<List<BulkAction>>> plan = planner.plan(run);

        assertThat(plan).hasSizeLessThanOrEqualTo(3);
        assertThat(plan.stream().flatMap(List::stream)).allSatisfy(request -> {
            assertThat(request).hasSizeLessThanOrEqualTo(4);
            assertThat(request.stream().mapToInt(BulkAction::estimatedBytes).sum()).isLessThanOrEqualTo(1_000);
        });
        for (int id = 0; id < 20; id++) {
            DocumentRef document = new DocumentRef("docs", "d" + id);
            List<List<List<BulkAction>>> lanesWithIt = plan.stream()
                    .filter(lane -> lane.stream().flatMap(List::stream).anyMatch(a -> a.document().equals(document)))
                    .toList();
            assertThat(lanesWithIt).as("lanes holding %s", document).hasSize(1);
            assertThat(lanesWithIt.get(0).stream().flatMap(List::stream).filter(a -> a.document().equals(document)))
                    .extracting(BulkAction::version).containsExactly(0L, 1L, 2L, 3L, 4L);
        }
        assertThat(plan.stream().flatMap(List::stream).mapToLong(List::size).sum()).isEqualTo(100);
    }

    @Test
    void actionLargerThanTheByteLimitTravelsAlone() {
        BulkAction huge = BulkAction.index(0, new DocumentRef("docs", "1"), 1, new byte[5_000]);
        BulkAction small = BulkAction.index(1, new DocumentRef("docs", "1"), 2, new byte[10]);

        List<List<List<BulkAction>>> plan = new BulkPlanner(100, 1_000, 1).plan(List.of(huge, small));

        assertThat(plan).singleElement().satisfies(lane -> assertThat(lane).containsExactly(List.of(huge),
                List.of(small)));
    }

    @Test
    void itemOutcomesFollowStatusAndErrorType() {
        assertThat(ItemOutcome.ofItem(201, null)).isEqualTo(ItemOutcome.APPLIED);
        assertThat(ItemOutcome.ofItem(404, null)).as("delete of an absent document").isEqualTo(ItemOutcome.APPLIED);
        assertThat(ItemOutcome.ofItem(409, "version_conflict_engine_exception"))
                .isEqualTo(ItemOutcome.ALREADY_APPLIED);
        assertThat(ItemOutcome.ofItem(429, "es_rejected_execution_exception")).isEqualTo(ItemOutcome.RETRIABLE);
        assertThat(ItemOutcome.ofItem(503, "unavailable_shards_exception")).isEqualTo(ItemOutcome.RETRIABLE);
        assertThat(ItemOutcome.ofItem(404, "index_not_found_exception")).isEqualTo(ItemOutcome.RETRIABLE);
        assertThat(ItemOutcome.ofItem(500, "anything")).isEqualTo(ItemOutcome.RETRIABLE);
        assertThat(ItemOutcome.ofItem(400, "document_parsing_exception")).isEqualTo(ItemOutcome.PERMANENT);
        assertThat(ItemOutcome.ofItem(400, "strict_dynamic_mapping_exception")).isEqualTo(ItemOutcome.PERMANENT);
        assertThat(ItemOutcome.ofItem(400, "illegal_argument_exception")).isEqualTo(ItemOutcome.PERMANENT);
    }

    private static String source(BulkAction action) {
        return new String(action.source(), StandardCharsets.UTF_8);
    }

    private static ChangeEvent event(TableId table, Op op, Map<String, Object> key, Map<String, Object> before,
            Map<String, Object> after, Set<String> unchanged, long version) {
        return new ChangeEvent(table, op, new Key(key), before == null ? null : Row.of(before),
                after == null ? null : Row.of(after), unchanged, position(version, version, 9L), version);
    }

    @Test
    void aTableRoutedByATransformGetsItsIndexAndTheOthersTheSinksOne() {
        IndexNameTemplate template = IndexNameTemplate.forIndex("{table}", Routes.of(List.of(
                TransformConfig.route(List.of("sales.order_*"), null, "Lines_V2", null)), TransformConfig::index));

        assertThat(template.render(LINES)).isEqualTo("lines_v2");
        assertThat(template.render(DOCS)).isEqualTo("docs");
    }
}
