package io.sluice.engine.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.config.Secret;
import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.PipelineException;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformsTest {
    private static final TableId CUSTOMERS = new TableId("shop", "public", "customers");
    private static final TableId ORDERS = new TableId("shop", "public", "orders");
    private static final String EMAIL = "alice@example.com";

    private static ChangeEvent customer(EventBuilder builder) {
        return builder.key("id", 7L).column("email", EMAIL).column("phone", "+44 20 7946 0000")
                .column("status", "active").column("note", "x").version(100).build();
    }

    private static List<ChangeEvent> apply(List<TransformConfig> configs, ChangeEvent... events)
            throws PipelineException {
        return Transforms.of("crm", configs).apply(List.of(events));
    }

    @Test
    void masksHashesDropsAndRenamesColumnsOfMatchingTablesOnly() throws PipelineException {
        TransformConfig pii = new TransformConfig(List.of("public.cust*"), null, List.of("note"),
                Map.of("status", "state"), List.of("phone"), List.of("email"), null, null, null, null, null);
        ChangeEvent order = EventBuilder.insert(ORDERS).key("id", 1L).column("note", "keep me").version(100).build();

        List<ChangeEvent> out = apply(List.of(pii), customer(EventBuilder.insert(CUSTOMERS)), order);

        assertThat(out.get(0).after().asMap()).containsExactly(
                Map.entry("id", 7L),
                Map.entry("email", "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"),
                Map.entry("phone", TransformConfig.MASK),
                Map.entry("state", "active"));
        assertThat(out.get(1)).isEqualTo(order);
    }

    @Test
    void theColumnsSinksSeeAreShapedAsTheValuesAre() {
        TransformConfig pii = new TransformConfig(List.of("public.cust*"), null, List.of("note"),
                Map.of("status", "state"), List.of("phone"), List.of("email"), null, null, null, null, null);
        List<ColumnShape> columns = List.of(
                new ColumnShape("id", "bigint", JsonKind.BIG_INTEGER, false),
                new ColumnShape("email", "text", JsonKind.TEXT, false),
                new ColumnShape("phone", "text[]", JsonKind.TEXT, true),
                new ColumnShape("status", "order_status", JsonKind.TEXT, false),
                new ColumnShape("note", "text", JsonKind.TEXT, false));

        Transforms transforms = Transforms.of("crm", List.of(pii));

        assertThat(transforms.shape("public.customers", columns)).containsExactly(
                new ColumnShape("id", "bigint", JsonKind.BIG_INTEGER, false),
                new ColumnShape("email", "text (hashed text)", JsonKind.TEXT, false),
                new ColumnShape("phone", "text (masked text[])", JsonKind.TEXT, false),
                new ColumnShape("state", "order_status", JsonKind.TEXT, false));
        assertThat(transforms.shape("public.orders", columns)).isEqualTo(columns);
    }

    @Test
    void aHashKeyMakesTheHashAnHmac() throws PipelineException {
        TransformConfig keyed = new TransformConfig(List.of("public.customers"), null, null, null, null,
                List.of("email"), Secret.of("k3y"), null, null, null, null);

        ChangeEvent out = apply(List.of(keyed), customer(EventBuilder.insert(CUSTOMERS))).get(0);

        assertThat(out.after().get("email"))
                .isEqualTo("b299497d6ef24967fa74e4207bfeb6d180bf89051529c9d616bfd6bf4d401fc6");
    }

    @Test
    void keepRemovesEveryOtherColumnFromBothImages() throws PipelineException {
        TransformConfig keep = new TransformConfig(List.of("public.customers"), List.of("id", "status"), null, null,
                null, null, null, null, null, null, null);

        ChangeEvent out = apply(List.of(keep), customer(EventBuilder.update(CUSTOMERS))).get(0);

        assertThat(out.after().columns()).containsExactly("id", "status");
        assertThat(out.before().columns()).containsExactly("id");
    }

    @Test
    void rowsOutsideTheFilterNeverReachTheSinks() throws PipelineException {
        TransformConfig active = new TransformConfig(List.of("public.customers"), null, null, null, null, null, null,
                "status = 'active'", null, null, null);
        ChangeEvent inactive = EventBuilder.insert(CUSTOMERS).key("id", 8L).column("status", "closed").version(100)
                .build();
        ChangeEvent snapshotRead = EventBuilder.read(CUSTOMERS).key("id", 9L).column("status", "closed").version(90)
                .build();

        List<ChangeEvent> out = apply(List.of(active), inactive, customer(EventBuilder.insert(CUSTOMERS)),
                snapshotRead);

        assertThat(out).extracting(e -> e.key().columns().get("id")).containsExactly(7L);
    }

    @Test
    void anUpdateThatLeavesTheFilterBecomesADeleteOfTheRow() throws PipelineException {
        TransformConfig active = new TransformConfig(List.of("public.customers"), null, null, null, null, null, null,
                "status = 'active'", null, null, null);
        ChangeEvent closed = EventBuilder.update(CUSTOMERS).key("id", 7L).column("status", "closed").version(120)
                .build();

        ChangeEvent out = apply(List.of(active), closed).get(0);

        assertThat(out.op()).isEqualTo(Op.DELETE);
        assertThat(out.after()).isNull();
        assertThat(out.key()).isEqualTo(closed.key());
        assertThat(out.version()).isEqualTo(120);
    }

    @Test
    void anUpdateThatLeavesTheFilterKeepsTheOldRowOfTheFilteredSetAsItsBeforeImage() throws PipelineException {
        TransformConfig active = new TransformConfig(List.of("public.customers"), null, null, null, List.of("phone"),
                null, null, "status = 'active'", null, null, null);
        ChangeEvent closed = EventBuilder.update(CUSTOMERS).key("id", 7L).column("status", "closed")
                .before("status", "active").before("phone", "+44 1").version(120).build();

        ChangeEvent out = apply(List.of(active), closed).get(0);

        assertThat(out.op()).isEqualTo(Op.DELETE);
        assertThat(out.before().asMap()).containsExactly(Map.entry("id", 7L), Map.entry("status", "active"),
                Map.entry("phone", TransformConfig.MASK));
    }

    @Test
    void theOldValuesOfARowOutsideTheFilterNeverLeaveNotEvenWhenItChangesOrEntersTheFilter()
            throws PipelineException {
        TransformConfig active = new TransformConfig(List.of("public.customers"), null, null, null, null, null, null,
                "status = 'active'", null, null, null);
        ChangeEvent stillOutside = EventBuilder.update(CUSTOMERS).key("id", 7L).column("status", "internal")
                .column("name", "new secret").before("status", "internal").before("name", "old secret").version(120)
                .build();
        ChangeEvent entering = EventBuilder.update(CUSTOMERS).key("id", 8L).column("status", "active")
                .column("name", "public").before("status", "internal").before("name", "old secret").version(130)
                .build();
        ChangeEvent deletedOutside = EventBuilder.delete(CUSTOMERS).key("id", 9L).before("status", "internal")
                .before("name", "old secret").version(140).build();

        List<ChangeEvent> out = apply(List.of(active), stillOutside, entering, deletedOutside);

        // The row that stays outside goes out as a delete of its key only: sinks that hold it (e.g. from before the
        // filter was set) lose it, others change nothing.
        assertThat(out).extracting(ChangeEvent::op).containsExactly(Op.DELETE, Op.UPDATE);
        assertThat(out.get(0).key()).isEqualTo(stillOutside.key());
        assertThat(out.get(0).before()).isNull();
        assertThat(out.get(1).before()).isNull();
        assertThat(out.get(1).after().get("name")).isEqualTo("public");
    }

    @Test
    void deletesAndTruncatesPassAFilterTheyCannotBeJudgedBy() throws PipelineException {
        TransformConfig active = new TransformConfig(List.of("public.customers"), null, null, null, null, null, null,
                "status = 'active'", null, null, null);
        ChangeEvent delete = EventBuilder.delete(CUSTOMERS).key("id", 7L).version(130).build();
        ChangeEvent truncate = EventBuilder.truncate(CUSTOMERS).version(140).build();

        assertThat(apply(List.of(active), delete, truncate)).containsExactly(delete, truncate);
    }

    @Test
    void renamingAKeyColumnRenamesItInTheKeyToo() throws PipelineException {
        TransformConfig rename = new TransformConfig(List.of("public.customers"), null, null,
                Map.of("id", "customer_id"), null, null, null, null, null, null, null);

        ChangeEvent out = apply(List.of(rename), customer(EventBuilder.update(CUSTOMERS))).get(0);

        assertThat(out.key().columns()).containsExactly(Map.entry("customer_id", 7L));
        assertThat(out.before().columns()).containsExactly("customer_id");
        assertThat(out.after().columns()).startsWith("customer_id");
    }

    @Test
    void maskingAKeyColumnStopsThePipelineBecauseTheKeyWouldLeakIt() {
        TransformConfig maskKey = new TransformConfig(List.of("public.customers"), null, null, null, List.of("id"),
                null, null, null, null, null, null);

        PipelineException error = catchThrowableOfType(PipelineException.class,
                () -> apply(List.of(maskKey), customer(EventBuilder.insert(CUSTOMERS))));

        assertThat(error).hasMessageStartingWith("pipeline 'crm', table public.customers: column id is part of the"
                + " primary key");
    }

    @Test
    void transformsApplyInTheOrderWritten() throws PipelineException {
        TransformConfig renameFirst = new TransformConfig(List.of("public.customers"), null, null,
                Map.of("phone", "mobile"), null, null, null, null, null, null, null);
        TransformConfig thenMask = new TransformConfig(List.of("public.customers"), null, null, null,
                List.of("mobile"), null, null, null, null, null, null);

        ChangeEvent out = apply(List.of(renameFirst, thenMask), customer(EventBuilder.insert(CUSTOMERS))).get(0);

        assertThat(out.after().get("mobile")).isEqualTo(TransformConfig.MASK);
        assertThat(out.after().has("phone")).isFalse();
    }

    @Test
    void noTransformsLeavesTheListAsItIs() throws PipelineException {
        List<ChangeEvent> events = List.of(customer(EventBuilder.insert(CUSTOMERS)));

        assertThat(Transforms.of("crm", List.of()).apply(events)).isSameAs(events);
    }
}
