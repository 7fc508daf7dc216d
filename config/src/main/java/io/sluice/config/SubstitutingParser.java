package io.sluice.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * Presents string values with their {@code ${...}} references already resolved, while every token keeps the
 * location it has in the file. Replacements are looked up by the token's position, computed once by
 * {@link YamlDocument}, so binding sees resolved text and every message still points at the file's own lines.
 */
final class SubstitutingParser extends JsonParserDelegate {

    private final Map<YamlDocument.Position, String> replacements;

    SubstitutingParser(JsonParser parser, Map<YamlDocument.Position, String> replacements) {
        super(parser);
        this.replacements = replacements;
    }

    /** The resolved text of the current token, or null when it is not a string that had references. */
    private String replacement() {
        if (replacements.isEmpty() || !delegate.hasToken(JsonToken.VALUE_STRING)) {
            return null;
        }
        JsonLocation location = delegate.currentTokenLocation();
        return replacements.get(new YamlDocument.Position(location.getLineNr(), location.getColumnNr()));
    }

    @Override
    public String getText() throws IOException {
        String replacement = replacement();
        return replacement != null ? replacement : super.getText();
    }

    @Override
    public int getText(Writer writer) throws IOException {
        String replacement = replacement();
        if (replacement == null) {
            return super.getText(writer);
        }
        writer.write(replacement);
        return replacement.length();
    }

    @Override
    public boolean hasTextCharacters() {
        return replacement() == null && super.hasTextCharacters();
    }

    @Override
    public char[] getTextCharacters() throws IOException {
        String replacement = replacement();
        return replacement != null ? replacement.toCharArray() : super.getTextCharacters();
    }

    @Override
    public int getTextLength() throws IOException {
        String replacement = replacement();
        return replacement != null ? replacement.length() : super.getTextLength();
    }

    @Override
    public int getTextOffset() throws IOException {
        return replacement() != null ? 0 : super.getTextOffset();
    }

    @Override
    public String getValueAsString() throws IOException {
        String replacement = replacement();
        return replacement != null ? replacement : super.getValueAsString();
    }

    @Override
    public String getValueAsString(String defaultValue) throws IOException {
        String replacement = replacement();
        return replacement != null ? replacement : super.getValueAsString(defaultValue);
    }

    @Override
    public String nextTextValue() throws IOException {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }
}
