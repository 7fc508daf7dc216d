package io.sluice.engine.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.transform.RowFilter;
import io.sluice.config.transform.TableNames;
import io.sluice.config.transform.TransformConfig;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.JsonKind;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** One configured transform, compiled: see {@link TransformConfig} for what each part does and in which order. */
final class TableTransform {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Predicate<String> tables;
    private final RowFilter filter;
    private final List<String> filterColumns;
    private final Set<String> keep;
    private final Set<String> drop;
    private final Map<String, String> rename;
    private final Set<String> mask;
    private final Set<String> hash;
    /** Made once: these are per value on the hot path, and a transform runs on one thread. */
    private final MessageDigest digest;
    private final Mac mac;

    TableTransform(TransformConfig config) {
        this.tables = config.tables().stream().map(TableNames::matcher).reduce(Predicate::or).orElse(t -> false);
        this.filter = config.rowFilter();
        this.filterColumns = filter == null ? List.of() : filter.columns();
        this.keep = config.keep() == null ? null : Set.copyOf(config.keep());
        this.drop = Set.copyOf(config.drop());
        this.rename = Map.copyOf(config.rename());
        this.mask = Set.copyOf(config.mask());
        this.hash = Set.copyOf(config.hash());
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
            if (config.hashKey() == null) {
                this.mac = null;
            } else {
                this.mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(config.hashKey().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 and HMAC-SHA256 are part of every Java runtime", e);
        }
    }

    boolean appliesTo(String qualifiedTable) {
        return tables.test(qualifiedTable);
    }

    /**
     * Why this transform cannot apply to a table with these key columns, or null: a masked or hashed key column
     * would still reach every sink in the event's key.
     */
    String refusal(Set<String> keyColumns) {
        for (String column : keyColumns) {
            if (mask.contains(column) || hash.contains(column)) {
                return "column " + column + " is part of the primary key, which every sink receives as the event's"
                        + " key; it cannot be " + (mask.contains(column) ? "masked" : "hashed")
                        + ". Drop the transform for this column, or capture a view of the table without it";
            }
        }
        return null;
    }

    /** The transformed event, or null when the row filter drops it. */
    ChangeEvent apply(ChangeEvent event) {
        if (event.op() == Op.TRUNCATE) {
            return event;
        }
        Op op = event.op();
        Row before = event.before();
        if (filter != null) {
            // Only a full before image (REPLICA IDENTITY FULL) shows whether the row was in the filter.
            boolean wasOutside = before != null && before.columns().containsAll(filterColumns)
                    && !filter.test(before::get);
            if (event.isDelete()) {
                // A delete of a row that never reached the sinks is harmless to send, but when it is known to be
                // such a row, nothing of it goes out.
                if (wasOutside) {
                    return null;
                }
            } else if (!filter.test(column -> valueOf(event, column))) {
                if (op != Op.UPDATE) {
                    return null;
                }
                // The row left the filter, or changed outside it: remove it from the sinks, as a delete would.
                op = Op.DELETE;
            }
            if (wasOutside) {
                // The old values of a row outside the filter never reach a sink, whether it stays outside (sent as
                // a delete of its key, which changes nothing where the row is absent) or enters the filter.
                before = null;
            }
        }
        before = before == null ? null : columns(before);
        Row after = op == Op.DELETE ? null : columns(event.after());
        Set<String> unchanged = op == Op.DELETE ? Set.of() : names(event.unchanged());
        return new ChangeEvent(event.table(), op, key(event.key()), before, after, unchanged, event.position(),
                event.version());
    }

    /**
     * The columns as this transform leaves them: kept ones, renamed, masked and hashed ones written as text. What
     * {@link #apply} does to a row's values, done to its columns' descriptions.
     */
    List<ColumnShape> shape(List<ColumnShape> columns) {
        List<ColumnShape> out = new ArrayList<>(columns.size());
        for (ColumnShape column : columns) {
            if (!kept(column.name())) {
                continue;
            }
            String name = rename.getOrDefault(column.name(), column.name());
            if (mask.contains(column.name()) || hash.contains(column.name())) {
                out.add(new ColumnShape(name, "text (" + (mask.contains(column.name()) ? "masked " : "hashed ")
                        + column.sourceType() + ")", JsonKind.TEXT, false));
            } else {
                out.add(new ColumnShape(name, column.sourceType(), column.kind(), column.array()));
            }
        }
        return out;
    }

    /** A column's new value; an unchanged TOAST value is absent from the after image but may be in the before image. */
    private static Object valueOf(ChangeEvent event, String column) {
        if (event.after().has(column) || event.before() == null) {
            return event.after().get(column);
        }
        return event.before().get(column);
    }

    private Row columns(Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.asMap().forEach((column, value) -> {
            if (kept(column)) {
                out.put(rename.getOrDefault(column, column), value(column, value));
            }
        });
        return Row.of(out);
    }

    private Set<String> names(Set<String> columns) {
        Set<String> out = new LinkedHashSet<>();
        for (String column : columns) {
            if (kept(column)) {
                out.add(rename.getOrDefault(column, column));
            }
        }
        return out;
    }

    private Key key(Key key) {
        if (rename.isEmpty() || key.columns().keySet().stream().noneMatch(rename::containsKey)) {
            return key;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        key.columns().forEach((column, value) -> out.put(rename.getOrDefault(column, column), value));
        return new Key(out);
    }

    private boolean kept(String column) {
        return (keep == null || keep.contains(column)) && !drop.contains(column);
    }

    private Object value(String column, Object value) {
        if (value == null) {
            return null;
        }
        if (mask.contains(column)) {
            return TransformConfig.MASK;
        }
        if (hash.contains(column)) {
            return hash(text(value));
        }
        return value;
    }

    private static String text(Object value) {
        if (value instanceof Map || value instanceof List) {
            try {
                return JSON.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a row value could not be written as JSON", e);
            }
        }
        return value.toString();
    }

    private String hash(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(mac == null ? digest.digest(input) : mac.doFinal(input));
    }
}
