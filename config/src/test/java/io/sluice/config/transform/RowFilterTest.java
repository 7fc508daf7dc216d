package io.sluice.config.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowFilterTest {

    private static final Map<String, Object> ROW = new HashMap<>();

    static {
        ROW.put("id", 42L);
        ROW.put("status", "paid");
        ROW.put("amount", "120.50");          // numeric in string mode
        ROW.put("price", new BigDecimal("9.99"));
        ROW.put("vip", true);
        ROW.put("region", "eu");
        ROW.put("it's", "quoted");
        ROW.put("deleted_at", null);
        ROW.put("created_at", "2026-11-22T10:15:30Z");
    }

    private static boolean eval(String filter) throws RowFilterParser.SyntaxException {
        return RowFilterParser.parse(filter).test(ROW::get);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "status = 'paid'                                 | true",
        "status != 'paid'                                | false",
        "status <> 'new'                                 | true",
        "amount >= 100                                   | true",
        "amount > 120.5                                  | false",
        "amount = 120.5                                  | true",
        "price < 10                                      | true",
        "id = 42 and vip = true                          | true",
        "id = 41 or VIP = TRUE                           | true",
        "not (region in ('eu', 'uk'))                    | false",
        "region not in ('us')                            | true",
        "deleted_at is null                              | true",
        "deleted_at is not null                          | false",
        "deleted_at = 'x'                                | false",
        "deleted_at != 'x'                               | false",
        "missing is null                                 | true",
        "created_at >= '2026-01-01'                      | true",
        "\"it's\" = 'quoted'                             | true",
        "status = 'it''s'                                | false",
        "id = 1 or id = 42 and status = 'new'            | false",
        "(id = 1 or id = 42) and status = 'paid'         | true",
        "status > 5                                      | false",
    })
    void evaluatesLikeSql(String filter, boolean expected) throws RowFilterParser.SyntaxException {
        assertThat(eval(filter)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''                           | the filter is empty                                     | 1",
        "status = paid                | text goes in single quotes                              | 10",
        "status = 'paid               | text is not closed by '                                 | 10",
        "status == 'paid'             | expected a value ('text', a number, true or false)      | 9",
        "status = null                | compare with null using \"is null\"                     | 10",
        "(status = 'paid'             | expected \")\" to close the \"(\" at position 1         | 17",
        "status = 'paid' amount > 1   | unexpected \"amount\"; expected \"and\", \"or\"         | 17",
        "and = 1                      | got the keyword \"and\"                                 | 1",
        "status in 'paid'             | expected \"(\" after \"in\"                             | 11",
        "amount ~ 5                   | unexpected character '~'                                | 8",
        "status is 'x'                | expected \"null\" after \"is\"                          | 11",
    })
    void reportsWhatIsWrongAndWhere(String filter, String message, int position) {
        RowFilterParser.SyntaxException error = catchThrowableOfType(RowFilterParser.SyntaxException.class,
                () -> RowFilterParser.parse(filter));

        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains(message);
        assertThat(error.position()).isEqualTo(position);
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        "public.*, public.orders, true",
        "public.*, sales.orders, false",
        "*.orders, sales.orders, true",
        "public.order_*, public.order_items, true",
        "public.orders, public.orders_archive, false",
    })
    void tablePatternsMatchWholeNames(String pattern, String table, boolean matches) {
        assertThat(TableNames.matcher(pattern).test(table)).isEqualTo(matches);
    }
}
