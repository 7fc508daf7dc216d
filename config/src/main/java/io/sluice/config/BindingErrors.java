package io.sluice.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns the exception that stopped binding into a problem saying what was expected and what was found. Jackson's
 * own message is never used: it names Java classes and quotes values, including substituted ones. The key path
 * comes from the binding parser, which is still at the token that failed.
 */
final class BindingErrors {

    private final ObjectMapper mapper;
    private final KeySchema schema;
    private final Problems problems;

    BindingErrors(ObjectMapper mapper, KeySchema schema, Problems problems) {
        this.mapper = mapper;
        this.schema = schema;
        this.problems = problems;
    }

    void report(Exception error, JsonParser parser) throws IOException {
        String path = KeyPath.of(parser);
        if (error instanceof InvalidDefinitionException) {
            // The config types themselves cannot be bound: a bug in this module, not in the user's file.
            throw new IllegalStateException("the configuration model cannot be bound", error);
        } else if (error instanceof InvalidTypeIdException unknownType) {
            // Normally reported by the scan already, as an unknown key where the type name goes.
            String name = unknownType.getTypeId();
            problems.add(path, "unknown type \"" + name + "\"", Suggestions.hint(name,
                    schema.keys(unknownType.getBaseType()).orElse(List.of()), "supported types"));
        } else if (error instanceof UnrecognizedPropertyException unknownKey) {
            // A safety net behind the scan's key check; Jackson only knows the record's path at this point.
            String name = unknownKey.getPropertyName();
            List<String> known = unknownKey.getKnownPropertyIds().stream().map(String::valueOf).toList();
            problems.add(KeyPath.key(path, name), "unknown key \"" + name + "\"",
                    Suggestions.hint(name, known, "supported keys"));
        } else if (error instanceof InvalidNullException) {
            problems.add(path, "needs a value");
        } else if (error instanceof MismatchedInputException mismatch) {
            Class<?> target = mismatch.getTargetType();
            problems.add(path, "expected " + expected(target) + ", got " + found(parser, path),
                    enumSuggestion(target, parser, path));
        } else if (error instanceof InputCoercionException || error.getCause() instanceof InputCoercionException) {
            problems.add(path, "number " + found(parser, path) + " is too large");
        } else if (error instanceof ValueInstantiationException) {
            problems.add(path, "is not a valid value here");
        } else {
            problems.add(path, "cannot be read here");
        }
    }

    /** The expected form, in the user's terms. */
    private String expected(Class<?> target) {
        if (target == null) {
            return "a different value";
        } else if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "a whole number";
        } else if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        } else if (target == String.class || target == Secret.class) {
            return "a string";
        } else if (target == Duration.class) {
            return Durations.FORMS;
        } else if (target == ByteSize.class) {
            return ByteSize.FORMS;
        } else if (target.isEnum()) {
            return "one of " + String.join(", ", enumNames(target));
        } else if (Collection.class.isAssignableFrom(target)) {
            return "a list";
        } else if (Map.class.isAssignableFrom(target)) {
            return "a mapping";
        }
        JavaType type = mapper.constructType(target);
        if (schema.isTypeWrapper(type)) {
            return "a single key naming the type (" + String.join(", ", schema.keys(type).orElse(List.of())) + ")";
        }
        return "a mapping";
    }

    /** What the file holds at the failing token, without revealing a value that came from the environment. */
    private String found(JsonParser parser, String path) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case VALUE_STRING -> parser.getText().isEmpty() ? "an empty value" : problems.show(path, parser.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> parser.getText();
            case VALUE_NULL -> "no value";
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            case FIELD_NAME -> "another key, \"" + parser.currentName() + "\"";
            case END_OBJECT -> "an empty mapping";
            default -> "something else";
        };
    }

    private String enumSuggestion(Class<?> target, JsonParser parser, String path) throws IOException {
        if (target == null || !target.isEnum() || !parser.hasToken(JsonToken.VALUE_STRING)
                || problems.substitution(path).isPresent()) {
            return "";
        }
        return Suggestions.hint(parser.getText(), enumNames(target), "");
    }

    /** Enum values as written in YAML, i.e. as the mapper writes them ({@code @JsonValue}). */
    private List<String> enumNames(Class<?> type) {
        return Arrays.stream(type.getEnumConstants()).map(constant -> mapper.convertValue(constant, String.class))
                .toList();
    }
}
