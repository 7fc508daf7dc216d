package io.sluice.engine.debezium;

import java.util.List;
import java.util.Set;

/**
 * The tables a pipeline captures, as resolved against the catalog at start-up: the source's names and patterns,
 * minus its exclusions.
 *
 * @param tables       {@code schema.table} names, in the order written (patterns expanded in name order)
 * @param fullIdentity those of them with {@code REPLICA IDENTITY FULL}
 */
public record CapturedTables(List<String> tables, Set<String> fullIdentity) {
    public CapturedTables {
        tables = List.copyOf(tables);
        fullIdentity = Set.copyOf(fullIdentity);
    }
}
