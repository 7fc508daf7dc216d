package io.sluice.bench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The results as JSON: the environment and options of the invocation, every single run, and the summaries the table
 * shows. A figure that was not measured is {@code null}.
 */
public final class ResultsFile {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Double.class, new NanAsNull())
                    .addSerializer(Double.TYPE, new NanAsNull()));

    private ResultsFile() {
    }

    /** Writes the file, creating its directory. */
    public static void write(Path file, Map<String, Object> environment, Map<String, Object> options,
            Results results) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("environment", environment);
        document.put("options", options);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ceiling", results.ceilingSummaries());
        summary.put("throughput", results.throughputSummaries());
        summary.put("latency", results.latencySummaries());
        document.put("summary", summary);
        Map<String, Object> runs = new LinkedHashMap<>();
        runs.put("ceiling", results.ceilingRuns());
        runs.put("throughput", results.throughputRuns());
        runs.put("latency", results.latencyRuns());
        document.put("runs", runs);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), document);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the results to " + file, e);
        }
    }

    /** JSON has no NaN; a figure that was not measured is written as null. */
    private static final class NanAsNull extends StdSerializer<Double> {
        NanAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == null || value.isNaN() || value.isInfinite()) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }
}
