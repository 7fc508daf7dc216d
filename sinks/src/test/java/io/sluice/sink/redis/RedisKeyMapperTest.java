package io.sluice.sink.redis;

import io.sluice.config.transform.TransformConfig;
import io.sluice.config.transform.Routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.Key;
import io.sluice.engine.event.TableId;
import io.sluice.sink.codec.EventJson;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.util.JedisClusterCRC16;

class RedisKeyMapperTest {
    private static final TableId ORDERS = new TableId("shop", "public", "orders");
    private static final TableId LINES = new TableId("shop", "public", "order_lines");
    private static final TableId USERS = new TableId("shop", "public", "users");

    @Test
    void defaultTemplateIsTableThenKey() {
        RedisKeyMapper keys = mapper("{table}:{key}");

        assertThat(keys.dataKey(ORDERS, key("id", 42L))).isEqualTo("orders:42");
        assertThat(keys.dataKey(USERS, key("name", "ada"))).isEqualTo("users:ada");
    }

    @Test
    void compositeKeyIsItsColumnsInKeyOrderJoinedByColons() {
        RedisKeyMapper keys = mapper("{table}:{key}");
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("order_id", 7L);
        columns.put("line", 2);

        assertThat(keys.dataKey(LINES, new Key(columns))).isEqualTo("order_lines:7:2");
    }

    @Test
    void reservedCharactersArePercentEncodedSoKeysStayUnambiguous() {
        RedisKeyMapper keys = mapper("{table}:{key}");
        Map<String, Object> twoColumns = new LinkedHashMap<>();
        twoColumns.put("a", "x");
        twoColumns.put("b", "y");

        String oneColumnWithColon = keys.dataKey(USERS, key("name", "x:y"));
        String twoColumnsKey = keys.dataKey(USERS, new Key(twoColumns));

        assertThat(oneColumnWithColon).isEqualTo("users:x%3Ay");
        assertThat(twoColumnsKey).isEqualTo("users:x:y");
        assertThat(keys.dataKey(USERS, key("name", "100%{sure}"))).isEqualTo("users:100%25%7Bsure%7D");
        // An already encoded-looking value is encoded again, so it cannot pass for the value it looks like.
        assertThat(keys.dataKey(USERS, key("name", "x%3Ay"))).isEqualTo("users:x%253Ay");
    }

    @Test
    void distinctKeysOfATableNeverShareADataKey() {
        RedisKeyMapper keys = mapper("{table}:{key}");
        List<String> awkward = List.of("", ":", "::", "%", "%3A", "%253A", "{", "}", "{}", "a:b", "a%3Ab", "a", "b");
        Set<String> seen = new HashSet<>();
        for (String first : awkward) {
            for (String second : awkward) {
                Map<String, Object> columns = new LinkedHashMap<>();
                columns.put("a", first);
                columns.put("b", second);
                assertThat(seen.add(keys.dataKey(USERS, new Key(columns))))
                        .as("key for (%s, %s) is new", first, second).isTrue();
            }
        }
    }

    @Test
    void nonStringKeyValuesAreTheirEventJsonText() {
        RedisKeyMapper keys = mapper("{table}:{key}");
        Map<String, Object> jsonb = new LinkedHashMap<>();
        jsonb.put("b", 1);
        jsonb.put("a", 2);

        assertThat(keys.dataKey(ORDERS, key("id", new BigDecimal("10.50")))).isEqualTo("orders:10.50");
        assertThat(keys.dataKey(ORDERS, key("id", true))).isEqualTo("orders:true");
        assertThat(keys.dataKey(ORDERS, key("id", (short) -3))).isEqualTo("orders:-3");
        // Fields sorted, so the same jsonb value always gives the same key; braces and colons encoded.
        assertThat(keys.dataKey(ORDERS, key("id", jsonb))).isEqualTo("orders:%7B\"a\"%3A2,\"b\"%3A1%7D");
        assertThat(keys.dataKey(ORDERS, key("id", List.of(1, 2)))).isEqualTo("orders:[1,2]");
    }

    @Test
    void everyPlaceholderAndALiteralSuffix() {
        RedisKeyMapper keys = mapper("cache:{database}.{schema}.{table}:{key}:v1");
        TableId odd = new TableId("shop:eu", "sales", "orders");

        assertThat(keys.dataKey(ORDERS, key("id", 1L))).isEqualTo("cache:shop.public.orders:1:v1");
        assertThat(keys.dataKey(odd, key("id", 1L))).isEqualTo("cache:shop%3Aeu.sales.orders:1:v1");
        assertThat(keys.prefix(ORDERS)).isEqualTo("cache:shop.public.orders:");
    }

    @Test
    void versionKeyWrapsTheDataKeyInAHashTagSoBothShareASlot() {
        assertThat(RedisKeyMapper.versionKey("orders:42")).isEqualTo("{orders:42}:version");
        assertThat(clusterSlot(RedisKeyMapper.versionKey("orders:42"))).isEqualTo(clusterSlot("orders:42"))
                .as("a key apart lands elsewhere, so the comparison means something")
                .isNotEqualTo(clusterSlot("orders:42:version"));
        assertThat(clusterSlot(RedisKeyMapper.versionKey("order_lines:7:2")))
                .isEqualTo(clusterSlot("order_lines:7:2"));
    }

    @Test
    void scanPatternMatchesTheTablesKeysWithGlobCharactersEscaped() {
        // The template holds every character SCAN's MATCH gives a meaning: * [ ? ] and the backslash.
        RedisKeyMapper keys = mapper("c*[?]\\:{table}:{key}:v1");

        assertThat(keys.scanPattern(ORDERS)).isEqualTo("c\\*\\[\\?\\]\\\\:orders:*:v1");
        String orderKey = keys.dataKey(ORDERS, key("id", 5L));
        assertThat(orderKey).isEqualTo("c*[?]\\:orders:5:v1");
        assertThat(keys.isDataKeyOf(ORDERS, orderKey)).isTrue();
        assertThat(keys.isDataKeyOf(ORDERS, "c*[?]\\:orders::v1")).as("nothing between prefix and suffix").isFalse();
        assertThat(keys.isDataKeyOf(ORDERS, "c*[?]\\:orders:5:v2")).isFalse();
    }

    @Test
    void tablesWhoseKeysCouldMeetAreRefusedNamingBoth() {
        RedisKeyMapper keys = mapper("{table}:{key}");
        keys.dataKey(ORDERS, key("id", 1L));

        assertThatThrownBy(() -> keys.dataKey(new TableId("shop", "archive", "orders"), key("id", 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.orders").hasMessageContaining("archive.orders")
                .hasMessageContaining("{schema}");
        // One prefix starting with the other would let a truncate of "a" remove the rows of "a_b".
        RedisKeyMapper underscore = mapper("{table}_{key}");
        underscore.dataKey(new TableId("shop", "public", "a"), key("id", 1L));
        assertThatThrownBy(() -> underscore.dataKey(new TableId("shop", "public", "a_b"), key("id", 1L)))
                .isInstanceOf(IllegalArgumentException.class);
        // The same table again, or a table apart, is fine.
        assertThat(keys.dataKey(ORDERS, key("id", 2L))).isEqualTo("orders:2");
        assertThat(mapper("{schema}:{table}:{key}").dataKey(new TableId("shop", "archive", "orders"),
                key("id", 1L))).isEqualTo("archive:orders:1");
    }

    @Test
    void rowWithoutPrimaryKeyIsRefused() {
        assertThatThrownBy(() -> mapper("{table}:{key}").dataKey(ORDERS, Key.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no primary key");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{table}                | no {key}",
            "{table}:{key}:{key}    | more than once",
            "{key}                  | must follow literal text",
            "{table}{key}           | must follow literal text",
            "{table}:{key}:{schema} | only literal text may follow {key}",
            "{tabel}:{key}          | unknown placeholder {tabel}",
            "{table:{key}           | unknown placeholder {table:{key}",
            "{table}}:{key}         | closes no placeholder",
            "x:{key                 | never closed"})
    void invalidTemplatesAreRefused(String template, String problem) {
        assertThatThrownBy(() -> mapper(template)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid key template '" + template + "'").hasMessageContaining(problem);
    }

    private static RedisKeyMapper mapper(String template) {
        return RedisKeyMapper.parse(template, new EventJson());
    }

    private static Key key(String column, Object value) {
        return new Key(Map.of(column, value));
    }

    /** The slot Redis Cluster gives a key, as the Jedis cluster client computes it to route commands. */
    private static int clusterSlot(String key) {
        return JedisClusterCRC16.getSlot(key);
    }

    @Test
    void aTableRoutedByATransformGetsItsKeysAndTheOneTablePerPrefixRuleHoldsAcrossTemplates() {
        RedisKeyMapper keys = RedisKeyMapper.parse("{table}:{key}", Routes.of(List.of(
                TransformConfig.route(List.of("public.users"), null, null, "user:{key}:v2")), TransformConfig::key),
                new EventJson());

        String user = keys.dataKey(USERS, key("id", 7L));
        assertThat(user).isEqualTo("user:7:v2");
        assertThat(keys.isDataKeyOf(USERS, user)).isTrue();
        assertThat(keys.scanPattern(USERS)).isEqualTo("user:*:v2");
        assertThat(keys.dataKey(ORDERS, key("id", 7L))).isEqualTo("orders:7");
        // "user:" is a prefix of what a table named "user" gets from the sink's template.
        assertThatThrownBy(() -> keys.dataKey(new TableId("shop", "public", "user"), key("id", 1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public.users");
    }
}
