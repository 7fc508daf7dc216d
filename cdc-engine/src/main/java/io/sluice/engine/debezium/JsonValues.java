package io.sluice.engine.debezium;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the text of a {@code json}/{@code jsonb} value into nested {@link Map}s (keys in document order),
 * {@link List}s, strings, booleans, {@code null} and exact numbers: integers as {@link Long}, or as
 * {@link BigDecimal} when they do not fit; every other number as the {@link BigDecimal} written in the text, scale
 * included ({@code 2.50} stays {@code 2.50}). A key that appears twice keeps its last value, as {@code jsonb} does.
 */
final class JsonValues {
    /**
     * PostgreSQL accepts documents of any depth and numbers and strings of any length up to its 1 GB value limit;
     * Jackson's defaults would reject some of them, so they are lifted. Parsing is iterative, so depth cannot
     * overflow the stack.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private JsonValues() {
    }

    static Object parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            Deque<Object> open = new ArrayDeque<>();
            Deque<String> names = new ArrayDeque<>();
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                switch (token) {
                    case START_OBJECT -> open.push(new LinkedHashMap<String, Object>());
                    case START_ARRAY -> open.push(new ArrayList<>());
                    case FIELD_NAME -> names.push(parser.currentName());
                    case END_OBJECT, END_ARRAY -> {
                        Object closed = readOnly(open.pop());
                        if (open.isEmpty()) {
                            return onlyValue(parser, closed);
                        }
                        add(open.peek(), names, closed);
                    }
                    default -> {
                        Object scalar = scalar(parser, token);
                        if (open.isEmpty()) {
                            return onlyValue(parser, scalar);
                        }
                        add(open.peek(), names, scalar);
                    }
                }
            }
            throw new IOException("empty JSON document");
        }
    }

    private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? new BigDecimal(parser.getBigIntegerValue())
                    : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }

    @SuppressWarnings("unchecked")
    private static void add(Object container, Deque<String> names, Object value) {
        if (container instanceof Map<?, ?> object) {
            ((Map<String, Object>) object).put(names.pop(), value);
        } else {
            ((List<Object>) container).add(value);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object readOnly(Object container) {
        return container instanceof Map<?, ?> object
                ? Collections.unmodifiableMap((Map<String, Object>) object)
                : Collections.unmodifiableList((List<Object>) container);
    }

    private static Object onlyValue(JsonParser parser, Object value) throws IOException {
        if (parser.nextToken() != null) {
            throw new IOException("more than one JSON value");
        }
        return value;
    }
}
