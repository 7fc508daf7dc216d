package io.sluice.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.util.regex.Pattern;

/**
 * Key paths as shown in problems: {@code pipelines[0].sinks[0].kafka.bootstrap-servers}. The location index, the
 * binding errors and the validator all build paths here, so the same key always has the same path.
 */
final class KeyPath {

    static final String ROOT = "";

    /** Keys that read unambiguously after a dot; others (e.g. {@code compression.type}) are quoted in brackets. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private KeyPath() {
    }

    static String key(String parent, String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            return parent + "[\"" + key + "\"]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** The path one level up; the root's parent is the root. */
    static String parent(String path) {
        int cut = path.endsWith("\"]") ? path.lastIndexOf("[\"")
                : path.endsWith("]") ? path.lastIndexOf('[')
                : path.lastIndexOf('.');
        return cut < 0 ? ROOT : path.substring(0, cut);
    }

    /**
     * The path of the parser's current token. A mapping or list belongs to the key or list item that holds it, so
     * for a start token the path is taken from the enclosing context; after an end token the parser is already
     * back in that context.
     */
    static String of(JsonParser parser) {
        JsonStreamContext context = parser.getParsingContext();
        if (parser.hasToken(JsonToken.START_OBJECT) || parser.hasToken(JsonToken.START_ARRAY)) {
            context = context.getParent();
        }
        return of(context);
    }

    private static String of(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return ROOT;
        }
        String parent = of(context.getParent());
        if (context.inArray()) {
            return index(parent, Math.max(context.getCurrentIndex(), 0));
        }
        String name = context.getCurrentName();
        return name == null ? parent : key(parent, name);
    }
}
