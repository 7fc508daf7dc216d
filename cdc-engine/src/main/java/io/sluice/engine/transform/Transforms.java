package io.sluice.engine.transform;

import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.PipelineException;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline's transforms, applied to every event before any sink sees it. Which transforms apply to a table is
 * worked out once per table; so is the check that none of them would leak a key column it masks or hashes.
 *
 * <p>Called from one thread at a time (the source's).
 */
public final class Transforms {
    public static final Transforms NONE = new Transforms("", List.of());

    private final String pipeline;
    private final List<TableTransform> transforms;
    private final Map<TableId, List<TableTransform>> byTable = new HashMap<>();

    private Transforms(String pipeline, List<TableTransform> transforms) {
        this.pipeline = pipeline;
        this.transforms = List.copyOf(transforms);
    }

    public static Transforms of(String pipeline, List<TransformConfig> configs) {
        return configs.isEmpty() ? NONE : new Transforms(pipeline, configs.stream().map(TableTransform::new).toList());
    }

    /**
     * The events as the sinks should see them, in the same order; events the row filters drop are left out.
     *
     * @throws PipelineException when a transform cannot apply to a table (see {@link TableTransform#refusal})
     */
    public List<ChangeEvent> apply(List<ChangeEvent> events) throws PipelineException {
        if (transforms.isEmpty()) {
            return events;
        }
        List<ChangeEvent> out = new ArrayList<>(events.size());
        for (ChangeEvent event : events) {
            ChangeEvent transformed = event;
            for (TableTransform transform : forTable(event)) {
                transformed = transform.apply(transformed);
                if (transformed == null) {
                    break;
                }
            }
            if (transformed != null) {
                out.add(transformed);
            }
        }
        return out;
    }

    /**
     * The columns of a table's events as the sinks see them, after every transform of the table: for checking a
     * target's schema before anything is written.
     */
    public List<ColumnShape> shape(String qualifiedTable, List<ColumnShape> columns) {
        List<ColumnShape> shaped = columns;
        for (TableTransform transform : transforms) {
            if (transform.appliesTo(qualifiedTable)) {
                shaped = transform.shape(shaped);
            }
        }
        return shaped;
    }

    private List<TableTransform> forTable(ChangeEvent event) throws PipelineException {
        List<TableTransform> known = byTable.get(event.table());
        if (known != null) {
            return known;
        }
        String table = event.table().qualifiedName();
        List<TableTransform> matching = transforms.stream().filter(t -> t.appliesTo(table)).toList();
        if (!event.key().isEmpty()) {
            for (TableTransform transform : matching) {
                String refusal = transform.refusal(event.key().columns().keySet());
                if (refusal != null) {
                    throw new PipelineException("pipeline '" + pipeline + "', table " + table + ": " + refusal);
                }
            }
            byTable.put(event.table(), matching);
        }
        return matching;
    }
}
