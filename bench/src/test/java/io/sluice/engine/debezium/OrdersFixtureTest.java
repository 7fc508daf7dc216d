package io.sluice.engine.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrdersFixtureTest {

    @Test
    void insertsNormalizeToWholeRowsWithTheValueTypesOfARealRun() {
        ChangeEvent insert = OrdersFixture.insertEvent(1234);

        assertThat(insert.op()).isEqualTo(Op.INSERT);
        assertThat(insert.key().columns()).containsExactly(org.assertj.core.api.Assertions.entry("id", 1234L));
        assertThat(insert.after().asMap()).containsKeys("id", "customer_id", "status", "amount", "note",
                "updated_at");
        assertThat(insert.after().get("customer_id")).isEqualTo(234);
        // numeric in Sluice's default string mode stays exact text
        assertThat(insert.after().get("amount")).isEqualTo("12.34");
    }

    @Test
    void updatesCarryNoBeforeImageAsWithDefaultReplicaIdentity() {
        ChangeEvent update = OrdersFixture.updateEvent(7);

        assertThat(update.op()).isEqualTo(Op.UPDATE);
        assertThat(update.before()).isNull();
        assertThat(update.after().get("status")).isEqualTo("paid");
        assertThat(update.unchanged()).isEmpty();
    }

    @Test
    void aBatchAlternatesInsertsAndUpdates() {
        List<ChangeEvent> batch = OrdersFixture.batch(4);

        assertThat(batch).extracting(ChangeEvent::op).containsExactly(Op.INSERT, Op.UPDATE, Op.INSERT, Op.UPDATE);
    }
}
