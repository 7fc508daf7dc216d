package io.sluice.sink.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a change event back from the {@link EventJson} form, e.g. to replay a dead letter.
 *
 * <p>What comes back writes the same JSON again: {@code EventJson.encode(read(EventJson.encode(e)))} equals
 * {@code EventJson.encode(e)} byte for byte (commit times are kept to the microsecond the form carries). The Java
 * types of row values may differ where JSON does not tell them apart, always towards one that writes the same text:
 * whole numbers come back as {@link Integer}, {@link Long} or (beyond a long) {@link BigDecimal}; decimals written
 * without an exponent as {@link BigDecimal} (so {@code 12.50} keeps its scale), others as {@link Double}; the
 * non-finite doubles, which the form writes as strings, as those strings.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EventJsonReader {
    private final JsonFactory factory = JsonFactory.builder().build();

    /**
     * @throws IllegalArgumentException when the bytes are not an event in the {@link EventJson} form
     */
    public ChangeEvent decode(byte[] json) {
        try (JsonParser parser = factory.createParser(json)) {
            parser.nextToken();
            return read(parser);
        } catch (IOException e) {
            throw EventJsonReader.notJson(e);
        }
    }

    /**
     * Reads the event object the parser is at (its current token is the object's start) and leaves the parser at
     * the object's end.
     *
     * @throws IllegalArgumentException when it is not an event in the {@link EventJson} form
     * @throws IOException              when the text is not JSON
     */
    public ChangeEvent read(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("an event is a JSON object");
        }
        Map<String, Object> event = object(readValue(parser), "the event");
        Map<String, Object> table = object(event.get("table"), "table");
        Map<String, Object> source = object(event.get("source"), "source");
        List<String> unchanged = new ArrayList<>();
        for (Object column : list(event.get("unchanged"), "unchanged")) {
            unchanged.add(text(column, "unchanged[]"));
        }
        SourcePosition position = new SourcePosition(number(source.get("lsn_num"), "source.lsn_num"),
                lsn(source.get("commit_lsn")), source.get("tx_id") == null ? null
                        : number(source.get("tx_id"), "source.tx_id"), commitTime(source.get("commit_time")),
                Boolean.TRUE.equals(source.get("snapshot")));
        try {
            return new ChangeEvent(new TableId(text(table.get("database"), "table.database"),
                    text(table.get("schema"), "table.schema"), text(table.get("table"), "table.table")),
                    op(event.get("op")), new Key(object(event.get("key"), "key")), row(event.get("before"), "before"),
                    row(event.get("after"), "after"), Set.copyOf(unchanged), position,
                    number(event.get("version"), "version"));
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid event: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the JSON value the parser is at, whole, keeping every number exact: objects as ordered maps, arrays as
     * lists, numbers as described in the class comment.
     */
    static Object readValue(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw new IllegalArgumentException("the JSON text ends too early");
        }
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.put(name, readValue(parser));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(parser));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return switch (parser.getNumberType()) {
                    case INT -> parser.getIntValue();
                    case LONG -> parser.getLongValue();
                    default -> new BigDecimal(parser.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                String text = parser.getText();
                return text.indexOf('e') >= 0 || text.indexOf('E') >= 0 ? Double.valueOf(text) : new BigDecimal(text);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IllegalArgumentException("unexpected " + token);
        }
    }

    /** Says where the text stops being JSON, never what it holds there (it may be a row value). */
    static IllegalArgumentException notJson(IOException e) {
        if (e instanceof JsonProcessingException json && json.getLocation() != null) {
            long at = json.getLocation().getCharOffset() >= 0 ? json.getLocation().getCharOffset()
                    : json.getLocation().getByteOffset();
            return new IllegalArgumentException("not valid JSON at byte " + (at + 1), e);
        }
        return new IllegalArgumentException("not valid JSON", e);
    }

    private static Op op(Object value) {
        String code = text(value, "op");
        for (Op op : Op.values()) {
            if (op.code().equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op \"" + code + "\"");
    }

    private static Row row(Object value, String field) {
        return value == null ? null : Row.of(object(value, field));
    }

    private static long lsn(Object value) {
        try {
            return Lsn.parse(text(value, "source.commit_lsn"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("source.commit_lsn: " + e.getMessage(), e);
        }
    }

    private static Instant commitTime(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(text(value, "source.commit_time"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("source.commit_time is not a UTC time", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String field) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(field + " is missing or not a JSON object");
    }

    private static List<?> list(Object value, String field) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException(field + " is missing or not a JSON array");
    }

    private static String text(Object value, String field) {
        if (value instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException(field + " is missing or not a JSON string");
    }

    private static long number(Object value, String field) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException(field + " is missing or not a whole number");
    }
}
