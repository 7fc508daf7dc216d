package io.sluice.engine.debezium;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.Json;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.data.geometry.Geography;
import io.debezium.data.geometry.Geometry;
import io.debezium.data.geometry.Point;
import io.debezium.relational.mapping.PropagateSourceMetadataToSchemaParameter;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.NanoTime;
import io.debezium.time.NanoTimestamp;
import io.debezium.time.Time;
import io.debezium.time.Timestamp;
import io.sluice.config.source.DecimalMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGStatement;

/**
 * Builds, once per Connect schema, the {@link ValueConverter} for the values of that schema. The decision is taken
 * from the schema's semantic name and type when the converter is built, so converting a value does no lookups.
 *
 * <p>Temporal values become ISO-8601 text: dates {@code 2024-02-29}, times {@code 13:45:10.123456} and timestamps
 * without zone {@code 2024-02-29T13:45:10.123456}, always with seconds and with the fraction cut to 3, 6 or 9 digits
 * as {@link LocalTime#toString()} does. Zoned values, intervals, uuids, enums and other text pass through as Debezium
 * wrote them. PostgreSQL's {@code infinity} and {@code -infinity} become those words for every date and timestamp
 * type, as Debezium already writes them for {@code timestamptz}.
 */
final class ValueConverters {
    /** Debezium's {@code datatype.propagate.source.type} parameter that names the column's PostgreSQL type. */
    private static final String SOURCE_TYPE = PropagateSourceMetadataToSchemaParameter.TYPE_NAME_PARAMETER_KEY;
    private static final Set<String> DECIMAL_TYPES = Set.of("NUMERIC", "MONEY");
    private static final Set<String> DECIMAL_ARRAY_TYPES = Set.of("_NUMERIC", "_MONEY");
    private static final Set<String> GEOMETRIC_TYPES = Set.of(Point.LOGICAL_NAME, Geometry.LOGICAL_NAME,
            Geography.LOGICAL_NAME);

    private static final long NANOS_PER_DAY = 86_400_000_000_000L;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    /**
     * PostgreSQL dates run from 4714-11-24 BC to 5874897-12-31 AD and timestamps start on the same day; a value
     * outside is one of Debezium's sentinels or an overflow, never a real date.
     */
    private static final long FIRST_PG_DAY = LocalDate.of(-4713, 11, 24).toEpochDay();
    private static final long LAST_PG_DAY = LocalDate.of(5_874_897, 12, 31).toEpochDay();
    private static final long FIRST_PG_SECOND = FIRST_PG_DAY * 86_400L;

    private final DecimalMode decimals;

    ValueConverters(DecimalMode decimals) {
        this.decimals = Objects.requireNonNull(decimals, "decimals");
    }

    /**
     * The converter for values of {@code schema}. Schemas Sluice cannot represent get a converter that fails on the
     * first non-null value, so a column that is always {@code null} does not stop the pipeline.
     */
    ValueConverter forSchema(Schema schema, String column) {
        String name = schema.name();
        if (name != null) {
            ValueConverter logical = forLogicalType(name, schema, column);
            if (logical != null) {
                return logical;
            }
        }
        return switch (schema.type()) {
            // Row has no Byte; PostgreSQL never produces INT8, other Connect sources might.
            case INT8 -> value -> ((Byte) value).shortValue();
            case INT16, INT32, INT64, BOOLEAN -> value -> value;
            case FLOAT32 -> value -> finiteOrName((Float) value);
            case FLOAT64 -> value -> finiteOrName((Double) value);
            case STRING -> hasSourceType(schema, DECIMAL_TYPES) ? decimalText(column) : value -> value;
            case BYTES -> ValueConverters::base64;
            case ARRAY -> array(schema, column);
            case MAP -> map(schema, column);
            case STRUCT -> unsupported(schema, column);
        };
    }

    private ValueConverter forLogicalType(String name, Schema schema, String column) {
        return switch (name) {
            case io.debezium.time.Date.SCHEMA_NAME -> value -> date(column, (Integer) value);
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME ->
                    value -> date(column, Math.floorDiv(((java.util.Date) value).getTime(), MILLIS_PER_DAY));
            case Time.SCHEMA_NAME -> value -> timeOfDay(column, (Integer) value, 1_000_000L);
            case MicroTime.SCHEMA_NAME -> value -> timeOfDay(column, (Long) value, 1_000L);
            case NanoTime.SCHEMA_NAME -> value -> timeOfDay(column, (Long) value, 1L);
            case org.apache.kafka.connect.data.Time.LOGICAL_NAME ->
                    value -> timeOfDay(column, ((java.util.Date) value).getTime(), 1_000_000L);
            case Timestamp.SCHEMA_NAME -> value -> timestamp(column, (Long) value, TimestampUnit.MILLIS);
            case MicroTimestamp.SCHEMA_NAME -> value -> timestamp(column, (Long) value, TimestampUnit.MICROS);
            case NanoTimestamp.SCHEMA_NAME -> value -> timestamp(column, (Long) value, TimestampUnit.NANOS);
            case org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME ->
                    value -> timestamp(column, ((java.util.Date) value).getTime(), TimestampUnit.MILLIS);
            case Decimal.LOGICAL_NAME -> value -> decimal((BigDecimal) value);
            case VariableScaleDecimal.LOGICAL_NAME -> value -> decimal(variableScaleDecimal((Struct) value));
            case Json.LOGICAL_NAME -> value -> json(column, (String) value);
            default -> GEOMETRIC_TYPES.contains(name) ? struct(schema, column) : null;
        };
    }

    // --- numbers -----------------------------------------------------------------------------------------------

    /** JSON has no NaN or infinities, so they travel as PostgreSQL spells them. */
    private static Object finiteOrName(Float value) {
        return Float.isFinite(value) ? value : value.toString();
    }

    private static Object finiteOrName(Double value) {
        return Double.isFinite(value) ? value : value.toString();
    }

    /**
     * A numeric in {@code decimal.handling.mode=string}: the exact plain text, except that Debezium writes the
     * special values as its enum constant names, which are turned back into PostgreSQL's spelling.
     */
    private ValueConverter decimalText(String column) {
        return value -> {
            String text = (String) value;
            return switch (text) {
                case "NAN" -> "NaN";
                case "POSITIVE_INFINITY" -> "Infinity";
                case "NEGATIVE_INFINITY" -> "-Infinity";
                default -> decimals == DecimalMode.STRING ? text : parseDecimal(column, text);
            };
        };
    }

    private static BigDecimal parseDecimal(String column, String text) throws UnconvertibleValueException {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new UnconvertibleValueException("numeric column " + column + " holds text that is not a number");
        }
    }

    private Object decimal(BigDecimal value) {
        return decimals == DecimalMode.STRING ? value.toPlainString() : value;
    }

    private static BigDecimal variableScaleDecimal(Struct value) {
        BigInteger unscaled = new BigInteger(bytes(value.getWithoutDefault(VariableScaleDecimal.VALUE_FIELD)));
        return new BigDecimal(unscaled, (Integer) value.getWithoutDefault(VariableScaleDecimal.SCALE_FIELD));
    }

    private static boolean hasSourceType(Schema schema, Set<String> types) {
        Map<String, String> parameters = schema.parameters();
        String type = parameters == null ? null : parameters.get(SOURCE_TYPE);
        return type != null && types.contains(type.toUpperCase(Locale.ROOT));
    }

    // --- text, bytes, json -------------------------------------------------------------------------------------

    private static String base64(Object value) {
        return Base64.getEncoder().encodeToString(bytes(value));
    }

    /** Connect allows both forms for BYTES; Debezium uses ByteBuffer for bytea and byte[] for placeholders and bits. */
    private static byte[] bytes(Object value) {
        if (value instanceof byte[] array) {
            return array;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return copy;
    }

    private static Object json(String column, String text) throws UnconvertibleValueException {
        try {
            return JsonValues.parse(text);
        } catch (IOException e) {
            throw new UnconvertibleValueException("json column " + column + " holds text that is not valid JSON");
        } catch (NumberFormatException e) {
            // Only json, not jsonb, accepts numbers such as 1e9999999999, whose exponent no BigDecimal can hold.
            throw new UnconvertibleValueException("json column " + column
                    + " holds a number whose exponent is too large to represent");
        }
    }

    // --- containers --------------------------------------------------------------------------------------------

    private ValueConverter array(Schema schema, String column) {
        Schema elementSchema = schema.valueSchema();
        boolean decimalElements = hasSourceType(schema, DECIMAL_ARRAY_TYPES)
                && elementSchema.type() == Schema.Type.STRING;
        ValueConverter element = decimalElements ? decimalText(column) : forSchema(elementSchema, column);
        return value -> {
            List<?> values = (List<?>) value;
            List<Object> converted = new ArrayList<>(values.size());
            for (Object item : values) {
                converted.add(item == null ? null : element.convert(item));
            }
            return Collections.unmodifiableList(converted);
        };
    }

    private ValueConverter map(Schema schema, String column) {
        if (schema.keySchema().type() != Schema.Type.STRING) {
            return unsupported(schema, column);
        }
        ValueConverter entry = forSchema(schema.valueSchema(), column);
        return value -> {
            Map<?, ?> values = (Map<?, ?>) value;
            Map<String, Object> converted = new LinkedHashMap<>();
            for (Map.Entry<?, ?> item : values.entrySet()) {
                converted.put((String) item.getKey(), item.getValue() == null ? null : entry.convert(item.getValue()));
            }
            return Collections.unmodifiableMap(converted);
        };
    }

    /** Geometric values become a map of their fields: {@code x}, {@code y}, {@code wkb} (base64), {@code srid}. */
    private ValueConverter struct(Schema schema, String column) {
        List<Field> fields = schema.fields();
        List<ValueConverter> converters = new ArrayList<>(fields.size());
        for (Field field : fields) {
            converters.add(forSchema(field.schema(), column));
        }
        return value -> {
            Struct struct = (Struct) value;
            Map<String, Object> converted = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                Object fieldValue = struct.getWithoutDefault(fields.get(i).name());
                converted.put(fields.get(i).name(), fieldValue == null ? null : converters.get(i).convert(fieldValue));
            }
            return Collections.unmodifiableMap(converted);
        };
    }

    private static ValueConverter unsupported(Schema schema, String column) {
        String type = schema.name() != null ? schema.name() : schema.type().getName();
        return value -> {
            throw new UnconvertibleValueException("column " + column + " has the Debezium type " + type
                    + ", which Sluice cannot convert");
        };
    }

    // --- dates and times ---------------------------------------------------------------------------------------

    /**
     * Debezium writes {@code date 'infinity'} as the epoch day of
     * {@link PostgresValueConverter#POSITIVE_INFINITY_LOCAL_DATE} when streaming, but in snapshots it converts the
     * driver's sentinel {@code java.sql.Date} and the epoch day overflows {@code int}; the overflowed value depends on
     * the JVM's time zone, so it is computed here the same way.
     */
    private static final class DateInfinity {
        static final long STREAMED_POSITIVE = PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE.toEpochDay();
        static final long STREAMED_NEGATIVE = PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE.toEpochDay();
        static final long SNAPSHOT_POSITIVE = io.debezium.time.Date.toEpochDay(
                new java.sql.Date(PGStatement.DATE_POSITIVE_INFINITY), null);
        static final long SNAPSHOT_NEGATIVE = io.debezium.time.Date.toEpochDay(
                new java.sql.Date(PGStatement.DATE_NEGATIVE_INFINITY), null);
    }

    private static String date(String column, long epochDay) throws UnconvertibleValueException {
        if (epochDay >= FIRST_PG_DAY && epochDay <= LAST_PG_DAY) {
            return LocalDate.ofEpochDay(epochDay).toString();
        }
        if (epochDay == DateInfinity.STREAMED_POSITIVE || epochDay == DateInfinity.SNAPSHOT_POSITIVE) {
            return "infinity";
        }
        if (epochDay == DateInfinity.STREAMED_NEGATIVE || epochDay == DateInfinity.SNAPSHOT_NEGATIVE) {
            return "-infinity";
        }
        throw new UnconvertibleValueException("date column " + column + " holds a day outside PostgreSQL's date range");
    }

    /** PostgreSQL allows {@code 24:00:00}, which {@link LocalTime} cannot hold. */
    private static String timeOfDay(String column, long value, long nanosPerUnit) throws UnconvertibleValueException {
        long unitsPerDay = NANOS_PER_DAY / nanosPerUnit;
        if (value == unitsPerDay) {
            return "24:00:00";
        }
        if (value < 0 || value > unitsPerDay) {
            throw new UnconvertibleValueException("time column " + column + " holds a value outside one day");
        }
        return isoTime(LocalTime.ofNanoOfDay(value * nanosPerUnit));
    }

    /** {@link LocalTime#toString()} leaves out zero seconds ({@code 13:45}); a fixed shape is easier on consumers. */
    private static String isoTime(LocalTime time) {
        String text = time.toString();
        return text.length() == 5 ? text + ":00" : text;
    }

    /**
     * How Debezium encodes {@code timestamp} values in each unit, including its sentinels for PostgreSQL's
     * {@code infinity}: the instants {@link PostgresValueConverter#POSITIVE_INFINITY_INSTANT} and
     * {@link PostgresValueConverter#NEGATIVE_INFINITY_INSTANT} in milliseconds or microseconds, and the extreme
     * {@code long}s in nanoseconds.
     */
    private enum TimestampUnit {
        MILLIS(1_000L, PostgresValueConverter.POSITIVE_INFINITY_INSTANT.toEpochMilli(),
                PostgresValueConverter.NEGATIVE_INFINITY_INSTANT.toEpochMilli()),
        MICROS(1_000_000L, micros(PostgresValueConverter.POSITIVE_INFINITY_INSTANT),
                micros(PostgresValueConverter.NEGATIVE_INFINITY_INSTANT)),
        NANOS(1_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE);

        final long perSecond;
        final long positiveInfinity;
        final long negativeInfinity;

        TimestampUnit(long perSecond, long positiveInfinity, long negativeInfinity) {
            this.perSecond = perSecond;
            this.positiveInfinity = positiveInfinity;
            this.negativeInfinity = negativeInfinity;
        }

        private static long micros(Instant instant) {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
        }
    }

    /**
     * A value before PostgreSQL's first timestamp can only be Debezium's {@code -infinity} or an overflow: Debezium
     * computes microseconds in a {@code long}, which wraps for timestamps after the year 292278.
     */
    private static String timestamp(String column, long value, TimestampUnit unit) throws UnconvertibleValueException {
        if (value == unit.positiveInfinity) {
            return "infinity";
        }
        if (value == unit.negativeInfinity) {
            return "-infinity";
        }
        long epochSecond = Math.floorDiv(value, unit.perSecond);
        if (epochSecond < FIRST_PG_SECOND) {
            throw new UnconvertibleValueException("timestamp column " + column
                    + " holds a value outside the range Debezium can represent");
        }
        int nanos = (int) (Math.floorMod(value, unit.perSecond) * (1_000_000_000L / unit.perSecond));
        LocalDateTime dateTime = LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC);
        return dateTime.toLocalDate() + "T" + isoTime(dateTime.toLocalTime());
    }
}
