package io.sluice.sink.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON form of a {@link ChangeEvent}, shared by every sink that writes events as JSON. Consumers read it,
 * so its shape is a public contract: fields are only ever added, never renamed, removed or retyped.
 *
 * <h2>Event</h2>
 * UTF-8 JSON, fields always present and always in this order:
 * <pre>{@code
 * {"op":"u",
 *  "table":{"database":"shop","schema":"public","table":"orders"},
 *  "key":{"id":42},
 *  "before":{"id":42,"status":"new"},
 *  "after":{"id":42,"status":"paid"},
 *  "unchanged":["note"],
 *  "source":{"lsn":"0/16B3748","lsn_num":23803720,"commit_lsn":"0/16B37F0","tx_id":751,
 *            "commit_time":"2026-11-22T10:15:30.123456Z","snapshot":false},
 *  "version":23803888}
 * }</pre>
 * <ul>
 *   <li>{@code op}: {@code r} snapshot read, {@code c} insert, {@code u} update, {@code d} delete, {@code t} truncate
 *       (Debezium's letters).</li>
 *   <li>{@code key}: the primary key columns in key column order, encoded exactly as {@link #keyBytes(Key)};
 *       {@code {}} for a truncate, which has no row.</li>
 *   <li>{@code before}: the row before the change (for updates and deletes: the key columns, or the whole row with
 *       {@code REPLICA IDENTITY FULL}); {@code null} for reads, inserts and truncates.</li>
 *   <li>{@code after}: the row after the change, columns in table order; {@code null} for deletes and truncates.</li>
 *   <li>{@code unchanged}: columns left out of {@code after} because PostgreSQL did not send their unchanged
 *       (TOAST) value, sorted by name. Always present, {@code []} when nothing was left out, so consumers need no
 *       null check; a consumer that upserts keeps the value it holds for these columns.</li>
 *   <li>{@code source.lsn} / {@code lsn_num}: the change's LSN as text and as a number. It is <em>not</em> in commit
 *       order across transactions: never use it to order changes.</li>
 *   <li>{@code source.commit_lsn}: the commit LSN of the change's transaction (the snapshot position for reads).</li>
 *   <li>{@code source.tx_id}: the PostgreSQL transaction id (for snapshot reads, the snapshot transaction's id),
 *       {@code null} when unknown.</li>
 *   <li>{@code source.commit_time}: commit time in UTC with exactly six fractional digits (PostgreSQL's precision;
 *       finer digits are cut), {@code null} when unknown. For snapshot reads, when the row was read.</li>
 *   <li>{@code version}: the commit-ordered version. For one row it grows in commit order and is the same when an
 *       event is replayed; a consumer keeps, per key, the event with the highest version (on a tie, the later
 *       one).</li>
 * </ul>
 *
 * <h2>Values</h2>
 * Row values are written as they are in {@link Row}: {@code null}; booleans; {@link Short}, {@link Integer} and
 * {@link Long} as JSON integers; {@link BigDecimal} as an exact JSON number in plain notation (never an exponent,
 * never rounded: {@code 12345678901234567890.123456789} stays that); {@link Float} and {@link Double} as JSON numbers,
 * except the non-finite values, which JSON cannot express and are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}; strings as JSON strings (non-ASCII characters unescaped); lists as
 * arrays and maps (json/jsonb columns) as objects, nested to any depth. Any other Java type is a bug upstream and is
 * refused with an {@link IllegalArgumentException} naming the type and column, never the value.
 *
 * <h2>Record key</h2>
 * {@link #keyBytes(Key)} is the JSON object of the primary key columns in key column order, e.g. {@code {"id":42}}
 * or {@code {"order_id":1,"line":2}}. The same key always gives the same bytes, because Kafka partitions and
 * compacts by those bytes: objects nested in a key value (a jsonb key column) have their fields sorted by name, so
 * the bytes do not depend on how a map happened to be ordered.
 *
 * <p>Instances are immutable and thread-safe; share one.
 */
public final class EventJson {
    private static final DateTimeFormatter COMMIT_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final JsonFactory factory = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            // Otherwise characters outside the BMP (emoji) come out as escaped surrogate pairs, unlike all others.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /**
     * Encodes the event in the form described above.
     *
     * @throws IllegalArgumentException when a value is not of a type a change event may carry
     */
    public byte[] encode(ChangeEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeStringField("op", event.op().code());
            writeTable(gen, event.table());
            gen.writeFieldName("key");
            writeKey(gen, event.key());
            gen.writeFieldName("before");
            writeRow(gen, event.before());
            gen.writeFieldName("after");
            writeRow(gen, event.after());
            gen.writeArrayFieldStart("unchanged");
            if (!event.unchanged().isEmpty()) {
                for (String column : event.unchanged().stream().sorted().toList()) {
                    gen.writeString(column);
                }
            }
            gen.writeEndArray();
            writeSource(gen, event.position());
            gen.writeNumberField("version", event.version());
            gen.writeEndObject();
        } catch (IOException e) {
            // Nothing here does I/O (the target is memory): Jackson reports unwritable values this way.
            throw new IllegalArgumentException("cannot encode " + event.describe() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The record key: the primary key columns as a JSON object; {@code {}} for an empty key. */
    public byte[] keyBytes(Key key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            writeKey(gen, key);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode key columns " + key.columns().keySet() + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * A row alone, as the {@code after} field of the event form has it: the columns in the row's order, values as
     * described above. Sinks that store rows as JSON documents write them this way.
     */
    public byte[] rowBytes(Row row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            writeRow(gen, row);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode row columns " + row.columns() + ": " + e.getMessage(),
                    e);
        }
        return out.toByteArray();
    }

    /**
     * One key column's value as {@link #keyBytes(Key)} writes it inside the key object, e.g. {@code 42},
     * {@code "a-1"} or {@code [1,2]}.
     */
    public byte[] keyValueBytes(Object value, String column) {
        return valueBytes(column, value, true);
    }

    /**
     * The JSON text of one row value exactly as it appears in an event's {@code after}: {@code 42}, {@code "paid"},
     * {@code {"a":1}}, {@code null}.
     *
     * @throws IllegalArgumentException when the value is not of a type a change event may carry
     */
    public String valueJson(String column, Object value) {
        return new String(valueBytes(column, value, false), StandardCharsets.UTF_8);
    }

    /**
     * The JSON text of one key column's value exactly as {@link #keyBytes(Key)} writes it: like
     * {@link #valueJson}, but with the fields of nested objects sorted by name, so the text is stable.
     *
     * @throws IllegalArgumentException when the value is not of a type a change event may carry
     */
    public String keyValueJson(String column, Object value) {
        return new String(valueBytes(column, value, true), StandardCharsets.UTF_8);
    }

    /** A row as a JSON object exactly as {@link #encode} writes {@code after}: columns in order, nulls included. */
    public String rowJson(Row row) {
        return new String(rowBytes(row), StandardCharsets.UTF_8);
    }

    /**
     * A column name as it appears as a field name in a row object, quotes and escapes included: {@code "note"}.
     * A row object written as {@code {} + fieldNameJson(c) + ":" + valueJson(c, v) + ...}, joined by commas,
     * is byte for byte what {@link #encode} writes for {@code after}.
     */
    public String fieldNameJson(String column) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(column.length() + 8);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            // Written as a field of an object, not as a string value, so the escaping is the field-name escaping by
            // construction; the object's "{", ":0}" are cut off below.
            gen.writeStartObject();
            gen.writeFieldName(column);
            gen.writeNumber(0);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode column name: " + e.getMessage(), e);
        }
        String object = out.toString(StandardCharsets.UTF_8);
        return object.substring(1, object.length() - ":0}".length());
    }

    private byte[] valueBytes(String column, Object value, boolean sorted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            writeValue(gen, value, column, sorted);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode column '" + column + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void writeTable(JsonGenerator gen, TableId table) throws IOException {
        gen.writeObjectFieldStart("table");
        gen.writeStringField("database", table.database());
        gen.writeStringField("schema", table.schema());
        gen.writeStringField("table", table.table());
        gen.writeEndObject();
    }

    private static void writeKey(JsonGenerator gen, Key key) throws IOException {
        gen.writeStartObject();
        for (Map.Entry<String, Object> column : key.columns().entrySet()) {
            gen.writeFieldName(column.getKey());
            writeValue(gen, column.getValue(), column.getKey(), true);
        }
        gen.writeEndObject();
    }

    private static void writeRow(JsonGenerator gen, Row row) throws IOException {
        if (row == null) {
            gen.writeNull();
            return;
        }
        gen.writeStartObject();
        for (Map.Entry<String, Object> column : row.asMap().entrySet()) {
            gen.writeFieldName(column.getKey());
            writeValue(gen, column.getValue(), column.getKey(), false);
        }
        gen.writeEndObject();
    }

    private static void writeSource(JsonGenerator gen, SourcePosition position) throws IOException {
        gen.writeObjectFieldStart("source");
        gen.writeStringField("lsn", Lsn.format(position.lsn()));
        gen.writeNumberField("lsn_num", position.lsn());
        gen.writeStringField("commit_lsn", Lsn.format(position.commitLsn()));
        gen.writeFieldName("tx_id");
        if (position.txId() == null) {
            gen.writeNull();
        } else {
            gen.writeNumber(position.txId());
        }
        gen.writeStringField("commit_time", time(position.commitTime()));
        gen.writeBooleanField("snapshot", position.snapshot());
        gen.writeEndObject();
    }

    /** A time as the form writes it: UTC, exactly six fractional digits; {@code null} for {@code null}. */
    static String time(Instant time) {
        if (time == null) {
            return null;
        }
        // Every event carries one, so the usual four-digit years are written digit by digit; the formatter, which
        // knows every other year, costs more than the rest of the source object.
        LocalDateTime utc = LocalDateTime.ofEpochSecond(time.getEpochSecond(), time.getNano(), ZoneOffset.UTC);
        if (utc.getYear() < 0 || utc.getYear() > 9999) {
            return COMMIT_TIME.format(time);
        }
        char[] text = new char[27];
        digits(text, 0, utc.getYear(), 4);
        text[4] = '-';
        digits(text, 5, utc.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, utc.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, utc.getHour(), 2);
        text[13] = ':';
        digits(text, 14, utc.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, utc.getSecond(), 2);
        text[19] = '.';
        digits(text, 20, utc.getNano() / 1000, 6);
        text[26] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int start, int value, int count) {
        for (int i = start + count - 1; i >= start; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Writes one value of the closed set {@link Row} allows. Nested objects are sorted only in keys ({@code sorted}),
     * where byte stability matters; in rows they keep the order the source gave, which is what users expect to see.
     */
    private static void writeValue(JsonGenerator gen, Object value, String column, boolean sorted) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Integer i) {
            gen.writeNumber(i);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Short s) {
            gen.writeNumber(s);
        } else if (value instanceof BigDecimal d) {
            gen.writeNumber(d);
        } else if (value instanceof Double d) {
            gen.writeNumber(d);
        } else if (value instanceof Float f) {
            gen.writeNumber(f);
        } else if (value instanceof List<?> list) {
            gen.writeStartArray();
            for (Object element : list) {
                writeValue(gen, element, column, sorted);
            }
            gen.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> field : (sorted ? sortedByName(map, column) : map).entrySet()) {
                gen.writeFieldName(fieldName(field.getKey(), column));
                writeValue(gen, field.getValue(), column, sorted);
            }
            gen.writeEndObject();
        } else {
            throw new IllegalArgumentException("column '" + column + "' holds a " + value.getClass().getName()
                    + ", which is not one of the value types a change event may carry");
        }
    }

    private static Map<String, ?> sortedByName(Map<?, ?> map, String column) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        map.forEach((name, value) -> sorted.put(fieldName(name, column), value));
        return sorted;
    }

    private static String fieldName(Object name, String column) {
        if (name instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("column '" + column + "' holds a JSON object with a "
                + (name == null ? "null" : name.getClass().getName()) + " field name; field names must be strings");
    }
}
