package io.sluice.sink.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.sink.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one JSON form of a dead letter, written by every dead-letter target (a line of a file, the value of a Kafka
 * record) and read back by {@code sluice dead-letters}. Consumers read it, so its shape is a public contract: fields
 * are only ever added, never renamed, removed or retyped.
 *
 * <pre>{@code
 * {"pipeline":"orders","sink":"elasticsearch","failed_at":"2026-11-22T10:15:31.204000Z",
 *  "error":"mapper_parsing_exception: failed to parse field [amount] of type [long]",
 *  "table":"public.orders","key":{"id":7},"op":"u","lsn":"0/16B3748","tx_id":751,
 *  "commit_time":"2026-11-22T10:15:30.123456Z",
 *  "event":{"op":"u","table":{...},"key":{"id":7},"before":...,"after":...,"unchanged":[],"source":{...},
 *           "version":23803888}}
 * }</pre>
 * <ul>
 *   <li>{@code pipeline}, {@code sink}: where the event was rejected; {@code sink} is the sink's name in the
 *       pipeline ({@code kafka}, {@code elasticsearch}, {@code redis}, or {@code kafka#2} for a second sink of a
 *       kind), which replays use to find the sink again.</li>
 *   <li>{@code failed_at}: when the target took the letter (UTC, six fractional digits).</li>
 *   <li>{@code error}: what the sink said (no row values from Sluice; a server's own message may quote one).</li>
 *   <li>{@code table}, {@code key}, {@code op}, {@code lsn}, {@code tx_id}, {@code commit_time}: copies from the
 *       event, so that tools can filter without reading it; {@code tx_id} and {@code commit_time} may be
 *       {@code null}.</li>
 *   <li>{@code event}: the event as the sink received it (after the pipeline's transforms), in the
 *       {@link EventJson} form.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DeadLetterJson {
    private final JsonFactory factory = JsonFactory.builder().build();
    private final EventJson events = new EventJson();
    private final EventJsonReader reader = new EventJsonReader();

    /** The letter in the form above, on one line without a line break. */
    public byte[] encode(DeadLetter letter, Instant failedAt) {
        ChangeEvent event = letter.event();
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeStringField("pipeline", letter.pipeline());
            gen.writeStringField("sink", letter.sink());
            gen.writeStringField("failed_at", EventJson.time(failedAt));
            gen.writeStringField("error", letter.error());
            gen.writeStringField("table", event.table().qualifiedName());
            gen.writeFieldName("key");
            gen.writeRawValue(new String(events.keyBytes(event.key()), StandardCharsets.UTF_8));
            gen.writeStringField("op", event.op().code());
            gen.writeStringField("lsn", Lsn.format(event.position().lsn()));
            gen.writeFieldName("tx_id");
            if (event.position().txId() == null) {
                gen.writeNull();
            } else {
                gen.writeNumber(event.position().txId());
            }
            gen.writeStringField("commit_time", EventJson.time(event.position().commitTime()));
            gen.writeFieldName("event");
            gen.writeRawValue(new String(events.encode(event), StandardCharsets.UTF_8));
            gen.writeEndObject();
        } catch (IOException e) {
            // Nothing here does I/O (the target is memory).
            throw new IllegalArgumentException("cannot encode the dead letter of " + event.describe() + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * A record key that keeps the dead letters of one row together (and so in order on one Kafka partition):
     * {@code {"table":"public.orders","key":{"id":7}}}.
     */
    public byte[] key(DeadLetter letter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeStringField("table", letter.event().table().qualifiedName());
            gen.writeFieldName("key");
            gen.writeRawValue(new String(events.keyBytes(letter.event().key()), StandardCharsets.UTF_8));
            gen.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the key of " + letter.event().describe(), e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a letter back; fields it does not know are ignored, so letters written by a later Sluice still read.
     *
     * @throws IllegalArgumentException when the bytes are not a dead letter in this form; the message says what
     *                                  is wrong, never a value
     */
    public StoredDeadLetter decode(byte[] json) {
        String pipeline = null;
        String sink = null;
        String error = null;
        String failedAt = null;
        ChangeEvent event = null;
        try (JsonParser parser = factory.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a dead letter is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "pipeline" -> pipeline = text(parser, value, field);
                    case "sink" -> sink = text(parser, value, field);
                    case "error" -> error = text(parser, value, field);
                    case "failed_at" -> failedAt = text(parser, value, field);
                    case "event" -> event = reader.read(parser);
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw EventJsonReader.notJson(e);
        }
        if (pipeline == null || sink == null || error == null || failedAt == null || event == null) {
            throw new IllegalArgumentException("a dead letter needs pipeline, sink, error, failed_at and event");
        }
        try {
            return new StoredDeadLetter(new DeadLetter(pipeline, sink, event, error), Instant.parse(failedAt));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("failed_at is not a UTC time", e);
        }
    }

    private static String text(JsonParser parser, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " is not a JSON string");
        }
        return parser.getText();
    }
}
