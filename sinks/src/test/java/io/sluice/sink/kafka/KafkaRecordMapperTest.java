package io.sluice.sink.kafka;

import static io.sluice.sink.TestEvents.ORDERS;
import static io.sluice.sink.TestEvents.columns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import io.sluice.sink.TestEvents;
import io.sluice.sink.codec.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class KafkaRecordMapperTest {
    private final EventJson json = new EventJson();
    private final KafkaRecordMapper mapper = mapper(true);

    @Test
    void insertIsOneRecordOnTheTablesTopicKeyedByPrimaryKeyWithTheEventAsValue() {
        ChangeEvent insert = TestEvents.insert(42);

        List<ProducerRecord<byte[], byte[]>> records = mapper.map(insert);

        assertThat(records).hasSize(1);
        ProducerRecord<byte[], byte[]> record = records.get(0);
        assertThat(record.topic()).isEqualTo("shop.public.orders");
        assertThat(text(record.key())).isEqualTo("{\"id\":42}");
        assertThat(record.value()).isEqualTo(json.encode(insert));
        assertThat(record.partition()).isNull();
        assertThat(record.timestamp()).isNull();
    }

    @Test
    void headersCarryOpLsnCommitLsnVersionAndTxIdAsText() {
        ProducerRecord<byte[], byte[]> record = mapper.map(TestEvents.update(42, "paid", 23803888L)).get(0);

        assertThat(header(record, KafkaRecordMapper.OP)).isEqualTo("u");
        assertThat(header(record, KafkaRecordMapper.LSN)).isEqualTo("0/16B3748");
        assertThat(header(record, KafkaRecordMapper.COMMIT_LSN)).isEqualTo("0/16B37F0");
        assertThat(header(record, KafkaRecordMapper.VERSION)).isEqualTo("23803888");
        assertThat(header(record, KafkaRecordMapper.TX_ID)).isEqualTo("751");
    }

    @Test
    void txIdHeaderIsLeftOutWhenTheTransactionIsUnknown() {
        ChangeEvent read = new ChangeEvent(ORDERS, Op.READ, new Key(columns("id", 1)), null,
                Row.of(columns("id", 1)), Set.of(), new SourcePosition(5, 5, null, Instant.EPOCH, true), 5);

        ProducerRecord<byte[], byte[]> record = mapper.map(read).get(0);

        assertThat(header(record, KafkaRecordMapper.OP)).isEqualTo("r");
        assertThat(record.headers().lastHeader(KafkaRecordMapper.TX_ID)).isNull();
    }

    @Test
    void deleteIsFollowedByTombstoneWithSameKey() {
        ChangeEvent delete = TestEvents.delete(42);

        List<ProducerRecord<byte[], byte[]>> records = mapper.map(delete);

        assertThat(records).hasSize(2);
        ProducerRecord<byte[], byte[]> event = records.get(0);
        ProducerRecord<byte[], byte[]> tombstone = records.get(1);
        assertThat(event.value()).isEqualTo(json.encode(delete));
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.key()).isEqualTo(event.key());
        assertThat(tombstone.topic()).isEqualTo(event.topic());
        assertThat(header(tombstone, KafkaRecordMapper.OP)).isEqualTo("d");
        assertThat(header(tombstone, KafkaRecordMapper.VERSION)).isEqualTo(header(event, KafkaRecordMapper.VERSION));
    }

    @Test
    void deleteIsOneRecordWhenTombstonesAreOff() {
        List<ProducerRecord<byte[], byte[]>> records = mapper(false).map(TestEvents.delete(42));

        assertThat(records).hasSize(1);
        assertThat(records.get(0).value()).isNotNull();
    }

    @Test
    void deleteOfRowWithoutPrimaryKeyGetsNoTombstone() {
        ChangeEvent delete = new ChangeEvent(ORDERS, Op.DELETE, Key.none(), Row.of(columns("note", "x")), null,
                Set.of(), TestEvents.position(1, 1, 1L), 1);

        assertThat(mapper.map(delete)).hasSize(1);
    }

    @Test
    void truncateIsOneRecordOnPartitionZeroWithEmptyObjectKey() {
        ChangeEvent truncate = TestEvents.truncate(ORDERS);

        List<ProducerRecord<byte[], byte[]>> records = mapper.map(truncate);

        assertThat(records).hasSize(1);
        ProducerRecord<byte[], byte[]> record = records.get(0);
        assertThat(record.topic()).isEqualTo("shop.public.orders");
        assertThat(record.partition()).isZero();
        assertThat(text(record.key())).isEqualTo("{}");
        assertThat(record.value()).isEqualTo(json.encode(truncate));
        assertThat(header(record, KafkaRecordMapper.OP)).isEqualTo("t");
    }

    @Test
    void recordsNeverShareHeaders() {
        List<ProducerRecord<byte[], byte[]>> records = mapper.map(TestEvents.delete(42));

        assertThat(records.get(0).headers()).isNotSameAs(records.get(1).headers());
    }

    @Test
    void tableWithoutAValidTopicIsRefused() {
        ChangeEvent insert = TestEvents.insert(new TableId("shop", "public", "bad name"), 1, columns("id", 1));

        assertThatThrownBy(() -> mapper.map(insert)).isInstanceOf(IllegalArgumentException.class);
    }

    private KafkaRecordMapper mapper(boolean tombstones) {
        return new KafkaRecordMapper(TopicTemplate.parse("{database}.{schema}.{table}"), json, tombstones);
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return text(header.value());
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
