package io.sluice.engine.debezium;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Schema;

/**
 * Recognises the value Debezium puts in a column whose unchanged TOAST value PostgreSQL did not send.
 *
 * <p>Debezium's {@code UnchangedToastedPlaceholder} shapes the configured {@code unavailable.value.placeholder}
 * to fit the column's Connect type, so each type has its own form: the text itself (text, varchar, char, json,
 * jsonb, xml, numeric in string mode, ...), its bytes (bytea with {@code binary.handling.mode=bytes}), a one-element
 * list of the text (arrays of text, varchar, char, json, jsonb) or of its bytes (bytea arrays), the text's bytes as
 * numbers (int4, date and int8 arrays), a one-element list of {@code UUID.nameUUIDFromBytes} (uuid arrays) and a
 * one-entry map from the text to itself (hstore, as JSON text or as a map). Arrays of other element types arrive as
 * {@code null} instead, which cannot be told apart from a real {@code null}.
 */
final class ToastPlaceholder {
    private static final Predicate<Object> NEVER = value -> false;

    private final String text;
    private final byte[] bytes;
    private final String hstoreJson;
    private final Map<String, String> hstoreMap;
    private final List<String> textArray;
    private final List<String> uuidArray;
    private final List<Integer> intArray;
    private final List<Long> bigintArray;

    /**
     * @throws IllegalArgumentException if the placeholder is empty (every empty string would look unchanged) or not
     *                                  ASCII (Debezium encodes it with the platform charset, so its byte forms would
     *                                  depend on the machine)
     */
    ToastPlaceholder(String placeholder) {
        Objects.requireNonNull(placeholder, "placeholder");
        if (placeholder.isEmpty()) {
            throw new IllegalArgumentException("the unchanged-TOAST placeholder must not be empty");
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(placeholder)) {
            throw new IllegalArgumentException("the unchanged-TOAST placeholder must be ASCII text");
        }
        text = placeholder;
        bytes = placeholder.getBytes(StandardCharsets.US_ASCII);
        hstoreJson = singleEntryJsonObject(placeholder);
        hstoreMap = Map.of(placeholder, placeholder);
        textArray = List.of(placeholder);
        uuidArray = List.of(UUID.nameUUIDFromBytes(bytes).toString());
        List<Integer> ints = new ArrayList<>(bytes.length);
        List<Long> longs = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            ints.add((int) b);
            longs.add((long) b);
        }
        intArray = List.copyOf(ints);
        bigintArray = List.copyOf(longs);
    }

    /** A test for the placeholder form of values of this schema; never matches types that cannot carry one. */
    Predicate<Object> matcherFor(Schema schema) {
        return switch (schema.type()) {
            case STRING -> Json.LOGICAL_NAME.equals(schema.name())
                    ? value -> text.equals(value) || hstoreJson.equals(value)
                    : text::equals;
            case BYTES -> value -> isPlaceholderBytes(value);
            case MAP -> hstoreMap::equals;
            case ARRAY -> arrayMatcher(schema.valueSchema());
            default -> NEVER;
        };
    }

    private Predicate<Object> arrayMatcher(Schema element) {
        return switch (element.type()) {
            case STRING -> Uuid.LOGICAL_NAME.equals(element.name()) ? listEquals(uuidArray) : listEquals(textArray);
            case INT32 -> listEquals(intArray);
            case INT64 -> listEquals(bigintArray);
            case BYTES -> value -> value instanceof List<?> list && list.size() == 1 && isPlaceholderBytes(list.get(0));
            default -> NEVER;
        };
    }

    private static Predicate<Object> listEquals(List<?> expected) {
        return value -> value instanceof List<?> list && list.size() == expected.size() && list.equals(expected);
    }

    private boolean isPlaceholderBytes(Object value) {
        if (value instanceof byte[] array) {
            return Arrays.equals(array, bytes);
        }
        return value instanceof ByteBuffer buffer && buffer.equals(ByteBuffer.wrap(bytes));
    }

    /** Written the way Debezium writes hstore-as-JSON, so that escaping matches character for character. */
    private static String singleEntryJsonObject(String placeholder) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = new JsonFactory().createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField(placeholder, placeholder);
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
