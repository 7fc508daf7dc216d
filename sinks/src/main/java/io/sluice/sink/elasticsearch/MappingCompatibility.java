package io.sluice.sink.elasticsearch;

import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Whether an Elasticsearch field type takes the values Sluice writes for a column ({@link JsonKind}): accepted,
 * accepted with a loss or a condition worth a warning, or refused (every document with a value would fail with a
 * mapping error). Elasticsearch coerces numbers and numeric strings into number fields and indexes any scalar in a
 * keyword or text field; it refuses text in number, boolean and date fields, scalars in object fields and objects in
 * scalar fields. Arrays are checked by their elements, as Elasticsearch maps them.
 *
 * <p>Pure and immutable; docs/check.md has the table for users.
 */
final class MappingCompatibility {

    enum Level { OK, WARN, ERROR }

    /** @param reason why it is a warning or error; {@code null} when accepted */
    record Verdict(Level level, String reason) {
        static final Verdict OK = new Verdict(Level.OK, null);

        static Verdict warn(String reason) {
            return new Verdict(Level.WARN, reason);
        }

        static Verdict error(String reason) {
            return new Verdict(Level.ERROR, reason);
        }
    }

    /**
     * A field of an index mapping.
     *
     * @param type    the field's {@code type}; {@code object} for a field with {@code properties} and no type
     * @param format  a date field's {@code format}, or {@code null}
     * @param enabled false for an object with {@code enabled: false}, which takes any value unparsed
     */
    record MappedField(String type, String format, boolean enabled) {
        MappedField {
            Objects.requireNonNull(type, "type");
        }
    }

    private static final Set<String> WHOLE = Set.of("long", "integer", "short", "byte", "unsigned_long");
    private static final Set<String> FLOATING = Set.of("double", "float", "half_float", "scaled_float");
    private static final Set<String> KEYWORDS = Set.of("keyword", "wildcard", "text", "match_only_text",
            "search_as_you_type");
    private static final Set<String> DATES = Set.of("date", "date_nanos");
    private static final Set<String> OBJECTS = Set.of("object", "flattened", "nested");
    private static final Set<String> KNOWN_SCALARS = Set.of("boolean", "binary", "ip", "version", "constant_keyword",
            "geo_point", "point");
    private static final Set<JsonKind> INTEGERS = EnumSet.of(JsonKind.SMALL_INTEGER, JsonKind.INTEGER,
            JsonKind.BIG_INTEGER);
    private static final Set<JsonKind> NUMBERS = EnumSet.of(JsonKind.SMALL_INTEGER, JsonKind.INTEGER,
            JsonKind.BIG_INTEGER, JsonKind.FLOAT, JsonKind.DECIMAL_STRING, JsonKind.DECIMAL_NUMBER);
    private static final Set<JsonKind> DATE_TEXTS = EnumSet.of(JsonKind.DATE, JsonKind.TIMESTAMP,
            JsonKind.TIMESTAMPTZ);

    private MappingCompatibility() {
    }

    /** Whether the field takes the column's values. Columns of {@link JsonKind#UNKNOWN} are not judged (OK). */
    static Verdict of(ColumnShape column, MappedField field) {
        JsonKind kind = column.kind();
        String type = field.type();
        if (kind == JsonKind.UNKNOWN || (OBJECTS.contains(type) && !field.enabled())) {
            return Verdict.OK;
        }
        if (type.equals("alias")) {
            return Verdict.error("an alias field cannot be written to");
        }
        if (kind == JsonKind.JSON) {
            return OBJECTS.contains(type) ? Verdict.OK : Verdict.warn("accepted only while every value is a "
                    + (type.equals("keyword") || type.equals("text") ? "scalar" : "value a " + type + " field takes")
                    + ", not an object");
        }
        if (kind == JsonKind.OBJECT) {
            return OBJECTS.contains(type) ? Verdict.OK : refused(type);
        }
        if (OBJECTS.contains(type)) {
            return refused(type);
        }
        if (KEYWORDS.contains(type)) {
            return Verdict.OK;
        }
        if (type.equals("constant_keyword")) {
            return Verdict.warn("a constant_keyword field takes one value only; documents with another are refused");
        }
        if (WHOLE.contains(type) || FLOATING.contains(type)) {
            return number(kind, type);
        }
        if (DATES.contains(type)) {
            return date(kind, field);
        }
        if (type.equals("boolean")) {
            return kind == JsonKind.BOOLEAN ? Verdict.OK : refused(type);
        }
        if (type.equals("binary")) {
            return kind == JsonKind.BASE64 ? Verdict.OK : refused(type);
        }
        if (type.equals("ip") || type.equals("version")) {
            return kind == JsonKind.TEXT ? Verdict.warn("accepted only while every value is a valid " + type)
                    : refused(type);
        }
        if (KNOWN_SCALARS.contains(type)) {
            return refused(type);
        }
        return Verdict.warn("Sluice cannot tell whether " + article(type) + " " + type + " field takes "
                + kind.written());
    }

    private static Verdict number(JsonKind kind, String type) {
        if (!NUMBERS.contains(kind)) {
            return refused(type);
        }
        if (type.equals("long")) {
            return INTEGERS.contains(kind) ? Verdict.OK : Verdict.warn("fractions are cut off when indexed");
        }
        if (WHOLE.contains(type)) {
            if (!INTEGERS.contains(kind)) {
                return Verdict.warn("fractions are cut off when indexed, and values out of its range are refused");
            }
            if (type.equals("unsigned_long")) {
                return Verdict.warn("negative values are refused");
            }
            boolean fits = (type.equals("integer") && kind != JsonKind.BIG_INTEGER)
                    || (type.equals("short") && kind == JsonKind.SMALL_INTEGER);
            return fits ? Verdict.OK : Verdict.warn("values beyond the range of " + type + " are refused");
        }
        if (type.equals("double") || type.equals("scaled_float")) {
            return kind == JsonKind.BIG_INTEGER ? Verdict.warn("integers beyond 2^53 are indexed rounded")
                    : Verdict.OK;
        }
        return Verdict.warn(article(type) + " " + type + " field indexes fewer digits than the column holds");
    }

    private static Verdict date(JsonKind kind, MappedField field) {
        boolean defaultFormat = field.format() == null || field.format().contains("date_optional_time");
        if (DATE_TEXTS.contains(kind)) {
            return defaultFormat ? Verdict.OK : Verdict.warn("its format '" + field.format() + "' must parse "
                    + kind.written());
        }
        if (kind == JsonKind.TIME) {
            return defaultFormat ? Verdict.error("a date field refuses times without a date unless its format"
                    + " parses them")
                    : Verdict.warn("its format '" + field.format() + "' must parse " + kind.written());
        }
        if (INTEGERS.contains(kind)) {
            return defaultFormat ? Verdict.warn("numbers are read as milliseconds since 1970")
                    : Verdict.warn("its format '" + field.format() + "' must parse " + kind.written());
        }
        return refused(field.type());
    }

    private static Verdict refused(String type) {
        return Verdict.error(article(type) + " " + type + " field refuses them");
    }

    private static String article(String type) {
        return "aeiou".indexOf(type.charAt(0)) >= 0 ? "an" : "a";
    }

    /** The field type that takes a kind's values as they are, for fixes. */
    static String suggestedType(JsonKind kind) {
        return switch (kind) {
            case SMALL_INTEGER, INTEGER, BIG_INTEGER -> "long";
            case FLOAT, DECIMAL_NUMBER -> "double";
            case DECIMAL_STRING, TEXT, TIME, INTERVAL, UNKNOWN -> "keyword";
            case BOOLEAN -> "boolean";
            case DATE, TIMESTAMP, TIMESTAMPTZ -> "date";
            case BASE64 -> "binary";
            case JSON, OBJECT -> "object";
        };
    }
}
