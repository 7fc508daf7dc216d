package io.sluice.bench;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sinks of one measured pipeline: one sink ({@code kafka}, {@code elasticsearch} or {@code es}, {@code redis}),
 * several joined by {@code +} ({@code kafka+redis}), or {@code all} three.
 *
 * @param label how the set is written in results
 * @param sinks the sinks, never empty
 */
public record SinkSet(String label, Set<Sink> sinks) {

    public SinkSet {
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("a sink set needs at least one sink");
        }
        sinks = Set.copyOf(sinks);
    }

    public static SinkSet parse(String text) {
        String name = text.trim().toLowerCase(Locale.ROOT);
        if (name.equals("all")) {
            return new SinkSet("all", EnumSet.allOf(Sink.class));
        }
        Set<Sink> sinks = EnumSet.noneOf(Sink.class);
        for (String part : name.split("\\+")) {
            sinks.add(switch (part.trim()) {
                case "kafka" -> Sink.KAFKA;
                case "elasticsearch", "es" -> Sink.ELASTICSEARCH;
                case "redis" -> Sink.REDIS;
                default -> throw new IllegalArgumentException("unknown sink '" + part.trim() + "' in '" + text
                        + "'; use kafka, elasticsearch (es), redis, several joined by +, or all");
            });
        }
        String label = sinks.size() == Sink.values().length ? "all"
                : sinks.stream().map(Sink::label).collect(Collectors.joining("+"));
        return new SinkSet(label, sinks);
    }

    public boolean has(Sink sink) {
        return sinks.contains(sink);
    }
}
