package io.sluice.sink.kafka;

import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.event.Op;
import io.sluice.sink.codec.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns a change event into the Kafka records that carry it.
 *
 * <h2>Records</h2>
 * <ul>
 *   <li><b>Topic</b>: the table's topic from the {@link TopicTemplate}.</li>
 *   <li><b>Key</b>: the primary key as JSON ({@link EventJson#keyBytes}), so all changes of a row land in one
 *       partition, in order, and compaction keeps the row's latest record.</li>
 *   <li><b>Value</b>: the event in its {@link EventJson} form.</li>
 *   <li><b>Headers</b> (UTF-8 text), so consumers can route and deduplicate without parsing the value:
 *       {@value #OP} ({@code r}/{@code c}/{@code u}/{@code d}/{@code t}), {@value #LSN} and {@value #COMMIT_LSN}
 *       (e.g. {@code 0/16B3748}), {@value #VERSION} (decimal), and {@value #TX_ID} (decimal, only when known). The
 *       version is what a consumer compares: keep, per key, the record with the highest version.</li>
 *   <li><b>Timestamp</b>: left to the producer (append time of this write). The commit time is in the value; using
 *       it as the record timestamp would let time-based retention drop replayed records of old changes at once.</li>
 * </ul>
 *
 * <h2>Per operation</h2>
 * <ul>
 *   <li><b>Delete</b>: the delete event record, then, when tombstones are on, a tombstone: same topic, key and
 *       headers, {@code null} value, so a compacted topic eventually forgets the row. A delete of a row without a
 *       primary key (empty key) gets no tombstone: its key {@code {}} is shared by every keyless row of the
 *       table.</li>
 *   <li><b>Update that changes the primary key</b>: Debezium reports it as a delete of the old key followed by an
 *       insert of the new one, and the sink receives those two events and writes them like any other (old key:
 *       delete record and tombstone; new key: insert record), so nothing is left under the old key. The two keys
 *       usually hash to different partitions, so a consumer can see the insert before the delete; both carry the
 *       transaction's version.</li>
 *   <li><b>Truncate</b>: one record on the table's topic, explicitly on partition 0, whose value is the event (key
 *       {@code {}}, no row images) and whose record key is {@code {}}, not {@code null}: a compacted topic, the usual
 *       companion of tombstones, rejects records without a key. There is no ordering between partitions, so a
 *       consumer of another partition can read row changes written after the truncate before it reads the truncate;
 *       consumers that must apply a truncate in order should compare versions.</li>
 * </ul>
 *
 * <p>Thread-safe when its template and encoder are (both shipped ones are).
 */
public final class KafkaRecordMapper {
    public static final String OP = "sluice.op";
    public static final String LSN = "sluice.lsn";
    public static final String COMMIT_LSN = "sluice.commit_lsn";
    public static final String VERSION = "sluice.version";
    public static final String TX_ID = "sluice.tx_id";

    private static final int TRUNCATE_PARTITION = 0;

    private final TopicTemplate topics;
    private final EventJson json;
    private final boolean tombstones;

    public KafkaRecordMapper(TopicTemplate topics, EventJson json, boolean tombstones) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.json = Objects.requireNonNull(json, "json");
        this.tombstones = tombstones;
    }

    /**
     * The records for one event, in the order they must be written: one record, or for a delete with tombstones on,
     * the delete record followed by its tombstone.
     *
     * @throws IllegalArgumentException when the table has no valid topic of its own ({@link TopicTemplate#render}) or
     *                                  the event holds a value {@link EventJson} cannot encode
     */
    public List<ProducerRecord<byte[], byte[]>> map(ChangeEvent event) {
        String topic = topics.render(event.table());
        byte[] key = json.keyBytes(event.key());
        byte[] value = json.encode(event);
        if (event.op() == Op.TRUNCATE) {
            return List.of(new ProducerRecord<>(topic, TRUNCATE_PARTITION, key, value, headers(event)));
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, value, headers(event));
        if (event.isDelete() && tombstones && !event.key().isEmpty()) {
            return List.of(record, new ProducerRecord<>(topic, null, key, null, headers(event)));
        }
        return List.of(record);
    }

    /** A fresh set per record: the producer may add to a record's headers, so records never share one. */
    private static Headers headers(ChangeEvent event) {
        Headers headers = new RecordHeaders();
        headers.add(OP, utf8(event.op().code()));
        headers.add(LSN, utf8(Lsn.format(event.position().lsn())));
        headers.add(COMMIT_LSN, utf8(Lsn.format(event.position().commitLsn())));
        headers.add(VERSION, utf8(Long.toString(event.version())));
        if (event.position().txId() != null) {
            headers.add(TX_ID, utf8(event.position().txId().toString()));
        }
        return headers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
