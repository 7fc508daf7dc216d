package io.sluice.engine;

import io.sluice.config.transform.TableNames;
import io.sluice.engine.event.TableId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The tables a sink receives events of, from the {@code schema.table} patterns of its {@code tables} key. A pipeline
 * captures few tables, so each table's answer is kept rather than matching the patterns per event.
 *
 * <p>Thread-safe.
 */
public final class TableSelection {
    /** Every table. */
    public static final TableSelection ALL = new TableSelection(null, List.of());

    private final Predicate<String> matcher;
    private final List<String> patterns;
    private final Map<TableId, Boolean> answers = new ConcurrentHashMap<>();

    private TableSelection(Predicate<String> matcher, List<String> patterns) {
        this.matcher = matcher;
        this.patterns = patterns;
    }

    /** The tables matching any of the patterns; every table when there are none. */
    public static TableSelection of(List<String> patterns) {
        return patterns.isEmpty() ? ALL : new TableSelection(TableNames.anyMatcher(patterns), List.copyOf(patterns));
    }

    public boolean includes(TableId table) {
        if (matcher == null) {
            return true;
        }
        Boolean known = answers.get(table);
        return known != null ? known : answers.computeIfAbsent(table, t -> matcher.test(t.qualifiedName()));
    }

    @Override
    public String toString() {
        return matcher == null ? "all tables" : String.join(", ", patterns);
    }
}
