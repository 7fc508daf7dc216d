package io.sluice.sink.kafka;

import java.util.List;
import io.sluice.config.transform.TransformConfig;
import io.sluice.config.transform.Routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.TableId;
import org.junit.jupiter.api.Test;

class TopicTemplateTest {
    private static final TableId ORDERS = new TableId("shop", "public", "orders");
    private static final TableId CUSTOMERS = new TableId("shop", "sales", "customers");

    @Test
    void everyPlaceholderIsReplacedByThatPartOfTheTableId() {
        TopicTemplate template = TopicTemplate.parse("{database}.{schema}.{table}");

        assertThat(template.render(ORDERS)).isEqualTo("shop.public.orders");
        assertThat(template.render(CUSTOMERS)).isEqualTo("shop.sales.customers");
    }

    @Test
    void literalTextAroundAndBetweenPlaceholdersIsKept() {
        TopicTemplate template = TopicTemplate.parse("cdc-{schema}_{table}.v1");

        assertThat(template.render(ORDERS)).isEqualTo("cdc-public_orders.v1");
    }

    @Test
    void templateWithoutPlaceholdersIsOneFixedTopic() {
        assertThat(TopicTemplate.parse("orders-changes").render(ORDERS)).isEqualTo("orders-changes");
    }

    @Test
    void placeholderMayRepeat() {
        assertThat(TopicTemplate.parse("{table}.{table}").render(ORDERS)).isEqualTo("orders.orders");
    }

    @Test
    void renderedTopicIsCachedPerTable() {
        TopicTemplate template = TopicTemplate.parse("shop.{schema}.{table}");

        assertThat(template.render(ORDERS)).isSameAs(template.render(new TableId("shop", "public", "orders")));
    }

    @Test
    void unknownPlaceholderIsRejectedNamingTheSupportedOnes() {
        assertThatThrownBy(() -> TopicTemplate.parse("shop.{tabel}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown placeholder {tabel}")
                .hasMessageContaining("{database}, {schema}, {table}");
    }

    @Test
    void unclosedBraceIsRejected() {
        assertThatThrownBy(() -> TopicTemplate.parse("shop.{table"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("never closed");
    }

    @Test
    void strayClosingBraceIsRejected() {
        assertThatThrownBy(() -> TopicTemplate.parse("shop.table}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stray '}'");
    }

    @Test
    void literalCharacterThatNoTopicMayHoldIsRejected() {
        assertThatThrownBy(() -> TopicTemplate.parse("shop/{table}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("character '/'");
    }

    @Test
    void emptyTemplateIsRejected() {
        assertThatThrownBy(() -> TopicTemplate.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void tableWhoseNameCannotBeATopicIsRefusedNamingTheTable() {
        TopicTemplate template = TopicTemplate.parse("shop.{table}");

        assertThatThrownBy(() -> template.render(new TableId("shop", "public", "order items")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.order items")
                .hasMessageContaining("character ' '");
    }

    @Test
    void topicNameLongerThanKafkaAllowsIsRefused() {
        TopicTemplate template = TopicTemplate.parse("{table}");

        assertThatThrownBy(() -> template.render(new TableId("shop", "public", "t".repeat(250))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than 249");
    }

    @Test
    void twoTablesRenderingToOneTopicAreRefusedBecauseTheirKeysWouldCollide() {
        TopicTemplate template = TopicTemplate.parse("shop.{schema}");
        template.render(ORDERS);

        assertThatThrownBy(() -> template.render(new TableId("shop", "public", "customers")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.orders and public.customers both render to topic 'shop.public'");
        assertThat(template.render(ORDERS)).isEqualTo("shop.public");
    }

    @Test
    void aTableRoutedByATransformGetsItsTopicAndTheOthersTheSinksOne() {
        TopicTemplate template = TopicTemplate.parse("shop.{schema}.{table}",
                Routes.of(List.of(TransformConfig.route(List.of("sales.*"), "crm.{table}.v2", null, null)),
                        TransformConfig::topic));

        assertThat(template.render(CUSTOMERS)).isEqualTo("crm.customers.v2");
        assertThat(template.render(ORDERS)).isEqualTo("shop.public.orders");
    }

    @Test
    void theLastTransformSettingATablesTopicWins() {
        TopicTemplate template = TopicTemplate.parse("{table}", Routes.of(List.of(
                TransformConfig.route(List.of("*.*"), "all.{table}", null, null),
                TransformConfig.route(List.of("public.orders"), "orders-v2", null, null)), TransformConfig::topic));

        assertThat(template.render(ORDERS)).isEqualTo("orders-v2");
        assertThat(template.render(CUSTOMERS)).isEqualTo("all.customers");
    }

    @Test
    void anInvalidRoutedTemplateIsRefusedWhenParsedAndTablesMayNotShareATopicAcrossTemplates() {
        assertThatThrownBy(() -> TopicTemplate.parse("{table}", Routes.of(List.of(
                TransformConfig.route(List.of("public.orders"), "orders/{table}", null, null)),
                TransformConfig::topic)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orders/{table}");
        TopicTemplate template = TopicTemplate.parse("customers", Routes.of(List.of(
                TransformConfig.route(List.of("public.orders"), "customers", null, null)), TransformConfig::topic));
        template.render(ORDERS);

        assertThatThrownBy(() -> template.render(CUSTOMERS)).hasMessageContaining("both render to topic 'customers'");
    }
}
