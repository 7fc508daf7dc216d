package io.sluice.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.util.function.Function;

/**
 * Binds a value written as any YAML scalar through its text: {@code password: 123456} is a number to YAML but a
 * secret to us. The parse function returns null for text it does not accept, which binding reports together
 * with the expected form.
 */
final class TextValueDeserializer<T> extends StdScalarDeserializer<T> {

    private final Function<String, T> parse;

    TextValueDeserializer(Class<T> type, Function<String, T> parse) {
        super(type);
        this.parse = parse;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (!parser.currentToken().isScalarValue() || parser.hasToken(JsonToken.VALUE_EMBEDDED_OBJECT)) {
            return (T) context.handleUnexpectedToken(handledType(), parser);
        }
        String text = parser.getText();
        T value = parse.apply(text);
        return value != null ? value : (T) context.handleWeirdStringValue(handledType(), text, "not accepted");
    }
}
