package io.sluice.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.sink.DeadLetter;
import io.sluice.sink.codec.StoredDeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pending dead letters of one pipeline, counted per sink, and per table and error within a sink. */
final class DeadLetterSummary {
    private final String pipeline;
    private final String target;
    private final Map<String, Count> sinks = new LinkedHashMap<>();
    private final Map<String, Map<List<String>, Count>> groups = new LinkedHashMap<>();
    private final List<String> unreadable = new ArrayList<>();

    /** How many letters, and the oldest and newest of them. */
    private static final class Count {
        long count;
        Instant oldest;
        Instant newest;

        void add(Instant at) {
            count++;
            oldest = oldest == null || at.isBefore(oldest) ? at : oldest;
            newest = newest == null || at.isAfter(newest) ? at : newest;
        }

        void into(ObjectNode node) {
            node.put("pending", count).put("oldest", oldest.toString()).put("newest", newest.toString());
        }

        String text() {
            return count + (count == 1 ? ", at " + oldest : ", oldest " + oldest + ", newest " + newest);
        }
    }

    /** @param sinks every sink listed, so that those without letters show as such */
    DeadLetterSummary(String pipeline, String target, List<String> sinks) {
        this.pipeline = pipeline;
        this.target = target;
        sinks.forEach(sink -> this.groups.put(sink, new LinkedHashMap<>()));
    }

    void add(StoredDeadLetter stored) {
        DeadLetter letter = stored.letter();
        sinks.computeIfAbsent(letter.sink(), s -> new Count()).add(stored.failedAt());
        groups.computeIfAbsent(letter.sink(), s -> new LinkedHashMap<>())
                .computeIfAbsent(List.of(letter.event().table().qualifiedName(), letter.error()), g -> new Count())
                .add(stored.failedAt());
    }

    void unreadable(String where) {
        unreadable.add(where);
    }

    long pending() {
        return sinks.values().stream().mapToLong(c -> c.count).sum();
    }

    String text() {
        StringBuilder text = new StringBuilder("Pipeline '" + pipeline + "', " + target + ": " + pending()
                + " pending\n");
        groups.forEach((sink, byGroup) -> {
            Count total = sinks.get(sink);
            text.append("  sink ").append(sink).append(": ").append(total == null ? "none" : total.text())
                    .append('\n');
            byGroup.forEach((group, count) -> text.append("    ").append(count.count).append(" of ")
                    .append(group.get(0)).append(", newest ").append(count.newest).append(": ").append(group.get(1))
                    .append('\n'));
        });
        unreadable.forEach(where -> text.append("  cannot read ").append(where).append('\n'));
        return text.toString();
    }

    ObjectNode json() {
        ObjectNode root = OffsetsReport.mapper().createObjectNode();
        root.put("pipeline", pipeline).put("target", target).put("pending", pending());
        ArrayNode sinkNodes = root.putArray("sinks");
        groups.forEach((sink, byGroup) -> {
            ObjectNode sinkNode = sinkNodes.addObject().put("sink", sink);
            Count total = sinks.get(sink);
            if (total == null) {
                sinkNode.put("pending", 0);
            } else {
                total.into(sinkNode);
            }
            ArrayNode groupNodes = sinkNode.putArray("groups");
            byGroup.forEach((group, count) -> {
                ObjectNode groupNode = groupNodes.addObject().put("table", group.get(0)).put("error", group.get(1));
                count.into(groupNode);
            });
        });
        ArrayNode problems = root.putArray("unreadable");
        unreadable.forEach(problems::add);
        return root;
    }
}
